"""Serving over Streamable HTTP, safely enough to share with a team.

- Binds 127.0.0.1 unless told otherwise: an MCP server reading customer conversations should not
  appear on a network by accident.
- DNS-rebinding protection through the SDK's `TransportSecuritySettings`: requests whose Host or
  Origin is not this server's are refused, so a web page cannot reach a local server through a
  hostname it controls. Extra names (a team's DNS name) come from ENGATI_MCP_ALLOWED_HOSTS.
- When ENGATI_MCP_HTTP_TOKEN is set, every request must carry `Authorization: Bearer <token>`;
  without it the request gets 401 before it reaches MCP or a tool.
- `stateless=True` keeps no session between requests, so several instances can sit behind a
  load balancer without sticky sessions.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_ENV = "ENGATI_MCP_HTTP_TOKEN"
ALLOWED_HOSTS_ENV = "ENGATI_MCP_ALLOWED_HOSTS"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class BearerTokenMiddleware:
    """Refuses every HTTP request without the configured bearer token (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            await _send_401(send)
            return
        await self._app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        given = next((value for name, value in scope.get("headers", []) if name == b"authorization"), b"")
        return hmac.compare_digest(given, self._expected)


async def _send_401(send: Send) -> None:
    body = json.dumps({"error": "unauthorized", "error_description": "missing or wrong bearer token"}).encode()
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="engati-mcp"'),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def security_settings(host: str, port: int, extra_hosts: list[str] | None = None) -> TransportSecuritySettings:
    """Host/Origin allow-lists: loopback names on this port, the bind address, and any extras."""
    names = {*_LOOPBACK_NAMES, *(extra_hosts or [])}
    if host not in {"0.0.0.0", "::"}:
        names.add(host)
    hosts = sorted({f"{name}:{port}" for name in names} | set(extra_hosts or []))
    origins = sorted({f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")})
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def build_http_app(server: Any, *, host: str, port: int, stateless: bool, token: str | None = None,
                   extra_hosts: list[str] | None = None) -> ASGIApp:
    """The ASGI app serving MCP at /mcp, with DNS-rebinding protection and the optional token."""
    app: ASGIApp = server.streamable_http_app(
        stateless_http=stateless,
        json_response=stateless,  # a stateless server has no stream to come back to: answer in the body
        transport_security=security_settings(host, port, extra_hosts),
        host=host,
    )
    return BearerTokenMiddleware(app, token) if token else app


def serve_http(server: Any, *, host: str, port: int, stateless: bool) -> int:
    """Run the HTTP server until interrupted (blocking)."""
    import uvicorn

    token = os.environ.get(TOKEN_ENV) or None
    extra = [h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
    app = build_http_app(server, host=host, port=port, stateless=stateless, token=token, extra_hosts=extra)
    # log_config=None: uvicorn uses our stderr logging (and its secret redaction) instead of its own.
    uvicorn.run(app, host=host, port=port, log_config=None)
    return 0
