"""The sandbox: a fake Engati API inside the package, for `engati-mcp demo`, `--sandbox` and tests.

It answers Engati's two endpoints from deterministic generated data (see `data`), reached
in-process through `httpx.ASGITransport` (no port opened), or served on loopback for clients in
other processes: `running_sandbox()` inside a test's event loop, `serve_sandbox()` until
interrupted (`engati-mcp sandbox`). Its credentials are fixed and public: it accepts no other
key, customer id or bot key, like the real API. It is only ever served on loopback: it is test
data, but nothing about it is meant for a network.

Starlette and uvicorn are imported only when an app is made or served, so importing the
constants stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

SANDBOX_API_KEY = "00000000-0000-4000-8000-000000000000-Sbx7Q2z"  # shaped like a real key; no word in it
SANDBOX_CUSTOMER_ID = "10294"
SANDBOX_BOT_KEY = "1a1c9bfa5e0f41ed"
SANDBOX_BASE_URL = "http://sandbox.engati.invalid"  # .invalid: never resolvable, so never the network
SANDBOX_SETTINGS: dict[str, str] = {
    "api_key": SANDBOX_API_KEY,
    "customer_id": SANDBOX_CUSTOMER_ID,
    "bot_key": SANDBOX_BOT_KEY,
    "base_url": SANDBOX_BASE_URL,
}

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

__all__ = [
    "FAULTS",
    "SANDBOX_API_KEY",
    "SANDBOX_BASE_URL",
    "SANDBOX_BOT_KEY",
    "SANDBOX_CUSTOMER_ID",
    "SANDBOX_SETTINGS",
    "FaultPlan",
    "create_sandbox_app",
    "running_sandbox",
    "sandbox_environment",
    "sandbox_url",
    "serve_sandbox",
]


FAULTS = ("500", "502", "503", "504", "429", "truncated", "html", "slow", "drop")


@dataclass
class FaultPlan:
    """Faults to inject, one per request, in order; requests after the last are answered normally.

    Defined here, not in `app`, so tests can build one without importing Starlette.
    `500`/`502`/`503`/`504`: that status with an HTML body; `429`: with `Retry-After: retry_after`;
    `truncated`: a 200 whose JSON body is cut in half; `html`: a 200 HTML error page (what a proxy
    sends); `slow`: the normal answer after `slow_seconds`; `drop`: no answer at all (in-process,
    the `httpx.RemoteProtocolError` a dropped connection gives; served by uvicorn, a bare 500).
    """

    faults: list[str] = field(default_factory=list)
    slow_seconds: float = 5.0
    retry_after: int = 1
    served: int = 0  # requests seen so far, faulty or not

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; known: {', '.join(FAULTS)}")
        self._queue = deque(self.faults)

    def next(self) -> str | None:
        """The fault for this request, or None to answer normally."""
        self.served += 1
        return self._queue.popleft() if self._queue else None


def create_sandbox_app(*, seed: int = 7, faults: FaultPlan | None = None) -> Starlette:
    """The sandbox as an ASGI app (see `engati_mcp.sandbox.app`)."""
    from engati_mcp.sandbox.app import create_sandbox_app as create

    return create(seed=seed, faults=faults)


@contextlib.asynccontextmanager
async def running_sandbox(**options: Any) -> AsyncIterator[str]:
    """Serve the sandbox on 127.0.0.1 (a free port) and yield its base URL, e.g. http://127.0.0.1:54321."""
    import uvicorn

    server = uvicorn.Server(_uvicorn_config(create_sandbox_app(**options), "127.0.0.1", 0))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises why it could not start
                raise RuntimeError("the sandbox server stopped before it started")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def serve_sandbox(host: str = "127.0.0.1", port: int = 0, *, ready: Callable[[str], None]) -> None:
    """Serve the sandbox on `host:port` until interrupted (blocking); `ready(base_url)` is called
    once it accepts connections. Port 0 takes a free one. A non-loopback `host` is a ValueError."""
    import uvicorn

    from engati_mcp.http import is_loopback

    if not is_loopback(host):
        raise ValueError(f"the sandbox is served on loopback only (127.0.0.1, ::1 or localhost), not {host}")
    # Listening before `ready`: a client told the URL at once is queued, not refused, and port 0
    # is already the port actually taken.
    with _listening_socket(host, port) as sock:
        ready(sandbox_url(host, sock.getsockname()[1]))
        # uvicorn stops gracefully on Ctrl-C, then raises KeyboardInterrupt for the caller.
        uvicorn.Server(_uvicorn_config(create_sandbox_app(), host, port)).run(sockets=[sock])


def sandbox_url(host: str, port: int) -> str:
    """The sandbox's base URL when served on `host:port` (an IPv6 address in brackets)."""
    name = host.strip("[]")
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


def sandbox_environment(base_url: str) -> dict[str, str]:
    """The ENGATI_* variables that point engati-mcp (`check`, or an MCP client's entry) at a served sandbox."""
    return {
        "ENGATI_BASE_URL": base_url,
        "ENGATI_API_KEY": SANDBOX_API_KEY,
        "ENGATI_CUSTOMER_ID": SANDBOX_CUSTOMER_ID,
        "ENGATI_BOT_KEY": SANDBOX_BOT_KEY,
    }


def _listening_socket(host: str, port: int) -> socket.socket:
    name = host.strip("[]")
    family = socket.AF_INET6 if ":" in name else socket.AF_INET
    return socket.create_server((name, port), family=family)


def _uvicorn_config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    import uvicorn

    # log_config=None: uvicorn logs through the process's own (stderr, scrubbed) logging.
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", log_config=None, lifespan="off", access_log=False
    )
