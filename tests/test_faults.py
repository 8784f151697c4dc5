"""A flaky Engati: every fault ends as a correct answer after retry or as a clear error result
within the call's deadline, and the server answers the next call."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from engati_mcp.server import create_server
from tests.conftest import FAST_RETRY, USERS_URL, connect, text_of

DEADLINE = 1.0  # seconds per tool call: short, so a hung Engati fails the call quickly
ARGS = {"attribute_name": "email", "attribute_value": "asha.rao@example.com"}


async def slow(_: httpx.Request) -> httpx.Response:
    await asyncio.sleep(30)
    return httpx.Response(200, json={"users": []})


def ok() -> httpx.Response:
    return httpx.Response(200, json={"users": [{"channel_user_id": "919876543210"}]})


FAULTS = {
    "500": (lambda: httpx.Response(500, json={}), "HTTP 500"),
    "503": (lambda: httpx.Response(503), "HTTP 503"),
    "429-retry-after": (lambda: httpx.Response(429, headers={"Retry-After": "1"}), "HTTP 429"),
    "truncated-json": (
        lambda: httpx.Response(200, content=b'{"users": [{"channel_user_id": "9198'),
        "not readable JSON",
    ),
    "html-200": (
        lambda: httpx.Response(
            200, content=b"<html><body>502 Bad Gateway</body></html>", headers={"content-type": "text/html"}
        ),
        "text/html",
    ),
    "dropped-connection": (
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        "RemoteProtocolError",
    ),
    "connect-refused": (httpx.ConnectError("[Errno 111] Connection refused"), "Could not connect"),
}
RETRIED = {"503", "429-retry-after", "truncated-json", "html-200", "dropped-connection", "connect-refused"}


def fault(name: str) -> Any:
    made, _ = FAULTS[name]
    return made() if callable(made) else made


def always(name: str) -> Any:
    """A respx side effect that answers every request with the fault (raising it if it is an error)."""

    def respond(_: httpx.Request) -> httpx.Response:
        answer = fault(name)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return respond


@pytest.mark.parametrize("name", sorted(RETRIED))
async def test_transient_faults_end_in_success_after_retry(name: str) -> None:
    async with connect(call_deadline=DEADLINE) as client:
        with respx.mock:
            route = respx.get(USERS_URL).mock(side_effect=[fault(name), ok()])
            result = await client.call_tool("find_users", ARGS)
        assert not result.is_error, text_of(result)
        assert result.structured_content["count"] == 1 and route.call_count == 2


@pytest.mark.parametrize("name", sorted(FAULTS))
async def test_persistent_faults_end_in_a_clear_error_and_the_server_answers_next(name: str) -> None:
    async with connect(call_deadline=DEADLINE) as client:
        with respx.mock:
            respx.get(USERS_URL).mock(side_effect=always(name))
            started = time.monotonic()
            failed = await client.call_tool("find_users", ARGS)
            elapsed = time.monotonic() - started
        assert failed.is_error and FAULTS[name][1] in text_of(failed)
        assert elapsed < DEADLINE + 1  # bounded: attempts are few and the deadline holds
        with respx.mock:
            respx.get(USERS_URL).mock(return_value=ok())
            assert not (await client.call_tool("find_users", ARGS)).is_error


async def test_a_slow_engati_hits_the_call_deadline_with_a_clear_error() -> None:
    async with connect(call_deadline=DEADLINE) as client:
        with respx.mock:
            respx.get(USERS_URL).mock(side_effect=slow)
            started = time.monotonic()
            result = await client.call_tool("find_users", ARGS)
            elapsed = time.monotonic() - started
        assert result.is_error and "deadline" in text_of(result) and "ENGATI_CALL_DEADLINE" in text_of(result)
        assert elapsed < DEADLINE + 1
        with respx.mock:
            respx.get(USERS_URL).mock(return_value=ok())
            assert not (await client.call_tool("find_users", ARGS)).is_error


async def test_concurrent_requests_to_engati_are_capped() -> None:
    in_flight = peak = 0

    async def counting(_: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return ok()

    async with connect(call_deadline=DEADLINE, max_concurrency=3) as c:
        with respx.mock:
            respx.get(USERS_URL).mock(side_effect=counting)
            results = await asyncio.gather(*(c.call_tool("find_users", ARGS) for _ in range(12)))
    assert not any(r.is_error for r in results)
    assert peak == 3


async def test_a_cancelled_call_cancels_its_http_request() -> None:
    async with connect(call_deadline=DEADLINE) as client:
        started, cancelled = asyncio.Event(), asyncio.Event()

        async def hang(_: httpx.Request) -> httpx.Response:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return ok()

        with respx.mock:
            respx.get(USERS_URL).mock(side_effect=hang)
            call = asyncio.create_task(client.call_tool("find_users", ARGS))
            await asyncio.wait_for(started.wait(), 5)
            call.cancel()
            await asyncio.wait_for(cancelled.wait(), 5)
        assert cancelled.is_set()


# ---------------------------------------------------------------------------------------------
# The same faults from the project's own fake Engati (the sandbox's fault plan), end to end


def sandbox_server(plan: Any) -> Any:
    from engati_mcp.sandbox import SANDBOX_SETTINGS, create_sandbox_app

    transport = httpx.ASGITransport(app=create_sandbox_app(faults=plan))
    return create_server(SANDBOX_SETTINGS | {"call_deadline": DEADLINE}, transport=transport, retry=FAST_RETRY)


@pytest.mark.parametrize("faults", [["503", "502"], ["429"], ["truncated", "html"], ["drop"], ["504", "503"]])
async def test_sandbox_faults_within_the_retry_budget_end_in_the_right_answer(faults: list[str]) -> None:
    from engati_mcp.sandbox import FaultPlan

    plan = FaultPlan(faults, retry_after=0)
    async with Client(sandbox_server(plan)) as client:
        result = await client.call_tool(
            "get_chat_history", {"channel_user_id": "919876543210", "detail": "questions", "max_tokens": 1000}
        )
    assert not result.is_error, text_of(result)
    assert result.structured_content["messages"] == 240 and plan.served == len(faults) + 1


@pytest.mark.parametrize(("faults", "says"), [(["500"], "HTTP 500"), (["503"] * 3, "HTTP 503"), (["slow"], "deadline")])
async def test_sandbox_faults_past_the_retry_budget_end_in_a_clear_error_and_the_next_call_works(
    faults: list[str], says: str
) -> None:
    from engati_mcp.sandbox import FaultPlan

    async with Client(sandbox_server(FaultPlan(faults, slow_seconds=5))) as client:
        failed = await client.call_tool("find_users", ARGS)
        after = await client.call_tool("find_users", ARGS)
    assert failed.is_error and says.lower() in text_of(failed).lower()
    assert not after.is_error and after.structured_content["count"] == 1
