"""Token counting for budgets: an upper bound on o200k_base's count that stays close on chat text.

Why not the real tokenizer: tiktoken downloads its encoding files at first use (which fails
offline), and the packages that ship o200k_base carry a native library of tens of megabytes, too
heavy for a server that `uvx` installs on demand. Budgets need a count that is never *below* what a
model sees (a result over budget is the failure that matters) and not far above it (budget wasted).

How the bound holds. o200k is byte-level BPE: it splits text into pieces (a word with one leading
space or symbol, up to three digits, a run of punctuation, whitespace), never lets a token cross a
piece, and never makes more tokens of a piece than it has UTF-8 bytes. So each line is charged its
bytes, less only what is known:

- `_PIECE` rebuilds o200k's pre-tokenizer with Python's `re` for the characters chat text uses; a
  line with any other character (private use, Tibetan, CJK extensions...) is charged its bytes;
- pieces whose o200k count is known exactly (every 1-3 digit group, common words of the languages
  we serve, common punctuation and emoji) are charged that count;
- in a line that *vouches* for its language, with two different known words of its script (or, in
  Japanese, a common verb ending), the script's other words of ordinary shape are charged a price
  calibrated on chat text, and symbols a token less than their bytes.

Random letters, pseudo-words and letter soup in any script seldom spell two known words, so they pay
their bytes: that part of the bound is a guarantee. The calibrated prices are not: a line that plants
real words among pseudo-words can be counted below o200k (bench/bench_tokens.py shows how far).

tests/test_tokens.py checks the pre-tokenizer and every known count against the real o200k_base
(the `bpe-openai` package ships it), and that no ordinary or hostile text is counted below it;
bench/bench_tokens.py shows how far above it ordinary chat is counted, per script.

Lines are priced independently and a newline costs at most one (a byte), so count(a + "\n" + b)
is at most count(a) + count(b) + 1: the transcript budgeter can add up line counts. It is often
less: o200k gives a line's last punctuation and the newline after it one token (".\n", "?\n",
"]\n"), so a newline after a word and one such mark is free (see `_TAKES_THE_NEWLINE`). A digest
is mostly such lines: without this the count of a 4,000-token one is about 7% over.
"""

from __future__ import annotations

import re
from importlib import resources
from itertools import repeat

from engati_mcp.token_words import LATIN_WORDS, SCRIPT_WORDS, SNAKE_CASE, SYMBOLS

