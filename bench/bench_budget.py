"""Benchmark of get_chat_history on long histories (issue 8): does a budgeted result show every
visit of a support bot's regulars, or only the first and last days?

    python bench/bench_budget.py            # tables and PASS/FAIL per target (exit 1 on any FAIL)
    python bench/bench_budget.py --json     # the same numbers as one JSON object on stdout
    python bench/bench_budget.py --users 4  # the first 4 regulars only (quicker, for a look)

Needs the test extra (`bpe-openai` ships the real o200k_base tokenizer, offline).

What it does. For each regular of the sandbox (engati_mcp.sandbox.data.REGULAR_IDS: 50-300 visits
over 6-18 months each), it calls get_chat_history through an in-process MCP client on the sandbox
for the whole history (no dates), in the "conversation" and "questions" views, at max_tokens 1,000,
4,000 and 16,000, and scores what the result's text shows against the ground truth:

- visits: the history split by Engati's session_id when messages carry one, else by more than
  30 minutes of silence;
- a user message is one the user typed (role user, not a button tap); it is *shown* when its text,
  newlines rendered as " ¶ ", appears in the result text; a message longer than 160 characters
  (longer than an SMS) counts as shown when its first 40 do; one shorter than 15 ("ok", "Thank you")
  only when it appears as a whole message (from a line start, "role: ", a time, "] ", a separator or
  a quote, up to a line end, a count such as " (×3", a bracket, a separator or a quote), not inside
  a longer one;
- a *distinctive* message: a user message of at least 15 characters said only once in the history;
- coverage: the share of visits having a distinctive message with at least one of them shown;
- retention: the share of all user messages shown.

Beside the server, with the same scoring, the same o200k counter and the same budget for the
whole output (the baselines have no structured content, so they get the whole budget for text):
- head cut / tail cut: the plain rendering, one line per message, `YYYY-MM-DD HH:MM UTC role: text`
  (every message in the conversation view, the user's only in the questions view), as many whole
  lines as fit from the start / from the end;
- digest: one line per visit, its start time and the user's first distinctive message in it,
  visits taken evenly across the window (first, last, middle, quarters...) until the budget is
  full, shown in time order; nothing else.

Also measured: results over budget (o200k of the text plus o200k of json.dumps of the structured
content, above max_tokens) over every call made; the model-visible size of tools/list (o200k of
json.dumps of the two tools' name, description and inputSchema as on the wire); and the cost of
`budget_transcript(messages, 4000, detail="conversation")` on 10,000 sandbox messages against
json.loads of their raw JSON (the best of 9 rounds each, the two taking turns).

Targets: 0 over budget; coverage >= 0.85x the digest at 1,000 tokens, >= 0.95x at 4,000, >= 0.99
at 16,000; retention >= the better cut at 1,000, >= 1.3x it at 4,000, >= 1.5x at 16,000 (in each
view; a target above 1 counts as 1); budgeting <= 2x json.loads; tools/list <= 800 tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bpe_openai  # type: ignore[import-untyped]
import httpx
from mcp import Client
from mcp.types import TextContent

from engati_mcp.models import Message, MessageKind, Role
from engati_mcp.parsing import parse_messages
from engati_mcp.sandbox import SANDBOX_SETTINGS, create_sandbox_app
from engati_mcp.sandbox.data import FEATURED_ID, HISTORY_END, REGULAR_IDS, build_dataset
from engati_mcp.sandbox.regulars import PERSONAS, generate
from engati_mcp.server import create_server

O200K = bpe_openai.get_encoding("o200k_base")
BUDGETS = (1000, 4000, 16000)
VIEWS = ("conversation", "questions")
NEWLINE = " ¶ "
DISTINCT_CHARS = 15  # a distinctive message has at least this many characters...
LONG_CHARS = 160  # ...and one longer than this counts as shown when its first PREFIX_CHARS are
PREFIX_CHARS = 40
SILENCE = timedelta(minutes=30)
COST_MESSAGES = 10_000
# The existing users shown for comparison (not targets): ~240, ~1,100 and ~20 messages.
OTHERS = (FEATURED_ID, "917311111475", "tg-548955962")


def tokens(text: str) -> int:
    return len(O200K.encode(text))


# ---------------------------------------------------------------------------------------------
# Ground truth


@dataclasses.dataclass
class Truth:
    user_id: str
    messages: list[Message]
    visits: list[list[int]]  # message indices per visit
    typed: list[int]  # indices of the user's typed messages
    distinctive: list[list[int]]  # per visit, indices of its distinctive messages

    @property
    def visits_with_distinctive(self) -> int:
        return sum(1 for d in self.distinctive if d)


def rendered(text: str) -> str:
    return NEWLINE.join(text.splitlines())


def needle(text: str) -> str:
    """What must appear in a result for a message to count as shown."""
    line = rendered(text)
    return line[:PREFIX_CHARS] if len(line) > LONG_CHARS else line


def truth_of(user_id: str, wire: list[dict[str, Any]]) -> Truth:
    messages = parse_messages(wire)
    visits: list[list[int]] = []
    for i, m in enumerate(messages):
        before = messages[i - 1] if i else None
        new = (
            before is None
            or (m.session is not None and m.session != before.session)
            or (
                m.session is None
                and (m.timestamp is None or before.timestamp is None or m.timestamp - before.timestamp > SILENCE)
            )
        )
        if new:
            visits.append([i])
        else:
            visits[-1].append(i)
    typed = [i for i, m in enumerate(messages) if m.role is Role.USER and m.kind is MessageKind.TEXT]
    said = Counter(messages[i].text for i in typed)
    once = {i for i in typed if len(messages[i].text) >= DISTINCT_CHARS and said[messages[i].text] == 1}
    return Truth(user_id, messages, visits, typed, [[i for i in visit if i in once] for visit in visits])


# Where a short message shown whole starts (line start or indentation, after "role: ", a time, "] ",
# a separator or a quote) and ends (line end, before a count such as " (×3" or " ×3", a bracket, a
# separator or a quote): any rendering that puts one message per line or between separators fits.
_WHOLE_BEFORE = r"(?:^|(?<=^ )|(?<=: )|(?<=\d )|(?<=\] )|(?<=\| )|(?<=· )|(?<=• )|(?<=— )|(?<=[\"“]))"
_WHOLE_AFTER = r"(?=$| \(| ×| \[| \|| ·| —|[\"”])"


class Shown:
    """Which needles a text shows, cached per needle (one text is scored many times)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._seen: dict[str, bool] = {}

    def __call__(self, message: Message) -> bool:
        key = needle(message.text)
        if key not in self._seen:
            if len(key) >= DISTINCT_CHARS:
                self._seen[key] = key in self.text
            else:  # "ok", "Thank you": only as a whole message, not inside a longer one
                self._seen[key] = (
                    key in self.text
                    and re.search(_WHOLE_BEFORE + re.escape(key) + _WHOLE_AFTER, self.text, re.MULTILINE) is not None
                )
        return self._seen[key]


