"""The digest's cost on a hostile history: users who paste pages (every message 40 KB).

    python bench/bench_long_messages.py

Everything from Engati is hostile until sanitised, its size included. This builds 300
conversations, each a 40 KB user message and a 2 KB bot reply (about 13 MB of text), and times
`budget_transcript` on them in each view at 1,000 / 4,000 / 16,000 tokens, beside `json.loads` of
the same history's JSON. No target is enforced (the issue's cost target is on ordinary histories,
bench_budget.py): the numbers show that a pasted page is cut, not priced whole on every offer.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engati_mcp.models import Message, Role
from engati_mcp.transcript import budget_transcript

WORDS = ["refund", "order", "delivery", "flight", "invoice", "account", "password", "hotel", "booking", "cancel"]


def history() -> list[Message]:
    rng = random.Random(1)
    moment, messages = datetime(2025, 1, 1, tzinfo=UTC), []
    for _ in range(300):
        moment += timedelta(hours=5)
        page = " ".join(rng.choice(WORDS) + str(rng.randint(0, 9)) * (i % 3) for i in range(5000))
        messages.append(Message(role=Role.USER, text=page, timestamp=moment))
        messages.append(Message(role=Role.BOT, text="ok " + page[:2000], timestamp=moment + timedelta(seconds=5)))
    return messages


def main() -> None:
    messages = history()
    raw = json.dumps([{"role": m.role.value, "text": m.text, "at": m.timestamp.isoformat()} for m in messages])  # type: ignore[union-attr]
    started = time.perf_counter()
    json.loads(raw)
    loads = time.perf_counter() - started
    print(f"{len(messages)} messages, {len(raw) / 1e6:.1f} MB of JSON: json.loads {loads * 1000:.0f} ms")
    for budget in (1000, 4000, 16000):
        for detail in ("conversation", "questions", "full"):
            started = time.perf_counter()
            result = budget_transcript(messages, budget, detail=detail)  # type: ignore[arg-type]
            took = time.perf_counter() - started
            ratio = took / loads
            print(f"{detail:<13}{budget:>6}: {took * 1000:6.0f} ms ({ratio:4.1f}x json.loads), {result.tokens} tokens")


if __name__ == "__main__":
    main()
