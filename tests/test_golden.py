"""Golden results: what a model actually reads for three sandbox histories, compared with committed files.

Any change to a result's text or structured content shows here as a readable diff. To accept an
intended change: `UPDATE_SNAPSHOTS=1 pytest tests/test_golden.py`, then review and commit the diff
of tests/snapshots/golden/ (the text is stored one line per list item, so the diff reads line by line).

"Now" is frozen (every `engati_mcp` module's `now_utc`), so the window, the server time and the
data's end never depend on the wall clock, and results do not depend on the string hash seed
(the last test checks it in two processes).
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.types import TextContent

from engati_mcp.sandbox.data import REGULAR_IDS

SNAPSHOTS = Path(__file__).parent / "snapshots" / "golden"
FROZEN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # a day after the sandbox's data ends
LONG_REGULAR = REGULAR_IDS[1]  # 300 visits over a year, ~2,900 messages
SHORT_USER = "tg-548955962"  # one of the original sandbox users, 23 messages
MID_REGULAR = "919909127654"  # 120 visits over seven months, ~840 messages

CASES: dict[str, dict[str, Any]] = {
    "regular_conversation_1000": {"channel_user_id": LONG_REGULAR, "max_tokens": 1000},
    "regular_questions_1000": {"channel_user_id": LONG_REGULAR, "max_tokens": 1000, "detail": "questions"},
    "short_user_conversation": {"channel_user_id": SHORT_USER},
    # Every conversation listed, but not every line with its time: compact and tight lines.
    "mid_regular_conversation_4000": {"channel_user_id": MID_REGULAR, "max_tokens": 4000},
}


def freeze_now(setattr_: Callable[[Any, str, Any], None]) -> None:
    """Make every loaded `engati_mcp` module's `now_utc` return FROZEN, however it was imported.

    `schemas.now_utc` is patched first, so a module imported later by name gets the frozen one too;
    modules already loaded that did `from engati_mcp.schemas import now_utc` are patched one by one.
    """
    import engati_mcp.schemas
    import engati_mcp.server

    def frozen() -> datetime:
        return FROZEN

    setattr_(engati_mcp.schemas, "now_utc", frozen)
    for name, module in list(sys.modules.items()):
        if (name == "engati_mcp" or name.startswith("engati_mcp.")) and callable(getattr(module, "now_utc", None)):
            setattr_(module, "now_utc", frozen)


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[datetime]:
    freeze_now(monkeypatch.setattr)
    yield FROZEN


async def golden_result(arguments: dict[str, Any]) -> dict[str, Any]:
    from engati_mcp.sandbox import SANDBOX_SETTINGS, create_sandbox_app
    from engati_mcp.server import create_server

    server = create_server(dict(SANDBOX_SETTINGS), transport=httpx.ASGITransport(app=create_sandbox_app()))
    async with Client(server) as client:
        result = await client.call_tool("get_chat_history", arguments)
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    return {
        "arguments": arguments,
        "is_error": bool(result.is_error),
        "text": text.split("\n"),
        "structured_content": result.structured_content,
    }


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
async def test_result_matches_the_committed_golden_file(case: str, frozen_now: datetime) -> None:
    actual = pretty(await golden_result(CASES[case]))
    path = SNAPSHOTS / f"{case}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no golden file {path.name}: run with UPDATE_SNAPSHOTS=1, review it and commit it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), f"committed {path.name}", "this run", lineterm="", n=2
            )
        )
        shown = "\n".join(diff[:200]) + (f"\n… {len(diff) - 200} more diff lines" if len(diff) > 200 else "")
        pytest.fail(
            f"{case} changed (if intended: UPDATE_SNAPSHOTS=1 pytest tests/test_golden.py, then commit):\n{shown}",
            pytrace=False,
        )


def test_the_frozen_clock_reaches_every_module_that_reads_it(frozen_now: datetime) -> None:
    loaded = [
        module
        for name, module in sys.modules.items()
        if (name == "engati_mcp" or name.startswith("engati_mcp.")) and hasattr(module, "now_utc")
    ]
    assert loaded and all(module.now_utc() == frozen_now for module in loaded)


_IN_A_FRESH_PROCESS = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from tests.test_golden import CASES, freeze_now, golden_result
freeze_now(setattr)
print(json.dumps(asyncio.run(golden_result(CASES["regular_questions_1000"])), ensure_ascii=False))
"""


def test_results_do_not_depend_on_the_string_hash_seed() -> None:
    """Golden files can only be golden if two processes give the same answer (Python salts str hashes)."""
    import os as os_

    root = str(Path(__file__).resolve().parents[1])
    runs = []
    for seed in ("1", "2"):
        env = os_.environ | {"PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _IN_A_FRESH_PROCESS.format(root=root)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=120,
        )
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
