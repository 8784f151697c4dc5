"""How the token estimate compares with the real o200k_base tokenizer, per script, and how fast it is.

    python bench/bench_tokens.py      # needs the test extra (bpe-openai ships o200k_base)

Ordinary chat: the samples of each language in tests/test_tokens.py, 2,000 messages mixing them the
way transcripts render multi-line messages, and 3,000 messages of the sandbox's generated
conversations. Hostile text: random letters, camelCase, stacks of combining marks, private-use
characters, CJK extension B, Tibetan, runs of "¶", emoji sequences, digits, whitespace, letter soup
in the scripts we calibrate for. For each group: the mean and worst per-message ratio
estimate / o200k, and the token-weighted one (how much budget the estimate's caution costs).

Targets (PASS/FAIL): no ordinary or hostile message counted below o200k (worst >= 1.00); ordinary
chat over-counted by at most 1.4x on average (token-weighted), in each group.

Not a target: "crafted" lines, real words planted among pseudo-words. Two different known words
vouch for a line, so its other words are priced by calibration (see engati_mcp.tokens): the one
kind of text the estimate does not bound. Its row shows how far below o200k such lines go.
"""

from __future__ import annotations

import json
import random
import string
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bpe_openai

from engati_mcp import tokens
from engati_mcp.parsing import parse_messages
from engati_mcp.sandbox.data import generate_conversation
from engati_mcp.tokens import count_tokens
from tests.test_tokens import LANGUAGES, OTHER_SCRIPTS, chat_messages

O200K = bpe_openai.get_encoding("o200k_base")
MAX_OVER_COUNT = 1.4
RNG = random.Random(7)


def o200k(text: str) -> int:
    return len(O200K.encode_ordinary(text))


def row(name: str, texts: list[str]) -> tuple[float, float]:
    """Print a group's ratios; return its worst per-message and its token-weighted ratio."""
    pairs = [(count_tokens(text), o200k(text)) for text in texts if text]
    ratios = [estimate / real for estimate, real in pairs]
    weighted = sum(estimate for estimate, _ in pairs) / sum(real for _, real in pairs)
    print(
        f"  {name:<34} {len(pairs):>5} {sum(ratios) / len(ratios):>6.2f} {min(ratios):>6.2f} {max(ratios):>6.2f}"
        f" {weighted:>9.2f}"
    )
    return min(ratios), weighted


def soup(letters: str | Callable[[], str], count: int = 400, words: int = 8, longest: int = 10) -> list[str]:
    """`count` lines of up to `words` random words, each of letters drawn from `letters`."""
    pick = letters if callable(letters) else (lambda: RNG.choice(letters))
    return [
        " ".join("".join(pick() for _ in range(RNG.randint(1, longest))) for _ in range(RNG.randint(1, words)))
        for _ in range(count)
    ]


def char_range(low: int, high: int) -> Callable[[], str]:
    return lambda: chr(RNG.randint(low, high))


