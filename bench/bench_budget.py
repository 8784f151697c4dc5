"""Benchmark of transcript budgeting (issue 3): how much of what users asked survives a budget,
against a blind head cut and tail cut, and what budgeting costs next to json.loads.

    python bench/bench_budget.py            # prints the tables and PASS/FAIL per target

The corpus comes from the sandbox's generator (engati_mcp.sandbox.data.generate_conversation):
greetings and menus the bot repeats each session, quick replies and taps, long FAQ answers,
short and long user questions, repeats, several languages, handoffs to agents.

Targets:
- 0 results over budget;
- at 1,000 tokens, the user-message share kept is at least 1.5x the better of head and tail cut;
- at 4,000 tokens, at least 95% of user messages kept on conversations of up to 200 messages;
- budgeting a 10,000-message page costs at most 2x json.loads of its raw JSON, and a
  20,000-message page at most 2.2x a 10,000-message one.

Head and tail cuts are given the best case: whole lines of the same rendering, as many as fit.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engati_mcp.models import Message, Role  # noqa: E402
from engati_mcp.parsing import parse_messages  # noqa: E402
from engati_mcp.sandbox.data import generate_conversation  # noqa: E402
from engati_mcp.tokens import count_tokens  # noqa: E402
from engati_mcp.transcript import NEWLINE_MARK, budget_transcript  # noqa: E402

BUDGETS = (300, 1000, 4000)
SMALL_SIZES = [30 + 17 * i for i in range(10)]  # 30 .. 183 messages
LARGE_SIZES = [400, 1000, 2500, 5000]
START = datetime(2025, 1, 6, tzinfo=UTC)


def corpus(sizes: list[int], seed: int) -> list[list[Message]]:
    return [parse_messages(generate_conversation(seed + i, size, START)) for i, size in enumerate(sizes)]


def plain_lines(messages: list[Message]) -> list[tuple[bool, int]]:
    """Each message as the plain rendering's line: (is it the user's, its token cost)."""
    lines = []
    for m in messages:
        stamp = f"{m.timestamp:%Y-%m-%d %H:%M} UTC" if m.timestamp else "(no time)"
        text = NEWLINE_MARK.join(m.text.splitlines())
        lines.append((m.role is Role.USER, count_tokens(f"{stamp} {m.role.value}: {text}") + 1))
    return lines


def cut_share(lines: list[tuple[bool, int]], budget: int, from_end: bool) -> float:
    users = sum(1 for is_user, _ in lines if is_user)
    kept, used = 0, 0
    for is_user, cost in (reversed(lines) if from_end else lines):
        if used + cost > budget:
            break
        used += cost
        kept += is_user
    return kept / users if users else 1.0


def our_share(messages: list[Message], budget: int, detail: str, over: list[int]) -> float:
    result = budget_transcript(messages, budget, detail=detail)  # type: ignore[arg-type]
    if result.tokens > budget or count_tokens(result.text) > budget:
        over.append(budget)
    users = result.counts_by_role.get("user", 0)
    return (users - result.omitted_by_role.get("user", 0)) / users if users else 1.0


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def share_table(name: str, conversations: list[list[Message]], over: list[int]) -> dict[int, dict[str, float]]:
    print(f"\n{name}: {len(conversations)} conversations, "
          f"{sum(map(len, conversations))} messages; mean share of user messages kept")
    print(f"{'budget':>8} {'questions':>10} {'conversation':>13} {'head cut':>9} {'tail cut':>9}")
    table = {}
    for budget in BUDGETS:
        row = {
            "questions": mean([our_share(c, budget, "questions", over) for c in conversations]),
            "conversation": mean([our_share(c, budget, "conversation", over) for c in conversations]),
            "head": mean([cut_share(plain_lines(c), budget, from_end=False) for c in conversations]),
            "tail": mean([cut_share(plain_lines(c), budget, from_end=True) for c in conversations]),
        }
        table[budget] = row
        print(f"{budget:>8} {row['questions']:>10.1%} {row['conversation']:>13.1%} {row['head']:>9.1%} {row['tail']:>9.1%}")
    return table


def best_of(repeats: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def timing(size: int) -> tuple[float, float]:
    """(json.loads seconds, budgeting seconds) for one page of `size` messages."""
    wire = generate_conversation(99, size, START)
    raw = json.dumps({"status": {"code": 1000, "desc": "Success"},
                      "responseObject": {"conversations": wire, "total_records": size}}, ensure_ascii=False)
    loads = best_of(7, lambda: json.loads(raw))
    messages = parse_messages(json.loads(raw)["responseObject"]["conversations"])
    budget = best_of(7, lambda: budget_transcript(messages, 4000))
    print(f"{size:>7} messages, {len(raw) / 1e6:5.1f} MB JSON: json.loads {loads * 1000:6.1f} ms, "
          f"budgeting {budget * 1000:6.1f} ms, ratio {budget / loads:4.2f}")
    return loads, budget


def main() -> int:
    over: list[int] = []
    small = share_table("Conversations of up to 200 messages", corpus(SMALL_SIZES, seed=100), over)
    large = share_table("Long conversations (400 to 5,000 messages)", corpus(LARGE_SIZES, seed=200), over)
    print("\nTiming (best of 7, max_tokens=4000, detail=conversation)")
    loads10, budget10 = timing(10_000)
    _, budget20 = timing(20_000)

    checks = []
    for name, table in (("up to 200 messages", small), ("long conversations", large)):
        row = table[1000]
        baseline = max(row["head"], row["tail"])
        checks.append((f"1,000 tokens, {name}: conversation share {row['conversation']:.1%} >= 1.5 x "
                       f"best cut {baseline:.1%}", row["conversation"] >= 1.5 * baseline))
    checks.append((f"4,000 tokens, up to 200 messages: {small[4000]['conversation']:.1%} of user messages kept "
                   ">= 95%", small[4000]["conversation"] >= 0.95))
    checks.append((f"results over budget: {len(over)} == 0", not over))
    checks.append((f"10,000 messages: budgeting / json.loads = {budget10 / loads10:.2f} <= 2", budget10 <= 2 * loads10))
    checks.append((f"20,000 / 10,000 messages: {budget20 / budget10:.2f} <= 2.2", budget20 <= 2.2 * budget10))
    print("\nTargets")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
