"""Serving over Streamable HTTP, safely enough to share with a team.

- Binds 127.0.0.1 unless told otherwise: an MCP server reading customer conversations should not
  appear on a network by accident. A non-loopback address needs ENGATI_MCP_HTTP_TOKEN (or an
  explicit `--allow-unauthenticated`): the Host check below is no barrier to a client that can
  reach the port, it just sends `Host: 127.0.0.1:PORT`.
- DNS-rebinding protection through the SDK's `TransportSecuritySettings`: requests whose Host or
  Origin is not this server's are refused, so a web page cannot reach a local server through a
  hostname it controls. Extra names (a team's DNS name) come from ENGATI_MCP_ALLOWED_HOSTS.
- When ENGATI_MCP_HTTP_TOKEN is set, every request must carry `Authorization: Bearer <token>`
  (the scheme in any case, as HTTP allows); without it the request gets 401 before it reaches MCP
  or a tool.
- `stateless=True` keeps no session between requests, so several instances can sit behind a
  load balancer without sticky sessions.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_ENV = "ENGATI_MCP_HTTP_TOKEN"
ALLOWED_HOSTS_ENV = "ENGATI_MCP_ALLOWED_HOSTS"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_ANY_ADDRESS = {"0.0.0.0", "::", "[::]"}
_WITH_PORT = re.compile(r"(\[[^\]]*\]|[^:\[\]]+):\d+")  # "name:8000" or "[::1]:8000"; not a bare "fe80::2"


class BearerTokenMiddleware:
    """Refuses every HTTP request without the configured bearer token (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            await _send_401(send)
            return
        await self._app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        given = next((value for name, value in scope.get("headers", []) if name == b"authorization"), b"")
        scheme, _, credentials = given.strip().partition(b" ")
        # The scheme is case-insensitive (RFC 9110 11.1); the token is compared in constant time.
        return scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self._expected)


async def _send_401(send: Send) -> None:
    body = json.dumps({"error": "unauthorized", "error_description": "missing or wrong bearer token"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="engati-mcp"'),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def security_settings(host: str, port: int, extra_hosts: list[str] | None = None) -> TransportSecuritySettings:
    """Host/Origin allow-lists: loopback names on this port, the bind address, and any extras.

    An extra given with its port (`mcp.example.internal:8443`, what a proxy in front sends) is
    taken as is; one without is allowed bare (default port) and on this server's port.
    """
    names = {*_LOOPBACK_NAMES} | ({_host_name(host)} if host not in _ANY_ADDRESS else set())
    hosts = {f"{name}:{port}" for name in names}
    for extra in extra_hosts or []:
        hosts |= {extra} if _WITH_PORT.fullmatch(extra) else {_host_name(extra), f"{_host_name(extra)}:{port}"}
    origins = sorted({f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")})
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=sorted(hosts), allowed_origins=origins
    )


def extra_allowed_hosts(environ: Mapping[str, str] | None = None) -> list[str]:
    """The names in ENGATI_MCP_ALLOWED_HOSTS (comma-separated, spaces ignored), as given: a name
    with its port stays as it is in `security_settings`."""
    value = (os.environ if environ is None else environ).get(ALLOWED_HOSTS_ENV, "")
    return [name.strip() for name in value.split(",") if name.strip()]


def _host_name(host: str) -> str:
    """A host as a Host header spells it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def bind_refusal(host: str, token: str | None, allow_unauthenticated: bool) -> str | None:
    """Why serving on `host` is refused, or None. A non-loopback address without a token would
    give anyone who can reach the port every user's conversations."""
    if is_loopback(host) or token or allow_unauthenticated:
        return None
    return (
        f"refusing to serve on {host}, which is reachable from other machines, without authentication. "
        f"Set {TOKEN_ENV} to a long random token (clients then send 'Authorization: Bearer <token>'), "
        "bind 127.0.0.1, or pass --allow-unauthenticated if a proxy in front authenticates every request."
    )


def served_url(host: str, port: int) -> str:
    return f"http://{_host_name(host)}:{port}/mcp"


def build_http_app(
    server: Any,
    *,
    host: str,
    port: int,
    stateless: bool,
    token: str | None = None,
    extra_hosts: list[str] | None = None,
) -> ASGIApp:
    """The ASGI app serving MCP at /mcp, with DNS-rebinding protection and the optional token."""
    app: ASGIApp = server.streamable_http_app(
        stateless_http=stateless,
        json_response=stateless,  # a stateless server has no stream to come back to: answer in the body
        transport_security=security_settings(host, port, extra_hosts),
        host=host,
    )
    return BearerTokenMiddleware(app, token) if token else app


def serve_http(server: Any, *, host: str, port: int, stateless: bool, allow_unauthenticated: bool = False) -> int:
    """Run the HTTP server until interrupted (blocking). Returns 2 without serving when the bind
    would expose it unauthenticated (see `bind_refusal`)."""
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    if refusal := bind_refusal(host, token, allow_unauthenticated):
        print(f"engati-mcp: {refusal}", file=sys.stderr)
        return 2
    import uvicorn

    app = build_http_app(
        server, host=host, port=port, stateless=stateless, token=token, extra_hosts=extra_allowed_hosts()
    )
    # Printed, not logged: at the default level (WARNING) a log line would not show, and a person
    # starting a server needs to see where it is and whether it asks for a token.
    guard = "bearer token required" if token else "no token: anyone who can reach it can read every chat"
    print(f"engati-mcp: serving MCP at {served_url(host, port)} ({guard})", file=sys.stderr)
    # log_config=None: uvicorn uses our stderr logging (and its secret scrubbing) instead of its own.
    uvicorn.run(app, host=host, port=port, log_config=None)
    return 0
