"""The conversation digest: what a model reads of a user's history, inside a token budget.

Pure and synchronous (messages and a budget in, the text and the facts about it out);
`get_chat_history` wraps it. The question it answers is "what did user X ask?", for users who
come back for months, so the history is read as conversations (`conversations`) and the budget is
spent in this order, each step only with what the previous one left:

1. **Leads.** Every conversation gets one line: the user's first substantive message (one said only
   there, when there is one). When even the leads do not all fit, the digest is *squeezed*: shorter
   leads (one longer than a text message cut to its beginning), a day and an outcome but no size
   on a one-line listing (`Mar 04 [fallback]: ...`, the colon ending the server's words), and
   conversations chosen evenly across the window by halving the longest run not yet listed (the
   first and the most recent before all, a few side by side, so that there are few run lines to pay
   for; each split takes the cheapest listing in the middle half of its stretch, so more fit),
   among those whose lead says something new: a visit that only chased ("any update?", counted on
   the "Often said" line) waits until no request fits. Each skipped run becomes one line with its
   count, and its dates and words when it is long.
   Beside the leads, an "Often said" line counts the user's repeats, those that show the most
   messages per token first, in a share that grows faster than the budget (20 tokens at 1,000, 160
   at 4,000, 200 at most): at small budgets a conversation's line says more than a fifth "ok". In
   the questions view, where every line is the user's, the share is an eighth (500 at most).
2. **More of what the user wrote**, round-robin across conversations (a long one from both ends),
   once every conversation is listed: no conversation gets a second line while another has none.
   When not all of it fits with each line's time, lines go *compact* (no time, the user's untagged),
   and when not even then, *tight* (headings the day only, counts no dates): words before times.
3. **The bot's and agents' replies** (`detail="conversation"`), cheapest first, cut to their first
   line, a repeated template shown once with its count. In `detail="full"` every message takes part
   in step 2 instead, verbatim (a very long one cut in the middle).

Steps 2 and 3, and what a message's line costs, are `more_lines`'s; how each line reads is
`layout`'s. Counts are exact: `×N` counts every occurrence in the
window read, shown or not, and is written before the quoted text, which always comes last on its
line (after the one sanitizer, `sanitize.one_line`), so no message can pose as the server.

How it stays inside the budget: the lines whose numbers are only known at the end (the summary, the
`Next:` line) are reserved at their widest; conversations are chosen on a quick price and then priced
exactly, with the run lines they change; every later line is priced when offered (`count_tokens` is
an upper bound that adds up across lines) and taken only if it fits. The final text is counted once
more and, if an estimate was off, what was taken last is given back (`layout._Layout._fit`). The work
is one pass over the messages plus work proportional to what is shown (bench/bench_budget.py measures
it against json.loads).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, timedelta, tzinfo
from operator import attrgetter

from engati_mcp.conversations import (
    DEFAULT_SILENCE,
    TELLING_CHARS,
    lead_of,
    split_conversations,
)
from engati_mcp.digest_types import (
    BudgetedTranscript,
    Continuation,
    Detail,
    NextCall,
    Render,
    Selection,
)
from engati_mcp.layout import DATA_NOTE, RUN_WORDS_FROM
from engati_mcp.models import Message, Role
from engati_mcp.more_lines import LEAD_CAP, MISSES_BEFORE_STOP, _MoreLines
from engati_mcp.orders import by_halving, spread
from engati_mcp.repeats import RepeatIndex, often_said
from engati_mcp.shortening import quick_tokens
from engati_mcp.tokens import count_tokens

_MIN_LEAD_CAP = 40  # tokens a lead may take when not every lead fits: a request says first what it is about ...
_SMS_CHARS, _SMS_LEAD_CAP = 160, 80  # ... unless it is no longer than a text message (then up to 80)
_OFTEN_SHARE = 50  # the "Often said" line takes a fiftieth of the budget (a few repeats at 1,000 tokens)...
_OFTEN_GROWTH = 100_000  # ... or budget² / this when more (144 tokens at 3,800) ...
_OFTEN_MAX = 200  # ... and never more than this: beyond, conversations deserve the room
_OFTEN_QUESTIONS_SHARE, _OFTEN_QUESTIONS_MAX = 8, 500  # the same in the questions view (see _often_share)
_TINY_LEAD_CAP = 8  # the shortest a lead is cut to, for the first and most recent at a tiny budget
_QUICK_HEADING = 10  # quick price of a listing's "Mar 04 09:12 [12, fallback] "
_RUNS_WANTED = 3  # when not every lead fits, about this many skipped runs: listings come in clusters
_RUN_SHORT_QUICK = 7  # quick price of "… 3 not shown" (squeezed: its neighbours date it)
_RUN_WORDS_QUICK = 28  # ... "… 37 conversations Apr 02 → May 30 not shown: refund 14, flight 9, invoice 6"
_RUN_ONE_QUICK = 6  # ... and of "… 1 not shown"
_SLACK_ROUNDS = 3  # renderings re-measured for what the prices left unused (each round leaves less)
_SLACK_WORTH = 50  # ... while a fiftieth of the budget or more is left (less is not worth a rendering)


def budget_transcript(
    messages: Sequence[Message],
    max_tokens: int,
    *,
    detail: Detail = "conversation",
    heading: str = "",
    tz: tzinfo = UTC,
    silence: timedelta = DEFAULT_SILENCE,
    next_call: NextCall | None = None,
) -> BudgetedTranscript:
    """Render `messages` (oldest first) as a conversation digest in at most `max_tokens` tokens.

    `next_call` turns the continuation into the follow-up call's arguments, shown as the last line
    (`Next: get_chat_history(...)`); without it the continuation is only returned.
    """
    return _Digest(messages, max_tokens, detail, heading, tz, silence, next_call).run()


class _Digest(_MoreLines):
    def __init__(
        self,
        messages: Sequence[Message],
        max_tokens: int,
        detail: Detail,
        heading: str,
        tz: tzinfo,
        silence: timedelta,
        next_call: NextCall | None,
    ) -> None:
        self.messages = messages
        self.max_tokens = max_tokens
        self.detail = detail
        self.tz = tz
        self.next_call = next_call or (lambda _: None)
        every = split_conversations(messages, silence)
        # In the questions view a conversation with nothing from the user has nothing to show.
        self.convs = [c for c in every if detail != "questions" or c.users]
        roles = list(map(attrgetter("role"), messages))
        self.counts = Counter({role: roles.count(role) for role in Role})  # C scans: no hashing per message
        self.in_view_total = self.counts[Role.USER] if detail == "questions" else len(messages)
        self.repeats = RepeatIndex(messages)
        self.pick = Selection([False] * len(self.convs), [{} for _ in self.convs])
        self.leads: list[int | None] = []
        self._lead_quick: list[int] = []  # a quick price of each lead's whole text
        self._heading_costs: dict[tuple[int, tuple[str, ...], bool], int] = {}
        self.runs: dict[tuple[int, int], str] = {}  # run lines already written, by (first, last)
        self.head = self._head_lines(heading, len(every) - len(self.convs))
        self.often: set[str] = set()  # repeat groups shown on the "Often said" line
        self.often_line = ""
        self.listed_order: list[int] = []  # the listed conversations, sorted: where the runs are
        self.squeezed = False  # not every lead fits: shorter listings, in clusters
        self.compact = False  # not every line fits with its time: lines without (see _take_more)
        self.tight = False  # ... nor without: the day only on headings, counts without their dates
        self.users_only = False  # compact, and no reply shown: as the questions view reads (see layout)
        self.cluster = 1

    # -- the fitting order -------------------------------------------------------------------

    def run(self) -> BudgetedTranscript:
        budget = self.max_tokens - self._reserve()
        if self.convs and budget > 0:
            self._plan(budget)
            self._take_often_said(budget)
            self._take_leads(budget)
            self._take_more(budget)
            render = None
            for _ in range(_SLACK_ROUNDS):
                render = self._use_the_slack()
                if render is not None:  # nothing more fitted
                    break
            return self._fit(render)
        return self._fit()

    def _use_the_slack(self) -> Render | None:
        """The reserve was priced at its widest and the runs on a quick price: once the text is
        written, what it did not use goes to more conversations, or, when every one is listed, to
        more lines (the final fit checks the count). The rendering, if nothing changed since."""
        render = self._render()
        slack = self.max_tokens - count_tokens(render.text)
        if slack <= max(_QUICK_HEADING, self.max_tokens // _SLACK_WORTH):
            return render
        state = (len(self.pick.taken), self.pick.used)
        if all(self.pick.listed):
            self._take_more(self.pick.used + slack)  # more lines, where every conversation has one
        else:
            self._fill(_MIN_LEAD_CAP, self.pick.used + slack)
        return render if (len(self.pick.taken), self.pick.used) == state else None

    def _take_often_said(self, budget: int) -> None:
        """Step 0: what the user said again and again (see `repeats.often_said`), in a small share."""
        line, keys, cost = often_said(
            self.repeats, self.messages, self._often_share(budget), self._span, dates=not self.squeezed
        )
        if line:
            self.often_line, self.often = line, keys
            self.repeats.shown |= keys
            self.pick.used += cost

    def _often_share(self, budget: int) -> int:
        # Small budgets are for conversations' lines: a few repeats only. A larger one lists most
        # conversations anyway, and a repeat on this line stands for many messages at once.
        # In the questions view every line is the user's, and this one shows the most of their
        # messages per token: there it gets an eighth of the budget from the start.
        questions = self.detail == "questions"
        share, most = (_OFTEN_QUESTIONS_SHARE, _OFTEN_QUESTIONS_MAX) if questions else (_OFTEN_SHARE, _OFTEN_MAX)
        return min(max(budget // share, budget * budget // _OFTEN_GROWTH), most)

    def _reserve(self) -> int:
        """Tokens of the fixed lines, with the numbers only known at the end at their largest."""
        worst_next, _ = self._next_line(Continuation(10**13, 10**13), worst=True)
        fixed = [*self.head, self._summary(self.in_view_total, len(self.convs), widest=True), DATA_NOTE, worst_next]
        starts = [c.start for c in self.convs if c.start is not None]
        # Year lines: at most one for each year from the first to the last (two conversions, not one each).
        years = max(starts).astimezone(self.tz).year - min(starts).astimezone(self.tz).year + 1 if starts else 0
        return count_tokens("\n".join(line for line in fixed if line)) + 1 + 4 * years

    def _plan(self, budget: int) -> None:
        """Choose the leads, and whether every one fits (on a quick price, beside the "Often said"
        line's share): when not, the digest is squeezed (shorter leads, day-only listings, clusters)."""
        self.leads = [lead_of(self.messages, conv, self.repeats.groups.__getitem__) for conv in self.convs]
        self._lead_quick = [quick_tokens(self.messages[lead].text) if lead is not None else 0 for lead in self.leads]
        quick = sum(self._quick_listing(i, LEAD_CAP) for i in range(len(self.convs)))
        if quick > budget - self._often_share(budget):
            self.squeezed = True
            # Clusters sized so that what fits makes about _RUNS_WANTED skipped runs: each run is a line
            # to pay for, and a few long runs say as much as many short ones.
            listable = budget * len(self.convs) // max(quick, 1)
            self.cluster = max(1, listable // _RUNS_WANTED)

    def _take_leads(self, budget: int) -> None:
        """Step 1. When every lead fits, every conversation is listed; when not, conversations are
        listed by halving the longest run not yet listed (the most recent and the first before all),
        a few side by side, so whatever fits is spread evenly across the window. Each listing is
        priced exactly, with the run lines it changes."""
        n = len(self.convs)
        if not self.squeezed:
            for index in spread(n):
                self._list(index, LEAD_CAP, budget)
            return
        cap = _MIN_LEAD_CAP
        # The most recent and the first are always listed: when room is short, with shorter leads.
        room = (budget - self.pick.used) // 2 - _QUICK_HEADING - _RUN_SHORT_QUICK
        for index in (n - 1, 0):
            self._list(index, max(_TINY_LEAD_CAP, min(cap, room)), budget)
        # Only conversations whose lead tells something new are chosen here: one whose every line is
        # a repeat ("any update?", already on the "Often said" line) or a bare number says little.
        telling = {i for i in range(n) if self._telling(i)}
        inner = sorted(telling - {0, n - 1})
        by_halving(
            inner,
            self.cluster,
            lambda index: self._list(index, cap, budget),
            MISSES_BEFORE_STOP,
            price=lambda index: self._quick_listing(index, cap),
        )
        self._fill(cap, budget, [i for i in spread(n) if i in telling])
        self._fill(cap, budget)

    def _telling(self, index: int) -> bool:
        """Whether a conversation's lead says something new: said only here, and not a bare "9142210"."""
        lead = self.leads[index]
        return lead is not None and self.repeats.groups[lead] is None and len(self.messages[lead].text) >= TELLING_CHARS

    def _fill(self, cap: int, budget: int, order: list[int] | None = None) -> None:
        """What the halving left: any conversation whose listing still fits (a short lead, or one
        that joins two runs into none), in spread order, until several in a row do not."""
        misses = 0
        for index in spread(len(self.convs)) if order is None else order:
            if misses >= 2 * MISSES_BEFORE_STOP:
                return
            if not self.pick.listed[index]:
                misses = 0 if self._list(index, cap, budget) else misses + 1

    def _quick_listing(self, index: int, cap: int) -> int:
        text = min(cap, self._lead_quick[index]) + 3 if self.leads[index] is not None else 0
        return _QUICK_HEADING + text

    def _list(self, index: int, cap: int, budget: int) -> bool:
        """List a conversation with its lead, priced exactly with the run lines it changes."""
        lead = self.leads[index]
        heading = self._heading_cost(index)
        if lead is not None and cap >= _MIN_LEAD_CAP and len(self.messages[lead].text) <= _SMS_CHARS:
            cap = max(cap, _SMS_LEAD_CAP)  # a request as long as a text message is read whole
        line = self._offer(lead, cap, indented=False, head_only=self.squeezed, tag=False) if lead is not None else None
        runs = self._run_change(index)
        if self.pick.used + heading + runs + (line.cost if line else 0) > budget:
            return False
        self.pick.used += heading + runs
        self.pick.listed[index] = True
        bisect.insort(self.listed_order, index)
        self.pick.taken.append((index, None))
        if lead is not None and line is not None:
            self._take(index, lead, line)
        return True

    def _heading_cost(self, index: int) -> int:
        """A one-line conversation's heading, priced once per shape: its date and time always
        have the same pieces, so only the size's digits and the outcome change the price."""
        conv = self.convs[index]
        shape = (len(str(len(conv.members))), tuple(conv.outcome(self.messages)), self.squeezed)
        if shape not in self._heading_costs:
            self._heading_costs[shape] = count_tokens(self._conv_heading(index, 0, inline=True) + " ")
        return self._heading_costs[shape]

    def _run_change(self, index: int) -> int:
        """What listing `index` changes in the run lines' price: the run it sits in is replaced by
        the (up to) two on either side of it."""
        at = bisect.bisect_left(self.listed_order, index)
        low = self.listed_order[at - 1] + 1 if at > 0 else 0
        high = self.listed_order[at] - 1 if at < len(self.listed_order) else len(self.convs) - 1
        return _run_price(index - low) + _run_price(high - index) - _run_price(high - low + 1)


# ---------------------------------------------------------------------------------------------
# Helpers


def _run_price(length: int) -> int:
    """A quick price of the line for a run of `length` conversations (one needs no dates, a long
    one also carries its words)."""
    if length <= 0:
        return 0
    if length == 1:
        return _RUN_ONE_QUICK
    return _RUN_WORDS_QUICK if length >= RUN_WORDS_FROM else _RUN_SHORT_QUICK
