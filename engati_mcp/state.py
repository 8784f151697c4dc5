"""Per-process server state: the settings, the one shared Engati client and the page cache.

The state is created by the MCP lifespan, but what it holds is built on the first tool call
that needs it, not at start: the client pulls in httpx, retries and parsing, and a server that
only answers `initialize` and `tools/list` (what every client does first) should not pay for
them. There is still exactly one `httpx.AsyncClient` per process, closed by the lifespan:
closing cancels the calls in flight first (see `EngatiClient.aclose`), and a call that arrives
after it gets a clear "shutting down" error instead of a new client nobody would close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from engati_mcp.errors import EngatiConfigError, EngatiUnavailableError

if TYPE_CHECKING:
    from engati_mcp.client import EngatiClient, RetryPolicy
    from engati_mcp.config import ConfigProblem, Settings
    from engati_mcp.history import HistoryFetcher

T = TypeVar("T")


class ServerState:
    """Lazily built settings, client and fetcher, shared by every tool call of one process."""

    def __init__(
        self, overrides: dict[str, Any] | None = None, *, transport: Any = None, retry: RetryPolicy | None = None
    ) -> None:
        self._overrides = overrides or {}
        self._transport = transport
        self._retry = retry
        self._loaded: Settings | ConfigProblem | None = None
        self._client: EngatiClient | None = None
        self._fetcher: HistoryFetcher | None = None
        self._closed = False

    @property
    def settings(self) -> Settings | None:
        from engati_mcp.config import Settings

        loaded = self._load()
        return loaded if isinstance(loaded, Settings) else None

    def _load(self) -> Settings | ConfigProblem:
        if self._loaded is None:
            from engati_mcp.config import load_settings

            self._loaded = load_settings(self._overrides)
        return self._loaded

    def ready(self) -> tuple[Settings, EngatiClient, HistoryFetcher]:
        """Settings, client and fetcher, building them on first use; raises if not configured."""
        from engati_mcp.config import ConfigProblem

        if self._closed:
            raise EngatiUnavailableError("The server is shutting down; retry once it is running again.")
        loaded = self._load()
        if isinstance(loaded, ConfigProblem):
            raise EngatiConfigError(loaded.message)
        if self._client is None or self._fetcher is None:
            from engati_mcp.client import EngatiClient
            from engati_mcp.history import HistoryFetcher, PageCache

            self._client = EngatiClient(loaded, transport=self._transport, retry=self._retry)
            self._fetcher = HistoryFetcher(self._client, PageCache(), max_messages=loaded.max_messages)
        return loaded, self._client, self._fetcher

    def scrub(self, value: T) -> T:
        """`value` (text, or a JSON-like result) without the API key or the HTTP token, in any form.

        Engati's error text can echo the key; the key may sit in settings, a command-line override
        or only the environment (a malformed one, never loaded): every one is masked.
        """
        from engati_mcp.scrub import remember, scrub_json

        settings = self.settings
        remember(settings.api_key.get_secret_value() if settings else None, self._overrides.get("api_key"))
        return scrub_json(value)

    async def aclose(self) -> None:
        """Close the client (cancelling its calls in flight); later calls are refused, not served."""
        self._closed = True
        if self._client is not None:
            await self._client.aclose()
            self._client = self._fetcher = None
