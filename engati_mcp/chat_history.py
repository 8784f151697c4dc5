"""What `get_chat_history` does: read the window from Engati, fit the digest and its facts in the budget.

The result is one text block (the digest: complete on its own, since many clients hand a model
only the text) and small structured facts (the window, the counts, and `next_call`: what a program
acts on). Both are paid for from the caller's `max_tokens`, in one fitting pass:

1. the required facts are priced at their widest (counts at their largest, the widest `next_call`),
2. the digest is budgeted once with what is left,
3. the optional facts are added while they fit.

When the budget is too small for even that (the minimum, 200, with a very long id), the id's echo
in the heading is shortened, then the facts shed what a program can do without.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from mcp.types import CallToolResult, TextContent

from engati_mcp.config import Settings
from engati_mcp.digest_types import BudgetedTranscript, Continuation
from engati_mcp.errors import BudgetTooSmallError, InvalidArgumentsError
from engati_mcp.history import FetchOutcome, HistoryRequest, ProgressFn
from engati_mcp.redaction import redact_messages
from engati_mcp.schemas import (
    HISTORY_DEFAULTS,
    ChatHistoryFacts,
    HistoryArgs,
    Window,
    iso_utc,
    now_utc,
    parse_date_input,
    to_ms,
)
from engati_mcp.state import ServerState
from engati_mcp.tokens import count_tokens
from engati_mcp.tools import deadline
from engati_mcp.transcript import budget_transcript

_ID_ECHO_CHARS = (40, 12)  # the id as the heading shows it: in full up to 40 characters, then shorter
_FACTS_SHARE = 10  # the structured content grows with optional facts up to max_tokens / this
_OPTIONAL_FACTS = (
    "window",
    "conversations",
    "listed",
    "by_role",
    "page_number",
    "pages_fetched",
    "duplicates_dropped",
    "unreadable_items",
)


async def get_chat_history(state: ServerState, args: HistoryArgs, progress: ProgressFn) -> CallToolResult:
    settings, _, fetcher = state.ready()
    now = now_utc()
    request = _request(args, settings, now)
    with deadline(settings):
        if args.page_number is not None:
            outcome = await fetcher.one_page(request, args.page_number)
        else:
            outcome = await fetcher.whole_range(request, settings.max_messages, progress)
    if settings.redact_pii:
        outcome = replace(outcome, messages=redact_messages(outcome.messages))
    return _Fitting(args, request, outcome, settings, now).result()


def _request(args: HistoryArgs, settings: Settings, now: datetime) -> HistoryRequest:
    """The window in UTC milliseconds (ISO dates without an offset read in ENGATI_TIMEZONE)."""
    start = _milliseconds("start_date", args.start_date, settings, now)
    end = _milliseconds("end_date", args.end_date, settings, now)
    end = end if end is not None else to_ms(now)
    if start is not None and start >= to_ms(now):
        raise InvalidArgumentsError(
            "get_chat_history", {"start_date": f"is in the future ({iso_utc(start)}; now is {iso_utc(to_ms(now))})"}
        )
    if start is not None and end <= start:
        raise InvalidArgumentsError(
            "get_chat_history",
            {"end_date": f"must be later than start_date (start {iso_utc(start)}, end {iso_utc(end)})"},
        )
    return HistoryRequest(channel_user_id=args.channel_user_id, start_ms=start, end_ms=end, page_size=args.page_size)


def _milliseconds(field: str, value: int | str | None, settings: Settings, now: datetime) -> int | None:
    try:
        return parse_date_input(value, settings.zone, now)
    except ValueError as exc:
        raise InvalidArgumentsError("get_chat_history", {field: str(exc)}) from None


class _Fitting:
    """One call's result: the heading, the continuation rule, the facts, fitted together."""

    def __init__(
        self, args: HistoryArgs, request: HistoryRequest, outcome: FetchOutcome, settings: Settings, now: datetime
    ) -> None:
        self.args, self.request, self.outcome, self.settings = args, request, outcome, settings
        self.now = now
        self.id_in_next = True  # whether next_call can carry the id (not with a huge id at a tiny budget)

    def result(self) -> CallToolResult:
        for echo in _ID_ECHO_CHARS:
            for id_in_next in (True, False):
                self.id_in_next = id_in_next
                fitted = self._fit(echo)
                if fitted is not None:
                    return fitted
        raise BudgetTooSmallError(  # only reachable with an id no budget the schema allows can echo
            f"max_tokens={self.args.max_tokens} cannot hold even the heading of this result; raise max_tokens."
        )

    def _fit(self, echo: int) -> CallToolResult | None:
        worst = self._facts(None, worst=True)
        reserve = _tokens(worst)
        transcript = budget_transcript(
            self.outcome.messages,
            self.args.max_tokens - reserve,
            detail=self.args.detail,
            heading=self._heading(echo),
            tz=self.settings.zone,
            silence=self._silence(),
            next_call=self.next_call,
        )
        facts = self._facts(transcript)
        if transcript.tokens + _tokens(facts) > self.args.max_tokens:
            return None
        cap = self.args.max_tokens // _FACTS_SHARE
        for name in _OPTIONAL_FACTS:  # optional facts, while they fit, in a tenth of the budget at most
            value = self._optional(name, transcript)
            candidate = facts | {name: value}
            if value and _tokens(candidate) <= cap and transcript.tokens + _tokens(candidate) <= self.args.max_tokens:
                facts = candidate
        ChatHistoryFacts.model_validate(facts)  # the output schema holds, whatever was dropped
        return CallToolResult(content=[TextContent(type="text", text=transcript.text)], structured_content=facts)

    def _silence(self) -> timedelta:
        return timedelta(minutes=self.settings.conversation_gap_minutes)

    # -- the heading -------------------------------------------------------------------------

    def _heading(self, echo: int) -> str:
        zone = self.settings.timezone
        start = self._local(self.request.start_ms) if self.request.start_ms is not None else "the beginning"
        now = (
            f"{self._local(to_ms(self.now))} {zone}"
            if zone == "UTC"
            else f"{self._local(to_ms(self.now))}, times {zone}"
        )
        end = "now" if self.request.end_ms >= to_ms(self.now) else self._local(self.request.end_ms)
        scope = f", page {self.args.page_number} of {self.args.page_size}/page" if self.args.page_number else ""
        lines = [f"Chat history of {_abbreviated(self.args.channel_user_id, echo)}, {start} → {end}{scope} (now {now})"]
        outcome = self.outcome
        if outcome.error is not None:
            lines.append(
                f"INCOMPLETE: page {outcome.failed_page} failed: {outcome.error} Shown: what pages "
                f"1–{outcome.pages_fetched} held; the Next line retries the failed page."
            )
        elif self.args.page_number and outcome.has_more:
            lines.append(f"More pages exist: page_number={self.args.page_number + 1} continues.")
        lines.extend(outcome.notes)
        if outcome.unreadable_items:
            lines.append(
                f"{outcome.unreadable_items} record(s) from Engati could not be read as messages and are not shown."
            )
        return "\n".join(lines)

    def _local(self, ms: int) -> str:
        moment = datetime.fromtimestamp(ms / 1000, self.settings.zone)
        return f"{moment:%Y-%m-%d %H:%M}"

    # -- the continuation --------------------------------------------------------------------

    def next_call(self, continuation: Continuation | None) -> dict[str, Any] | None:
        """The follow-up call's exact arguments: what the fetch could not read comes first (a failed
        page, the earlier part of a capped window, the next page), then what the digest left out."""
        args, request, outcome = self.args, self.request, self.outcome
        window = {"start_date": request.start_ms, "end_date": request.end_ms}
        if outcome.error is not None:
            call = window | {"page_number": outcome.failed_page}
        elif outcome.capped and outcome.earlier_end_ms is not None:
            call = {"start_date": request.start_ms, "end_date": outcome.earlier_end_ms}
        elif outcome.capped and outcome.later_start_ms is not None:
            call = {"start_date": outcome.later_start_ms, "end_date": request.end_ms}
        elif args.page_number is not None and outcome.has_more:
            call = window | {"page_number": args.page_number + 1}
        elif continuation is None:
            return None
        elif continuation.larger_budget:
            if args.max_tokens >= 100_000:
                return None
            call = window | {"max_tokens": min(100_000, args.max_tokens * 4)}
        else:
            call = {"start_date": continuation.start_ms, "end_date": continuation.end_ms}
        return self._complete(call)

    def _complete(self, call: dict[str, Any]) -> dict[str, Any] | None:
        same = {"page_size": self.args.page_size, "max_tokens": self.args.max_tokens, "detail": self.args.detail}
        full = {
            key: value
            for key, value in ({"channel_user_id": self.args.channel_user_id} | same | call).items()
            if value is not None and value != HISTORY_DEFAULTS.get(key)
        }
        if full == self._this_call():
            return None  # never send a model back to the call it just made
        if not self.id_in_next:
            full.pop("channel_user_id")
        return full

    def _this_call(self) -> dict[str, Any]:
        this = {
            "channel_user_id": self.args.channel_user_id,
            "start_date": self.request.start_ms,
            "end_date": self.request.end_ms,
            "page_number": self.args.page_number,
            "page_size": self.args.page_size,
            "max_tokens": self.args.max_tokens,
            "detail": self.args.detail,
        }
        return {key: value for key, value in this.items() if value is not None and value != HISTORY_DEFAULTS.get(key)}

    # -- the facts ---------------------------------------------------------------------------

    def _facts(self, transcript: BudgetedTranscript | None, worst: bool = False) -> dict[str, Any]:
        total = len(self.outcome.messages)
        if transcript is None:  # priced before the digest exists: every number at its largest
            wide = 10**13
            next_call = self.next_call(Continuation(wide, wide))
            next_call = next_call and next_call | {"start_date": wide, "end_date": wide, "max_tokens": 100_000}
            shown = total
        else:
            next_call, shown = transcript.next_call, transcript.shown_messages
        facts = ChatHistoryFacts(
            messages=total,
            shown=shown,
            next_call=next_call,
            incomplete=self.outcome.error is not None or None,
            capped=self.outcome.capped or None,
        )
        return facts.model_dump(mode="json", exclude_none=True)

    def _optional(self, name: str, transcript: BudgetedTranscript) -> Any:
        outcome = self.outcome
        values = {
            "window": Window(start=iso_utc(self.request.start_ms), end=iso_utc(self.request.end_ms) or "").model_dump(
                exclude_none=True
            ),
            "conversations": transcript.conversations,
            "listed": transcript.conversations_listed,
            "by_role": transcript.counts_by_role,
            "page_number": self.args.page_number,
            "pages_fetched": outcome.pages_fetched if outcome.pages_fetched > 1 else None,
            "duplicates_dropped": outcome.duplicates_dropped,
            "unreadable_items": outcome.unreadable_items,
        }
        return values[name]


def _abbreviated(user_id: str, chars: int) -> str:
    """The id as the heading shows it; a very long one is cut (the call's own argument is exact)."""
    quoted = json.dumps(user_id, ensure_ascii=False)
    return quoted if len(quoted) <= chars + 2 else quoted[: chars + 1] + '…"'


def _tokens(structured: dict[str, Any]) -> int:
    return count_tokens(json.dumps(structured, ensure_ascii=False))