def score(truth: Truth, text: str) -> tuple[float, float]:
    """(coverage, retention) of one result text."""
    shown = Shown(text)
    covered = sum(1 for d in truth.distinctive if d and any(shown(truth.messages[i]) for i in d))
    kept = sum(1 for i in truth.typed if shown(truth.messages[i]))
    coverage = covered / truth.visits_with_distinctive if truth.visits_with_distinctive else 1.0
    return coverage, kept / len(truth.typed) if truth.typed else 1.0


# ---------------------------------------------------------------------------------------------
# Baselines


def plain_line(m: Message, moment: Any = None) -> str:
    when = moment or m.timestamp
    stamp = f"{when:%Y-%m-%d %H:%M} UTC" if when else "(no time)"
    return f"{stamp} {m.role.value}: {rendered(m.text)}"


def lines_for(truth: Truth, view: str) -> list[str]:
    return [plain_line(m) for m in truth.messages if view == "conversation" or m.role is Role.USER]


def cut(lines: list[str], budget: int, from_end: bool) -> str:
    """As many whole lines as fit `budget` (exact o200k count of the joined text), from one end."""
    pick = (lambda n: lines[len(lines) - n :]) if from_end else (lambda n: lines[:n])
    low, high = 0, len(lines)  # the largest n that fits, by bisection (the count grows with n)
    while low < high:
        middle = (low + high + 1) // 2
        if tokens("\n".join(pick(middle))) <= budget:
            low = middle
        else:
            high = middle - 1
    return "\n".join(pick(low))


