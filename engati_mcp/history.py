"""Fetching a user's history: one page, or the whole date range page after page.

Engati's paging is undocumented (see shared/reference/engati-api.md), so what it says is checked
against what it sends, and every disagreement that could lose or repeat messages is said, with its
counts, in `FetchOutcome.notes`:

- reading goes on by the records actually received: a page shorter than asked while the total
  says more exist means Engati caps its page size, so reading continues at that size; a full page
  may be followed by more whatever the total says (a total can be low);
- a page that repeats an earlier one (Engati ignoring `page_number`) ends the reading;
- a message sent twice (overlapping pages) is kept once: known by Engati's id (with its time),
  else by time + sender + text;
- a total that disagrees with what a complete reading found is reported with both counts;
- when the window holds more than the message cap, the most recent messages are kept: the page
  order (oldest or newest first) is told from the timestamps, and with oldest-first pages and a
  known total the reading starts from the last page and goes backwards. The span read and the
  `end_date` that reaches the earlier messages are given. A single page holding more than the
  cap is trimmed the same way.

Kept apart from the MCP wiring so it can be tested against the sandbox or respx with plain
async calls. Fetched pages go through a small in-memory cache (bounded by messages held, a few
minutes of life) so that a model following a continuation does not fetch the same pages again.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cachetools import TTLCache

from engati_mcp.client import EngatiClient
from engati_mcp.errors import EngatiError
from engati_mcp.models import ChatPage, Message
from engati_mcp.parsing import chronological

ProgressFn = Callable[[int, int | None, str], Awaitable[None]]
PAGES_AT_ONCE = 3  # a few pages in flight: quicker than one by one, gentle on Engati's rate limit
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_CAP = 10**9


@dataclass(frozen=True)
class HistoryRequest:
    channel_user_id: str
    start_ms: int | None
    end_ms: int
    page_size: int


class PageOrder(StrEnum):
    OLDEST_FIRST = "oldest-first"
    NEWEST_FIRST = "newest-first"


@dataclass
class FetchOutcome:
    """What a fetch got. `error` and `failed_page` are set when a page could not be fetched;
    the messages are then those read before it."""

    messages: list[Message] = field(default_factory=list)
    pages_fetched: int = 0
    has_more: bool | None = False
    capped: bool = False  # more messages were read or exist than the cap let through
    unreadable_items: int = 0
    error: EngatiError | None = None
    failed_page: int | None = None
    # Sentences the result must show (pagination that could not be reconciled, duplicates dropped,
    # the span read when capped ...): each is complete on its own and carries its counts.
    notes: list[str] = field(default_factory=list)
    duplicates_dropped: int = 0  # messages Engati sent twice, kept once
    reported_total: int | None = None  # Engati's own total for the window, as it reported it
    earlier_end_ms: int | None = None  # capped to the most recent: end_date that reads the earlier ones
    later_start_ms: int | None = None  # capped to the oldest (order known, no usable total): start_date for the rest
    page_order: PageOrder | None = None  # Engati's page order, when the timestamps told it


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

    async def one_page(self, request: HistoryRequest, page_number: int, max_messages: int | None = None) -> FetchOutcome:
        """One page as Engati numbers it, deduplicated and, if it holds more than the cap, trimmed
        to its most recent messages."""
        page = await self.page(request, page_number)
        cap = max_messages or self._max_messages or _NO_CAP
        reading = _Reading(_Paging(request.page_size, page.total_records, request.page_size), cap)
        reading.take(page_number, page)
        reading.ended = True  # the page is all that was asked for
        outcome = _outcome(reading, keep=_Keep.RECENT, single_page=page_number)
        outcome.has_more = True if outcome.capped else page.has_more
        return outcome

    async def whole_range(self, request: HistoryRequest, max_messages: int, progress: ProgressFn) -> FetchOutcome:
        """Every page of the range, or the most recent `max_messages` of it.

        An error on page 1 is raised (nothing was fetched); an error on a later page ends the fetch
        and is returned with what was read before it, so the caller can show it and say what failed.
        """
        first = await self.page(request, 1)
        reading = _Reading(_Paging.from_first(first, request.page_size), max_messages)
        reading.take(1, first)
        await _report(progress, reading)
        paging = reading.paging
        if paging.total is not None and paging.total > max_messages and paging.last_page > 1:
            return await self._most_recent(request, reading, progress)
        if not (reading.at_end(first) or reading.full()):
            await self._forward(request, reading, progress, 2)
        return _outcome(reading, keep=_forward_keep(reading))

    async def _forward(self, request: HistoryRequest, reading: _Reading, progress: ProgressFn, start: int) -> None:
        """Read pages `start`, `start + 1` ... a few at a time, until the end of the window, the
        cap, a repeated page or an error."""
        number, going = start, True
        while going:
            batch = range(number, number + reading.pages_wanted(reading.size))
            going = reading.take_forward(batch, await self._pages(request, batch))
            await _report(progress, reading)
            number = batch.stop

    async def _most_recent(self, request: HistoryRequest, reading: _Reading, progress: ProgressFn) -> FetchOutcome:
        """More messages than the cap: tell Engati's page order from page 1 and the last page, then
        read from the newest end (backwards from the last page, or forwards from page 2)."""
        last = reading.paging.last_page
        (tail,) = await self._pages(request, [last])
        order = _order(reading.first_page, tail) if isinstance(tail, ChatPage) else None
        if isinstance(tail, ChatPage) and order is not PageOrder.OLDEST_FIRST:
            reading.pages += 1  # the last page, fetched only to learn the order: newest-first, or unknown
            reading.order = order
            await self._forward(request, reading, progress, 2)
            return _outcome(reading, keep=_forward_keep(reading))
        if reading.take(last, tail):
            await self._backward(request, reading, progress, last - 1)
        return _outcome(reading, keep=_Keep.RECENT)

    async def _backward(self, request: HistoryRequest, reading: _Reading, progress: ProgressFn, start: int) -> None:
        """Read pages `start`, `start - 1` ... down to 2 (page 1 is in hand), until the pages after
        page 1 hold the cap."""
        number, going = start, start >= 2 and not reading.tail_full()
        while going:
            batch = range(number, max(1, number - reading.pages_wanted(reading.tail_size())), -1)
            going = reading.take_backward(batch, await self._pages(request, batch))
            await _report(progress, reading)
            number = batch.stop
        reading.ended = reading.ended or start < 2  # the last page was page 2: everything is read

    async def _pages(self, request: HistoryRequest, numbers: Sequence[int]) -> list[ChatPage | EngatiError]:
        results = await asyncio.gather(*(self.page(request, n) for n in numbers), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, EngatiError):
                raise result
        return results  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# What a reading has seen


@dataclass(frozen=True)
class _Paging:
    """How Engati pages this window, as far as page 1 shows."""

    size: int  # records per page Engati actually serves
    total: int | None  # what Engati reported
    asked: int = 0  # the page size asked for

    @classmethod
    def from_first(cls, first: ChatPage, asked: int) -> _Paging:
        got = _records(first)
        # Short but not empty while the total says more exist: Engati caps its page size, and its
        # pages are numbered at that size. More than asked: it ignores page_size.
        capped_size = 0 < got < asked and first.total_records is not None and first.total_records > got
        return cls(size=got if capped_size or got > asked else asked, total=first.total_records, asked=asked)

    @property
    def last_page(self) -> int:
        return max(1, math.ceil((self.total or 0) / self.size))


class _Keep(StrEnum):
    RECENT = "recent"  # the most recent `cap` messages
    OLDEST = "oldest"  # the oldest: reading went forwards through oldest-first pages and stopped
    FIRST = "first"  # the first in Engati's order: its order could not be told


class _Reading:
    """The messages read so far (each once), and what the pages showed about Engati's paging."""

    def __init__(self, paging: _Paging, cap: int) -> None:
        self.paging = paging
        self.cap = cap
        self.by_page: dict[int, list[Message]] = {}
        self.first_page = ChatPage(messages=[], page_number=1, page_size=paging.size)
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

    def take(self, number: int, page: ChatPage | EngatiError) -> bool:
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
        kept = []
        for message in page.messages:
            identity = _identity(message)
            if identity is not None and identity in self.seen:
                self.duplicates += 1
                continue
            if identity is not None:
                self.seen.add(identity)
            kept.append(message)
        self.by_page[number] = kept
        self.unreadable += page.unreadable_items
        self.size += len(kept) + page.unreadable_items
        self.biggest_page = max(self.biggest_page, _records(page))
        if self.order is None and number != 1:
            self.order = _order(self.first_page, page)
        return True

    def _repeats(self, number: int, page: ChatPage) -> bool:
        if not page.messages:
            return False
        fingerprint = hash(tuple((m.id, m.timestamp, m.role, m.text) for m in page.messages))
        earlier = self.fingerprints.setdefault(fingerprint, number)
        identities = [_identity(m) for m in page.messages]
        all_seen = all(i is not None and i in self.seen for i in identities)
        if earlier != number or all_seen:
            self.repeat = (number, earlier if earlier != number else None)
            return True
        return False

    def take_forward(self, numbers: Sequence[int], results: Sequence[ChatPage | EngatiError]) -> bool:
        """Take pages read forwards; True if reading should go on after them."""
        for number, page in zip(numbers, results, strict=True):
            if not self.take(number, page) or self.at_end(page) or self.full():  # type: ignore[arg-type]
                return False
        return True

    def take_backward(self, numbers: Sequence[int], results: Sequence[ChatPage | EngatiError]) -> bool:
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
        self.ended = _records(page) < self.paging.size or self.size == self.paging.total
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


