"""What went wrong with a response from Engati, worded for the person who has to act on it.

Each function builds one error about Engati's answer (a redirect, a body too large, too nested,
undecodable or not JSON) and says what to do next. They are kept together so the wording stays
consistent, and apart from the client so its request logic reads without paragraphs of prose.

None of them quotes the request, so none can carry the API key; what they do quote from the
response (a header, a zlib message) passes through `printable` first, so a hostile server cannot
put control characters or fake lines into an error a model or a terminal will show.
"""

from __future__ import annotations

import zlib

import httpx

from engati_mcp.errors import EngatiAPIError, EngatiResponseError


def printable(text: str) -> str:
    """`text` with every non-printable character shown as `?`."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def redirect_error(response: httpx.Response) -> EngatiAPIError:
    where = _location_host(response.headers.get("location", ""))
    return EngatiAPIError(
        f"Engati redirected the request (HTTP {response.status_code}{' to ' + where if where else ''}); "
        "redirects are not followed (they would carry the API key elsewhere) and the body was not read. "
        "Check ENGATI_BASE_URL: it must be the API's own address, e.g. https://api.engati.com "
        "(https, no extra path).",
        status=response.status_code,
    )


def too_large(limit: int) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati's response was larger than ENGATI_MAX_RESPONSE_BYTES ({limit:,} bytes, {limit / 2**20:g} MB "
        "decoded), so reading stopped there and it was not retried. Ask for less: a smaller page_size or "
        "narrower dates. Raise ENGATI_MAX_RESPONSE_BYTES only if Engati's pages are genuinely this large."
    )


def unsupported_encoding(header: str) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati's response is encoded as {printable(header)!r}, which this client did not ask for "
        "(it accepts gzip or deflate) and cannot read. It was not retried; if this persists, a proxy "
        "in front of ENGATI_BASE_URL may be re-encoding responses."
    )


def undecodable(encoding: str, exc: zlib.error) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati's response says it is {encoding}-compressed but could not be decompressed "
        f"({printable(str(exc))[:80]}). It was not retried (the same body would fail again); if this persists, "
        "a proxy in front of ENGATI_BASE_URL may be corrupting responses."
    )


def too_nested(response: httpx.Response, content: bytearray) -> EngatiResponseError:
    return EngatiResponseError(
        f"{_answered(response)} but the body ({len(content):,} bytes) is nested too deeply "
        "to be read as JSON data; it is not a chat-history response. It was not retried; if this persists, "
        "check ENGATI_BASE_URL."
    )


def not_json(response: httpx.Response, content: bytearray) -> EngatiResponseError:
    kind = printable(response.headers.get("content-type", "no content type").split(";")[0])[:60]
    return EngatiResponseError(
        f"{_answered(response)} but the body is not readable JSON "
        f"({kind}, {len(content)} bytes; it may be truncated or an error page). "
        "Retry in a moment; if it persists, check ENGATI_BASE_URL."
    )


def _answered(response: httpx.Response) -> str:
    return f"Engati answered HTTP {response.status_code}"


def _location_host(location: str) -> str:
    """Only the scheme and host of a redirect target: enough to see http->https or another domain."""
    try:
        url = httpx.URL(location.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return ""
    return printable(f"{url.scheme}://{url.host}")[:100] if url.scheme and url.host else ""
