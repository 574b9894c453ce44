"""Lists of reason codes from conditions, shared by the scores' reasons and the channels' ineligible reasons."""

from __future__ import annotations

from functools import partial

import polars as pl

CODES_PER_MASK = 64  # one bit per code in an unsigned 64-bit mask; more codes take several masks


def codes_where(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """A list of the codes whose condition holds, in the order given; an empty list where none holds
    (a null condition does not hold).

    The conditions become one integer per row, bit i set where condition i holds. A catalogue has few distinct
    combinations (hundreds among a million listings), so each distinct mask is spelled out once and the rows take
    their list from it: one list per combination instead of a string per code and row, and no concatenation of
    lists, which cost more than the conditions themselves.
    """
    items = list(conditions.items())
    if not items:
        return pl.lit([], pl.List(pl.String))
    picked = [_picked(items[start : start + CODES_PER_MASK]) for start in range(0, len(items), CODES_PER_MASK)]
    return picked[0] if len(picked) == 1 else picked[0].list.concat(picked[1:])


def _picked(items: list[tuple[str, pl.Expr]]) -> pl.Expr:
    mask = pl.sum_horizontal(
        [condition.fill_null(False).cast(pl.UInt64) * (1 << bit) for bit, (_, condition) in enumerate(items)]
    )
    codes = tuple(code for code, _ in items)
    return mask.map_batches(partial(codes_of_masks, codes=codes), return_dtype=pl.List(pl.String), is_elementwise=True)


def codes_of_masks(masks: pl.Series, codes: tuple[str, ...]) -> pl.Series:
    """For each mask, the codes whose bit is set in it, in the order of `codes`."""
    distinct = masks.unique()
    spelled = pl.DataFrame(
        {
            "mask": distinct,
            "codes": pl.Series(
                [[code for bit, code in enumerate(codes) if mask >> bit & 1] for mask in distinct.to_list()],
                dtype=pl.List(pl.String),
            ),
        }
    )
    return masks.to_frame("mask").join(spelled, on="mask", how="left", maintain_order="left").get_column("codes")
