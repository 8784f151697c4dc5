"""The sandbox: a fake Engati API inside the package, for `engati-mcp demo`, `--sandbox` and tests.

It answers Engati's two endpoints from deterministic generated data (see `data`), reached
in-process through `httpx.ASGITransport` (no port opened), or served on loopback with
`running_sandbox()` for clients in other processes. Its credentials are fixed and public: it
accepts no other key, customer id or bot key, like the real API.

Starlette and uvicorn are imported only when an app is made or served, so importing the
constants stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

SANDBOX_API_KEY = "00000000-0000-4000-8000-000000000000-SANDBOX"
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
    from starlette.applications import Starlette

__all__ = ["FAULTS", "SANDBOX_API_KEY", "SANDBOX_BASE_URL", "SANDBOX_BOT_KEY", "SANDBOX_CUSTOMER_ID",
           "SANDBOX_SETTINGS", "FaultPlan", "create_sandbox_app", "running_sandbox"]


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

    config = uvicorn.Config(create_sandbox_app(**options), host="127.0.0.1", port=0, log_level="warning",
                            log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
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