# ---------------------------------------------------------------------------------------------
# The outcome and its notes


def _forward_keep(reading: _Reading) -> _Keep:
    """Which messages a forward reading keeps: with the whole window read, the most recent; if it
    stopped at the cap, those nearest where it started, so what is left is one contiguous span."""
    if reading.ended or reading.order is PageOrder.NEWEST_FIRST or len(reading.by_page) == 1:
        return _Keep.RECENT  # (one page over the cap: its most recent, as the page's own order is known)
    return _Keep.OLDEST if reading.order is PageOrder.OLDEST_FIRST else _Keep.FIRST


def _outcome(reading: _Reading, *, keep: _Keep, single_page: int | None = None) -> FetchOutcome:
    # Reading backwards and stopping early leaves a gap between page 1 and the pages read: page 1
    # is then left out, so what is shown is one contiguous span.
    gap = keep is _Keep.RECENT and not reading.ended and reading.order is PageOrder.OLDEST_FIRST
    read = reading.in_page_order(without_first=gap)
    kept = _trim(read, reading.cap, keep)
    outcome = FetchOutcome(
        messages=kept,
        pages_fetched=reading.pages,
        unreadable_items=reading.unreadable,
        error=reading.error,
        failed_page=reading.failed_page,
        duplicates_dropped=reading.duplicates,
        reported_total=reading.paging.total,
        page_order=reading.order,
    )
    stopped_at_cap = not reading.ended and reading.full() and reading.error is None and reading.repeat is None
    outcome.capped = len(kept) < len(read) or stopped_at_cap
    outcome.has_more = _has_more(reading, outcome.capped)
    if outcome.capped:
        _set_continuation(outcome, keep)
    outcome.notes = _notes(reading, outcome, keep=keep, read=len(read), single_page=single_page)
    return outcome


