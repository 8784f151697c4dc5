"""Shared test fixtures: obviously fake credentials and a retry policy with no real waiting."""

from __future__ import annotations

import pytest

from engati_mcp.client import RetryPolicy
from engati_mcp.config import Settings

FAKE_KEY = "e52ba556-bdd0-4e88-a0c4-c41b02414ef4-TESTKEY"
CUSTOMER = "10294"
BOT = "1a1c9bfa5e0f41ed"
BASE = "https://api.engati.test"
USERS_URL = f"{BASE}/bot-api/v1.0/customer/{CUSTOMER}/bot/{BOT}/users"
FAST_RETRY = RetryPolicy(attempts=3, wait_initial=0.001, wait_max=0.002, wait_jitter=0.0, retry_after_cap=0.01)


def conversations_url(user: str) -> str:
    return f"{BASE}/bot-api/v1.0/customer/{CUSTOMER}/bot/{BOT}/channel-user/{user}/conversations"


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"api_key": FAKE_KEY, "customer_id": CUSTOMER, "bot_key": BOT, "base_url": BASE}
    return Settings(**(values | overrides))


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture(autouse=True)
def _no_engati_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real ENGATI_* variables."""
    import os

    for name in list(os.environ):
        if name.startswith("ENGATI_"):
            monkeypatch.delenv(name)
