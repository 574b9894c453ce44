"""Estimates of the weight and box an export leaves out, each with its basis.

A declared weight or box is used as exported unless it is missing, 0, a shared placeholder box, or implausible
(a weight far from what the title states or the product type weighs, a density no packed goods have, a box shorter
than a length the title names). What is not usable is estimated from the best evidence, in this order:

- `sibling`: the same product elsewhere in the batch (the same `product_group`: a Shopify handle, a WooCommerce or
  Magento parent), its heaviest declared weight and largest declared sides;
- `title`: a weight stated in the title or description (`5 lb`, `500g`), a liquid's volume (`1 gal`, `23L`) at
  water's density plus its bottle, or a length (`26"`, `72 cm`, `4 ft`) as the box's longest side;
- `category_prior`: the product type's typical packed weight and box (xborder_pipeline/priors.toml), at the
  conservative point (the upper quartile) so that an estimate never flatters a listing.

`weight_basis` and `dimensions_basis` say which (`declared`, `sibling`, `title`, `category_prior`, `none`); the
declared columns stay as exported and `estimated_*` hold the values the costs rest on in their place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from xborder_pipeline.config import EstimatesSettings, Prior, Settings
from xborder_pipeline.features.dimensions import SIDES
from xborder_pipeline.features.keywords import listing_text, mentions_any

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

BASES = ("declared", "sibling", "title", "category_prior", "none")
ESTIMATE_COLUMNS = (
    "weight_basis",
    "dimensions_basis",
    "estimated_weight_kg",
    "estimated_length_cm",
    "estimated_width_cm",
    "estimated_height_cm",
    "estimate_prior",
)
# Columns the scores' reasons read (set aside declared values), not stored.
SET_ASIDE_COLUMNS = ("weight_set_aside", "declared_weight_too_dense", "dimensions_below_title_size")

_NUMBER = r"(\d+(?:[.,]\d+)?)"
# "2 in 1" and "inside" are not inches: "in" must be followed by neither a letter nor (after spaces) a digit.
_LENGTH = _NUMBER + r"\s*(mm|cm|ft|feet|foot|inch(?:es)?|in(?:[^\sa-z0-9]|\s+[^\s0-9]|\s*$)|''|\"|”|')"
_WEIGHT = _NUMBER + r"\s*(kgs?|kilo(?:gram)?s?|grams?|gr|g|lbs?|pounds?|oz|ounces?)(?:[^a-z0-9]|$)"
_VOLUME = (
    _NUMBER + r"\s*(ml|millilit(?:er|re)s?|lit(?:er|re)s?|ltr|lt|l|gal|gallons?|qt|quarts?|fl\.?\s*oz)(?:[^a-z0-9]|$)"
)

CM_PER_INCH = 2.54
CM_PER_FOOT = 30.48
KG_PER_LB = 0.45359237
KG_PER_OZ = 0.028349523125
LITRES_PER_GALLON = 3.785411784  # US gallon
LITRES_PER_QUART = 0.946352946
LITRES_PER_FL_OZ = 0.0295735295625


def with_estimates(listings: Frame, settings: Settings) -> Frame:
    """The listings with the basis and estimate columns, and which declared values were set aside.

    Needs `is_liquid`, `listings_sharing_box` and `categories_sharing_box`; uses `product_group` when present.
    Siblings are looked for within the frame given: one batch of a run (run.batch_rows listings).
    """
    estimates = settings.estimates
    quality = settings.data_quality
    has_groups = "product_group" in listings.collect_schema().names()
    prior = prior_index(estimates.priors)
    title = pl.col("title").str.to_lowercase()
    description = pl.col("description").str.to_lowercase()
    length = title_length_cm(title, estimates)
    stated = pl.coalesce(title_goods_weight_kg(title, estimates), title_goods_weight_kg(description, estimates))
    liquid = pl.col("is_liquid").fill_null(False) & ~mentions_any(
        listing_text("title", "category"), estimates.dry_volume_keywords
    )
    litres = pl.when(liquid).then(pl.coalesce(title_litres(title), title_litres(description)))
    goods_kg = pl.coalesce(stated, litres * estimates.liquid_kg_per_litre)
    packed_kg = packed_weight_kg(
        stated, estimates
    ).fill_null(litres * (estimates.liquid_kg_per_litre + estimates.liquid_packaging_kg_per_litre))
    staged = listings.with_columns(
        _prior=prior,
        _title_length_cm=length,
        _title_goods_kg=goods_kg,
        _title_packed_kg=packed_kg,
    )
    picked_sides = {
        f"_prior_{side}": _prior_value(estimates.priors, _side_picker(estimates, index))
        for index, side in enumerate(SIDES)
    }
    staged = staged.with_columns(
        _prior_weight_kg=_prior_value(estimates.priors, _weight_picker(estimates)),
        **picked_sides,
    )
    weight = pl.col("weight_kg")
    declared_weight = weight > 0
    declared_box = pl.all_horizontal([pl.col(side) > 0 for side in SIDES]).fill_null(False)
    declared_volume_m3 = pl.col("length_cm") * pl.col("width_cm") * pl.col("height_cm") / 1e6
    placeholder = (
        (pl.col("listings_sharing_box") >= quality.placeholder_box_min_listings)
        & (pl.col("categories_sharing_box") >= quality.placeholder_box_min_categories)
    ).fill_null(False)
    below_title = (
        declared_box
        & (pl.col("_title_length_cm") > pl.max_horizontal(*SIDES) * (1 + estimates.title_size_max_excess_share))
    ).fill_null(False)
    box_ok = declared_box & ~placeholder & ~below_title
    title_ratio = weight / pl.col("_title_goods_kg")
    weight_set_aside = declared_weight & (
        ((title_ratio > estimates.title_weight_max_ratio) | (title_ratio < 1 / estimates.title_weight_max_ratio))
        .fill_null(False)
        | (weight > pl.col("_prior_weight_kg") * estimates.prior_weight_max_ratio).fill_null(False)
    )
    # denser than solid steel in a usable box: the weight is the wrong one (grams typed as pounds)
    too_dense = declared_weight & (box_ok & (weight / declared_volume_m3 > quality.max_density_kg_per_m3))
    weight_ok = (declared_weight & ~weight_set_aside & ~too_dense.fill_null(False)).fill_null(False)
    staged = staged.with_columns(
        weight_set_aside=weight_set_aside.fill_null(False),
        declared_weight_too_dense=too_dense.fill_null(False),
        dimensions_below_title_size=below_title,
        _weight_ok=weight_ok,
        _box_ok=box_ok,
    )
    sibling_weight, sibling_sides = _sibling_values(has_groups)
    return staged.with_columns(
        **_weight_estimate(sibling_weight),
        **_box_estimate(sibling_sides, estimates),
        estimate_prior=pl.when(~pl.col("_weight_ok") | ~pl.col("_box_ok")).then(
            pl.lit(pl.Series([p.name for p in estimates.priors], dtype=pl.String)).gather(pl.col("_prior"))
            if estimates.priors
            else pl.lit(None, pl.String)
        ),
    ).drop(
        "_prior",
        "_title_length_cm",
        "_title_goods_kg",
        "_title_packed_kg",
        "_prior_weight_kg",
        *(f"_prior_{side}" for side in SIDES),
        "_weight_ok",
        "_box_ok",
    )


def priced_weight_kg() -> pl.Expr:
    """The weight costs rest on: the declared one when usable, else the estimate (null when neither)."""
    return pl.when(pl.col("weight_basis") == "declared").then(pl.col("weight_kg")).otherwise(
        pl.col("estimated_weight_kg")
    )


def priced_side_cm(side: str) -> pl.Expr:
    """A box side costs rest on: the declared one when the box is usable, else the estimate."""
    return pl.when(pl.col("dimensions_basis") == "declared").then(pl.col(side)).otherwise(
        pl.col(f"estimated_{side}")
    )


# --- the title's own sizes, weights and volumes -----------------------------------------------------------------


def title_length_cm(text: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """The longest length the (lower-case) text states, in cm; null when none, or when it names coiled goods or
    a length outside title_length_min_cm .. title_length_max_cm."""
    unit = pl.element().str.extract(_LENGTH, 2)
    per_unit = (
        pl.when(unit == "mm")
        .then(0.1)
        .when(unit == "cm")
        .then(1.0)
        .when(unit.is_in(["ft", "feet", "foot", "'"]))
        .then(CM_PER_FOOT)
        .otherwise(CM_PER_INCH)
    )
    lengths = text.str.extract_all(_LENGTH).list.eval(_number() * per_unit).list.max()
    usable = (lengths >= estimates.title_length_min_cm) & (lengths <= estimates.title_length_max_cm)
    coiled = mentions_any(text, estimates.coiled_goods_keywords)
    return pl.when(usable & ~coiled).then(lengths)


def title_goods_weight_kg(text: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """The heaviest weight the (lower-case) text states, in kg, unpacked; null when none (or under
    title_weight_min_kg: "5G", "4G LTE")."""
    unit = pl.element().str.extract(_WEIGHT, 2)
    per_unit = (
        pl.when(unit.str.starts_with("k"))
        .then(1.0)
        .when(unit.str.starts_with("l") | unit.str.starts_with("p"))
        .then(KG_PER_LB)
        .when(unit.str.starts_with("o"))
        .then(KG_PER_OZ)
        .otherwise(0.001)
    )
    weights = text.str.extract_all(_WEIGHT).list.eval(_number() * per_unit).list.max()
    return pl.when(weights >= estimates.title_weight_min_kg).then(weights)


def title_litres(text: pl.Expr) -> pl.Expr:
    """The largest volume the (lower-case) text states, in litres; null when none."""
    unit = pl.element().str.extract(_VOLUME, 2)
    per_unit = (
        pl.when(unit.str.starts_with("m"))
        .then(0.001)
        .when(unit.str.starts_with("g"))
        .then(LITRES_PER_GALLON)
        .when(unit.str.starts_with("q"))
        .then(LITRES_PER_QUART)
        .when(unit.str.starts_with("f"))
        .then(LITRES_PER_FL_OZ)
        .otherwise(1.0)
    )
    litres = text.str.extract_all(_VOLUME).list.eval(_number() * per_unit).list.max()
    return pl.when(litres > 0).then(litres)


def packed_weight_kg(goods_kg: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """Goods plus packing: packaging_weight_share more, and at least packaging_weight_min_kg more."""
    return pl.max_horizontal(
        goods_kg * (1 + estimates.packaging_weight_share), goods_kg + estimates.packaging_weight_min_kg
    )


def _number() -> pl.Expr:
    return pl.element().str.extract(_NUMBER, 1).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)


# --- product-type priors ----------------------------------------------------------------------------------------


def prior_index(priors: Sequence[Prior]) -> pl.Expr:
    """The position in `priors` of the first (highest-priority) prior whose keywords the category or title name,
    or whose categories the category names; null when none does."""
    title_words = _word_positions({i: p.keywords for i, p in enumerate(priors)})
    category_words = _word_positions({i: [*p.keywords, *p.categories] for i, p in enumerate(priors)})
    if not category_words:
        return pl.lit(None, pl.Int64)
    in_category = _first_named(pl.col("category").str.to_lowercase(), category_words)
    in_title = _first_named(pl.col("title").str.to_lowercase(), title_words) if title_words else None
    return in_category if in_title is None else pl.min_horizontal(in_category, in_title)


def _word_positions(words_by_prior: dict[int, list[str]]) -> dict[str, int]:
    """Every spelling (a word and its plurals) mapped to the first prior that lists it."""
    positions: dict[str, int] = {}
    for index, words in words_by_prior.items():
        for word in words:
            base = word.lower()
            spellings = [base, base + "s", base + "es"]
            if base.endswith("y"):
                spellings.append(base[:-1] + "ies")
            for spelling in spellings:
                positions.setdefault(spelling, index)
    return positions


def _first_named(text: pl.Expr, positions: dict[str, int]) -> pl.Expr:
    latin = [word for word in positions if not _has_cjk(word)]
    others = [word for word in positions if _has_cjk(word)]
    alternatives = []
    if latin:
        # whole words only: "vase" is not in "canvases", "t5" not in "t50"
        joined = "|".join(pl.escape_regex(w) for w in sorted(latin, key=len, reverse=True))
        alternatives.append(rf"(?:^|[^\p{{L}}\p{{N}}])(?:{joined})(?:$|[^\p{{L}}\p{{N}}])")
    if others:
        alternatives.append("|".join(pl.escape_regex(w) for w in sorted(others, key=len, reverse=True)))
    pattern = "|".join(alternatives)
    words = pl.Series(list(positions), dtype=pl.String)
    indices = pl.Series(list(positions.values()), dtype=pl.Int64)
    found = text.str.extract_all(pattern).list.eval(
        pl.element()
        .str.strip_chars(" \t\n\r|,.;:!?()[]{}/\\\"'-_>&+*#")
        .replace_strict(words, indices, default=None, return_dtype=pl.Int64)
    )
    return found.list.min()


def _has_cjk(word: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in word)


def _prior_value(priors: Sequence[Prior], pick) -> pl.Expr:  # noqa: ANN001 - a Prior -> float
    if not priors:
        return pl.lit(None, pl.Float64)
    return pl.lit(pl.Series([float(pick(p)) for p in priors], dtype=pl.Float64)).gather(pl.col("_prior"))


def _weight_picker(estimates: EstimatesSettings):  # noqa: ANN202 - a Prior -> float
    upper = estimates.conservative_point == "upper"
    return lambda prior: prior.weight_kg[1] if upper else prior.weight_kg[0]


def _side_picker(estimates: EstimatesSettings, index: int):  # noqa: ANN202 - a Prior -> float
    if estimates.conservative_point == "upper":
        return lambda prior: prior.box_cm_upper[index]
    return lambda prior: prior.box_cm_median[index]


# --- siblings and the estimates ---------------------------------------------------------------------------------


def _sibling_values(has_groups: bool) -> tuple[pl.Expr, dict[str, pl.Expr]]:
    """The heaviest usable declared weight and the largest usable declared sides of the listing's product group."""
    if not has_groups:
        return pl.lit(None, pl.Float64), {side: pl.lit(None, pl.Float64) for side in SIDES}
    grouped = pl.col("product_group").is_not_null()
    weight = pl.when(grouped).then(pl.when(pl.col("_weight_ok")).then(pl.col("weight_kg")).max().over("product_group"))
    sides = {
        side: pl.when(grouped).then(pl.when(pl.col("_box_ok")).then(pl.col(side)).max().over("product_group"))
        for side in SIDES
    }
    return weight, sides