def spread_order(count: int) -> list[int]:
    """0 .. count-1 in an order that covers the range evenly at every prefix: ends, middle, quarters..."""
    if count <= 0:
        return []
    order, seen = [0, count - 1], {0, count - 1}
    parts = [(0, count - 1)]
    while parts:
        next_parts = []
        for low, high in parts:
            if high - low < 2:
                continue
            middle = (low + high) // 2
            if middle not in seen:
                seen.add(middle)
                order.append(middle)
            next_parts += [(low, middle), (middle, high)]
        parts = next_parts
    return [i for i in dict.fromkeys(order) if i < count]


def digest(truth: Truth, budget: int) -> str:
    """One line per visit (start time, first distinctive message), visits picked evenly until full."""
    leads = [(visit[0], d[0]) for visit, d in zip(truth.visits, truth.distinctive, strict=True) if d]
    lines = [plain_line(truth.messages[lead], truth.messages[start].timestamp) for start, lead in leads]
    costs = [tokens(line) + 1 for line in lines]
    chosen: set[int] = set()
    used = 0
    for i in spread_order(len(lines)):
        if used + costs[i] <= budget:
            chosen.add(i)
            used += costs[i]
    picked = sorted(chosen)
    text = "\n".join(lines[i] for i in picked)
    while picked and tokens(text) > budget:  # the per-line estimate is an upper bound, but make sure
        picked.remove(max(picked, key=lambda i: costs[i]))
        text = "\n".join(lines[i] for i in picked)
    return text


# ---------------------------------------------------------------------------------------------
# The server


def sandbox_server() -> Any:
    return create_server(dict(SANDBOX_SETTINGS), transport=httpx.ASGITransport(app=create_sandbox_app()))


@dataclasses.dataclass
class Call:
    user_id: str
    view: str
    budget: int
    text: str
    used: int  # o200k of text + o200k of json.dumps(structured content)
    error: bool
    seconds: float

    @property
    def over(self) -> bool:
        return self.used > self.budget


async def call_history(client: Client, user_id: str, view: str, budget: int) -> Call:
    started = time.perf_counter()
    result = await client.call_tool(
        "get_chat_history", {"channel_user_id": user_id, "max_tokens": budget, "detail": view}
    )
    seconds = time.perf_counter() - started
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    structured = json.dumps(result.structured_content) if result.structured_content is not None else ""
    return Call(user_id, view, budget, text, tokens(text) + tokens(structured), bool(result.is_error), seconds)


async def tools_list_tokens(client: Client) -> tuple[int, dict[str, int]]:
    tools = (await client.list_tools()).tools
    wanted = [t for t in tools if t.name in {"find_users", "get_chat_history"}]
    wire = [
        {
            key: t.model_dump(mode="json", by_alias=True, exclude_none=True).get(key)
            for key in ("name", "description", "inputSchema")
        }
        for t in sorted(wanted, key=lambda t: t.name)
    ]
    return tokens(json.dumps(wire)), {str(w["name"]): tokens(json.dumps(w)) for w in wire}


# ---------------------------------------------------------------------------------------------
# Cost


def best_of_each(repeats: int, *runs: Callable[[], object]) -> list[float]:
    """The best time of each run over `repeats` rounds, the runs taking turns within a round: a
    shared machine changes speed over seconds, and timing one run after the other would compare
    them at different speeds."""
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            started = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def cost() -> dict[str, float]:
    """budget_transcript on 10,000 messages of a regular-like history vs json.loads of their JSON."""
    from engati_mcp.transcript import budget_transcript

    persona = dataclasses.replace(PERSONAS[1], conversations=1300, months=36, quiet_days=0)  # a 3-year Rahul
    wire = [message for _, message in generate(persona, 4242, HISTORY_END)][:COST_MESSAGES]
    raw = json.dumps(
        {
            "status": {"code": 1000, "desc": "Success"},
            "responseObject": {"conversations": wire, "total_records": len(wire)},
        },
        ensure_ascii=False,
    )
    messages = parse_messages(json.loads(raw)["responseObject"]["conversations"])
    loads, budgeting = best_of_each(
        9, lambda: json.loads(raw), lambda: budget_transcript(messages, 4000, detail="conversation")
    )
    return {
        "messages": len(messages),
        "json_mb": len(raw.encode()) / 1e6,
        "loads_ms": loads * 1000,
        "budget_ms": budgeting * 1000,
        "ratio": budgeting / loads,
    }