def _trim(messages: list[Message], cap: int, keep: _Keep) -> list[Message]:
    """At most `cap` messages, oldest first. `messages` is in Engati's page order."""
    if keep is _Keep.FIRST:
        return chronological(messages[:cap])
    ordered = chronological(messages)
    if len(ordered) <= cap:
        return ordered
    return ordered[-cap:] if keep is _Keep.RECENT else ordered[:cap]


def _has_more(reading: _Reading, capped: bool) -> bool | None:
    if reading.error is not None or capped:
        return True
    if reading.ended:
        return False
    total = reading.paging.total  # a repeated page stopped the reading: more exist if Engati says so
    return True if total is not None and reading.size < total else None


def _set_continuation(outcome: FetchOutcome, keep: _Keep) -> None:
    stamped = [m.timestamp for m in outcome.messages if m.timestamp is not None]
    if not stamped:
        return
    if keep is _Keep.RECENT:
        outcome.earlier_end_ms = _ms(min(stamped))  # end_date is exclusive: everything before the oldest shown
    elif keep is _Keep.OLDEST:
        outcome.later_start_ms = _ms(max(stamped)) + 1


def _notes(reading: _Reading, outcome: FetchOutcome, *, keep: _Keep, read: int, single_page: int | None) -> list[str]:
    notes = []
    if reading.repeat is not None:
        notes.append(_repeat_note(reading, *reading.repeat))
    if reading.duplicates:
        n = reading.duplicates
        notes.append(f"Dropped {n:,} message{'s' if n != 1 else ''} that Engati sent twice.")
    if reading.ended and single_page is None and reading.paging.total is not None and reading.size != reading.paging.total:
        total, size = reading.paging.total, reading.size
        notes.append(f"Engati reported {total:,} messages but {'' if size > total else 'only '}{size:,} "
                     f"{'were' if size > total else 'could be'} read.")
    if reading.biggest_page > reading.paging.asked > 0 and outcome.capped:
        notes.append(f"Engati sent {reading.biggest_page:,} messages on one page although "
                     f"{reading.paging.asked:,} were asked.")
    if outcome.capped:
        notes.append(_capped_note(reading, outcome, keep=keep, read=read, single_page=single_page))
    return notes


