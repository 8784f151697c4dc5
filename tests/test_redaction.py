"""PII masking (ENGATI_REDACT_PII=true): emails and phone numbers go, dates, ids and prices stay,
and neither invisible characters nor fullwidth forms hide an address or a number."""

from __future__ import annotations

import sys
import unicodedata
from datetime import UTC, datetime

import pytest

from engati_mcp.models import Message, Role
from engati_mcp.redaction import redact_attributes, redact_messages, redact_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail me at asha.rao@example.com please", "mail me at [email] please"),
        ("call +91 98765 43210", "call [phone]"),
        ("my number is 919876543210", "my number is [phone]"),
        ("office (022) 2345-6789", "office [phone]"),
        ("whatsapp 98765-43210 now", "whatsapp [phone] now"),
        ("a.b-c+tag@mail.example.co.in", "[email]"),
    ],
)
def test_emails_and_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert redact_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "due on 2025-03-01 at 10:00 AM",
        "delivered 12/03/2025",
        "order ORD-48213",
        "paid ₹1,499.00",
        "ticket TCK-55821",
        "epoch 2025/03/01 13:45",
        "3-5 business days",
    ],
)
def test_dates_times_order_numbers_and_prices_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_messages_are_masked_and_untouched_ones_are_the_same_objects() -> None:
    stamp = datetime(2025, 3, 1, tzinfo=UTC)
    plain = Message(Role.BOT, "Our store opens at 9:00 AM.", stamp)
    private = Message(Role.USER, "I am asha.rao@example.com, +91 98765 43210", stamp)
    masked = redact_messages([plain, private])
    assert masked[0] is plain
    assert masked[1].text == "I am [email], [phone]" and masked[1].timestamp == stamp


def test_attribute_values_are_masked_and_other_types_kept() -> None:
    attributes = {"email": "asha.rao@example.com", "user.phone_no": "919876543210", "city": "Mumbai", "visits": 3}
    assert redact_attributes(attributes) == {
        "email": "[email]",
        "user.phone_no": "[phone]",
        "city": "Mumbai",
        "visits": 3,
    }


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail asha\u200d@example.com now", "mail [email] now"),
        ("mail asha.rao\u2060@exa\u00admple.com", "mail [email]"),
        ("call 98765\u200d43210", "call [phone]"),
        ("asha＠example.com", "[email]"),
        ("ａｓｈａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "[email]"),
        ("９８７６５ ４３２１０", "[phone]"),
    ],
)
def test_masking_sees_through_invisible_and_fullwidth_disguises(text: str, masked: str) -> None:
    assert redact_text(text) == masked


def test_text_outside_a_mask_is_left_exactly_as_written() -> None:
    family, kana = "👨\u200d👩\u200d👧", "ｶﾀｶﾅ ½"
    assert redact_text(f"{family} {kana} asha\u200d@example.com {family}") == f"{family} {kana} [email] {family}"


def test_the_format_character_class_holds_every_format_character_python_knows() -> None:
    from engati_mcp.redaction import _FORMAT

    missing = [
        hex(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf" and not _FORMAT.match(chr(c))
    ]
    assert missing == []
