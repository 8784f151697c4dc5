"""Shortening a message to fit a line: its first line, its beginning, or everything but its middle.

Every cut is visible (" …" or "[… N characters omitted …]"), so a model never mistakes a shortened
message for a whole one. Counts use `tokens.count_tokens`, an upper bound of o200k.
"""

from __future__ import annotations

from engati_mcp.sanitize import one_line
from engati_mcp.tokens import count_tokens

BOT_LINE_CHARS = 120  # a bot or agent reply is cut to its first line, at most this long
# A text longer than this many characters per token allowed is cut without pricing it whole: no
# ordinary text packs more in a token, and pricing a pasted 40 KB page on every offer is what would cost.
_CHARS_PER_TOKEN = 16


def quick_tokens(text: str) -> int:
    """A cheap price for choosing: a token per three UTF-8 bytes (over for ordinary text)."""
    return len(text.encode()) // 3 + 1


def first_line(text: str) -> str:
    """A bot or agent reply cut to its first line, at most `BOT_LINE_CHARS` characters."""
    whole = one_line(text)
    line = one_line(text.split("\n", 1)[0])
    if len(line) > BOT_LINE_CHARS:
        line = line[:BOT_LINE_CHARS].rstrip()
    return line if line == whole else line + " …"


def head_cut(text: str, max_tokens: int) -> str:
    """A message cut to its beginning (what a request says first), marked with " …"."""
    if len(text) <= max_tokens or (len(text) <= max_tokens * _CHARS_PER_TOKEN and count_tokens(text) <= max_tokens):
        return text
    low, high = 1, min(len(text), max_tokens * 8)
    while low < high:  # the longest beginning that fits, found in a few counts
        middle = (low + high + 1) // 2
        if count_tokens(text[:middle].rstrip() + " …") <= max_tokens:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + " …"


def middle_cut(text: str, max_tokens: int) -> str:
    """A long message with its middle replaced by a visible marker; the head keeps two thirds,
    since a request usually says first what it is about."""
    if len(text) <= max_tokens:  # a token is at least one character
        return text
    if len(text) > max_tokens * _CHARS_PER_TOKEN:
        keep = max_tokens * 8  # far too long: start at a generous guess, shrunk below until it fits
    else:
        total = count_tokens(text)
        if total <= max_tokens:
            return text
        keep = len(text) * max_tokens // max(total, 1)
    while True:
        head = text[: keep * 2 // 3].rstrip()
        tail = text[len(text) - keep // 3 :].lstrip() if keep >= 3 else ""
        cut = f"{head} [… {len(text) - len(head) - len(tail)} characters omitted …] {tail}".rstrip()
        if count_tokens(cut) <= max_tokens or keep <= 12:
            return cut
        keep = keep * 4 // 5
