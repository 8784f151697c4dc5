"""Tolerant parsing of Engati's response bodies into `models`.

Engati documents its endpoints but not their response bodies (its guide shows them as images),
so this module accepts every shape known or plausible; docs/engati-api.md lists them with
examples. In short:

- envelope: ``{"status": {"code": 1000, "desc": "Success"}, "responseObject": ...}``, or none;
  any other status code in a 2xx body is raised as the mapped `EngatiAPIError`;
- the list at the top level, or under ``responseObject`` / ``data`` / ``content`` / ``result``,
  itself a list or an object holding it under ``conversations`` / ``messages`` (history) or
  ``users`` / ``records`` / ``items`` / ``results`` (users);
- message sender under ``sender`` / ``from`` / ``source`` / ``role`` (``bot``, ``USER``,
  ``AGENT``...; per the observed public client, any other non-empty sender is the user);
- text under ``response`` / ``text`` / ``message`` (a string, or an object with ``text``);
- pagination totals under ``total_records`` / ``totalCount`` / ``total`` and friends.

Two parts live in their own modules: message times (`timestamps`: epoch ms or s, ISO 8601,
Engati's ``2025/03/01 13:45:10.123+0530``) and rich elements (`rich_elements`: carousels,
buttons, taps, handoffs ... as short placeholders). `parse_timestamp` is importable from here too.

What cannot be read is never guessed: a body without a recognisable list raises
`EngatiResponseError` naming the keys it had, and an unreadable message is counted, not invented.
All text from Engati is end-user or bot content: control, zero-width, bidi-override and tag
characters are stripped here, once, so nothing downstream can be fooled by invisible text.
"""

from __future__ import annotations

import re
from typing import Any

from engati_mcp.errors import EngatiResponseError, api_error
from engati_mcp.json_fields import first_present, first_scalar
from engati_mcp.models import ChatPage, EngatiUser, Message, Role
from engati_mcp.rich_elements import render_rich_element
from engati_mcp.sanitize import clean_text
from engati_mcp.timestamps import parse_timestamp

__all__ = [
    "SUCCESS_CODE",
    "check_envelope",
    "chronological",
    "engati_status",
    "parse_chat_page",
    "parse_messages",
    "parse_timestamp",
    "parse_users",
]

SUCCESS_CODE = 1000
_CONTAINER_KEYS = ("responseObject", "response_object", "data", "content", "result", "payload", "body")
_MESSAGE_LIST_KEYS = ("conversations", "messages", "conversation", "chats", "chat_history", "history")
_USER_LIST_KEYS = ("users", "user_list", "userList", "records", "items", "results", "matches")
_TOTAL_KEYS = (
    "total_records",
    "totalRecords",
    "totalCount",
    "total_count",
    "total",
    "totalElements",
    "total_elements",
    "count",
)
_SENDER_KEYS = ("sender", "from", "source", "role", "sender_type", "senderType", "author", "message_from")
_TEXT_KEYS = ("response", "text", "message", "msg", "body", "content", "value")
_TIME_KEYS = (
    "timestamp",
    "time",
    "created_at",
    "createdAt",
    "created_on",
    "createdOn",
    "date",
    "sent_at",
    "sentAt",
    "ts",
)
_MESSAGE_ID_KEYS = ("message_id", "messageId", "msg_id", "msgId", "id", "_id", "uuid")
_SESSION_KEYS = (
    "session_id",
    "sessionId",
    "conversation_id",
    "conversationId",
    "chat_session_id",
    "chatSessionId",
    "thread_id",
    "threadId",
    "session",
)
_USER_ID_KEYS = ("channel_user_id", "channelUserId", "channel_user", "user_id", "userId", "uid", "id")
_NAME_KEYS = ("name", "user_name", "userName", "full_name", "fullName", "display_name", "displayName")
_CHANNEL_KEYS = ("channel", "channel_type", "channelType", "platform", "channel_name", "channelName", "source")
_ATTRIBUTE_KEYS = ("attributes", "user_attributes", "userAttributes", "attrs", "custom_attributes", "properties")
_INT_BOUND = 10**15  # codes and counts are small; anything this large is not one
_PLAIN_INT = re.compile(r"[0-9]{1,15}")
_MAX_TOTAL = 100_000_000  # messages for one user: a hundred million is already absurd
_DESC_CHARS = 200  # Engati's error description is kept this short

