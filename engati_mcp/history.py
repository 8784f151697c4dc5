"""Fetching a user's history: one page, or the whole date range page after page.

Kept apart from the MCP wiring so it can be tested against the sandbox or respx with plain
async calls. Fetched pages go through a small in-memory cache (bounded by messages held, a few
minutes of life) so that a model following a continuation does not fetch the same pages again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from cachetools import TTLCache

from engati_mcp.client import EngatiClient
from engati_mcp.errors import EngatiError
from engati_mcp.models import ChatPage, Message
from engati_mcp.parsing import chronological

ProgressFn = Callable[[int, int | None, str], Awaitable[None]]
PAGES_AT_ONCE = 3  # a few pages in flight: quicker than one by one, gentle on Engati's rate limit


@dataclass(frozen=True)
class HistoryRequest:
    channel_user_id: str
    start_ms: int | None
    end_ms: int
    page_size: int


@dataclass
class FetchOutcome:
    """What a fetch got. `error` and `failed_page` are set when a page could not be fetched;
    the messages are then those of the pages before it."""

    messages: list[Message] = field(default_factory=list)
    pages_fetched: int = 0
    has_more: bool | None = False
    capped: bool = False
    unreadable_items: int = 0
    error: EngatiError | None = None
    failed_page: int | None = None
    # Sentences the result must show (pagination that could not be reconciled, duplicates dropped,
    # the span read when capped ...): each is complete on its own and carries its counts.
    notes: list[str] = field(default_factory=list)


class PageCache:
    """Recently fetched pages, keyed by the exact request, bounded by the messages they hold."""

    def __init__(self, max_messages: int = 50_000, ttl_seconds: float = 300.0) -> None:
        self._pages: TTLCache[tuple[object, ...], ChatPage] = TTLCache(
            maxsize=max_messages, ttl=ttl_seconds, getsizeof=lambda page: max(1, len(page.messages))
        )

    def get(self, key: tuple[object, ...]) -> ChatPage | None:
        return self._pages.get(key)

    def put(self, key: tuple[object, ...], page: ChatPage) -> None:
        try:
            self._pages[key] = page
        except ValueError:  # a single page larger than the whole cache: just don't keep it
            pass


class HistoryFetcher:
    """Fetches pages through the cache; shared by every call of one server process."""

    def __init__(self, client: EngatiClient, cache: PageCache) -> None:
        self._client = client
        self._cache = cache

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

    async def one_page(self, request: HistoryRequest, page_number: int) -> FetchOutcome:
        page = await self.page(request, page_number)
        return FetchOutcome(
            messages=page.messages, pages_fetched=1, has_more=page.has_more, unreadable_items=page.unreadable_items
        )

    async def whole_range(self, request: HistoryRequest, max_messages: int, progress: ProgressFn) -> FetchOutcome:
        """Every page of the range, until a short page, the reported total, or the message cap.

        An error on page 1 is raised (nothing was fetched); an error on a later page ends the fetch
        and is returned with the pages before it, so the caller can show them and say what failed.
        """
        max_pages = max(1, max_messages // request.page_size)
        first = await self.page(request, 1)
        pages = [first]
        await progress(len(first.messages), first.total_records, _progress_text(1, first.total_records, request))
        outcome = FetchOutcome()
        last_page = _last_page(first, request.page_size, max_pages)
        next_page = 2
        while _more_to_fetch(pages[-1], next_page, last_page, max_pages):
            batch = range(next_page, min(next_page + PAGES_AT_ONCE, last_page + 1))
            results = await asyncio.gather(*(self.page(request, n) for n in batch), return_exceptions=True)
            for number, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    if not isinstance(result, EngatiError):
                        raise result
                    outcome.error, outcome.failed_page = result, number
                    break
                pages.append(result)
                if not result.messages or result.has_more is False:
                    break
            fetched = sum(len(p.messages) for p in pages)
            await progress(fetched, first.total_records, _progress_text(len(pages), first.total_records, request))
            if outcome.error is not None or pages[-1].has_more is False or not pages[-1].messages:
                break
            next_page = batch.stop
        return _combine(pages, outcome, max_pages)


def _last_page(first: ChatPage, page_size: int, max_pages: int) -> int:
    if first.total_records is not None:
        return min(max(1, math.ceil(first.total_records / page_size)), max_pages)
    return max_pages


def _more_to_fetch(last: ChatPage, next_page: int, last_page: int, max_pages: int) -> bool:
    return next_page <= min(last_page, max_pages) and last.has_more is not False and bool(last.messages)


def _combine(pages: list[ChatPage], outcome: FetchOutcome, max_pages: int) -> FetchOutcome:
    outcome.messages = chronological([m for page in pages for m in page.messages])
    outcome.pages_fetched = len(pages)
    outcome.unreadable_items = sum(page.unreadable_items for page in pages)
    last = pages[-1]
    outcome.has_more = True if outcome.error is not None else last.has_more
    outcome.capped = outcome.error is None and len(pages) >= max_pages and last.has_more is not False
    return outcome


def _progress_text(pages: int, total: int | None, request: HistoryRequest) -> str:
    if total is not None:
        return f"Fetched page {pages} of {max(1, math.ceil(total / request.page_size))}"
    return f"Fetched page {pages}"
