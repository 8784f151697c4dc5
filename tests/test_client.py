"""The Engati HTTP client against respx: URLs, headers, parsing, retries and error mapping."""

from __future__ import annotations

import httpx
import pytest
import respx

from engati_mcp.client import EngatiClient, RetryPolicy, encode_segment
from engati_mcp.config import Settings
from engati_mcp.errors import EngatiAPIError, EngatiResponseError, EngatiUnavailableError
from engati_mcp.models import Role
from tests.conftest import BASE, FAKE_KEY, FAST_RETRY, USERS_URL, conversations_url, make_settings

OK = {"status": {"code": 1000, "desc": "Success"}}


def client_for(settings: Settings, retry: RetryPolicy = FAST_RETRY) -> EngatiClient:
    return EngatiClient(settings, retry=retry)


async def test_find_users_sends_key_verbatim_and_user_agent(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(USERS_URL).mock(
            return_value=httpx.Response(
                200,
                json=OK
                | {
                    "responseObject": {
                        "users": [
                            {
                                "channel_user_id": "919876543210",
                                "name": "Asha",
                                "channel": "whatsapp",
                                "attributes": {"email": "asha@example.com"},
                            }
                        ]
                    }
                },
            )
        )
        async with client_for(settings) as client:
            users = await client.find_users("email", "asha@example.com")
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Basic {FAKE_KEY}"
    assert request.headers["user-agent"].startswith("engati-mcp/")
    assert request.url.params["attribute_name"] == "email"
    assert request.url.params["attribute_value"] == "asha@example.com"
    assert [u.channel_user_id for u in users] == ["919876543210"]
    assert users[0].attributes == {"email": "asha@example.com"}


async def test_chat_page_sends_dates_and_paging_as_query_parameters(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(conversations_url("919876543210")).mock(
            return_value=httpx.Response(200, json=OK | {"responseObject": {"conversations": [], "total_records": 0}})
        )
        async with client_for(settings) as client:
            page = await client.get_chat_page(
                "919876543210", start_ms=1740787200000, end_ms=1741392000000, page_number=2, page_size=50
            )
    params = route.calls.last.request.url.params
    assert dict(params) == {
        "start_date": "1740787200000",
        "end_date": "1741392000000",
        "page_number": "2",
        "page_size": "50",
    }
    assert page.messages == [] and page.total_records == 0 and page.has_more is False


@pytest.mark.parametrize(
    ("user_id", "encoded"),
    [
        ("../../users", "..%2F..%2Fusers"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("a?attribute_name=x&b=1", "a%3Fattribute_name%3Dx%26b%3D1"),
        ("id#frag", "id%23frag"),
        ("50%", "50%25"),
        ("name with space", "name%20with%20space"),
        ("ユーザー", "%E3%83%A6%E3%83%BC%E3%82%B6%E3%83%BC"),
    ],
)
async def test_hostile_ids_are_percent_encoded_into_one_path_segment(
    settings: Settings, user_id: str, encoded: str
) -> None:
    assert encode_segment(user_id) == encoded
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"conversations": []}))
        async with client_for(settings) as client:
            await client.get_chat_page(user_id, start_ms=None, end_ms=None, page_number=1, page_size=10)
    url = route.calls.last.request.url
    assert url.raw_path.decode().split("?")[0] == (
        f"/bot-api/v1.0/customer/10294/bot/1a1c9bfa5e0f41ed/channel-user/{encoded}/conversations"
    )
    assert set(url.params.keys()) == {"page_number", "page_size"}


async def test_base_url_path_prefix_is_kept() -> None:
    settings = make_settings(base_url="https://proxy.example.test/engati/")
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"users": []}))
        async with client_for(settings) as client:
            await client.find_users("email", "x")
    assert route.calls.last.request.url.path == "/engati/bot-api/v1.0/customer/10294/bot/1a1c9bfa5e0f41ed/users"


# ---------------------------------------------------------------------------------------------
# Error mapping: one distinct, actionable message per case, never the key


def _error(
    status: int, code: int | None = None, desc: str = "", headers: dict[str, str] | None = None
) -> httpx.Response:
    body = {"status": {"code": code, "desc": desc}} if code is not None else {"error": "x"}
    return httpx.Response(status, json=body, headers=headers)


