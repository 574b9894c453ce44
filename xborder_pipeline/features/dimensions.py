"""Size and weight features of the packed unit: what carriers measure and charge for."""

from __future__ import annotations

import polars as pl

SIDES = ("length_cm", "width_cm", "height_cm")


def is_physical_goods() -> pl.Expr:
    """Everything is physical unless an adapter said otherwise (digital downloads, services, fees)."""
    return pl.col("is_physical").fill_null(True)


def all_sides_known() -> pl.Expr:
    """Every side is given and above zero."""
    return pl.all_horizontal([pl.col(side).is_not_null() & (pl.col(side) > 0) for side in SIDES])


def longest_side_cm() -> pl.Expr:
    return pl.when(all_sides_known()).then(pl.max_horizontal(*SIDES))


def shortest_side_cm() -> pl.Expr:
    return pl.when(all_sides_known()).then(pl.min_horizontal(*SIDES))


def median_side_cm() -> pl.Expr:
    total = pl.sum_horizontal(*SIDES)
    return pl.when(all_sides_known()).then(total - pl.max_horizontal(*SIDES) - pl.min_horizontal(*SIDES))


def sum_of_sides_cm() -> pl.Expr:
    """L + W + H, the postal size measure."""
    return pl.when(all_sides_known()).then(pl.sum_horizontal(*SIDES))


def length_plus_girth_cm() -> pl.Expr:
    """Longest side + 2 x (median + shortest), the courier and FBA size measure."""
    return longest_side_cm() + 2 * (median_side_cm() + shortest_side_cm())


def volume_m3() -> pl.Expr:
    return pl.when(all_sides_known()).then(pl.col("length_cm") * pl.col("width_cm") * pl.col("height_cm") / 1e6)


def volumetric_weight_kg(divisor_cm3_per_kg: float) -> pl.Expr:
    """L x W x H / divisor: the weight a carrier bills for space (5000 express, 6000 air and lines)."""
    return pl.when(all_sides_known()).then(
        pl.col("length_cm") * pl.col("width_cm") * pl.col("height_cm") / divisor_cm3_per_kg
    )


def known_weight_kg() -> pl.Expr:
    """The stated weight, when it is above zero (0 is a placeholder, not a weight)."""
    return pl.when(pl.col("weight_kg") > 0).then(pl.col("weight_kg"))


def chargeable_weight_kg(divisor_cm3_per_kg: float) -> pl.Expr:
    """The larger of actual and volumetric weight; whichever is known when only one is."""
    return pl.max_horizontal(known_weight_kg(), volumetric_weight_kg(divisor_cm3_per_kg))


def density_kg_per_m3() -> pl.Expr:
    return pl.when(volume_m3() > 0).then(known_weight_kg() / volume_m3())
