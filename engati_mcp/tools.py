"""What the two tools do, independent of MCP registration (that is `server`'s job).

Each returns a `CallToolResult` built by hand, because the SDK's default would repeat the
structured JSON as the text block and a model would read every payload twice. Here each payload
lives once: `find_users` keeps the users in the structured content (the text names them
compactly), `get_chat_history` keeps the transcript in the text block (the structured content
holds only the facts about it), and both blocks together stay inside the caller's token budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.types import CallToolResult, TextContent

from engati_mcp.config import Settings
from engati_mcp.errors import BudgetTooSmallError, deadline_error
from engati_mcp.history import FetchOutcome, HistoryRequest, ProgressFn
from engati_mcp.models import EngatiUser, Message
from engati_mcp.redaction import redact_attributes, redact_messages
from engati_mcp.state import ServerState
from engati_mcp.schemas import (
    ChatHistoryFacts,
    FindUsersResult,
    OmittedSpanOut,
    UserOut,
    Window,
    iso_utc,
    now_utc,
    to_ms,
)
from engati_mcp.tokens import count_tokens
from engati_mcp.transcript import BudgetedTranscript, budget_transcript

MAX_USERS_LISTED = 100
_DEFAULTS = {"page_size": 500, "max_tokens": 4000, "detail": "conversation"}  # left out of next_call
_MIN_TRANSCRIPT_TOKENS = 60
_NO_MATCH_HINT = (
    "No user matched. Attribute names are case-sensitive and values must match exactly; common "
    "attributes are 'email' and 'user.phone_no' (phone with country code, digits only, e.g. 919876543210)."
)


# ---------------------------------------------------------------------------------------------
# find_users


async def find_users(state: ServerState, attribute_name: str, attribute_value: str) -> CallToolResult:
    settings, client, _ = state.ready()
    with _deadline(settings):
        users = await client.find_users(attribute_name, attribute_value)
    listed = users[:MAX_USERS_LISTED]
    result = FindUsersResult(
        attribute_name=attribute_name,
        attribute_value=attribute_value,
        count=len(users),
        users=[_user_out(user, settings.redact_pii) for user in listed],
        users_omitted=len(users) - len(listed),
        hint=None if users else _NO_MATCH_HINT,
    )
    return CallToolResult(
        content=[TextContent(type="text", text=_render_users(result))],
        structured_content=result.model_dump(mode="json"),
    )


def _user_out(user: EngatiUser, redact_pii: bool) -> UserOut:
    attributes = redact_attributes(user.attributes) if redact_pii else user.attributes
    return UserOut(channel_user_id=user.channel_user_id, name=user.name, channel=user.channel, attributes=attributes)


def _render_users(result: FindUsersResult) -> str:
    """A compact list: ids and names only. Attributes stay in the structured content (one copy)."""
    query = f"{result.attribute_name} = {json.dumps(result.attribute_value, ensure_ascii=False)}"
    if not result.users:
        return f"0 users with {query}. {result.hint}"
    lines = [f"{result.count} user(s) with {query} (attribute values are in the structured result):"]
    for user in result.users:
        about = ", ".join(part for part in (user.name, user.channel) if part)
        lines.append(f"- channel_user_id {json.dumps(user.channel_user_id)}" + (f" ({about})" if about else ""))
    if result.users_omitted:
        lines.append(f"… and {result.users_omitted} more not listed; use a more specific attribute.")
    lines.append("Next: get_chat_history(channel_user_id=…) to read what a user said.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# get_chat_history


@dataclass(frozen=True)
class HistoryArgs:
    channel_user_id: str
    start_ms: int | None
    end_ms: int | None
    page_number: int | None
    page_size: int
    max_tokens: int
    detail: str


async def get_chat_history(state: ServerState, args: HistoryArgs, progress: ProgressFn) -> CallToolResult:
    settings, _, fetcher = state.ready()
    now = now_utc()
    request = HistoryRequest(
        channel_user_id=args.channel_user_id,
        start_ms=args.start_ms,
        end_ms=args.end_ms if args.end_ms is not None else to_ms(now),
        page_size=args.page_size,
    )
    with _deadline(settings):
        if args.page_number is not None:
            outcome = await fetcher.one_page(request, args.page_number)
        else:
            outcome = await fetcher.whole_range(request, settings.max_messages, progress)
    messages = redact_messages(outcome.messages) if settings.redact_pii else outcome.messages
    return _fit_history(args, request, outcome, messages, iso_utc(to_ms(now)) or "")


def _fit_history(
    args: HistoryArgs, request: HistoryRequest, outcome: FetchOutcome, messages: list[Message], now_iso: str
) -> CallToolResult:
    """Budget the transcript so that text + structured content together fit `max_tokens`.

    The facts' size depends a little on the transcript (counts, spans), so reserve room for them,
    measure, and shrink the transcript's share until the whole fits; if the full facts leave too
    little room, fall back to the compact facts (the required ones).
    """
    heading = _heading(args, request, outcome, now_iso)
    compact = False
    reserve = _tokens_of(_facts(args, request, outcome, None, now_iso, compact)) + 24
    for _ in range(6):
        transcript_budget = args.max_tokens - reserve
        if transcript_budget < _MIN_TRANSCRIPT_TOKENS and not compact:
            compact = True
            reserve = _tokens_of(_facts(args, request, outcome, None, now_iso, compact)) + 16
            continue
        transcript = budget_transcript(messages, max(transcript_budget, 1), detail=args.detail, heading=heading)  # type: ignore[arg-type]
        facts = _facts(args, request, outcome, transcript, now_iso, compact)
        used = transcript.tokens + _tokens_of(facts)
        if used <= args.max_tokens:
            return CallToolResult(content=[TextContent(type="text", text=transcript.text)], structured_content=facts)
        reserve += used - args.max_tokens + 8
    # Only reachable when the arguments themselves (a very long channel_user_id, echoed in the
    # facts and next_call) leave no room: say so rather than return more than was asked for.
    needed = _tokens_of(_facts(args, request, outcome, None, now_iso, True)) + 2 * _MIN_TRANSCRIPT_TOKENS
    raise BudgetTooSmallError(
        "The result does not fit max_tokens (nothing is returned rather than more than was asked for):\n"
        f"- max_tokens: {args.max_tokens} cannot hold the facts a result must carry (the user id, window and "
        f"next call take about {needed - 2 * _MIN_TRANSCRIPT_TOKENS} tokens); raise it to at least "
        f"{min(max(needed, args.max_tokens + 1), 100_000)}. Engati's answer is cached, so retrying is cheap."
    )


def _heading(args: HistoryArgs, request: HistoryRequest, outcome: FetchOutcome, now_iso: str) -> str:
    start = iso_utc(request.start_ms) or "the beginning"
    end = iso_utc(request.end_ms)
    window = f"{start} → now ({now_iso})" if end == now_iso else f"{start} → {end} (now {now_iso})"
    scope = f" · page {args.page_number} of {args.page_size}/page" if args.page_number else ""
    lines = [f"Chat history of {_abbreviated(args.channel_user_id)} · {window}{scope}"]
    if outcome.error is not None:
        lines.append(f"INCOMPLETE: page {outcome.failed_page} failed: {outcome.error} Shown: pages 1–"
                     f"{outcome.pages_fetched} only; retry with page_number={outcome.failed_page}.")
    elif outcome.capped:
        lines.append(f"CAPPED: stopped at the server's message cap after {outcome.pages_fetched} page(s); "
                     "narrow the dates or continue with next_call.")
    elif args.page_number and outcome.has_more:
        lines.append(f"More pages exist: page_number={args.page_number + 1} continues.")
    lines.extend(outcome.notes)
    if outcome.unreadable_items:
        lines.append(f"{outcome.unreadable_items} record(s) from Engati could not be read as messages and are not shown.")
    return "\n".join(lines)


def _facts(
    args: HistoryArgs,
    request: HistoryRequest,
    outcome: FetchOutcome,
    transcript: BudgetedTranscript | None,
    now_iso: str,
    compact: bool,
) -> dict[str, Any]:
    """The structured facts. `compact` keeps only what a model needs to continue correctly."""
    total = len(outcome.messages)
    facts = ChatHistoryFacts(
        channel_user_id=args.channel_user_id,
        window=Window(start=iso_utc(request.start_ms), end=iso_utc(request.end_ms) or ""),
        server_time_utc=now_iso,
        total_messages=total,
        shown_messages=transcript.shown_messages if transcript else total,
        omitted_messages=transcript.omitted_messages if transcript else 0,
        next_call=_next_call(args, request, outcome, transcript),
        incomplete=str(outcome.error) if outcome.error is not None else None,
        capped=outcome.capped or None,
        has_more=outcome.has_more,
    )
    if not compact and transcript is not None:
        facts = facts.model_copy(update={
            # Only what is not a default or already in the text's header: every token here is
            # one the transcript cannot use.
            "detail": args.detail if args.detail != _DEFAULTS["detail"] else None,
            "page_number": args.page_number,
            "page_size": args.page_size if args.page_size != _DEFAULTS["page_size"] else None,
            "pages_fetched": outcome.pages_fetched if outcome.pages_fetched > 1 else None,
            "counts_by_role": transcript.counts_by_role,
            "omitted_by_role": transcript.omitted_by_role or None,
            "omitted_spans": [OmittedSpanOut(count=s.count, first=_iso(s.first), last=_iso(s.last), by_role=s.by_role)
                              for s in transcript.omitted_spans[:2]] or None,
            "unreadable_items": outcome.unreadable_items or None,
        })
    return facts.model_dump(mode="json", exclude_none=True)


def _next_call(
    args: HistoryArgs, request: HistoryRequest, outcome: FetchOutcome, transcript: BudgetedTranscript | None
) -> dict[str, Any] | None:
    """The exact arguments that fetch what this call left out, or None if nothing was."""
    same = {"channel_user_id": args.channel_user_id, "start_date": request.start_ms, "end_date": request.end_ms,
            "page_size": args.page_size, "max_tokens": args.max_tokens, "detail": args.detail}
    same = {key: value for key, value in same.items() if value is not None and value != _DEFAULTS.get(key)}
    if outcome.error is not None:
        return same | {"page_number": outcome.failed_page}
    if outcome.capped or (args.page_number is not None and outcome.has_more):
        return same | {"page_number": (args.page_number or outcome.pages_fetched) + 1}
    if transcript is not None and transcript.omitted_spans:
        span = transcript.omitted_spans[0]
        if span.first is not None and span.last is not None:
            return same | {"start_date": to_ms(span.first), "end_date": to_ms(span.last) + 1}
    return None


def _abbreviated(user_id: str) -> str:
    """The id as the heading shows it; a very long one is cut (the facts hold it exactly)."""
    quoted = json.dumps(user_id, ensure_ascii=False)
    return quoted if len(quoted) <= 42 else quoted[:40] + "…\""


def _iso(moment: Any) -> str | None:
    return iso_utc(to_ms(moment)) if moment is not None else None


def _tokens_of(structured: dict[str, Any]) -> int:
    return count_tokens(json.dumps(structured, ensure_ascii=False))


@contextmanager
def _deadline(settings: Settings) -> Iterator[None]:
    """One overall deadline per tool call, so no call hangs however Engati behaves."""
    try:
        with anyio.fail_after(settings.call_deadline):
            yield
    except TimeoutError:
        raise deadline_error(settings.call_deadline) from None
