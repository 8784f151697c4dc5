"""What the two tools do, independent of MCP registration (that is `server`'s job).

Each returns a `CallToolResult` built by hand, because the SDK's default would repeat the
structured JSON as the text block and a model would read every payload twice as JSON. Here
`find_users` puts the users in the structured content for programs and, compactly, one line per
user, in the text (many clients hand the model only the text); `get_chat_history` keeps the
transcript in the text block (the structured content holds only the facts about it), and both
blocks together stay inside the caller's token budget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
from mcp.types import CallToolResult, TextContent

from engati_mcp.config import Settings
from engati_mcp.errors import EngatiAPIError, account_ids_error, deadline_error
from engati_mcp.models import EngatiUser
from engati_mcp.redaction import redact_attributes
from engati_mcp.sanitize import one_line
from engati_mcp.schemas import FindUsersResult, UserOut
from engati_mcp.state import ServerState

MAX_USERS_LISTED = 100
_ATTRIBUTES_SHOWN = 12  # per user in the text; the structured content has them all
_NAME_CHARS = 60  # a name, channel or attribute name longer than this is cut in the text
_VALUE_CHARS = 80  # likewise an attribute value
_NO_MATCH_HINT = (
    "No user matched. Attribute names are case-sensitive and values must match exactly; common "
    "attributes are 'email' and 'user.phone_no' (phone with country code, digits only, e.g. 919876543210)."
)


# ---------------------------------------------------------------------------------------------
# find_users


async def find_users(state: ServerState, attribute_name: str, attribute_value: str) -> CallToolResult:
    settings, client, _ = state.ready()
    with deadline(settings):
        try:
            users = await client.find_users(attribute_name, attribute_value)
        except EngatiAPIError as exc:  # no user id is sent here: a 1002 is about the account's ids
            raise account_ids_error(exc) from None
    listed = users[:MAX_USERS_LISTED]
    result = FindUsersResult(
        attribute_name=attribute_name,
        attribute_value=attribute_value,
        count=len(users),
        users=[_user_out(user, settings.redact_pii) for user in listed],
        users_omitted=len(users) - len(listed),
        hint=None if users else _NO_MATCH_HINT,
    )
    return CallToolResult(
        content=[TextContent(type="text", text=_render_users(result))],
        structured_content=result.model_dump(mode="json", exclude_none=True),
    )


def _user_out(user: EngatiUser, redact_pii: bool) -> UserOut:
    attributes = redact_attributes(user.attributes) if redact_pii else user.attributes
    return UserOut(channel_user_id=user.channel_user_id, name=user.name, channel=user.channel, attributes=attributes)


def _render_users(result: FindUsersResult) -> str:
    """One line per user: id, name, channel and the attribute values, compactly. Many clients give
    the model only this text, so it carries what the structured content does, in fewer tokens.

    Every string from Engati goes through `one_line`: a name holding line breaks cannot add a
    line that poses as the server's own words.
    """
    query = one_line(f"{result.attribute_name} = {json.dumps(result.attribute_value, ensure_ascii=False)}")
    if not result.users:
        return f"0 users with {query}. {result.hint}"
    lines = [f'{result.count} user(s) with {query} (each: "channel_user_id" name (channel) · attributes):']
    lines += [_user_line(user) for user in result.users]
    if result.users_omitted:
        lines.append(f"… and {result.users_omitted} more not listed; use a more specific attribute.")
    lines.append("Next: get_chat_history(channel_user_id=…) to read what a user said.")
    return "\n".join(lines)


def _user_line(user: UserOut) -> str:
    # json.dumps escapes every non-ASCII character, so the id is shown exactly as it must be passed.
    parts = [one_line(json.dumps(user.channel_user_id))]
    if user.name:
        parts.append(_shortened(one_line(user.name), _NAME_CHARS))
    if user.channel:
        parts.append(f"({_shortened(one_line(user.channel), _NAME_CHARS)})")
    shown = [
        (key, value)
        for key, value in user.attributes.items()
        if value not in (None, "") and not (key == "name" and value == user.name)
    ]
    about = [
        f"{_shortened(one_line(key), _NAME_CHARS)} {_attribute_value(value)}"
        for key, value in shown[:_ATTRIBUTES_SHOWN]
    ]
    if len(shown) > _ATTRIBUTES_SHOWN:
        about.append(f"+{len(shown) - _ATTRIBUTES_SHOWN} more in the structured result")
    return "- " + " · ".join([" ".join(parts), *about])


def _attribute_value(value: Any) -> str:
    """A value as one short line; quoted only when bare it could be misread (empty after cleaning,
    or holding the ` · ` that separates attributes)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = _shortened(one_line(text), _VALUE_CHARS)
    return json.dumps(text, ensure_ascii=False) if not text or "·" in text else text


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Shared


@contextmanager
def deadline(settings: Settings) -> Iterator[None]:
    """One overall deadline per tool call, so no call hangs however Engati behaves."""
    try:
        with anyio.fail_after(settings.call_deadline):
            yield
    except TimeoutError:
        raise deadline_error(settings.call_deadline) from None
