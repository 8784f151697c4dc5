"""Readers for Engati's loosely spelled JSON fields.

Engati documents no response body (see docs/engati-api.md), so every field is looked up under a
tuple of plausible spellings, first match wins. These readers are shared by `parsing` (envelopes,
users, messages) and `rich_elements` (payloads of carousels, buttons, cards ...). Every text they
return has been through `sanitize.clean_text`, so no reader hands on invisible characters.
"""

from __future__ import annotations

from typing import Any

from engati_mcp.sanitize import clean_text


def first_present(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first key in `keys` that `item` holds and is not null, else None."""
    for key in keys:
        if item.get(key) is not None:
            return item[key]
    return None


def first_scalar(item: Any, keys: tuple[str, ...]) -> str | None:
    """The first non-blank string or integer under `keys`, as cleaned text; None if `item` is
    not an object or has none (a boolean is not an id or a name)."""
    if not isinstance(item, dict):
        return None
    for key in keys:
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return clean_text(str(value))
    return None


def first_list(item: dict[str, Any], keys: tuple[str, ...]) -> list[Any]:
    """The first list under `keys`, else an empty list."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, list):
            return value
    return []
