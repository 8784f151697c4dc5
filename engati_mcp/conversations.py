"""A history as conversations: where one visit ends and the next begins, what it was about, how it ended.

A support bot's regulars come back for months; "what did user X ask?" is answered conversation by
conversation, so the digest (`transcript`) works on these units rather than on a flat list:

- **Splitting**: by Engati's own session or conversation id when messages carry one, otherwise by
  silence (a gap longer than `silence`, 30 minutes by default, starts a new conversation).
- **The lead**: the user's first *substantive* message, the line that says what a conversation was
  about. Greetings, bare thanks/ok, confirmations ("perfect, book it!") and emoji-only messages are
  not substantive; a tapped button is. A request said only here is preferred (see `lead_of`).
- **The outcome**: what the data shows about whether the user was answered (the bot fell back, the
  chat was handed to an agent, nobody replied), so it stays visible when the bot's lines are cut.
- **Words**: the content words of each conversation's lead, so a run of conversations that cannot be
  shown still says what it was about (`refund 14`: 14 of them asked about a refund).

Pure functions over `models.Message`; no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate, pairwise, repeat
from operator import attrgetter, is_, ne, sub

from engati_mcp.models import Message, MessageKind, Role

DEFAULT_SILENCE = timedelta(minutes=30)
# Only texts this short are remembered between calls (templates, "ok thanks"): a hostile history of
# long messages must neither fill memory nor be scanned whole where its beginning says enough.
_CACHED_CHARS = 300
_WORDS_CHARS = 1000  # a lead's words are read from its beginning
TELLING_CHARS = 15  # a lead shorter than this ("refund?") is kept only when nothing longer says more


def _word_set(text: str) -> frozenset[str]:
    """A word list written as text (easier to read and extend than a list of quoted strings)."""
    return frozenset(text.split())


# Words that carry no request: greetings and thanks, in the bot's usual languages.
_SMALL_TALK = _word_set("""
hi hii hiii hey heyy hello helo hallo yo hola ola oi namaste namaskar salaam salam marhaba
good morning afternoon evening night day there bot team sir madam maam dear
ok okay okk k kk fine alright alr cool great nice noted sure yes yeah yep yup ya no nope nah
thanks thank thankyou thanx thx ty tq tysm you u very much so lot a welcome appreciated
gracias obrigado obrigada merci danke shukriya dhanyavad bye goodbye cya later hmm hm hmmm mm ah oh
please pls plz again done got it
नमस्ते धन्यवाद शुक्रिया ठीक है हाँ हां जी مرحبا شكرا السلام عليكم ありがとう こんにちは はい
""")
# A word: letters and digits with their combining marks (Devanagari, Arabic and accented Latin
# words carry marks that `\w` alone does not match, and would split "नमस्ते" in three).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff"
_WORD = re.compile(f"[\\w{_MARKS}]+")
# Three letters or more (no numbers, no "ok"), and not the prefix of an id: "ORD" of "ORD-4197851"
# says nothing about the request (possessive, so that "ORDE" of "ORDER-12" does not match either).
_CONTENT_WORD = re.compile(f"(?:[^\\W\\d_]|[{_MARKS}]){{3,}}+(?![-#]?\\d)")
_ASCII_CONTENT_WORD = re.compile("[a-z]{3,}+(?![-#]?\\d)")  # the same for ASCII text, casefolded (faster)
# ... and confirmations and closers ("perfect, book it", "no, that's all", "ok ji theek hai"): no request
# either, but said in one visit only they still tell it apart (see `lead_of`).
_CONFIRMATIONS = _word_set("""
that thats s all everything nothing else for now today one just is i ll will do go ahead take book have
perfect awesome excellent wonderful amazing sounds sound works work exactly correct right absolutely definitely
um uh er actually ji haan han theek thik hai acha achha accha
""")
_NO_REQUEST = _SMALL_TALK | _CONFIRMATIONS
# Words too common to say what a run was about (English function words, chat filler, the verbs of
# any request and the names of days and months: "find 14, friday 10" says nothing of a run).
_STOPWORDS = _NO_REQUEST | _word_set("""
the and for are but not you your yours with this that these those from have has had was were will would
can could should what when where which who whom why how is it its i me my mine we our us they them their
an of to in on at by as be been being do does did am or if then than there here any some all just also
about into out up down over more most much many very can't cant don't dont im i'm it's its ive i've
want need get got still now today yesterday tomorrow is any know let tell please help one two
btw kindly needful regards like find looking look something anything really maybe
week weekend month year morning tonight next last monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
user tapped
""")
# A bot reply that admits it did not understand (its usual wordings, several languages).
_FALLBACK = re.compile(
    r"did(?:n'?t| not) (?:understand|get (?:that|you))|(?:could|can)(?:n'?t| ?not) understand|"
    r"not sure (?:what|i understand)|i don'?t understand|please rephrase|could you rephrase|"
    r"no (?:te )?entend|não entendi|समझ नहीं|لم أفهم|わかりません",
    re.IGNORECASE,
)
_HANDOFF = re.compile(r"handoff|hand(?:ed|ing)? (?:over|off)|transfer|agent|live ?chat", re.IGNORECASE)
# Enum members as module names: `Role.BOT` looked up in a loop over every message costs more than the test.
_BOT, _AGENT, _USER, _EVENT = Role.BOT, Role.AGENT, Role.USER, MessageKind.EVENT


@dataclass(slots=True)
class Conversation:
    """One visit: its messages (indices into the history, oldest first), first and last time."""

    members: Sequence[int]  # indices into the history: a range, when split from one
    start: datetime | None = None
    end: datetime | None = None
    users: int = 0  # messages from the user
    _outcome: list[str] | None = None
    _words: frozenset[str] | None = None

    def outcome(self, messages: Sequence[Message]) -> list[str]:
        """What the data says about the answer (worked out once, and only for what is shown)."""
        if self._outcome is None:
            self._outcome = _outcome(map(messages.__getitem__, self.members))
        return self._outcome

    def words(self, messages: Sequence[Message], lead: int | None) -> frozenset[str]:
        """The content words of the conversation's lead, the request it was about (worked out once)."""
        if self._words is None:
            said = _beginning(messages[lead].text).casefold() if lead is not None else ""
            found = (_ASCII_CONTENT_WORD if said.isascii() else _CONTENT_WORD).findall(said)
            self._words = frozenset(found) - _STOPWORDS  # all in C: this runs often
        return self._words