_ROLE_WORDS = {
    "bot": Role.BOT,
    "assistant": Role.BOT,
    "engati": Role.BOT,
    "chatbot": Role.BOT,
    "virtual_assistant": Role.BOT,
    "agent": Role.AGENT,
    "human_agent": Role.AGENT,
    "live_agent": Role.AGENT,
    "operator": Role.AGENT,
    "user": Role.USER,
    "customer": Role.USER,
    "visitor": Role.USER,
    "human": Role.USER,
    "end_user": Role.USER,
    "enduser": Role.USER,
    "contact": Role.USER,
    "client": Role.USER,
    "system": Role.BOT,  # handoffs and notices come from the platform, not from the user
}

# ---------------------------------------------------------------------------------------------
# Envelope and list discovery


def check_envelope(body: Any) -> None:
    """Raise the mapped `EngatiAPIError` when a 2xx body carries an Engati error status."""
    code, desc = engati_status(body)
    if code is not None and code != SUCCESS_CODE:
        raise api_error(200, code, desc)


def engati_status(body: Any) -> tuple[int | None, str | None]:
    """Engati's own status code and description from a body, in any known spelling."""
    if not isinstance(body, dict):
        return None, None
    status = body.get("status")
    if isinstance(status, dict):
        return _as_int(status.get("code")), _short_str(status.get("desc") or status.get("message"))
    code = _as_int(body.get("error_code", body.get("errorCode", body.get("code"))))
    desc = _short_str(
        body.get("error_message")
        or body.get("errorMessage")
        or body.get("error_details")
        or body.get("desc")
        or body.get("message")
    )
    return code, desc


def _find_list(body: Any, list_keys: tuple[str, ...]) -> list[Any] | None:
    """The record list in a body: at the top level, or under known container and list keys."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return None
    for key in list_keys:
        value = body.get(key)
        if isinstance(value, list):
            return value
    for key in _CONTAINER_KEYS:
        if key in body and (found := _find_list(body[key], list_keys)) is not None:
            return found
    return None


def _find_total(body: Any, depth: int = 0) -> int | None:
    """Engati's reported total, if any. A total above `_MAX_TOTAL` is nonsense (it would send the
    fetcher to a page numbered in the millions), so it is treated as not reported, not believed."""
    if not isinstance(body, dict) or depth > 2:
        return None
    for key in _TOTAL_KEYS:
        if (total := _as_int(body.get(key))) is not None and 0 <= total <= _MAX_TOTAL:
            return total
    for key in _CONTAINER_KEYS:
        if (total := _find_total(body.get(key), depth + 1)) is not None:
            return total
    return None


def _keys_seen(body: Any) -> str:
    """The keys of a body (and of its containers), for an error message: what was there instead."""
    if isinstance(body, dict):
        nested = [f"{k}.{sub}" for k in _CONTAINER_KEYS if isinstance(body.get(k), dict) for sub in body[k]]
        return ", ".join(map(str, [*body.keys(), *nested][:30])) or "no keys"
    return f"a JSON {type(body).__name__}, not an object"


def _unreadable(what: str, body: Any) -> EngatiResponseError:
    return EngatiResponseError(
        f"Engati answered, but the {what} could not be found in its response (keys seen: {_keys_seen(body)}). "
        "The API may have changed shape; nothing was guessed. Please report this with the keys above."
    )


# ---------------------------------------------------------------------------------------------
# Users


def parse_users(body: Any) -> list[EngatiUser]:
    """The users in a users-endpoint body. Raises `EngatiResponseError` if there is no list."""
    check_envelope(body)
    items = _find_list(body, _USER_LIST_KEYS)
    if items is None:
        if isinstance(body, dict) and _looks_like_user(body.get("responseObject")):
            items = [body["responseObject"]]  # a single user returned bare
        else:
            raise _unreadable("list of users", body)
    users = [user for item in items if (user := _parse_user(item)) is not None]
    if items and not users:
        raise EngatiResponseError(
            f"Engati returned {len(items)} user record(s) but none had a recognisable user id "
            f"(keys of the first: {_keys_seen(items[0])}). Nothing was guessed."
        )
    return users


def _looks_like_user(value: Any) -> bool:
    return isinstance(value, dict) and any(key in value for key in _USER_ID_KEYS)


def _parse_user(item: Any) -> EngatiUser | None:
    if not isinstance(item, dict):
        return None
    user_id = first_scalar(item, _USER_ID_KEYS)
    if user_id is None:
        return None
    attributes = _attributes(item)
    name = first_scalar(item, _NAME_KEYS) or _joined_name(item) or _str_or_none(attributes.get("name"))
    return EngatiUser(
        channel_user_id=user_id,
        name=name,
        channel=first_scalar(item, _CHANNEL_KEYS),
        attributes=attributes,
    )


def _attributes(item: dict[str, Any]) -> dict[str, Any]:
    """A user's attributes, sent as an object or as a list of name/value pairs."""
    for key in _ATTRIBUTE_KEYS:
        value = item.get(key)
        if isinstance(value, dict):
            return {clean_text(str(k)): _clean_value(v) for k, v in value.items()}
        if isinstance(value, list):
            return _attribute_pairs(value)
    return {}


