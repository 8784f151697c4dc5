"""Tolerant parsing: every response shape listed in docs/engati-api.md, and honest errors for
shapes we cannot read. Covers `parsing` and the modules split out of it: `timestamps`,
`rich_elements` and `json_fields`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engati_mcp import parsing, timestamps
from engati_mcp.errors import EngatiAPIError, EngatiResponseError
from engati_mcp.json_fields import first_list, first_present, first_scalar
from engati_mcp.models import ChatPage, MessageKind, Role
from engati_mcp.parsing import parse_chat_page, parse_messages, parse_users
from engati_mcp.rich_elements import render_rich_element
from engati_mcp.sanitize import clean_text
from engati_mcp.timestamps import parse_timestamp

MSG = {"sender": "user", "response": "hello", "timestamp": 1740816000000}


def page(body: object, page_size: int = 500) -> ChatPage:
    return parse_chat_page(body, page_number=1, page_size=page_size)


@pytest.mark.parametrize(
    "body",
    [
        {"status": {"code": 1000, "desc": "Success"}, "responseObject": {"conversations": [MSG]}},
        {"status": {"code": 1000, "desc": "Success"}, "responseObject": {"messages": [MSG]}},
        {"status": {"code": 1000}, "responseObject": [MSG]},
        {"conversations": [MSG]},
        {"messages": [MSG]},
        [MSG],
        {"data": [MSG]},
        {"data": {"messages": [MSG]}},
        {"content": [MSG]},
        {"content": {"conversations": [MSG]}},
        {"result": {"data": {"conversations": [MSG]}}},
    ],
    ids=[
        "envelope-conversations",
        "envelope-messages",
        "envelope-list",
        "top-conversations",
        "top-messages",
        "bare-list",
        "data-list",
        "data-messages",
        "content-list",
        "content-conversations",
        "nested",
    ],
)
def test_message_list_is_found_in_every_known_shape(body: object) -> None:
    assert [m.text for m in page(body).messages] == ["hello"]


@pytest.mark.parametrize(
    ("item", "role", "text"),
    [
        ({"sender": "bot", "response": "Hi"}, Role.BOT, "Hi"),
        ({"sender": "919876543210", "response": "Hi"}, Role.USER, "Hi"),  # observed: non-bot sender is the user
        ({"from": "USER", "text": "Hi"}, Role.USER, "Hi"),
        ({"source": "AGENT", "message": "Hi"}, Role.AGENT, "Hi"),
        ({"from": "BOT", "message": {"text": "Hi"}}, Role.BOT, "Hi"),
        ({"role": "assistant", "text": "Hi"}, Role.BOT, "Hi"),
        ({"text": "Hi"}, Role.UNKNOWN, "Hi"),
    ],
)
def test_sender_and_text_are_read_from_any_known_key(item: dict, role: Role, text: str) -> None:
    (message,) = parse_messages([item])
    assert (message.role, message.text) == (role, text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025/03/01 13:45:10.123+0530", datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
        ("2025/03/01 13:45:10+0530", datetime(2025, 3, 1, 8, 15, 10, tzinfo=UTC)),
        ("2025-03-01T08:15:10Z", datetime(2025, 3, 1, 8, 15, 10, tzinfo=UTC)),
        ("2025-03-01T08:15:10.5-05:00", datetime(2025, 3, 1, 13, 15, 10, 500000, tzinfo=UTC)),
        ("2025-03-01 08:15:10", datetime(2025, 3, 1, 8, 15, 10, tzinfo=UTC)),  # no offset: UTC
        (1740816910123, datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
        ("1740816910123", datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
        (1740816910, datetime(2025, 3, 1, 8, 15, 10, tzinfo=UTC)),  # epoch seconds
        (1740816910123.0, datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_format_become_aware_utc(value: object, expected: datetime) -> None:
    parsed = parse_timestamp(value)
    assert parsed == expected and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "yesterday", "2025/13/45 99:99:99", True, {"x": 1}, 10**30])
def test_unreadable_timestamps_are_none_never_invented(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize("key", ["timestamp", "time", "created_at", "createdAt", "date"])
def test_timestamp_is_read_from_any_known_key(key: str) -> None:
    (message,) = parse_messages([{"sender": "bot", "text": "x", key: "2025-03-01T00:00:00Z"}])
    assert message.timestamp == datetime(2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "total"),
    [
        ({"responseObject": {"conversations": [], "total_records": 12}}, 12),
        ({"responseObject": {"conversations": []}, "totalCount": 7}, 7),
        ({"conversations": [], "total": 3}, 3),
        ({"data": {"messages": [], "totalElements": 9}}, 9),
        ({"conversations": []}, None),
    ],
)
def test_pagination_totals_are_read_when_present(body: dict, total: int | None) -> None:
    assert page(body).total_records == total


def test_has_more_is_known_from_total_or_a_short_page_and_unknown_otherwise() -> None:
    two = [MSG, MSG]
    assert parse_chat_page({"conversations": two, "total_records": 5}, page_number=1, page_size=2).has_more is True
    assert parse_chat_page({"conversations": two, "total_records": 4}, page_number=2, page_size=2).has_more is False
    assert parse_chat_page({"conversations": [MSG]}, page_number=1, page_size=2).has_more is False
    assert parse_chat_page({"conversations": two}, page_number=1, page_size=2).has_more is None


def test_messages_are_returned_oldest_first() -> None:
    items = [
        {"sender": "user", "text": t, "timestamp": ts} for t, ts in (("b", 2_000_000_000_000), ("a", 1_900_000_000_000))
    ]
    assert [m.text for m in page({"conversations": items}).messages] == ["a", "b"]


def test_unreadable_items_are_counted_not_invented() -> None:
    result = page({"conversations": [MSG, "garbage", 42, {"sender": "bot"}]})
    assert len(result.messages) == 1 and result.unreadable_items == 3


@pytest.mark.parametrize(
    ("item", "placeholder", "kind"),
    [
        (
            {"sender": "bot", "type": "carousel", "payload": {"items": [{}, {}, {}]}},
            "[bot: carousel, 3 items]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "user", "type": "postback", "response": "Track order"},
            "[user tapped: Track order]",
            MessageKind.ARTEFACT,
        ),
        (
            {
                "sender": "bot",
                "type": "quick_reply",
                "response": "Pick one",
                "payload": {"options": ["Track order", "Cancel"]},
            },
            "Pick one [bot: quick replies: Track order | Cancel]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "bot", "type": "buttons", "payload": {"buttons": [{"title": "Yes"}, {"title": "No"}]}},
            "[bot: buttons: Yes | No]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "bot", "type": "card", "payload": {"title": "Gold plan"}},
            "[bot: card: Gold plan]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "bot", "type": "template", "payload": {"template_name": "order_update"}},
            "[bot: template order_update]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "user", "type": "attachment", "payload": {"attachment_type": "image", "url": "https://x/y.png"}},
            "[user: image]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "system", "type": "handoff", "response": "Conversation transferred to agent Priya"},
            "[event: Conversation transferred to agent Priya]",
            MessageKind.EVENT,
        ),
    ],
)
def test_rich_elements_become_short_placeholders(item: dict, placeholder: str, kind: MessageKind) -> None:
    (message,) = parse_messages([item])
    assert (message.text, message.kind) == (placeholder, kind)
    assert "https://" not in message.text


def test_invisible_and_control_characters_are_stripped_but_scripts_kept() -> None:
    hostile = "Hi\u202eevil\u200b\x00\x1b[31m\U000e0041 नमस्ते 👨\u200d👩\u200d👧\r\nbye\tnow"
    assert clean_text(hostile) == "Hievil[31m नमस्ते 👨\u200d👩\u200d👧\nbye now"


# ---------------------------------------------------------------------------------------------
# Users


@pytest.mark.parametrize(
    "body",
    [
        {"status": {"code": 1000}, "responseObject": {"users": [{"channel_user_id": "u1", "name": "A"}]}},
        {"status": {"code": 1000}, "responseObject": [{"channelUserId": "u1", "name": "A"}]},
        {"users": [{"user_id": "u1", "user_name": "A"}]},
        [{"id": "u1", "first_name": "A"}],
        {"data": {"records": [{"channel_user_id": "u1", "attributes": {"name": "A"}}]}},
    ],
)
def test_users_are_found_in_every_known_shape(body: object) -> None:
    (user,) = parse_users(body)
    assert (user.channel_user_id, user.name) == ("u1", "A")


def test_user_attributes_as_a_list_of_pairs_are_read() -> None:
    (user,) = parse_users(
        {
            "users": [
                {
                    "channel_user_id": "u1",
                    "channel": "whatsapp",
                    "attributes": [{"name": "email", "value": "a@b.co"}, {"name": "city", "value": "Pune"}],
                }
            ]
        }
    )
    assert user.attributes == {"email": "a@b.co", "city": "Pune"} and user.channel == "whatsapp"


def test_users_without_any_id_are_an_error_not_a_guess() -> None:
    with pytest.raises(EngatiResponseError, match="none had a recognisable user id"):
        parse_users({"users": [{"email": "a@b.co"}]})


def test_an_unrecognised_users_body_names_its_keys() -> None:
    with pytest.raises(EngatiResponseError, match="keys seen: people"):
        parse_users({"people": []})


@pytest.mark.parametrize(
    "body",
    [
        {"status": {"code": 1003, "desc": "INVALID_INPUT_DATE_VALUE"}},
        {"error_code": 1003, "error_message": "INVALID_INPUT_DATE_VALUE"},
    ],
)
def test_error_envelopes_in_either_spelling_raise_the_mapped_error(body: dict) -> None:
    with pytest.raises(EngatiAPIError, match="milliseconds") as caught:
        page(body)
    assert caught.value.engati_code == 1003


# ---------------------------------------------------------------------------------------------
# The split: names still importable from `parsing`, and the modules split out of it


def test_parsing_still_offers_parse_timestamp_and_its_public_names() -> None:
    assert parsing.parse_timestamp is timestamps.parse_timestamp
    assert all(hasattr(parsing, name) for name in parsing.__all__)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025/03/01 13:45:10.123+05:30", datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
        ("2025/03/01T13:45:10Z", datetime(2025, 3, 1, 13, 45, 10, tzinfo=UTC)),
        ("  1740816910123  ", datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)),
        ("1740816910.5", datetime(2025, 3, 1, 8, 15, 10, 500000, tzinfo=UTC)),
        ("1990-01-01T00:00:00Z", datetime(1990, 1, 1, tzinfo=UTC)),
    ],
)
def test_more_timestamp_forms_are_read(value: object, expected: datetime) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        "1989-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        float("nan"),
        float("inf"),
        10**400,
        "9999-12-31T23:59:59-01:00",
        "2025/03/01 25:00:00",
        [1740816910123],
    ],
)
def test_implausible_or_malformed_times_are_unreadable(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    ("item", "text", "kind"),
    [
        (
            {"sender": "bot", "type": "quick_replies", "payload": {"quickReplies": list("abcdefgh")}},
            "[bot: quick replies: a | b | c | d | e | f | …]",
            MessageKind.ARTEFACT,
        ),
        ({"sender": "bot", "type": "menu", "payload": {}}, "[bot: buttons]", MessageKind.ARTEFACT),
        ({"type": "image", "payload": {"caption": "receipt"}}, "[message: image: receipt]", MessageKind.ARTEFACT),
        (
            {"sender": "user", "type": "document", "payload": {"file_name": "bill.pdf"}},
            "[user: document: bill.pdf]",
            MessageKind.ARTEFACT,
        ),
        (
            {"sender": "bot", "type": "cards", "payload": {"slides": [{}, {}]}},
            "[bot: carousel, 2 items]",
            MessageKind.ARTEFACT,
        ),
        ({"sender": "bot", "type": "card"}, "[bot: card]", MessageKind.ARTEFACT),
        ({"sender": "bot", "type": "template"}, "[bot: template]", MessageKind.ARTEFACT),
        (
            {"sender": "user", "type": "button_click", "payload": {"title": "Yes"}},
            "[user tapped: Yes]",
            MessageKind.ARTEFACT,
        ),
        ({"sender": "user", "type": "tap"}, "[user tapped: a button]", MessageKind.ARTEFACT),
        ({"sender": "bot", "type": "agent_transfer"}, "[event: agent transfer]", MessageKind.EVENT),
        (
            {"sender": "bot", "type": "CAROUSEL", "payload": {"items": [{}]}},
            "[bot: carousel, 1 items]",
            MessageKind.ARTEFACT,
        ),
        ({"sender": "bot", "type": "text", "response": "plain"}, "plain", MessageKind.TEXT),
        ({"sender": "bot", "type": "weird", "response": "kept"}, "kept", MessageKind.TEXT),
    ],
)
def test_every_rich_element_has_a_placeholder(item: dict, text: str, kind: MessageKind) -> None:
    (message,) = parse_messages([item])
    assert (message.text, message.kind) == (text, kind)


def test_option_titles_are_cleaned_and_cut() -> None:
    item = {"sender": "bot", "type": "buttons", "payload": {"buttons": [{"label": "x\u200b" * 100}, {"title": ""}, 7]}}
    (message,) = parse_messages([item])
    assert message.text == f"[bot: buttons: {'x' * 60}]"


def test_a_message_with_neither_text_nor_element_is_nothing_to_show() -> None:
    assert render_rich_element({"sender": "bot"}, Role.BOT, None) == (MessageKind.TEXT, None)
    result = page({"conversations": [{"sender": "bot", "type": "text"}, {"sender": "bot", "payload": "not an object"}]})
    assert result.messages == [] and result.unreadable_items == 2


def test_ids_sessions_and_sender_objects_are_read() -> None:
    (message,) = parse_messages(
        [
            {
                "sender": {"type": "Live Agent", "id": 9},
                "text": "Hi",
                "messageId": 42,
                "sessionId": " s-1 ",
                "ts": 1740816910123,
            }
        ]
    )
    assert (message.role, message.id, message.session) == (Role.AGENT, "42", "s-1")
    assert message.timestamp == datetime(2025, 3, 1, 8, 15, 10, 123000, tzinfo=UTC)


def test_a_page_without_every_time_keeps_engatis_order_unless_clearly_newest_first() -> None:
    def items(*stamps: int | None) -> list[dict]:
        return [{"sender": "bot", "text": str(i), "timestamp": ts} for i, ts in enumerate(stamps)]

    assert [m.text for m in page({"messages": items(None, 2_000_000_000_000, 1_900_000_000_000)}).messages] == [
        "2",
        "1",
        "0",
    ]
    assert [m.text for m in page({"messages": items(1_900_000_000_000, None, 2_000_000_000_000)}).messages] == [
        "0",
        "1",
        "2",
    ]


@pytest.mark.parametrize("total", [-1, 100_000_001, True, "12x", "²", 10**20])
def test_a_total_that_cannot_be_a_total_counts_as_none(total: object) -> None:
    assert page({"conversations": [], "total_records": total}).total_records is None


def test_a_total_given_as_digits_is_read() -> None:
    assert page({"conversations": [], "totalRecords": " 12 "}).total_records == 12


@pytest.mark.parametrize(
    "body",
    [
        {"status": "ok", "data": [MSG]},
        {"status": {"code": "1000"}, "responseObject": [MSG]},
        {"status": {"code": 10**20}, "responseObject": [MSG]},
    ],
)
def test_a_status_that_is_not_an_error_code_is_not_an_error(body: dict) -> None:
    assert len(page(body).messages) == 1


def test_an_error_code_as_digits_in_a_success_body_raises() -> None:
    with pytest.raises(EngatiAPIError) as caught:
        page({"status": {"code": "1004", "desc": "INVALID_PAGE_NUMBER"}})
    assert caught.value.engati_code == 1004 and caught.value.desc == "INVALID_PAGE_NUMBER"


def test_a_single_user_sent_bare_and_a_joined_name_are_read() -> None:
    (user,) = parse_users(
        {"status": {"code": 1000}, "responseObject": {"userId": 7, "firstName": "Asha", "lastName": "Rao"}}
    )
    assert (user.channel_user_id, user.name) == ("7", "Asha Rao")


def test_attribute_values_keep_numbers_and_clean_the_rest() -> None:
    (user,) = parse_users([{"id": "u1", "attrs": {"age": 31, "vip": True, "note": "a\u202eb", "tags": ["x"]}}])
    assert user.attributes == {"age": 31, "vip": True, "note": "ab", "tags": "['x']"}


def test_a_body_that_is_not_an_object_says_what_it_was() -> None:
    with pytest.raises(EngatiResponseError, match="a JSON str, not an object"):
        parse_chat_page("nope", page_number=1, page_size=10)


def test_field_readers_take_the_first_usable_spelling() -> None:
    item = {"a": None, "b": "", "c": True, "d": " x\u200b ", "e": 5, "l": "no", "m": [1]}
    assert first_present(item, ("a", "b", "d")) == ""
    assert first_scalar(item, ("a", "b", "c", "d")) == "x"
    assert first_scalar(item, ("c", "e")) == "5"
    assert first_scalar(["not", "a", "dict"], ("a",)) is None
    assert first_list(item, ("l", "m")) == [1] and first_list(item, ("z",)) == []
