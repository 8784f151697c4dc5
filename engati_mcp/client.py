"""The Engati HTTP client: one pooled `httpx.AsyncClient`, typed methods for the two endpoints.

One instance lives for the whole server process (created in the MCP lifespan, closed at
shutdown) so connections are pooled and reused across tool calls. It owns the requests
themselves:

- authentication (`Authorization: Basic <key>`, the key verbatim as Engati expects) and a
  `User-Agent` naming this package and version;
- URL building, with every path segment percent-encoded so no id can change the path or smuggle
  in query parameters;
- a cap on requests in flight per process, shared by every caller;
- a redirect is an error, its body never read as data (following it could carry the key away);
- a clean shutdown: `aclose` cancels the requests in flight (they end with a clear error) before
  closing the pool, and nothing is retried after it;
- mapping failures to `errors` with actionable messages, and one log line per request with the
  endpoint's path template (never the ids, never the key).

What it leans on lives beside it, one concern each: `retries` (which failures are tried again,
with what backoff, honouring `Retry-After`), `response_body` (bodies streamed and decoded in
bounded steps, refused past `ENGATI_MAX_RESPONSE_BYTES`, so a gzip bomb costs at most that much)
and `response_errors` (what to tell the user when Engati's answer is unusable).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Self
from urllib.parse import quote

import anyio
import httpx

from engati_mcp import __version__
from engati_mcp.config import Settings
from engati_mcp.errors import (
    EngatiUnavailableError,
    api_error,
    connection_error,
    timeout_error,
)
from engati_mcp.models import ChatPage, EngatiUser
from engati_mcp.parsing import engati_status, parse_chat_page, parse_users
from engati_mcp.response_body import ACCEPT_ENCODING, read_body, read_error_body
from engati_mcp.response_errors import not_json, redirect_error, too_nested
from engati_mcp.retries import (
    RETRY_STATUSES,
    Retryable,
    RetryPolicy,
    backoff,
    retry_after,
    retrying,
)
from engati_mcp.scrub import remember, scrub

__all__ = ["CONVERSATIONS_TEMPLATE", "USERS_TEMPLATE", "EngatiClient", "RetryPolicy", "encode_segment"]

logger = logging.getLogger(__name__)

_API = "/bot-api/v1.0/customer/{customer}/bot/{bot}"
USERS_TEMPLATE = _API + "/users"
CONVERSATIONS_TEMPLATE = _API + "/channel-user/{channel_user}/conversations"
_CLOSE_GRACE = 2.0  # seconds `aclose` waits for cancelled requests to unwind


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
        self._closed = False
        self._in_flight: set[anyio.CancelScope] = set()  # one per call, so `aclose` can cancel them
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(
                max_connections=settings.max_concurrency * 2, max_keepalive_connections=settings.max_concurrency
            ),
            headers={
                "Authorization": f"Basic {settings.api_key.get_secret_value()}",
                "User-Agent": f"engati-mcp/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,  # only what can be decoded in bounded steps
            },
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancel the calls in flight, let them unwind, then close the connection pool.

        Closing the pool under a request in flight fails it with a transport error, which was
        retried against the closed client and logged a traceback per call; cancelled first, each
        call ends at once with a clear `EngatiUnavailableError` and never retries.
        """
        self._closed = True
        for scope in list(self._in_flight):
            scope.cancel()
        with anyio.move_on_after(_CLOSE_GRACE):
            while self._in_flight:
                await anyio.sleep(0.005)
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
        if self._closed:
            raise _shutting_down()
        url = self._http.base_url.copy_with(raw_path=self._path(template, ids).encode("ascii"))
        with anyio.CancelScope() as scope:
            self._in_flight.add(scope)
            try:
                return await retrying(
                    self._retry, lambda number: self._attempt(template, url, params, number), on=self._backoff_hook
                )
            finally:
                self._in_flight.discard(scope)
        raise _shutting_down()  # only reached when `aclose` cancelled the scope

    def _backoff_hook(self, exc: BaseException) -> bool | float:
        """Whether to try again after `exc`: never once `aclose` has begun (the pool is closing)."""
        return False if self._closed else backoff(self._retry, exc)

    async def _attempt(self, template: str, url: httpx.URL, params: dict[str, Any], attempt: int) -> Any:
        if self._closed:  # a retry scheduled just before `aclose`
            raise _shutting_down()
        started = time.perf_counter()
        status: int | str = "error"
        try:
            async with self._slots, self._http.stream("GET", url, params=params) as response:
                status = response.status_code
                content = await self._success_body(response)
            return _json(response, content)
        except httpx.TimeoutException:
            status = "timeout"
            raise Retryable(timeout_error(self._settings.timeout)) from None
        except httpx.TransportError as exc:
            status = "connection-error"
            raise Retryable(connection_error(url.host, _reason(exc))) from None
        finally:
            logger.info(
                "GET %s status=%s attempt=%d duration_ms=%.0f",
                template,
                status,
                attempt,
                (time.perf_counter() - started) * 1000,
            )

    async def _success_body(self, response: httpx.Response) -> bytearray:
        """The decoded body of a success; any other status is raised as its error. A redirect's
        body is not read at all, an error's only for Engati's code."""
        if 300 <= response.status_code < 400:
            raise redirect_error(response)
        if response.status_code >= 400:
            raise _status_error(response, await read_error_body(response))
        return await read_body(response, self._settings.max_response_bytes)


def _json(response: httpx.Response, content: bytearray) -> Any:
    try:
        return json.loads(content)
    except RecursionError:  # e.g. 200,000 "[": the same body again would fail the same way
        raise too_nested(response, content) from None
    except ValueError:  # truncated, or an error page: may be transient, so retried
        raise Retryable(not_json(response, content)) from None


def _status_error(response: httpx.Response, content: bytearray) -> Exception:
    try:
        code, desc = engati_status(json.loads(content))
    except (ValueError, RecursionError):
        code, desc = None, None
    wait = retry_after(response)
    error = api_error(response.status_code, code, desc, wait)
    if response.status_code in RETRY_STATUSES:
        return Retryable(error, wait)
    return error


def _shutting_down() -> EngatiUnavailableError:
    return EngatiUnavailableError(
        "The request to Engati was cancelled because the server is shutting down. Retry once it is running again."
    )


def _reason(exc: httpx.TransportError) -> str:
    # Scrubbed before it is cut: a cut first could leave a piece of the key too short to recognise.
    text = scrub(str(exc).strip())
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
