"""The one sanitizer: every string from Engati or a chat user passes through here before a model
reads it.

Two steps, used everywhere text from outside is shown:

- `clean_text` (at parse time): strips control, invisible and direction-changing characters, so
  nothing downstream can be fooled by text a reader cannot see. Newlines are kept: they are part
  of what the user wrote.
- `one_line` (at render time): the cleaned text as exactly one line. Every line break (``\\n``,
  U+2028, U+2029, U+0085 ...) becomes `NEWLINE_MARK`, so no text can start a line of its own and
  pose as another message or as the server's own words.
"""

from __future__ import annotations

NEWLINE_MARK = " ¶ "  # one token in o200k (unlike "⏎", three)

# Characters stripped from every text: C0/C1 controls except newline and tab, zero-width and
# invisible formatting marks, bidirectional overrides/isolates, and Unicode "tag" characters
# (an invisible channel for prompt injection). ZWJ/ZWNJ are kept: emoji sequences and Indic
# and Persian scripts need them to render words correctly.
_STRIP = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                            0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, 0x00AD,
                            0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
                            *range(0xE0000, 0xE0080)]}
_STRIP[0x09] = " "
_STRIP[0x0D] = None  # "\r\n" -> "\n"; a lone "\r" would otherwise let text overwrite a terminal line


def clean_text(text: str) -> str:
    """Strip invisible and control characters from end-user or bot text (keeps newlines)."""
    return text.translate(_STRIP).strip()


def one_line(text: str) -> str:
    """`text` as a single line: cleaned, every line break shown as `NEWLINE_MARK`."""
    return NEWLINE_MARK.join(clean_text(text).splitlines())
