"""The one secret scrubber: every string that leaves the process passes through here.

What leaves the process: tool results (text blocks and structured content, success and error
alike, wrapped in `server.EngatiMCPServer.call_tool`), what the command line prints
(`cli`), and log records (`logs`' record factory). Each of those calls `scrub` / `scrub_json`
below; new output must too.

Why more than a `str.replace` of the key: Engati's error bodies can echo the request's
`Authorization` header, a proxy or client may have built that header from `user:key` in base64,
a URL can carry the key percent-encoded, and a cut (Engati's `desc` is shortened to 200
characters when parsed) can leave half a key behind. So for each secret (the API key,
ENGATI_MCP_HTTP_TOKEN) these forms are masked:

- the secret itself, also all upper or lower case, and percent-encoded;
- its base64, standard and URL-safe, padded or not, at each of the three byte alignments (so
  the key inside base64 of `user:key`, `:key` or `key:` is found whatever precedes it), and that
  base64 percent-encoded;
- any fragment of 8 or more characters of any of those forms (what a cut leaves), widened to the
  longest run of the form around it.

How, cheaply: every 8-character window of every form goes into one compiled regex, built as a
trie so the engine skips non-candidate characters fast; each hit is widened in both directions
along the form it came from, then replaced with `***`. Windows with fewer than 4 distinct
characters (``00000000``) are left out: they carry almost no secret and would mask ordinary
numbers; a whole form is still always masked. Scrubbing 1 MB of text takes a few milliseconds
(see tests/test_secrets.py).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

T = TypeVar("T")

REDACTED = "***"
SECRET_ENV = ("ENGATI_API_KEY", "ENGATI_MCP_HTTP_TOKEN")
FRAGMENT = 8  # the shortest piece of a secret that is masked on its own
_MIN_SECRET = 6  # shorter "secrets" are not masked: masking "abc" would garble every line
_MIN_DISTINCT = 4  # a window needs this many different characters to count as a fragment
_remembered: set[str] = set()


class SecretScrubber:
    """Masks a fixed set of secrets, in every form they travel in, in strings and JSON values."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = sorted({form for s in _usable(secrets) for form in _forms(s)}, key=len, reverse=True)
        self._where: dict[str, list[tuple[str, int]]] = {}  # needle -> (form, offset) it occurs at
        for form in forms:
            for needle, offset in _needles(form):
                self._where.setdefault(needle, []).append((form, offset))
        self._pattern = re.compile(_trie_regex(self._where)) if self._where else None
        # A cheap first pass: needles only hold these characters, so only runs of them, long
        # enough, can hold one (about twice as fast on chat text as the trie over every position).
        alphabet = "".join(sorted({re.escape(ch) for needle in self._where for ch in needle}))
        shortest = min(map(len, self._where), default=1)
        self._runs = re.compile(f"[{alphabet}]{{{shortest},}}") if alphabet else None

    def scrub(self, text: str) -> str:
        """`text` with every form and 8+ character fragment of every secret replaced by `***`."""
        if self._pattern is None or self._runs is None or not text:
            return text
        parts: list[str] = []
        done = 0  # text[:done] is settled: copied to parts or masked
        while (run := self._runs.search(text, done)) is not None:
            hit = self._pattern.search(text, run.start(), run.end())
            if hit is None:
                parts.append(text[done : run.end()])
                done = run.end()
                continue
            start, end = self._widen(text, hit, done)
            parts += [text[done:start], REDACTED]
            done = end
        parts.append(text[done:])
        return "".join(parts) if len(parts) > 1 else text

    def scrub_json(self, value: T) -> T:
        """A JSON-like value (dicts, lists, tuples, strings, dict keys included) with every string scrubbed."""
        if self._pattern is None:
            return value
        return self._json(value)

    def _json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {self._json(k): self._json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._json(v) for v in value)
        return value

    def _widen(self, text: str, hit: re.Match[str], floor: int) -> tuple[int, int]:
        """The longest span around `hit` that matches one of the forms the hit occurs in."""
        best = hit.span()
        for form, offset in self._where[hit.group()]:
            start, end = hit.start(), hit.end()
            f_start, f_end = offset, offset + (end - start)
            while start > floor and f_start > 0 and text[start - 1] == form[f_start - 1]:
                start, f_start = start - 1, f_start - 1
            while end < len(text) and f_end < len(form) and text[end] == form[f_end]:
                end, f_end = end + 1, f_end + 1
            if end - start > best[1] - best[0]:
                best = (start, end)
        return best


