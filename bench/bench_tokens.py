"""How the token estimate compares with the real o200k_base tokenizer, per script.

    python bench/bench_tokens.py      # needs the test extra (bpe-openai ships o200k_base)

For each group of realistic chat messages (the samples in tests/test_tokens.py, and 3,000
messages of the sandbox's generated conversations) it prints the smallest per-message ratio
estimate / o200k (the target: never below 0.98) and the overall ratio (how much budget the
estimate's caution costs), plus the estimate's speed.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bpe_openai  # noqa: E402

from engati_mcp.parsing import parse_messages  # noqa: E402
from engati_mcp.sandbox.data import generate_conversation  # noqa: E402
from engati_mcp.tokens import count_tokens  # noqa: E402
from tests.test_tokens import EMOJI, ENGLISH, OTHER_SCRIPTS, chat_messages  # noqa: E402

O200K = bpe_openai.get_encoding("o200k_base")


def row(name: str, texts: list[str]) -> bool:
    pairs = [(count_tokens(t), len(O200K.encode(t))) for t in texts if t]
    worst = min(estimate / real for estimate, real in pairs)
    overall = sum(e for e, _ in pairs) / sum(r for _, r in pairs)
    print(f"{name:<34} {len(pairs):>6} {worst:>8.3f} {overall:>8.2f}")
    return worst >= 0.98


def main() -> int:
    sandbox = [m.text for m in parse_messages(generate_conversation(5, 3000, datetime(2025, 1, 1, tzinfo=UTC)))]
    print(f"{'messages':<34} {'count':>6} {'worst':>8} {'overall':>8}   (estimate / o200k_base)")
    ok = all([row("English samples", ENGLISH), row("Hindi, Arabic, CJK, Cyrillic, ...", OTHER_SCRIPTS),
              row("emoji", EMOJI), row("mixed, multi-line (2,000)", chat_messages(11, 2000)),
              row("sandbox conversations (3,000)", sandbox)])
    text = "\n".join(sandbox) * 3
    started = time.perf_counter()
    count_tokens(text)
    seconds = time.perf_counter() - started
    print(f"\nspeed: {len(text.encode()) / 1e6 / seconds:.1f} MB/s of chat text")
    print(f"{'PASS' if ok else 'FAIL'}  never more than 2% below o200k_base on any message")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
