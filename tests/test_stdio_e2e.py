"""End to end, the way Claude Desktop runs it: the installed `engati-mcp` script as a stdio
subprocess, driven by the SDK's client, talking HTTP to the sandbox served on loopback.

The server's stdout is also copied to a file (through `tee`) so the test can check that every
line the server wrote is a JSON-RPC message: one stray print breaks every stdio client.

Also what a client is told at the start: exactly the capabilities there is something behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError
from mcp.types import METHOD_NOT_FOUND

from engati_mcp.sandbox import SANDBOX_API_KEY, SANDBOX_BOT_KEY, SANDBOX_CUSTOMER_ID, running_sandbox
from engati_mcp.server import create_server

# Tools and prompts, whose lists never change; no resources, no logging, no completions. The SDK
# derives these from the handlers registered (resources: create_server unregisters them) and from
# serving subscriptions/listen (listChanged on 2026-07-28): an SDK change shows here.
CAPABILITIES = {"prompts": {"listChanged": False}, "tools": {"listChanged": False}}


def advertised(client: Client) -> dict[str, object]:
    return client.server_capabilities.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.parametrize(("mode", "version"), [("auto", "2026-07-28"), ("legacy", "2025-11-25")])
async def test_only_tools_and_prompts_are_advertised_in_either_protocol_era(mode: str, version: str) -> None:
    async with Client(create_server(), mode=mode) as client:
        assert client.protocol_version == version
        assert advertised(client) == CAPABILITIES
        with pytest.raises(MCPError) as no_resources:
            await client.list_resources()
    assert no_resources.value.code == METHOD_NOT_FOUND


def installed_script() -> str:
    script = Path(sys.executable).parent / "engati-mcp"
    found = str(script) if script.exists() else shutil.which("engati-mcp")
    if not found:
        pytest.fail("the engati-mcp console script is not installed; install the project first (see README)")
    return found


async def test_installed_server_over_stdio_answers_and_writes_only_json_rpc(tmp_path: Path) -> None:
    stdout_copy = tmp_path / "stdout.jsonl"
    stderr_log = tmp_path / "stderr.log"
    async with running_sandbox() as base_url:
        params = StdioServerParameters(
            command="sh",
            args=["-c", '"$0" 2>"$1" | tee "$2"', installed_script(), str(stderr_log), str(stdout_copy)],
            env={
                "PATH": os.environ.get("PATH", ""),
                "ENGATI_API_KEY": SANDBOX_API_KEY,
                "ENGATI_CUSTOMER_ID": SANDBOX_CUSTOMER_ID,
                "ENGATI_BOT_KEY": SANDBOX_BOT_KEY,
                "ENGATI_BASE_URL": base_url,
                "ENGATI_LOG_LEVEL": "INFO",
            },
        )
        async with Client(params) as client:
            capabilities = advertised(client)
            tools = (await client.list_tools()).tools
            found = await client.call_tool(
                "find_users", {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
            )
            user_id = found.structured_content["users"][0]["channel_user_id"]
            history = await client.call_tool(
                "get_chat_history", {"channel_user_id": user_id, "max_tokens": 1500, "detail": "questions"}
            )
            bad = await client.call_tool("get_chat_history", {"channel_user_id": user_id, "page_size": 9999})
            after_bad = await client.call_tool(
                "find_users", {"attribute_name": "email", "attribute_value": "nobody@x.y"}
            )

    assert capabilities == CAPABILITIES
    assert {t.name for t in tools} == {"find_users", "get_chat_history"}
    assert not found.is_error and not history.is_error
    text, facts = history.content[0].text, history.structured_content or {}
    assert "conversations" in text and facts["messages"] == 240
    assert ("\nNext: get_chat_history(" in text) == ("next_call" in facts)  # the text alone says what to call next
    assert bad.is_error and "page_size" in bad.content[0].text
    assert not after_bad.is_error and after_bad.structured_content["count"] == 0

    lines = stdout_copy.read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 6
    for line in lines:
        message = json.loads(line)  # fails on any stray output
        assert message.get("jsonrpc") == "2.0", line[:200]
    log = stderr_log.read_text(encoding="utf-8")
    assert "GET /bot-api/v1.0/customer/{customer}/bot/{bot}/users status=200" in log  # logs went to stderr
    assert SANDBOX_API_KEY not in log