# ---------------------------------------------------------------------------------------------
# Run


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


async def measure(user_ids: list[str], others: tuple[str, ...]) -> dict[str, Any]:
    data = build_dataset()
    truths = {
        uid: truth_of(uid, [w for _, w in data.conversation(data.user(uid))])  # type: ignore[arg-type]
        for uid in [*user_ids, *others]
    }
    calls: list[Call] = []
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    async with Client(sandbox_server()) as client:
        listed, per_tool = await tools_list_tokens(client)
        for group, ids in (("regulars", user_ids), ("others", list(others))):
            if not ids:
                continue
            rows[group] = {}
            for view in VIEWS:
                for budget in BUDGETS:
                    per: dict[str, list[float]] = {
                        k: []
                        for k in (
                            "server_cov",
                            "head_cov",
                            "tail_cov",
                            "digest_cov",
                            "server_ret",
                            "head_ret",
                            "tail_ret",
                            "digest_ret",
                        )
                    }
                    for uid in ids:
                        truth = truths[uid]
                        call = await call_history(client, uid, view, budget)
                        calls.append(call)
                        lines = lines_for(truth, view)
                        texts = {
                            "server": "" if call.error else call.text,
                            "head": cut(lines, budget, False),
                            "tail": cut(lines, budget, True),
                            "digest": digest(truth, budget),
                        }
                        for name, text in texts.items():
                            coverage, retention = score(truth, text)
                            per[f"{name}_cov"].append(coverage)
                            per[f"{name}_ret"].append(retention)
                    rows[group][f"{view}/{budget}"] = {key: mean(values) for key, values in per.items()}
    return {"truths": truths, "calls": calls, "rows": rows, "tools_list": listed, "tools_per_tool": per_tool}


def checks_for(
    rows: dict[str, dict[str, Any]], calls: list[Call], listed: int, costs: dict[str, float]
) -> list[tuple[str, bool]]:
    checks: list[tuple[str, bool]] = []
    cover_target = {1000: ("x", 0.85), 4000: ("x", 0.95), 16000: ("abs", 0.99)}
    keep_target = {1000: 1.0, 4000: 1.3, 16000: 1.5}
    for view in VIEWS:
        for budget in BUDGETS:
            row = rows[f"{view}/{budget}"]
            kind, factor = cover_target[budget]
            need = factor * row["digest_cov"] if kind == "x" else factor
            how = f"{factor:.2f} x digest {row['digest_cov']:.3f}" if kind == "x" else f"{factor:.2f}"
            checks.append(
                (
                    f"coverage  {view:<12} {budget:>6}: {row['server_cov']:.3f} >= {how} = {need:.3f}",
                    row["server_cov"] >= need - 1e-9,
                )
            )
    for view in VIEWS:
        for budget in BUDGETS:
            row = rows[f"{view}/{budget}"]
            better = max(row["head_ret"], row["tail_ret"])
            need = min(keep_target[budget] * better, 1.0)  # never more than everything
            checks.append(
                (
                    (
                        f"retention {view:<12} {budget:>6}: {row['server_ret']:.3f} >= "
                        f"min(1, {keep_target[budget]:.1f} x better cut {better:.3f}) = {need:.3f}"
                    ),
                    row["server_ret"] >= need - 1e-9,
                )
            )
    over = [c for c in calls if c.over]
    errors = [c for c in calls if c.error]
    checks.append((f"over budget: {len(over)} of {len(calls)} calls == 0", not over))
    checks.append((f"error results: {len(errors)} of {len(calls)} calls == 0", not errors))
    checks.append(
        (
            (
                f"cost: budget_transcript {costs['budget_ms']:.1f} ms / json.loads {costs['loads_ms']:.1f} ms "
                f"= {costs['ratio']:.2f} <= 2"
            ),
            costs["ratio"] <= 2,
        )
    )
    checks.append((f"tools/list: {listed} o200k tokens <= 800", listed <= 800))
    return checks