ERROR_CASES = [
    (_error(400, 1002, "INVALID_BOT_OR_CUSTOMER_ID"), EngatiAPIError, "find_users"),
    (_error(400, 1003, "INVALID_INPUT_DATE_VALUE"), EngatiAPIError, "milliseconds"),
    (_error(400, 1004, "INVALID_PAGE_NUMBER"), EngatiAPIError, "positive integer"),
    (_error(400), EngatiAPIError, "HTTP 400"),
    (_error(401), EngatiAPIError, "Create a new key"),
    (_error(403), EngatiAPIError, "HTTP 403"),
    (_error(404), EngatiAPIError, "ENGATI_BASE_URL"),
    (_error(429, headers={"Retry-After": "7"}), EngatiAPIError, "about 7 s"),
    (_error(500), EngatiAPIError, "HTTP 500"),
    (_error(503), EngatiAPIError, "HTTP 503"),
]


@pytest.mark.parametrize(("response", "error_type", "says"), ERROR_CASES)
async def test_error_responses_map_to_actionable_messages_without_the_key(
    settings: Settings, response: httpx.Response, error_type: type[Exception], says: str
) -> None:
    with respx.mock:
        respx.get(url__regex=r".*").mock(return_value=response)
        async with client_for(settings) as client:
            with pytest.raises(error_type) as caught:
                await client.get_chat_page("919876543210", start_ms=None, end_ms=None, page_number=1, page_size=10)
    message = str(caught.value)
    assert says in message
    assert FAKE_KEY not in message and FAKE_KEY not in repr(caught.value)


def test_every_error_case_has_its_own_message() -> None:
    from engati_mcp.errors import api_error

    messages = {
        str(api_error(r.status_code, (r.json().get("status") or {}).get("code"), None)) for r, _, _ in ERROR_CASES
    }
    assert len(messages) == len(ERROR_CASES)
    assert all(m for m in messages)


async def test_timeout_maps_to_unavailable_with_advice(settings: Settings) -> None:
    with respx.mock:
        respx.get(url__regex=r".*").mock(side_effect=httpx.ReadTimeout("timed out"))
        async with client_for(settings) as client:
            with pytest.raises(EngatiUnavailableError, match="did not answer within 30 s"):
                await client.find_users("email", "x")


async def test_connection_failure_names_the_host(settings: Settings) -> None:
    with respx.mock:
        respx.get(url__regex=r".*").mock(side_effect=httpx.ConnectError("connection refused"))
        async with client_for(settings) as client:
            with pytest.raises(EngatiUnavailableError, match=r"api\.engati\.test") as caught:
                await client.find_users("email", "x")
    assert FAKE_KEY not in str(caught.value)


async def test_success_status_with_engati_error_code_in_body_is_an_error(settings: Settings) -> None:
    with respx.mock:
        respx.get(url__regex=r".*").mock(
            return_value=httpx.Response(200, json={"status": {"code": 1002, "desc": "INVALID_BOT_OR_CUSTOMER_ID"}})
        )
        async with client_for(settings) as client:
            with pytest.raises(EngatiAPIError, match="find_users"):
                await client.get_chat_page("1", start_ms=None, end_ms=None, page_number=1, page_size=1)


async def test_unreadable_success_body_names_the_keys_seen(settings: Settings) -> None:
    with respx.mock:
        respx.get(url__regex=r".*").mock(
            return_value=httpx.Response(200, json={"weird": [], "responseObject": {"x": 1}})
        )
        async with client_for(settings) as client:
            with pytest.raises(EngatiResponseError, match=r"keys seen: weird, responseObject, responseObject\.x"):
                await client.get_chat_page("1", start_ms=None, end_ms=None, page_number=1, page_size=1)


# ---------------------------------------------------------------------------------------------
# Retries


async def test_transient_503_is_retried_then_succeeds(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(
            side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"users": []})]
        )
        async with client_for(settings) as client:
            assert await client.find_users("email", "x") == []
    assert route.call_count == 3


