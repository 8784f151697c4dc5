"""A hostile or broken Engati: bodies too large, endless, or gzip bombs; bodies that are not what
they claim or nested 200,000 deep; numbers too large for a float; redirects; and a shutdown with
calls in flight. Each ends in a clear error (or a readable answer), never an internal error, a
retry of what would fail again, or the API key in the text."""

from __future__ import annotations

import asyncio
import logging
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from engati_mcp.client import EngatiClient
from engati_mcp.errors import (
    EngatiAPIError,
    EngatiResponseError,
    EngatiUnavailableError,
)
from engati_mcp.parsing import parse_chat_page, parse_timestamp
from engati_mcp.server import create_server
from engati_mcp.state import ServerState
from tests.conftest import (
    BASE,
    BOT,
    CUSTOMER,
    FAKE_KEY,
    FAST_RETRY,
    USERS_URL,
    conversations_url,
    make_settings,
)

USER = "919876543210"
URL = conversations_url(USER)
CAP = 256 * 1024  # a small ENGATI_MAX_RESPONSE_BYTES keeps the tests fast; the benchmark uses the default
CONFIG = {
    "api_key": FAKE_KEY,
    "customer_id": CUSTOMER,
    "bot_key": BOT,
    "base_url": BASE,
    "max_response_bytes": CAP,
    "call_deadline": 10.0,
}
MESSAGE = b'{"sender": "user", "response": "hello there", "timestamp": 1740787200000}'


def json_body(messages: int) -> bytes:
    """A valid history body of `messages` messages (about 75 bytes each)."""
    return b'{"conversations": [' + b", ".join([MESSAGE] * messages) + b"]}"