def _weight_estimate(sibling: pl.Expr) -> dict[str, pl.Expr]:
    prior_weight = pl.col("_prior_weight_kg")
    basis = (
        pl.when(pl.col("_weight_ok"))
        .then(pl.lit("declared"))
        .when(sibling.is_not_null())
        .then(pl.lit("sibling"))
        .when(pl.col("_title_packed_kg").is_not_null())
        .then(pl.lit("title"))
        .when(prior_weight.is_not_null())
        .then(pl.lit("category_prior"))
        .otherwise(pl.lit("none"))
    )
    value = pl.when(~pl.col("_weight_ok")).then(pl.coalesce(sibling, pl.col("_title_packed_kg"), prior_weight))
    return {"weight_basis": basis, "estimated_weight_kg": value}


def _box_estimate(sibling: dict[str, pl.Expr], estimates: EstimatesSettings) -> dict[str, pl.Expr]:
    """Sibling's box, else the title's length as the longest side (the prior's or a narrow carton's other
    sides), else the prior's box."""
    has_sibling = pl.all_horizontal([expr.is_not_null() for expr in sibling.values()])
    title_long = pl.col("_title_length_cm") + estimates.title_length_padding_cm
    prior_long, prior_middle, prior_short = (pl.col(f"_prior_{side}") for side in SIDES)
    has_prior = prior_long.is_not_null()
    has_title = title_long.is_not_null()
    # the title's length decides the box when it is longer than the prior's box, or there is no prior
    title_decides = has_title & (~has_prior | (title_long > prior_long)).fill_null(True)
    cross = title_long * estimates.title_box_cross_section_share
    from_title = {
        "length_cm": pl.max_horizontal(title_long, prior_long),
        "width_cm": pl.coalesce(prior_middle, cross),
        "height_cm": pl.coalesce(prior_short, cross),
    }
    basis = (
        pl.when(pl.col("_box_ok"))
        .then(pl.lit("declared"))
        .when(has_sibling)
        .then(pl.lit("sibling"))
        .when(title_decides)
        .then(pl.lit("title"))
        .when(has_prior)
        .then(pl.lit("category_prior"))
        .otherwise(pl.lit("none"))
    )
    values = {
        f"estimated_{side}": pl.when(pl.col("_box_ok"))
        .then(pl.lit(None, pl.Float64))
        .when(has_sibling)
        .then(sibling[side])
        .when(has_title | has_prior)
        .then(from_title[side])
        for side in SIDES
    }
    return {"dimensions_basis": basis, **values}