def _usable(secrets: Iterable[str]) -> set[str]:
    return {s.strip() for s in secrets if s and len(s.strip()) >= _MIN_SECRET}


def _forms(secret: str) -> set[str]:
    """Every spelling of `secret` that could travel in a header, a URL or an error body."""
    raw = {secret, secret.upper(), secret.lower(), quote(secret, safe=""), quote_plus(secret)}
    encoded: set[str] = set()
    data = secret.encode()
    # Base64 encodes 3 bytes at a time: the key's encoding depends on its offset modulo 3 in
    # whatever was encoded ("u:key" is offset 2). Pad in front to cover each offset; the
    # characters that mix in the padding differ, the fragment rule finds the rest.
    for before in (b"", b":", b"::"):
        for after in (b"", b":"):
            for code in (base64.b64encode(before + data + after), base64.urlsafe_b64encode(before + data + after)):
                text = code.decode()
                encoded |= {text, text.rstrip("="), quote(text, safe="")}
    return {form for form in raw | encoded if len(form) >= _MIN_SECRET}


def _needles(form: str) -> list[tuple[str, int]]:
    """What the regex looks for in one form: its 8-character windows worth masking, and the
    whole form when it is short or has no such window."""
    windows = [(form[i : i + FRAGMENT], i) for i in range(len(form) - FRAGMENT + 1)]
    windows = [(w, i) for w, i in windows if len(set(w)) >= _MIN_DISTINCT]
    return windows or [(form, 0)]


def _trie_regex(needles: Iterable[str]) -> str:
    """One alternation of literal strings as a trie (shared prefixes factored out), so the regex
    engine never tries the same prefix twice at a position."""
    trie: dict[str, Any] = {}
    for needle in needles:
        node = trie
        for ch in needle:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a needle
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _trie_node(child) if ch else "" for ch, child in sorted(node.items(), reverse=True)]
    # Longer branches first ("" sorts last): at a needle's end, prefer a longer needle.
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


# ---------------------------------------------------------------------------------------------
# The process's scrubber: every secret this process has been given, wherever it came from


def remember(*secrets: str | None) -> None:
    """Add secrets given other than through the environment (a `--api-key` flag, server overrides).

    Secrets are only ever added: a process that once held a key keeps masking it.
    """
    for secret in secrets:
        if secret and secret.strip():
            _remembered.add(secret.strip())
            _remembered.update(secret.split())  # a malformed value's pieces, each on its own


def scrubber() -> SecretScrubber:
    """The scrubber for every secret known now: remembered ones and the ENGATI_* secret variables."""
    return _scrubber_for(frozenset(_remembered | _environment_secrets()))


def scrub(text: str) -> str:
    """`text` without any secret this process knows (see the module docstring for the forms)."""
    return scrubber().scrub(text)


def scrub_json(value: T) -> T:
    """`value` (JSON-like, keys included) without any secret this process knows."""
    return scrubber().scrub_json(value)


def _environment_secrets() -> set[str]:
    found: set[str] = set()
    for name in SECRET_ENV:
        value = os.environ.get(name, "")
        if value.strip():
            found |= {value.strip(), *value.split()}
    return found


@lru_cache(maxsize=32)
def _scrubber_for(secrets: frozenset[str]) -> SecretScrubber:
    return SecretScrubber(secrets)
