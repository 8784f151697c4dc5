"""The sandbox's regulars: a support bot's returning customers, with months of their own conversations.

Each regular (see `PERSONAS`) comes back for 6-18 months, 50-300 times: in bursts while an issue is
open (the same order chased over hours and days, "any update?"), then quiet for weeks. Every visit
is about its own request, written the way that person writes (formal and complete, lowercase with
typos and "pls", Hinglish, short with emoji, angry capitals) and full of specific details: order
numbers written four different ways, products, amounts, dates relative to the day of the chat,
areas, pin codes, coupon codes. Visits open with a greeting or a tapped menu button or go straight
to the point; the request is sometimes split over several messages; the bot answers from its FAQ
(often on several lines), asks for the order number, falls back ("Sorry, I didn't understand"),
hands over to a human agent (an event, then the agent's replies), or never answers at all.
Visits end with a bare "ok thanks", an emoji, or nothing. Some phrases come back across months
("where is my order", "ok thanks"), as they do with real people.

Three regulars carry Engati's `session_id` on every message (one id per visit); for them two
visits may be minutes apart and an agent may answer an hour late within one visit, so the silence
between messages does not always tell visits apart. The others carry no session id, and their
visits are always more than 30 minutes apart with no silence of 30 minutes inside one.

Deterministic: everything comes from `random.Random(seed)` and the fixed `end` date, never the clock.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

Turn = tuple[str, str, str | None, dict[str, Any] | None]  # sender, type, text, payload

SILENCE = timedelta(minutes=30)  # visits of regulars without session ids are further apart than this


# ---------------------------------------------------------------------------------------------
# Who they are


@dataclass(frozen=True, slots=True)
class Style:
    """How a person writes. Probabilities are per message unless said otherwise."""

    lower: float = 0.1  # whole message in lowercase
    typo: float = 0.0  # per word of four letters or more
    abbreviate: float = 0.0  # "pls", "u", "ur", "thx"...
    no_period: float = 0.5  # drop the final full stop
    emoji: float = 0.05
    emojis: tuple[str, ...] = ("🙏", "😊", "👍")
    shout: float = 0.0  # capitals when upset
    greet: float = 0.3  # opens with a bare greeting before the request
    greetings: tuple[str, ...] = ("hi", "hello", "Hi", "Hello")
    prefix: float = 0.3  # "Hi, ..." in the same message as the request
    prefixes: tuple[str, ...] = ("Hi, ", "Hello, ")
    suffix: float = 0.25
    suffixes: tuple[str, ...] = (" Please check.", " Thanks.")
    split: float = 0.15  # the request in two or three messages
    thanks: tuple[str, ...] = ("ok thanks", "thanks", "ok", "👍", "thank you")
    thank: float = 0.5  # says something at the end
    hinglish: float = 0.0  # request written in Roman Hindi
    devanagari: float = 0.0  # request written in Hindi script
    tap: float = 0.1  # opens by tapping a menu button
    multiline: float = 0.0  # a structured request on several lines


@dataclass(frozen=True, slots=True)
class Persona:
    user_id: str
    name: str
    channel: str
    email: str
    phone: str
    city: str
    plan: str
    conversations: int
    months: float  # from the first visit to the last
    quiet_days: int  # days between the last visit and the data's end
    utc_offset: timedelta
    hours: tuple[int, ...]  # local hours they tend to write at (repeats weigh more)
    topics: dict[str, float]
    shelves: tuple[str, ...]  # catalogue sections they buy from
    style: Style
    sessions: bool = False  # Engati's session_id on every message
    handoff: float = 0.12  # share of visits that reach a human agent
    silent: float = 0.04  # share of visits the bot never answers
    habits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # requests they repeat word for word,
    # by topic ("follow" for chasing an open issue), across months
    home: str = ""  # where deliveries go, if not their own city
    chatty: float = 0.3  # chance of another question in the same visit (and another after that)
    agent_rounds: tuple[int, ...] = (0, 0, 1, 1, 2, 3)  # exchanges with an agent before the fix, one drawn per handoff


IST = timedelta(hours=5, minutes=30)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        user_id="919822041735",
        name="Kavita Joshi",
        channel="whatsapp",
        email="kavita.joshi@example.com",
        phone="919822041735",
        city="Pune",
        plan="premium",
        conversations=280,
        months=15,
        quiet_days=2,
        utc_offset=IST,
        hours=(7, 8, 8, 9, 10, 15, 16, 17, 21, 21, 22),
        topics={
            "invoice": 18,
            "order_status": 22,
            "payment": 9,
            "product": 10,
            "refund": 8,
            "complaint": 7,
            "coupon": 5,
            "address": 5,
            "returns": 5,
            "store_hours": 4,
            "cancel": 4,
            "membership": 3,
        },
        shelves=("bakery", "bakery", "bakery", "kitchen", "appliances", "home"),
        style=Style(
            lower=0.02,
            typo=0.003,
            no_period=0.15,
            emoji=0.05,
            emojis=("🙏",),
            greet=0.2,
            greetings=("Good morning", "Hello", "Hi"),
            prefix=0.35,
            prefixes=("Hello, ", "Good morning. ", "Hi team, ", "Dear team, "),
            suffix=0.4,
            suffixes=(" Kindly check.", " Kindly do the needful.", " Thank you.", " Please revert."),
            split=0.1,
            thanks=("Thank you", "Thank you.", "Noted, thanks", "ok thank you", "🙏"),
            thank=0.7,
            tap=0.05,
            multiline=0.15,
        ),
        sessions=True,
        handoff=0.12,
        silent=0.03,
        chatty=0.7,
        habits={"invoice": ("Please share the GST invoice",), "follow": ("Any update please?",)},
    ),
    Persona(
        user_id="web-5c0e7d2a91f4",
        name="Rahul Mehta",
        channel="web",
        email="rahul.mehta@example.com",
        phone="919886120457",
        city="Bengaluru",
        plan="basic",
        conversations=300,
        months=12,
        quiet_days=9,
        utc_offset=IST,
        hours=(11, 12, 13, 13, 14, 20, 22, 22, 23, 23, 0, 1),
        topics={
            "product": 20,
            "order_status": 20,
            "returns": 15,
            "refund": 12,
            "coupon": 10,
            "payment": 8,
            "complaint": 5,
            "account": 5,
            "cancel": 5,
        },
        shelves=("electronics", "electronics", "electronics", "fashion", "kitchen"),
        style=Style(
            lower=0.85,
            typo=0.05,
            abbreviate=0.6,
            no_period=0.9,
            emoji=0.04,
            emojis=("😅", "🙄"),
            greet=0.1,
            greetings=("hi", "hey", "hii"),
            prefix=0.1,
            prefixes=("hey ", "hi "),
            suffix=0.2,
            suffixes=(" pls", " asap", " ??", " pls check"),
            split=0.45,
            thanks=("ok", "k", "ok thx", "cool", "ok thanks", "👍"),
            thank=0.35,
            tap=0.08,
        ),
        handoff=0.14,
        silent=0.05,
        chatty=0.85,
        agent_rounds=(1, 2, 2, 3, 4),
        habits={"order_status": ("where is my order",), "follow": ("any update?", "where is my order")},
    ),
    Persona(
        user_id="919446723108",
        name="Sunita Pillai",
        channel="whatsapp",
        email="sunita.pillai@example.com",
        phone="919446723108",
        city="Kochi",
        plan="free",
        conversations=80,
        months=18,
        quiet_days=21,
        utc_offset=IST,
        hours=(9, 10, 10, 11, 12, 16, 17, 18, 19),
        topics={
            "password": 22,
            "account": 18,
            "order_status": 20,
            "store_hours": 10,
            "refund": 10,
            "product": 10,
            "payment": 5,
            "address": 5,
        },
        shelves=("kitchen", "appliances", "appliances", "fashion"),
        style=Style(
            lower=0.05,
            typo=0.02,
            no_period=0.3,
            emoji=0.15,
            emojis=("🙏", "🙏🙏"),
            shout=0.12,
            greet=0.8,
            greetings=("Hello", "Good morning", "Hello sir", "Hi", "Good evening"),
            prefix=0.3,
            prefixes=("Sir, ", "Madam, ", "Hello sir, "),
            suffix=0.4,
            suffixes=(" Please help.", " Please help me...", " Thank you.", "..."),
            split=0.2,
            thanks=("Thank you sir", "Thank you", "Ok", "Thank you 🙏", "ok thanks"),
            thank=0.8,
            tap=0.15,
        ),
        silent=0.05,
        habits={"password": ("I forgot my password",), "follow": ("Please help",)},
    ),
    Persona(
        user_id="919700318842",
        name="Farhan Qureshi",
        channel="whatsapp",
        email="farhan.q@example.com",
        phone="919700318842",
        city="Hyderabad",
        plan="premium",
        conversations=220,
        months=9,
        quiet_days=0,
        utc_offset=IST,
        hours=(10, 11, 12, 14, 18, 19, 20, 21, 22, 23),
        topics={
            "complaint": 30,
            "refund": 25,
            "order_status": 18,
            "returns": 10,
            "payment": 10,
            "membership": 5,
            "cancel": 2,
        },
        shelves=("appliances", "appliances", "electronics", "electronics", "kitchen", "home"),
        style=Style(
            lower=0.1,
            typo=0.01,
            no_period=0.4,
            emoji=0.08,
            emojis=("😡", "🤬", "👎"),
            shout=0.3,
            greet=0.05,
            prefix=0.05,
            prefixes=("Hello. ", "Again. "),
            suffix=0.45,
            suffixes=(
                " This is unacceptable.",
                " Fix this today.",
                "!!!",
                " I am tired of chasing you.",
                " Otherwise I will go to consumer court.",
            ),
            split=0.7,
            thanks=("ok", "Fine.", "let's see", "ok thanks", "Finally."),
            thank=0.35,
            tap=0.05,
        ),
        sessions=True,
        handoff=0.38,
        silent=0.03,
        chatty=0.4,
        agent_rounds=(1, 2, 3, 4, 5, 7),
        habits={"follow": ("any update?",), "complaint": ("I want to talk to a human",)},
    ),
    Persona(
        user_id="919810562274",
        name="Neha Agarwal",
        channel="whatsapp",
        email="neha.agarwal@example.com",
        phone="919810562274",
        city="Delhi",
        plan="basic",
        conversations=200,
        months=10,
        quiet_days=5,
        utc_offset=IST,
        hours=(12, 13, 15, 16, 17, 21, 22, 23),
        topics={
            "coupon": 25,
            "order_status": 20,
            "returns": 15,
            "refund": 10,
            "cancel": 10,
            "product": 10,
            "payment": 10,
        },
        shelves=("fashion", "fashion", "fashion", "kitchen", "electronics"),
        style=Style(
            lower=0.7,
            typo=0.02,
            abbreviate=0.4,
            no_period=0.9,
            emoji=0.3,
            emojis=("😭", "🙏", "😍", "😑", "🥲", "❤️"),
            greet=0.2,
            greetings=("hii", "hello", "hi"),
            prefix=0.1,
            prefixes=("hii ", "hello "),
            suffix=0.15,
            suffixes=(" pls", " yaar", " 🙏"),
            split=0.3,
            thanks=("ok", "thanks", "okk", "thank youu", "😊", "ok thanks"),
            thank=0.45,
            hinglish=0.45,
            tap=0.1,
        ),
        silent=0.05,
        habits={"coupon": ("koi coupon hai kya?",), "follow": ("koi update?",)},
    ),
    Persona(
        user_id="tg-684210937",
        name="Arvind Krishnan",
        channel="telegram",
        email="arvind.krishnan@example.com",
        phone="919840077312",
        city="Chennai",
        plan="premium",
        conversations=60,
        months=16,
        quiet_days=30,
        utc_offset=IST,
        hours=(9, 10, 11, 11, 12, 14, 15, 16),
        topics={"invoice": 35, "order_status": 20, "payment": 15, "product": 15, "returns": 5, "account": 10},
        shelves=("electronics", "office", "office", "appliances"),
        style=Style(
            lower=0.0,
            typo=0.0,
            no_period=0.2,
            emoji=0.0,
            greet=0.05,
            prefix=0.1,
            prefixes=("Hi. ", "Good afternoon. "),
            suffix=0.3,
            suffixes=(" Regards, Arvind", " Thanks."),
            split=0.05,
            thanks=("Thanks.", "Noted.", "Received, thanks."),
            thank=0.6,
            tap=0.02,
            multiline=0.3,
        ),
        silent=0.04,
    ),
    Persona(
        user_id="919909127654",
        name="Pooja Bhatt",
        channel="whatsapp",
        email="pooja.bhatt@example.com",
        phone="919909127654",
        city="Ahmedabad",
        plan="free",
        conversations=120,
        months=7,
        quiet_days=14,
        utc_offset=IST,
        hours=(10, 11, 13, 14, 15, 19, 20, 21),
        topics={
            "address": 25,
            "order_status": 25,
            "cancel": 10,
            "install": 10,
            "complaint": 10,
            "product": 10,
            "store_hours": 10,
        },
        shelves=("appliances", "appliances", "kitchen", "home", "fashion"),
        style=Style(
            lower=0.3,
            typo=0.02,
            abbreviate=0.2,
            no_period=0.6,
            emoji=0.12,
            emojis=("🙂", "🙏", "😕"),
            greet=0.35,
            greetings=("Hi", "hello", "Hello ji"),
            prefix=0.2,
            suffix=0.2,
            suffixes=(" pls check", " please", " thanks"),
            split=0.2,
            thanks=("ok thanks", "Thanks", "ok", "👍", "thank you"),
            thank=0.55,
            tap=0.12,
        ),
        silent=0.04,
        habits={"address": ("I want to change my delivery address",)},
    ),
    Persona(
        user_id="web-a91f3c07d2b8",
        name="Siddharth Rao",
        channel="web",
        email="sid.rao@example.com",
        phone="919769014458",
        city="Mumbai",
        plan="free",
        conversations=100,
        months=7,
        quiet_days=3,
        utc_offset=IST,
        hours=(0, 1, 1, 2, 14, 16, 22, 23, 23),
        topics={"coupon": 20, "payment": 25, "order_status": 20, "account": 10, "product": 15, "refund": 10},
        shelves=("electronics", "electronics", "fashion", "games"),
        style=Style(
            lower=0.9,
            typo=0.03,
            abbreviate=0.7,
            no_period=0.95,
            emoji=0.35,
            emojis=("💀", "😂", "🙏", "😭", "🔥", "👍"),
            greet=0.15,
            greetings=("yo", "hi", "hey"),
            prefix=0.05,
            prefixes=("bro ",),
            suffix=0.15,
            suffixes=(" bro", " pls", " 😭"),
            split=0.35,
            thanks=("k", "ok", "👍", "cool", "thx", "ok thanks"),
            thank=0.3,
            tap=0.05,
        ),
        sessions=True,
        handoff=0.08,
        silent=0.06,
        habits={"follow": ("bro any update",), "coupon": ("any coupon?",)},
    ),
    Persona(
        user_id="919823317760",
        name="Anita D'Souza",
        channel="whatsapp",
        email="anita.dsouza@example.com",
        phone="919823317760",
        city="Panaji",
        plan="premium",
        conversations=90,
        months=11,
        quiet_days=11,
        utc_offset=IST,
        hours=(10, 11, 12, 16, 17, 18, 20),
        topics={"returns": 35, "product": 20, "order_status": 15, "refund": 15, "coupon": 5, "membership": 10},
        shelves=("fashion", "fashion", "fashion", "kitchen"),
        style=Style(
            lower=0.1,
            typo=0.01,
            no_period=0.4,
            emoji=0.2,
            emojis=("😊", "🙈", "💕", "🙏"),
            greet=0.3,
            greetings=("Hi!", "Hello", "Hi there"),
            prefix=0.3,
            prefixes=("Hi! ", "Hello, "),
            suffix=0.2,
            suffixes=(" Thank you!", " Thanks so much"),
            split=0.15,
            thanks=("Thank you!", "Thanks 😊", "ok", "Perfect, thanks", "ok thanks"),
            thank=0.65,
            tap=0.08,
        ),
        silent=0.03,
    ),
    Persona(
        user_id="919415276390",
        name="Manoj Yadav",
        channel="whatsapp",
        email="manoj.yadav@example.com",
        phone="919415276390",
        city="Lucknow",
        plan="free",
        conversations=70,
        months=8,
        quiet_days=40,
        utc_offset=IST,
        hours=(8, 9, 13, 19, 20, 21, 22),
        topics={
            "order_status": 30,
            "payment": 20,
            "refund": 15,
            "cancel": 10,
            "address": 10,
            "store_hours": 5,
            "account": 10,
        },
        shelves=("appliances", "electronics", "kitchen"),
        style=Style(
            lower=0.5,
            typo=0.04,
            abbreviate=0.3,
            no_period=0.8,
            emoji=0.1,
            emojis=("🙏",),
            greet=0.3,
            greetings=("Hello", "hi", "namaste", "नमस्ते"),
            prefix=0.15,
            prefixes=("sir ", "bhai "),
            suffix=0.15,
            suffixes=(" jaldi batao", " pls"),
            split=0.25,
            thanks=("ok", "ok sir", "dhanyavad", "धन्यवाद", "thik hai", "ok thanks"),
            thank=0.5,
            hinglish=0.5,
            devanagari=0.15,
            tap=0.15,
        ),
        silent=0.06,
        habits={"order_status": ("mera order kab aayega",), "follow": ("koi update?",)},
    ),
    Persona(
        user_id="web-3e7b0c5d8a21",
        name="Priyanka Sen",
        channel="web",
        email="priyanka.sen@example.com",
        phone="919830144570",
        city="Kolkata",
        plan="premium",
        conversations=140,
        months=13,
        quiet_days=6,
        utc_offset=IST,
        hours=(9, 12, 13, 18, 19, 20, 21, 22),
        topics={
            "membership": 20,
            "payment": 15,
            "order_status": 20,
            "refund": 10,
            "product": 15,
            "coupon": 10,
            "invoice": 5,
            "account": 5,
        },
        shelves=("kitchen", "fashion", "electronics", "appliances", "home"),
        style=Style(
            lower=0.2,
            typo=0.01,
            abbreviate=0.1,
            no_period=0.5,
            emoji=0.1,
            emojis=("🙂", "😊", "🤔"),
            greet=0.25,
            greetings=("Hi", "hello", "Hey"),
            prefix=0.25,
            suffix=0.2,
            suffixes=(" Thanks!", " thanks in advance"),
            split=0.15,
            thanks=("thanks!", "great, thanks", "ok", "ok thanks"),
            thank=0.55,
            tap=0.1,
        ),
        silent=0.04,
        chatty=0.5,
        habits={"membership": ("what are the benefits of premium?",)},
    ),
    Persona(
        user_id="971501234877",
        name="Imran Sheikh",
        channel="whatsapp",
        email="imran.sheikh@example.com",
        phone="971501234877",
        city="Dubai",
        plan="basic",
        conversations=55,
        months=17,
        quiet_days=18,
        utc_offset=timedelta(hours=4),
        hours=(7, 8, 12, 13, 20, 21, 22),
        topics={"payment": 25, "address": 20, "order_status": 25, "product": 10, "refund": 10, "account": 10},
        shelves=("appliances", "kitchen", "electronics"),
        style=Style(
            lower=0.1,
            typo=0.01,
            no_period=0.4,
            emoji=0.05,
            greet=0.2,
            greetings=("Hi", "Salaam", "Hello"),
            prefix=0.25,
            prefixes=("Hi, ", "Hello, "),
            suffix=0.25,
            suffixes=(" It's for my parents in Mangaluru.", " Thanks."),
            split=0.15,
            thanks=("Thanks", "ok", "Thank you", "JazakAllah"),
            thank=0.6,
            tap=0.05,
        ),
        silent=0.05,
        home="Mangaluru",
    ),
)


# ---------------------------------------------------------------------------------------------
# The world they shop in

# (full name, what people call it, price in rupees, sizes if any)
CATALOGUE: dict[str, list[tuple[str, tuple[str, ...], int, tuple[str, ...]]]] = {
    "electronics": [
        ("boAt Airdopes 141 earbuds", ("earbuds", "airdopes", "the earphones"), 1299, ()),
        ("Redmi 13C (4GB/128GB)", ("phone", "redmi", "the mobile"), 8999, ()),
        ("Samsung 32-inch HD Smart TV", ("tv", "the TV", "samsung tv"), 13490, ()),
        ("Philips BT1233 trimmer", ("trimmer", "philips trimmer"), 1199, ()),
        ("Noise ColorFit Pulse 3 smartwatch", ("watch", "smartwatch", "noise watch"), 1799, ()),
        ("JBL Go 3 speaker", ("speaker", "jbl speaker", "bluetooth speaker"), 2999, ()),
        ("Logitech M235 wireless mouse", ("mouse", "wireless mouse"), 749, ()),
        ("SanDisk 128GB pendrive", ("pendrive", "pen drive"), 999, ()),
        ("Lenovo IdeaPad Slim 3 laptop", ("laptop", "lenovo laptop"), 42990, ()),
        ("Mi 20000mAh power bank", ("power bank", "powerbank"), 1999, ()),
        ("realme Buds Wireless 3 neckband", ("neckband", "realme buds"), 1499, ()),
        ("Portronics 65W charger", ("charger", "65w charger"), 1299, ()),
    ],
    "appliances": [
        ("Prestige Iris 750W mixer grinder", ("mixer", "mixer grinder", "prestige mixer"), 3199, ()),
        ("Bajaj Majesty DX-6 iron", ("iron", "bajaj iron"), 749, ()),
        ("Havells 1200mm ceiling fan", ("fan", "ceiling fan"), 2499, ()),
        ("Kent Supreme RO water purifier", ("RO", "water purifier", "purifier"), 15999, ()),
        ("IFB 6kg front load washing machine", ("washing machine", "IFB machine"), 26490, ()),
        ("Pigeon 1.5L electric kettle", ("kettle", "electric kettle"), 649, ()),
        ("Butterfly 3-burner gas stove", ("gas stove", "stove"), 4290, ()),
        ("Usha 2000W room heater", ("heater", "room heater"), 1899, ()),
        ("LG 190L single door fridge", ("fridge", "refrigerator"), 15990, ()),
        ("Morphy Richards 16L OTG", ("otg", "oven"), 5499, ()),
        ("Crompton 25L geyser", ("geyser", "water heater"), 7299, ()),
        ("Eureka Forbes vacuum cleaner", ("vacuum", "vacuum cleaner"), 6999, ()),
    ],
    "kitchen": [
        ("Milton Thermosteel 1L flask", ("flask", "bottle", "milton bottle"), 799, ()),
        ("Cello 5-piece lunch box set", ("lunch box", "tiffin"), 549, ()),
        ("Hawkins 5L pressure cooker", ("cooker", "pressure cooker"), 2199, ()),
        ("Borosil glass set of 6", ("glasses", "glass set"), 599, ()),
        ("Wonderchef non-stick tawa 28cm", ("tawa", "non stick tawa"), 899, ()),
        ("Tupperware 4-piece container set", ("containers", "tupperware"), 1250, ()),
    ],
    "home": [
        ("Wakefit orthopaedic mattress (queen)", ("mattress",), 11999, ("queen", "king")),
        ("Bombay Dyeing double bedsheet", ("bedsheet", "bed sheet"), 1099, ()),
        ("Sleepwell memory foam pillow (pair)", ("pillows", "pillow"), 1499, ()),
        ("Story@Home blackout curtains (2)", ("curtains",), 1299, ()),
        ("Philips 9W LED bulbs (pack of 6)", ("bulbs", "led bulbs"), 499, ()),
    ],
    "fashion": [
        ("Levi's 511 slim jeans", ("jeans", "levis jeans"), 2599, ("30", "32", "34")),
        ("Biba cotton kurta set", ("kurta", "kurta set"), 1899, ("S", "M", "L", "XL")),
        ("Puma running shoes", ("shoes", "puma shoes", "running shoes"), 3499, ("UK 6", "UK 7", "UK 8", "UK 9")),
        ("Allen Solly formal shirt", ("shirt", "formal shirt"), 1499, ("38", "40", "42")),
        ("Fabindia cotton saree", ("saree",), 2890, ()),
        ("Wildcraft 35L backpack", ("backpack", "bag"), 1999, ()),
        ("Titan analog watch", ("titan watch", "watch"), 3995, ()),
        ("W printed anarkali dress", ("dress", "anarkali"), 2299, ("S", "M", "L")),
        ("Bata leather sandals", ("sandals", "chappals"), 1299, ("UK 5", "UK 6", "UK 7")),
        ("Nykaa Cosmetics lipstick set", ("lipstick set", "lipsticks"), 899, ()),
    ],
    "bakery": [
        ("Amul butter 500g (pack of 10)", ("butter", "amul butter"), 2750, ()),
        ("Weikfield cocoa powder 1kg", ("cocoa powder", "cocoa"), 780, ()),
        ("Aashirvaad maida 10kg", ("maida", "flour"), 520, ()),
        ("Cake boxes 1kg (pack of 100)", ("cake boxes", "boxes"), 1450, ()),
        ("Morde dark compound 500g", ("dark compound", "chocolate compound"), 260, ()),
        ("Blue Bird baking powder 400g", ("baking powder",), 180, ()),
        ("Parchment paper roll 30m", ("butter paper", "parchment roll"), 340, ()),
        ("Rich's whipping cream 1L", ("whipping cream", "cream"), 310, ()),
        ("Wilton piping nozzle set", ("nozzle set", "piping nozzles"), 650, ()),
    ],
    "office": [
        ("HP 802 ink cartridge (black)", ("cartridge", "ink cartridge"), 899, ()),
        ("JK Copier A4 paper (5 reams)", ("A4 paper", "paper reams"), 1450, ()),
        ("Dell 24-inch monitor", ("monitor", "dell monitor"), 10999, ()),
        ("Zebronics keyboard and mouse combo", ("keyboard combo", "keyboard"), 899, ()),
        ("Faber-Castell whiteboard markers (10)", ("markers", "whiteboard markers"), 350, ()),
    ],
    "games": [
        ("Funskool Monopoly", ("monopoly", "board game"), 999, ()),
        ("Hot Wheels 10-car pack", ("hot wheels",), 1099, ()),
        ("PS5 DualSense controller", ("controller", "ps5 controller", "dualsense"), 5990, ()),
        ("Cosmic Byte gaming headset", ("headset", "gaming headset"), 1699, ()),
    ],
}
PLACES: dict[str, list[tuple[str, str]]] = {
    "Pune": [
        ("Koregaon Park", "411001"),
        ("Baner", "411045"),
        ("Kothrud", "411038"),
        ("Viman Nagar", "411014"),
        ("Hinjewadi", "411057"),
        ("Aundh", "411007"),
    ],
    "Bengaluru": [
        ("Indiranagar", "560038"),
        ("Koramangala", "560034"),
        ("HSR Layout", "560102"),
        ("Whitefield", "560066"),
        ("Jayanagar", "560041"),
    ],
    "Kochi": [("Kakkanad", "682030"), ("Edappally", "682024"), ("Vyttila", "682019"), ("Fort Kochi", "682001")],
    "Hyderabad": [
        ("Banjara Hills", "500034"),
        ("Gachibowli", "500032"),
        ("Kukatpally", "500072"),
        ("Secunderabad", "500003"),
    ],
    "Delhi": [
        ("Lajpat Nagar", "110024"),
        ("Rohini", "110085"),
        ("Dwarka", "110075"),
        ("Saket", "110017"),
        ("Karol Bagh", "110005"),
    ],
    "Chennai": [("T Nagar", "600017"), ("Adyar", "600020"), ("Velachery", "600042"), ("Anna Nagar", "600040")],
    "Ahmedabad": [("Satellite", "380015"), ("Navrangpura", "380009"), ("Bopal", "380058"), ("Maninagar", "380008")],
    "Mumbai": [
        ("Andheri West", "400053"),
        ("Powai", "400076"),
        ("Bandra", "400050"),
        ("Thane", "400601"),
        ("Malad", "400064"),
    ],
    "Panaji": [("Panaji", "403001"), ("Margao", "403601"), ("Mapusa", "403507"), ("Porvorim", "403521")],
    "Lucknow": [("Gomti Nagar", "226010"), ("Hazratganj", "226001"), ("Aliganj", "226024"), ("Indira Nagar", "226016")],
    "Kolkata": [("Salt Lake", "700091"), ("Park Street", "700016"), ("Ballygunge", "700019"), ("New Town", "700156")],
    "Mangaluru": [("Kadri", "575002"), ("Bejai", "575004"), ("Kankanady", "575002"), ("Surathkal", "575014")],
}
BUILDINGS = [
    "Sai Residency",
    "Green Park Apartments",
    "Lotus Heights",
    "Shanti Niwas",
    "Sunshine Towers",
    "Royal Enclave",
    "Krishna Kunj",
    "Palm Grove",
    "Silver Oak CHS",
    "Gulmohar Society",
]
FLATS = ["B-304", "Flat 12", "House no. 45", "C-1102", "A 702", "2nd floor, No. 18", "Flat 5B", "D-14"]
COUPONS = [
    "WELCOME50",
    "FESTIVE20",
    "SAVE300",
    "DIWALI25",
    "MONSOON15",
    "PAYDAY10",
    "FREESHIP",
    "NEWYEAR26",
    "FLAT150",
    "HOLI10",
    "STUDENT10",
    "BIGSALE40",
    "EXTRA5",
    "APP100",
]
HOLIDAYS = [
    "Sunday",
    "Diwali",
    "Holi",
    "Independence Day",
    "Christmas",
    "Republic Day",
    "Eid",
    "Ganesh Chaturthi",
    "New Year's Eve",
    "Saturday",
    "Dussehra",
    "Good Friday",
]
PAYMENTS = [
    "UPI",
    "GPay",
    "PhonePe",
    "Paytm",
    "credit card",
    "debit card",
    "HDFC credit card",
    "SBI debit card",
    "ICICI netbanking",
    "Axis card",
]
BANKS = ["HDFC", "SBI", "ICICI", "Axis", "Kotak", "Emirates NBD"]
COURIERS = ["Delhivery", "Blue Dart", "Ekart", "XpressBees", "Shadowfax", "DTDC"]
AGENTS = ["Priya", "Rohit", "Sneha", "Imtiaz", "Karthik", "Divya", "Aman", "Fatima", "Joseph", "Meenal"]
PAY_ERRORS = [
    "Something went wrong. Please try again later",
    "Error 5003: transaction declined",
    "Payment could not be processed",
    "Transaction timed out",
    "Bank server not responding (U30)",
]
LOGIN_ERRORS = [
    "Invalid OTP",
    "Session expired",
    "Too many attempts, try after 24 hours",
    "User not found",
    "Error code E-1042",
    "Oops! We couldn't verify your details",
    "Something went wrong. Please try again later",
]
COLOURS = ["black", "navy blue", "maroon", "white", "olive green", "grey", "mustard", "pink"]
COMPANIES = ["Joshi Bakes & Cakes", "Krishnan Consulting Pvt Ltd", "Sen Interiors", "Sweet Crumbs Bakery"]


# ---------------------------------------------------------------------------------------------
# What they write: paraphrases per request, with slots filled from the visit's details
#
# {order} as the user writes the order number, {product} what they call the item, {item} its full
# name, {price} an amount in their style, {odate} when they ordered ("on 3 Mar", "last Tuesday"),
# {due} when it was due, {days} days since ordering, {area}/{city}/{pin}/{addr} places,
# {coupon}, {pay}, {card4}, {bank}, {err}, {ticket}, {size}/{newsize}, {colour}, {holiday},
# {refund} a smaller amount, {email}, {phone}, {gstin}, {company}, {qty}.

OPENERS: dict[str, list[str]] = {
    "order_status": [
        "Where is my order {order}? It was supposed to be delivered {due}.",
        "i ordered a {product} {odate} and it still hasnt come",
        "My {product} order is showing shipped for {days} days now. When will it arrive?",
        "can you tell me the status of order {order}",
        "Order {order} - tracking hasn't updated since {odate}",
        "The tracking says out for delivery since morning but nobody came. {order}",
        "it shows delivered but I have not received anything!! order {order}",
        "When will my {product} be delivered? Ordered {odate}",
        "Delivery guy called and said he can't find my address, what now? Order {order}",
        "Is my order dispatched yet? Ordered the {product} {odate}, paid by {pay}",
        "I need the {product} before {due}, will it reach by then?",
        "order status pls {order}",
        "my parcel is stuck at the {city} hub for {days} days",
        "Hello, I placed an order for {item} worth {price} {odate}. No update since then.",
        "Courier says delivery attempted, which is a lie, I was home the whole day. {order}",
        "Could you share the tracking link for {order}? The SMS link isn't opening",
        "expected delivery was {due}. still waiting for the {product}",
        "Only one of the {qty} items came in order {order}, where is the rest?",
        "Why is my order {order} still showing processing? It's been {days} days",
        "the {product} I ordered {odate} - any idea when it ships?",
        "I got an SMS that {order} is delayed. Delayed till when?",
        "Can you ask the delivery person to come after 6 pm? Nobody is home before that. {order}",
    ],
    "refund": [
        "When will I get my refund for {order}?",
        "refund not received yet, returned the {product} {odate}",
        "It's been {days} days since the pickup and no refund. Order {order}, amount {price}",
        "Refund status for order {order} please",
        "you said 5-7 days for the refund. its been {days} days",
        "The refund shows processed but nothing came in my {pay} account",
        "I cancelled {order} {odate} and {price} was already debited. Where is my money?",
        "I got only {refund} back instead of {price}, why the deduction?",
        "can u refund to my bank account instead of the wallet",
        "Refund of {price} for the {product} is still pending, please check",
        "Hi, I need an update on my refund. Order {order}.",
        "My refund went to store credit, I wanted it back on my card ending {card4}",
        "is there any reference number for the refund? {bank} says nothing received",
        "Returned the {product} because it was faulty, when does the {price} come back?",
    ],
    "store_hours": [
        "What time does the {area} store open on {holiday}?",
        "Is the {area} store open today?",
        "store timings for {city}?",
        "are you open on {holiday}",
        "what time do you close today, {area} branch",
        "Is your {area} outlet open on {holiday}? I want to come in the evening",
        "Which is the nearest store to {pin}?",
        "till what time is the {area} store open",
        "Do you have a store in {city}? What are the timings",
        "Will the store be open late during the sale this weekend?",
        "Is the {area} store closed for renovation? Went there {odate} and it was shut",
        "Can I pick up my online order {order} from the {area} store?",
    ],
    "password": [
        "How do I reset my password?",
        "forgot my password, the reset link isn't coming to {email}",
        "I'm not getting the OTP on my number to reset the password",
        "The reset link says expired every time I click it",
        "changed my password yesterday and now it says wrong password",
        "Password reset mail goes to my old email id, how do I change it",
        "i tried reset password 4 times, getting '{err}'",
        "I can't remember my password and the OTP is not coming",
        "how to set a new password in the app",
        "The reset page just keeps loading on my phone",
        "I reset the password but the app still asks for the old one",
    ],
    "address": [
        "Can I change the delivery address for {order}?",
        "I need to change my address, I've shifted to {area}, {city} {pin}",
        "pls update the delivery address to {addr}",
        "wrong pincode entered for order {order}, correct one is {pin}",
        "Can the {product} be delivered to my office instead? Address: {addr}",
        "how do i add a new address in my account",
        "I'll be out of town till {due}, can you deliver {order} after that?",
        "The flat number is missing in my address, it's {addr}",
        "Please don't deliver to the old address in {area}, I moved",
        "Can my neighbour receive the {product} if I'm not home? {order}",
        "Deliver {order} to {addr} please, not the default address",
    ],
    "complaint": [
        "[powered]The {product} I received is damaged. The box was torn and it doesn't switch on.",
        "Very disappointed. Ordered the {product} {odate} and received a used one with scratches",
        "You sent me the wrong item! I ordered {item} and got something else",
        "the delivery boy was very rude and threw the parcel at my door",
        "Worst service ever. {days} days and no one has fixed my issue with {order}",
        "One item is missing from order {order}",
        "The {product} stopped working after {days} days. This is not acceptable",
        "I was charged a delivery fee even though I'm a premium member",
        "Your agent promised a callback yesterday and nobody called",
        "I want to complain about the staff at the {area} store",
        "[kitchen]Product quality is very poor, the {product} has been leaking from day one",
        "[kitchen]The packaging was wet and the {product} inside is rusted",
        "I have complained 3 times about {order}, every time a new ticket and no solution",
        "The seal of the {product} box was already open when it came. Is this a returned piece?",
    ],
    "product": [
        "Does the {item} come with a warranty?",
        "is the {product} available in {colour}?",
        "[powered]Will the {product} work on 110V? Taking it to the US",
        "What is the difference between the {item} and the pro version?",
        "Is the {item} in stock at the {area} store?",
        "[powered]how many watts is the {product}",
        "[sized]Is there a size chart for the {product}? I'm usually a {size}",
        "[powered]Is installation free for the {product} or is there a charge?",
        "Is there any exchange offer on the {product}?",
        "when will the {item} be back in stock",
        "[kitchen]is the {product} dishwasher safe",
        "Do you have a no cost EMI option for the {product}?",
        "[sized]what's the return policy for the {product} in case it doesn't fit",
        "Does the {item} come with a bill? Need it for warranty claims",
        "[powered]Is the {product} the 2025 model or older stock?",
        "Can I get the {product} gift wrapped?",
    ],
    "payment": [
        "Payment failed but the money got debited, {price} via {pay}",
        "UPI payment shows failed but the amount is deducted. No order placed",
        "My card ending {card4} keeps getting declined, I have enough balance",
        "Tried paying 3 times, getting '{err}'",
        "I was charged twice for order {order} ({price} two times)",
        "Amount debited {odate} but the order says payment pending",
        "why is cash on delivery not available for my pincode {pin}",
        "The netbanking page times out before the OTP comes",
        "EMI option not showing for my {bank} card",
        "payment stuck at processing for 20 mins, should I pay again?",
        "My international card is not accepted at checkout, only Indian cards?",
        "Paid {price} by {pay} for the {product} but the order is not showing in my orders",
    ],
    "returns": [
        "How do I return the {product}?",
        "[sized]I want to return {order}, the {product} doesn't fit",
        "Pickup for my return was scheduled {odate} but nobody came",
        "[sized]can I exchange the {product} for size {newsize}",
        "The return window closed yesterday, can you still accept it? I was travelling",
        "The return option is greyed out for {order}",
        "[sized]The pickup guy refused to take the {product} because the tag was removed",
        "How long does the return pickup take?",
        "I want to return only the {product} from order {order}, not the whole order",
        "Does return pickup happen in {area}? {pin}",
        "The {colour} colour looks totally different from the photo, I want to return it",
        "[sized]Exchange the {product} size {size} for {newsize} please, order {order}",
    ],
    "account": [
        "I can't log in to my account",
        "the app keeps logging me out every few minutes",
        "my account is locked after too many attempts",
        "I want to change the mobile number on my account, the old one is not in use",
        "how do I delete my account",
        "logged in with google and all my orders are gone??",
        "getting '{err}' when I try to sign in",
        "I have two accounts with the same email, can you merge them",
        "how do I update my email to {email}",
        "Someone else's orders are showing in my account!",
        "My saved addresses disappeared after the app update",
    ],
    "coupon": [
        "coupon {coupon} is not working",
        "Is there any coupon for the first order?",
        "The code {coupon} says expired but the email said valid till {due}",
        "I applied {coupon} but the discount didn't come in the final amount",
        "any offers on the {product} right now?",
        "my cashback of {refund} for order {order} is not credited yet",
        "what is the minimum order value for {coupon}",
        "forgot to apply {coupon} while ordering, can you adjust it now?",
        "Do you have a student discount?",
        "birthday coupon not received this year",
        "{coupon} worked on the website but not in the app",
        "Is {coupon} valid on sale items?",
    ],
    "invoice": [
        "Please send me the invoice for order {order}",
        "I need a GST invoice with my GSTIN {gstin}",
        "The invoice has the wrong name, it should be {company}",
        "Can I get invoice copies for all my orders from last month?",
        "The invoice for {order} is not attached in the email",
        "Kindly share the tax invoice for the {item}, needed for office reimbursement",
        "Where can I download invoices in the app?",
        "Invoice for {order} shows {price} but I paid less after the coupon",
        "Please regenerate the invoice for {order} with GSTIN {gstin}",
    ],
    "cancel": [
        "I want to cancel my order",
        "please cancel {order}, ordered by mistake",
        "cancel the {product} order, found it cheaper elsewhere",
        "How do I cancel order {order}? The cancel button isn't there",
        "cancel my order placed {odate}, the delivery date is too late",
        "Can I cancel just the {product} from {order}?",
    ],
    "membership": [
        "How do I cancel my premium membership?",
        "I was auto-debited {price} for the premium renewal, I didn't want it",
        "what are the benefits of premium?",
        "my premium shows expired but I paid {odate}",
        "does premium give free delivery on all orders or only above 499",
        "Can I share my premium membership with my husband's account?",
        "Premium early access didn't work in yesterday's sale",
    ],
    "install": [
        "[powered]When will the technician come to install the {product}?",
        "[powered]The {product} was delivered {odate} and the demo is still not done",
        "Can the installation be done on Saturday? {order}",
        "The installation guy is asking for extra money for the pipe, is that right?",
        "[powered]The technician installed the {product} but it is making a noise",
    ],
}
# Written as a table, the way a business customer sometimes does.
MULTILINE: dict[str, list[str]] = {
    "order_status": ["Order no: {order}\nItem: {item}\nOrdered: {odate}\nStatus: not delivered yet. Please check."],
    "invoice": [
        "Order: {order}\nGSTIN: {gstin}\nCompany: {company}\nPlease send the GST invoice for the above.",
        "Need invoices for:\n1. {order}\n2. the {product} order from last week\nGSTIN {gstin}",
    ],
    "complaint": [
        "Order {order}\nProduct: {item}\nIssue: received damaged\nPhotos attached. Please arrange a replacement."
    ],
    "payment": ["Transaction failed\nAmount: {price}\nMode: {pay}\nDate: {odate}\nAmount not refunded yet."],
    "product": ["Need a quote for:\n- {item} x {qty}\n- delivery to {city}\nPlease share the best price."],
    "refund": ["Refund pending\nOrder: {order}\nAmount: {price}\nReturned on: {odate}"],
}
HINGLISH: dict[str, list[str]] = {
    "order_status": [
        "mera order kab aayega? {order}",
        "bhai order abhi tak nahi aaya, {days} din ho gaye",
        "order {order} ka status kya hai",
        "{product} kab tak deliver hoga?",
        "delivery boy ne call kiya tha par aaya nahi",
        "tracking pe kuch update nahi hai {odate_bare} se",
        "maine {odate_bare} {product} order kiya tha abhi tak nahi mila",
    ],
    "refund": [
        "refund kab milega? {days} din ho gaye",
        "mera refund abhi tak nahi aaya {order}",
        "paise kat gaye par order nahi hua",
        "{price} ka refund kab tak aayega?",
    ],
    "store_hours": [
        "{area} wala store kitne baje khulta hai?",
        "aaj store khula hai kya",
        "{holiday} ko store open hai?",
    ],
    "coupon": [
        "{coupon} code kaam nahi kar raha",
        "cashback abhi tak nahi aaya",
        "koi offer chal raha hai {product} pe?",
        "first order pe koi discount milega kya",
    ],
    "returns": [
        "[sized]{product} return karna hai, size chhota hai",
        "pickup wala aaya hi nahi {odate_bare}",
        "[sized]{product} exchange ho sakta hai kya {newsize} mein?",
    ],
    "complaint": [
        "bahut kharab service hai yaar",
        "{product} toota hua aaya hai",
        "galat item bhej diya aapne {order}",
    ],
    "password": ["password bhool gaya, OTP nahi aa raha", "reset link kaam nahi kar raha"],
    "account": ["login nahi ho raha", "account lock ho gaya hai"],
    "payment": [
        "payment fail ho gaya par paise kat gaye {price}",
        "COD kyun nahi aa raha mere pincode {pin} pe",
        "UPI se {price} kat gaye, order nahi dikh raha",
    ],
    "address": [
        "address change karna hai, naya address {addr}",
        "pincode galat daal diya {order} mein, sahi hai {pin}",
    ],
    "cancel": ["order cancel karna hai {order}", "{product} wala order cancel kar do"],
    "product": ["[powered]{product} mein warranty hai kya?", "{product} ka {colour} colour milega?"],
}
DEVANAGARI: dict[str, list[str]] = {
    "order_status": ["मेरा ऑर्डर कब आएगा?", "ऑर्डर {order} का स्टेटस बताओ", "{days} दिन हो गए, ऑर्डर अभी तक नहीं आया"],
    "refund": ["रिफंड कब मिलेगा भाई", "{price} का रिफंड अभी तक नहीं आया"],
    "payment": ["पेमेंट फेल हो गया पर पैसे कट गए", "कैश ऑन डिलीवरी क्यों नहीं है?"],
    "cancel": ["ऑर्डर कैंसल करना है"],
    "account": ["लॉगिन नहीं हो रहा"],
    "address": ["पता बदलना है, नया पता {addr}"],
}
# Later visits in the same episode: the same order chased again...
FOLLOW_UPS: dict[str, list[str]] = {
    "order_status": [
        "any update on {order}?",
        "still not delivered. {order}",
        "Hi again, my {product} still hasn't arrived. You said {due}.",
        "its been {days} days now, where is my order??",
        "the courier number you gave is switched off",
        "{order} again. tracking still stuck at {city}",
        "i was told it would be delivered yesterday, nothing came",
        "now it says delayed due to weather? {order}",
        "where is my order",
        "Your agent said {due}. Today is the day and no sign of the {product}",
    ],
    "refund": [
        "any update on my refund?",
        "still no refund for {order}",
        "It's been {days} days since you said the refund was processed",
        "The bank says no credit received, please send the UTR number",
        "following up on ticket {ticket} about my refund",
        "where is my refund of {price}??",
        "the refund for the {product} is still not in my account",
    ],
    "complaint": [
        "I'm still waiting for someone to call me about {ticket}",
        "No response yet on my complaint {ticket}. This is ridiculous",
        "Follow up: complaint about {order}, nobody contacted me",
        "{ticket} - any update?",
        "Escalate this please, ticket {ticket} is open for {days} days",
        "Nobody came to pick up the damaged {product} yet",
    ],
    "returns": [
        "Pickup still not done for {order}",
        "The pickup person came today, when will the refund be processed?",
        "return picked up {odate}, refund?",
        "the pickup got cancelled again without any call",
        "Is the exchange for {order} approved?",
    ],
    "payment": [
        "money still not back for the failed payment of {price}",
        "any update on the double charge?",
        "still showing payment pending for {order}",
        "the {price} debited {odate} is still not reversed",
    ],
    "address": ["did the address change go through for {order}?", "The delivery still went to the old address!"],
    "account": ["still can't log in", "the OTP is still not coming", "same login problem again today"],
    "password": ["the reset link still doesn't work", "still not getting the reset mail on {email}"],
    "invoice": [
        "still haven't received the invoice for {order}",
        "received the invoice but the GSTIN is missing",
        "Reminder: GST invoice for {order} is still pending",
    ],
    "coupon": ["cashback still not credited", "any update on the {coupon} issue?"],
    "cancel": ["is {order} cancelled? still showing confirmed", "cancellation done? I don't see the refund"],
    "install": ["technician still hasn't come for the {product}", "the installation was rescheduled again, why?"],
    "membership": ["did you stop the auto renewal?", "any update on the premium refund?"],
    "store_hours": ["went to the {area} store, it was closed even though you said open"],
    "product": ["so is it in stock or not?", "any update on the {product} stock?"],
}
# ...or the end of the story.
RESOLVED: dict[str, list[str]] = {
    "order_status": [
        "Got the {product} today, thanks",
        "Received finally",
        "received the order, thank you",
        "The {product} came today. Thanks for the help",
    ],
    "refund": ["Refund received, thank you", "got the refund of {price} today", "refund credited finally"],
    "complaint": ["Replacement received, it works fine now", "The new {product} is fine. Thanks for sorting it out"],
    "returns": ["Exchange piece received, fits well now", "refund for the return came, thanks"],
    "payment": ["got the amount back today thanks", "the {price} came back to my account"],
    "account": ["Worked now, thanks!", "able to log in now"],
    "password": ["done, I could reset it", "password changed, thanks"],
    "install": ["installation done, thanks", "technician came and installed the {product}"],
    "invoice": ["Received the invoice, thank you", "got the corrected invoice"],
    "cancel": ["refund for the cancelled order came", "ok I see it cancelled now"],
    "coupon": ["cashback came, thanks"],
}
RESOLVED_REPLIES = [
    "Great, glad it's sorted! Is there anything else I can help you with?",
    "That's good to hear! Thanks for letting us know. 😊",
]
SIDE_OPENERS = ["also, ", "and ", "one more thing - ", "Also ", "btw ", "Another question: "]
HINGLISH_FOLLOW_UPS = [
    "koi update?",
    "abhi tak kuch nahi hua {order}",
    "bhai kab tak?",
    "mil gaya, thanks",
    "refund aaya nahi abhi tak",
    "phir se pooch raha hoon, {order} ka kya hua",
]
REPHRASE: dict[str, list[str]] = {
    "order_status": [
        "order status",
        "track my order",
        "where is order {order}",
        "i want to know when my order will come",
        "delivery status of {product}",
    ],
    "refund": ["refund status", "my refund", "money back for {order}", "refund not received"],
    "store_hours": ["store timings", "opening hours {area}", "timings"],
    "password": ["reset password", "forgot password", "password"],
    "address": ["change address", "update delivery address", "edit address for {order}"],
    "complaint": ["complaint", "I want to raise a complaint", "damaged product"],
    "product": ["{product} warranty", "product details {product}", "{product} stock"],
    "payment": ["payment failed", "money deducted", "payment issue"],
    "returns": ["return", "return {product}", "exchange size", "return pickup"],
    "account": ["login problem", "cant login", "account locked"],
    "coupon": ["coupon not working", "offers", "discount code"],
    "invoice": ["invoice", "GST invoice", "download invoice"],
    "cancel": ["cancel order", "cancel {order}"],
    "membership": ["premium", "cancel premium", "membership"],
    "install": ["installation", "technician visit", "demo"],
}
ASK_AGENT = [
    "talk to agent",
    "I want to talk to a human",
    "connect me to customer care",
    "agent pls",
    "real person please",
    "Can I speak to someone?",
    "human",
    "customer care number?",
    "Please connect me to an executive",
    "you are not understanding. agent",
]
NUDGES = ["hello?", "anyone there?", "??", "hello", "is this working", "Hello???", "pls reply", "hellooo"]
SPLIT_TAILS = ["please check", "urgent", "it's been too long", "pls reply", "what is going on", "need it asap"]
MENU = ["Track order", "Cancel order", "Refund status", "Store timings", "Talk to an agent"]
TAP_FOR = {
    "order_status": "Track order",
    "cancel": "Cancel order",
    "refund": "Refund status",
    "store_hours": "Store timings",
}


# ---------------------------------------------------------------------------------------------
# What the bot and its agents say (the same FAQ text again and again, as real bots do)

GREETING = "Hi! I'm Engati Assistant 🤖. How can I help you today?"
MENU_PROMPT = "Please choose an option:"
FALLBACKS = [
    "Sorry, I didn't understand that. Could you rephrase, or pick an option from the menu?",
    "Hmm, I'm not sure I got that. Could you say it differently?",
    "Sorry, I didn't get that. You can type 'agent' to talk to our support team.",
]
HANDOFF = "Transferring you to a human agent. Please stay on the chat."
HANDOFF_OFFER = "I'm connecting you to our support team, someone will be with you shortly."
WAIT_NOTE = "All our agents are busy right now. You are in the queue; average wait time is 10 minutes."
THANKS_REPLIES = [
    "You're welcome! Is there anything else I can help you with?",
    "Happy to help! 😊",
    "Glad I could help. Have a great day!",
]
CSAT = "Did that answer your question?"
ASK_ORDER = [
    "Sure! Please share your order number (it starts with ORD-, e.g. ORD-1234567).",
    "Please enter your order number so I can check.",
]
NOT_FOUND = (
    "I couldn't find an order with that number. Order numbers look like ORD-1234567. Could you check and send it again?"
)
FAQ: dict[str, list[str]] = {
    "order_status": [
        (
            "Here's the latest on {ORD}:\nItem: {item}\nStatus: Shipped via {courier} on {ship}\n"
            "Expected delivery: {eta}\nTrack: https://track.example.com/{ORD}"
        ),
        "{ORD} is out for delivery today. Our delivery partner will call you before arriving.",
        "{ORD} is still being packed at our warehouse. It should ship within 24 hours.",
        (
            "{ORD} was delivered on {ship} at 2:14 PM. If you haven't received it, please reply 'not received' "
            "and we'll raise an investigation with {courier}."
        ),
    ],
    "refund": [
        (
            "The refund of {amount} for {ORD} was initiated on {ship}. It usually takes 5-7 business days to reflect.\n"
            "UPI and wallet refunds are faster (24-48 hours)."
        ),
        "The refund for {ORD} is waiting for the quality check at our warehouse. You'll get an SMS once it's approved.",
        (
            "Refunds are processed within 5-7 business days after we receive the returned item.\n"
            "1. The courier picks up the item.\n2. Our warehouse checks it (1-2 days).\n"
            "3. The refund goes to your original payment method."
        ),
    ],
    "store_hours": [
        (
            "Our stores are open from 10:00 AM to 9:00 PM, Monday to Saturday, and 11:00 AM to 8:00 PM on Sundays.\n"
            "Holiday timings may vary; please call the store before visiting."
        ),
        "The {area} store is open today from 10:00 AM to 9:30 PM. 📍 Find it on the map: https://stores.example.com/{slug}",
    ],
    "password": [
        (
            "To reset your password:\n1. Open the app and tap Login\n2. Tap 'Forgot password'\n"
            "3. Enter your registered email or mobile number\n4. Use the OTP or link we send (valid for 10 minutes)"
        ),
        "If the OTP doesn't arrive within 2 minutes, tap 'Resend OTP'. Check that DND is off for SMS from EXMPLE.",
    ],
    "address": [
        (
            "You can change the delivery address from My Orders > {ORD} > Change address, as long as the order has "
            "not been shipped."
        ),
        (
            "The address can't be changed once an order is shipped. You can ask the courier to hold it at their hub, "
            "or refuse the delivery and reorder."
        ),
    ],
    "complaint": [
        "I'm sorry to hear that. I've raised a complaint ({ticket}) and our team will contact you within 48 hours.",
        "We're sorry about your experience. Please share photos of the product and the packaging so we can help.",
    ],
    "product": [
        (
            "Here's what I found about the {item}:\n• Price: {amount}\n• Warranty: 1 year from the manufacturer\n"
            "• Free delivery for Premium members"
        ),
        "The {item} is currently out of stock. Tap 'Notify me' on the product page to get an alert.",
        "Yes, the {item} is available in the {area} store and online.",
    ],
    "payment": [
        (
            "If money was debited but the order failed, it is refunded automatically within 3-5 business days.\n"
            "No need to pay again; if the order is confirmed later, you'll get an SMS."
        ),
        "Cash on delivery is available on orders up to ₹10,000 in serviceable pin codes.",
        "Payments sometimes fail when the bank's OTP takes too long. Please retry with UPI, or another card.",
    ],
    "returns": [
        (
            "You can return most items within 10 days of delivery.\nGo to My Orders > select the item > Return.\n"
            "Pickup happens in 2-3 days. Items must be unused, with tags."
        ),
        "Exchanges for a different size are free. Go to My Orders > Exchange and pick the new size.",
        "Your return pickup for {ORD} is rescheduled to {eta}. You'll get an SMS from {courier}.",
    ],
    "account": [
        (
            "For login problems, please update the app to the latest version and clear its cache.\n"
            "If your account is locked, it unlocks automatically after 24 hours, or reset your password."
        ),
        (
            "To change your registered mobile number, go to Account > Profile > Edit. "
            "You'll need an OTP on the new number."
        ),
    ],
    "coupon": [
        (
            "Current offers:\n• WELCOME50: ₹50 off on your first order above ₹499\n"
            "• FREESHIP: free delivery this week\n"
            "• FESTIVE20: 20% off on fashion (max ₹300)\nCoupons can't be combined."
        ),
        (
            "The coupon {coupon} has expired or doesn't apply to the items in your cart. Please check its terms on the "
            "Offers page."
        ),
        "Cashback is credited within 7 days of delivery, to your wallet.",
    ],
    "invoice": [
        "You can download the invoice from My Orders > {ORD} > Download invoice. It's also emailed after delivery.",
        (
            "For a GST invoice, add your GSTIN under Account > Business details before ordering. For past orders our "
            "team can reissue it."
        ),
    ],
    "cancel": [
        (
            "You can cancel an order from My Orders > Cancel as long as it has not been shipped. Once shipped, please "
            "refuse the delivery or raise a return request after it arrives."
        ),
        "{ORD} has been cancelled. The refund of {amount} will reach your original payment method in 5-7 days.",
    ],
    "membership": [
        (
            "The premium plan costs ₹499/month and includes free delivery, priority support and early access to "
            "sales. Manage it from Account > Plans > Premium.\nYou can cancel anytime."
        ),
        (
            "Auto-renewal can be turned off from Account > Plans > Premium > Manage. Renewals already charged are "
            "refunded if no premium benefit was used."
        ),
    ],
    "install": [
        (
            "Installation is free for large appliances and is scheduled within 48 hours of delivery. "
            "The technician will call you before the visit."
        ),
        "Your installation request for {ORD} is booked for {eta}, between 10 AM and 2 PM.",
    ],
}
AGENT_INTROS = [
    "Hi {first}, I'm {agent} from the customer care team. Give me a minute to check.",
    "Hello {first}! {agent} here. I can see your message, let me look into it.",
    "Hi, this is {agent}. Sorry for the wait! Checking your details now.",
    "Good {daypart} {first}, {agent} here from support. How can I help?",
]
# What an agent asks, and what kind of answer the user gives.
AGENT_ASKS: dict[str, list[tuple[str, str]]] = {
    "complaint": [
        ("Could you share a photo of the product and the box, please?", "photo"),
        ("Can you confirm the order number?", "order"),
    ],
    "returns": [
        ("Can you confirm the pickup address?", "address"),
        ("Is the product unused and with its tags?", "unused"),
    ],
    "refund": [
        ("Can you confirm the last 4 digits of the card or the UPI id used?", "card"),
        ("Which order is this about?", "order"),
    ],
    "payment": [
        ("Can you share the transaction reference number from your bank SMS?", "reference"),
        ("What time was the payment made?", "time"),
    ],
    "account": [
        ("Can you confirm the email id registered with us?", "email"),
        ("Which phone number was on the account?", "phone"),
    ],
    "password": [("Can you confirm the email id registered with us?", "email")],
    "order_status": [("Can you confirm the order number?", "order"), ("Is the address on the order correct?", "yes")],
    "address": [("Please share the new address with the pin code.", "address")],
    "invoice": [("Can you confirm the GSTIN to be printed?", "gstin")],
}
AGENT_FIXES = {
    "order_status": [
        "I've checked with {courier}: the package is at the local hub and will be delivered by {eta}.",
        "I've escalated this with the courier ({ticket}). You'll get a call within 24 hours.",
    ],
    "refund": [
        "I've checked: the refund of {amount} was processed on {ship}. The UTR number is {utr}.",
        "I've pushed the refund manually. It should reflect in 2-3 business days. Ticket {ticket}.",
    ],
    "complaint": [
        (
            "I've arranged a replacement; the pickup of the damaged piece and the new delivery will happen "
            "together by {eta}."
        ),
        ("I've raised a priority ticket ({ticket}); our quality team will call you within 24 hours."),
        "Sorry for the trouble! I've added a ₹200 voucher to your account: SORRY200.",
    ],
    "returns": [
        "I've rescheduled the pickup for {eta}. The refund starts once the item reaches our warehouse.",
        "Done, I've approved the exchange. The new size will be delivered with the pickup.",
    ],
    "payment": [
        (
            "The payment did fail on our side; your bank will reverse {amount} within 5 business days. "
            "Reference: {ticket}."
        ),
        "I can see the double charge. I've initiated a refund of {amount}.",
    ],
    "account": [
        "I've unlocked your account. Please set a new password using 'Forgot password'.",
        "I've updated your details. Please log out and log in again.",
    ],
    "password": ["I've sent a fresh reset link to your registered email; it's valid for 10 minutes."],
    "address": ["I've updated the address for {ORD}. The delivery date may move by a day."],
    "invoice": [
        "I've emailed the GST invoice for {ORD} to your registered email.",
        "The corrected invoice will be sent within 2 working days ({ticket}).",
    ],
    "coupon": ["I've added the discount as wallet credit: {amount}.", "The cashback will be credited by {eta}."],
    "cancel": ["I've cancelled {ORD}; the refund of {amount} is on its way."],
    "membership": ["I've turned off auto-renewal and refunded the last charge of ₹499."],
    "install": ["The technician is booked for {eta}; he'll call you before coming."],
    "store_hours": ["The {area} store is open 10 AM to 9 PM today."],
    "product": ["Our product team confirms the {item} has a 1-year warranty and is in stock."],
}
PUSH_BACK = [
    "why does this keep happening?",
    "you said the same thing last time",
    "can I get it in writing?",
    "ok but what if it doesn't happen by {due}?",
    "will I get a confirmation SMS?",
    "and what about the delivery charge I paid?",
]
AGENT_REASSURE = [
    "I completely understand. I've noted it on your ticket and marked it urgent.",
    "Yes, you'll get an SMS and an email as soon as it's done.",
    "If it's not done by then, reply here and it will come straight to me.",
]
AGENT_CLOSES = [
    "Is there anything else I can help you with?",
    "Thank you for your patience. Have a good day!",
    "I'm closing this chat now. Feel free to message us anytime.",
]
USER_IN_CHAT = [
    "ok",
    "yes",
    "sure",
    "ok wait",
    "yes that's right",
    "one sec",
    "ya",
    "it's the same one",
    "please do it fast",
    "how long will it take?",
    "that's what you said last time",
]
USER_REACTIONS = {
    "order_status": [
        "but it was supposed to come {due}",
        "ok, I'll wait till then",
        "can it come any earlier?",
        "the tracking link is not opening",
    ],
    "refund": ["5-7 days from when?", "ok i will wait", "but it's already been {days} days"],
    "payment": ["so i should not pay again?", "ok"],
    "returns": ["ok and the refund?", "what if the pickup doesn't come again?"],
    "coupon": ["so no discount?", "ok applied the other one"],
}


# ---------------------------------------------------------------------------------------------
# Generation


@dataclass
class Episode:
    """One issue a regular comes about, perhaps over several visits."""

    topic: str
    shelf: str
    item: str
    aliases: tuple[str, ...]
    unit_price: int
    sizes: tuple[str, ...]
    qty: int
    order: str
    ordered: datetime
    due: datetime
    coupon: str
    area: str
    pin: str
    address: str
    ticket: str
    card4: str
    pay: str
    bank: str
    colour: str
    err: str
    holiday: str
    courier: str
    visits: int
    seen: int = 0

    @property
    def amount(self) -> int:
        return self.unit_price * self.qty


@dataclass(frozen=True, slots=True)
class Slot:
    when: datetime
    episode: Episode
    index: int  # 0 for the first visit about it


def generate(persona: Persona, seed: int, end: datetime) -> list[tuple[datetime, dict[str, Any]]]:
    """The regular's whole history as (UTC time, wire message) pairs, oldest first, before `end`."""
    return _Writer(persona, seed, end).history()


