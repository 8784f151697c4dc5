"""Engati paging that cannot be trusted: capped page sizes, an ignored page_number, a total that
lies, overlapping pages, either page order, a page larger than the cap. Nothing is lost or
repeated without a note that says so, with its counts; past the cap, the most recent are read.

`FakeEngati` below is one conversation of `n` messages (oldest first, a minute apart) served
with the chosen misbehaviour; the sandbox stands in for a well-behaved Engati."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from mcp import Client

from engati_mcp.client import EngatiClient
from engati_mcp.history import (
    FetchOutcome,
    HistoryFetcher,
    HistoryRequest,
    PageCache,
    PageOrder,
)
from engati_mcp.server import create_server
from tests.conftest import (
    BASE,
    BOT,
    CUSTOMER,
    FAKE_KEY,
    FAST_RETRY,
    conversations_url,
    make_settings,
)

USER = "919876543210"
URL = conversations_url(USER)
START = datetime(2025, 6, 1, tzinfo=UTC)
START_MS = 1_748_736_000_000  # START in epoch ms
CONFIG = {"api_key": FAKE_KEY, "customer_id": CUSTOMER, "bot_key": BOT, "base_url": BASE}


def ms_of(i: int) -> int:
    """Epoch ms of message i: one a minute from START."""
    return START_MS + i * 60_000


@dataclass
class FakeEngati:
    """A respx side effect serving `n` messages with one chosen misbehaviour."""

    n: int = 1000
    max_page: int | None = None  # Engati's own cap on page_size
    total: int | str | None = "true"  # "true": the real count; None: not reported; an int: that (a lie)
    ignore_page_number: bool = False
    overlap: int = 0  # each page after the first starts this many records early
    newest_first: bool = False
    with_ids: bool = False
    ignore_page_size_up_to: int | None = None  # page 1 holds this many whatever was asked

    def item(self, i: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            "sender": "user" if i % 2 == 0 else "bot",
            "response": f"message {i}",
            "timestamp": ms_of(i),
        }
        if self.with_ids:
            item["message_id"] = f"m-{i}"
        return item

    def __call__(self, request: httpx.Request) -> httpx.Response:
        asked = int(request.url.params.get("page_size", 500))
        number = 1 if self.ignore_page_number else int(request.url.params.get("page_number", 1))
        end = int(request.url.params["end_date"]) if "end_date" in request.url.params else None
        indices = [i for i in range(self.n) if end is None or ms_of(i) < end]
        if self.newest_first:
            indices.reverse()
        size = min(asked, self.max_page or asked)
        if self.ignore_page_size_up_to:
            size = self.ignore_page_size_up_to
        first = max(0, (number - 1) * size - (self.overlap if number > 1 else 0))
        body: dict[str, Any] = {"conversations": [self.item(i) for i in indices[first : first + size]]}
        if self.total == "true":
            body["total_records"] = len(indices)
        elif self.total is not None:
            body["total_records"] = self.total
        return httpx.Response(200, json={"status": {"code": 1000, "desc": "Success"}, "responseObject": body})


async def progress(_: int, __: int | None, ___: str) -> None:
    return None


async def read_all(
    fake: FakeEngati, *, page_size: int = 500, max_messages: int = 5000, end_ms: int = 1_900_000_000_000
) -> tuple[FetchOutcome, respx.Route]:
    request = HistoryRequest(channel_user_id=USER, start_ms=None, end_ms=end_ms, page_size=page_size)
    async with EngatiClient(make_settings(), retry=FAST_RETRY) as client:
        with respx.mock:
            route = respx.get(URL).mock(side_effect=fake)
            outcome = await HistoryFetcher(client, PageCache()).whole_range(request, max_messages, progress)
    return outcome, route


def numbers(outcome: FetchOutcome) -> list[int]:
    return [int(m.text.split()[1]) for m in outcome.messages]


# ---------------------------------------------------------------------------------------------
# Each way Engati's paging can mislead, with 1,000 messages in the window


async def test_a_capped_page_size_is_followed_by_the_records_received() -> None:
    outcome, route = await read_all(FakeEngati(max_page=100))  # 500 asked, 100 served, total 1,000
    assert numbers(outcome) == list(range(1000))
    assert outcome.pages_fetched == 10 and route.call_count == 10 and outcome.has_more is False
    assert outcome.notes == [] and outcome.duplicates_dropped == 0 and outcome.reported_total == 1000


async def test_an_ignored_page_number_stops_at_the_repeat_and_says_so() -> None:
    outcome, _ = await read_all(FakeEngati(ignore_page_number=True))
    assert numbers(outcome) == list(range(500))  # each message once, not 500 twice
    assert outcome.notes == [
        (
            "Engati ignored page_number: page 2 repeated page 1; only the first 500 of 1,000 "
            "messages could be read; narrow the dates to read the rest."
        )
    ]
    assert outcome.has_more is True and outcome.reported_total == 1000


async def test_a_total_lying_low_is_not_believed_and_is_reported() -> None:
    outcome, _ = await read_all(FakeEngati(total=150), page_size=100)
    assert numbers(outcome) == list(range(1000))
    assert outcome.notes == ["Engati reported 150 messages but 1,000 were read."]
    assert outcome.reported_total == 150 and outcome.has_more is False


async def test_a_total_lying_high_is_reported() -> None:
    outcome, _ = await read_all(FakeEngati(total=1200))
    assert numbers(outcome) == list(range(1000))
    assert outcome.notes == ["Engati reported 1,200 messages but only 1,000 could be read."]


async def test_overlapping_pages_keep_each_message_once_and_say_so() -> None:
    outcome, _ = await read_all(FakeEngati(overlap=1))
    assert numbers(outcome) == list(range(1000))
    assert outcome.duplicates_dropped == 1 and outcome.notes == ["Dropped 1 message that Engati sent twice."]


async def test_duplicates_are_known_by_engatis_message_id() -> None:
    fake = FakeEngati(n=300, overlap=5, with_ids=True)
    original = fake.item

    def same_words(i: int) -> dict[str, Any]:  # different messages, same time, sender and text: not duplicates
        return original(i) | {"response": "ok", "timestamp": ms_of(0), "sender": "user"}

    fake.item = same_words  # type: ignore[method-assign]
    outcome, _ = await read_all(fake, page_size=100)
    assert len(outcome.messages) == 300 and outcome.duplicates_dropped == 5  # page 2 starts 5 early
    assert {m.id for m in outcome.messages} == {f"m-{i}" for i in range(300)}


async def test_without_a_total_a_short_page_is_the_end() -> None:
    outcome, route = await read_all(FakeEngati(n=730, total=None), page_size=100)
    assert numbers(outcome) == list(range(730)) and outcome.notes == [] and outcome.has_more is False
    assert route.call_count <= 8 + 2  # pages are asked a few at a time: at most two beyond the end


# ---------------------------------------------------------------------------------------------
# More than the cap: the most recent, whatever Engati's page order


async def test_oldest_first_pages_with_a_total_are_read_from_the_last_page_backwards() -> None:
    outcome, route = await read_all(FakeEngati(n=1200), page_size=100, max_messages=500)
    assert numbers(outcome) == list(range(700, 1200))
    assert outcome.capped and outcome.has_more is True and outcome.page_order is PageOrder.OLDEST_FIRST
    assert outcome.earlier_end_ms == ms_of(700)
    # page 1 (to learn the total), then pages 12 down to 8: nothing in between is fetched
    pages = [int(call.request.url.params["page_number"]) for call in route.calls]
    assert sorted(pages) == [1, 8, 9, 10, 11, 12]
    assert outcome.notes == [
        (
            "CAPPED: read the 500 most recent of 1,200 messages (2025-06-01 11:40 → 2025-06-01 "
            f"19:59 UTC); the earlier ones: end_date={ms_of(700)}."
        )
    ]


async def test_the_earlier_end_reaches_exactly_the_messages_before_those_read() -> None:
    first, _ = await read_all(FakeEngati(n=1200), page_size=100, max_messages=500)
    assert first.earlier_end_ms is not None
    earlier, _ = await read_all(FakeEngati(n=1200), page_size=100, max_messages=500, end_ms=first.earlier_end_ms)
    assert numbers(earlier) == list(range(200, 700))  # contiguous with the first call: nothing lost, nothing twice


async def test_newest_first_pages_are_read_forwards() -> None:
    outcome, route = await read_all(FakeEngati(n=1200, newest_first=True), page_size=100, max_messages=500)
    assert numbers(outcome) == list(range(700, 1200)) and outcome.page_order is PageOrder.NEWEST_FIRST
    assert outcome.earlier_end_ms == ms_of(700) and outcome.capped
    pages = sorted(int(call.request.url.params["page_number"]) for call in route.calls)
    assert pages == [1, 2, 3, 4, 5, 12]  # the last page only to learn the order


async def test_oldest_first_without_a_total_keeps_the_oldest_and_says_where_the_rest_starts() -> None:
    outcome, _ = await read_all(FakeEngati(n=1000, total=None), page_size=100, max_messages=300)
    assert numbers(outcome) == list(range(300)) and outcome.capped and outcome.later_start_ms == ms_of(299) + 1
    assert outcome.earlier_end_ms is None
    assert outcome.notes[-1].startswith("CAPPED: read the 300 oldest of more than 300 messages (2025-06-01 00:00 →")
    assert outcome.notes[-1].endswith(f"the later ones: start_date={ms_of(299) + 1}.")


async def test_the_busy_sandbox_user_gives_the_5000_most_recent_of_5200() -> None:
    from engati_mcp.sandbox import SANDBOX_SETTINGS, create_sandbox_app
    from engati_mcp.sandbox.data import BUSY_ID, HISTORY_END

    settings = make_settings(**SANDBOX_SETTINGS)
    transport = httpx.ASGITransport(app=create_sandbox_app())
    request = HistoryRequest(
        channel_user_id=BUSY_ID, start_ms=None, end_ms=int(HISTORY_END.timestamp() * 1000), page_size=500
    )
    async with EngatiClient(settings, transport=transport, retry=FAST_RETRY) as client:
        fetcher = HistoryFetcher(client, PageCache())
        outcome = await fetcher.whole_range(request, 5000, progress)
        assert len(outcome.messages) == 5000 and outcome.capped and outcome.reported_total == 5200
        rest = await fetcher.whole_range(request.__class__(BUSY_ID, None, outcome.earlier_end_ms, 500), 5000, progress)
    assert len(rest.messages) == 200 and not rest.capped and rest.notes == []
    assert rest.messages[-1].timestamp < outcome.messages[0].timestamp  # type: ignore[operator]
    assert outcome.notes[-1].startswith("CAPPED: read the 5,000 most recent of 5,200 messages (")


# ---------------------------------------------------------------------------------------------
# One page larger than the cap


async def test_a_single_page_larger_than_the_cap_is_trimmed_to_its_most_recent() -> None:
    outcome, _ = await read_all(FakeEngati(n=50_000, ignore_page_size_up_to=50_000), max_messages=5000)
    assert numbers(outcome) == list(range(45_000, 50_000)) and outcome.capped
    assert outcome.earlier_end_ms == ms_of(45_000)
    assert "Engati sent 50,000 messages on one page although 500 were asked." in outcome.notes
    assert outcome.notes[-1].startswith("CAPPED: read the 5,000 most recent of 50,000 messages (")


async def test_one_page_asked_by_number_is_capped_too() -> None:
    request = HistoryRequest(channel_user_id=USER, start_ms=None, end_ms=1_900_000_000_000, page_size=500)
    async with EngatiClient(make_settings(), retry=FAST_RETRY) as client:
        with respx.mock:
            respx.get(URL).mock(side_effect=FakeEngati(n=20_000, ignore_page_size_up_to=20_000))
            outcome = await HistoryFetcher(client, PageCache(), max_messages=1000).one_page(request, 1)
    assert numbers(outcome) == list(range(19_000, 20_000)) and outcome.capped and outcome.has_more is True
    assert outcome.notes[-1] == (
        "CAPPED: kept the 1,000 most recent of the 20,000 messages on page 1 "
        f"(2025-06-14 04:40 → 2025-06-14 21:19 UTC); the earlier ones: end_date={ms_of(19_000)}."
    )


# ---------------------------------------------------------------------------------------------
# Through the MCP server: what a model sees


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def messages_read(result: Any) -> int:
    """The count of messages the result covers (`messages` in the facts; `total_messages` before)."""
    facts = result.structured_content
    return facts["messages"] if "messages" in facts else facts["total_messages"]


async def call_history(fake: FakeEngati, config: dict[str, Any] | None = None, **arguments: Any) -> Any:
    async with Client(create_server(CONFIG | (config or {}), retry=FAST_RETRY)) as client:
        with respx.mock:
            respx.get(URL).mock(side_effect=fake)
            return await client.call_tool(
                "get_chat_history", {"channel_user_id": USER, "detail": "questions", "max_tokens": 3000} | arguments
            )


async def test_the_model_is_told_when_engati_ignores_page_number() -> None:
    result = await call_history(FakeEngati(ignore_page_number=True))
    assert not result.is_error, text_of(result)
    assert messages_read(result) == 500
    assert "Engati ignored page_number: page 2 repeated page 1; only the first 500 of 1,000" in text_of(result)


async def test_the_model_is_told_when_the_total_lies() -> None:
    result = await call_history(FakeEngati(total=150), page_size=100)
    assert not result.is_error, text_of(result)
    assert messages_read(result) == 1000
    assert "Engati reported 150 messages but 1,000 were read." in text_of(result)


async def test_the_model_gets_the_most_recent_and_how_to_reach_the_earlier_ones() -> None:
    result = await call_history(FakeEngati(n=1200), {"max_messages": 500}, page_size=100)
    assert not result.is_error, text_of(result)
    assert messages_read(result) == 500
    text = text_of(result)
    assert f"the earlier ones: end_date={ms_of(700)}" in text and "message 1198" in text and "message 698" not in text


async def test_a_huge_single_page_does_not_bypass_the_servers_cap() -> None:
    result = await call_history(FakeEngati(n=20_000, ignore_page_size_up_to=20_000), {"max_messages": 1000})
    assert not result.is_error, text_of(result)
    assert messages_read(result) == 1000
    assert "Engati sent 20,000 messages on one page although 500 were asked." in text_of(result)


@pytest.mark.parametrize("page_number", [1])
async def test_a_huge_page_asked_by_number_does_not_bypass_the_servers_cap(page_number: int) -> None:
    result = await call_history(
        FakeEngati(n=20_000, ignore_page_size_up_to=20_000), {"max_messages": 1000}, page_number=page_number
    )
    assert not result.is_error, text_of(result)
    assert messages_read(result) == 1000
    assert "CAPPED: kept the 1,000 most recent of the 20,000 messages on page 1" in text_of(result)


def test_fake_engati_serves_what_it_says() -> None:
    request = httpx.Request("GET", URL, params={"page_number": 2, "page_size": 3})
    body = json.loads(FakeEngati(n=10).__call__(request).content)["responseObject"]
    assert [m["response"] for m in body["conversations"]] == ["message 3", "message 4", "message 5"]
    assert body["total_records"] == 10 and START + timedelta(minutes=3) == datetime.fromtimestamp(ms_of(3) / 1000, UTC)
