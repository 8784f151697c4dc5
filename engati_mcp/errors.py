"""Errors that reach the user, each worded to say what went wrong and what to do about it.

Every message here is built from our own words plus values we control (status codes, Engati's
error code, a path template) and Engati's own short description. That description is Engati's
text, and an error body can echo the request's Authorization header: so messages are not assumed
clean, they are scrubbed (`engati_mcp.scrub`) wherever they leave the process.
"""

from __future__ import annotations

PORTAL = "the Engati portal (Integration > Engati API)"


class EngatiError(Exception):
    """Base class: an anticipated failure whose `str()` is a complete, actionable message."""


class EngatiConfigError(EngatiError):
    """The server's configuration is missing or malformed."""


class EngatiAPIError(EngatiError):
    """Engati answered with an error status (HTTP or an Engati status code in the body)."""

    def __init__(
        self, message: str, *, status: int | None, engati_code: int | None = None, desc: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.engati_code = engati_code
        self.desc = desc  # Engati's own description, already part of the message


class EngatiUnavailableError(EngatiError):
    """Engati could not be reached or did not answer in time."""


class EngatiResponseError(EngatiError):
    """Engati answered 2xx with a body we cannot read (never guessed at, always reported)."""


class InvalidArgumentsError(EngatiError):
    """An argument broke a rule that needs more than its own schema to check (the window's end
    after its start, in the server's time zone); worded like every other argument error."""

    def __init__(self, tool: str, problems: dict[str, str]) -> None:
        super().__init__(invalid_arguments_text(tool, problems))


def invalid_arguments_text(tool: str, problems: dict[str, str]) -> str:
    """The one wording of argument errors: the tool, then one line per field with its rule."""
    lines = "\n".join(f"- {field}: {reason}" for field, reason in problems.items())
    return f"Invalid arguments for {tool}; nothing was sent to Engati:\n{lines}"


class BudgetTooSmallError(EngatiError):
    """The caller's max_tokens cannot hold even the facts a result must carry."""


def api_error(
    status: int, engati_code: int | None, desc: str | None, retry_after: float | None = None
) -> EngatiAPIError:
    """Map an HTTP status and Engati error code to one distinct, actionable message."""
    message = _message_for(status, engati_code, desc, retry_after) + _detail(engati_code, desc)
    return EngatiAPIError(message, status=status, engati_code=engati_code, desc=desc)


def _detail(code: int | None, desc: str | None) -> str:
    return f" ({code} {desc})" if code is not None and desc else ""


def account_ids_error(error: EngatiAPIError) -> EngatiAPIError:
    """`error` as the users endpoint means it: that request carries no user id, so Engati's 1002
    ("invalid bot, customer or user id") can only be about ENGATI_CUSTOMER_ID or ENGATI_BOT_KEY.
    Any other error is returned as it was."""
    if error.engati_code != 1002:
        return error
    message = (
        "Engati did not recognise the customer id or the bot key. Check ENGATI_CUSTOMER_ID (digits, e.g. "
        f"10294) and ENGATI_BOT_KEY (16 hex characters) against {PORTAL}: both must belong to the API "
        "key's account." + _detail(error.engati_code, error.desc)
    )
    return EngatiAPIError(message, status=error.status, engati_code=error.engati_code, desc=error.desc)


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