async def test_retries_stop_after_the_attempt_limit(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(return_value=httpx.Response(503))
        async with client_for(settings) as client:
            with pytest.raises(EngatiAPIError, match="HTTP 503"):
                await client.find_users("email", "x")
    assert route.call_count == FAST_RETRY.attempts


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
async def test_non_transient_errors_are_not_retried(settings: Settings, status: int) -> None:
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(return_value=httpx.Response(status, json={}))
        async with client_for(settings) as client:
            with pytest.raises(EngatiAPIError):
                await client.find_users("email", "x")
    assert route.call_count == 1


async def test_truncated_json_is_retried_and_then_reported_clearly(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(
            return_value=httpx.Response(
                200, content=b'{"users": [{"channel_u', headers={"content-type": "application/json"}
            )
        )
        async with client_for(settings) as client:
            with pytest.raises(EngatiResponseError, match="not readable JSON"):
                await client.find_users("email", "x")
    assert route.call_count == FAST_RETRY.attempts


async def test_retry_after_is_honoured_but_capped(settings: Settings) -> None:
    waits: list[float] = []
    client = client_for(
        settings, RetryPolicy(attempts=2, wait_initial=0.001, wait_max=0.001, wait_jitter=0, retry_after_cap=0.05)
    )
    original = client._backoff_hook

    def spy(exc: Exception) -> bool | float:
        result = original(exc)
        waits.append(result)  # type: ignore[arg-type]
        return result

    client._backoff_hook = spy  # type: ignore[method-assign]
    with respx.mock:
        respx.get(url__regex=r".*").mock(
            side_effect=[httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={"users": []})]
        )
        async with client:
            await client.find_users("email", "x")
    assert waits == [0.05]


async def test_messages_are_parsed_with_roles_and_utc_times(settings: Settings) -> None:
    body = OK | {
        "responseObject": {
            "conversations": [
                {"sender": "bot", "response": "Hello!", "timestamp": "2025/03/01 13:45:10.123+0530"},
                {
                    "sender": "919876543210",
                    "response": "Where is my order?",
                    "timestamp": "2025/03/01 13:46:00.000+0530",
                },
            ],
            "total_records": 2,
        }
    }
    with respx.mock:
        respx.get(url__regex=r".*").mock(return_value=httpx.Response(200, json=body))
        async with client_for(settings) as client:
            page = await client.get_chat_page("919876543210", start_ms=None, end_ms=None, page_number=1, page_size=500)
    assert [m.role for m in page.messages] == [Role.BOT, Role.USER]
    assert (
        page.messages[0].timestamp is not None
        and page.messages[0].timestamp.isoformat() == "2025-03-01T08:15:10.123000+00:00"
    )


async def test_requests_go_to_the_configured_base_url_never_to_the_real_engati(settings: Settings) -> None:
    # What keeps these tests off the real Engati: the client uses the configured base URL (a host
    # under .test, reserved by RFC 2606, which never resolves), not its default api.engati.com.
    with respx.mock:
        route = respx.get(url__regex=r".*").mock(
            return_value=httpx.Response(200, json={"users": [], "conversations": []})
        )
        async with client_for(settings) as client:
            await client.find_users("email", "x")
            await client.get_chat_page("1", start_ms=None, end_ms=None, page_number=1, page_size=1)
    hosts = {call.request.url.host for call in route.calls}
    assert hosts == {httpx.URL(BASE).host} and httpx.URL(BASE).host.endswith(".test")


async def test_only_encodings_it_can_inflate_in_bounded_steps_are_offered(settings: Settings) -> None:
    with respx.mock:
        route = respx.get(USERS_URL).mock(return_value=httpx.Response(200, json={"users": []}))
        async with client_for(settings) as client:
            await client.find_users("email", "x")
    assert route.calls.last.request.headers["accept-encoding"] == "gzip, deflate"


async def test_a_call_after_close_is_a_clear_error_not_a_runtime_error(settings: Settings) -> None:
    client = client_for(settings)
    await client.aclose()
    with respx.mock:
        route = respx.get(USERS_URL).mock(return_value=httpx.Response(200, json={"users": []}))
        with pytest.raises(EngatiUnavailableError, match="shutting down"):
            await client.find_users("email", "x")
    assert route.call_count == 0
