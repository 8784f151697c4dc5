"""A committed snapshot of tools/list: any change to what clients see must be made on purpose.

To accept an intended change: `UPDATE_SNAPSHOTS=1 pytest tests/test_tools_snapshot.py`, then
review and commit the diff of tests/snapshots/tools_list.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mcp import Client

from engati_mcp.server import create_server

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools_list.json"


async def current_tools() -> list[dict]:
    async with Client(create_server({})) as client:
        tools = (await client.list_tools()).tools
    keep = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")  # as on the wire
    return [
        {key: tool.model_dump(mode="json", by_alias=True, exclude_none=True).get(key) for key in keep}
        for tool in sorted(tools, key=lambda t: t.name)
    ]


async def test_tools_list_matches_the_committed_snapshot() -> None:
    tools = await current_tools()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(tools, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert tools == expected, "tools/list changed: if intended, rerun with UPDATE_SNAPSHOTS=1 and commit the snapshot"