class _Writer:
    def __init__(self, persona: Persona, seed: int, end: datetime) -> None:
        self.p = persona
        self.s = persona.style
        self.rng = random.Random(seed)
        self.end = end
        self.zone = timezone(persona.utc_offset)
        self.last = end - timedelta(days=persona.quiet_days, hours=self.rng.uniform(2, 20))
        self.first = self.last - timedelta(days=persona.months * 30.44)
        self.first_name = persona.name.split()[0]
        letters = "".join(ch for ch in persona.name.upper() if ch.isalpha())
        state = {"Chennai": "33", "Kolkata": "19", "Pune": "27", "Mumbai": "27"}.get(persona.city, "29")
        self.gstin = f"{state}AA{letters[:2]}{letters[-1]}{persona.phone[-4:]}{letters[2]}1Z{persona.phone[-5]}"

    # -- when --------------------------------------------------------------------------------

    def history(self) -> list[tuple[datetime, dict[str, Any]]]:
        out: list[tuple[datetime, dict[str, Any]]] = []
        previous_end: datetime | None = None
        limit = min(self.last + timedelta(days=self.p.quiet_days) / 2, self.end - timedelta(hours=3))
        for slot in self._schedule():
            start = slot.when
            reopen = False
            if previous_end is not None:
                if self.p.sessions and slot.index == 0 and self.rng.random() < 0.05:
                    start, reopen = previous_end + timedelta(minutes=self.rng.uniform(2, 20)), True
                elif start < previous_end + SILENCE + timedelta(minutes=1):
                    start = previous_end + timedelta(minutes=self.rng.uniform(35, 200))
            if start > limit:
                break
            turns = self._visit(slot, start, reopen)
            session = str(uuid.UUID(int=self.rng.getrandbits(128), version=4)) if self.p.sessions else None
            clock = _whole_ms(start)
            for number, (delay, turn) in enumerate(turns):
                if number:
                    clock = _whole_ms(clock + timedelta(seconds=max(delay, 0.2)))
                out.append((clock, self._wire(clock, turn, session)))
            previous_end = clock
        return out

    def _schedule(self) -> list[Slot]:
        """Visit times: episodes spread irregularly (bursts, weeks away), follow-ups hours to days after."""
        rng = self.rng
        episodes: list[Episode] = []
        total = 0
        while total < self.p.conversations:
            topic = self._pick(self.p.topics)
            chase = topic in {"order_status", "refund", "complaint", "returns", "payment", "invoice", "install"}
            visits = rng.choice([1, 1, 1, 2, 2, 3, 4, 5]) if chase else rng.choice([1, 1, 1, 1, 2])
            visits = min(visits, self.p.conversations - total)
            episodes.append(self._episode(topic, visits))
            total += visits
        # Gaps between episodes: mostly days, some the same day, a few long absences of weeks.
        gaps = []
        for _ in episodes[1:]:
            roll = rng.random()
            gaps.append(
                rng.uniform(0.02, 0.15)
                if roll < 0.15
                else rng.uniform(8, 16)
                if roll < 0.04 + 0.15
                else rng.lognormvariate(0, 0.9)
            )
        for _ in range(rng.randint(1, 3)):  # long absences: holidays, a new phone, nothing to ask
            gaps[rng.randrange(len(gaps))] += rng.uniform(10, 25)
        room = (self.last - self.first) - timedelta(days=12)  # follow-ups of the last episode fit after it
        scale = room / sum(gaps)
        slots: list[Slot] = []
        offset = timedelta(0)
        for number, episode in enumerate(episodes):
            if number:
                offset += scale * gaps[number - 1]
            when = self._at_their_hour(self.first + offset) if number else self.first
            for index in range(episode.visits):
                if when > self.last:
                    break  # a story still open at the end of the data
                slots.append(Slot(when, episode, index))
                when = self._later(when)
        slots.sort(key=lambda s: s.when)
        return slots

    def _later(self, when: datetime) -> datetime:
        """When someone chases an open issue: later that day, the next day, or days later."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return when + timedelta(hours=rng.uniform(1, 7))
        days = 1 if roll < 0.6 else rng.randint(2, 4) if roll < 0.9 else rng.randint(6, 9)
        return self._at_their_hour(when + timedelta(days=days))

    def _at_their_hour(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        hour = self.rng.choice(self.p.hours)
        at = local.replace(
            hour=hour,
            minute=self.rng.randrange(60),
            second=self.rng.randrange(60),
            microsecond=self.rng.randrange(1000) * 1000,
        )
        return at.astimezone(moment.tzinfo)

    def _pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _episode(self, topic: str, visits: int) -> Episode:
        rng = self.rng
        shelves = [s for s in self.p.shelves if s in _POWERED] if topic == "install" else self.p.shelves
        shelf = rng.choice(shelves or ("appliances",))
        item, aliases, price, sizes = rng.choice(CATALOGUE[shelf])
        area, pin = rng.choice(PLACES[self.p.home or self.p.city])
        return Episode(
            topic=topic,
            shelf=shelf,
            item=item,
            aliases=aliases,
            unit_price=price,
            sizes=sizes,
            qty=rng.choice([1, 1, 1, 1, 2, 3]) if shelf != "bakery" else rng.choice([2, 4, 5, 10, 12]),
            order=f"ORD-{rng.randrange(3_000_000, 9_999_999)}",
            ordered=self.first,
            due=self.first,
            coupon=rng.choice(COUPONS),
            area=area,
            pin=pin,
            address=f"{rng.choice(FLATS)}, {rng.choice(BUILDINGS)}, {area}, {self.p.home or self.p.city} {pin}",
            ticket=f"TCK-{rng.randrange(100_000, 999_999)}",
            card4=f"{rng.randrange(10_000):04d}",
            pay=rng.choice(PAYMENTS),
            bank=rng.choice(BANKS),
            colour=rng.choice(COLOURS),
            err=rng.choice(LOGIN_ERRORS if topic in {"account", "password"} else PAY_ERRORS),
            holiday=rng.choice(HOLIDAYS),
            courier=rng.choice(COURIERS),
            visits=visits,
        )

    # -- what --------------------------------------------------------------------------------

    def _visit(self, slot: Slot, start: datetime, reopen: bool) -> list[tuple[float, Turn]]:
        """One visit's turns, each with its delay after the previous one (seconds)."""
        rng, ep = self.rng, slot.episode
        if slot.index == 0:
            ep.ordered = start - timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 12))
            ep.due = ep.ordered + timedelta(days=rng.randint(3, 7))
        ep.seen += 1
        self.agent_joined = False
        self.now = start
        self.ep = ep
        turns: list[tuple[float, Turn]] = []
        kind = self._outcome(slot)

        # Opening: the web widget greets first; or a bare "hi"; or a tap on the menu.
        if kind == "greeting_only":
            return self._greeting_only()
        greeted = self.p.channel == "web" and kind != "silent" and rng.random() < 0.35
        if greeted:
            turns += [(0, ("bot", "text", GREETING, None)), (1, self._menu())]
        tap = TAP_FOR.get(ep.topic) if slot.index == 0 and kind in {"answered", "ask"} else None
        if tap and rng.random() < self.s.tap * 2:
            return self._bounded(turns + self._menu_flow(tap))
        if not greeted and (slot.index == 0 or reopen) and kind != "silent" and rng.random() < self.s.greet:
            greeting = self._habit_or(rng.choice(self.s.greetings), self.s.greetings[0])
            turns += [
                (self._typing(greeting), ("user", "text", greeting, None)),
                (2, ("bot", "text", GREETING, None)),
                (1, self._menu()),
            ]

        # The request, perhaps in pieces
        resolved = kind == "resolved"
        request = self._resolution() if resolved else self._request(slot)
        for piece in self._split(request):
            turns.append((self._typing(piece), ("user", "text", piece, None)))

        if kind == "silent":
            for _ in range(rng.choice([1, 1, 2])):
                nudge = rng.choice(NUDGES)
                turns.append((rng.uniform(90, 900), ("user", "text", nudge, None)))
            return turns
        if resolved:
            turns.append((2, ("bot", "text", rng.choice(RESOLVED_REPLIES), None)))
        elif kind == "answered":
            turns += self._answer(reaction=True)
        elif kind == "ask":
            turns += self._ask_details(request)
        elif kind == "fallback":
            turns += self._fallback()
        elif kind == "handoff":
            turns += self._handoff()
        if kind in {"answered", "ask"}:
            for _ in range(3):  # more questions in the same visit, for the chatty
                if rng.random() >= self.p.chatty:
                    break
                turns += self._side_question()
        if kind in {"answered", "ask", "resolved"} and rng.random() < 0.2:
            turns.append(
                (
                    2,
                    (
                        "bot",
                        "quick_reply",
                        "Is there anything else I can help you with?",
                        {"options": [{"title": "Yes"}, {"title": "No, thanks"}]},
                    ),
                )
            )
            if rng.random() < 0.5:
                turns.append((rng.uniform(3, 30), ("user", "postback", "No, thanks", {"title": "No, thanks"})))
                return self._bounded(turns)
            return self._bounded(turns + self._closing(kind, survey=False))
        turns += self._closing(kind)
        return self._bounded(turns)

    def _outcome(self, slot: Slot) -> str:
        rng = self.rng
        last = slot.index > 0 and slot.index == slot.episode.visits - 1
        if last and slot.episode.topic in RESOLVED and rng.random() < 0.45:
            return "resolved"
        if rng.random() < self.p.silent:
            return "silent"
        roll = rng.random()
        if roll < 0.025 and slot.index == 0:
            return "greeting_only"
        if roll < 0.025 + self.p.handoff * (1.5 if slot.index else 1):
            return "handoff"
        roll = rng.random()
        if roll < 0.12:
            return "fallback"
        if roll < 0.45 and self.ep.topic in {"order_status", "refund", "cancel", "returns", "invoice", "address"}:
            return "ask"
        return "answered"

    def _greeting_only(self) -> list[tuple[float, Turn]]:
        greeting = self._habit_or(self.rng.choice(self.s.greetings), self.s.greetings[0])
        turns: list[tuple[float, Turn]] = [
            (0, ("user", "text", greeting, None)),
            (2, ("bot", "text", GREETING, None)),
            (1, self._menu()),
        ]
        if self.rng.random() < 0.5:
            choice = self.rng.choice(MENU[3:4] + MENU[:1])
            turns += [
                (self.rng.uniform(5, 40), ("user", "postback", choice, {"title": choice})),
                (2, ("bot", "text", self._faq("store_hours" if choice == "Store timings" else "order_status"), None)),
            ]
        return turns

    def _menu(self) -> Turn:
        return ("bot", "quick_reply", MENU_PROMPT, {"options": [{"title": o} for o in MENU]})

    def _menu_flow(self, tap: str) -> list[tuple[float, Turn]]:
        rng = self.rng
        turns: list[tuple[float, Turn]] = [(rng.uniform(2, 30), ("user", "postback", tap, {"title": tap}))]
        if tap == "Store timings":
            turns.append((2, ("bot", "text", self._faq("store_hours"), None)))
        else:
            turns.append((2, ("bot", "text", rng.choice(ASK_ORDER), None)))
            given = self._styled(self._order_as_written(), decorate=False)
            turns.append((self._typing(given), ("user", "text", given, None)))
            turns.append((3, ("bot", "text", self._faq(self.ep.topic), None)))
        if rng.random() < 0.6:  # then says what it is really about
            said = self._request(None)
            turns.append((self._typing(said), ("user", "text", said, None)))
            turns += self._answer(reaction=False)
        return turns + self._closing("answered")

    def _request(self, slot: Slot | None, decorate: bool = True) -> str:
        """The user's request: a habit, a follow-up on the episode, or a fresh paraphrase."""
        rng, ep, s = self.rng, self.ep, self.s
        if slot is not None and slot.index > 0:
            if "follow" in self.p.habits and rng.random() < 0.2:
                return rng.choice(self.p.habits["follow"])
            if s.hinglish and rng.random() < s.hinglish * 0.7:
                return self._styled(self._fill(rng.choice(HINGLISH_FOLLOW_UPS)), decorate=False)
            options = FOLLOW_UPS.get(ep.topic, FOLLOW_UPS["order_status"])
            return self._styled(self._fill(self._choose(options)), decorate=slot.index == 1)
        if ep.topic in self.p.habits and rng.random() < 0.3:
            return rng.choice(self.p.habits[ep.topic])
        if s.devanagari and ep.topic in DEVANAGARI and rng.random() < s.devanagari:
            return self._fill(self._choose(DEVANAGARI[ep.topic]))
        if s.hinglish and ep.topic in HINGLISH and rng.random() < s.hinglish:
            return self._styled(self._fill(self._choose(HINGLISH[ep.topic])), decorate=decorate)
        if s.multiline and ep.topic in MULTILINE and rng.random() < s.multiline:
            return self._fill(self._choose(MULTILINE[ep.topic]))
        return self._styled(self._fill(self._choose(OPENERS[ep.topic])), decorate=decorate)

    def _resolution(self) -> str:
        if self.s.hinglish and self.rng.random() < self.s.hinglish:
            return self._styled(
                self.rng.choice(["mil gaya, thanks", "aa gaya finally", "ho gaya, dhanyavad"]), decorate=False
            )
        return self._styled(self._fill(self.rng.choice(RESOLVED[self.ep.topic])), decorate=False)

    def _split(self, request: str) -> list[str]:
        """A request sent in two or three messages, as people type on phones."""
        rng = self.rng
        if "\n" in request or len(request) < 30 or rng.random() >= self.s.split:
            return [request]
        for mark in (". ", "? ", "! ", ", "):
            head, sep, tail = request.partition(mark)
            if sep and len(head) > 8 and len(tail) > 8 and not head.lower().endswith(("rs", "no", "inr", "ref")):
                pieces = [head + sep.strip(), tail]
                break
        else:
            pieces = [request]
        if rng.random() < 0.3:
            pieces.append(self._styled(rng.choice(SPLIT_TAILS), decorate=False))
        return [p.strip() for p in pieces if p.strip()]

    def _answer(self, reaction: bool) -> list[tuple[float, Turn]]:
        rng, ep = self.rng, self.ep
        turns: list[tuple[float, Turn]] = [(rng.uniform(1, 4), ("bot", "text", self._faq(ep.topic), None))]
        if reaction and ep.topic in USER_REACTIONS and rng.random() < 0.4:
            said = self._styled(self._fill(rng.choice(USER_REACTIONS[ep.topic])), decorate=False)
            turns += [
                (self._typing(said), ("user", "text", said, None)),
                (2, ("bot", "text", self._faq(ep.topic) if rng.random() < 0.5 else rng.choice(FALLBACKS), None)),
            ]
        return turns

    def _ask_details(self, request: str) -> list[tuple[float, Turn]]:
        rng, ep = self.rng, self.ep
        if ep.order[4:] in request:  # the number was given: the bot looks it up
            return self._answer(reaction=True)
        turns: list[tuple[float, Turn]] = [(2, ("bot", "text", rng.choice(ASK_ORDER), None))]
        if rng.random() < 0.2:
            wrong = rng.choice(
                [self.p.phone[-10:], "i dont have it", "its in the email", ep.order[4:-1], "check with my number"]
            )
            turns += [(self._typing(wrong), ("user", "text", wrong, None)), (2, ("bot", "text", NOT_FOUND, None))]
        given = self._styled(self._order_as_written(), decorate=False)
        turns += [(self._typing(given), ("user", "text", given, None))]
        return turns + self._answer(reaction=True)

    def _side_question(self) -> list[tuple[float, Turn]]:
        """Another question in the same visit, about something else."""
        main = self.ep
        self.ep = self._episode(self._pick(self.p.topics), 1)
        self.ep.ordered = self.now - timedelta(days=self.rng.randint(1, 20))
        self.ep.due = self.ep.ordered + timedelta(days=self.rng.randint(3, 7))
        said = self._request(None, decorate=False)
        said = said if said[:1].isupper() and self.rng.random() < 0.5 else self.rng.choice(SIDE_OPENERS) + said
        turns = [(self._typing(said), ("user", "text", said, None)), *self._answer(reaction=False)]
        self.ep = main
        return turns

    def _fallback(self) -> list[tuple[float, Turn]]:
        rng, ep = self.rng, self.ep
        turns: list[tuple[float, Turn]] = [(2, ("bot", "text", rng.choice(FALLBACKS), None))]
        again = self._styled(self._fill(rng.choice(REPHRASE[ep.topic])), decorate=False)
        turns.append((self._typing(again), ("user", "text", again, None)))
        if rng.random() < 0.55:
            return turns + self._answer(reaction=False)
        turns.append((2, ("bot", "text", rng.choice(FALLBACKS), None)))
        ask = self._styled(rng.choice(ASK_AGENT), decorate=False)
        turns.append((self._typing(ask), ("user", "text", ask, None)))
        return turns + self._agent_part()

    def _handoff(self) -> list[tuple[float, Turn]]:
        rng = self.rng
        turns: list[tuple[float, Turn]] = []
        if rng.random() < 0.5:
            turns.append((2, ("bot", "text", rng.choice([*FALLBACKS, self._faq(self.ep.topic)]), None)))
            if rng.random() < 0.7:
                turns.append(
                    (rng.uniform(5, 40), ("user", "postback", "Talk to an agent", {"title": "Talk to an agent"}))
                )
            else:
                ask = self._habit_or(
                    self._styled(rng.choice(ASK_AGENT), decorate=False), *self.p.habits.get("complaint", ())[:1]
                )
                turns.append((self._typing(ask), ("user", "text", ask, None)))
        return turns + self._agent_part()

    def _agent_part(self) -> list[tuple[float, Turn]]:
        rng, ep = self.rng, self.ep
        self.agent_joined = True
        turns: list[tuple[float, Turn]] = [
            (2, ("bot", "handoff", HANDOFF if rng.random() < 0.8 else HANDOFF_OFFER, None))
        ]
        late = self.p.sessions and rng.random() < 0.18  # an agent answering an hour later, same session
        if rng.random() < 0.3 or late:
            turns.append((3, ("bot", "text", WAIT_NOTE, None)))
            if rng.random() < 0.5:
                nudge = rng.choice(NUDGES)
                turns.append((rng.uniform(120, 600), ("user", "text", nudge, None)))
        agent = rng.choice(AGENTS)
        wait = rng.uniform(35 * 60, 80 * 60) if late else rng.uniform(20, 14 * 60)
        turns.append((wait, ("bot", "system", f"{agent} joined the chat", None)))
        turns.append(
            (rng.uniform(5, 40), ("agent", "text", self._fill_bot(rng.choice(AGENT_INTROS), agent=agent), None))
        )
        if ep.topic in AGENT_ASKS and rng.random() < 0.75:
            question, wanted = rng.choice(AGENT_ASKS[ep.topic])
            turns.append((rng.uniform(20, 120), ("agent", "text", question, None)))
            if wanted == "photo":
                for _ in range(rng.choice([1, 1, 2])):
                    turns.append(
                        (
                            rng.uniform(20, 200),
                            (
                                "user",
                                "image",
                                None,
                                {"attachment_type": "image", "name": f"IMG_{rng.randrange(1000, 9999)}.jpg"},
                            ),
                        )
                    )
            else:
                answer = self._answer_to(wanted)
                turns.append((self._typing(answer), ("user", "text", answer, None)))
        for _ in range(rng.choice(self.p.agent_rounds)):  # back and forth while the agent checks
            said = self._styled(rng.choice(USER_IN_CHAT), decorate=False)
            turns.append((self._typing(said), ("user", "text", said, None)))
            turns.append(
                (
                    rng.uniform(20, 180),
                    (
                        "agent",
                        "text",
                        rng.choice(
                            [
                                "Checking, please hold on.",
                                "Just a moment please.",
                                "I understand, I'm on it.",
                                "Thanks for confirming.",
                                "I've escalated it internally, one moment.",
                            ]
                        ),
                        None,
                    ),
                )
            )
        fix = self._fill_bot(rng.choice(AGENT_FIXES.get(ep.topic, AGENT_FIXES["order_status"])))
        turns.append((rng.uniform(40, 300), ("agent", "text", fix, None)))
        if ep.topic in {"invoice", "refund", "payment"} and rng.random() < 0.3:
            turns.append(
                (
                    rng.uniform(5, 30),
                    (
                        "agent",
                        "attachment",
                        "Here is your invoice.",
                        {"attachment_type": "document", "name": f"{ep.order}.pdf"},
                    ),
                )
            )
        if rng.random() < 0.3:  # the user pushes back or asks more
            said = self._styled(self._fill(rng.choice(PUSH_BACK)), decorate=False)
            turns.append((self._typing(said), ("user", "text", said, None)))
            turns.append((rng.uniform(30, 150), ("agent", "text", rng.choice(AGENT_REASSURE), None)))
        if rng.random() < 0.6:
            said = self._styled(
                rng.choice((*self.s.thanks, "ok", "fine", "ok, please make sure it happens this time")), decorate=False
            )
            turns.append((self._typing(said), ("user", "text", said, None)))
        turns.append((rng.uniform(10, 60), ("agent", "text", rng.choice(AGENT_CLOSES), None)))
        if rng.random() < 0.4:
            turns.append((rng.uniform(60, 300), ("bot", "system", "Chat closed by agent", None)))
        return turns

    def _answer_to(self, wanted: str) -> str:
        rng, ep = self.rng, self.ep
        local = (self.now - timedelta(hours=rng.randint(2, 30))).astimezone(self.zone)
        answers = {
            "order": self._order_as_written(),
            "card": rng.choice(
                [f"xxxx {ep.card4}", f"card ending {ep.card4}", f"{self.first_name.lower()}@okhdfcbank"]
            ),
            "reference": f"{rng.choice(['UPI ref', 'Ref no', 'txn id'])} {rng.randrange(10**11, 10**12)}",
            "time": rng.choice(
                [
                    f"around {local:%I:%M %p}".replace(" 0", " "),
                    f"{local:%d %b}, {local:%H:%M}",
                    "yesterday evening",
                    "around 11 in the morning",
                ]
            ),
            "email": self.p.email,
            "phone": self.p.phone[-10:],
            "address": ep.address,
            "gstin": self._fill("{gstin}"),
            "yes": rng.choice(["yes", "yes correct", "yes it is", "yes that's right"]),
            "unused": rng.choice(["yes, unused", "yes tags are on", "yes", "unused, still in the box"]),
        }
        return self._styled(answers[wanted], decorate=False)

    def _closing(self, kind: str, survey: bool = True) -> list[tuple[float, Turn]]:
        rng = self.rng
        if self.agent_joined:  # the agent closed the chat
            return []
        if kind == "handoff" or rng.random() >= self.s.thank:
            if rng.random() < 0.15 and kind != "handoff" and survey:
                return [
                    (
                        rng.uniform(20, 60),
                        ("bot", "quick_reply", CSAT, {"options": [{"title": "Yes"}, {"title": "No"}]}),
                    )
                ]
            return []
        said = self._habit_or(rng.choice(self.s.thanks), self.s.thanks[0])
        turns: list[tuple[float, Turn]] = [(self._typing(said) + rng.uniform(5, 60), ("user", "text", said, None))]
        if rng.random() < 0.6:
            turns.append((2, ("bot", "text", rng.choice(THANKS_REPLIES), None)))
        if rng.random() < 0.15 and survey:
            turns.append((2, ("bot", "quick_reply", CSAT, {"options": [{"title": "Yes"}, {"title": "No"}]})))
            if rng.random() < 0.6:
                answer = rng.choice(["Yes", "Yes", "No"])
                turns.append((rng.uniform(3, 20), ("user", "postback", answer, {"title": answer})))
        return turns

    def _bounded(self, turns: list[tuple[float, Turn]]) -> list[tuple[float, Turn]]:
        return turns[:30]

    # -- words -------------------------------------------------------------------------------

    def _habit_or(self, said: str, *usual: str) -> str:
        """`said`, or more often the first of the `usual` phrases this person uses (a repeat across months)."""
        known = [phrase for phrase in usual if phrase]
        if known and self.rng.random() < 0.4:
            return known[0]
        return said

    def _choose(self, templates: list[str]) -> str:
        """A template that suits the item: "[sized]" ones need sizes, "[powered]" a plug, "[kitchen]" a kitchen."""
        ep = self.ep
        fits = {"sized": bool(ep.sizes), "powered": ep.shelf in _POWERED, "kitchen": ep.shelf in {"kitchen", "bakery"}}
        usable = [t for t in templates if not t.startswith("[") or fits.get(t[1 : t.index("]")], True)]
        chosen = self.rng.choice(usable or templates)
        return chosen[chosen.index("]") + 1 :] if chosen.startswith("[") else chosen

    def _fill(self, template: str) -> str:
        rng, ep, now = self.rng, self.ep, self.now
        size = rng.choice(ep.sizes) if ep.sizes else rng.choice(["M", "L", "UK 8", "32"])
        sizes = [s for s in (ep.sizes or ("S", "M", "L", "XL")) if s != size]
        values = {
            "order": self._order_as_written(bare="rder {order}" in template),
            "product": rng.choice(ep.aliases),
            "item": ep.item,
            "price": self._money(ep.amount),
            "odate": self._when(ep.ordered, now),
            "due": self._when(ep.due, now),
            "odate_bare": self._when(ep.ordered, now).removeprefix("on ").removeprefix("the "),
            "days": str(max(2, (now - ep.ordered).days)),
            "area": ep.area,
            "city": self.p.home or self.p.city,
            "pin": ep.pin,
            "addr": ep.address,
            "coupon": ep.coupon,
            "pay": ep.pay,
            "card4": ep.card4,
            "bank": ep.bank,
            "err": ep.err,
            "ticket": ep.ticket,
            "size": size,
            "newsize": rng.choice(sizes),
            "colour": ep.colour,
            "holiday": ep.holiday,
            "refund": self._money(max(50, ep.amount * rng.randint(3, 9) // 10)),
            "email": self.p.email,
            "phone": self.p.phone,
            "qty": str(max(2, ep.qty)),
            "gstin": self.gstin,
            "company": COMPANIES[len(self.p.name) % len(COMPANIES)],
        }
        return template.format_map(values)

    def _fill_bot(self, template: str, agent: str = "") -> str:
        ep, now = self.ep, self.now
        local_hour = now.astimezone(self.zone).hour
        values = {
            "ORD": ep.order,
            "item": ep.item,
            "amount": f"₹{ep.amount:,}",
            "courier": ep.courier,
            "ship": f"{ep.ordered + timedelta(days=1):%d %b}",
            "eta": f"{max(ep.due, now + timedelta(days=1)):%a, %d %b}",
            "ticket": ep.ticket,
            "area": ep.area,
            "slug": ep.area.lower().replace(" ", "-"),
            "coupon": ep.coupon,
            "utr": f"{ep.bank[:4].upper()}R5{ep.card4}{ep.pin}",
            "agent": agent,
            "first": self.first_name,
            "daypart": "morning" if local_hour < 12 else "afternoon" if local_hour < 17 else "evening",
        }
        return template.format_map(values)

    def _faq(self, topic: str) -> str:
        return self._fill_bot(self.rng.choice(FAQ[topic]))

    def _order_as_written(self, bare: bool = False) -> str:
        """The order number the way people type it; `bare` after a word "order" already written."""
        number = self.ep.order[4:]
        forms = [self.ep.order, self.ep.order, number, f"#{number}", f"ORD {number}", self.ep.order.lower()]
        return self.rng.choice(forms if bare else [*forms, f"order no {number}", f"Order ID {self.ep.order}"])

    def _money(self, amount: int) -> str:
        return self.rng.choice(
            [
                f"₹{amount:,}",
                f"Rs {amount}",
                f"Rs. {amount}/-",
                f"{amount} rs",
                f"INR {amount:,}",
                f"₹{amount}",
                f"rs {amount}",
            ]
        )

    def _when(self, moment: datetime, now: datetime) -> str:
        """A date as people say it in a chat, relative to when they are writing."""
        rng = self.rng
        days = (now.date() - moment.date()).days
        if days == 0:
            return "today"
        if days == 1:
            return rng.choice(["yesterday", "yesterday", f"on {moment:%d %b}"])
        if days == -1:
            return "tomorrow"
        if 1 < days < 7 and rng.random() < 0.3:
            return f"last {moment:%A}" if days > 3 else f"{days} days back"
        day = moment.day
        suffix = "th" if 10 < day % 100 < 14 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return rng.choice(
            [
                f"on {day}{suffix} {moment:%B}",
                f"on {day} {moment:%b}",
                f"on {moment:%d/%m}",
                f"on {moment:%B} {day}{suffix}",
                f"on the {day}{suffix}",
                f"on {day}/{moment.month}",
            ]
        )

    def _styled(self, text: str, decorate: bool = True) -> str:
        """The person's way of writing: prefixes, abbreviations, typos, case, punctuation, emoji."""
        rng, s = self.rng, self.s
        if decorate and rng.random() < s.prefix:
            text = rng.choice(s.prefixes) + text[0].lower() + text[1:]
        if decorate and rng.random() < s.suffix:
            text = text.rstrip(".") + ("." if not text.endswith(("?", "!")) else "") + rng.choice(s.suffixes)
        if s.abbreviate and rng.random() < s.abbreviate:
            text = _abbreviate(text, rng)
        if s.typo:
            text = _typos(text, rng, s.typo)
        if rng.random() < s.lower:
            text = text.lower()
        elif rng.random() < s.shout:
            text = text.upper()
        if rng.random() < s.no_period and text.endswith("."):
            text = text[:-1]
        if rng.random() < s.emoji:
            text = f"{text} {rng.choice(s.emojis)}"
        return text

    def _typing(self, text: str) -> float:
        """Seconds before a user's message: reading the last answer, then typing."""
        return self.rng.uniform(4, 35) + len(text) / self.rng.uniform(3, 7)

    # -- the wire ----------------------------------------------------------------------------

    def _wire(self, moment: datetime, turn: Turn, session: str | None) -> dict[str, Any]:
        sender, kind, text, payload = turn
        local = moment.astimezone(self.zone)
        stamp = f"{local:%Y/%m/%d %H:%M:%S}.{local.microsecond // 1000:03d}{local:%z}"
        message: dict[str, Any] = {
            "sender": self.p.user_id if sender == "user" else sender,
            "type": kind,
            "timestamp": stamp,
        }
        if text is not None:
            message["response"] = text
        if payload is not None:
            message["payload"] = payload
        if session is not None:
            message["session_id"] = session
        return message


def _whole_ms(moment: datetime) -> datetime:
    """Times at whole milliseconds, so a message's epoch ms and its timestamp string agree exactly."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


_POWERED = {"electronics", "appliances", "office", "games"}
_ABBREVIATIONS = {
    "please": ("pls", "plz", "pls"),
    "you": ("u",),
    "your": ("ur",),
    "thanks": ("thx", "thnx"),
    "because": ("bcoz", "coz"),
    "what": ("wat",),
    "message": ("msg",),
    "tomorrow": ("tmrw",),
    "know": ("knw",),
    "are": ("r",),
    "okay": ("ok", "k"),
    "received": ("recvd", "recieved"),
    "delivered": ("deliverd",),
    "address": ("adress", "addr"),
}
_MISSPELT = {
    "received": "recieved",
    "address": "adress",
    "delivery": "delivary",
    "please": "plese",
    "tomorrow": "tommorow",
    "cancel": "cancle",
    "payment": "paymnet",
    "account": "acount",
    "which": "wich",
    "refund": "refnd",
    "still": "stil",
    "order": "oder",
    "their": "thier",
}
_WORD = re.compile(r"(?<![\w@.-])[A-Za-z]{2,}(?![\w@])")


def _abbreviate(text: str, rng: random.Random) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        options = _ABBREVIATIONS.get(word.lower())
        return rng.choice(options) if options and rng.random() < 0.7 else word

    return _WORD.sub(swap, text)


def _typos(text: str, rng: random.Random, rate: float) -> str:
    def typo(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 4 or not word.islower() or rng.random() >= rate:
            return word
        if word in _MISSPELT and rng.random() < 0.5:
            return _MISSPELT[word]
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            return word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # swapped letters
        if kind == 1:
            return word[:at] + word[at + 1 :]  # a letter dropped
        return word[:at] + word[at] + word[at:]  # a letter doubled

    return _WORD.sub(typo, text)
