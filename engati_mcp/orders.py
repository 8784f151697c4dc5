"""Orders in which a budget is spent, so that whatever fits is spread fairly.

`spread` visits 0..n-1 so that every prefix covers the range evenly (the last and the first, then
the middle, then the quarters ...): the conversations the digest lists when not all fit, and the
order it offers more lines in. `by_halving` lists conversations evenly when not all fit, in
clusters, the cheaper of nearby ones first. `from_both_ends` keeps a long conversation's start and its end.
"""

from __future__ import annotations

import bisect
import functools
import heapq
from collections.abc import Callable, Sequence
from itertools import accumulate


@functools.lru_cache(maxsize=32)
def spread(n: int) -> tuple[int, ...]:
    """0..n-1 ordered so that every prefix is spread evenly: last, first, middle, quarters, ...
    (remembered: one digest walks the same order several times)."""
    if n <= 0:
        return ()
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
    return tuple(dict.fromkeys(order))


def from_both_ends(items: list[int]) -> list[int]:
    """First, last, second, second to last ...: a long conversation cut short keeps its start and end."""
    return [items[i // 2] if i % 2 == 0 else items[-1 - i // 2] for i in range(len(items))]


_NEAR_MIDDLE = 8  # how many candidates on either side of a stretch's middle `by_halving` prices


def by_halving(
    candidates: Sequence[int],
    cluster: int,
    take: Callable[[int], bool],
    patience: int,
    price: Callable[[int], int] | None = None,
) -> None:
    """Offer `candidates` (sorted positions) to `take` by halving the longest stretch of the window
    not yet offered, measured in positions, not candidates: the candidate nearest its middle, and up
    to `cluster` - 1 following ones with it (fewer, longer gaps: each gap costs a line). With a
    `price`, the cheapest such cluster that starts in the middle half of the stretch instead: a
    budget lists more conversations when a long request gives way to a short one nearby, and no
    stretch left is longer than three quarters of the one halved. Stops after `patience` offers in
    a row that `take` refuses."""
    gaps = [(-(candidates[-1] - candidates[0] + 1), 0, len(candidates) - 1)] if candidates else []
    misses = 0
    while gaps and misses < patience:
        _, low, high = heapq.heappop(gaps)
        middle = _nearest(candidates, (candidates[low] + candidates[high]) // 2, low, high)
        if price is not None:
            middle = _cheapest_near(candidates, middle, (low, high), cluster, price)
        if not take(candidates[middle]):
            misses += 1
            continue
        misses = 0
        last = middle
        while last < min(high, middle + cluster - 1) and take(candidates[last + 1]):
            last += 1
        for a, b in ((low, middle - 1), (last + 1, high)):
            if a <= b:
                heapq.heappush(gaps, (-(candidates[b] - candidates[a] + 1), a, b))


def _nearest(candidates: Sequence[int], position: int, low: int, high: int) -> int:
    """The index, between `low` and `high`, of the candidate nearest `position`."""
    at = min(bisect.bisect_left(candidates, position, low, high), high)
    if at > low and position - candidates[at - 1] <= candidates[at] - position:
        return at - 1
    return at


def _cheapest_near(
    candidates: Sequence[int], middle: int, stretch: tuple[int, int], cluster: int, price: Callable[[int], int]
) -> int:
    """The index of the first candidate of the cheapest cluster (by mean price) that starts in the
    middle half of `stretch` (indices low..high), among the `_NEAR_MIDDLE` nearest either side of
    `middle`; ties go to the nearest the middle. Each candidate is priced once (a window's sums)."""
    low, high = stretch
    reach = (candidates[high] - candidates[low] + 1) // 4
    first, last = max(low, middle - _NEAR_MIDDLE), min(high, middle + _NEAR_MIDDLE)
    prices = list(
        accumulate((price(candidates[i]) for i in range(first, min(high, last + cluster - 1) + 1)), initial=0)
    )

    def mean_price(start: int) -> tuple[float, int]:
        end = min(high, start + cluster - 1)  # the cluster is start..end
        return (prices[end - first + 1] - prices[start - first]) / (end - start + 1), abs(start - middle)

    starts = (s for s in range(first, last + 1) if abs(candidates[s] - candidates[middle]) <= reach)
    return min(starts, key=mean_price, default=middle)
