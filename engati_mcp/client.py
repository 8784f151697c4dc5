"""The Engati HTTP client: one pooled `httpx.AsyncClient`, typed methods for the two endpoints.

One instance lives for the whole server process (created in the MCP lifespan, closed at
shutdown) so connections are pooled and reused across tool calls. It owns everything about
talking to Engati:

- authentication (`Authorization: Basic <key>`, the key verbatim as Engati expects) and a
  `User-Agent` naming this package and version;
- URL building, with every path segment percent-encoded so no id can change the path or smuggle
  in query parameters;
- retries of the idempotent GETs on connection errors, timeouts, 429 (honouring
  `Retry-After`, capped), 502/503/504 and unreadable 2xx bodies, with exponential backoff and
  jitter (stamina: a small, well-kept wrapper over tenacity with sane defaults and a testing
  switch), bounded by attempts and by time;
- a cap on requests in flight per process, shared by every caller;
- mapping failures to `errors` with actionable messages, and one log line per request with the
  endpoint's path template (never the ids, never the key).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
import stamina
import stamina.instrumentation

from engati_mcp import __version__
from engati_mcp.config import Settings
from engati_mcp.errors import EngatiError, EngatiResponseError, api_error, connection_error, timeout_error
from engati_mcp.models import ChatPage, EngatiUser
from engati_mcp.parsing import engati_status, parse_chat_page, parse_users
from engati_mcp.scrub import remember, scrub

logger = logging.getLogger(__name__)

_API = "/bot-api/v1.0/customer/{customer}/bot/{bot}"
USERS_TEMPLATE = _API + "/users"
CONVERSATIONS_TEMPLATE = _API + "/channel-user/{channel_user}/conversations"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})


def _log_retry(details: stamina.instrumentation.RetryDetails) -> None:
    # Replaces stamina's default hook, whose record carries the arguments; ours says only why.
    cause = details.caused_by
    reason = cause.error.__class__.__name__ if isinstance(cause, _Retryable) else type(cause).__name__
    logger.warning("retrying Engati request in %.2f s (retry %d, after %s)", details.wait_for, details.retry_num, reason)


stamina.instrumentation.set_on_retry_hooks([_log_retry])


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. The defaults suit a person waiting on an assistant; tests shrink the waits."""

    attempts: int = 4
    wait_initial: float = 0.5
    wait_max: float = 8.0
    wait_jitter: float = 0.5
    retry_after_cap: float = 20.0


