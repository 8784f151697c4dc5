"""The sandbox against its own contract (shared/reference/engati-api.md), and its data."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from engati_mcp.models import MessageKind, Role
from engati_mcp.parsing import parse_chat_page, parse_messages, parse_users
from engati_mcp.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_BASE_URL,
    SANDBOX_BOT_KEY,
    SANDBOX_CUSTOMER_ID,
    FaultPlan,
    create_sandbox_app,
    running_sandbox,
)
from engati_mcp.sandbox.data import (
    BUSY_ID,
    EMPTY_ID,
    FEATURED_EMAIL,
    FEATURED_ID,
    HISTORY_END,
    build_dataset,
    generate_conversation,
)

PREFIX = f"/bot-api/v1.0/customer/{SANDBOX_CUSTOMER_ID}/bot/{SANDBOX_BOT_KEY}"
AUTH = {"Authorization": f"Basic {SANDBOX_API_KEY}"}


def client(app: object | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app or create_sandbox_app()),  # type: ignore[arg-type]
                             base_url=SANDBOX_BASE_URL, headers=AUTH)


@pytest.fixture
async def sandbox() -> AsyncIterator[httpx.AsyncClient]:
    async with client() as http:
        yield http


def history(user: str = FEATURED_ID) -> str:
    return f"{PREFIX}/channel-user/{user}/conversations"


def engati_code(response: httpx.Response) -> int:
    return response.json()["status"]["code"]


# ---------------------------------------------------------------------------------------------
# Authentication and ids


@pytest.mark.parametrize("header", [None, "Basic wrong-key", SANDBOX_API_KEY, f"Bearer {SANDBOX_API_KEY}"])
async def test_anything_but_the_key_verbatim_after_basic_is_401(sandbox: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    sandbox.headers.pop("Authorization")
    response = await sandbox.get(f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": "x"},
                                 headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("path", [
    f"/bot-api/v1.0/customer/99999/bot/{SANDBOX_BOT_KEY}/users?attribute_name=email&attribute_value=x",
    f"/bot-api/v1.0/customer/{SANDBOX_CUSTOMER_ID}/bot/ffffffffffffffff/users?attribute_name=email&attribute_value=x",
    f"{PREFIX}/channel-user/000000000000/conversations",
])
async def test_a_wrong_customer_bot_or_user_id_is_1002(sandbox: httpx.AsyncClient, path: str) -> None:
    response = await sandbox.get(path)
    assert response.status_code == 400 and engati_code(response) == 1002


# ---------------------------------------------------------------------------------------------
# Users


async def test_users_match_an_attribute_exactly(sandbox: httpx.AsyncClient) -> None:
    by_email = await sandbox.get(f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": FEATURED_EMAIL})
    by_phone = await sandbox.get(f"{PREFIX}/users",
                                 params={"attribute_name": "user.phone_no", "attribute_value": FEATURED_ID})
    other_case = await sandbox.get(f"{PREFIX}/users",
                                   params={"attribute_name": "Email", "attribute_value": FEATURED_EMAIL})
    [asha] = parse_users(by_email.json())
    assert (asha.channel_user_id, asha.name, asha.channel) == (FEATURED_ID, "Asha Rao", "whatsapp")
    assert [u.channel_user_id for u in parse_users(by_phone.json())] == [FEATURED_ID]
    assert parse_users(other_case.json()) == []  # attribute names are case-sensitive


async def test_users_without_both_query_parameters_is_400(sandbox: httpx.AsyncClient) -> None:
    response = await sandbox.get(f"{PREFIX}/users", params={"attribute_name": "email"})
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------
# Conversations


@pytest.mark.parametrize("params", [{"start_date": "yesterday"}, {"end_date": "2025-03-01"},
                                    {"start_date": "1740787200000", "end_date": "1740787200000"},
                                    {"start_date": "1741392000000", "end_date": "1740787200000"}])
async def test_bad_dates_are_1003(sandbox: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await sandbox.get(history(), params=params)
    assert response.status_code == 400 and engati_code(response) == 1003


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5"])
async def test_a_page_number_that_is_not_a_positive_integer_is_1004(sandbox: httpx.AsyncClient, page: str) -> None:
    response = await sandbox.get(history(), params={"page_number": page})
    assert response.status_code == 400 and engati_code(response) == 1004


async def test_pages_concatenate_to_the_whole_history_with_the_total_reported(sandbox: httpx.AsyncClient) -> None:
    whole = (await sandbox.get(history())).json()["responseObject"]
    pages = []
    for number in range(1, 6):
        body = (await sandbox.get(history(), params={"page_size": 50, "page_number": number})).json()
        pages.append(body["responseObject"]["conversations"])
        assert body["responseObject"]["total_records"] == whole["total_records"] == 240
    assert [m for page in pages for m in page] == whole["conversations"]
    assert [len(page) for page in pages] == [50, 50, 50, 50, 40]


async def test_dates_filter_by_epoch_milliseconds_start_inclusive_end_exclusive(sandbox: httpx.AsyncClient) -> None:
    everything = parse_messages((await sandbox.get(history())).json()["responseObject"]["conversations"])
    start, end = everything[10].timestamp, everything[30].timestamp
    assert start is not None and end is not None
    params = {"start_date": int(start.timestamp() * 1000), "end_date": int(end.timestamp() * 1000)}
    window = (await sandbox.get(history(), params=params)).json()["responseObject"]
    assert window["total_records"] == 20
    assert parse_messages(window["conversations"]) == everything[10:30]


async def test_the_projects_parser_reads_every_role_kind_and_time_from_the_sandbox(sandbox: httpx.AsyncClient) -> None:
    page = parse_chat_page((await sandbox.get(history())).json(), page_number=1, page_size=500)
    roles = Counter(m.role for m in page.messages)
    kinds = {m.kind for m in page.messages}
    assert roles[Role.USER] and roles[Role.BOT] and roles[Role.AGENT] and not roles[Role.UNKNOWN]
    assert kinds == {MessageKind.TEXT, MessageKind.ARTEFACT, MessageKind.EVENT}
    assert page.unreadable_items == 0 and page.has_more is False
    assert all(m.timestamp is not None and m.timestamp.tzinfo is not None for m in page.messages)
    texts = " ".join(m.text for m in page.messages)
    assert "[bot: quick replies: Track order | Cancel order" in texts and "[user tapped:" in texts
    assert "[event: Transferring you to a human agent" in texts and "[bot: carousel, 3 items]" in texts


async def test_a_blank_end_date_returns_the_whole_history_whatever_the_wall_clock(
        sandbox: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr(time, "time", lambda: datetime(2020, 1, 1, tzinfo=UTC).timestamp())  # a machine in the past
    body = (await sandbox.get(history(BUSY_ID), params={"page_size": 6000})).json()["responseObject"]
    assert body["total_records"] == len(body["conversations"]) >= 5000


async def test_an_empty_history_is_an_empty_list_not_an_error(sandbox: httpx.AsyncClient) -> None:
    body = (await sandbox.get(history(EMPTY_ID))).json()
    assert body["status"]["code"] == 1000 and body["responseObject"]["conversations"] == []


# ---------------------------------------------------------------------------------------------
# The data


def test_the_data_has_50_users_on_several_channels_with_the_attributes_promised() -> None:
    users = build_dataset().users
    assert len(users) >= 50 and len({u.channel_user_id for u in users}) == len(users)
    assert {u.channel for u in users} >= {"whatsapp", "web", "telegram"}
    assert all(set(u.attributes) >= {"email", "name", "user.phone_no", "city", "plan"} for u in users)


def test_conversations_range_from_none_to_over_5000_messages() -> None:
    data = build_dataset()
    sizes = {u.channel_user_id: len(data.conversation(u)) for u in data.users}
    assert sizes[EMPTY_ID] == 0 and sizes[BUSY_ID] >= 5000
    assert len(set(sizes.values())) > 20


def test_conversations_look_real_repeats_long_messages_languages_emoji_and_months() -> None:
    data = build_dataset()
    messages = parse_messages([m for _, m in data.conversation(data.user(FEATURED_ID))])  # type: ignore[arg-type]
    user_texts = [m.text for m in messages if m.role is Role.USER]
    assert max(Counter(user_texts).values()) >= 3  # the same question asked again
    assert max(map(len, user_texts)) > 1500  # one very long message
    assert any("\u0900" <= ch <= "\u097f" for text in user_texts for ch in text)  # Hindi
    assert any(ord(ch) > 0x1F000 for m in messages for ch in m.text)  # emoji
    assert messages[-1].timestamp - messages[0].timestamp > (datetime(2025, 4, 1) - datetime(2025, 1, 1))  # type: ignore[operator]
    others = " ".join(m.text for u in data.users[3:] for m in parse_messages([w for _, w in data.conversation(u)]))
    for script in ("\u0600", "\u3040", "¿"):  # Arabic, Japanese, Spanish
        assert any(ch >= script for ch in others)


def test_every_message_is_before_the_data_end_and_its_epoch_ms_matches_its_timestamp() -> None:
    from engati_mcp.parsing import parse_timestamp

    data = build_dataset()
    end_ms = HISTORY_END.timestamp() * 1000
    for user in data.users:
        stamps = [ms for ms, _ in data.conversation(user)]
        assert stamps == sorted(stamps) and all(ms < end_ms for ms in stamps), user.channel_user_id
    for ms, message in data.conversation(data.user(FEATURED_ID)):  # type: ignore[arg-type]
        assert parse_timestamp(message["timestamp"]) == datetime.fromtimestamp(ms / 1000, UTC)


def test_a_generated_conversation_stays_within_its_span() -> None:
    from datetime import timedelta

    from engati_mcp.parsing import parse_timestamp

    start, span = datetime(2025, 1, 1, tzinfo=UTC), timedelta(days=7)
    times = [parse_timestamp(m["timestamp"]) for m in generate_conversation(4, 400, start, span=span)]
    assert all(t is not None and start <= t < start + span for t in times)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    assert generate_conversation(1, 300, start) == generate_conversation(1, 300, start)
    assert generate_conversation(1, 300, start) != generate_conversation(2, 300, start)
    assert len(generate_conversation(3, 777, start)) == 777
    assert [u.as_wire() for u in build_dataset(7).users] == [u.as_wire() for u in build_dataset(7).users]
    assert [u.channel_user_id for u in build_dataset(8).users[3:]] != [u.channel_user_id for u in build_dataset(7).users[3:]]


# ---------------------------------------------------------------------------------------------
# Faults and serving


@pytest.mark.parametrize(("fault", "status"), [("500", 500), ("503", 503), ("429", 429), ("html", 200),
                                               ("truncated", 200)])
async def test_a_fault_plan_answers_its_faults_in_order_then_normally(fault: str, status: int) -> None:
    async with client(create_sandbox_app(faults=FaultPlan([fault], retry_after=2))) as http:
        faulty = await http.get(history())
        normal = await http.get(history())
    assert faulty.status_code == status and normal.status_code == 200
    if fault == "429":
        assert faulty.headers["Retry-After"] == "2"
    if fault in {"html", "truncated"}:
        with pytest.raises(json.JSONDecodeError):
            json.loads(faulty.text)


async def test_a_dropped_connection_fault_raises_the_transport_error_httpx_would() -> None:
    async with client(create_sandbox_app(faults=FaultPlan(["drop"]))) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(history())
        assert (await http.get(history())).status_code == 200


async def test_a_slow_fault_answers_late() -> None:
    import time

    async with client(create_sandbox_app(faults=FaultPlan(["slow"], slow_seconds=0.2))) as http:
        started = time.perf_counter()
        response = await http.get(history())
    assert response.status_code == 200 and time.perf_counter() - started >= 0.2


def test_an_unknown_fault_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="truncated"):
        FaultPlan(["teapot"])


def test_importing_the_package_loads_neither_starlette_nor_uvicorn() -> None:
    import subprocess
    import sys

    code = "from engati_mcp.sandbox import *; import sys; print(sorted({'starlette', 'uvicorn'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


async def test_running_sandbox_serves_on_loopback_through_a_real_socket() -> None:
    async with running_sandbox() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH) as http:
            response = await http.get(f"{PREFIX}/users",
                                      params={"attribute_name": "email", "attribute_value": FEATURED_EMAIL})
    assert response.status_code == 200 and parse_users(response.json())[0].channel_user_id == FEATURED_ID
