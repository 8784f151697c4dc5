"""Rich chat elements as short placeholders, never as raw payloads.

A bot's carousel, buttons, quick replies, card, template or attachment, a user's tap on a button,
and a handoff or system event all arrive as a message with a ``type`` and often a ``payload``
(see docs/engati-api.md). A payload can be kilobytes of JSON, URLs and ids that cost tokens and
mean nothing to a reader, so each element becomes one bracketed line saying what it was:
``[bot: carousel, 3 items]``, ``Pick one [bot: quick replies: Track order | Cancel]``,
``[user tapped: Track order]``, ``[event: handoff to agent]``. The `MessageKind` returned with
it tells ordinary text from these placeholders. Kept apart from `parsing` because it is the one
place that knows Engati's element types and their payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engati_mcp.json_fields import first_list, first_scalar
from engati_mcp.models import MessageKind, Role
from engati_mcp.sanitize import clean_text

_TYPE_KEYS = ("type", "message_type", "messageType", "content_type", "contentType", "msg_type")
_OPTION_TYPES = {"quick_reply", "quick_replies", "buttons", "button", "menu", "list"}
_ARTEFACT_TYPES = _OPTION_TYPES | {
    "carousel",
    "card",
    "cards",
    "template",
    "attachment",
    "image",
    "file",
    "audio",
    "video",
    "location",
    "document",
}
_TAP_TYPES = {"postback", "button_click", "quick_reply_click", "button_reply", "tap", "selection"}
_EVENT_TYPES = {"handoff", "agent_transfer", "transfer", "system", "event", "notification", "livechat"}
_OPTIONS_SHOWN = 6  # buttons listed by title; more are shown as "…"
_OPTION_CHARS = 60  # a button title longer than this is cut


def render_rich_element(item: dict[str, Any], role: Role, text: str | None) -> tuple[MessageKind, str | None]:
    """The kind of a raw message `item` and the text to show for it: `text` itself for an ordinary
    message, a placeholder for a rich element (None when there is nothing to show at all)."""
    kind = (first_scalar(item, _TYPE_KEYS) or "text").lower()
    payload = _payload(item)
    if kind in _TAP_TYPES:
        label = text or first_scalar(payload, ("title", "payload", "value"))
        return MessageKind.ARTEFACT, f"[{role.value} tapped: {label or 'a button'}]"
    if kind in _EVENT_TYPES:
        return MessageKind.EVENT, f"[event: {text or kind.replace('_', ' ')}]"
    if kind in _ARTEFACT_TYPES or (text is None and isinstance(item.get("payload"), dict)):
        return MessageKind.ARTEFACT, _placeholder(kind, role, text, payload)
    return MessageKind.TEXT, text


def _payload(item: dict[str, Any]) -> dict[str, Any]:
    payload = item.get("payload")
    return payload if isinstance(payload, dict) else {}


def _placeholder(kind: str, role: Role, text: str | None, payload: dict[str, Any]) -> str:
    """``[who: what]``, after the element's own text when it has one."""
    who = role.value if role is not Role.UNKNOWN else "message"
    prefix = f"{text} " if text else ""
    return f"{prefix}[{who}: {_describe(kind, payload)}]"


def _describe(kind: str, payload: dict[str, Any]) -> str:
    if kind in _OPTION_TYPES:
        return _options(kind, payload)
    describe = _DESCRIBERS.get(kind, _media)
    return describe(kind, payload)


def _options(kind: str, payload: dict[str, Any]) -> str:
    label = "quick replies" if kind.startswith("quick") else "buttons"
    titles = _option_titles(payload)
    if not titles:
        return label
    shown = " | ".join(titles[:_OPTIONS_SHOWN]) + (" | …" if len(titles) > _OPTIONS_SHOWN else "")
    return f"{label}: {shown}"


def _carousel(_kind: str, payload: dict[str, Any]) -> str:
    return f"carousel, {len(first_list(payload, ('items', 'elements', 'cards', 'slides')))} items"


def _card(_kind: str, payload: dict[str, Any]) -> str:
    title = first_scalar(payload, ("title", "heading", "name"))
    return f"card: {title}" if title else "card"


def _template(_kind: str, payload: dict[str, Any]) -> str:
    name = first_scalar(payload, ("template_name", "templateName", "name"))
    return f"template {name}" if name else "template"


def _media(kind: str, payload: dict[str, Any]) -> str:
    """An attachment (image, file, audio ...): its media type and file name or caption, never its URL."""
    media = first_scalar(payload, ("attachment_type", "attachmentType", "media_type", "type")) or kind
    name = first_scalar(payload, ("name", "file_name", "fileName", "caption"))
    return f"{media}: {name}" if name else media


_DESCRIBERS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "carousel": _carousel,
    "cards": _carousel,
    "card": _card,
    "template": _template,
}


def _option_titles(payload: dict[str, Any]) -> list[str]:
    options = first_list(payload, ("options", "buttons", "quick_replies", "quickReplies", "items", "choices"))
    titles = []
    for option in options:
        title = option if isinstance(option, str) else first_scalar(option, ("title", "label", "text", "value"))
        if title:
            titles.append(clean_text(str(title))[:_OPTION_CHARS])
    return titles
