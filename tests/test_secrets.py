"""The API key never appears anywhere: stderr, log records, tool results, error texts, even when
Engati's own error body echoes it back and HTTP debug logging is on."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from engati_mcp.logs import configure_logging
from engati_mcp.server import create_server
from tests.conftest import BASE, BOT, CUSTOMER, FAKE_KEY, FAST_RETRY

CONFIG = {"api_key": FAKE_KEY, "customer_id": CUSTOMER, "bot_key": BOT, "base_url": BASE, "call_deadline": 2}

FAILURES = [
    httpx.Response(401, json={"status": {"code": 401, "desc": f"key {FAKE_KEY} revoked"}}),
    httpx.Response(400, json={"status": {"code": 1002, "desc": f"Authorization: Basic {FAKE_KEY}"}}),
    httpx.Response(500, text=f"Internal error for Basic {FAKE_KEY}"),
    httpx.Response(200, json={"status": {"code": 1099, "desc": FAKE_KEY}}),
    httpx.Response(200, content=f"<html>{FAKE_KEY}</html>".encode(), headers={"content-type": "text/html"}),
    httpx.ConnectError(f"cannot connect with {FAKE_KEY}"),
    httpx.ReadTimeout("timed out"),
    httpx.Response(200, json={"users": [{"channel_user_id": "1", "attributes": {"note": "x"}}], "odd": FAKE_KEY}),
]


def answer_with(failure: Any) -> Any:
    def respond(_: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        return failure

    return respond


def result_text(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content) + str(result.structured_content)


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: type(f).__name__ + str(getattr(f, "status_code", "")))
async def test_the_key_appears_in_no_output_of_a_failure(
    failure: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG", secrets=[FAKE_KEY])
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        async with Client(create_server(CONFIG, retry=FAST_RETRY)) as client:
            with respx.mock:
                respx.get(url__regex=r".*").mock(side_effect=answer_with(failure))
                results = [
                    await client.call_tool("find_users", {"attribute_name": "email", "attribute_value": "x"}),
                    await client.call_tool("get_chat_history", {"channel_user_id": "919876543210"}),
                ]
            results.append(await client.call_tool("get_chat_history", {"channel_user_id": "a/b"}))
        captured = capfd.readouterr()
        everything = captured.out + captured.err + caplog.text + "".join(map(result_text, results))
        everything += "".join(str(r.msg) + str(r.args) for r in caplog.records)
        assert FAKE_KEY not in everything
        assert "GET /bot-api" in captured.err  # the logs really were written, to stderr
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if h.get_name() == "engati-mcp-stderr"]:
            root.removeHandler(handler)


async def test_missing_configuration_errors_do_not_echo_a_malformed_key() -> None:
    async with Client(create_server(CONFIG | {"api_key": f"{FAKE_KEY} trailing-part"})) as client:
        result = await client.call_tool("find_users", {"attribute_name": "email", "attribute_value": "x"})
    assert result.is_error and FAKE_KEY not in result_text(result) and "trailing-part" not in result_text(result)
