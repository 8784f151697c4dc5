"""The typed shapes engati-mcp works with, independent of how Engati spelled them.

`parsing` builds these from Engati's loosely documented JSON; `transcript` and the tools only
ever see these. They are plain frozen dataclasses (not pydantic models) because a transcript
can hold tens of thousands of messages and budgeting walks them several times: attribute access
on a slotted dataclass is as cheap as Python gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Who wrote a message. `unknown` is kept rather than guessed: never invent data."""

    USER = "user"
    BOT = "bot"
    AGENT = "agent"
    UNKNOWN = "unknown"


class MessageKind(StrEnum):
    """What a message is, beyond its text.

    `text` is something a person or the bot wrote. `artefact` is a rich bot element or a user's
    tap on one (carousel, buttons, quick replies, card, template, attachment): its `text` is
    already a short placeholder such as ``[bot: carousel, 3 items]``. `event` is a handoff or
    system notice (``[event: handoff to agent]``).
    """

    TEXT = "text"
    ARTEFACT = "artefact"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message, normalised.

    `timestamp` is an aware UTC datetime, or None when Engati gave none we could read (we say
    so in the rendering rather than invent a time).
    """

    role: Role
    text: str
    timestamp: datetime | None
    kind: MessageKind = MessageKind.TEXT
    id: str | None = None  # Engati's message id, when it sends one (used to drop duplicates)
    session: str | None = None  # Engati's session or conversation id, when it sends one


@dataclass(frozen=True, slots=True)
class EngatiUser:
    """A chatbot user as returned by the users endpoint."""

    channel_user_id: str
    name: str | None = None
    channel: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChatPage:
    """One page of a user's conversation, as Engati returned it.

    `total_records` is only set when Engati reported a total; `has_more` is True/False when
    that (or a short page) makes it knowable, else None. `unreadable_items` counts list entries
    that were not messages we could read: they are reported, never invented.
    """

    messages: list[Message]
    page_number: int
    total_records: int | None = None
    has_more: bool | None = None
    unreadable_items: int = 0
