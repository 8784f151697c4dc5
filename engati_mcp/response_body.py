"""Reading a response body from Engati: streamed, decoded in bounded steps, capped.

Read whole, a huge body, an endless stream or a gzip bomb would cost unbounded memory before any
size check could look at it. So the raw stream is read piece by piece, inflated at most
`_INFLATE_STEP` bytes at a time, and reading stops at the cap (`ENGATI_MAX_RESPONSE_BYTES`,
counted decoded): a body costs at most about that much memory, whatever the server sends.

Only what can be decoded this way, gzip and deflate, is offered (`ACCEPT_ENCODING`); any other
encoding is an error rather than a guess. An error status's body is read only for Engati's code
in it, so its first 64 KB suffice, and an undecodable one is dropped: the status says enough.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

import httpx

from engati_mcp.errors import EngatiResponseError
from engati_mcp.response_errors import too_large, undecodable, unsupported_encoding

ACCEPT_ENCODING = "gzip, deflate"  # httpx would also offer br and zstd, which `_Inflater` cannot bound
_ERROR_BODY_LIMIT = 64 * 1024  # an error body is read only for Engati's code: its first 64 KB suffice
_INFLATE_STEP = 1024 * 1024  # decoded bytes one decompression step may produce
_DIGITS = re.compile(r"[0-9]{1,18}")  # a Content-Length we can compare (int() refuses 5,000 digits)
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}  # coding -> zlib wbits


async def read_body(response: httpx.Response, limit: int) -> bytearray:
    """The whole decoded body; past `limit` decoded bytes, an `EngatiResponseError` (never retried:
    the same body would be as large again)."""
    return await _read_decoded(response, limit, strict=True)


async def read_error_body(response: httpx.Response) -> bytearray:
    """The first 64 KB of an error status's decoded body, or nothing if it cannot be decoded."""
    try:
        return await _read_decoded(response, _ERROR_BODY_LIMIT, strict=False)
    except EngatiResponseError:
        return bytearray()  # an undecodable error body: the status alone says enough


async def _read_decoded(response: httpx.Response, limit: int, *, strict: bool) -> bytearray:
    """At most `limit` decoded bytes of the body. Past the limit: an error when `strict`, else the
    first `limit` bytes. Reading stops there, so an endless stream costs no more than the limit."""
    inflater = _Inflater.for_encoding(response.headers.get("content-encoding", ""))
    declared = response.headers.get("content-length", "")
    if strict and inflater.identity and _DIGITS.fullmatch(declared) and int(declared) > limit:
        raise too_large(limit)  # said so up front: not a byte needs reading
    body = bytearray()
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw):
            body += piece
            if len(body) > limit:
                if strict:
                    raise too_large(limit)
                del body[limit:]
                return body
    inflater.finish()
    return body


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
            raise unsupported_encoding(header)
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
            raise undecodable(self._encoding, zlib.error("the compressed data ends before its end marker"))

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
            raise undecodable(self._encoding, exc) from None
        self._started = True
        return out
