"""The token estimate against the real o200k_base tokenizer: never below it, on any text.

The reference comes from `bpe-openai`, which ships the o200k_base encoding and its pre-tokenizer (a
test-only dependency: too heavy for the server itself, see `engati_mcp.tokens`). The estimate's
bound rests on three facts checked here: its pre-tokenizer splits text exactly as o200k's does for
every character it lists, every count in its table of known pieces is o200k's, and o200k never makes
more tokens than a piece has UTF-8 bytes (byte-level BPE). Its calibrated prices for ordinary words
are checked on realistic chat text; hostile text of every kind the issue named must never be
counted below the real count.
"""

from __future__ import annotations

import random
import string
import sys
from functools import cache

import bpe_openai
import pytest
from bpe_openai import _bindings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engati_mcp import tokens
from engati_mcp.tokens import count_tokens

O200K = bpe_openai.get_encoding("o200k_base")
PRE_TOKENIZER = _bindings.tokenizer_for_encoding("o200k_base")  # the encoding's own pre-tokenizer

ENGLISH = [
    "Hi",
    "hello",
    "Where is my order?",
    "I want to cancel my subscription",
    "ok",
    "thanks!!",
    "What are your store timings on Sunday?",
    "My order ORD-48213 hasn't arrived yet, it was supposed to come on 12/03/2025. Can you check?",
    "Can I change the delivery address to 221B Baker Street, London NW1 6XE?",
    "Refund status for invoice #INV-2025-00981 please",
    "I've been charged twice ₹1,499.00 for the premium plan 😡 please fix this asap",
    "talk to agent",
    "WHERE IS MY REFUND??? I WAITED 2 WEEKS",
    "Hi! I'm Engati Assistant. How can I help you today?",
    "Sorry, I didn't understand that. Could you rephrase?",
    (
        "Your order has been shipped and will be delivered within 3-5 business days. "
        "Track it here: https://track.example.com/o/48213?ref=wa"
    ),
    "Our store is open from 9:00 AM to 9:00 PM, Monday to Saturday, and 10:00 AM to 6:00 PM on Sundays.",
    "email me at asha.rao@example.com or call +91 98765 43210",
    "lol ok 👍👍",
    "pls help, app crashes on login (error code E-1042) since the v3.2.1 update",
    "don’t know what “premium” includes — can you explain…",
    "[bot: quick replies: Track order | Cancel order | Talk to agent]",
    "[user tapped: Track order]",
    "2025-03-01 08:01 UTC user: where is my order",
    "web-4f3a9c2e7b1d",
    "… 37 user messages between 2025-03-02 and 2025-03-09 omitted — narrow the dates to see them …",
    '{"channel_user_id": "919876543210", "start_date": 1740787200000, "end_date": 1741392000000}',
]
HINDI = [
    "नमस्ते",
    "मेरा ऑर्डर कहाँ है?",
    "मुझे अपना ऑर्डर रद्द करना है",
    "क्या आप हिंदी में बात कर सकते हैं?",
    "डिलीवरी कब तक होगी? ऑर्डर नंबर 48213 है",
    "धन्यवाद 🙏",
    "रिफंड कब मिलेगा?",
    "मैंने दो बार भुगतान किया है, कृपया पैसे वापस करें 😡",
    "मेरा पता बदलना है, नया पता है: 12, गांधी नगर, पुणे",
    "आपका ऑर्डर भेज दिया गया है और 3-5 दिनों में पहुंच जाएगा।",
    "ठीक है, शुक्रिया 👍",
    "मुझे किसी एजेंट से बात करनी है",
    "प्रीमियम प्लान में क्या-क्या मिलता है?",
    "पासवर्ड कैसे बदलें?",
    "मेरा पैकेज टूटा हुआ आया है, मुझे बदलना है",
    "कल शाम तक डिलीवरी हो जाएगी क्या?",
    "आज दुकान कितने बजे तक खुली है?",
    "मेरे खाते से ₹1,499 दो बार कट गए हैं",
    "कृपया मुझे कॉल करें, मेरा नंबर 98765 43210 है",
    "हाँ",
    "नहीं, धन्यवाद",
    "मैं तीन दिन से इंतज़ार कर रहा हूँ, कोई जवाब नहीं मिला",
    "क्या कैश ऑन डिलीवरी उपलब्ध है?",
    "ऑर्डर रद्द हो गया है, रिफंड 5-7 कार्य दिवसों में आपके खाते में आ जाएगा।",
]
SPANISH = [
    "Hola",
    "Hola, ¿dónde está mi pedido?",
    "Quiero cancelar mi suscripción, por favor.",
    "¿Cuándo recibiré mi reembolso?",
    "¿Hacen envíos a Monterrey? 😊",
    "Mi pedido ORD-48213 todavía no ha llegado 😡",
    "Me cobraron dos veces, necesito una solución urgente",
    "¿Cuál es el horario de la tienda el domingo?",
    "Gracias por la ayuda 👍",
    "Quiero hablar con un agente",
    "¿Puedo cambiar la dirección de entrega?",
    "El paquete llegó dañado, ¿qué hago?",
    "No entiendo, ¿me lo puedes explicar otra vez?",
    "Ya pagué pero sigue apareciendo como pendiente",
    "Mi correo es lucia.garcia@example.com",
    "¿Aceptan pago contra reembolso?",
    "Vale, perfecto. ¡Muchas gracias! 🙏",
    "Su pedido ha sido enviado y llegará en 3-5 días hábiles.",
    "¿Cómo restablezco mi contraseña?",
    "Necesito la factura de mi última compra",
    "Buenas tardes, tengo un problema con mi cuenta",
    "sí",
    "no gracias",
    "¿Por qué me cobraron 499 pesos?",
]
PORTUGUESE = [
    "Olá",
    "Onde está o meu pedido?",
    "Quero cancelar minha assinatura.",
    "Quando recebo o reembolso? 🙏",
    "Bom dia! Meu pedido ainda não chegou 😕",
    "Fui cobrado duas vezes no cartão",
    "Vocês entregam em Campinas?",
    "Quero falar com um atendente",
    "Posso trocar o endereço de entrega?",
    "O produto veio com defeito, como faço a troca?",
    "Obrigado pela ajuda! 👍",
    "Qual é o horário da loja no domingo?",
    "Não consigo fazer login no aplicativo",
    "Meu e-mail é joao.silva@example.com",
    "Seu pedido foi enviado e chegará em 3 a 5 dias úteis.",
    "Aceitam pagamento na entrega?",
    "Já paguei o boleto mas continua pendente",
    "Preciso da nota fiscal da minha compra",
    "tá bom, valeu",
    "sim",
    "não, obrigado",
    "Por que o frete ficou tão caro?",
    "Como altero minha senha?",
]
ARABIC = [
    "مرحبا",
    "أين طلبي؟",
    "أريد إلغاء اشتراكي من فضلك",
    "متى سيصل الطلب رقم 48213؟",
    "متى سأسترد أموالي؟",
    "هل يمكنني تغيير عنوان التوصيل؟",
    "السلام عليكم",
    "شكرا جزيلا 🙏",
    "تم خصم المبلغ مرتين من بطاقتي 😡",
    "أريد التحدث مع موظف خدمة العملاء",
    "المنتج وصل تالف، ماذا أفعل؟",
    "ما هي مواعيد عمل المتجر يوم الجمعة؟",
    "هل الدفع عند الاستلام متاح؟",
    "لم أستلم أي رسالة تأكيد",
    "كيف أغير كلمة المرور؟",
    "تم شحن طلبك وسيصل خلال 3-5 أيام عمل.",
    "حسنا، شكرا 👍",
    "نعم",
    "لا، شكرا",
    "أحتاج فاتورة الطلب الأخير",
    "هل توصلون إلى دبي؟",
    "الطلب متأخر جدا، أنتظر منذ أسبوع",
]
JAPANESE = [
    "こんにちは",
    "注文はどこですか？",
    "配送先の住所を変更したいです。",
    "返金はいつになりますか",
    "注文をキャンセルしたいです。",
    "日曜日の営業時間を教えてください。",
    "ありがとうございます！😊",
    "二重に請求されています😡",
    "担当者と話したいです",
    "商品が壊れて届きました。交換できますか？",
    "代金引換は利用できますか？",
    "パスワードを忘れました",
    "注文番号は48213です",
    "まだ届いていません。いつ届きますか？",
    "わかりました",
    "はい",
    "いいえ、大丈夫です",
    "ご注文の商品は発送済みです。3〜5営業日以内にお届けします。",
    "領収書を発行してもらえますか？",
    "プレミアムプランには何が含まれていますか？",
    "東京に配送できますか？",
    "よろしくお願いします🙏",
]
HINGLISH = [  # Hindi in Latin letters, as many of the bot's users write it
    "mera order abhi tak nahi aaya",
    "bhai refund kab milega?",
    "paise kat gaye par order nahi hua",
    "aap log jaldi batao please",
    "kitne din lagenge delivery mein?",
    "order cancel kar do",
    "theek hai, dhanyavad 🙏",
    "haan ji, wahi wala order",
    "kal tak aa jayega kya?",
    "mujhe agent se baat karni hai",
    "COD kyun nahi ho raha mere pincode pe",
    "koi update? 3 din ho gaye",
    "pickup wala aaya hi nahi",
    "ho gaya, shukriya",
    "galat item bhej diya aapne, wapas kaise karu?",
    "login nahi ho raha, OTP bhi nahi aa raha",
]
EMOJI = ["😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "❤️🔥🎉", "🙏🙏🙏", "✅ done", "🇮🇳 🇧🇷", "ok 👌 thanks 😊"]
# The languages whose chat text the estimate is calibrated on, and others it only bounds.
LANGUAGES = {
    "English": ENGLISH,
    "Hindi": HINDI,
    "Hinglish": HINGLISH,
    "Spanish": SPANISH,
    "Portuguese": PORTUGUESE,
    "Arabic": ARABIC,
    "Japanese": JAPANESE,
    "emoji": EMOJI,
}
OTHER_SCRIPTS = [
    "你好",
    "我的订单在哪里？",
    "我想取消订阅",
    "안녕하세요, 주문이 어디에 있나요?",
    "Здравствуйте, где мой заказ?",
    "Хочу отменить подписку",
    "வணக்கம், என் ஆர்டர் எங்கே?",
]
ORDINARY = [text for texts in LANGUAGES.values() for text in texts]


def o200k(text: str) -> int:
    return len(O200K.encode_ordinary(text))


def chat_messages(seed: int, count: int) -> list[str]:
    """Realistic messages: single lines and multi-line ones joined the way transcripts render them."""
    rng = random.Random(seed)
    return [
        rng.choice([" ", " ¶ ", "\n"]).join(rng.choice(ORDINARY) for _ in range(rng.choice([1, 1, 2, 4, 12])))
        for _ in range(count)
    ]


def over_count(texts: list[str]) -> float:
    """Estimate over real count, token-weighted: how much budget the estimate's caution costs."""
    return sum(map(count_tokens, texts)) / sum(map(o200k, texts))


# -- Never below: ordinary text --------------------------------------------------------------------


@pytest.mark.parametrize("text", ORDINARY + OTHER_SCRIPTS)
def test_each_sample_message_is_never_counted_below_o200k(text: str) -> None:
    assert count_tokens(text) >= o200k(text)


def test_mixed_realistic_messages_are_never_counted_below_o200k() -> None:
    shortfalls = [
        (text, count_tokens(text), o200k(text))
        for text in chat_messages(seed=11, count=2000)
        if count_tokens(text) < o200k(text)
    ]
    assert shortfalls == []


def test_the_sandbox_conversations_are_never_counted_below_o200k() -> None:
    from datetime import UTC, datetime

    from engati_mcp.parsing import parse_messages
    from engati_mcp.sandbox.data import generate_conversation

    wire = generate_conversation(5, 1500, datetime(2025, 1, 1, tzinfo=UTC))
    texts = [message.text for message in parse_messages(wire)]
    assert [text for text in texts if count_tokens(text) < o200k(text)] == []
    whole = "\n".join(texts)
    assert count_tokens(whole) >= o200k(whole)


# -- Not far above: ordinary text -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_chat_in_each_language_is_over_counted_by_at_most_60_percent(language: str) -> None:
    assert over_count(LANGUAGES[language]) <= 1.6


def test_a_realistic_mix_of_chat_is_over_counted_by_at_most_40_percent() -> None:
    assert over_count(chat_messages(seed=12, count=1000)) <= 1.4


def test_empty_text_costs_nothing_and_a_short_word_one_token() -> None:
    assert count_tokens("") == 0
    assert count_tokens("Hi") == count_tokens("hello") == 1


# -- Never below: hostile text ----------------------------------------------------------------------


def _chars(low: int, high: int) -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=low, max_codepoint=high)


