"""The token estimate against the real o200k_base tokenizer, on realistic chat text.

The reference count comes from `bpe-openai`, which ships the o200k_base encoding (a test-only
dependency: too heavy for the server itself, see `engati_mcp.tokens`).
"""

from __future__ import annotations

import random

import bpe_openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engati_mcp.tokens import count_tokens

O200K = bpe_openai.get_encoding("o200k_base")

ENGLISH = [
    "Hi", "hello", "Where is my order?", "I want to cancel my subscription", "ok", "thanks!!",
    "What are your store timings on Sunday?",
    "My order ORD-48213 hasn't arrived yet, it was supposed to come on 12/03/2025. Can you check?",
    "Can I change the delivery address to 221B Baker Street, London NW1 6XE?",
    "Refund status for invoice #INV-2025-00981 please",
    "I've been charged twice ₹1,499.00 for the premium plan 😡 please fix this asap",
    "talk to agent", "WHERE IS MY REFUND??? I WAITED 2 WEEKS",
    "Hi! I'm Engati Assistant. How can I help you today?",
    "Sorry, I didn't understand that. Could you rephrase?",
    "Your order has been shipped and will be delivered within 3-5 business days. "
    "Track it here: https://track.example.com/o/48213?ref=wa",
    "Our store is open from 9:00 AM to 9:00 PM, Monday to Saturday, and 10:00 AM to 6:00 PM on Sundays.",
    "email me at asha.rao@example.com or call +91 98765 43210", "lol ok 👍👍",
    "pls help, app crashes on login (error code E-1042) since the v3.2.1 update",
    "don’t know what “premium” includes — can you explain…",
    "[bot: quick replies: Track order | Cancel order | Talk to agent]", "[user tapped: Track order]",
    "2025-03-01 08:01 UTC user: where is my order", "web-4f3a9c2e7b1d",
    "… 37 user messages between 2025-03-02 and 2025-03-09 omitted — narrow the dates to see them …",
    '{"channel_user_id": "919876543210", "start_date": 1740787200000, "end_date": 1741392000000}',
]
OTHER_SCRIPTS = [
    "नमस्ते", "मेरा ऑर्डर कहाँ है?", "मुझे अपना ऑर्डर रद्द करना है", "क्या आप हिंदी में बात कर सकते हैं?",
    "डिलीवरी कब तक होगी? ऑर्डर नंबर 48213 है", "धन्यवाद 🙏",
    "مرحبا", "أين طلبي؟", "أريد إلغاء اشتراكي من فضلك", "متى سيصل الطلب رقم 48213؟",
    "こんにちは", "注文はどこですか？", "配送先の住所を変更したいです。", "返金はいつになりますか",
    "你好", "我的订单在哪里？", "我想取消订阅", "안녕하세요, 주문이 어디에 있나요?",
    "Hola, ¿dónde está mi pedido?", "Quiero cancelar mi suscripción, por favor.",
    "Здравствуйте, где мой заказ?", "Хочу отменить подписку", "வணக்கம், என் ஆர்டர் எங்கே?",
]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "❤️🔥🎉", "🙏🙏🙏", "✅ done", "🇮🇳 🇧🇷", "ok 👌 thanks 😊"]
ALL = ENGLISH + OTHER_SCRIPTS + EMOJI


def o200k(text: str) -> int:
    return len(O200K.encode(text))


def chat_messages(seed: int, count: int) -> list[str]:
    """Realistic messages: single lines and multi-line ones joined the way transcripts render them."""
    rng = random.Random(seed)
    return [rng.choice([" ", " ¶ ", "\n"]).join(rng.choice(ALL) for _ in range(rng.choice([1, 1, 2, 4, 12])))
            for _ in range(count)]


@pytest.mark.parametrize("text", ALL)
def test_each_sample_message_is_never_counted_2_percent_below_o200k(text: str) -> None:
    assert count_tokens(text) >= 0.98 * o200k(text)


def test_mixed_realistic_messages_are_never_counted_2_percent_below_o200k() -> None:
    shortfalls = [(text, count_tokens(text), o200k(text)) for text in chat_messages(seed=11, count=2000)
                  if count_tokens(text) < 0.98 * o200k(text)]
    assert shortfalls == []


def test_the_sandbox_conversations_are_never_counted_2_percent_below_o200k() -> None:
    from engati_mcp.parsing import parse_messages
    from engati_mcp.sandbox.data import generate_conversation
    from datetime import UTC, datetime

    wire = generate_conversation(5, 1500, datetime(2025, 1, 1, tzinfo=UTC))
    texts = [message.text for message in parse_messages(wire)]
    assert all(count_tokens(text) >= 0.98 * o200k(text) for text in texts)
    whole = "\n".join(texts)
    assert count_tokens(whole) >= o200k(whole)


@pytest.mark.parametrize("language", [ENGLISH, OTHER_SCRIPTS])
def test_the_estimate_does_not_waste_more_than_half_the_budget(language: list[str]) -> None:
    """Over-counting is safe but wastes budget: keep it within 2.5x on every script we serve."""
    text = "\n".join(language)
    assert count_tokens(text) <= 2.5 * o200k(text)


def test_empty_text_costs_nothing_and_a_short_word_one_token() -> None:
    assert count_tokens("") == 0
    assert 1 <= count_tokens("Hi") <= 2


@given(st.lists(st.text(max_size=80), min_size=1, max_size=6))
def test_lines_joined_by_newlines_never_cost_more_than_their_sum_plus_one_per_join(lines: list[str]) -> None:
    """The budgeter adds up line counts (plus one per newline); the joined text must not cost more."""
    assert count_tokens("\n".join(lines)) <= sum(count_tokens(line) for line in lines) + len(lines) - 1 + 1
