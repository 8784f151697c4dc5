"""Retrying Engati's idempotent GETs: which failures are worth another attempt, and how long to wait.

Built on stamina (a small, well-kept wrapper over tenacity with sane defaults and a testing
switch): exponential backoff with jitter, bounded by attempts. Only a failure wrapped in
`Retryable` is tried again (connection errors, timeouts, 429/502/503/504, a 2xx body that is not
JSON): anything else would only fail the same way again. A `Retry-After` from Engati is honoured
but capped, so one odd header cannot park a call for an hour.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import stamina
import stamina.instrumentation

from engati_mcp.errors import EngatiError

T = TypeVar("T")
BackoffHook = Callable[[BaseException], bool | float]  # stamina's `on`: give up, back off, or wait this long

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Retries are part of the client's requests, so they log where its request lines go.
logger = logging.getLogger("engati_mcp.client")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. The defaults suit a person waiting on an assistant; tests shrink the waits."""

    attempts: int = 4
    wait_initial: float = 0.5
    wait_max: float = 8.0
    wait_jitter: float = 0.5
    retry_after_cap: float = 20.0


class Retryable(Exception):
    """A failed attempt worth repeating; carries the error to raise if no attempt succeeds."""

    def __init__(self, error: EngatiError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


async def retrying(policy: RetryPolicy, attempt: Callable[[int], Awaitable[T]], *, on: BackoffHook) -> T:
    """`attempt(number)` until it succeeds or `on` says stop. A `Retryable` that ends the tries is
    raised as the error it carries; any other exception is raised as it is."""
    try:
        async for trial in stamina.retry_context(
            on=on,
            attempts=policy.attempts,
            timeout=None,  # the per-call deadline is enforced by the tool layer
            wait_initial=policy.wait_initial,
            wait_max=policy.wait_max,
            wait_jitter=policy.wait_jitter,
        ):
            with trial:
                return await attempt(trial.num)
    except Retryable as exc:
        raise exc.error from None
    raise AssertionError("unreachable: stamina either returns or raises")  # pragma: no cover


def backoff(policy: RetryPolicy, exc: BaseException) -> bool | float:
    """Whether to try again after `exc`: False to stop, True for the usual backoff, or the seconds
    Engati asked for (capped)."""
    if not isinstance(exc, Retryable):
        return False
    if exc.retry_after is not None:
        return min(exc.retry_after, policy.retry_after_cap)
    return True


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if present and sane."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _log_retry(details: stamina.instrumentation.RetryDetails) -> None:
    # Replaces stamina's default hook, whose record carries the arguments; ours says only why.
    cause = details.caused_by
    reason = cause.error.__class__.__name__ if isinstance(cause, Retryable) else type(cause).__name__
    logger.warning(
        "retrying Engati request in %.2f s (retry %d, after %s)", details.wait_for, details.retry_num, reason
    )


stamina.instrumentation.set_on_retry_hooks([_log_retry])