# -- o200k_base's pre-tokenizer, rebuilt with Python's `re` ---------------------------------------
# Its pattern needs Unicode properties that `re` lacks (\p{L}, \p{N}, ...), so these classes spell
# them out for the scripts, punctuation and emoji of chat text, from Python's Unicode database.
_UPPER = r"A-Z\xc0-\xd6\xd8-\xde\u0400-\u042f\uff21-\uff3a"  # \p{Lu} \p{Lt}
_LOWER = r"a-z\xb5\xdf-\xf6\xf8-\xff\u0430-\u045f\uff41-\uff5a"  # \p{Ll}
_CASELESS = (
    r"\xaa\xba\u0300-\u036f\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06dc\u06df-\u06e8\u06ea-\u06ef"
    r"\u06fa-\u06fc\u06ff\u0900-\u0963\u0971-\u097f\u3005\u3006\u302a-\u302f\u3031-\u3035\u303b\u303c"
    r"\u3041-\u3096\u3099\u309a\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u4e00-\u9fff\uac00-\ud7a3"
    r"\ufe00-\ufe0f\uff66-\uffbe\uffc2-\uffc7\uffca-\uffcf\uffd2-\uffd7\uffda-\uffdc"
)  # \p{Lm} \p{Lo} \p{M}: in both of o200k's letter classes
_MARK = (
    r"\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    r"\u0900-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957\u0962\u0963\u302a-\u302f\u3099\u309a"
    r"\ufe00-\ufe0f"
)  # \p{M}, which may also lead a word like a symbol does
_NUMBER = (
    r"0-9\xb2\xb3\xb9\xbc-\xbe\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u2460-\u249b\u24ea-\u24ff"
    r"\u2776-\u2793\u3007\u3021-\u3029\u3038-\u303a\uff10-\uff19\U0001f100-\U0001f10c"
)  # \p{N}
_WIDE_SPACE = r"\x85\xa0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = r"\t\n\x0b\x0c\r " + _WIDE_SPACE  # \s
_ASCII_SYMBOL = r"\x00-\x08\x0e-\x1f!-/:-@\[-`{-\x7f"
_SYMBOL = (  # everything else: punctuation, symbols, emoji, controls
    _ASCII_SYMBOL + r"\x80-\x84\x86-\x9f\xa1-\xa9\xab-\xb1\xb4\xb6-\xb8\xbb\xbf\xd7\xf7\u0600-\u060f\u061b-\u061f"
    r"\u066a-\u066d\u06d4\u06dd\u06de\u06e9\u06fd\u06fe\u0964\u0965\u0970\u200b-\u2027\u202a-\u202e"
    r"\u2030-\u205e\u2060-\u2064\u2066-\u206f\u20a0-\u20c0\u2190-\u2426\u2440-\u244a\u249c-\u24e9"
    r"\u2500-\u2775\u2794-\u2b73\u2b76-\u2b95\u2b97-\u2bff\u3001-\u3004\u3008-\u3020\u3030\u3036\u3037"
    r"\u303d-\u303f\u309b\u309c\u30a0\u30fb\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    r"\uffe0-\uffe6\uffe8-\uffee\U0001f000-\U0001f02b\U0001f030-\U0001f093\U0001f0a0-\U0001f0ae"
    r"\U0001f0b1-\U0001f0bf\U0001f0c1-\U0001f0cf\U0001f0d1-\U0001f0f5\U0001f10d-\U0001f1ad"
    r"\U0001f1e6-\U0001f202\U0001f210-\U0001f23b\U0001f240-\U0001f248\U0001f250\U0001f251"
    r"\U0001f260-\U0001f265\U0001f300-\U0001f6d7\U0001f6dd-\U0001f6ec\U0001f6f0-\U0001f6fc"
    r"\U0001f700-\U0001f773\U0001f780-\U0001f7d8\U0001f7e0-\U0001f7eb\U0001f7f0\U0001f800-\U0001f80b"
    r"\U0001f810-\U0001f847\U0001f850-\U0001f859\U0001f860-\U0001f887\U0001f890-\U0001f8ad\U0001f8b0"
    r"\U0001f8b1\U0001f900-\U0001fa53\U0001fa60-\U0001fa6d\U0001fa70-\U0001fa74\U0001fa78-\U0001fa7c"
    r"\U0001fa80-\U0001fa86\U0001fa90-\U0001faac\U0001fab0-\U0001faba\U0001fac0-\U0001fac5"
    r"\U0001fad0-\U0001fad9\U0001fae0-\U0001fae7\U0001faf0-\U0001faf6\U000e0020-\U000e007f"
)
_UNLISTED = re.compile(f"[^{_UPPER}{_LOWER}{_CASELESS}{_NUMBER}{_SPACE}{_SYMBOL}]")


def _pre_tokenizer(
    upper: str, lower: str, caseless: str, mark: str, number: str, wide_space: str, symbol: str
) -> re.Pattern[str]:
    """o200k's pattern, with its Unicode classes spelled out by the arguments."""
    lead = rf"[{symbol}{mark}\t\x0b\x0c {wide_space}]"  # [^\r\n\p{L}\p{N}]
    space = rf"\t\n\x0b\x0c\r {wide_space}"  # \s
    contraction = "'(?:[sStTmMdD]|[rR][eE]|[vV][eE]|[lL][lL])"  # (?i:'s|'t|'re|'ve|'m|'ll|'d), without 'ſ'
    return re.compile(
        f"{lead}?[{upper}{caseless}]*[{lower}{caseless}]+(?:{contraction})?"
        f"|{lead}?[{upper}{caseless}]+[{lower}{caseless}]*(?:{contraction})?"
        f"|[{number}]{{1,3}}"
        f"| ?[{symbol}{mark}]+[\r\n/]*"
        f"|[{space}]*[\r\n]+"
        f"|[{space}]+(?![^{space}])"
        f"|[{space}]+"
    )


_PIECE = _pre_tokenizer(_UPPER, _LOWER, _CASELESS, _MARK, _NUMBER, _WIDE_SPACE, _SYMBOL)
_ASCII_PIECE = _pre_tokenizer("A-Z", "a-z", "", "", "0-9", "", _ASCII_SYMBOL)  # the same, twice as fast on ASCII


