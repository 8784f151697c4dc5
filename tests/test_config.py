"""Settings: read from the environment, overridable by flags, and never fatal when wrong."""

from __future__ import annotations

import pytest

from engati_mcp.config import ConfigProblem, Settings, load_settings
from tests.conftest import FAKE_KEY


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("ENGATI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("ENGATI_CUSTOMER_ID", "10294")
    monkeypatch.setenv("ENGATI_BOT_KEY", "1a1c9bfa5e0f41ed")
    return monkeypatch


def test_settings_are_read_from_engati_environment_variables(env: pytest.MonkeyPatch) -> None:
    env.setenv("ENGATI_BASE_URL", "https://api.engati.ai/")
    env.setenv("ENGATI_TIMEOUT", "12.5")
    settings = load_settings()
    assert isinstance(settings, Settings)
    assert settings.api_key.get_secret_value() == FAKE_KEY
    assert (settings.customer_id, settings.bot_key) == ("10294", "1a1c9bfa5e0f41ed")
    assert settings.base_url == "https://api.engati.ai" and settings.timeout == 12.5


def test_defaults_apply_when_optional_variables_are_absent(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert isinstance(settings, Settings)
    assert (settings.base_url, settings.timeout, settings.max_messages) == ("https://api.engati.com", 30.0, 5000)


def test_command_line_overrides_win_over_the_environment(env: pytest.MonkeyPatch) -> None:
    settings = load_settings({"customer_id": "777", "timeout": None})
    assert isinstance(settings, Settings) and settings.customer_id == "777" and settings.timeout == 30.0


def test_missing_variables_are_all_named_with_where_to_find_them() -> None:
    problem = load_settings()
    assert isinstance(problem, ConfigProblem)
    for name in ("ENGATI_API_KEY", "ENGATI_CUSTOMER_ID", "ENGATI_BOT_KEY"):
        assert f"{name} is not set" in problem.message
    assert "Integration > Engati API" in problem.message


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("ENGATI_CUSTOMER_ID", "cust-10294", "digits only"),
        ("ENGATI_BOT_KEY", "1a1c/9bfa", "letters and digits"),
        ("ENGATI_BASE_URL", "ftp://api.engati.com", "http:// or https://"),
        ("ENGATI_TIMEOUT", "soon", "valid number"),
        ("ENGATI_TIMEOUT", "-1", "greater than 0"),
        ("ENGATI_API_KEY", "two words", "spaces"),
    ],
)
def test_malformed_variables_are_named_with_the_rule(
    env: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    env.setenv(variable, value)
    problem = load_settings()
    assert isinstance(problem, ConfigProblem)
    assert f"{variable} is malformed" in problem.message and says in problem.message


def test_a_malformed_key_is_never_echoed(env: pytest.MonkeyPatch) -> None:
    env.setenv("ENGATI_API_KEY", "secret-part another-secret-part")
    problem = load_settings()
    assert isinstance(problem, ConfigProblem)
    assert "secret-part" not in problem.message


def test_the_key_never_appears_in_a_settings_repr(env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert FAKE_KEY not in repr(settings) and FAKE_KEY not in str(settings)