def _attribute_pairs(entries: list[Any]) -> dict[str, Any]:
    """``[{"name": "email", "value": "a@b.c"}, ...]`` as ``{"email": "a@b.c"}``."""
    pairs = {}
    for entry in entries:
        if isinstance(entry, dict) and (name := first_scalar(entry, ("name", "key", "attribute_name"))):
            pairs[name] = _clean_value(entry.get("value", entry.get("attribute_value")))
    return pairs


def _joined_name(item: dict[str, Any]) -> str | None:
    parts = [first_scalar(item, (key,)) for key in ("first_name", "firstName", "last_name", "lastName")]
    return " ".join(p for p in parts if p) or None


def _clean_value(value: Any) -> Any:
    """An attribute's value: numbers, booleans and null as they are, anything else as clean text."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return clean_text(str(value))


# ---------------------------------------------------------------------------------------------
# Chat history


def parse_chat_page(body: Any, *, page_number: int, page_size: int) -> ChatPage:
    """One page of a conversation. Raises `EngatiResponseError` if there is no message list."""
    check_envelope(body)
    items = _find_list(body, _MESSAGE_LIST_KEYS)
    if items is None:
        raise _unreadable("list of messages", body)
    messages = parse_messages(items)
    total = _find_total(body)
    return ChatPage(
        messages=chronological(messages),
        page_number=page_number,
        total_records=total,
        has_more=_has_more(len(items), page_number, page_size, total),
        unreadable_items=len(items) - len(messages),
    )


def _has_more(received: int, page_number: int, page_size: int, total: int | None) -> bool | None:
    if total is not None:
        return page_number * page_size < total
    if received < page_size:
        return False
    return None  # a full page and no total: there may or may not be more


def chronological(messages: list[Message]) -> list[Message]:
    """Oldest first. Engati's order is not documented; when a time is missing we cannot sort
    safely, so the order given is kept (reversed if it is clearly newest-first)."""
    if all(m.timestamp is not None for m in messages):
        return sorted(messages, key=lambda m: m.timestamp)  # type: ignore[arg-type, return-value]
    stamped = [m.timestamp for m in messages if m.timestamp is not None]
    if len(stamped) >= 2 and stamped[0] > stamped[-1]:
        return messages[::-1]
    return messages


def parse_messages(items: list[Any]) -> list[Message]:
    """Messages from raw items, in the order given; unreadable items are left out (and counted by callers)."""
    return [message for item in items if (message := _parse_message(item)) is not None]


def _parse_message(item: Any) -> Message | None:
    """One message, or None when it is not an object or has nothing to show."""
    if not isinstance(item, dict):
        return None
    role = _role(item)
    kind, text = render_rich_element(item, role, _text(item))
    if text is None:
        return None
    return Message(
        role=role,
        text=text,
        timestamp=parse_timestamp(first_present(item, _TIME_KEYS)),
        kind=kind,
        id=first_scalar(item, _MESSAGE_ID_KEYS),
        session=first_scalar(item, _SESSION_KEYS),
    )


def _role(item: dict[str, Any]) -> Role:
    raw = first_present(item, _SENDER_KEYS)
    if isinstance(raw, dict):  # {"sender": {"type": "bot", "id": ...}}
        raw = first_present(raw, ("type", "role", "name", "id"))
    if raw is None or str(raw).strip() == "":
        return Role.UNKNOWN
    word = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
    # The observed public client treats every sender other than "bot" as the user (the value is
    # then the user's own id or name), so an unrecognised non-empty sender is the user.
    return _ROLE_WORDS.get(word, Role.USER)


def _text(item: dict[str, Any]) -> str | None:
    for key in _TEXT_KEYS:
        value = item.get(key)
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            return clean_text(value["text"])
    return None


# ---------------------------------------------------------------------------------------------
# Codes, counts and short texts


def _as_int(value: Any) -> int | None:
    """A count or code as an int, or None. Bounded: a JSON int can have 400 digits, and str.isdigit()
    accepts digits int() refuses ("²"), so only plain ASCII digits of a sane length are read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _INT_BOUND else None
    if isinstance(value, str) and _PLAIN_INT.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _short_str(value: Any) -> str | None:
    return clean_text(str(value))[:_DESC_CHARS] if value is not None else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
