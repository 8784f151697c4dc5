"""Message times: every form Engati may send, read into an aware UTC datetime, or None.

Engati's public client shows a local-time string with slashes (``2025/03/01 13:45:10.123+0530``);
epoch milliseconds, epoch seconds and ISO 8601 are plausible too (see docs/engati-api.md). A time
is never guessed: a value that is not one of these forms, or that cannot be a chat message's time
(before 1990, from 2200 on, or a number too large for a float), is unreadable (None), and reading
never raises, whatever the value. Kept apart from `parsing` because it is the one place that knows
about clocks, units and offsets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

# A message time outside these bounds is not a chat message's time (a zero, a sentinel, a unit
# mistake, or a hostile 10**400): it is unreadable, never shown as a wrong date.
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_SECONDS_LIMIT = 100_000_000_000  # epoch numbers below this can only be seconds (before 1973 as ms)
_EPOCH_BOUND = 10**15  # far past 2200 in ms; checked before float(), which overflows on a huge JSON int
_EPOCH_TEXT = re.compile(r"\d{9,16}(\.\d+)?")
_SLASHED_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")  # Engati's "2025/03/01 13:45:10.123+0530"


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from any known timestamp form, or None if unreadable or implausible
    (before 1990 or from 2200 on). Never guessed, and never raises, whatever the value."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        moment = _from_epoch(value)
    elif isinstance(value, str):
        moment = _from_text(value.strip())
    else:
        return None
    return moment if moment is not None and _EARLIEST <= moment < _LATEST else None


def _from_text(text: str) -> datetime | None:
    """Epoch digits in a string, Engati's slashed local time, or ISO 8601."""
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(float(text))
    if _SLASHED_DATE.match(text):
        # The slashes are Engati's only departure from ISO 8601; fromisoformat (3.11+) reads the
        # rest: a space or "T", any fraction, "+0530", "+05:30" or "Z", or no offset (UTC).
        text = text[:10].replace("/", "-") + text[10:]
    try:
        parsed = datetime.fromisoformat(text)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 9999 with a negative offset
        return None


def _from_epoch(number: float) -> datetime | None:
    """Epoch seconds or milliseconds (told apart by size), bounded before any conversion."""
    if not -_EPOCH_BOUND < number < _EPOCH_BOUND:  # also False for NaN
        return None
    seconds = number if abs(number) < _SECONDS_LIMIT else number / 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
