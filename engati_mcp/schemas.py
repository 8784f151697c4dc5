"""The tools' contracts: input field types (with the API's rules) and structured output models.

Every rule of Engati's API lives here as a pydantic constraint, so `tools/list` shows it to the
model (minimum/maximum, minLength/maxLength, pattern, descriptions with examples) and a bad
argument is refused with a clear error before any request is sent. Dates are the one field that
needs code: a model may give epoch milliseconds, an ISO date or a relative window, and the most
common mistake (epoch *seconds*) gets a message that says exactly how to fix it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

# JSON Schema patterns must work both in pydantic (Rust regex) and in clients (ECMA regex):
# no lookarounds, \uXXXX escapes only.
_NO_CONTROL = r"^[^\u0000-\u001F\u007F]+$"
_USER_ID = r"^[^/\u0000-\u001F\u007F]+$"
MS_MIN = 100_000_000_000  # below this an epoch number can only be seconds (1973 as ms)
MS_MAX = 10_000_000_000_000  # year 2286: anything larger is microseconds or nonsense
_RELATIVE = re.compile(r"^(\d{1,5})\s*([mhdw])$")
_RELATIVE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DATE_STRING = r"^(now|\d{1,5}\s*[mhdw]|\d{11,16}|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?)$"


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


def parse_date_input(value: int | str | None) -> int | None:
    """A tool's date argument as UTC epoch milliseconds (or None for "not given")."""
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
    if text.lower() == "now":
        return to_ms(now_utc())
    if match := _RELATIVE.match(text.lower()):
        amount, unit = int(match.group(1)), _RELATIVE_UNITS[match.group(2)]
        return to_ms(now_utc() - timedelta(**{unit: amount}))
    return to_ms(_parse_iso(text))


def _checked_ms(number: int) -> int:
    if 0 <= number < MS_MIN:
        raise ValueError(
            f"{number} looks like seconds, not milliseconds; multiply by 1000 (e.g. {number * 1000})"
        )
    if number < 0 or number >= MS_MAX:
        raise ValueError(f"{number} is not a plausible UTC epoch-milliseconds time (13 digits, e.g. 1740787200000)")
    return number


def _parse_iso(text: str) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)  # a bare date is midnight UTC
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not a date this tool reads: use epoch milliseconds (1740787200000), "
            "ISO 8601 ('2025-03-01' or '2025-03-01T08:00:00Z') or a window back from now ('24h', '7d')"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # no offset means UTC


def _date_field(role: str, example: str) -> Any:
    return Annotated[
        int | str | None,
        AfterValidator(parse_date_input),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "integer", "minimum": MS_MIN, "maximum": MS_MAX - 1,
                     "description": "UTC epoch milliseconds (13 digits)."},
                    {"type": "string", "pattern": _DATE_STRING, "maxLength": 40,
                     "description": "ISO-8601 date or datetime (no offset = UTC), or a window back from now: "
                                    "'30m', '24h', '7d', '2w', or 'now'."},
                    {"type": "null"},
                ],
                "default": None,
                "description": (
                    f"{role} UTC epoch MILLISECONDS (not seconds), an ISO-8601 date/datetime, or a relative "
                    f"window back from now. Examples: {example}."
                ),
            }
        ),
    ]


StartDate = _date_field("Start of the window (inclusive); omit for the beginning of the history.",
                        "1740787200000, '2025-03-01', '2025-03-01T08:00:00Z', '7d'")
EndDate = _date_field("End of the window; must be later than start_date; omit for now.",
                      "1741392000000, '2025-03-08', 'now', '24h'")


# ---------------------------------------------------------------------------------------------
# Inputs

AttributeName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=256, pattern=_NO_CONTROL),
    Field(description="Name of the user attribute to match, case-sensitive. Examples: 'email', "
                      "'user.phone_no', 'name', or a custom attribute such as 'c1'."),
]
def _digits_as_text(value: Any) -> Any:
    """A phone-number id sent as a JSON number (919876543210) means the same digits as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else value


AttributeValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1024, pattern=_NO_CONTROL),
    BeforeValidator(_digits_as_text),
    Field(description="The value the attribute must equal. Examples: 'asha.rao@example.com', '919876543210'."),
]


def _not_dot_segment(value: str) -> str:
    if value in {".", ".."}:
        raise ValueError("must be a real channel user id, not '.' or '..'")
    return value


ChannelUserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=256, pattern=_USER_ID),
    BeforeValidator(_digits_as_text),
    AfterValidator(_not_dot_segment),
    Field(
        description="The user's id on their channel, as returned by find_users (channel_user_id). For "
                    "WhatsApp it is the phone number with country code, digits only, e.g. '919876543210'. "
                    "No '/', no control characters, not '.' or '..'.",
        json_schema_extra={"not": {"enum": [".", ".."]}},
    ),
]
PageNumber = Annotated[
    int | None,
    Field(ge=1, le=100_000, description="Fetch exactly this page (from 1). Omit to read the whole date range, "
                                        "page after page, up to the server's message cap."),
]
PageSize = Annotated[int, Field(ge=1, le=500, description="Messages per page fetched from Engati (1-500).")]
MaxTokens = Annotated[
    int,
    Field(ge=200, le=100_000, description="Token budget for everything this call returns; the transcript is "
                                          "trimmed to fit, never over, and the result says what was left out."),
]
Detail = Annotated[
    Literal["questions", "conversation", "full"],
    Field(description="'questions': only what the user wrote, deduplicated and dated (the direct answer to "
                      "'what did the user ask?'); 'conversation' (default): the user's messages first, bot and "
                      "agent replies shortened; 'full': every message verbatim, middle cut when too long."),
]


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
    start: str | None = Field(None, description="ISO UTC start applied; absent = beginning of the history.")
    end: str = Field(description="ISO UTC end applied.")


class OmittedSpanOut(_Out):
    count: int
    first: str | None = None
    last: str | None = None
    by_role: dict[str, int] = Field(default_factory=dict)


class ChatHistoryFacts(_Out):
    """Facts about the transcript in the text block; the transcript itself is not repeated here.

    Only the first group of fields is always present. The rest are left out when empty, and when
    the token budget is tight, so that the facts never crowd out the messages themselves.
    """

    channel_user_id: str
    window: Window
    server_time_utc: str = Field(description="The server's current UTC time, for reasoning about 'yesterday'.")
    total_messages: int = Field(description="Messages fetched in the window.")
    shown_messages: int = Field(description="Messages shown in the text, verbatim, shortened or as a repeat count.")
    omitted_messages: int = Field(description="Messages represented only by an omission marker.")
    next_call: dict[str, Any] | None = Field(
        None, description="Exact get_chat_history arguments that fetch what was left out, if anything was."
    )
    incomplete: str | None = Field(None, description="Why part of the range could not be fetched, if it could not.")
    capped: bool | None = Field(None, description="True when the server's message cap stopped the fetch early.")
    has_more: bool | None = Field(None, description="More messages exist beyond what was fetched (absent: unknown).")
    detail: str | None = None
    page_number: int | None = Field(None, description="The page fetched; absent when the whole range was read.")
    page_size: int | None = None
    pages_fetched: int | None = None
    counts_by_role: dict[str, int] | None = None
    omitted_by_role: dict[str, int] | None = None
    omitted_spans: list[OmittedSpanOut] | None = Field(
        None, description="The largest runs of omitted messages (the first is what next_call fetches)."
    )
    unreadable_items: int | None = Field(None, description="Records Engati sent that could not be read as messages.")