def _beginning(text: str) -> str:
    """A long lead's first words: what it is about is said first, and a pasted page is not read whole."""
    if len(text) <= _WORDS_CHARS:
        return text
    head = text[:_WORDS_CHARS].rsplit(None, 1)  # not a word cut in two: up to the last space
    return head[0] if head else ""


def split_conversations(messages: Sequence[Message], silence: timedelta = DEFAULT_SILENCE) -> list[Conversation]:
    """The history (oldest first) cut into conversations. Lean loops: this runs on every message."""
    if not messages:
        return []
    times = list(map(attrgetter("timestamp"), messages))
    sessions = list(map(attrgetter("session"), messages))
    missing = sessions.count(None)
    if not missing:  # every message carries Engati's session id: it alone decides, compared in C
        cuts = [i for i, new in enumerate(map(ne, sessions[1:], sessions), start=1) if new]
    elif missing < len(sessions):  # some message carries one
        cuts = [i for i in range(1, len(messages)) if _starts_new(messages[i - 1], messages[i], silence)]
    elif None in times:  # without session ids, an undated message stays with its neighbours
        pairs = enumerate(pairwise(times), start=1)
        cuts = [i for i, (a, b) in pairs if a is not None and b is not None and b - a > silence]
    else:  # the common case, every message dated and no session ids: the gaps, subtracted in C
        cuts = [i for i, gap in enumerate(map(sub, times[1:], times), start=1) if gap > silence]
    users_before = [0, *accumulate(map(is_, map(attrgetter("role"), messages), repeat(Role.USER)))]
    conversations = []
    for start, end in zip([0, *cuts], [*cuts, len(messages)], strict=True):
        conversation = Conversation(range(start, end), users=users_before[end] - users_before[start])
        # Usually every message is dated: the first and the last are the conversation's ends.
        first, last = times[start], times[end - 1]
        conversation.start = first if first is not None else next(filter(None, times[start:end]), None)
        if conversation.start is not None:
            conversation.end = last if last is not None else next(filter(None, reversed(times[start:end])))
        conversations.append(conversation)
    return conversations


