"""The sandbox against its own contract (docs/engati-api.md), and its data."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from engati_mcp.models import Message, MessageKind, Role
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
    REGULAR_EMAILS,
    REGULAR_IDS,
    REGULARS_WITH_SESSIONS,
    USER_COUNT,
    build_dataset,
    generate_conversation,
)

PREFIX = f"/bot-api/v1.0/customer/{SANDBOX_CUSTOMER_ID}/bot/{SANDBOX_BOT_KEY}"
AUTH = {"Authorization": f"Basic {SANDBOX_API_KEY}"}


def client(app: object | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app or create_sandbox_app()),  # type: ignore[arg-type]
        base_url=SANDBOX_BASE_URL,
        headers=AUTH,
    )


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
    response = await sandbox.get(
        f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": "x"}, headers=headers
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        f"/bot-api/v1.0/customer/99999/bot/{SANDBOX_BOT_KEY}/users?attribute_name=email&attribute_value=x",
        f"/bot-api/v1.0/customer/{SANDBOX_CUSTOMER_ID}/bot/ffffffffffffffff/users?attribute_name=email&attribute_value=x",
        f"{PREFIX}/channel-user/000000000000/conversations",
    ],
)
async def test_a_wrong_customer_bot_or_user_id_is_1002(sandbox: httpx.AsyncClient, path: str) -> None:
    response = await sandbox.get(path)
    assert response.status_code == 400 and engati_code(response) == 1002


# ---------------------------------------------------------------------------------------------
# Users


async def test_users_match_an_attribute_exactly(sandbox: httpx.AsyncClient) -> None:
    by_email = await sandbox.get(
        f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": FEATURED_EMAIL}
    )
    by_phone = await sandbox.get(
        f"{PREFIX}/users", params={"attribute_name": "user.phone_no", "attribute_value": FEATURED_ID}
    )
    other_case = await sandbox.get(
        f"{PREFIX}/users", params={"attribute_name": "Email", "attribute_value": FEATURED_EMAIL}
    )
    [asha] = parse_users(by_email.json())
    assert (asha.channel_user_id, asha.name, asha.channel) == (FEATURED_ID, "Asha Rao", "whatsapp")
    assert [u.channel_user_id for u in parse_users(by_phone.json())] == [FEATURED_ID]
    assert parse_users(other_case.json()) == []  # attribute names are case-sensitive


async def test_users_without_both_query_parameters_is_400(sandbox: httpx.AsyncClient) -> None:
    response = await sandbox.get(f"{PREFIX}/users", params={"attribute_name": "email"})
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------
# Conversations


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2025-03-01"},
        {"start_date": "1740787200000", "end_date": "1740787200000"},
        {"start_date": "1741392000000", "end_date": "1740787200000"},
    ],
)
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
    sandbox: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    for user_id in (FEATURED_ID, *REGULAR_IDS):
        for ms, message in data.conversation(data.user(user_id)):  # type: ignore[arg-type]
            assert parse_timestamp(message["timestamp"]) == datetime.fromtimestamp(ms / 1000, UTC), user_id


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
    assert [u.channel_user_id for u in build_dataset(8).users[3:]] != [
        u.channel_user_id for u in build_dataset(7).users[3:]
    ]


# ---------------------------------------------------------------------------------------------
# The regulars: returning customers with months of conversations


def visits(messages: list[Message]) -> list[list[Message]]:
    """A history split into visits: by Engati's session id when messages carry one, else by 30 minutes of silence."""
    out: list[list[Message]] = []
    for m in messages:
        previous = out[-1][-1] if out else None
        if (
            previous is None
            or (m.session is not None and m.session != previous.session)
            or (m.session is None and m.timestamp - previous.timestamp > timedelta(minutes=30))
        ):  # type: ignore[operator]
            out.append([m])
        else:
            out[-1].append(m)
    return out


@pytest.fixture(scope="module")
def regulars() -> dict[str, list[Message]]:
    data = build_dataset()
    return {uid: parse_messages([w for _, w in data.conversation(data.user(uid))]) for uid in REGULAR_IDS}  # type: ignore[arg-type]


def test_at_least_ten_regulars_come_after_the_original_users_unchanged() -> None:
    users = build_dataset().users
    assert len(REGULAR_IDS) >= 10 and len(set(REGULAR_IDS)) == len(REGULAR_IDS)
    assert [u.channel_user_id for u in users[USER_COUNT:]] == list(REGULAR_IDS)
    assert users[0].channel_user_id == FEATURED_ID and len(users) == USER_COUNT + len(REGULAR_IDS)
    assert [u.attributes["email"] for u in users[USER_COUNT:]] == list(REGULAR_EMAILS)


