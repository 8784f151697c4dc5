"""`conversations` on its own: where a visit ends, what it was about, how it ended, its words."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engati_mcp.conversations import (
    _ASCII_CONTENT_WORD,
    _CONTENT_WORD,
    DEFAULT_SILENCE,
    Conversation,
    _is_short_fallback,
    _short_says,
    is_substantive,
    lead_of,
    split_conversations,
)
from engati_mcp.models import Message, MessageKind, Role

START = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
# The outcome words the digest shows in a conversation's heading.
FELL_BACK, HANDED_TO_AGENT, NO_REPLY = "fallback", "agent", "no reply"


def msg(
    role: Role, text: str, minutes: float | None, kind: MessageKind = MessageKind.TEXT, session: str | None = None
) -> Message:
    when = None if minutes is None else START + timedelta(minutes=minutes)
    return Message(role=role, text=text, timestamp=when, kind=kind, session=session)


def user(text: str, minutes: float | None = 0, **kw: object) -> Message:
    return msg(Role.USER, text, minutes, **kw)  # type: ignore[arg-type]


def bot(text: str, minutes: float | None = 0, **kw: object) -> Message:
    return msg(Role.BOT, text, minutes, **kw)  # type: ignore[arg-type]


def members(conversations: list[Conversation]) -> list[list[int]]:
    return [list(c.members) for c in conversations]


def whole(messages: list[Message]) -> Conversation:
    """The history as one conversation (whatever split_conversations would say)."""
    return Conversation(list(range(len(messages))))


# ---------------------------------------------------------------------------------------------
# Splitting


def test_an_empty_history_has_no_conversations() -> None:
    assert split_conversations([]) == []


def test_the_default_silence_is_thirty_minutes() -> None:
    assert timedelta(minutes=30) == DEFAULT_SILENCE


def test_without_session_ids_a_gap_of_exactly_thirty_minutes_stays_in_the_conversation() -> None:
    messages = [user("where is my order", 0), bot("checking", 30), user("still waiting", 60)]
    assert members(split_conversations(messages)) == [[0, 1, 2]]


def test_without_session_ids_a_silence_longer_than_thirty_minutes_starts_a_new_conversation() -> None:
    messages = [user("where is my order", 0), bot("checking", 1), user("any news?", 31.5), bot("not yet", 32)]
    assert members(split_conversations(messages)) == [[0, 1], [2, 3]]


def test_the_silence_argument_moves_the_cut() -> None:
    messages = [user("a question", 0), user("another", 45), user("a third", 100)]
    assert members(split_conversations(messages)) == [[0], [1], [2]]
    assert members(split_conversations(messages, timedelta(hours=2))) == [[0, 1, 2]]
    assert members(split_conversations(messages, timedelta(minutes=50))) == [[0, 1], [2]]


def test_two_sessions_five_minutes_apart_are_two_conversations() -> None:
    messages = [
        user("order status", 0, session="s1"),
        bot("shipped", 1, session="s1"),
        user("and my refund?", 6, session="s2"),
        bot("processing", 7, session="s2"),
    ]
    assert members(split_conversations(messages)) == [[0, 1], [2, 3]]


def test_one_session_across_two_hours_is_one_conversation() -> None:
    messages = [
        user("order status", 0, session="s1"),
        bot("checking", 45, session="s1"),
        user("hello?", 90, session="s1"),
        bot("shipped", 120, session="s1"),
    ]
    assert members(split_conversations(messages)) == [[0, 1, 2, 3]]


def test_silence_decides_where_only_one_of_two_messages_carries_a_session() -> None:
    messages = [user("order status", 0, session="s1"), user("hello?", 5), user("again", 120, session="s1")]
    assert members(split_conversations(messages)) == [[0, 1], [2]]


def test_an_undated_message_stays_with_its_neighbours() -> None:
    messages = [user("first", 0), user("undated", None), user("much later", 600)]
    assert members(split_conversations(messages)) == [[0, 1, 2]]


def test_start_end_and_user_count_come_from_the_members() -> None:
    messages = [
        user("hi", None),
        user("question", 3),
        user("thanks", None),
        bot("answer", 4),
        user("new visit", 200),
        bot("reply", 201),
    ]
    first, second = split_conversations(messages)
    assert list(first.members) == [0, 1, 2, 3]
    assert (first.start, first.end, first.users) == (START + timedelta(minutes=3), START + timedelta(minutes=4), 3)
    assert (second.start, second.end, second.users) == (
        START + timedelta(minutes=200),
        START + timedelta(minutes=201),
        1,
    )


def test_a_conversation_with_no_time_at_all_has_no_start_or_end() -> None:
    (only,) = split_conversations([user("who am I", None), bot("a bot", None)])
    assert only.start is None and only.end is None and only.users == 1


GAPS = st.lists(
    st.tuples(st.integers(0, 200), st.sampled_from([None, "a", "b"]), st.booleans()), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(GAPS, st.integers(1, 120))
def test_conversations_partition_the_history_in_order_and_cut_exactly_where_the_rule_says(
    gaps: list[tuple[int, str | None, bool]], silence_minutes: int
) -> None:
    minute, messages = 0, []
    for gap, session, dated in gaps:
        minute += gap
        messages.append(user(f"message {len(messages)}", minute if dated else None, session=session))
    silence = timedelta(minutes=silence_minutes)
    conversations = split_conversations(messages, silence)
    assert [i for c in conversations for i in c.members] == list(range(len(messages)))
    starts = {c.members[0] for c in conversations}
    for i in range(1, len(messages)):
        a, b = messages[i - 1], messages[i]
        if a.session is not None and b.session is not None:
            expected = a.session != b.session
        elif a.timestamp is None or b.timestamp is None:
            expected = False
        else:
            expected = b.timestamp - a.timestamp > silence
        assert (i in starts) is expected, i


# ---------------------------------------------------------------------------------------------
# What is substantive


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "Hello!!",
        "Good morning",
        "hey there bot",
        "ok",
        "OK.",
        "okay thanks",
        "Thank you so much",
        "thanks 🙏",
        "👍",
        "👍👍😊",
        "🙏",
        "",
        "   ",
        "...",
        "???",
        "شكرا",
        "السلام عليكم",
        "ありがとう",
        "gracias",
        "bye",
        "yes please",
        "perfect, book it!",
        "No, that's all, thank you",
        "Ah that's everything, thank you!",
        "Oh perfect, do it",
        "Sounds good, go ahead.",
        "ok ji theek hai",
    ],
)
def test_greetings_thanks_acknowledgements_and_emoji_are_not_substantive(text: str) -> None:
    assert not is_substantive(user(text))


@pytest.mark.parametrize(
    "text",
    ["नमस्ते", "धन्यवाद", "शुक्रिया", "ठीक है", "हाँ जी", "नमस्ते जी 🙏", "مرحبا", "شكرا"],
    ids=["namaste", "dhanyavad", "shukriya", "theek-hai", "haan-ji", "namaste-ji", "marhaba", "shukran"],
)
def test_hindi_and_arabic_greetings_and_thanks_are_not_substantive(text: str) -> None:
    # Devanagari words carry combining marks (vowel signs, virama) that "\\w" alone does not match:
    # split into fragments they would never be recognised, and a namaste would lead a conversation.
    assert not is_substantive(user(text))


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order?",
        "refund",
        "hi, I want to cancel my plan",
        "thanks, but the app crashes on login",
        "मेरा ऑर्डर कहाँ है?",
        "注文はどこですか？",
        "ORD-48213",
        "ok 👍 where is invoice 12",
    ],
)
def test_a_message_with_any_word_beyond_small_talk_is_substantive(text: str) -> None:
    assert is_substantive(user(text))


def test_a_long_message_is_judged_without_being_remembered() -> None:
    # Short texts (templates, "ok thanks") are remembered between calls; a hostile history of pasted
    # pages must not fill memory with them.
    remembered = _short_says.cache_info().currsize, _is_short_fallback.cache_info().currsize
    assert is_substantive(user("hello " * 1000 + "where is my refund"))
    assert not is_substantive(user("thank you " * 1000))
    fell_back = split_conversations([user("help"), bot("Sorry, I didn't understand. " * 200)])[0]
    assert fell_back.outcome([user("help"), bot("Sorry, I didn't understand. " * 200)]) == [FELL_BACK]
    assert (_short_says.cache_info().currsize, _is_short_fallback.cache_info().currsize) == remembered


@pytest.mark.parametrize("text", ["[user tapped: Yes]", "OK", "👍", "Thanks"])
def test_a_tapped_button_is_substantive_whatever_its_label(text: str) -> None:
    assert is_substantive(user(text, kind=MessageKind.ARTEFACT))
    # ... while the same words typed are judged on their words
    if text in {"OK", "👍", "Thanks"}:
        assert not is_substantive(user(text))


# ---------------------------------------------------------------------------------------------
# The lead


def lead(messages: list[Message], repeated: set[int] | None = None) -> int | None:
    return lead_of(messages, whole(messages), lambda i: "group" if repeated and i in repeated else None)


def test_the_lead_is_the_first_substantive_user_message_after_the_greetings() -> None:
    messages = [
        bot("Hello! How can I help you today?"),
        user("hi"),
        user("good morning 👋"),
        user("Where is my order ORD-1?"),
        user("also a refund please for order 2"),
    ]
    assert lead(messages) == 3


def test_the_bot_never_provides_the_lead() -> None:
    messages = [bot("Would you like to track an order?"), user("hello"), user("I need a refund for my order")]
    assert lead(messages) == 2


def test_a_tapped_button_can_be_the_lead() -> None:
    messages = [
        user("hi"),
        bot("[bot: quick replies: Track order | Cancel]", kind=MessageKind.ARTEFACT),
        user("[user tapped: Track order]", kind=MessageKind.ARTEFACT),
        user("thanks"),
    ]
    assert lead(messages) == 2


def test_the_lead_prefers_a_substantive_message_not_repeated_elsewhere() -> None:
    messages = [user("hi"), user("where is my order"), user("cancel order 77 now"), user("ok")]
    assert lead(messages, repeated={1}) == 2
    assert lead(messages) == 1  # without repeat information: simply the first


def test_a_short_request_leads_only_when_nothing_longer_says_more() -> None:
    messages = [user("hi"), user("refund?"), user("I was charged twice for the premium plan")]
    assert lead(messages) == 2
    assert lead(messages[:2]) == 1


REPEATED_REQUEST = "Book a table for 2 at the Thai place"


def test_a_confirmation_never_leads_in_place_of_a_request_said_only_here() -> None:
    messages = [user(REPEATED_REQUEST), user("perfect, book it please!"), user("Is there anything cheaper nearby?")]
    assert lead(messages, repeated={0}) == 2


def test_when_the_request_was_said_before_what_only_this_visit_said_leads() -> None:
    # "[×3] Book a table ..." is counted wherever it is shown; this visit is told apart by its own words.
    messages = [user(REPEATED_REQUEST), bot("Done, 7 pm?"), user("perfect, book it please!")]
    assert lead(messages, repeated={0}) == 2
    # ... but a bare "ok thanks" tells nothing: then the request leads, repeat or not
    assert lead([user(REPEATED_REQUEST), user("ok thanks")], repeated={0}) == 0


def test_when_every_substantive_message_is_a_repeat_the_first_of_them_leads() -> None:
    messages = [user("hi"), user("where is my order"), user("cancel it now please")]
    assert lead(messages, repeated={0, 1, 2}) == 1


def test_with_nothing_substantive_the_users_first_message_leads() -> None:
    messages = [bot("Hello!"), user("hi"), user("thanks 🙏"), bot("Bye")]
    assert lead(messages) == 1


def test_a_conversation_without_user_messages_has_no_lead() -> None:
    messages = [bot("Hello!"), msg(Role.AGENT, "Anyone there?", 1)]
    assert lead_of(messages, whole(messages)) is None


def test_the_lead_is_chosen_within_the_conversation_only() -> None:
    messages = [user("Where is my order number 5?", 0), user("hi", 100), user("I need a refund please", 101)]
    _, second = split_conversations(messages)
    assert lead_of(messages, second) == 2


# ---------------------------------------------------------------------------------------------
# The outcome


def outcome(messages: list[Message]) -> list[str]:
    return whole(messages).outcome(messages)


def test_an_answered_conversation_has_no_outcome_remark() -> None:
    assert outcome([user("store hours?"), bot("9 to 9")]) == []


@pytest.mark.parametrize(
    "reply",
    [
        "Sorry, I didn't understand that.",
        "I did not understand",
        "I couldn't understand",
        "I'm not sure what you mean",
        "Could you rephrase?",
        "Please rephrase your question",
        "Lo siento, no entendí",
        "Desculpe, não entendi",
        "माफ़ कीजिए, मैं समझ नहीं पाया",
        "عذرا، لم أفهم",
    ],
)
def test_a_bot_reply_admitting_it_did_not_understand_is_a_fallback(reply: str) -> None:
    assert outcome([user("blorp"), bot(reply)]) == [FELL_BACK]


def test_several_fallbacks_are_counted() -> None:
    messages = [
        user("a"),
        bot("Sorry, I didn't understand that."),
        user("b"),
        bot("Could you rephrase?"),
        user("c"),
        bot("I don't understand"),
    ]
    assert outcome(messages) == [f"{FELL_BACK} ×3"]


def test_only_the_bot_falls_back_not_an_agent_or_the_user() -> None:
    messages = [user("I didn't understand your answer"), msg(Role.AGENT, "Sorry, I didn't understand that.", 1)]
    assert outcome(messages) == [HANDED_TO_AGENT]


def test_an_agent_message_means_the_chat_was_handed_to_an_agent() -> None:
    assert outcome([user("help"), msg(Role.AGENT, "Hi, Priya here", 1)]) == [HANDED_TO_AGENT]


@pytest.mark.parametrize(
    "event",
    [
        "[event: handoff to agent]",
        "[event: chat transferred]",
        "[event: live chat started]",
        "[event: handed over to support]",
    ],
)
def test_a_handoff_event_means_the_chat_was_handed_to_an_agent(event: str) -> None:
    assert outcome([user("help"), bot(event, kind=MessageKind.EVENT)]) == [HANDED_TO_AGENT]


def test_a_bot_text_that_mentions_an_agent_is_not_a_handoff() -> None:
    assert outcome([user("help"), bot("Would you like to talk to an agent?")]) == []


def test_a_conversation_nobody_replied_to_says_no_reply() -> None:
    assert outcome([user("is anyone there?"), user("hello??")]) == [NO_REPLY]
    assert outcome([user("is anyone there?"), msg(Role.UNKNOWN, "system", 1)]) == [NO_REPLY]


def test_a_conversation_without_the_user_is_not_called_unanswered() -> None:
    assert outcome([bot("Hello! Need help?")]) == []


def test_fallback_and_handoff_are_both_reported_in_that_order() -> None:
    messages = [
        user("refund"),
        bot("Sorry, I didn't understand that."),
        bot("[event: handoff to agent]", 2, kind=MessageKind.EVENT),
    ]
    assert outcome(messages) == [FELL_BACK, HANDED_TO_AGENT]


def test_the_outcome_is_read_from_the_conversations_own_messages() -> None:
    messages = [user("question", 0), bot("Sorry, I didn't understand that.", 1), user("new visit", 300)]
    first, second = split_conversations(messages)
    assert first.outcome(messages) == [FELL_BACK]
    assert second.outcome(messages) == [NO_REPLY]


# ---------------------------------------------------------------------------------------------
# Words


def words(messages: list[Message], lead_index: int | None) -> frozenset[str]:
    return whole(messages).words(messages, lead_index)


def test_words_are_the_leads_content_words_casefolded() -> None:
    messages = [
        user("Where is my REFUND? refund for invoice 12345 ab ORD-48213"),
        bot("Your refund warehouse shipment"),
        user("thanks, the Laptop please"),
    ]
    assert words(messages, 0) == frozenset({"refund", "invoice"})


def test_the_letters_of_an_id_are_not_a_word_of_the_request() -> None:
    """ "ORD" of "ORD-4197851" (or "ORDER-12", "tck#831", "ord4444") says nothing about what was asked:
    a run of conversations about orders would otherwise read "order 12, ord 10"."""
    messages = [user("Refund for ORD-4197851, ORDER-12, tck#831 and ord4444 please, kindly check btw")]
    assert words(messages, 0) == frozenset({"refund", "check"})


def test_the_verbs_of_any_request_and_the_names_of_days_are_not_what_it_was_about() -> None:
    """A run of English requests read "find 14, friday 10, like 7": words every request has."""
    messages = [user("I'd like to find a hotel in Denver for next Friday, looking at something near the airport")]
    assert words(messages, 0) == frozenset({"hotel", "denver", "near", "airport"})


def test_words_drop_small_talk_stopwords_short_words_and_numbers() -> None:
    messages = [user("hi there, can you tell me what is up with 2025 plan xy 42nd")]
    assert words(messages, 0) == frozenset({"plan"})


def test_a_pasted_page_gives_the_words_of_its_beginning_and_no_word_cut_in_two() -> None:
    page = "refund for the broken blender please " + "lorem ipsum " * 5000 + "invoice"
    assert words([user(page)], 0) == frozenset({"refund", "broken", "blender", "lorem", "ipsum"})
    assert [len(word) for word in words([user("x" * 5000)], 0)] == [1000]  # one endless word: its beginning
    assert words([user("a" + " " * 5000 + "refund")], 0) == frozenset()  # only blanks after the first letter
    assert words([user(" " * 5000 + "refund")], 0) == frozenset()  # blanks only (unparsed text): no error


def test_words_of_a_tapped_button_skip_the_placeholder_words() -> None:
    messages = [user("[user tapped: Track order]", kind=MessageKind.ARTEFACT)]
    assert words(messages, 0) == frozenset({"track", "order"})


def test_a_conversation_without_a_lead_has_no_words() -> None:
    messages = [bot("refund invoice warehouse")]
    assert words(messages, None) == frozenset()


def test_words_keep_other_scripts_whole() -> None:
    messages = [user("пожалуйста верните деньги, أين طلبي")]
    assert {"пожалуйста", "верните", "деньги", "طلبي"} <= words(messages, 0)


def test_devanagari_words_are_kept_whole_not_split_at_their_vowel_signs() -> None:
    # "\\w" alone stops at combining marks (virama, vowel signs): Hindi words would fall apart.
    assert {"ऑर्डर", "रिफंड"} <= words([user("मेरा ऑर्डर कहाँ है? रिफंड चाहिए")], 0)


@given(st.text(alphabet=string.ascii_letters + string.digits + " -#_'.,!?", max_size=80))
def test_the_quick_ascii_words_are_the_words_the_unicode_rule_finds(text: str) -> None:
    """ASCII leads take a simpler pattern (most chat is ASCII, and every lead's words are read): it
    must find exactly what the general one does."""
    said = text.casefold()
    assert _ASCII_CONTENT_WORD.findall(said) == _CONTENT_WORD.findall(said)
