"""Fetching a user's history: one page, or the whole date range page after page.

`HistoryFetcher` decides which pages to ask for and in what order; what the pages say is judged
elsewhere, one concern each: `pagination` (the page size Engati really serves, repeated pages,
duplicate messages, the page order), `fetch_outcome` (the cap, the notes on every disagreement,
the continuation) and `page_cache` (pages kept a few minutes, so a model following a
continuation does not fetch the same pages again).

When the window holds more than the message cap, the most recent messages are wanted. The page
order (oldest or newest first) is told from the timestamps of page 1 and the last page; with
oldest-first pages and a known total, the reading starts from the last page and goes backwards,
otherwise it goes forwards from page 2. Pages are fetched a few at a time (`PAGES_AT_ONCE`).

Kept apart from the MCP wiring so it can be tested against the sandbox or respx with plain
async calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from engati_mcp.client import EngatiClient
from engati_mcp.errors import EngatiError
from engati_mcp.fetch_outcome import FetchOutcome, Keep, forward_keep, outcome_of
from engati_mcp.models import ChatPage
from engati_mcp.page_cache import PageCache
from engati_mcp.pagination import (
    PAGES_AT_ONCE,
    PageOrder,
    PageResult,
    Paging,
    Reading,
    page_order,
)

__all__ = [
    "PAGES_AT_ONCE",
    "FetchOutcome",
    "HistoryFetcher",
    "HistoryRequest",
    "PageCache",
    "PageOrder",
    "ProgressFn",
]

ProgressFn = Callable[[int, int | None, str], Awaitable[None]]
_NO_CAP = 10**9


@dataclass(frozen=True)
class HistoryRequest:
    channel_user_id: str
    start_ms: int | None
    end_ms: int
    page_size: int


class HistoryFetcher:
    """Fetches pages through the cache; shared by every call of one server process.

    `max_messages` caps what `one_page` keeps when the call gives no cap (the server's setting).
    """

    def __init__(self, client: EngatiClient, cache: PageCache, *, max_messages: int | None = None) -> None:
        self._client = client
        self._cache = cache
        self._max_messages = max_messages

    async def page(self, request: HistoryRequest, page_number: int) -> ChatPage:
        key = (request.channel_user_id, request.start_ms, request.end_ms, request.page_size, page_number)
        if (cached := self._cache.get(key)) is not None:
            return cached
        page = await self._client.get_chat_page(
            request.channel_user_id,
            start_ms=request.start_ms,
            end_ms=request.end_ms,
            page_number=page_number,
            page_size=request.page_size,
        )
        self._cache.put(key, page)
        return page

    async def one_page(
        self, request: HistoryRequest, page_number: int, max_messages: int | None = None
    ) -> FetchOutcome:
        """One page as Engati numbers it, deduplicated and, if it holds more than the cap, trimmed
        to its most recent messages."""
        page = await self.page(request, page_number)
        cap = max_messages or self._max_messages or _NO_CAP
        reading = Reading(Paging(request.page_size, page.total_records, request.page_size), cap)
        reading.take(page_number, page)
        reading.ended = True  # the page is all that was asked for
        outcome = outcome_of(reading, keep=Keep.RECENT, single_page=page_number)
        outcome.has_more = True if outcome.capped else page.has_more
        return outcome

    async def whole_range(self, request: HistoryRequest, max_messages: int, progress: ProgressFn) -> FetchOutcome:
        """Every page of the range, or the most recent `max_messages` of it.

        An error on page 1 is raised (nothing was fetched); an error on a later page ends the fetch
        and is returned with what was read before it, so the caller can show it and say what failed.
        """
        first = await self.page(request, 1)
        reading = Reading(Paging.from_first(first, request.page_size), max_messages)
        reading.take(1, first)
        await _report(progress, reading)
        paging = reading.paging
        if paging.total is not None and paging.total > max_messages and paging.last_page > 1:
            return await self._most_recent(request, reading, progress)
        if not (reading.at_end(first) or reading.full()):
            await self._forward(request, reading, progress, 2)
        return outcome_of(reading, keep=forward_keep(reading))

    async def _forward(self, request: HistoryRequest, reading: Reading, progress: ProgressFn, start: int) -> None:
        """Read pages `start`, `start + 1` ... a few at a time, until the end of the window, the
        cap, a repeated page or an error."""
        number, going = start, True
        while going:
            batch = range(number, number + reading.pages_wanted(reading.size))
            going = reading.take_forward(batch, await self._pages(request, batch))
            await _report(progress, reading)
            number = batch.stop

    async def _most_recent(self, request: HistoryRequest, reading: Reading, progress: ProgressFn) -> FetchOutcome:
        """More messages than the cap: tell Engati's page order from page 1 and the last page, then
        read from the newest end (backwards from the last page, or forwards from page 2)."""
        last = reading.paging.last_page
        (tail,) = await self._pages(request, [last])
        order = page_order(reading.first_page, tail) if isinstance(tail, ChatPage) else None
        if isinstance(tail, ChatPage) and order is not PageOrder.OLDEST_FIRST:
            reading.pages += 1  # the last page, fetched only to learn the order: newest-first, or unknown
            reading.order = order
            await self._forward(request, reading, progress, 2)
            return outcome_of(reading, keep=forward_keep(reading))
        if reading.take(last, tail):
            await self._backward(request, reading, progress, last - 1)
        return outcome_of(reading, keep=Keep.RECENT)

    async def _backward(self, request: HistoryRequest, reading: Reading, progress: ProgressFn, start: int) -> None:
        """Read pages `start`, `start - 1` ... down to 2 (page 1 is in hand), until the pages after
        page 1 hold the cap."""
        number, going = start, start >= 2 and not reading.tail_full()
        while going:
            batch = range(number, max(1, number - reading.pages_wanted(reading.tail_size())), -1)
            going = reading.take_backward(batch, await self._pages(request, batch))
            await _report(progress, reading)
            number = batch.stop
        reading.ended = reading.ended or start < 2  # the last page was page 2: everything is read

    async def _pages(self, request: HistoryRequest, numbers: Sequence[int]) -> list[PageResult]:
        """The pages fetched at once; an Engati error is returned in its page's place, so the pages
        before it still count. Anything else (a bug, a cancellation) is raised."""
        results = await asyncio.gather(*(self.page(request, n) for n in numbers), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, EngatiError):
                raise result
        return results  # type: ignore[return-value]


async def _report(progress: ProgressFn, reading: Reading) -> None:
    total = reading.paging.total
    of = f" of {reading.paging.last_page}" if total is not None else ""
    await progress(reading.size, total, f"Fetched page {reading.pages}{of}")
