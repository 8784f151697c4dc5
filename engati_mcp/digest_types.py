"""The digest's data: what a call gets back, what to read next, and what the fitting has picked.

Shared by `transcript` (which picks what fits the budget) and `layout` (which writes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Detail = Literal["questions", "conversation", "full"]
NextCall = Callable[["Continuation | None"], "dict[str, Any] | None"]


@dataclass(frozen=True, slots=True)
class Continuation:
    """What to read next to see what was left out: a window (epoch ms, end exclusive), or, when
    the window read is all one stretch already, only a larger budget."""

    start_ms: int | None
    end_ms: int | None
    larger_budget: bool = False


@dataclass(frozen=True, slots=True)
class BudgetedTranscript:
    """The rendering and the facts about it. `shown_messages + omitted_messages == total_messages`."""

    text: str
    tokens: int
    detail: Detail
    total_messages: int
    counts_by_role: dict[str, int]
    conversations: int
    conversations_listed: int
    shown_messages: int
    omitted_messages: int
    continuation: Continuation | None
    next_call: dict[str, Any] | None


@dataclass(slots=True)
class Line:
    """A message given a line of its own: its text as shown, its price, the repeat group it is in."""

    text: str
    cost: int
    key: str | None = None
    shortened: bool = False  # a lead cut to its beginning to make room


@dataclass(slots=True)
class Selection:
    """What is taken so far: conversations listed, lines per conversation, in the order taken."""

    listed: list[bool]
    lines: list[dict[int, Line]]
    taken: list[tuple[int, int | None]] = field(default_factory=list)  # (conversation, message | None)
    used: int = 0


@dataclass(frozen=True, slots=True)
class Render:
    text: str
    shown: int  # messages in view with a line, or counted by a shown line's "(×N)"
    continuation: Continuation | None
    next_line: str
    next_args: dict[str, Any] | None