def _starts_new(previous: Message, message: Message, silence: timedelta) -> bool:
    # Engati's own session ids win where both messages carry one; silence decides otherwise.
    if previous.session is not None and message.session is not None:
        return previous.session != message.session
    if previous.timestamp is None or message.timestamp is None:
        return False  # an undated message stays with its neighbours: never split on a guess
    return message.timestamp - previous.timestamp > silence


def _outcome(members: Iterable[Message]) -> list[str]:
    """Fell back, handed to an agent, or no reply at all: what the data shows of the answer.
    One pass over the members: this runs for every conversation listed."""
    fallbacks, agent, replied, asked = 0, False, False, False
    for message in members:
        role = message.role
        if role is _BOT:
            replied = True
            text = message.text
            fallbacks += _is_short_fallback(text) if len(text) <= _CACHED_CHARS else _is_fallback(text)
        elif role is _AGENT:
            replied = agent = True
        elif role is _USER:
            asked = True
        if message.kind is _EVENT and not agent and _HANDOFF.search(message.text):
            agent = True
    outcome: list[str] = []
    if fallbacks:
        outcome.append("fallback" + (f" ×{fallbacks}" if fallbacks > 1 else ""))
    if agent:
        outcome.append("agent")
    if asked and not replied:
        outcome.append("no reply")
    return outcome


def _is_fallback(text: str) -> bool:
    return _FALLBACK.search(text) is not None


# A bot repeats its fallback template thousands of times: each distinct short text is read once.
_is_short_fallback = functools.lru_cache(maxsize=4096)(_is_fallback)


# What a user message says, from least to most: greetings and thanks only, a confirmation, a request.
_HELLO, _CONFIRMATION, _REQUEST = 0, 1, 2


def is_substantive(message: Message) -> bool:
    """Whether a user message says what they want (not a greeting, bare thanks/ok, a confirmation
    such as "perfect, book it" or emoji only)."""
    return _says(message) == _REQUEST


def _says(message: Message) -> int:
    if message.kind is MessageKind.ARTEFACT:
        return _REQUEST  # a tapped button is a request: "Track order"
    text = message.text
    return _short_says(text) if len(text) <= _CACHED_CHARS else _long_says(text)


@functools.lru_cache(maxsize=8192)
def _short_says(text: str) -> int:
    words = set(_WORD.findall(text.casefold()))
    if not words <= _NO_REQUEST:
        return _REQUEST
    return _HELLO if words <= _SMALL_TALK else _CONFIRMATION


def _long_says(text: str) -> int:
    # A long text is read only up to its first word of a request (and never kept).
    said = _HELLO
    for match in _WORD.finditer(text.casefold()):
        if match[0] not in _NO_REQUEST:
            return _REQUEST
        if match[0] not in _SMALL_TALK:
            said = _CONFIRMATION
    return said


def lead_of(
    messages: Sequence[Message], conversation: Conversation, repeat_of: Callable[[int], object] = lambda _: None
) -> int | None:
    """The conversation's lead: the user's first substantive message, preferring one said only here
    (`repeat_of` is true of a message said again: a repeat is shown with its count anyway) and long
    enough to say something (a short one is often a follow-up); else their first message.

    When the request was said before ("[×3] Can you play something by Adele?") and nothing else of
    substance was said only here, what was (a long "no, that's all, have a nice day!") leads: it
    tells this visit from the others, and the request is counted wherever it is shown.

    The same lead when not every conversation fits: a shorter follow-up ("what time does it close?")
    would list a few more conversations, but would not say what the user asked."""
    first_user: int | None = None
    first_substantive: int | None = None
    first_unique: int | None = None
    first_unique_confirmation: int | None = None
    for index in conversation.members:
        message = messages[index]
        if message.role is not _USER:
            continue
        if first_user is None:
            first_user = index
        unique = not repeat_of(index)
        if not unique and first_substantive is not None:
            continue
        said = _says(message)
        if said == _REQUEST:
            if unique and len(message.text) >= TELLING_CHARS:
                return index
            if unique and first_unique is None:
                first_unique = index
            first_substantive = index if first_substantive is None else first_substantive
        elif said == _CONFIRMATION and unique and len(message.text) >= TELLING_CHARS:
            first_unique_confirmation = index if first_unique_confirmation is None else first_unique_confirmation
    for chosen in (first_unique_confirmation, first_unique):
        if chosen is not None:
            return chosen
    return first_substantive if first_substantive is not None else first_user
