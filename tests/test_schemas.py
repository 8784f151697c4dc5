"""Date arguments: milliseconds, ISO 8601 and relative windows, and the seconds mistake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engati_mcp import schemas
from engati_mcp.schemas import iso_utc, parse_date_input

FROZEN = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "now_utc", lambda: FROZEN)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1740787200000, 1740787200000),
        ("1740787200000", 1740787200000),
        ("2025-03-01", ms(datetime(2025, 3, 1, tzinfo=UTC))),  # a bare date is midnight UTC
        ("2025-03-01T08:30", ms(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))),  # no offset means UTC
        ("2025-03-01T08:30:00Z", ms(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))),
        ("2025-03-01T14:00:00+05:30", ms(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))),
        ("2025-03-01 08:30:00", ms(datetime(2025, 3, 1, 8, 30, tzinfo=UTC))),
        ("24h", ms(FROZEN - timedelta(hours=24))),
        ("7d", ms(FROZEN - timedelta(days=7))),
        ("30d", ms(FROZEN - timedelta(days=30))),
        ("2w", ms(FROZEN - timedelta(weeks=2))),
        ("90m", ms(FROZEN - timedelta(minutes=90))),
        ("now", ms(FROZEN)),
        (None, None),
    ],
)
def test_date_inputs_become_utc_milliseconds(value: object, expected: int | None) -> None:
    assert parse_date_input(value) == expected  # type: ignore[arg-type]


def test_epoch_seconds_are_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="looks like seconds, not milliseconds; multiply by 1000"):
        parse_date_input(1740787200)


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "7 days ago", "2025/03/01"])
def test_unreadable_date_strings_say_which_forms_are_accepted(value: str) -> None:
    with pytest.raises(ValueError, match="epoch milliseconds"):
        parse_date_input(value)


def test_microseconds_are_refused() -> None:
    with pytest.raises(ValueError, match="not a plausible"):
        parse_date_input(1740787200000000)


def test_iso_rendering_is_utc_with_z() -> None:
    assert iso_utc(1740787200000) == "2025-03-01T00:00:00Z"


def test_a_phone_number_id_sent_as_a_json_number_is_read_as_its_digits() -> None:
    from pydantic import TypeAdapter

    from engati_mcp.schemas import AttributeValue, ChannelUserId

    assert TypeAdapter(ChannelUserId).validate_python(919876543210) == "919876543210"
    assert TypeAdapter(AttributeValue).validate_python(919876543210) == "919876543210"
    with pytest.raises(ValueError):
        TypeAdapter(ChannelUserId).validate_python(True)


async def test_the_history_arguments_are_declared_once_and_the_tool_schema_follows_them() -> None:
    from mcp import Client

    from engati_mcp.schemas import HISTORY_DEFAULTS, HistoryArgs
    from engati_mcp.server import create_server

    async with Client(create_server()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    schema = tools["get_chat_history"].input_schema
    assert list(schema["properties"]) == list(HistoryArgs.model_fields)
    assert schema["required"] == ["channel_user_id"]
    assert {name: schema["properties"][name]["default"] for name in HISTORY_DEFAULTS} == HISTORY_DEFAULTS
