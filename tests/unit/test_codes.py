"""Reason-code lists from conditions: order kept, nulls do not hold, more codes than one mask holds."""

from __future__ import annotations

import polars as pl

from xborder_pipeline.codes import CODES_PER_MASK, codes_where


def test_codes_come_in_the_order_given_and_a_null_condition_does_not_hold() -> None:
    frame = pl.DataFrame({"a": [True, False, None, True], "b": [True, None, False, False]})
    lists = frame.select(codes=codes_where({"B_FIRST": pl.col("b"), "A_SECOND": pl.col("a")}))["codes"].to_list()
    assert lists == [["B_FIRST", "A_SECOND"], [], [], ["A_SECOND"]]


def test_more_codes_than_one_mask_holds_are_all_listed_in_order() -> None:
    count = CODES_PER_MASK + 6
    frame = pl.DataFrame({"n": [0, 1, 2, 3]})
    conditions = {f"C{i:02d}": (pl.col("n") + i) % 3 == 0 for i in range(count)}
    lists = frame.select(codes=codes_where(conditions))["codes"].to_list()
    expected = [[f"C{i:02d}" for i in range(count) if (n + i) % 3 == 0] for n in range(4)]
    assert lists == expected
    assert lists[0][-1] == "C69"  # past the first mask's 64 codes
