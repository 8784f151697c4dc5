"""Optional PII masking (ENGATI_REDACT_PII=true): emails and phone numbers in message text and
user attributes are masked before they reach the model.

Ids the tools need (a user's channel_user_id, which for WhatsApp *is* a phone number) are left
alone by the callers, so a masked result can still be followed by the next tool call.

Matching runs on a normalised view of the text (NFKC, so a fullwidth ``＠`` or ``９`` counts as
``@`` or ``9``; format characters such as a zero-width joiner dropped, so ``asha\u200d@…`` is
still an address), mapped back to the original, so the text outside a mask is left exactly as
it was written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from engati_mcp.models import Message

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 7+ digits, optionally with a leading +, spaces, dots, dashes or parentheses between groups.
_PHONE = re.compile(r"(?<![\w+(])[+(]?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])")
# Digit runs that look like a phone number but are dates or times: never masked, a model needs them.
_NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}[./-]\d{2}[./-]\d{4}|\d{4}[./]\d{2}[./]\d{2}")
# Unicode's format characters (category Cf, as of Unicode 15.1; tests check it against the running
# Python's): invisible, so "asha\u200d@example.com" reads as an address. Spelled out because
# collecting them from `unicodedata` takes a fifth of a second.
_FORMAT = re.compile(
    r"[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    r"\U000e0020-\U000e007f]"
)
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"


def redact_text(text: str) -> str:
    """Mask email addresses and phone numbers in free text (matched on its normalised form)."""
    view, origin = _normalised(text)
    masks = [(*m.span(), EMAIL_MASK) for m in _EMAIL.finditer(view)]
    if masks:  # blank the addresses out (same length, so offsets hold) before looking for phones
        view = _EMAIL.sub(lambda m: "\0" * len(m.group()), view)
    masks += [(*m.span(), PHONE_MASK) for m in _PHONE.finditer(view) if not _NOT_A_PHONE.search(m.group())]
    if not masks:
        return text
    return _masked(text, sorted(masks), origin)


def _normalised(text: str) -> tuple[str, list[int] | None]:
    """The text as matched (NFKC, format characters dropped) and, for each of its characters,
    the index of the original character it came from (None: the same text, nothing to map)."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _FORMAT.search(text)):
        return text, None
    chars: list[str] = []
    origin: list[int] = []
    start = 0
    for cut in [*_FORMAT.finditer(text), None]:  # the pieces between format characters
        end = cut.start() if cut else len(text)
        piece = text[start:end]
        if unicodedata.is_normalized("NFKC", piece):  # the common case: taken whole
            chars.append(piece)
            origin.extend(range(start, end))
        else:
            for index in range(start, end):
                normal = unicodedata.normalize("NFKC", text[index])
                chars.append(normal)
                origin.extend([index] * len(normal))
        start = cut.end() if cut else end
    return "".join(chars), origin


def _masked(text: str, masks: list[tuple[int, int, str]], origin: list[int] | None) -> str:
    """`text` with each (start, end) span of its normalised view replaced by its mask."""
    parts, done = [], 0
    for start, end, mask in masks:
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        parts += [text[done:start], mask]
        done = end
    return "".join([*parts, text[done:]])


def redact_messages(messages: list[Message]) -> list[Message]:
    return [replace(m, text=masked) if (masked := redact_text(m.text)) != m.text else m for m in messages]


def redact_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: redact_text(value) if isinstance(value, str) else value for key, value in attributes.items()}
