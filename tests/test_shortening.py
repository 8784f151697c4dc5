"""`shortening` on its own: a message cut to its first line, its beginning, or all but its middle,
always visibly, inside the token cap, whatever its size."""

from __future__ import annotations

import re

import pytest

from engati_mcp.shortening import BOT_LINE_CHARS, first_line, head_cut, middle_cut
from engati_mcp.tokens import count_tokens

REQUEST = "I was charged twice for order ORD-4197851, please refund the second payment to my card. "
OMITTED = re.compile(r" \[… (\d+) characters omitted …\] ")


def test_a_message_that_fits_is_kept_whole_by_either_cut() -> None:
    assert head_cut(REQUEST, 150) == REQUEST
    assert middle_cut(REQUEST, 150) == REQUEST


def test_a_head_cut_keeps_the_beginning_marked_and_inside_the_cap() -> None:
    text = REQUEST * 20
    cut = head_cut(text, 40)
    assert cut.endswith(" …") and text.startswith(cut[: -len(" …")])
    assert count_tokens(cut) <= 40
    assert len(cut) > 80  # not needlessly short: most of the 40 tokens are used


@pytest.mark.parametrize("size", [3_000, 40_000, 1_000_000], ids=["3k", "40k", "1M"])
def test_a_middle_cut_keeps_both_ends_and_says_exactly_how_much_is_omitted(size: int) -> None:
    text = "BEGIN " + (REQUEST * (size // len(REQUEST) + 1))[:size] + " END"
    cut = middle_cut(text, 150)
    assert count_tokens(cut) <= 150
    head, omitted, tail = OMITTED.split(cut)
    assert text.startswith(head) and text.endswith(tail) and tail.endswith("END")
    assert int(omitted) == len(text) - len(head) - len(tail)
    assert len(head) > len(tail)  # the head keeps the larger part: a request says first what it is about
    assert count_tokens(cut) > 75  # a pasted page does not shrink to a stub: about the cap is used


@pytest.mark.parametrize("size", [40_000, 1_000_000], ids=["40k", "1M"])
def test_a_pasted_page_is_cut_to_its_beginning_inside_the_cap(size: int) -> None:
    text = (REQUEST * (size // len(REQUEST) + 1))[:size]
    cut = head_cut(text, 40)
    assert cut.endswith(" …") and count_tokens(cut) <= 40 and text.startswith(cut[: -len(" …")])


def test_a_long_text_in_a_dense_script_is_still_cut_inside_the_cap() -> None:
    # Devanagari takes far more tokens per character than English: the cut must still fit.
    text = "मेरा ऑर्डर कहाँ है कृपया जल्दी बताइए " * 2_000
    for cut in (middle_cut(text, 100), head_cut(text, 100)):
        assert count_tokens(cut) <= 100


def test_a_reply_is_cut_to_its_first_line_marked_when_anything_was_left_out() -> None:
    assert first_line("Your order has shipped.") == "Your order has shipped."
    assert first_line("Your order has shipped.\nTrack it here: https://x.example") == "Your order has shipped. …"
    long = "word " * 100
    assert first_line(long) == long[:BOT_LINE_CHARS].rstrip() + " …"
