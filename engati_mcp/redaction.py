"""Optional PII masking (ENGATI_REDACT_PII=true): emails and phone numbers in message text and
user attributes are masked before they reach the model.

Ids the tools need (a user's channel_user_id, which for WhatsApp *is* a phone number) are left
alone by the callers, so a masked result can still be followed by the next tool call.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from engati_mcp.models import Message

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 7+ digits, optionally with a leading +, spaces, dots, dashes or parentheses between groups.
_PHONE = re.compile(r"(?<![\w+(])[+(]?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")
# Digit runs that look like a phone number but are dates or times: never masked, a model needs them.
_NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}[./-]\d{2}[./-]\d{4}|\d{4}[./]\d{2}[./]\d{2}")
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"


def redact_text(text: str) -> str:
    """Mask email addresses and phone numbers in free text."""
    return _PHONE.sub(_mask_phone, _EMAIL.sub(EMAIL_MASK, text))


def _mask_phone(match: re.Match[str]) -> str:
    return match.group(0) if _NOT_A_PHONE.search(match.group(0)) else PHONE_MASK


def redact_messages(messages: list[Message]) -> list[Message]:
    return [replace(m, text=masked) if (masked := redact_text(m.text)) != m.text else m for m in messages]


def redact_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: redact_text(value) if isinstance(value, str) else value for key, value in attributes.items()}