def _spaced(word: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(word, min_size=1, max_size=12).map(" ".join)


def _words(letters: st.SearchStrategy[str], longest: int = 12) -> st.SearchStrategy[str]:
    """Space-separated words of characters drawn from `letters`."""
    return _spaced(st.text(letters, min_size=1, max_size=longest))


_EMOJI_PARTS = "👨👩👧👦🧑🏻🏽🏿❤🔥🏳🌈🏴‍☠️\ufe0f\u200d"
SHAPELESS = st.one_of(  # text no line can vouch for: always charged its bytes or known counts
    st.text(_chars(0xE000, 0xF8FF) | _chars(0xF0000, 0x10FFFD), min_size=1),  # private use, planes 15 and 16
    st.text(_chars(0x20000, 0x2A6DF), min_size=1),  # CJK extension B
    _words(_chars(0x0F00, 0x0FFF)),  # Tibetan
    _spaced(
        st.lists(st.sampled_from(string.ascii_letters) | _chars(0x300, 0x36F), min_size=1, max_size=20).map("".join)
    ),  # letters under stacks of combining marks
    st.text(st.sampled_from("¶ ¶¶"), min_size=1, max_size=200),  # runs of "¶"
    st.text(st.sampled_from(_EMOJI_PARTS), min_size=1, max_size=30),  # emoji, ZWJ sequences, skin tones
    st.text(st.sampled_from(string.digits + " .,-/:+"), min_size=1, max_size=60),  # digits
    st.text(st.sampled_from(" \t\r\n\u00a0\u3000\u2009"), min_size=1, max_size=40),  # whitespace runs
)
HOSTILE = st.one_of(
    SHAPELESS,
    st.text(),  # arbitrary Unicode
    _words(st.sampled_from(string.ascii_lowercase)),  # random ASCII letter soup
    _words(st.sampled_from(string.ascii_letters)),
    st.lists(st.text(st.sampled_from(string.ascii_lowercase), min_size=1, max_size=6), min_size=2, max_size=8).map(
        lambda parts: "".join(part.capitalize() for part in parts)
    ),  # camelCase
    _words(_chars(0x0900, 0x097F), 8),
    _words(_chars(0x0620, 0x064A), 8),  # Devanagari, Arabic letter soup
    _words(_chars(0x3041, 0x30FA), 8),
    _words(_chars(0x4E00, 0x9FFF), 8),  # kana, kanji soup
    _words(st.sampled_from("abcdeinorstuáéíóúñçãõâêô"), 10),  # Latin-1 letter soup
)


def _joined(parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(parts, min_size=2, max_size=5).flatmap(
        lambda texts: st.sampled_from([" ", "\n", "", " ¶ "]).map(lambda glue: glue.join(texts))
    )


@settings(max_examples=1200, deadline=None)
@given(HOSTILE | _joined(HOSTILE))
@example("OpenThan Baaab")  # two real words vouch for the line, and a stretched letter splits
def test_no_hostile_text_is_counted_below_o200k(text: str) -> None:
    assert count_tokens(text) >= o200k(text)


@settings(max_examples=500, deadline=None)
@given(_joined(SHAPELESS | st.sampled_from(ORDINARY)))
@example("¶mujhe agent se baat karni hai")  # a known word glued to a symbol was priced as if spaced
@example("Himujhe agent se baat karni hai")  # a word with no space before it costs more than a spaced one
@example("mujhe agent se baat karni haimujhe agent se baat karni hai")  # words run together: " hai|mujhe"
def test_no_ordinary_chat_with_hostile_text_in_it_is_counted_below_o200k(text: str) -> None:
    assert count_tokens(text) >= o200k(text)


@pytest.mark.parametrize("lead", ["¶", "(", "«", "—", "\xa0", "\u2003", "\x85", "』", "_"])
def test_a_word_glued_to_a_symbol_is_never_counted_below_o200k(lead: str) -> None:
    """o200k spells "¶mujhe" as "¶|m|uj|he", dearer than " muj|he": the glued word is priced bare."""
    words = [word for word in tokens._KNOWN if word.isalpha() and word.islower() and len(word) >= 5]
    lines = [f"please check my order {lead}{word}" for word in words[::7]]
    assert [line for line in lines if count_tokens(line) < o200k(line)] == []


def test_a_line_with_an_unlisted_character_costs_its_bytes() -> None:
    line = "order \ue000 refund"  # a private-use character: o200k's pieces around it are not rebuilt
    assert count_tokens(line) == len(line.encode())


# -- The facts the bound rests on -------------------------------------------------------------------


@cache
def _listed() -> list[str]:
    """Every character the rebuilt pre-tokenizer claims to split exactly as o200k does."""
    return [
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if not 0xD800 <= ord(char) <= 0xDFFF and not tokens._UNLISTED.match(char)
    ]


def test_the_rebuilt_pre_tokenizer_splits_every_listed_character_as_o200k_does() -> None:
    mismatches = []
    for char in _listed():
        for probe in (
            f"a{char}b",
            f"A{char}aa",
            f" {char}1",
            f"{char}{char}x",
            f"1{char}!",
            f"'{char}'s",
            f"\n{char} z",
        ):
            if tokens._PIECE.findall(probe) != PRE_TOKENIZER.pretokenize(probe):
                mismatches.append(probe)
    assert mismatches == []


LISTED = st.sampled_from([*string.printable, "’", "\u200d", "\ufe0f", "\u0301", "\u00a0", "\u3000"]) | st.sampled_from(
    _listed()
)


@settings(max_examples=800, deadline=None)
@given(st.text(LISTED, max_size=40))
def test_the_rebuilt_pre_tokenizer_splits_text_as_o200k_does(text: str) -> None:
    assert tokens._PIECE.findall(text) == PRE_TOKENIZER.pretokenize(text)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(max_codepoint=0x7F), max_size=40))