def _repeat_note(reading: _Reading, page: int, earlier: int | None) -> str:
    total = reading.paging.total
    of = f" of {total:,}" if total is not None and total > reading.size else ""
    what = (f"Engati ignored page_number: page {page} repeated page {earlier}" if earlier is not None else
            f"Engati's page {page} held only messages already read (it ignored page_number, or its pages overlap)")
    return f"{what}; only the first {reading.size:,}{of} messages could be read; narrow the dates to read the rest."


def _capped_note(reading: _Reading, outcome: FetchOutcome, *, keep: _Keep, read: int, single_page: int | None) -> str:
    n = len(outcome.messages)
    span = _span(outcome.messages)
    earlier = (f"the earlier ones: end_date={outcome.earlier_end_ms}" if outcome.earlier_end_ms is not None
               else "narrow the dates to read the earlier ones")  # no message had a time to continue from
    if single_page is not None:
        return f"CAPPED: kept the {n:,} most recent of the {read:,} messages on page {single_page}{span}; {earlier}."
    total = reading.paging.total
    of = f"{read:,}" if reading.ended else f"{total:,}" if total is not None and total > n else f"more than {n:,}"
    if keep is _Keep.RECENT:
        return f"CAPPED: read the {n:,} most recent of {of} messages{span}; {earlier}."
    if keep is _Keep.OLDEST:
        why = "Engati gave no total" if total is None else f"Engati's total ({total:,}) was wrong"
        return (f"CAPPED: read the {n:,} oldest of {of} messages{span}; {why}, so its last page could not be found "
                f"to read the most recent; the later ones: start_date={outcome.later_start_ms}.")
    return (f"CAPPED: read the first {n:,} of {of} messages in Engati's order{span}; its page order could not be "
            "told from the times, so narrow the dates to read the rest.")


def _span(messages: list[Message]) -> str:
    stamped = [m.timestamp for m in messages if m.timestamp is not None]
    if not stamped:
        return ""
    return f" ({min(stamped):%Y-%m-%d %H:%M} → {max(stamped):%Y-%m-%d %H:%M} UTC)"


# ---------------------------------------------------------------------------------------------
# Small helpers


def _records(page: ChatPage) -> int:
    """Records Engati sent on a page, readable or not: what its page size counts."""
    return len(page.messages) + page.unreadable_items


def _identity(message: Message) -> tuple[object, ...] | None:
    """What makes a message the same one when sent twice. Engati's id goes with the time: under a
    name we read as the message id, an Engati variant might send a sender's or session's id. With
    neither id nor time, two messages cannot be told apart from one sent twice: None, always kept."""
    if message.id is not None:
        return ("id", message.id, message.timestamp)
    if message.timestamp is not None:
        return ("at", message.timestamp, message.role, message.text)
    return None


def _order(first: ChatPage, later: ChatPage) -> PageOrder | None:
    """Engati's page order, from a page read after page 1: its times all later, or all earlier."""
    a = [m.timestamp for m in first.messages if m.timestamp is not None]
    b = [m.timestamp for m in later.messages if m.timestamp is not None]
    if not a or not b or later.page_number == first.page_number:
        return None
    if min(b) >= max(a):
        return PageOrder.OLDEST_FIRST if later.page_number > first.page_number else PageOrder.NEWEST_FIRST
    if max(b) <= min(a):
        return PageOrder.NEWEST_FIRST if later.page_number > first.page_number else PageOrder.OLDEST_FIRST
    return None


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


async def _report(progress: ProgressFn, reading: _Reading) -> None:
    total = reading.paging.total
    of = f" of {reading.paging.last_page}" if total is not None else ""
    await progress(reading.size, total, f"Fetched page {reading.pages}{of}")
