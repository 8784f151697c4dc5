"""Recently fetched pages of chat history, kept a few minutes so a continuation costs no request.

A model following a continuation (the next page, the earlier messages) often asks again for
pages it has just read. One cache per server process answers those from memory. It is bounded
by the messages it holds, not by the number of pages, since a page can be 1 message or 1,000;
and entries expire after a few minutes, so a conversation still going on is soon read afresh.
"""

from __future__ import annotations

import contextlib

from cachetools import TTLCache

from engati_mcp.models import ChatPage

PageKey = tuple[object, ...]  # the exact request: user, window, page size and page number


class PageCache:
    """Recently fetched pages, keyed by the exact request, bounded by the messages they hold."""

    def __init__(self, max_messages: int = 50_000, ttl_seconds: float = 300.0) -> None:
        self._pages: TTLCache[PageKey, ChatPage] = TTLCache(
            maxsize=max_messages, ttl=ttl_seconds, getsizeof=lambda page: max(1, len(page.messages))
        )

    def get(self, key: PageKey) -> ChatPage | None:
        return self._pages.get(key)

    def put(self, key: PageKey, page: ChatPage) -> None:
        with contextlib.suppress(ValueError):  # a single page larger than the whole cache: just don't keep it
            self._pages[key] = page