def test_the_ascii_pre_tokenizer_splits_ascii_text_as_o200k_does(text: str) -> None:
    assert tokens._ASCII_PIECE.findall(text) == PRE_TOKENIZER.pretokenize(text)


def test_every_known_piece_costs_what_o200k_says() -> None:
    wrong = {
        piece: cost
        for piece, cost in tokens._KNOWN.items()
        if PRE_TOKENIZER.pretokenize(piece) != [piece] or o200k(piece) != cost
    }
    assert wrong == {}


def test_a_known_symbol_before_a_newline_costs_at_most_one_more() -> None:
    """o200k lets a run of symbols take the newline after it, which the estimate prices on its own."""
    symbols = [piece for piece, cost in tokens._KNOWN.items() if not any(char.isalnum() for char in piece)]
    assert [piece for piece in symbols if o200k(piece + "\n") > tokens._KNOWN[piece] + 1] == []


def test_each_mark_said_to_take_the_newline_does_in_o200k() -> None:
    """After a word, the mark and the newline are one token: the newline is free there."""
    wrong = [mark for mark in tokens._TAKES_THE_NEWLINE if o200k(f"fine{mark}\nnext") != o200k(f"fine{mark}") + 1]
    assert wrong == []


def test_a_newline_after_a_lone_mark_is_not_charged_and_after_anything_else_it_is() -> None:
    assert count_tokens("is it open?\n Where is my order.") == count_tokens("is it open?") + count_tokens(
        " Where is my order."
    )
    for line in ("is it open", "is it open?!", "is it open ?", "x"):  # a word, a run of marks, a spaced mark
        assert count_tokens(f"{line}\nnext") == count_tokens(line) + count_tokens("next") + 1


