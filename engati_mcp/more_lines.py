"""The digest's lines beyond the leads: how a message becomes a line and what it costs, more of
what the user wrote, then the replies (steps 2 and 3 of `transcript`'s fitting order).

A mixin of `transcript._Digest`, between the formats (`layout._Layout`) and the leads
(`transcript`). It also decides how much a line spends on anything but words: when not everything
the user wrote fits with each line's time, lines go *compact* (no time, the user's untagged); when
not even then, *tight* (headings the day only, counts no dates). Words come before times.
"""

from __future__ import annotations

from collections import deque

from engati_mcp.digest_types import Line
from engati_mcp.layout import _Layout
from engati_mcp.models import Message, Role
from engati_mcp.orders import from_both_ends, spread
from engati_mcp.sanitize import one_line
from engati_mcp.shortening import first_line, head_cut, middle_cut
from engati_mcp.tokens import count_tokens

LEAD_CAP = 150  # tokens a lead may take when every lead fits
MISSES_BEFORE_STOP = 8  # offers that did not fit in a row before a step gives up
_LONG_MESSAGE_SHARE = 6  # a message longer than budget / this is cut in the middle
_EXPAND_COST = 10  # a one-line conversation taking a second line: its heading, "N hidden", a time
_EXPAND_COST_COMPACT = 5  # ... and in compact lines, without the time


