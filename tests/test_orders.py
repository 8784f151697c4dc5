"""The orders a budget is spent in (engati_mcp.orders)."""

from __future__ import annotations

from engati_mcp.orders import by_halving, from_both_ends, spread


def test_every_prefix_of_spread_covers_the_range_evenly() -> None:
    order = spread(17)
    assert sorted(order) == list(range(17))
    assert order[:3] == (16, 0, 8)  # the most recent, the first, the middle
    assert set(order[3:5]) == {4, 12}  # then the quarters


def test_from_both_ends_keeps_a_long_conversations_start_and_end() -> None:
    assert from_both_ends([10, 11, 12, 13, 14]) == [10, 14, 11, 13, 12]


def test_halving_takes_the_candidate_nearest_the_middle_of_the_longest_gap_first() -> None:
    taken: list[int] = []
    by_halving([1, 2, 3, 40, 41, 97, 98], 1, lambda i: taken.append(i) is None, patience=8)
    assert taken[0] == 41  # nearest the middle of 1..98 (49), though the candidates crowd at the start
    assert sorted(taken) == [1, 2, 3, 40, 41, 97, 98]


def test_halving_takes_a_cluster_of_neighbours_with_each_choice() -> None:
    taken: list[int] = []
    by_halving(list(range(100)), 5, lambda i: taken.append(i) is None, patience=8)
    assert taken[:5] == [49, 50, 51, 52, 53]  # the middle, and four after it: one gap line fewer


def test_halving_stops_after_as_many_refusals_in_a_row_as_its_patience() -> None:
    offered: list[int] = []

    def room_for_six(index: int) -> bool:
        offered.append(index)
        return len(offered) <= 6

    by_halving(list(range(100)), 1, room_for_six, patience=3)
    assert len(offered) == 6 + 3  # six taken, then three refused in a row: there are gaps left, but no room


def test_halving_with_a_price_takes_the_cheapest_near_the_middle_but_never_outside_its_middle_half() -> None:
    prices = {i: 10 for i in range(100)} | {44: 2, 10: 1}  # 44 is cheap and near the middle; 10 is far
    taken: list[int] = []
    by_halving(list(range(100)), 1, lambda i: taken.append(i) is None, patience=8, price=prices.__getitem__)
    assert taken[0] == 44  # not 49: a cheaper listing four places away (more of them fit)
    assert 10 not in taken[:3]  # the cheapest of all lies outside the middle half: evenness first
    assert sorted(taken) == list(range(100))


def test_halving_with_a_price_prefers_the_nearest_of_equally_cheap_clusters() -> None:
    taken: list[int] = []
    by_halving(list(range(100)), 3, lambda i: taken.append(i) is None, patience=8, price=lambda _: 5)
    assert taken[:3] == [49, 50, 51]  # every price equal: the middle, as without a price