MARKED_LINES = st.lists(
    st.tuples(HOSTILE | st.sampled_from(ORDINARY), st.sampled_from([*sorted(tokens._TAKES_THE_NEWLINE), "", "?!"])).map(
        "".join
    ),
    min_size=2,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(MARKED_LINES, st.sampled_from(["\n", "\n\n", "\n/", "\n\r", "\n "]))
def test_lines_ending_in_marks_are_never_counted_below_o200k(lines: list[str], glue: str) -> None:
    text = glue.join(lines)
    assert count_tokens(text) >= o200k(text)


# -- Adding up lines --------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(HOSTILE | st.sampled_from(ORDINARY), min_size=1, max_size=6))
def test_lines_joined_by_newlines_cost_at_most_their_sum_plus_one_per_newline(lines: list[str]) -> None:
    """What the budgeter relies on when it adds up line counts (each newline is one byte)."""
    assert count_tokens("\n".join(lines)) <= sum(map(count_tokens, lines)) + len(lines) - 1


@pytest.mark.parametrize(
    "text",
    [
        "AND WHAT ABOUT THE DELIVERY CHARGE I PAID?",
        "NOBODY CAME TO PICK UP THE DAMAGED PILLOW YET",
        "STILL NO REFUND FOR 8202670. THIS IS UNACCEPTABLE",
        "SIR, HOW DO I RESET MY PASSWORD?",
    ],
)
def test_a_shouted_line_is_never_counted_below_o200k_yet_close_to_it(text: str) -> None:
    """Support chats shout. The capitals of common words are known exactly (data/shouted_words.txt)
    and vouch for a line like lower case ones do, so a shouted request is not charged its bytes
    (which would cut it short in a digest)."""
    assert o200k(text) <= count_tokens(text) <= 1.3 * o200k(text)