class _Retryable(Exception):
    """A failed attempt worth repeating; carries the error to raise if no attempt succeeds."""

    def __init__(self, error: EngatiError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def encode_segment(value: str) -> str:
    """Percent-encode one path segment completely: `/`, `?`, `#`, `%` and dot-segments included."""
    encoded = quote(value, safe="")
    if encoded in {".", ".."}:  # quote() leaves dots alone; "." or ".." would walk the path
        encoded = encoded.replace(".", "%2E")
    return encoded


class EngatiClient:
    """Async client for Engati's users and conversations endpoints."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._settings = settings
        remember(settings.api_key.get_secret_value())  # so every scrub, logs included, knows the key it sends
        self._retry = retry or RetryPolicy()
        # A base URL may carry a path prefix (a proxy); the API paths go below it.
        self._base_path = httpx.URL(settings.base_url).raw_path.decode("ascii").rstrip("/")
        self._slots = asyncio.Semaphore(settings.max_concurrency)
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=settings.max_concurrency * 2, max_keepalive_connections=settings.max_concurrency),
            headers={
                "Authorization": f"Basic {settings.api_key.get_secret_value()}",
                "User-Agent": f"engati-mcp/{__version__}",
                "Accept": "application/json",
            },
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )

    async def __aenter__(self) -> EngatiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -----------------------------------------------------------------------------------------
    # Endpoints

    async def find_users(self, attribute_name: str, attribute_value: str) -> list[EngatiUser]:
        """Users whose attribute `attribute_name` equals `attribute_value`."""
        body = await self._get(
            USERS_TEMPLATE, {}, {"attribute_name": attribute_name, "attribute_value": attribute_value}
        )
        return parse_users(body)

    async def get_chat_page(
        self,
        channel_user_id: str,
        *,
        start_ms: int | None,
        end_ms: int | None,
        page_number: int,
        page_size: int,
    ) -> ChatPage:
        """One page of a user's messages in the window [start_ms, end_ms] (UTC epoch ms)."""
        params: dict[str, Any] = {"page_number": page_number, "page_size": page_size}
        if start_ms is not None:
            params["start_date"] = start_ms
        if end_ms is not None:
            params["end_date"] = end_ms
        body = await self._get(CONVERSATIONS_TEMPLATE, {"channel_user": channel_user_id}, params)
        return parse_chat_page(body, page_number=page_number, page_size=page_size)

    async def ping(self) -> None:
        """One cheap authenticated request, to check credentials (used by `engati-mcp check`).

        Engati has no status endpoint; a users lookup on an attribute no bot defines exercises the
        key, customer id and bot key and returns almost nothing.
        """
        await self.find_users("engati_mcp_check", "ping")

    # -----------------------------------------------------------------------------------------
    # Transport

    def _path(self, template: str, ids: dict[str, str]) -> str:
        values = {"customer": self._settings.customer_id, "bot": self._settings.bot_key, **ids}
        return self._base_path + template.format(**{k: encode_segment(v) for k, v in values.items()})

    async def _get(self, template: str, ids: dict[str, str], params: dict[str, Any]) -> Any:
        url = self._http.base_url.copy_with(raw_path=self._path(template, ids).encode("ascii"))
        policy = self._retry
        try:
            async for attempt in stamina.retry_context(
                on=self._backoff_hook,
                attempts=policy.attempts,
                timeout=None,  # the per-call deadline is enforced by the tool layer
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
            ):
                with attempt:
                    return await self._attempt(template, url, params, attempt.num)
        except _Retryable as exc:
            raise exc.error from None
        raise AssertionError("unreachable: stamina either returns or raises")  # pragma: no cover

    def _backoff_hook(self, exc: Exception) -> bool | float:
        if not isinstance(exc, _Retryable):
            return False
        if exc.retry_after is not None:
            return min(exc.retry_after, self._retry.retry_after_cap)
        return True

    async def _attempt(self, template: str, url: httpx.URL, params: dict[str, Any], attempt: int) -> Any:
        started = time.perf_counter()
        status: int | str = "error"
        try:
            async with self._slots:
                response = await self._http.get(url, params=params)
            status = response.status_code
            return self._read(response)
        except httpx.TimeoutException:
            status = "timeout"
            raise _Retryable(timeout_error(self._settings.timeout)) from None
        except httpx.TransportError as exc:
            status = "connection-error"
            raise _Retryable(connection_error(url.host, _reason(exc))) from None
        finally:
            logger.info(
                "GET %s status=%s attempt=%d duration_ms=%.0f",
                template, status, attempt, (time.perf_counter() - started) * 1000,
            )

    def _read(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise self._status_error(response)
        try:
            body = json.loads(response.content)
        except ValueError:
            raise _Retryable(_not_json(response)) from None
        return body

    def _status_error(self, response: httpx.Response) -> Exception:
        try:
            code, desc = engati_status(json.loads(response.content))
        except ValueError:
            code, desc = None, None
        retry_after = _retry_after(response)
        error = api_error(response.status_code, code, desc, retry_after)
        if response.status_code in _RETRY_STATUSES:
            return _Retryable(error, retry_after)
        return error


def _not_json(response: httpx.Response) -> EngatiResponseError:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    return EngatiResponseError(
        f"Engati answered HTTP {response.status_code} but the body is not readable JSON "
        f"({kind}, {len(response.content)} bytes; it may be truncated or an error page). "
        "Retry in a moment; if it persists, check ENGATI_BASE_URL."
    )


def _retry_after(response: httpx.Response) -> float | None:
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


def _reason(exc: httpx.TransportError) -> str:
    # Scrubbed before it is cut: a cut first could leave a piece of the key too short to recognise.
    text = scrub(str(exc).strip())
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
