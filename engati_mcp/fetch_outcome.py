"""What a fetch got (`FetchOutcome`), made from a finished `Reading`: the messages kept and why.

A reading can end with more messages than the cap, a total that disagrees with what was read,
duplicates dropped or a repeated page. None of it is hidden: every disagreement that could lose
or repeat messages becomes a sentence in `FetchOutcome.notes`, complete on its own, with its
counts. Over the cap, one contiguous span is kept (the most recent when the page order allows)
and the outcome says the span read and the `end_date` (or `start_date`) that reaches the rest,
so a model can continue instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from engati_mcp.errors import EngatiError
from engati_mcp.models import Message
from engati_mcp.pagination import PageOrder, Reading, timestamps_of
from engati_mcp.parsing import chronological

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class Keep(StrEnum):
    """Which messages stay when a reading holds more than the cap."""

    RECENT = "recent"  # the most recent `cap` messages
    OLDEST = "oldest"  # the oldest: reading went forwards through oldest-first pages and stopped
    FIRST = "first"  # the first in Engati's order: its order could not be told


def forward_keep(reading: Reading) -> Keep:
    """Which messages a forward reading keeps: with the whole window read, the most recent; if it
    stopped at the cap, those nearest where it started, so what is left is one contiguous span."""
    if reading.ended or reading.order is PageOrder.NEWEST_FIRST or len(reading.by_page) == 1:
        return Keep.RECENT  # (one page over the cap: its most recent, as the page's own order is known)
    return Keep.OLDEST if reading.order is PageOrder.OLDEST_FIRST else Keep.FIRST


def outcome_of(reading: Reading, *, keep: Keep, single_page: int | None = None) -> FetchOutcome:
    """The outcome of a finished reading: at most `reading.cap` messages, oldest first, with notes.
    `single_page` is the page number when one page was all that was asked for."""
    # Reading backwards and stopping early leaves a gap between page 1 and the pages read: page 1
    # is then left out, so what is shown is one contiguous span.
    gap = keep is Keep.RECENT and not reading.ended and reading.order is PageOrder.OLDEST_FIRST
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


def _trim(messages: list[Message], cap: int, keep: Keep) -> list[Message]:
    """At most `cap` messages, oldest first. `messages` is in Engati's page order."""
    if keep is Keep.FIRST:
        return chronological(messages[:cap])
    ordered = chronological(messages)
    if len(ordered) <= cap:
        return ordered
    return ordered[-cap:] if keep is Keep.RECENT else ordered[:cap]


def _has_more(reading: Reading, capped: bool) -> bool | None:
    if reading.error is not None or capped:
        return True
    if reading.ended:
        return False
    total = reading.paging.total  # a repeated page stopped the reading: more exist if Engati says so
    return True if total is not None and reading.size < total else None


def _set_continuation(outcome: FetchOutcome, keep: Keep) -> None:
    stamped = timestamps_of(outcome.messages)
    if not stamped:
        return
    if keep is Keep.RECENT:
        outcome.earlier_end_ms = _ms(min(stamped))  # end_date is exclusive: everything before the oldest shown
    elif keep is Keep.OLDEST:
        outcome.later_start_ms = _ms(max(stamped)) + 1


def _notes(reading: Reading, outcome: FetchOutcome, *, keep: Keep, read: int, single_page: int | None) -> list[str]:
    notes = []
    if reading.repeat is not None:
        notes.append(_repeat_note(reading, *reading.repeat))
    if reading.duplicates:
        n = reading.duplicates
        notes.append(f"Dropped {n:,} message{'s' if n != 1 else ''} that Engati sent twice.")
    if (
        reading.ended
        and single_page is None
        and reading.paging.total is not None
        and reading.size != reading.paging.total
    ):
        total, size = reading.paging.total, reading.size
        notes.append(
            f"Engati reported {total:,} messages but {'' if size > total else 'only '}{size:,} "
            f"{'were' if size > total else 'could be'} read."
        )
    if reading.biggest_page > reading.paging.asked > 0 and outcome.capped:
        notes.append(
            f"Engati sent {reading.biggest_page:,} messages on one page although {reading.paging.asked:,} were asked."
        )
    if outcome.capped:
        notes.append(_capped_note(reading, outcome, keep=keep, read=read, single_page=single_page))
    return notes


def _repeat_note(reading: Reading, page: int, earlier: int | None) -> str:
    total = reading.paging.total
    of = f" of {total:,}" if total is not None and total > reading.size else ""
    what = (
        f"Engati ignored page_number: page {page} repeated page {earlier}"
        if earlier is not None
        else f"Engati's page {page} held only messages already read (it ignored page_number, or its pages overlap)"
    )
    return f"{what}; only the first {reading.size:,}{of} messages could be read; narrow the dates to read the rest."


def _capped_note(reading: Reading, outcome: FetchOutcome, *, keep: Keep, read: int, single_page: int | None) -> str:
    n = len(outcome.messages)
    span = _span(outcome.messages)
    earlier = (
        f"the earlier ones: end_date={outcome.earlier_end_ms}"
        if outcome.earlier_end_ms is not None
        else "narrow the dates to read the earlier ones"
    )  # no message had a time to continue from
    if single_page is not None:
        return f"CAPPED: kept the {n:,} most recent of the {read:,} messages on page {single_page}{span}; {earlier}."
    total = reading.paging.total
    of = f"{read:,}" if reading.ended else f"{total:,}" if total is not None and total > n else f"more than {n:,}"
    if keep is Keep.RECENT:
        return f"CAPPED: read the {n:,} most recent of {of} messages{span}; {earlier}."
    if keep is Keep.OLDEST:
        why = "Engati gave no total" if total is None else f"Engati's total ({total:,}) was wrong"
        return (
            f"CAPPED: read the {n:,} oldest of {of} messages{span}; {why}, so its last page could not be found "
            f"to read the most recent; the later ones: start_date={outcome.later_start_ms}."
        )
    return (
        f"CAPPED: read the first {n:,} of {of} messages in Engati's order{span}; its page order could not be "
        "told from the times, so narrow the dates to read the rest."
    )


def _span(messages: list[Message]) -> str:
    stamped = timestamps_of(messages)
    if not stamped:
        return ""
    return f" ({min(stamped):%Y-%m-%d %H:%M} → {max(stamped):%Y-%m-%d %H:%M} UTC)"


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)
