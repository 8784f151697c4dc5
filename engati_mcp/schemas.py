"""The tools' contracts: input field types (with the API's rules) and structured output models.

Every rule of Engati's API lives here as a pydantic constraint, so `tools/list` shows it to the
model (minimum/maximum, minLength/maxLength, pattern, descriptions with examples) and a bad
argument is refused with a clear error before any request is sent. Dates are the one field that
needs code: a model may give epoch milliseconds, an ISO date or a relative window, and the most
common mistake (epoch *seconds*) gets a message that says exactly how to fix it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from engati_mcp.digest_types import Detail

# Control characters are refused: C0, DEL and C1 (U+0085 NEXT LINE among them), and the line and
# paragraph separators U+2028/U+2029, which split a line as surely as "\n" does when echoed.
_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f\u2028\u2029]")
MS_MIN = 100_000_000_000  # below this an epoch number can only be seconds (1973 as ms)
MS_MAX = 10_000_000_000_000  # year 2286: anything larger is microseconds or nonsense
_RELATIVE = re.compile(r"^(\d{1,5})\s*([mhdw])$")
_RELATIVE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


# ---------------------------------------------------------------------------------------------
# Dates


def now_utc() -> datetime:
    """The current time; one function so tests and results agree on what "now" is."""
    return datetime.now(UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def iso_utc(ms: int | None) -> str | None:
    """An epoch-ms value as ISO 8601 UTC with a Z, e.g. 2025-03-01T08:00:00Z (milliseconds shown
    only when not zero: Engati's precision, and fewer tokens than microseconds)."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    fraction = f".{ms % 1000:03d}" if ms % 1000 else ""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{fraction}Z"


def parse_date_input(value: int | str | None, tz: tzinfo = UTC, now: datetime | None = None) -> int | None:
    """A tool's date argument as UTC epoch milliseconds (None: not given). An ISO date or time
    without an offset is read in `tz` (the server's ENGATI_TIMEZONE)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("must be epoch milliseconds, an ISO-8601 date or a relative window like '7d'")
    if isinstance(value, int):
        return _checked_ms(value)
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return _checked_ms(int(text))
    now = now or now_utc()
    if text.lower() == "now":
        return to_ms(now)
    if match := _RELATIVE.match(text.lower()):
        amount, unit = int(match.group(1)), _RELATIVE_UNITS[match.group(2)]
        return to_ms(now - timedelta(**{unit: amount}))
    return _in_range(_parse_iso(text, tz), text)


def _checked_ms(number: int) -> int:
    if 0 <= number < MS_MIN:
        raise ValueError(f"{number} looks like seconds, not milliseconds; multiply by 1000 (e.g. {number * 1000})")
    if number < 0 or number >= MS_MAX:
        raise ValueError(f"{number} is not a plausible UTC epoch-milliseconds time (13 digits, e.g. 1740787200000)")
    return number


def _parse_iso(text: str, tz: tzinfo) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=tz)  # a bare date is midnight, local
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not a date this tool reads: use epoch milliseconds (1740787200000), "
            "ISO 8601 ('2025-03-01' or '2025-03-01T08:00:00Z') or a window back from now ('24h', '7d')"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)  # no offset: the server's time zone


def _in_range(moment: datetime, text: str) -> int:
    """Epoch ms of an ISO time, refused when it cannot be a chat's time (before 1970, after 2286)."""
    try:
        ms = to_ms(moment)
    except (OverflowError, ValueError, OSError):
        ms = -1
    if not 0 <= ms < MS_MAX:
        raise ValueError(f"{text[:40]!r} is outside the dates Engati keeps (1970 to 2286)")
    return ms


def _valid_date(value: int | str | None) -> int | str | None:
    """Check a date argument's form now (so a bad one is refused before any request); it is read
    into milliseconds by the tool, in the server's time zone."""
    parse_date_input(value)
    return value.strip() if isinstance(value, str) else value


_DATE_FORMS = (
    "UTC epoch milliseconds (not seconds), ISO 8601 ('2025-03-01', '2025-03-01T08:00', no offset "
    "= the server's time zone) or a window back from now ('30m', '24h', '7d', '2w', 'now')"
)
DateArg = Annotated[
    int | str | None,
    AfterValidator(_valid_date),
    WithJsonSchema({"type": ["integer", "string", "null"], "default": None}),
]
StartDate = Annotated[DateArg, Field(description=f"Start of the window: {_DATE_FORMS}. Omit: the beginning.")]
EndDate = Annotated[DateArg, Field(description="End of the window, after start_date; same forms. Omit: now.")]


# ---------------------------------------------------------------------------------------------
# Inputs
#
# The schemas a model reads are kept lean (no regular expressions, and `server` drops the titles
# pydantic adds: every tool's definition is paid for in every conversation); the rules are still
# checked here, each with a clear error naming the field.


def _one_line_text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters or line breaks")
    return value


def _user_id(value: str) -> str:
    if "/" in value:
        raise ValueError("must not contain '/'")
    if value in {".", ".."}:
        raise ValueError("must be a real channel user id, not '.' or '..'")
    return _one_line_text(value)


def _digits_as_text(value: Any) -> Any:
    """A phone-number id sent as a JSON number (919876543210) means the same digits as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    return value


def _text(max_length: int, description: str, *checks: Any) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        BeforeValidator(_digits_as_text),
        *[AfterValidator(check) for check in checks],
        Field(description=description),
    ]


AttributeName = _text(256, "Attribute name, case-sensitive: 'email', 'user.phone_no', or a custom one.", _one_line_text)
AttributeValue = _text(1024, "The value it must equal, e.g. 'asha.rao@example.com'.", _one_line_text)
ChannelUserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=256),
    BeforeValidator(_digits_as_text),
    AfterValidator(_user_id),
    Field(description="From find_users (WhatsApp: the phone number with country code, digits only)."),
]
PageNumber = Annotated[
    Annotated[int, Field(ge=1, le=100_000)] | None,
    BeforeValidator(_no_bool),
    Field(description="Read only this page of Engati's (from 1). Omit: the whole window."),
]
PageSize = Annotated[Annotated[int, Field(ge=1, le=500)], BeforeValidator(_no_bool)]
MaxTokens = Annotated[
    Annotated[int, Field(ge=200, le=100_000)],
    BeforeValidator(_no_bool),
    Field(description="Budget for the whole result."),
]
DetailArg = Annotated[
    Detail,  # the one Detail type: the digest's own
    Field(
        description="questions: only what the user wrote; conversation: with bot and agent replies "
        "shortened; full: verbatim."
    ),
]


class HistoryArgs(BaseModel):
    """get_chat_history's arguments, declared once: the tool's input schema (`server` signs the tool
    with these fields), their validation, and the source of every `next_call` (dates are checked
    here and read into milliseconds by the tool, in the server's time zone)."""

    model_config = ConfigDict(frozen=True)

    channel_user_id: ChannelUserId
    start_date: StartDate = None
    end_date: EndDate = None
    page_number: PageNumber = None
    page_size: PageSize = 500
    max_tokens: MaxTokens = 4000
    detail: DetailArg = "conversation"


# Left out of a `next_call` when they have these values.
HISTORY_DEFAULTS: dict[str, Any] = {
    name: field.default for name, field in HistoryArgs.model_fields.items() if not field.is_required()
}


# ---------------------------------------------------------------------------------------------
# Outputs (structured content)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserOut(_Out):
    channel_user_id: str = Field(description="Pass this to get_chat_history.")
    name: str | None = None
    channel: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class FindUsersResult(_Out):
    attribute_name: str
    attribute_value: str
    count: int = Field(description="How many users matched.")
    users: list[UserOut] = Field(description="The matching users (at most the first 100).")
    users_omitted: int = Field(0, description="Matches beyond the first 100, not listed.")
    hint: str | None = Field(None, description="What to try next, when nothing matched.")


class Window(_Out):
    start: str | None = Field(None, description="ISO UTC start applied; absent: the beginning.")
    end: str = Field(description="ISO UTC end applied.")


class ChatHistoryFacts(_Out):
    """What a program acts on; the digest itself is the text block, complete on its own. Kept
    small (it is paid for in the same budget): the first fields always, the rest while they fit."""

    messages: int = Field(description="Messages read in the window.")
    shown: int = Field(description="Messages shown, with a line or in a line's repeat count.")
    next_call: dict[str, Any] | None = Field(
        None, description="Exact get_chat_history arguments that read what was left out, if anything was."
    )
    incomplete: bool | None = Field(None, description="A page failed: part of the window was not read.")
    capped: bool | None = Field(None, description="ENGATI_MAX_MESSAGES stopped the read: earlier messages exist.")
    window: Window | None = None
    conversations: int | None = None
    listed: int | None = Field(default=None, description="Conversations with at least one line.")
    by_role: dict[str, int] | None = None
    page_number: int | None = None
    pages_fetched: int | None = None
    duplicates_dropped: int | None = None
    unreadable_items: int | None = None
