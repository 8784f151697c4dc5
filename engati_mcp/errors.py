"""Errors that reach the user, each worded to say what went wrong and what to do about it.

Every message here is built from our own words plus values we control (status codes, Engati's
error code and description, a path template). None of them ever includes the API key, and the
client never formats a request's headers into an exception, so no error can leak it.
"""

from __future__ import annotations

PORTAL = "the Engati portal (Integration > Engati API)"


class EngatiError(Exception):
    """Base class: an anticipated failure whose `str()` is a complete, actionable message."""


class EngatiConfigError(EngatiError):
    """The server's configuration is missing or malformed."""


class EngatiAPIError(EngatiError):
    """Engati answered with an error status (HTTP or an Engati status code in the body)."""

    def __init__(self, message: str, *, status: int | None, engati_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.engati_code = engati_code


class EngatiUnavailableError(EngatiError):
    """Engati could not be reached or did not answer in time."""


class EngatiResponseError(EngatiError):
    """Engati answered 2xx with a body we cannot read (never guessed at, always reported)."""


class BudgetTooSmallError(EngatiError):
    """The caller's max_tokens cannot hold even the facts a result must carry."""


def api_error(status: int, engati_code: int | None, desc: str | None, retry_after: float | None = None) -> EngatiAPIError:
    """Map an HTTP status and Engati error code to one distinct, actionable message."""
    detail = f" ({engati_code} {desc})" if engati_code is not None and desc else ""
    message = _message_for(status, engati_code, desc, retry_after) + detail
    return EngatiAPIError(message, status=status, engati_code=engati_code)


def _message_for(status: int, code: int | None, desc: str | None, retry_after: float | None) -> str:
    if code == 1002:
        return (
            "Engati did not recognise the bot, customer or user id. The channel user id may be wrong: "
            "use find_users to look it up (by email or user.phone_no), then pass its channel_user_id. "
            f"If every id fails, check ENGATI_CUSTOMER_ID and ENGATI_BOT_KEY against {PORTAL}."
        )
    if code == 1003:
        return (
            "Engati rejected the date range: dates must be UTC epoch milliseconds (13 digits) and "
            "end_date must be later than start_date. Adjust start_date/end_date and retry."
        )
    if code == 1004:
        return "Engati rejected the page number: page_number must be a positive integer starting at 1."
    if status < 400:
        return "Engati reported an error in an otherwise successful response."
    if status == 400:
        return "Engati rejected the request as invalid (HTTP 400). Check the arguments and retry."
    if status == 401:
        return (
            "Engati refused the API key (HTTP 401): it is invalid, revoked or was regenerated. "
            f"Create a new key in {PORTAL} and set it as ENGATI_API_KEY."
        )
    if status == 403:
        return (
            "Engati denied access (HTTP 403): this API key may not access this bot. Check that "
            f"ENGATI_CUSTOMER_ID and ENGATI_BOT_KEY belong to the key's account in {PORTAL}."
        )
    if status == 404:
        return (
            "Engati answered 404 Not Found. Check ENGATI_BASE_URL (default https://api.engati.com; some "
            "accounts use https://api.engati.ai) and ENGATI_BOT_KEY."
        )
    if status == 429:
        wait = f"about {retry_after:.0f} s" if retry_after else "a minute"
        return f"Engati is rate-limiting requests (HTTP 429). Wait {wait} and retry, making fewer calls."
    if status >= 500:
        return f"Engati had a server error (HTTP {status}). This is on Engati's side: retry in a minute."
    return f"Engati answered with unexpected HTTP status {status}."


def timeout_error(seconds: float) -> EngatiUnavailableError:
    return EngatiUnavailableError(
        f"Engati did not answer within {seconds:g} s. Retry; if it keeps happening, narrow the date "
        "range, use a smaller page_size, or raise ENGATI_TIMEOUT."
    )


def connection_error(host: str, reason: str) -> EngatiUnavailableError:
    return EngatiUnavailableError(
        f"Could not connect to Engati at {host} ({reason}). Check the network and ENGATI_BASE_URL."
    )


def deadline_error(seconds: float) -> EngatiUnavailableError:
    return EngatiUnavailableError(
        f"The call did not finish within its {seconds:g} s deadline (ENGATI_CALL_DEADLINE); Engati is slow "
        "or unavailable. Retry later, or ask for less (narrower dates, one page)."
    )
