"""True repeat counts: a user's message said again, or a bot template sent again, across the window.

The digest shows a repeated text once and counts every occurrence in the window read, shown or
not, with its first and last date: `[×12, Mar 04 → Sep 30 2026] where is my order`. Repeats are
grouped by their exact text, so that what a count stands for is exactly what is shown ("Ok thanks"
and "ok thanks" are two groups); a bot's are its templates. Dictionary work only, no tokenizing:
this runs on every message. The user's repeats also make the digest's "Often said" line
(`often_said`).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import compress, repeat
from operator import is_not, itemgetter

from engati_mcp.conversations import is_substantive
from engati_mcp.models import Message, Role
from engati_mcp.sanitize import one_line
from engati_mcp.tokens import count_tokens

USER_KEY = "u:"  # a user message's group key starts with this; a bot template's is its text


class RepeatIndex:
    """True repeat counts over the whole window: a user's message said again (the same text) and
    a bot template sent again, each with its count and first and last time, shown or
    not. Dictionary work only (no tokenizing): this runs on every message."""

    def __init__(self, messages: Sequence[Message]) -> None:
        user = Role.USER
        keys = [USER_KEY + m.text if m.role is user else m.text for m in messages]
        self._counts = counts = Counter(keys)
        # By message: its group when it was said (or sent) again, else None. A user's key is never
        # empty ("u:" first), so a user message was repeated exactly when its group is truthy.
        group_of = {key: key if times > 1 else None for key, times in counts.items()}  # per text, not per message
        self.groups = list(map(group_of.__getitem__, keys))
        # The first and last time of each group (only repeats have one), in C loops. Oldest first, so
        # a dict given every index keeps the last; read backwards, the first.
        at = list(compress(range(len(keys)), map(is_not, self.groups, repeat(None))))
        grouped = list(map(self.groups.__getitem__, at))
        self._last_at = dict(zip(grouped, at, strict=True))
        self._first_at = dict(zip(reversed(grouped), reversed(at), strict=True))
        self._messages = messages
        self.shown: set[str] = set()  # groups that have a line

    def key_of(self, index: int) -> str | None:
        return self.groups[index]

    def count(self, key: str) -> int:
        return self._counts[key]

    def user_groups(self) -> Iterator[tuple[str, int]]:
        """The user's repeated messages, most frequent first, then earliest: (group, its first message).
        (`most_common` keeps first-seen order among equals, and the texts said once come last.)"""
        # Only the user's repeats are sorted (a history has thousands of texts said once): a stable
        # sort, so equals stay in first-seen order as with `most_common`.
        repeated = [(key, count) for key, count in self._counts.items() if count > 1 and key.startswith(USER_KEY)]
        for key, _ in sorted(repeated, key=itemgetter(1), reverse=True):
            yield key, self._first_at[key]

    def span_of(self, key: str, span: Callable[[datetime, datetime], str]) -> str:
        first, last = self._messages[self._first_at[key]].timestamp, self._messages[self._last_at[key]].timestamp
        return span(first, last) if first is not None and last is not None else "no time"

    def count_mark(self, key: str, span: Callable[[datetime, datetime], str], dates: bool = True) -> str:
        """ "[×3, Mar 04 → May 02 2026] " (or "[×3] " without `dates`), written before the text so no
        text can forge it."""
        if not dates:
            return f"[×{self._counts[key]}] "
        return f"[×{self._counts[key]}, {self.span_of(key, span)}] "


_OFTEN_CHARS = 80  # only short messages go on the "Often said" line: a long repeat is shown where it was said
# An item's text goes bare when it starts with a letter and holds none of the line's own marks (its
# separator, a count's "×", the brackets of its dates, a quote): then it cannot be read as more than
# one item, a count or a date span. Anything else is quoted as JSON. Quotes are two tokens of an item
# of four or five.
_MARKS = ("·", "×", "(", ")", '"', "“", "”")


def _item_text(text: str) -> str:
    if text[:1].isalpha() and not any(mark in text for mark in _MARKS):
        return text
    return json.dumps(text, ensure_ascii=False)


def often_said(
    repeats: RepeatIndex,
    messages: Sequence[Message],
    share: int,
    span: Callable[[datetime, datetime], str],
    dates: bool,
) -> tuple[str, set[str], int]:
    """The "Often said" line: the user's repeats, most frequent first, once each with its count, in
    `share` tokens at most; with the groups it shows and its price. One line shows hundreds of messages
    (the follow-ups "any update?", the thanks), so the conversations can spend theirs on what was said
    once. The count comes first, and a text that could be read as more than an item's text is quoted
    as JSON (its own quotes escaped; see `_item_text`): no text can forge an item."""
    opening = count_tokens("Often said: ") + 1
    chosen = _most_per_token(repeats, messages, span, dates, share - opening)
    if not chosen:
        return "", set(), 0
    line = "Often said: " + " · ".join(item for item, _, _ in chosen)
    return line, {key for _, key, _ in chosen}, opening + sum(price for _, _, price in chosen)


_LEAST_ITEM_PRICE = 4  # "×2 k" and its separator: no item costs less


def _most_per_token(
    repeats: RepeatIndex,
    messages: Sequence[Message],
    span: Callable[[datetime, datetime], str],
    dates: bool,
    room: int,
) -> list[tuple[str, str, int]]:
    """(item, group, price) of the repeats that show the most messages in `room` tokens, most frequent
    first. A knapsack, filled greedily by messages per token: three "ok" say more than one long request
    said three times. The groups come most frequent first, so once the room is full of items worth more
    per token than any later group could be, the rest are not even priced."""
    ranked: list[tuple[float, int, str, str, int]] = []  # (-messages per token, order, item, group, price)
    for order, (key, index) in enumerate(repeats.user_groups()):
        count = repeats.count(key)
        if count / _LEAST_ITEM_PRICE < _worth_needed(ranked, room):
            break
        text = one_line(messages[index].text)
        if len(text) > _OFTEN_CHARS:
            continue
        when = f" ({repeats.span_of(key, span)})" if dates and is_substantive(messages[index]) else ""
        item = f"×{count} {_item_text(text)}{when}"
        price = count_tokens(item) + 1
        bisect.insort(ranked, (-count / price, order, item, key, price))
    chosen = []
    for _, order, item, key, price in ranked:
        if price <= room:
            chosen.append((order, item, key, price))
            room -= price
    return [(item, key, price) for _, item, key, price in sorted(chosen)]


def _worth_needed(ranked: list[tuple[float, int, str, str, int]], room: int) -> float:
    """The messages per token of the first ranked item that no longer fits the room when the items
    before it are all taken: one worth less cannot get in (0 while the room is not full)."""
    for worth, _, _, _, price in ranked:
        room -= price
        if room < 0:
            return -worth
    return 0.0
