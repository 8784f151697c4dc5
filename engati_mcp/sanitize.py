"""The one sanitizer: every string from Engati or a chat user passes through here before a model
reads it.

Two steps, used everywhere text from outside is shown:

- `clean_text` (at parse time): strips control, invisible and direction-changing characters, so
  nothing downstream can be fooled by text a reader cannot see. Newlines are kept: they are part
  of what the user wrote.
- `one_line` (at render time): the cleaned text as exactly one line. Every line break (``\\n``,
  U+2028, U+2029, U+0085 ...) becomes `NEWLINE_MARK`, so no text can start a line of its own and
  pose as another message or as the server's own words. A literal ``¶`` in the text becomes
  `PILCROW_MARK` (``[¶]``), so a reader can always tell the two apart: a line break is a ``¶``
  with a space on each side, a literal one is always bracketed (never next to a space).
"""

from __future__ import annotations

NEWLINE_MARK = " ¶ "  # one token in o200k (unlike "⏎", three)
PILCROW_MARK = "[¶]"  # a literal ¶: two tokens more, and pilcrows are rare in chat

# Characters stripped from every text: C0/C1 controls except newline and tab, zero-width and
# invisible formatting marks, bidirectional overrides/isolates, and Unicode "tag" characters
# (an invisible channel for prompt injection). ZWJ/ZWNJ are kept: emoji sequences and Indic
# and Persian scripts need them to render words correctly.
_STRIP: dict[int, str | None] = {
    c: None
    for c in [
        *range(0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        0x200B,
        0x2060,
        0x2061,
        0x2062,
        0x2063,
        0x2064,
        0xFEFF,
        0x180E,
        0x00AD,
        0x200E,
        0x200F,
        0x061C,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *range(0xE0000, 0xE0080),
    ]
}
# Fillers that render as nothing (or as blank space) yet are not format characters, so they pass
# as "visible" text: Hangul fillers (U+3164, U+115F, U+1160, halfwidth U+FFA0), the combining
# grapheme joiner U+034F, interlinear annotation marks U+FFF9-U+FFFB (hide text between them),
# the blank Braille pattern U+2800, Khmer's invisible vowels U+17B4/U+17B5 and the invisible
# musical formatting marks U+1D173-U+1D17A.
_STRIP.update(
    {
        c: None
        for c in [
            0x3164,
            0x115F,
            0x1160,
            0xFFA0,
            0x034F,
            *range(0xFFF9, 0xFFFC),
            0x2800,
            0x17B4,
            0x17B5,
            *range(0x1D173, 0x1D17B),
        ]
    }
)
_STRIP[0x09] = " "
_STRIP[0x0D] = None  # "\r\n" -> "\n"; a lone "\r" would otherwise let text overwrite a terminal line


def clean_text(text: str) -> str:
    """Strip invisible and control characters from end-user or bot text (keeps newlines)."""
    return text.translate(_STRIP).strip()


def one_line(text: str) -> str:
    """`text` as a single line: cleaned, every line break shown as `NEWLINE_MARK` (`` ¶ ``) and
    every literal ``¶`` as `PILCROW_MARK` (``[¶]``), so the two never look alike. A ``[×`` becomes
    ``[x``: the digest writes a repeat count as ``[×3, Mar 04 → May 02 2026]`` before a message, and
    no message may write one of its own."""
    return NEWLINE_MARK.join(clean_text(text).replace("¶", PILCROW_MARK).replace("[×", "[x").splitlines())