def hostile() -> dict[str, list[str]]:
    syllables = [consonant + vowel for consonant in "bcdfghjklmnprstvwz" for vowel in "aeiou"]
    marks = "".join(map(chr, range(0x300, 0x370)))
    return {
        "letter soup, lower case": soup(string.ascii_lowercase),
        "letter soup, mixed case": soup(string.ascii_letters),
        "camelCase": ["".join(w.capitalize() for w in line.split()) for line in soup(string.ascii_lowercase)],
        "pseudo-words": soup(lambda: RNG.choice(syllables), longest=5),
        "combining marks": soup(lambda: RNG.choice(string.ascii_letters) + RNG.choice(marks) * RNG.randint(0, 5)),
        "private use (BMP, planes 15-16)": soup(
            lambda: chr(RNG.choice([RNG.randint(0xE000, 0xF8FF), RNG.randint(0xF0000, 0x10FFFD)]))
        ),
        "CJK extension B": soup(char_range(0x20000, 0x2A6DF)),
        "Tibetan": soup(char_range(0x0F00, 0x0FFF)),
        "runs of ¶": ["¶" * RNG.randint(1, 200) for _ in range(100)] + [" ¶" * RNG.randint(1, 100) for _ in range(100)],
        "emoji sequences (ZWJ, tones)": soup("👨👩👧👦🧑🏻🏽🏿❤🔥🏳🌈\ufe0f\u200d", longest=12),
        "digits": soup(string.digits + ".,-/:", longest=20),
        "whitespace": soup(" \t\n\r\u00a0\u3000", words=1, longest=60),
        "Devanagari letter soup": soup(char_range(0x0900, 0x097F)),
        "Arabic letter soup": soup(char_range(0x0620, 0x064A)),
        "kana and kanji soup": soup(lambda: RNG.choice([char_range(0x3041, 0x30FA), char_range(0x4E00, 0x9FFF)])()),
        "Latin-1 letter soup": soup("abcdeinorstuáéíóúñçãõâêô"),
    }


def crafted() -> list[str]:
    """Real words planted among pseudo-words: the lines the estimate does not bound."""
    syllables = [consonant + vowel for consonant in "bcdfghjklmnprstvwz" for vowel in "aeiou"]
    pseudo = soup(lambda: RNG.choice(syllables), count=400, words=3, longest=5)
    return [f"where is my order {words}" for words in pseudo]


def speed(texts: list[str], wire: list[dict]) -> None:
    raw = json.dumps(wire)
    loads = min(_timed(lambda: json.loads(raw)) for _ in range(5))
    counting = min(_timed(lambda: _count_cold(texts)) for _ in range(5))
    size = sum(len(text.encode()) for text in texts)
    print(
        f"\nspeed: count_tokens over {len(texts):,} messages ({size / 1e6:.1f} MB) {counting * 1000:.0f} ms, "
        f"{counting / loads:.1f}x json.loads of their JSON ({loads * 1000:.0f} ms), {size / 1e6 / counting:.1f} MB/s"
    )


def _count_cold(texts: list[str]) -> list[int]:
    """Every text counted afresh: the server remembers line costs, which would time only lookups."""
    tokens._LINE_COSTS.clear()
    return [count_tokens(text) for text in texts]


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    sandbox = [m.text for m in parse_messages(generate_conversation(5, 3000, datetime(2025, 1, 1, tzinfo=UTC)))]
    header = f"  {'messages':<34} {'count':>5} {'mean':>6} {'worst':>6} {'max':>6} {'weighted':>9}"
    print("Ordinary chat (estimate / o200k_base)\n" + header)
    ordinary = {
        **LANGUAGES,
        "mixed, multi-line (2,000)": chat_messages(11, 2000),
        "sandbox conversations (3,000)": sandbox,
    }
    results = {name: row(name, texts) for name, texts in ordinary.items()}
    row("other scripts (bounded only)", OTHER_SCRIPTS)
    print("\nHostile text\n" + header)
    worst_hostile = min(row(name, texts)[0] for name, texts in hostile().items())
    print("\nNot bounded\n" + header)
    row("crafted: known words + pseudo-words", crafted())

    targets = [
        (min(worst for worst, _ in results.values()) >= 1, "never below o200k_base on ordinary chat"),
        (worst_hostile >= 1, "never below o200k_base on hostile text"),
    ]
    targets += [
        (weighted <= MAX_OVER_COUNT, f"{name}: over-counted {weighted:.2f}x <= {MAX_OVER_COUNT}x on average")
        for name, (_, weighted) in results.items()
    ]
    wire = generate_conversation(5, 10_000, datetime(2025, 1, 1, tzinfo=UTC))
    speed([m.text for m in parse_messages(wire)], wire)
    print("\nTargets")
    for ok, target in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {target}")
    return 0 if all(ok for ok, _ in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
