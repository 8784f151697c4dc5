"""Fetching a whole date range page by page: totals, short pages, the cap (the most recent kept),
progress, the cache, and an error part-way reported with what was fetched. Engati's misleading
paging has its own file, test_pagination_integrity.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from engati_mcp.client import EngatiClient
from engati_mcp.errors import EngatiAPIError
from engati_mcp.history import HistoryFetcher, HistoryRequest, PageCache
from tests.conftest import FAST_RETRY, conversations_url, make_settings

USER = "919876543210"
URL = conversations_url(USER)
REQUEST = HistoryRequest(channel_user_id=USER, start_ms=None, end_ms=1_800_000_000_000, page_size=10)


def page_items(page: int, size: int = 10, count: int | None = None) -> list[dict]:
    n = size if count is None else count
    base = 1_740_787_200_000 + (page - 1) * size * 60_000
    return [{"sender": "user", "response": f"p{page} m{i}", "timestamp": base + i * 60_000} for i in range(n)]


def pages_side_effect(total: int | None, pages: int, fail_on: int | None = None, last_count: int = 10):
    def respond(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page_number"])
        if number == fail_on:
            return httpx.Response(401, json={})
        if number > pages:
            return httpx.Response(200, json={"conversations": []})
        count = last_count if number == pages else 10
        body: dict = {"conversations": page_items(number, count=count)}
        if total is not None:
            body["total_records"] = total
        return httpx.Response(200, json=body)

    return respond


class Progress:
    def __init__(self) -> None:
        self.reports: list[tuple[int, int | None, str]] = []

    async def __call__(self, done: int, total: int | None, message: str) -> None:
        self.reports.append((done, total, message))


@pytest.fixture
async def fetcher() -> AsyncIterator[HistoryFetcher]:
    async with EngatiClient(make_settings(), retry=FAST_RETRY) as client:
        yield HistoryFetcher(client, PageCache())


async def test_whole_range_reads_every_page_up_to_the_reported_total(fetcher: HistoryFetcher) -> None:
    progress = Progress()
    with respx.mock:
        route = respx.get(URL).mock(side_effect=pages_side_effect(total=45, pages=5, last_count=5))
        outcome = await fetcher.whole_range(REQUEST, max_messages=5000, progress=progress)
    assert len(outcome.messages) == 45 and outcome.pages_fetched == 5
    assert route.call_count == 5 and outcome.has_more is False and not outcome.capped
    assert [m.text for m in outcome.messages][:2] == ["p1 m0", "p1 m1"] and outcome.messages[-1].text == "p5 m4"
    assert progress.reports[0] == (10, 45, "Fetched page 1 of 5") and progress.reports[-1][0] == 45


async def test_without_a_total_it_stops_at_the_first_short_page(fetcher: HistoryFetcher) -> None:
    with respx.mock:
        respx.get(URL).mock(side_effect=pages_side_effect(total=None, pages=4, last_count=3))
        outcome = await fetcher.whole_range(REQUEST, max_messages=5000, progress=Progress())
    assert len(outcome.messages) == 33 and outcome.pages_fetched == 4 and outcome.has_more is False


async def test_the_message_cap_keeps_the_most_recent_and_says_how_to_reach_the_rest(fetcher: HistoryFetcher) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=pages_side_effect(total=100, pages=10))
        outcome = await fetcher.whole_range(REQUEST, max_messages=30, progress=Progress())
    # page 1 tells the total; pages 10, 9, 8 are the most recent (the pages are oldest first)
    assert [m.text for m in outcome.messages][::10] == ["p8 m0", "p9 m0", "p10 m0"]
    assert outcome.pages_fetched == 4 and route.call_count == 4
    assert outcome.capped and outcome.has_more is True
    assert outcome.earlier_end_ms == 1_740_787_200_000 + 70 * 60_000  # p8 m0: end_date for the earlier ones
    assert outcome.notes[-1].startswith("CAPPED: read the 30 most recent of 100 messages (")


async def test_an_error_on_page_3_of_5_keeps_pages_1_and_2_and_names_the_page(fetcher: HistoryFetcher) -> None:
    with respx.mock:
        respx.get(URL).mock(side_effect=pages_side_effect(total=50, pages=5, fail_on=3))
        outcome = await fetcher.whole_range(REQUEST, max_messages=5000, progress=Progress())
    assert outcome.failed_page == 3 and isinstance(outcome.error, EngatiAPIError)
    assert len(outcome.messages) == 20 and outcome.pages_fetched == 2 and outcome.has_more is True


async def test_an_error_on_page_1_is_raised(fetcher: HistoryFetcher) -> None:
    with respx.mock:
        respx.get(URL).mock(side_effect=pages_side_effect(total=50, pages=5, fail_on=1))
        with pytest.raises(EngatiAPIError):
            await fetcher.whole_range(REQUEST, max_messages=5000, progress=Progress())


async def test_pages_are_served_from_the_cache_the_second_time(fetcher: HistoryFetcher) -> None:
    with respx.mock:
        route = respx.get(URL).mock(side_effect=pages_side_effect(total=30, pages=3))
        first = await fetcher.whole_range(REQUEST, max_messages=5000, progress=Progress())
        again = await fetcher.one_page(REQUEST, 2)
        second = await fetcher.whole_range(REQUEST, max_messages=5000, progress=Progress())
    assert route.call_count == 3
    assert [m.text for m in second.messages] == [m.text for m in first.messages]
    assert again.messages[0].text == "p2 m0"


def test_the_cache_is_bounded_by_messages_held() -> None:
    from engati_mcp.models import ChatPage, Message, Role

    cache = PageCache(max_messages=25, ttl_seconds=60)
    page = ChatPage(messages=[Message(Role.USER, "x", None)] * 10, page_number=1)
    for n in range(5):
        cache.put(("u", n), page)
    kept = [n for n in range(5) if cache.get(("u", n)) is not None]
    assert len(kept) == 2 and kept == [3, 4]
