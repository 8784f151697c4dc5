"""Configuration: environment variables (and command-line overrides) read into typed settings.

The server must start and list its tools even when configuration is missing or malformed: a
server that dies at start shows up in Claude Desktop only as "disconnected", with no hint why.
So `load_settings` never raises for bad values; it returns a `ConfigProblem` whose message names
each bad variable and where to find the right value, and every tool call reports that message.

Settings are read with pydantic-settings (typed env parsing, one validation error per bad field)
rather than by hand. The API key is a `SecretStr` so no repr, log or error ever shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "ENGATI_"
DEFAULT_BASE_URL = "https://api.engati.com"


class Settings(BaseSettings):
    """Everything the server needs, from `ENGATI_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    api_key: SecretStr = Field(description="Engati API key, sent verbatim as `Authorization: Basic <key>`.")
    customer_id: str = Field(description="Numeric Engati customer id, e.g. 10294.")
    bot_key: str = Field(description="The bot key, 16 hex characters, e.g. 1a1c9bfa5e0f41ed.")
    base_url: str = Field(DEFAULT_BASE_URL, description="Engati API base URL (http or https).")
    timeout: float = Field(30.0, gt=0, le=600, description="Seconds per HTTP request.")
    call_deadline: float = Field(60.0, gt=0, le=3600, description="Seconds one tool call may take in all.")
    max_concurrency: int = Field(8, ge=1, le=64, description="Requests in flight to Engati at once.")
    max_messages: int = Field(5000, ge=1, le=1_000_000, description="Cap on messages one history call fetches.")
    max_response_bytes: int = Field(
        32 * 1024 * 1024, ge=1024, le=1024**3, description="Cap on one Engati response body, decoded (bytes)."
    )
    redact_pii: bool = Field(False, description="Mask emails and phone numbers before they reach the model.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"
    timezone: str = Field("UTC", description="IANA time zone for times shown and for dates given without an offset.")
    conversation_gap_minutes: int = Field(
        30, ge=1, le=7 * 24 * 60, description="Silence that starts a new conversation, in minutes."
    )

    @property
    def zone(self) -> tzinfo:
        # UTC needs no time zone database (Windows has none unless tzdata is installed).
        return UTC if self.timezone == "UTC" else ZoneInfo(self.timezone)

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone_is_iana(cls, value: Any) -> Any:
        name = str(value).strip() or "UTC"
        try:
            if name != "UTC":
                ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as UTC, Asia/Kolkata or Europe/Madrid") from None
        return name

    @field_validator("api_key", mode="before")
    @classmethod
    def _api_key_is_one_token(cls, value: Any) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            text = text.strip()
            if not text:
                raise ValueError("is empty")
            if any(ch.isspace() or ord(ch) < 32 for ch in text):
                raise ValueError("contains spaces or control characters (copy the key again, without quotes)")
        return text

    @field_validator("customer_id", mode="before")
    @classmethod
    def _customer_id_is_digits(cls, value: Any) -> Any:
        return _matching(value, r"[0-9]{1,20}", "must be the numeric customer id (digits only, e.g. 10294)")

    @field_validator("bot_key", mode="before")
    @classmethod
    def _bot_key_is_alphanumeric(cls, value: Any) -> Any:
        return _matching(
            value, r"[A-Za-z0-9]{1,64}", "must be letters and digits only (16 hex characters, e.g. 1a1c9bfa5e0f41ed)"
        )

    @field_validator("base_url", mode="before")
    @classmethod
    def _base_url_is_http(cls, value: Any) -> Any:
        text = str(value).strip().rstrip("/")
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text):
            raise ValueError("must be an http:// or https:// URL such as https://api.engati.com")
        if "@" in text.split("/")[2]:
            # httpx turns `user:password@` into its own Authorization header, silently replacing
            # the API key's; and the URL would carry a secret into every message that names it.
            # The value is never echoed: it may hold the key.
            raise ValueError(
                "must not contain a user name or password (user:password@host); put the API "
                "key in ENGATI_API_KEY and give ENGATI_BASE_URL without it, e.g. https://api.engati.com"
            )
        return text


def _matching(value: Any, pattern: str, rule: str) -> str:
    text = str(value).strip()
    if not re.fullmatch(pattern, text):
        raise ValueError(rule)
    return text


@dataclass(frozen=True)
class ConfigProblem:
    """Why settings could not be loaded; `message` is safe to show (never contains the key)."""

    message: str


def env_name(field: str) -> str:
    """The environment variable that sets a settings field, e.g. `api_key` -> `ENGATI_API_KEY`."""
    return ENV_PREFIX + field.upper()


def load_settings(overrides: dict[str, Any] | None = None) -> Settings | ConfigProblem:
    """Read settings from the environment, with `overrides` (command-line flags) taking priority.

    Returns a `ConfigProblem` instead of raising, so the server can start and explain.
    """
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        return ConfigProblem(_describe(exc))


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        field = str(err["loc"][0]) if err["loc"] else "?"
        lines.append(f"- {env_name(field)} {_problem_text(field, err)}")
    return (
        "engati-mcp is not configured correctly:\n" + "\n".join(lines) + "\n"
        "Set these in the MCP client's configuration (the `env` block of the server entry). "
        "ENGATI_API_KEY, ENGATI_CUSTOMER_ID and ENGATI_BOT_KEY are shown in the Engati portal "
        "under Integration > Engati API."
    )


def _problem_text(field: str, err: Any) -> str:
    if err["type"] == "missing":
        return "is not set."
    # Errors are rendered without their input, so not even a mistyped key is echoed back.
    reason = str(err["msg"]).removeprefix("Value error, ")
    return f"is malformed: {reason}."
