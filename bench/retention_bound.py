"""The most user-message retention any text of a budget can reach on the sandbox's regulars (issue 8).

    python bench/retention_bound.py          # at 4,000 tokens
    python bench/retention_bound.py 1000     # at another budget

bench_budget.py counts a user message as shown when its text appears, so one line with a repeated
text shows every time it was said. The best any result can do in `budget` tokens is then a knapsack
over the user's distinct texts: this fills it greedily by messages per token, each text priced by
the real o200k as the cheapest line that could carry it (` · ×N text` for a repeat, a line of its own
for a text said once), beside 150 tokens for a heading. No layout, no dates, no coverage: an upper
bound for the questions view's retention (greedy, so within one item of the true knapsack), to read
beside bench_budget.py's retention target.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_budget as bench

from engati_mcp.sandbox.data import REGULAR_IDS, build_dataset

HEADING = 150  # tokens kept for a result's heading and structured content


def bound(texts: list[str], budget: int) -> float:
    """The share of `texts` (one per user message) a greedy knapsack of their lines shows in `budget`."""
    said = Counter(texts)
    lines = [(count, bench.tokens(f" · ×{count} {text}" if count > 1 else f"\n{text}")) for text, count in said.items()]
    room, kept = budget - HEADING, 0
    for count, price in sorted(lines, key=lambda line: line[0] / line[1], reverse=True):
        if price <= room:
            room -= price
            kept += count
    return kept / len(texts) if texts else 1.0


def main() -> None:
    budget = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    data = build_dataset()
    bounds = []
    for user_id in REGULAR_IDS:
        truth = bench.truth_of(user_id, [wire for _, wire in data.conversation(data.user(user_id))])
        bounds.append(bound([truth.messages[i].text for i in truth.typed], budget))
        print(f"{user_id:<18} {len(truth.visits):>4} conversations  retention bound {bounds[-1]:.3f}")
    print(f"mean retention bound at {budget} tokens: {sum(bounds) / len(bounds):.3f}")


if __name__ == "__main__":
    main()