def print_tables(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    print(
        f"{'view':<13}{'budget':>7} | {'coverage: server':>16} {'head':>6} {'tail':>6} {'digest':>7} |"
        f" {'retention: server':>18} {'head':>6} {'tail':>6} {'digest':>7}"
    )
    for view in VIEWS:
        for budget in BUDGETS:
            r = rows[f"{view}/{budget}"]
            print(
                f"{view:<13}{budget:>7} | {r['server_cov']:>16.3f} {r['head_cov']:>6.3f} {r['tail_cov']:>6.3f} "
                f"{r['digest_cov']:>7.3f} | {r['server_ret']:>18.3f} {r['head_ret']:>6.3f} {r['tail_ret']:>6.3f} "
                f"{r['digest_ret']:>7.3f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    parser.add_argument("--users", type=int, default=len(REGULAR_IDS), help="how many regulars (default: all)")
    parser.add_argument("--no-others", action="store_true", help="skip the existing small and large users")
    args = parser.parse_args()
    started = time.perf_counter()
    user_ids = list(REGULAR_IDS[: args.users])
    result = asyncio.run(measure(user_ids, () if args.no_others else OTHERS))
    costs = cost()
    seconds = time.perf_counter() - started
    rows, calls = result["rows"], result["calls"]
    checks = checks_for(rows["regulars"], calls, result["tools_list"], costs)
    truths: dict[str, Truth] = result["truths"]

    if args.json:
        print(
            json.dumps(
                {
                    "regulars": {
                        uid: {
                            "messages": len(truths[uid].messages),
                            "visits": len(truths[uid].visits),
                            "visits_with_distinctive": truths[uid].visits_with_distinctive,
                            "user_messages": len(truths[uid].typed),
                        }
                        for uid in user_ids
                    },
                    "rows": rows,
                    "tools_list_tokens": result["tools_list"],
                    "tools_per_tool": result["tools_per_tool"],
                    "cost": costs,
                    "over_budget": [dataclasses.asdict(c) | {"text": None} for c in calls if c.over],
                    "calls": len(calls),
                    "seconds": seconds,
                    "checks": [{"check": text, "pass": ok} for text, ok in checks],
                },
                indent=2,
            )
        )
        return 0 if all(ok for _, ok in checks) else 1

    print(
        f"Regulars: {len(user_ids)} users, {sum(len(truths[u].visits) for u in user_ids)} visits "
        f"({sum(truths[u].visits_with_distinctive for u in user_ids)} with a distinctive message), "
        f"{sum(len(truths[u].messages) for u in user_ids)} messages; whole history, no dates; "
        "means over users"
    )
    print(f"{'user':<18} {'messages':>8} {'visits':>7} {'w/ distinct':>11} {'user msgs':>9}")
    for uid in user_ids:
        t = truths[uid]
        print(f"{uid:<18} {len(t.messages):>8} {len(t.visits):>7} {t.visits_with_distinctive:>11} {len(t.typed):>9}")
    print_tables("Regulars (targets apply here)", rows["regulars"])
    if rows.get("others"):
        print_tables(f"Existing users for comparison ({', '.join(OTHERS)}; no targets)", rows["others"])
    slowest = max(calls, key=lambda c: c.seconds)
    print(
        f"\n{len(calls)} calls, mean {mean([c.seconds for c in calls]) * 1000:.0f} ms, slowest "
        f"{slowest.seconds * 1000:.0f} ms ({slowest.user_id}, {slowest.view}, {slowest.budget})"
    )
    over = [c for c in calls if c.over]
    for c in over[:10]:
        print(f"  over budget: {c.user_id} {c.view} {c.budget}: {c.used} tokens")
    per_tool = ", ".join(f"{k} {v}" for k, v in result["tools_per_tool"].items())
    print(f"tools/list: {result['tools_list']} tokens ({per_tool})")
    print(
        f"cost: {costs['messages']} messages, {costs['json_mb']:.1f} MB JSON: json.loads {costs['loads_ms']:.1f} ms, "
        f"budget_transcript {costs['budget_ms']:.1f} ms"
    )
    print("\nTargets")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    print(f"\n{seconds:.0f} s")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
