"""Shared test fixtures: obviously fake credentials, a retry policy with no real waiting, and an
in-process client of a server configured with them (`connect`, `text_of`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

from engati_mcp.client import RetryPolicy
from engati_mcp.config import Settings

FAKE_KEY = "e52ba556-bdd0-4e88-a0c4-c41b02414ef4-TESTKEY"
CUSTOMER = "10294"
BOT = "1a1c9bfa5e0f41ed"
BASE = "https://api.engati.test"
USERS_URL = f"{BASE}/bot-api/v1.0/customer/{CUSTOMER}/bot/{BOT}/users"
FAST_RETRY = RetryPolicy(attempts=3, wait_initial=0.001, wait_max=0.002, wait_jitter=0.0, retry_after_cap=0.01)
CONFIG: dict[str, Any] = {"api_key": FAKE_KEY, "customer_id": CUSTOMER, "bot_key": BOT, "base_url": BASE}

# Property tests draw the same examples on every run, CI's included, so a red run is the change's
# fault and not the dice's. `HYPOTHESIS_PROFILE=explore` draws fresh examples to hunt for new failures;
# what it finds becomes an `@example` (see tests/test_tokens.py).
hypothesis_settings.register_profile("reproducible", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))

if TYPE_CHECKING:
    from mcp import Client


def conversations_url(user: str) -> str:
    return f"{BASE}/bot-api/v1.0/customer/{CUSTOMER}/bot/{BOT}/channel-user/{user}/conversations"


def make_settings(**overrides: object) -> Settings:
    return Settings(**(CONFIG | overrides))


def connect(**overrides: Any) -> Client:
    """A client of a fresh in-process server configured with `CONFIG | overrides` and FAST_RETRY.

    Opened with `async with` in the test's own task, not by a fixture: anyio cancel scopes must be
    entered and left in the same task, which async fixtures do not do. The server and the SDK
    are imported here, not at the top, so a test file that does not connect does not need them.
    """
    from mcp import Client

    from engati_mcp.server import create_server

    return Client(create_server(CONFIG | overrides, retry=FAST_RETRY))


def text_of(result: Any) -> str:
    """A tool result's text blocks, joined."""
    return "\n".join(block.text for block in result.content if block.type == "text")


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(autouse=True)
def _no_engati_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real ENGATI_* variables."""
    for name in list(os.environ):
        if name.startswith("ENGATI_"):
            monkeypatch.delenv(name)