async def test_regulars_are_found_by_email(sandbox: httpx.AsyncClient) -> None:
    for user_id, email in zip(REGULAR_IDS, REGULAR_EMAILS, strict=True):
        response = await sandbox.get(f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": email})
        assert [u.channel_user_id for u in parse_users(response.json())] == [user_id]


def test_regulars_have_50_to_300_visits_of_2_to_30_messages_over_6_to_18_months(
    regulars: dict[str, list[Message]],
) -> None:
    for user_id, messages in regulars.items():
        split = visits(messages)
        span = messages[-1].timestamp - messages[0].timestamp  # type: ignore[operator]
        assert 50 <= len(split) <= 300, user_id
        assert all(2 <= len(visit) <= 30 for visit in split), user_id
        assert timedelta(days=182) <= span <= timedelta(days=548), user_id
        assert len(messages) <= 5000, user_id  # the whole history fits the server's default message cap


def test_regulars_come_back_irregularly_in_bursts_and_after_long_absences(regulars: dict[str, list[Message]]) -> None:
    for user_id, messages in regulars.items():
        starts = [visit[0].timestamp for visit in visits(messages)]
        gaps = [b - a for a, b in itertools.pairwise(starts)]  # type: ignore[operator]
        assert min(gaps) < timedelta(hours=12) and max(gaps) > timedelta(days=14), user_id
        assert sum(gap < timedelta(days=1) for gap in gaps) >= len(gaps) // 10, user_id  # bursts


def test_exactly_three_regulars_carry_a_session_id_on_every_message(regulars: dict[str, list[Message]]) -> None:
    assert len(REGULARS_WITH_SESSIONS) == 3 and set(REGULARS_WITH_SESSIONS) <= set(REGULAR_IDS)
    for user_id, messages in regulars.items():
        sessions = [m.session for m in messages]
        if user_id in REGULARS_WITH_SESSIONS:
            assert all(sessions), user_id
            split = visits(messages)
            assert len({m.session for m in messages}) == len(split)  # one id per visit, never reused
        else:
            assert not any(sessions), user_id
    # Silence alone does not always tell the session users' visits apart (quick returns, late agents).
    silent_splits = [len(visits([replace(m, session=None) for m in regulars[uid]])) for uid in REGULARS_WITH_SESSIONS]
    assert silent_splits != [len(visits(regulars[uid])) for uid in REGULARS_WITH_SESSIONS]


def test_regulars_write_like_people_varied_detailed_with_some_repeats(regulars: dict[str, list[Message]]) -> None:
    everything = [m for messages in regulars.values() for m in messages]
    for user_id, messages in regulars.items():
        typed = [m.text for m in messages if m.role is Role.USER and m.kind is MessageKind.TEXT]
        counts = Counter(typed)
        assert len(counts) >= 0.4 * len(typed), user_id  # mostly different words
        assert max(counts.values()) >= 3, user_id  # and the same "ok thanks" now and then
        assert any(re.search(r"\d{6,7}", text) for text in typed), user_id  # order numbers, pin codes
    user_text = " ".join(m.text for m in everything if m.role is Role.USER)
    for detail in ("ORD-", "₹", "Rs", "@example.com", "GSTIN", "pincode"):
        assert detail in user_text, detail
    typed = [m.text for m in everything if m.role is Role.USER and m.kind is MessageKind.TEXT]
    assert sum(t.islower() for t in typed) > 1000 and sum(t.isupper() for t in typed) > 20  # lowercase and SHOUTING
    assert any("\u0900" <= ch <= "\u097f" for ch in user_text)  # some Hindi script
    for place in ("Koramangala", "Gomti Nagar", "Mangaluru"):
        assert place in user_text or any(place in m.text for m in everything), place
    assert "kab aayega" in user_text  # and Hinglish
    texts = [m.text for m in everything]
    assert any("\n" in t for t in texts if t)  # multi-line bot answers and requests
    assert any("[event: Transferring you to a human agent" in t for t in texts)
    assert sum(m.role is Role.AGENT for m in everything) > 500
    assert any("Sorry, I didn't understand" in t for t in texts)
    assert any("[user tapped: Track order]" in t for t in texts)


def test_some_visits_open_with_a_greeting_and_some_get_no_answer(regulars: dict[str, list[Message]]) -> None:
    split = [visit for messages in regulars.values() for visit in visits(messages)]
    unanswered = [v for v in split if all(m.role is Role.USER for m in v)]
    greeted = [
        v
        for v in split
        if v[0].role is Role.USER
        and v[0].text.lower() in {"hi", "hello", "hii", "hey"}
        and any(m.role is Role.USER and len(m.text) > 20 for m in v[1:])
    ]
    thanked = [
        v for v in split if v[-1].role is Role.USER and v[-1].text.lower() in {"ok", "ok thanks", "👍", "thanks"}
    ]
    assert len(unanswered) >= 20 and len(greeted) >= 50 and len(thanked) >= 50


def test_regulars_are_generated_lazily_and_deterministically() -> None:
    data = build_dataset()
    assert not data._conversations  # nothing generated until asked
    again = build_dataset()
    for user_id in REGULAR_IDS[:3]:
        assert data.conversation(data.user(user_id)) == again.conversation(again.user(user_id))  # type: ignore[arg-type]
    other = build_dataset(8)
    assert [u.channel_user_id for u in other.users[USER_COUNT:]] == list(REGULAR_IDS)  # same people...
    first = REGULAR_IDS[0]
    assert other.conversation(other.user(first)) != data.conversation(data.user(first))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Faults and serving


@pytest.mark.parametrize(
    ("fault", "status"), [("500", 500), ("503", 503), ("429", 429), ("html", 200), ("truncated", 200)]
)
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
            response = await http.get(
                f"{PREFIX}/users", params={"attribute_name": "email", "attribute_value": FEATURED_EMAIL}
            )
    assert response.status_code == 200 and parse_users(response.json())[0].channel_user_id == FEATURED_ID