def _word_table(name: str) -> dict[str, str]:
    """engati_mcp/data/`name`: more words known exactly, grouped by their costs like `LATIN_WORDS` (a
    data file, not code: thousands of words read better as text)."""
    text = resources.files("engati_mcp").joinpath(f"data/{name}").read_text(encoding="utf-8")
    rows = (line.split(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {digits: words for digits, words in rows}


COMMON_WORDS = _word_table("common_words.txt")  # " word", "word", " Word", "Word"
SHOUTED_WORDS = _word_table("shouted_words.txt")  # " WORD", "WORD": support chats shout


def _known_costs() -> dict[str, int]:
    """Every known piece (in each of its forms) and its o200k count."""
    costs = {f"{n:0{width}d}": 1 for width in (1, 2, 3) for n in range(10**width)}  # o200k has all 1,110
    for digits, words in (*LATIN_WORDS.items(), *COMMON_WORDS.items()):
        for word in words.split():
            title = word[0].upper() + word[1:]
            costs.update(zip((" " + word, word, " " + title, title), map(int, digits), strict=True))
    for table in (SCRIPT_WORDS, SHOUTED_WORDS, SYMBOLS):
        for digits, pieces in table.items():
            for piece in pieces.split():
                costs.update(zip((" " + piece, piece), map(int, digits), strict=True))
    costs.update(("_" + word, 1) for word in SNAKE_CASE.split())
    return costs


def _witnesses() -> dict[str, str]:
    """Known words that random letters seldom spell (four ASCII letters or three others), by each of their
    forms: a line needs two different ones (see `_vouched_shapes`)."""
    words = [
        word
        for table in (LATIN_WORDS, COMMON_WORDS, SCRIPT_WORDS)
        for group in table.values()
        for word in group.split()
        if len(word) >= (4 if word.isascii() else 3) and word in _SCRIPT_OF
    ]
    return {  # one comprehension: a third of a million entries, built at the first count
        lead + form: word
        for word in words
        for form in {word, word[0].upper() + word[1:], word.upper()}  # "DELIVERY": chat shouts
        for lead in ("", " ", "¿", "¡", "(", '"')
    }


def _scripts_of_words() -> dict[str, str]:
    """The script each known word is written in, as `_SHAPED` names it."""
    tables = (LATIN_WORDS, COMMON_WORDS, SCRIPT_WORDS)
    words = [word for table in tables for group in table.values() for word in group.split()]
    return {word: shape.lastgroup for word in words if (shape := _SHAPED.fullmatch(word)) and shape.lastgroup}


class _ShapeSavings(dict[str, int]):
    """Bytes a piece saves, beyond what a known piece saves, in a line vouched for in `scripts`: the
    scripts' words of ordinary shape and any symbols, priced by `_shaped_saving`; 0 for the rest."""

    def __init__(self, scripts: frozenset[str]) -> None:
        super().__init__()
        self.shapes = scripts | {"symbols"}

    def __missing__(self, piece: str) -> int:
        match = None if piece in _SAVINGS else _SHAPED.fullmatch(piece)
        saving = _shaped_saving(piece, match) if match and match.lastgroup in self.shapes else 0
        if len(self) < _CACHE_LIMIT:  # chat text repeats its words; hostile text must not grow this
            self[piece] = saving
        return saving


_LATIN_SHAPE = (  # lower case, Capitalised or ALL CAPS, Latin-1 letters, a contraction
    "[A-Z\xc0-\xd6\xd8-\xde]?[a-z\xdf-\xf6\xf8-\xff]+(?:'[a-z]{1,2})?|[A-Z\xc0-\xd6\xd8-\xde]+(?:'[A-Z]{1,2})?"
)
_SHAPED = re.compile(  # pieces of an ordinary shape, with o200k's leading space or symbol; letters that o200k
    # spells with one token each (rarer ones, like "ऄ" or "ぢ", take two or three: their words pay their bytes)
    f"(?:[^\\w\r\n]|_)?(?:(?P<latin>{_LATIN_SHAPE})"
    "|(?P<devanagari>[\u0901-\u0903\u0905-\u090a\u090f-\u0911\u0913-\u0928\u092a-\u0933\u0935-\u0939"
    "\u093c-\u0943\u0945\u0947-\u0949\u094b-\u094d\u0958\u095b-\u095e]+)"
    "|(?P<arabic>[\u0621-\u063a\u0640-\u0654\u0670\u067e\u0686\u06a9\u06af\u06cc]+)"
    "|(?P<japanese>[\u3005\u3041\u3042\u3044\u3046-\u3048\u304a-\u3061\u3063-\u306b\u306d-\u3073"
    "\u3075-\u3079\u307b-\u308d\u308f\u3092\u3093\u30a1-\u30a4\u30a6-\u30c1\u30c3\u30c4\u30c6-\u30cb"
    "\u30cd-\u30ed\u30ef\u30f3\u30f4\u30f6\u30fc\u30fd\u4e00-\u9fff]+))"
    "|(?P<symbols> ?[!-/:-@\\[-`{-~\u2010-\u2027\u2030-\u205e\u3001-\u3003\uff01-\uff0f\U0001f300-\U0001faff]+)"
)
_CLUSTER = re.compile("[bcdfghjklmnpqrstvwxz]{4}", re.IGNORECASE)  # "xkcd", "sdfgh": not a word's shape
_STRETCHED = re.compile(r"(.)\1\1+", re.IGNORECASE)  # a letter three times or more
_KANA = re.compile("[\u3041-\u30ff]")
_JAPANESE_ENDINGS = re.compile(  # three kana or more: random kana seldom spell one
    "ました|ません|でした|ですか|ますか|ください|ございます|します|ています|たいです|ましょう"
)

_KNOWN = _known_costs()
_SAVINGS = {piece: len(piece.encode()) - cost for piece, cost in _KNOWN.items()}
_SCRIPT_OF = _scripts_of_words()
_WITNESSES = _witnesses()
# One lookup per piece gives a line both its saving and its number of witnesses: each witness adds
# `_WITNESS` to the sum, far above any line's saving.
_WITNESS = 1 << 32
_TALLY = dict.fromkeys(_WITNESSES, _WITNESS)
for _piece, _saving in _SAVINGS.items():
    _TALLY[_piece] = _TALLY.get(_piece, 0) + _saving
_CACHE_LIMIT = 20_000
_LATIN = frozenset({"latin"})
_VOUCHED = {_LATIN: _ShapeSavings(_LATIN)}  # by the scripts a line vouches for; others made when first needed
_ZEROS = repeat(0)
_LINE_COSTS: dict[str, int] = {}  # see `_line_cost`
_LINE_CACHE_CHARS = 400  # longer lines are priced each time (a digest's lines are mostly shorter)


# A mark that o200k spells with the newline after it as one token, each checked against o200k
# (tests/test_tokens.py). Only a lone mark after a letter or digit: in a run ("?!") the pieces differ.
_TAKES_THE_NEWLINE = frozenset(".,;:!?)]}\"'`*~%&#@$_-+=|<>\\…”’।。？！»")


def count_tokens(text: str) -> int:
    """An upper bound on `text`'s length in o200k_base tokens (see the module docstring)."""
    if "\n" not in text:
        return _line_cost(text) if text else 0
    lines = text.split("\n")
    # A newline is one byte, so at most one token; none where the mark before it takes it.
    return sum(map(_line_cost, lines)) + len(lines) - 1 - sum(map(_takes_the_newline, lines, lines[1:]))


def _takes_the_newline(line: str, after: str) -> bool:
    """Whether `line`'s last piece is a lone mark that o200k merges with the newline after it. (The
    piece would also take a "/" or "\r" that starts the next line: those are left alone.)"""
    return (
        len(line) >= 2
        and line[-1] in _TAKES_THE_NEWLINE
        and line[-2].isalnum()
        and not after.startswith(("/", "\r", "\n"))
    )


def _line_cost(line: str) -> int:
    """`_priced`, remembered: a digest is rendered and counted several times while it is fitted, and
    most of its lines come back unchanged (bounded, and only short lines: hostile text must not grow it)."""
    cost = _LINE_COSTS.get(line)
    if cost is None:
        cost = _priced(line)
        if len(line) <= _LINE_CACHE_CHARS and len(_LINE_COSTS) < _CACHE_LIMIT:
            _LINE_COSTS[line] = cost
    return cost


def _priced(line: str) -> int:
    """The line's UTF-8 bytes, less what its known and (if vouched for) ordinary pieces save."""
    size = len(line.encode("utf-8", "surrogatepass"))
    if size == len(line):
        pieces = _ASCII_PIECE.findall(line)
    elif _UNLISTED.search(line):
        return size  # outside the classes above, pieces may differ from o200k's: no saving is sure
    else:
        pieces = _PIECE.findall(line)
    tally = sum(map(_TALLY.get, pieces, _ZEROS))
    if tally >= 2 * _WITNESS or (size != len(line) and _JAPANESE_ENDINGS.search(line)):
        shapes = _vouched_shapes(line, pieces, size == len(line))
        if shapes is not None:
            return size - tally % _WITNESS - sum(map(shapes.__getitem__, pieces))
    return size - tally % _WITNESS


def _vouched_shapes(line: str, pieces: list[str], ascii_only: bool) -> _ShapeSavings | None:
    """The savings by shape for the scripts of two different known words the line has (or, for Japanese,
    a common verb ending); none if it has none: a line of English does not vouch for the Devanagari in it."""
    words = set(map(_WITNESSES.get, pieces))
    if ascii_only:  # only Latin words; `None` stands for the pieces that are not known words
        return _VOUCHED[_LATIN] if len(words - {None}) >= 2 else None
    scripts = [_SCRIPT_OF[word] for word in words if word]
    vouched = {script for script in scripts if scripts.count(script) >= 2}
    if _JAPANESE_ENDINGS.search(line):
        vouched.add("japanese")
    key = frozenset(vouched)
    if key and key not in _VOUCHED:
        _VOUCHED[key] = _ShapeSavings(key)
    return _VOUCHED[key] if key else None


def _shaped_saving(piece: str, match: re.Match[str]) -> int:
    """Bytes saved by pricing a piece of ordinary shape (see `_SHAPED`) as calibrated on chat text."""
    size = len(piece.encode())
    kind = match.lastgroup or ""  # one of the named groups: _SHAPED has no other way to match
    if kind == "symbols":
        return sum(char > "\x7f" for char in piece)  # an emoji, "—" or "。": at least a token under its bytes
    lead, word = piece[: match.start(kind)], match[kind]
    if lead == " ":
        return max(size - _word_cost(kind, word, " "), 0)
    # Without its space a word loses o200k's " word" merges ("m|uj|he" against " muj|he"; a Latin one
    # measured a token dearer), and a symbol glued to it ("¶mujhe", "(Pooja") seldom merges with it:
    # the symbol and the bare word are priced apart, each by what is known of it.
    lead_cost = _KNOWN.get(lead, len(lead.encode())) if lead else 0
    word_cost = _KNOWN.get(word) or _word_cost(kind, word, "") + (kind == "latin")
    return max(size - lead_cost - word_cost, 0)


def _word_cost(kind: str, word: str, space: str) -> int:
    """The calibrated price of a word of ordinary shape in one of `_SHAPED`'s scripts."""
    if kind == "latin":
        return max(_latin_cost(word), _run_together_cost(space, word))
    if kind == "japanese":
        kana = len(_KANA.findall(word))
        return 1 + int(kana * 0.8 + (len(word) - kana))  # kana and kanji, at most a token each on average
    return 1 + len(word) // 2  # Devanagari and Arabic: a token per two letters, with marks


def _run_together_cost(space: str, word: str) -> int:
    """Known words typed without the space between them ("haimujhe", "pleasehelp"), priced as their parts
    (" ha|im|uj|he" costs what " hai" and "mujhe" do; the calibrated price undercuts it). 0 if none."""
    return max(
        (
            _KNOWN[space + word[:cut]] + _KNOWN[word[cut:]]
            for cut in range(1, len(word))
            if space + word[:cut] in _KNOWN and word[cut:] in _KNOWN
        ),
        default=0,
    )


def _latin_cost(word: str) -> int:
    """A Latin word's price. Short, long and oddly shaped ones pay their bytes: o200k spells some random
    strings of up to four letters with a token a letter (checked on all of them), and very long words or
    clusters like "xkcd" are seldom a token or two."""
    if len(word) <= 4 or len(word) > 15 or _CLUSTER.search(word):
        return len(word.encode())
    if word.isupper():
        return 1 + len(word) // 2  # capitals split often: " REF|UND"
    accents = len(word.encode()) - len(word)  # "está", "ação": an accented letter often splits a word
    stretched = len(_STRETCHED.findall(word))  # "pleaseee", "Baaab": o200k spells the run apart
    return 2 + (len(word) - 2) // 4 + accents + stretched
