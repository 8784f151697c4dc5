"""The Engati HTTP client: one pooled `httpx.AsyncClient`, typed methods for the two endpoints.

One instance lives for the whole server process (created in the MCP lifespan, closed at
shutdown) so connections are pooled and reused across tool calls. It owns everything about
talking to Engati:

- authentication (`Authorization: Basic <key>`, the key verbatim as Engati expects) and a
  `User-Agent` naming this package and version;
- URL building, with every path segment percent-encoded so no id can change the path or smuggle
  in query parameters;
- retries of the idempotent GETs on connection errors, timeouts, 429 (honouring
  `Retry-After`, capped), 502/503/504 and 2xx bodies that are not JSON (cut short, or a proxy's
  error page), with exponential backoff and jitter (stamina: a small, well-kept wrapper over
  tenacity with sane defaults and a testing switch), bounded by attempts and by time;
- a cap on requests in flight per process, shared by every caller;
- bodies streamed and decoded step by step, refused past `ENGATI_MAX_RESPONSE_BYTES` (decoded), so
  a huge body, an endless stream or a gzip bomb costs at most that much memory; an oversized,
  undecodable or absurdly nested body is a clear `EngatiResponseError`, never retried (it would
  only be the same again); a redirect is an error, its body never read as data;
- a clean shutdown: `aclose` cancels the requests in flight (they end with a clear error) before
  closing the pool, and nothing is retried after it;
- mapping failures to `errors` with actionable messages, and one log line per request with the
  endpoint's path template (never the ids, never the key).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import stamina
import stamina.instrumentation

from engati_mcp import __version__
from engati_mcp.config import Settings
from engati_mcp.errors import (
    EngatiAPIError,
    EngatiError,
    EngatiResponseError,
    EngatiUnavailableError,
    api_error,
    connection_error,
    timeout_error,
)
from engati_mcp.models import ChatPage, EngatiUser
from engati_mcp.parsing import engati_status, parse_chat_page, parse_users
from engati_mcp.scrub import remember, scrub

logger = logging.getLogger(__name__)

_API = "/bot-api/v1.0/customer/{customer}/bot/{bot}"
USERS_TEMPLATE = _API + "/users"
CONVERSATIONS_TEMPLATE = _API + "/channel-user/{channel_user}/conversations"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_ERROR_BODY_LIMIT = 64 * 1024  # an error body is read only for Engati's code: its first 64 KB suffice
_INFLATE_STEP = 1024 * 1024  # decoded bytes one decompression step may produce
_CLOSE_GRACE = 2.0  # seconds `aclose` waits for cancelled requests to unwind
_DIGITS = re.compile(r"[0-9]{1,18}")  # a Content-Length we can compare (int() refuses 5,000 digits)


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
        self._closed = False
        self._in_flight: set[anyio.CancelScope] = set()  # one per call, so `aclose` can cancel them
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            transport=transport,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=settings.max_concurrency * 2, max_keepalive_connections=settings.max_concurrency),
            headers={
                "Authorization": f"Basic {settings.api_key.get_secret_value()}",
                "User-Agent": f"engati-mcp/{__version__}",
                "Accept": "application/json",
                # Only what `_Inflater` can decode in bounded steps (httpx would also offer br/zstd).
                "Accept-Encoding": "gzip, deflate",
            },
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )

    async def __aenter__(self) -> EngatiClient:
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
                return await self._with_retries(template, url, params)
            finally:
                self._in_flight.discard(scope)
        raise _shutting_down()  # only reached when `aclose` cancelled the scope

    async def _with_retries(self, template: str, url: httpx.URL, params: dict[str, Any]) -> Any:
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
        if not isinstance(exc, _Retryable) or self._closed:
            return False
        if exc.retry_after is not None:
            return min(exc.retry_after, self._retry.retry_after_cap)
        return True

    async def _attempt(self, template: str, url: httpx.URL, params: dict[str, Any], attempt: int) -> Any:
        if self._closed:  # a retry scheduled just before `aclose`
            raise _shutting_down()
        started = time.perf_counter()
        status: int | str = "error"
        try:
            async with self._slots, self._http.stream("GET", url, params=params) as response:
                status = response.status_code
                content = await self._body(response)
            return self._interpret(response, content)
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

    async def _body(self, response: httpx.Response) -> bytearray:
        """The decoded body; a success body past the cap is an error, an error body is cut short
        (only Engati's code is read from it), and a redirect's body is not read at all."""
        if 300 <= response.status_code < 400:
            return bytearray()
        if response.status_code >= 400:
            try:
                return await _read_decoded(response, _ERROR_BODY_LIMIT, strict=False)
            except EngatiResponseError:
                return bytearray()  # an undecodable error body: the status alone says enough
        return await _read_decoded(response, self._settings.max_response_bytes, strict=True)

    def _interpret(self, response: httpx.Response, content: bytearray) -> Any:
        if 300 <= response.status_code < 400:
            raise _redirect_error(response)
        if response.status_code >= 400:
            raise self._status_error(response, content)
        try:
            return json.loads(content)
        except RecursionError:  # e.g. 200,000 "[": the same body again would fail the same way
            raise _too_nested(response, content) from None
        except ValueError:  # truncated, or an error page: may be transient, so retried
            raise _Retryable(_not_json(response, content)) from None

    def _status_error(self, response: httpx.Response, content: bytearray) -> Exception:
        try:
            code, desc = engati_status(json.loads(content))
        except (ValueError, RecursionError):
            code, desc = None, None
        retry_after = _retry_after(response)
        error = api_error(response.status_code, code, desc, retry_after)
        if response.status_code in _RETRY_STATUSES:
            return _Retryable(error, retry_after)
        return error


# ---------------------------------------------------------------------------------------------
# Reading a body: streamed, decoded in bounded steps, capped


async def _read_decoded(response: httpx.Response, limit: int, *, strict: bool) -> bytearray:
    """At most `limit` decoded bytes of the body. Past the limit: an error when `strict`, else the
    first `limit` bytes. Reading stops there, so an endless stream costs no more than the limit."""
    encoding = response.headers.get("content-encoding", "")
    inflater = _Inflater.for_encoding(encoding)
    declared = response.headers.get("content-length", "")
    if strict and inflater.identity and _DIGITS.fullmatch(declared) and int(declared) > limit:
        raise _too_large(limit)  # said so up front: not a byte needs reading
    body = bytearray()
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw):
            body += piece
            if len(body) > limit:
                if strict:
                    raise _too_large(limit)
                del body[limit:]
                return body
    inflater.finish()
    return body


_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}  # coding -> zlib wbits


class _Inflater:
    """Undoes one Content-Encoding (gzip or deflate) in steps of at most `_INFLATE_STEP` bytes.

    httpx's own decoders inflate each network read whole: one 64 KB read of a gzip bomb becomes
    64 MB at once, before any cap can look at it. Here zlib's `max_length` bounds every step, so
    the size cap stops a bomb within a megabyte of the limit.
    """

    def __init__(self, encoding: str | None) -> None:
        self.identity = encoding is None
        self._encoding = encoding or "identity"
        self._zlib = zlib.decompressobj(_WBITS[encoding]) if encoding else None
        self._started = False

    @classmethod
    def for_encoding(cls, header: str) -> _Inflater:
        codings = [c.strip().lower() for c in header.split(",") if c.strip().lower() not in {"", "identity"}]
        if not codings:
            return cls(None)
        if len(codings) > 1 or codings[0] not in _WBITS:
            raise EngatiResponseError(
                f"Engati's response is encoded as {_printable(header)!r}, which this client did not ask for "
                "(it accepts gzip or deflate) and cannot read. It was not retried; if this persists, a proxy "
                "in front of ENGATI_BASE_URL may be re-encoding responses."
            )
        return cls(codings[0])

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            if data:
                yield data
            return
        while True:
            out = self._step(data)
            if out:
                yield out
            data = self._zlib.unconsumed_tail
            if not data and len(out) < _INFLATE_STEP:
                return

    def finish(self) -> None:
        """The body has ended: so must the compressed data, or it was cut or is not compressed."""
        if self._zlib is not None and not self._zlib.eof:
            raise _undecodable(self._encoding, zlib.error("the compressed data ends before its end marker"))

    def _step(self, data: bytes) -> bytes:
        assert self._zlib is not None
        try:
            out = self._zlib.decompress(data, _INFLATE_STEP)
        except zlib.error as exc:
            if self._encoding == "deflate" and not self._started:
                # "deflate" is sent both zlib-wrapped (the standard) and raw (common in practice).
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                return self._step(data)
            raise _undecodable(self._encoding, exc) from None
        self._started = True
        return out


# ---------------------------------------------------------------------------------------------
# Errors about a response (never quoting the request, so never the key)


def _shutting_down() -> EngatiUnavailableError:
    return EngatiUnavailableError(
        "The request to Engati was cancelled because the server is shutting down. Retry once it is running again."
    )


def _redirect_error(response: httpx.Response) -> EngatiAPIError:
    where = _location_host(response.headers.get("location", ""))
    return EngatiAPIError(
        f"Engati redirected the request (HTTP {response.status_code}{' to ' + where if where else ''}); "
        "redirects are not followed (they would carry the API key elsewhere) and the body was not read. "
        "Check ENGATI_BASE_URL: it must be the API's own address, e.g. https://api.engati.com "
        "(https, no extra path).",
        status=response.status_code,
    )


def _location_host(location: str) -> str:
    """Only the scheme and host of a redirect target: enough to see http->https or another domain."""
    try:
        url = httpx.URL(location.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return ""
    return _printable(f"{url.scheme}://{url.host}")[:100] if url.scheme and url.host else ""


def _too_large(limit: int) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati's response was larger than ENGATI_MAX_RESPONSE_BYTES ({limit:,} bytes, {limit / 2**20:g} MB "
        "decoded), so reading stopped there and it was not retried. Ask for less: a smaller page_size or "
        "narrower dates. Raise ENGATI_MAX_RESPONSE_BYTES only if Engati's pages are genuinely this large."
    )


def _undecodable(encoding: str, exc: zlib.error) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati's response says it is {encoding}-compressed but could not be decompressed "
        f"({_printable(str(exc))[:80]}). It was not retried (the same body would fail again); if this persists, "
        "a proxy in front of ENGATI_BASE_URL may be corrupting responses."
    )


def _too_nested(response: httpx.Response, content: bytearray) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati answered HTTP {response.status_code} but the body ({len(content):,} bytes) is nested too deeply "
        "to be read as JSON data; it is not a chat-history response. It was not retried; if this persists, "
        "check ENGATI_BASE_URL."
    )


def _not_json(response: httpx.Response, content: bytearray) -> EngatiResponseError:
    kind = _printable(response.headers.get("content-type", "no content type").split(";")[0])[:60]
    return EngatiResponseError(
        f"Engati answered HTTP {response.status_code} but the body is not readable JSON "
        f"({kind}, {len(content)} bytes; it may be truncated or an error page). "
        "Retry in a moment; if it persists, check ENGATI_BASE_URL."
    )


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


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