class _MoreLines(_Layout):
    """Lines for messages, and the steps that add them once every conversation is listed."""

    def _take_more(self, budget: int) -> None:
        """Step 2, round-robin across the listed conversations; then step 3, the replies. Only once
        every conversation is listed: until then, no conversation gets a second line."""
        self._restore_leads(budget)
        if not all(self.pick.listed):
            return
        order = [i for i in spread(len(self.convs)) if self.pick.listed[i]]
        cap = max(LEAD_CAP, budget // _LONG_MESSAGE_SHARE)
        queues = {
            i: deque(from_both_ends([m for m in self.convs[i].members if self._more_candidate(i, m)])) for i in order
        }
        # Lines give up their times, then headings theirs and counts their dates, only while what
        # the user wrote does not all fit; once given up, for good (a second pass must not price
        # lines with what it left out).
        self.compact = self.compact or not self._all_fit(queues, cap, budget)
        if self.compact and not self.tight and not self._all_fit(queues, cap, budget):
            self._tighten()
        misses = 0
        while queues and misses < len(queues) + MISSES_BEFORE_STOP:
            for index in list(queues):
                queue = queues[index]
                while queue and self._said_elsewhere(queue[0]):
                    queue.popleft()
                if not queue:
                    del queues[index]
                    continue
                misses = 0 if self._try(index, queue.popleft(), cap, budget) else misses + 1
        if self.detail == "conversation" and all(self.pick.listed) and not self._user_lines_missing():
            self._take_replies(budget)

    def _all_fit(self, queues: dict[int, deque[int]], cap: int, budget: int) -> bool:
        """Whether every line still to offer fits, as lines are written now. When not with their
        times, lines go without (the conversation's heading dates them all) and the user's untagged:
        at 4,000 tokens a sixth more of what users wrote fits; when not even then, tight (see
        `_tighten`). Priced only until it is over."""
        room, seen = budget - self.pick.used, set(self.repeats.shown)
        for index, queue in queues.items():
            if queue and len(self.pick.lines[index]) == 1:
                room -= self._expand_cost()
            for message in queue:
                key = self.repeats.key_of(message)
                if key is not None and key in seen:
                    continue  # counted by the line of its first telling
                if key is not None:
                    seen.add(key)
                room -= self._offer(message, cap, indented=True).cost
                if room < 0:
                    return False
        return True

    def _expand_cost(self) -> int:
        """What a one-line conversation pays to become a heading with its lines beneath."""
        return _EXPAND_COST_COMPACT if self.compact else _EXPAND_COST

    def _tighten(self) -> None:
        """Tight lines: headings show the day only and counts no dates (at 16,000 tokens the largest
        histories then fit whole). The headings' times, already paid for, are given back (at least)."""
        self.tight = True
        self.pick.used -= sum(self.pick.listed) * (count_tokens(" 00:00") - 1)

    def _more_candidate(self, conv: int, message: int) -> bool:
        if message in self.pick.lines[conv]:
            return False
        return self.detail == "full" or self.messages[message].role is Role.USER

    def _said_elsewhere(self, message: int) -> bool:
        """A repeat whose text already has a line: that line's "(×N)" counts this one too."""
        return self.detail != "full" and self.repeats.key_of(message) in self.repeats.shown

    def _user_lines_missing(self) -> bool:
        return any(
            self.messages[m].role is Role.USER and m not in self.pick.lines[index] and not self._said_elsewhere(m)
            for index, conv in enumerate(self.convs)
            for m in conv.members
        )

    def _take_replies(self, budget: int) -> None:
        """The bot's and agents' replies, cheapest first; a repeated template once, with its count."""
        offers: dict[str, tuple[int, int, int]] = {}  # text -> (length, message, conversation)
        for index, conv in enumerate(self.convs):
            for m in conv.members:
                text = self.messages[m].text
                if self.messages[m].role is not Role.USER and text not in offers:
                    offers[text] = (len(text.split("\n", 1)[0]), m, index)
        if self.compact and not self._replies_taken():
            # Compact lines with no reply read as the questions view, hidden replies uncounted: the
            # first reply gives every heading its "N hidden" back, so it pays for them all.
            counts = count_tokens(", 00 hidden") * sum(self.pick.listed)
            if self.pick.used + counts > budget:
                return
            self.pick.used += counts
        misses = 0
        for _, m, index in sorted(offers.values()):
            misses = 0 if self._try(index, m, 0, budget) else misses + 1
            if misses >= MISSES_BEFORE_STOP:
                return

    def _try(self, conv: int, message: int, cap: int, budget: int) -> bool:
        line = self._offer(message, cap, indented=True)
        expand = self._expand_cost() if len(self.pick.lines[conv]) == 1 else 0
        if self.pick.used + line.cost + expand > budget:
            return False
        self.pick.used += expand
        self._take(conv, message, line)
        return True

    def _take(self, conv: int, message: int, line: Line) -> None:
        self.pick.lines[conv][message] = line
        self.pick.taken.append((conv, message))
        self.pick.used += line.cost
        if line.key is not None:
            self.repeats.shown.add(line.key)

    def _offer(self, message: int, cap: int, indented: bool, head_only: bool = False, tag: bool = True) -> Line:
        """A message as a line: sanitised, shortened as its role and `cap` say (a lead squeezed for
        room keeps its beginning, any other long message loses its middle), priced with its
        "(×N, dates)" unless its repeat group already has a line. Pricing takes nothing."""
        m = self.messages[message]
        whole = one_line(m.text)
        if m.role is Role.USER or self.detail == "full":
            cut = head_cut if head_only else middle_cut
            text = cut(whole, cap) if cap else whole
        else:
            text = first_line(m.text)
        key = self.repeats.key_of(message)
        cost = count_tokens(f"{self._prefix(m, indented)}{self._tag(m) if tag else ''}{text}") + 1
        if key is not None and key not in self.repeats.shown:  # the group's first line carries the count
            cost += count_tokens(self.repeats.count_mark(key, self._span, dates=not self.tight))
        return Line(text, cost, key, shortened=text != whole and head_only)

    def _bare_cost(self, line: Line, message: int, indented: bool) -> int:
        """`line`'s price without the "(×N)" it may have paid for (already paid: not again)."""
        m = self.messages[message]
        return count_tokens(f"{self._prefix(m, indented)}{self._tag(m)}{line.text}") + 1

    def _prefix(self, message: Message, indented: bool) -> str:
        """What stands before a line's text: under a heading, its time (none in compact lines)."""
        if not indented:
            return ""
        return " " if self.compact else f"  {self._clock(message.timestamp, None)} "

    def _restore_leads(self, budget: int) -> None:
        """Leads squeezed to fit every conversation get their full length back, while it fits."""
        for index in spread(len(self.convs)):
            lead = self.leads[index] if self.pick.listed[index] else None
            old = self.pick.lines[index].get(lead) if lead is not None else None
            if lead is None or old is None or not old.shortened:
                continue
            indented = len(self.pick.lines[index]) > 1
            new = self._offer(lead, LEAD_CAP, indented=indented)
            new.cost += old.cost - self._bare_cost(old, lead, indented)  # its count, already paid, carries over
            if self.pick.used + new.cost - old.cost <= budget:
                self.pick.lines[index][lead] = new
                self.pick.used += new.cost - old.cost
