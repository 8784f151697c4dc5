"""Orders in which a budget is spent, so that whatever fits is spread fairly.

`spread` visits 0..n-1 so that every prefix covers the range evenly (the last and the first, then
the middle, then the quarters ...): the conversations the digest lists when not all fit, and the
order it offers more lines in. `from_both_ends` keeps a long conversation's start and its end.
"""

from __future__ import annotations


def spread(n: int) -> list[int]:
    """0..n-1 ordered so that every prefix is spread evenly: last, first, middle, quarters, ..."""
    if n <= 0:
        return []
    order = [n - 1, 0]
    intervals = [(0, n - 1)]
    while intervals:
        following = []
        for low, high in intervals:
            if high - low > 1:
                middle = (low + high) // 2
                order.append(middle)
                following += [(low, middle), (middle, high)]
        intervals = following
    return list(dict.fromkeys(order))


def from_both_ends(items: list[int]) -> list[int]:
    """First, last, second, second to last ...: a long conversation cut short keeps its start and end."""
    return [items[i // 2] if i % 2 == 0 else items[-1 - i // 2] for i in range(len(items))]