def raw(status: int, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    """A response whose body arrives as is, 64 KB at a time, as from a network. (With `content=`
    bytes, httpx and respx would read and decode it up front, in the test, not in the client.)"""

    async def chunks() -> AsyncIterator[bytes]:
        for at in range(0, len(content), 65536):
            yield content[at : at + 65536]

    return httpx.Response(status, headers=headers, content=chunks())


def gzip_bomb(decoded_bytes: int) -> bytes:
    """gzip of `decoded_bytes` zeros, made a megabyte at a time (the test itself stays small)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    megabyte = b"\0" * 2**20
    parts = [packer.compress(megabyte) for _ in range(decoded_bytes // 2**20)]
    return b"".join([*parts, packer.flush()])


async def get_page(settings_overrides: dict[str, Any] | None = None) -> Any:
    settings = make_settings(max_response_bytes=CAP, **(settings_overrides or {}))
    async with EngatiClient(settings, retry=FAST_RETRY) as client:
        return await client.get_chat_page(USER, start_ms=None, end_ms=None, page_number=1, page_size=500)


def assert_clear(error: BaseException, *words: str) -> None:
    text = str(error)
    assert all(word in text for word in words), text
    assert FAKE_KEY not in text and FAKE_KEY not in repr(error)


# ---------------------------------------------------------------------------------------------
# Size: streamed, capped after decoding, never retried


async def test_a_body_larger_than_the_cap_is_refused_once_and_names_the_setting() -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=lambda _: raw(200, json_body(10_000)))  # ~750 KB, valid JSON
        with pytest.raises(EngatiResponseError) as caught:
            await get_page()
    assert_clear(caught.value, "ENGATI_MAX_RESPONSE_BYTES", "262,144 bytes", "page_size")
    assert route.call_count == 1  # the same body would be too large again


async def test_an_endless_stream_is_cut_at_the_cap() -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"conversations": ['
        for _ in range(4096):  # "endless": 256 MB if read to the end
            sent += 1
            yield b" " * 65536

    with respx.mock:
        route = respx.get(URL).mock(side_effect=lambda _: httpx.Response(200, content=endless()))
        with pytest.raises(EngatiResponseError) as caught:
            await get_page()
    assert_clear(caught.value, "ENGATI_MAX_RESPONSE_BYTES")
    assert sent <= CAP // 65536 + 2 and route.call_count == 1


async def test_a_gzip_bomb_is_stopped_within_a_step_of_the_cap_in_memory_and_not_fetched_twice() -> None:
    bomb = gzip_bomb(64 * 2**20)  # ~64 KB that inflates to 64 MB
    with respx.mock:
        route = respx.get(URL).mock(side_effect=lambda _: raw(200, bomb, {"content-encoding": "gzip"}))
        tracemalloc.start()
        try:
            with pytest.raises(EngatiResponseError) as caught:
                await get_page()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert_clear(caught.value, "ENGATI_MAX_RESPONSE_BYTES")
    assert peak < CAP + 6 * 2**20, f"peak {peak / 2**20:.1f} MB"  # the cap plus about one inflate step
    assert route.call_count == 1


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(8):
            read += 1
            yield b" " * 65536

    response = httpx.Response(200, content=body(), headers={"content-length": str(8 * 65536)})
    with respx.mock:
        respx.get(URL).mock(return_value=response)
        with pytest.raises(EngatiResponseError, match="ENGATI_MAX_RESPONSE_BYTES"):
            await get_page()
    assert read == 0


async def test_a_compressed_body_under_the_cap_is_read() -> None:
    packed = zlib.compress(json_body(100))
    for encoding, content in (("gzip", gzip_like(json_body(100))), ("deflate", packed), ("deflate", packed[2:-4])):
        with respx.mock:
            respx.get(URL).mock(return_value=raw(200, content, {"content-encoding": encoding}))
            page = await get_page()
        assert len(page.messages) == 100, encoding


def gzip_like(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# ---------------------------------------------------------------------------------------------
# Bodies that are not what they claim: a clear EngatiResponseError, not retried


@pytest.mark.parametrize(
    ("content", "headers", "says"),
    [
        (b'{"conversations": []}', {"content-encoding": "gzip"}, "gzip-compressed but could not be decompressed"),
        (b"\x1f\x8b\x08\x00garbage", {"content-encoding": "gzip"}, "gzip-compressed but could not be decompressed"),
        (b"not deflate at all", {"content-encoding": "deflate"}, "deflate-compressed but could not be decompressed"),
        (b"{}", {"content-encoding": "br"}, "encoded as 'br'"),
        (b"[" * 200_000, {"content-type": "application/json"}, "nested too deeply"),
    ],
    ids=["json-declared-gzip", "broken-gzip", "broken-deflate", "unrequested-brotli", "200000-brackets"],
)
async def test_an_unreadable_body_is_a_clear_error_and_not_retried(
    content: bytes, headers: dict[str, str], says: str
) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=lambda _: raw(200, content, headers))
        with pytest.raises(EngatiResponseError) as caught:
            await get_page()
    assert_clear(caught.value, says)
    assert route.call_count == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_and_its_body_is_never_read_as_data(status: int) -> None:
    body = json_body(3)  # a perfectly readable history: it must not be shown
    headers = {"location": f"https://elsewhere.example/steal?key={FAKE_KEY}"}
    with respx.mock:
        route = respx.get(URL).mock(side_effect=lambda _: raw(status, body, headers))
        with pytest.raises(EngatiAPIError) as caught:
            await get_page()
    assert_clear(
        caught.value, f"redirected the request (HTTP {status} to https://elsewhere.example)", "ENGATI_BASE_URL"
    )
    assert route.call_count == 1


# ---------------------------------------------------------------------------------------------
# Numbers and times: out of range is unreadable (None), never an exception


BIG = "1" + "0" * 400  # a JSON number that overflows float


@pytest.mark.parametrize(
    "value",
    [
        10**400,
        -(10**400),
        1e300,
        float("nan"),
        float("inf"),
        -1,
        0,
        631_151_999_999,
        7_258_118_400_000,
        "9999-12-31T23:00:00-05:00",
        "0001-01-01T00:00:00+01:00",
        "1989-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "99999999999999999999",
        "2025/02/30 10:00:00+0530",
    ],
)
def test_implausible_or_overflowing_times_are_unreadable(value: object) -> None:
    assert parse_timestamp(value) is None


def test_times_inside_the_range_are_kept() -> None:
    assert parse_timestamp(631_152_000_000) == datetime(1990, 1, 1, tzinfo=UTC)
    assert parse_timestamp("2199-12-31 23:59:59+0000") == datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)


async def test_a_message_time_of_10_to_the_400_is_read_as_no_time() -> None:
    content = (
        '{"conversations": [{"sender": "user", "response": "hi", "timestamp": ' + BIG + "},"
        '{"sender": "bot", "response": "hello", "timestamp": 1740787200000}], "total_records": ' + BIG + "}"
    )
    with respx.mock:
        respx.get(URL).mock(return_value=httpx.Response(200, content=content.encode()))
        page = await get_page()
    assert [m.text for m in page.messages] == ["hi", "hello"] and page.messages[0].timestamp is None
    assert page.total_records is None  # a total of 10**400 is not believed


@pytest.mark.parametrize("total", ["²", "9" * 5000, 10**400, -5, 1e30, "12abc"])
def test_unreadable_totals_are_none(total: object) -> None:
    assert (
        parse_chat_page({"conversations": [], "total_records": total}, page_number=1, page_size=10).total_records
        is None
    )


# ---------------------------------------------------------------------------------------------
# Through the MCP server: the same attacks end as clear tool errors, not internal errors


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


ATTACKS = {
    "oversized": ((200, json_body(10_000), {}), "ENGATI_MAX_RESPONSE_BYTES"),
    "json-declared-gzip": ((200, b'{"conversations": []}', {"content-encoding": "gzip"}), "could not be decompressed"),
    "200000-brackets": ((200, b"[" * 200_000, {}), "nested too deeply"),
    "redirect": ((302, json_body(3), {"location": "http://api.engati.com/x"}), "Check ENGATI_BASE_URL"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
async def test_each_attack_is_a_clear_tool_error(name: str) -> None:
    (status, content, headers), says = ATTACKS[name]
    async with Client(create_server(CONFIG, retry=FAST_RETRY)) as client:
        with respx.mock:
            route = respx.get(URL).mock(side_effect=lambda _: raw(status, content, headers))
            result = await client.call_tool("get_chat_history", {"channel_user_id": USER})
    text = text_of(result)
    assert result.is_error and says in text and FAKE_KEY not in text
    assert text != "Error executing tool get_chat_history"  # what an internal error looks like
    assert route.call_count == 1


async def test_a_time_of_10_to_the_400_is_an_answer_not_an_internal_error() -> None:
    content = '{"conversations": [{"sender": "user", "response": "where is my order?", "timestamp": ' + BIG + "}]}"
    async with Client(create_server(CONFIG, retry=FAST_RETRY)) as client:
        with respx.mock:
            respx.get(URL).mock(return_value=httpx.Response(200, content=content.encode()))
            result = await client.call_tool("get_chat_history", {"channel_user_id": USER})
    assert not result.is_error, text_of(result)
    assert "where is my order?" in text_of(result)


# ---------------------------------------------------------------------------------------------
# Shutdown with calls in flight: cancelled at once, no retry, no traceback


def slow_engati() -> tuple[Any, dict[str, int]]:
    counts = {"started": 0, "cancelled": 0}

    async def respond(_: httpx.Request) -> httpx.Response:
        counts["started"] += 1
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            counts["cancelled"] += 1
            raise
        return httpx.Response(200, json={"users": []})

    return respond, counts


async def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_closing_with_20_calls_in_flight_cancels_them_at_once_without_retrying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    respond, counts = slow_engati()
    state = ServerState(CONFIG | {"max_concurrency": 32}, retry=FAST_RETRY)
    _, client, _ = state.ready()
    with respx.mock, caplog.at_level(logging.DEBUG):
        respx.get(USERS_URL).mock(side_effect=respond)
        calls = [asyncio.create_task(client.find_users("email", f"user{i}@example.com")) for i in range(20)]
        await wait_for(lambda: counts["started"] == 20)
        started = time.monotonic()
        await state.aclose()
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 2)
        elapsed = time.monotonic() - started
    assert elapsed < 1.5 and counts["cancelled"] == 20 and counts["started"] == 20  # nothing retried
    assert all(isinstance(r, EngatiUnavailableError) and "shutting down" in str(r) for r in results), results
    assert "client has been closed" not in caplog.text and "retrying" not in caplog.text
    with pytest.raises(EngatiUnavailableError, match="shutting down"):
        state.ready()  # no new client after close: nobody would close it


async def test_a_server_shut_down_with_20_calls_in_flight_logs_no_traceback(
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    respond, counts = slow_engati()
    arguments = {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}
    with respx.mock, caplog.at_level(logging.DEBUG):
        respx.get(USERS_URL).mock(side_effect=respond)
        async with Client(create_server(CONFIG | {"max_concurrency": 32, "call_deadline": 60}, retry=FAST_RETRY)) as c:
            calls = [asyncio.create_task(c.call_tool("find_users", arguments)) for _ in range(20)]
            await wait_for(lambda: counts["started"] == 20)
            started = time.monotonic()
        await wait_for(lambda: counts["cancelled"] == 20, 2)  # the server's calls end promptly, not after 30 s
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.2)  # room for any late retry or traceback to show up
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)
    assert elapsed < 2 and counts["started"] == 20  # nothing retried
    logged = caplog.text + capsys.readouterr().err
    assert "client has been closed" not in logged and "Traceback" not in logged and "retrying" not in logged
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]
