"""Engati's paging as a reading actually finds it: the page size served, the page order, repeats.

Engati's paging is undocumented (see docs/engati-api.md), so what it says is checked against
what it sends. A `Reading` takes in pages one by one and keeps the bookkeeping that decides how
to go on and what can be trusted:

- reading goes on by the records actually received: a page shorter than asked while the total
  says more exist means Engati caps its page size, so reading continues at that size; a full page
  may be followed by more whatever the total says (a total can be low);
- a page that repeats an earlier one (Engati ignoring `page_number`) ends the reading;
- a message sent twice (overlapping pages) is kept once: known by Engati's id (with its time),
  else by time + sender + text;
- the page order (oldest or newest first) is told from the timestamps of two pages.

It fetches nothing itself (`history` does), so every rule here can be tested on plain pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from engati_mcp.errors import EngatiError
from engati_mcp.models import ChatPage, Message

PAGES_AT_ONCE = 3  # a few pages in flight: quicker than one by one, gentle on Engati's rate limit

PageResult = ChatPage | EngatiError  # a page, or the error fetching it


class PageOrder(StrEnum):
    OLDEST_FIRST = "oldest-first"
    NEWEST_FIRST = "newest-first"


@dataclass(frozen=True)
class Paging:
    """How Engati pages this window, as far as page 1 shows."""

    size: int  # records per page Engati actually serves
    total: int | None  # what Engati reported
    asked: int = 0  # the page size asked for

    @classmethod
    def from_first(cls, first: ChatPage, asked: int) -> Paging:
        got = records(first)
        # Short but not empty while the total says more exist: Engati caps its page size, and its
        # pages are numbered at that size. More than asked: it ignores page_size.
        capped_size = 0 < got < asked and first.total_records is not None and first.total_records > got
        return cls(size=got if capped_size or got > asked else asked, total=first.total_records, asked=asked)

    @property
    def last_page(self) -> int:
        return max(1, math.ceil((self.total or 0) / self.size))


class Reading:
    """The messages read so far (each once), and what the pages showed about Engati's paging."""

    def __init__(self, paging: Paging, cap: int) -> None:
        self.paging = paging
        self.cap = cap
        self.by_page: dict[int, list[Message]] = {}
        self.first_page = ChatPage(messages=[], page_number=1)
        self.seen: set[tuple[object, ...]] = set()
        self.fingerprints: dict[int, int] = {}  # hash of a page's content -> the first page that had it
        self.size = 0  # messages kept + unreadable records
        self.duplicates = 0
        self.unreadable = 0
        self.pages = 0
        self.biggest_page = 0
        self.repeat: tuple[int, int | None] | None = None  # (page, the earlier page it repeated)
        self.error: EngatiError | None = None
        self.failed_page: int | None = None
        self.ended = False  # the end of the window was reached
        self.order: PageOrder | None = None

    def take(self, number: int, page: PageResult) -> bool:
        """Take in one page (or the error fetching it). False when reading must stop here: an
        error, or a page repeating what was read (then nothing of it is kept)."""
        if isinstance(page, EngatiError):
            self.error, self.failed_page = page, number
            return False
        self.pages += 1
        if self._repeats(number, page):
            return False
        if number == 1:
            self.first_page = page
        kept = self._unseen(page.messages)
        self.by_page[number] = kept
        self.unreadable += page.unreadable_items
        self.size += len(kept) + page.unreadable_items
        self.biggest_page = max(self.biggest_page, records(page))
        if self.order is None and number != 1:
            self.order = page_order(self.first_page, page)
        return True

    def take_forward(self, numbers: Sequence[int], results: Sequence[PageResult]) -> bool:
        """Take pages read forwards; True if reading should go on after them."""
        for number, page in zip(numbers, results, strict=True):
            if not self.take(number, page) or self.at_end(page) or self.full():  # type: ignore[arg-type]
                return False
        return True

    def take_backward(self, numbers: Sequence[int], results: Sequence[PageResult]) -> bool:
        """Take pages read backwards; True if reading should go on below them."""
        for number, page in zip(numbers, results, strict=True):
            if not self.take(number, page):
                return False
            if number == 2:  # page 1 is in hand: the whole window is read
                self.ended = True
                return False
            if self.tail_full():
                return False
        return True

    def at_end(self, page: ChatPage) -> bool:
        """Whether the page just taken ends the window: short (or empty), or the total reached.
        A reading past the total goes on while pages are full: the total was wrong."""
        self.ended = records(page) < self.paging.size or self.size == self.paging.total
        return self.ended

    def full(self) -> bool:
        return self.size >= self.cap

    def tail_size(self) -> int:
        """Messages and records from the pages after page 1 (the newest, reading backwards)."""
        return self.size - len(self.by_page.get(1, [])) - self.first_page.unreadable_items

    def tail_full(self) -> bool:
        return self.tail_size() >= self.cap

    def pages_wanted(self, have: int) -> int:
        """How many pages to ask for at once: no more than the cap (or the total) can still use."""
        target = self.cap
        if self.paging.total is not None and self.paging.total > have:
            target = min(target, self.paging.total)
        return max(1, min(PAGES_AT_ONCE, math.ceil(max(1, target - have) / self.paging.size)))

    def in_page_order(self, *, without_first: bool = False) -> list[Message]:
        numbers = sorted(n for n in self.by_page if not (without_first and n == 1))
        return [m for n in numbers for m in self.by_page[n]]

    def _repeats(self, number: int, page: ChatPage) -> bool:
        if not page.messages:
            return False
        fingerprint = hash(tuple((m.id, m.timestamp, m.role, m.text) for m in page.messages))
        earlier = self.fingerprints.setdefault(fingerprint, number)
        identities = [message_identity(m) for m in page.messages]
        all_seen = all(i is not None and i in self.seen for i in identities)
        if earlier != number or all_seen:
            self.repeat = (number, earlier if earlier != number else None)
            return True
        return False

    def _unseen(self, messages: Iterable[Message]) -> list[Message]:
        """The messages not read before, counting the others as duplicates."""
        kept = []
        for message in messages:
            identity = message_identity(message)
            if identity is not None:
                if identity in self.seen:
                    self.duplicates += 1
                    continue
                self.seen.add(identity)
            kept.append(message)
        return kept


def records(page: ChatPage) -> int:
    """Records Engati sent on a page, readable or not: what its page size counts."""
    return len(page.messages) + page.unreadable_items


def message_identity(message: Message) -> tuple[object, ...] | None:
    """What makes a message the same one when sent twice. Engati's id goes with the time: under a
    name we read as the message id, an Engati variant might send a sender's or session's id. With
    neither id nor time, two messages cannot be told apart from one sent twice: None, always kept."""
    if message.id is not None:
        return ("id", message.id, message.timestamp)
    if message.timestamp is not None:
        return ("at", message.timestamp, message.role, message.text)
    return None


def page_order(first: ChatPage, later: ChatPage) -> PageOrder | None:
    """Engati's page order, from a page read after page 1: its times all later, or all earlier."""
    a, b = timestamps_of(first.messages), timestamps_of(later.messages)
    if not a or not b or later.page_number == first.page_number:
        return None
    if min(b) >= max(a):
        return PageOrder.OLDEST_FIRST if later.page_number > first.page_number else PageOrder.NEWEST_FIRST
    if max(b) <= min(a):
        return PageOrder.NEWEST_FIRST if later.page_number > first.page_number else PageOrder.OLDEST_FIRST
    return None


def timestamps_of(messages: Iterable[Message]) -> list[datetime]:
    """The times of the messages that have one."""
    return [m.timestamp for m in messages if m.timestamp is not None]
