"""Lists of reason codes from conditions, shared by the scores' reasons and the channels' ineligible reasons."""

from __future__ import annotations

from functools import cache

import polars as pl
import pyarrow as pa

# Codes per lookup: 2**16 = 65,536 lists of at most 16 codes, built once per tuple of codes in ~0.1 s.
# More codes than this are split into several lookups whose lists are concatenated.
MAX_CODES_PER_LOOKUP = 16


def codes_where(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """A list of the codes whose condition holds, in the order given; an empty list where none holds
    (a null condition does not hold).

    The conditions become one integer, bit i set where condition i holds, which picks the list from a
    literal of every combination of the codes: one gather instead of a string per code and row.
    """
    items = list(conditions.items())
    if not items:
        return pl.lit([], pl.List(pl.String))
    picked = [
        _picked(items[start : start + MAX_CODES_PER_LOOKUP]) for start in range(0, len(items), MAX_CODES_PER_LOOKUP)
    ]
    return picked[0] if len(picked) == 1 else picked[0].list.concat(picked[1:])


def _picked(items: list[tuple[str, pl.Expr]]) -> pl.Expr:
    mask = pl.sum_horizontal(
        [condition.fill_null(False).cast(pl.UInt32) * (1 << bit) for bit, (_, condition) in enumerate(items)]
    )
    return pl.lit(every_combination(tuple(code for code, _ in items))).gather(mask)


@cache
def every_combination(codes: tuple[str, ...]) -> pl.Series:
    """All 2**len(codes) lists of codes: at index i the codes whose bit is set in i, in the order of `codes`."""
    if len(codes) > MAX_CODES_PER_LOOKUP:
        raise ValueError(f"{len(codes)} codes: at most {MAX_CODES_PER_LOOKUP} per lookup")
    combinations = pl.int_range(1 << len(codes), dtype=pl.UInt32, eager=True)
    bits = pl.DataFrame(
        {"bit": range(len(codes)), "value": [1 << bit for bit in range(len(codes))]},
        schema={"bit": pl.UInt32, "value": pl.UInt32},
    )
    # every (combination, bit set in it), combination by combination, the lowest bit first
    set_bits = (
        pl.DataFrame({"combination": combinations})
        .join(bits, how="cross", maintain_order="left_right")
        .filter((pl.col("combination") & pl.col("value")) != 0)
    )
    values = pl.Series(codes, dtype=pl.String).gather(set_bits.get_column("bit"))
    ends = combinations.bitwise_count_ones().cast(pl.Int64).cum_sum()
    offsets = pl.concat([pl.Series([0], dtype=pl.Int64), ends])
    # built as Arrow offsets and values: ~0.1 s for 16 codes where a Series of Python lists takes ~1 s
    return pl.Series(pa.LargeListArray.from_arrays(offsets.to_arrow(), values.to_arrow())).cast(pl.List(pl.String))
