"""Estimates of the weight and box an export leaves out, each with its basis.

A declared weight or box is used as exported unless it is missing, 0, a shared placeholder box, or implausible
(a weight far from what the title states or the product type weighs, or below the least the type weighs, a density
no packed goods have, a box shorter than a length the title names). What is not usable is estimated from the best
evidence, in this order:

- `sibling`: the same product elsewhere in the batch (the same `product_group`: a Shopify handle, a WooCommerce or
  Magento parent), its heaviest declared weight and largest declared sides;
- `title`: a weight stated in the title or description (`5 lb`, `500g`), a liquid's volume (`1 gal`, `23L`) at
  water's density plus its bottle, or a length (`26"`, `72 cm`, `4 ft`) as the box's longest side;
- `category_prior`: the product type's typical packed weight and box (xborder_pipeline/priors.toml), at the
  conservative point (the upper quartile) so that an estimate never flatters a listing; scaled to the size the
  title names where the prior is given for one size (a duct fan's diameter).

`weight_basis` and `dimensions_basis` say which (`declared`, `sibling`, `title`, `category_prior`, `none`); the
declared columns stay as exported and `estimated_*` hold the values the costs rest on in their place.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

import polars as pl

from xborder_pipeline.config import EstimatesSettings, Prior, Settings
from xborder_pipeline.features.dimensions import SIDES

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
    "stated_weight_kg",
)
# Columns the scores' reasons read (set aside declared values), not stored.
SET_ASIDE_COLUMNS = (
    "weight_set_aside",
    "declared_weight_too_dense",
    "dimensions_below_title_size",
    "declared_box_too_small",
)

# A number may be a fraction ("1/4\"", "1/2 gal"): read whole, so that its denominator is not taken for the number.
_NUMBER = r"([0-9]+(?:[.,][0-9]+)?(?:/[0-9]+)?)"
# ASCII word boundaries: Unicode ones keep the regex engine off its fast path (2-5x slower on titles).
_B = r"(?-u:\b)"
# A size, weight or volume in a text: a number, then its unit; the first of each kind is taken. "2 in 1" and "inside"
# are not inches: "in" must be followed by neither a letter nor (after spaces) a digit. Symbols ('', ", ', the
# typographic ”) end without a word boundary.
_LENGTH = _NUMBER + r" ?((?:mm|cm|ft|feet|foot|inch(?:es)?)" + _B + r"|''|\"|”|'|in(?:[^\sa-z0-9]|\s+[^\s0-9]|\s*$))"
# "1- Gallon", "5-lb": a hyphen may stand between the number and a weight or volume.
_AND = r"(?: ?- ?| )?"
_WEIGHT = _NUMBER + _AND + r"(kgs?|kilo(?:gram)?s?|grams?|gr|gms?|g|lbs?|pounds?|oz|ounces?)" + _B
_VOLUME = (
    _NUMBER + _AND + r"(ml|millilit(?:er|re)s?|lit(?:er|re)s?|ltr|lt|l|gal|gall|gallons?|qt|quarts?|fl\.?\s*oz)" + _B
)
# An application rate in a description ("add 2-7 ml of Bloom A per gallon", "15ml per 100 liters", "5 g/L") is a
# dose, not the contents: a description that gives one states no weight or volume of the goods.
_DOSE_MARKERS = [" per ", "ml/", "g/l", "g/gal", "/gal", "/ gal", "/liter", "/litre", "/l ", "/l.", "/l,"]

# A digit right before a unit, or one space between (then the unit spelt at least two letters, so that "2026
# Phone" is not a digit before a "p"): titles without any of these state no size or weight.
_UNIT_TOKENS = tuple(
    {
        *(
            f"{digit}{unit}"
            for digit in "0123456789"
            for unit in ("mm", "cm", "ft", "fe", "fo", "in", "'", '"', "\u201d", "k", "g", "l", "p", "o", "q", "fl")
        ),
        *(
            f"{digit} {unit}"
            for digit in "0123456789"
            for unit in (
                "mm",
                "cm",
                "ft",
                "feet",
                "foot",
                "in ",
                "inch",
                "kg",
                "kilo",
                "g ",
                "gr",
                "gm",
                "lb",
                "pound",
                "oz",
                "ounce",
                "'",
                '"',
                "\u201d",
                "l ",
                "lt",
                "lit",
                "ml",
                "gal",
                "qt",
                "quart",
                "fl",
            )
        ),
    }
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

    Only listings worth a closer look have their title and description read: those with a missing, 0, placeholder
    or implausibly dense weight or box, and those whose title names a size or weight (a digit and a unit). The
    others are checked against their category's prior only: reading every title would cost more than the whole
    of the other features' text matching.
    """
    estimates = settings.estimates
    quality = settings.data_quality
    has_groups = "product_group" in listings.collect_schema().names()
    weight = pl.col("weight_kg")
    declared_weight = (weight > 0).fill_null(False)
    declared_box = pl.all_horizontal([pl.col(side) > 0 for side in SIDES]).fill_null(False)
    declared_density = weight / (pl.col("length_cm") * pl.col("width_cm") * pl.col("height_cm") / 1e6)
    placeholder = (
        (pl.col("listings_sharing_box") >= quality.placeholder_box_min_listings)
        & (pl.col("categories_sharing_box") >= quality.placeholder_box_min_categories)
    ).fill_null(False)
    implausibly_dense = (
        (declared_density > quality.max_density_kg_per_m3) | (declared_density < quality.min_density_kg_per_m3)
    ).fill_null(False)
    title = pl.col("title").str.to_lowercase()
    examine = (
        ~declared_weight
        | ~declared_box
        | placeholder
        | implausibly_dense
        | title.str.contains_any(list(_UNIT_TOKENS)).fill_null(False)
    )
    indexed = listings.with_columns(
        _category_prior=prior_index(estimates.priors, titles=False), _placeholder=placeholder
    ).with_row_index("_row")
    description = pl.col("description").str.to_lowercase()
    description = pl.when(~description.str.contains_any(_DOSE_MARKERS).fill_null(False)).then(description)
    title_length = length_cm(title)
    examined = indexed.filter(examine).select(
        "_row",
        _prior=prior_index(estimates.priors),
        _title_length_cm=usable_length_cm(title_length, estimates),
        _title_size_cm=title_size_cm(title_length, estimates),
        _stated_kg=stated_weight_kg(title, estimates),
        _description_kg=stated_weight_kg(description, estimates),
        _litres=pl.when(
            pl.col("is_liquid").fill_null(False)
            & ~title.str.contains(_words_pattern(estimates.dry_volume_keywords)).fill_null(False)
        ).then(pl.coalesce(litres(title), one_unit_litres(title), litres(description))),
    )
    staged = indexed.join(examined, on="_row", how="left", maintain_order="left").with_columns(
        _prior=pl.coalesce("_prior", "_category_prior"),
        # the goods' weight the title (else the description) states, unpacked: weight_unit_checks compares it with the
        # declared weight, file by file
        stated_weight_kg=pl.coalesce("_stated_kg", "_description_kg"),
    )
    # a prior given for one size (a duct fan's diameter), scaled to the size the title names
    size_ratio = (
        (pl.col("_title_size_cm") / _prior_value(estimates.priors, lambda prior: prior.title_size_cm))
        .clip(1 / estimates.prior_title_size_max_ratio, estimates.prior_title_size_max_ratio)
        .fill_null(1.0)
    )
    picked_sides = {
        f"_prior_{side}": _prior_value(estimates.priors, _side_picker(estimates, index)) * size_ratio.sqrt()
        for index, side in enumerate(SIDES)
    }
    staged = staged.with_columns(
        _prior_weight_kg=_prior_value(estimates.priors, _weight_picker(estimates)) * size_ratio,
        _prior_min_weight_kg=_prior_value(estimates.priors, lambda prior: prior.min_weight_kg) * size_ratio,
        _title_packed_kg=packed_weight_kg(pl.col("stated_weight_kg"), estimates).fill_null(
            pl.col("_litres") * (estimates.liquid_kg_per_litre + estimates.liquid_packaging_kg_per_litre)
        ),
        **picked_sides,
    )
    below_title = (
        declared_box
        & (pl.col("_title_length_cm") > pl.max_horizontal(*SIDES) * (1 + estimates.title_size_max_excess_share))
    ).fill_null(False)
    box_ok = declared_box & ~pl.col("_placeholder") & ~below_title
    # the goods' weight the title gives: a stated weight, else a liquid's volume at its density
    title_goods_kg = pl.coalesce("_stated_kg", pl.col("_litres") * estimates.liquid_kg_per_litre)
    title_ratio = weight / title_goods_kg
    # packing and multipacks make small goods weigh several times their stated weight: a weight is too heavy for
    # its title only when it is also title_weight_max_excess_kg over it (a 10 g powder ships at 80 g)
    too_heavy = (title_ratio > estimates.title_weight_max_ratio) & (
        weight - title_goods_kg > estimates.title_weight_max_excess_kg
    )
    # far heavier than the product type, or lighter than any of it (a placeholder: 0.85 kg for an 18 in duct fan)
    weight_set_aside = declared_weight & (
        (too_heavy | (title_ratio < 1 / estimates.title_weight_max_ratio)).fill_null(False)
        | (weight > pl.col("_prior_weight_kg") * estimates.prior_weight_max_ratio).fill_null(False)
        | (weight < pl.col("_prior_min_weight_kg")).fill_null(False)
    )
    # denser than solid steel in a usable box: one of the two is wrong. A heavy weight is (grams typed as pounds: 454 lb
    # for a 1 lb block); a weight a small parcel carries (up to dense_box_doubted_up_to_kg) in a box too small for it
    # is not, the box is (1 lb in a 1 in cube for a 20 gal fabric pot: a placeholder box)
    impossible = (
        declared_weight & ~weight_set_aside & box_ok & (declared_density > quality.max_density_kg_per_m3)
    ).fill_null(False)
    box_too_small = impossible & (weight <= estimates.dense_box_doubted_up_to_kg)
    too_dense = impossible & ~box_too_small
    staged = staged.with_columns(
        weight_set_aside=weight_set_aside,
        declared_weight_too_dense=too_dense,
        declared_box_too_small=box_too_small,
        dimensions_below_title_size=below_title,
        _weight_ok=declared_weight & ~weight_set_aside & ~too_dense,
        _box_ok=box_ok & ~box_too_small,
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
        "_row",
        "_category_prior",
        "_placeholder",
        "_prior",
        "_title_length_cm",
        "_title_size_cm",
        "_stated_kg",
        "_description_kg",
        "_litres",
        "_title_packed_kg",
        "_prior_weight_kg",
        "_prior_min_weight_kg",
        *(f"_prior_{side}" for side in SIDES),
        "_weight_ok",
        "_box_ok",
    )


def priced_weight_kg() -> pl.Expr:
    """The weight costs rest on: the declared one when usable, else the estimate (null when neither)."""
    return (
        pl.when(pl.col("weight_basis") == "declared").then(pl.col("weight_kg")).otherwise(pl.col("estimated_weight_kg"))
    )


def priced_side_cm(side: str) -> pl.Expr:
    """A box side costs rest on: the declared one when the box is usable, else the estimate."""
    return pl.when(pl.col("dimensions_basis") == "declared").then(pl.col(side)).otherwise(pl.col(f"estimated_{side}"))


# --- the title's own sizes, weights and volumes -----------------------------------------------------------------


# A fertiliser's N-P-K analysis ("0-0-0.3 Gall.", "9-47-9 500 gm") is no amount: its last figure is not the volume.
_ANALYSIS = r"(?-u:\b)[0-9]+(?:\.[0-9]+)? ?- ?[0-9]+(?:\.[0-9]+)? ?- ?[0-9]+(?:\.[0-9]+)?"


def _measure(text: pl.Expr, pattern: str) -> tuple[pl.Expr, pl.Expr]:
    """The first number and unit the (lower-case) text states in `pattern`, an N-P-K analysis aside."""
    found = text.str.replace_all(_ANALYSIS, " ").str.extract_groups(pattern)
    given = found.struct.field("1").str.replace(",", ".", literal=True).str.split_exact("/", 1)
    whole = given.struct.field("field_0").cast(pl.Float64, strict=False)
    divisor = given.struct.field("field_1").cast(pl.Float64, strict=False)
    number = pl.when(divisor.is_null()).then(whole).when(divisor > 0).then(whole / divisor)  # "11/0" beads: none
    return number, found.struct.field("2")


def length_cm(text: pl.Expr) -> pl.Expr:
    """The first length the (lower-case) text states (`26"`, `72 cm`, `4 ft`), in cm; null when none."""
    number, unit = _measure(text, _LENGTH)
    per_unit = (
        pl.when(unit == "mm")
        .then(0.1)
        .when(unit == "cm")
        .then(1.0)
        .when(unit.is_in(["ft", "feet", "foot", "'"]))
        .then(CM_PER_FOOT)
        .otherwise(CM_PER_INCH)  # inch, inches, in, '', " and the typographic double quote
    )
    return number * per_unit


def usable_length_cm(length: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """A title's length taken as the goods' longest side: within title_length_min_cm .. title_length_max_cm, and
    not of coiled or rolled goods (a 6 ft cable)."""
    coiled = pl.col("title").str.to_lowercase().str.contains(_words_pattern(estimates.coiled_goods_keywords))
    return pl.when(~coiled.fill_null(False)).then(title_size_cm(length, estimates))


def title_size_cm(length: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """A title's length taken as the goods' size (a prior's title_size_cm): within title_length_min_cm ..
    title_length_max_cm, coiled goods too (a 6 in duct's diameter)."""
    usable = (length >= estimates.title_length_min_cm) & (length <= estimates.title_length_max_cm)
    return pl.when(usable).then(length)


def stated_weight_kg(text: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """The first weight the (lower-case) text states (`5 lb`, `500g`), in kg, unpacked; null when none, or under
    title_weight_min_kg ("5G", "4G LTE")."""
    number, unit = _measure(text, _WEIGHT)
    per_unit = (
        pl.when(unit.str.starts_with("k"))
        .then(1.0)
        .when(unit.str.starts_with("l") | unit.str.starts_with("p"))
        .then(KG_PER_LB)
        .when(unit.str.starts_with("o"))
        .then(KG_PER_OZ)
        .otherwise(0.001)  # g, gr, gram, grams
    )
    weight = number * per_unit
    return pl.when(weight >= estimates.title_weight_min_kg).then(weight)


def litres(text: pl.Expr) -> pl.Expr:
    """The first volume the (lower-case) text states (`1 gal`, `23L`, `500 ml`, `32 fl oz`), in litres."""
    number, unit = _measure(text, _VOLUME)
    per_unit = (
        pl.when(unit.str.starts_with("m"))
        .then(0.001)
        .when(unit.str.starts_with("g"))
        .then(LITRES_PER_GALLON)
        .when(unit.str.starts_with("q"))
        .then(LITRES_PER_QUART)
        .when(unit.str.starts_with("f"))
        .then(LITRES_PER_FL_OZ)
        .otherwise(1.0)  # l, lt, ltr, litre, liter
    )
    volume = number * per_unit
    return pl.when(volume > 0).then(volume)


# A liquid's title that names its size by the unit alone ("Decision Gallon", "FloraBlend gal", "Clearex Qt.") sells
# one of it.
_ONE_UNIT = {"gallon": LITRES_PER_GALLON, "gall": LITRES_PER_GALLON, "gal": LITRES_PER_GALLON,
             "quart": LITRES_PER_QUART, "qt": LITRES_PER_QUART, "liter": 1.0, "litre": 1.0,
             "pint": LITRES_PER_QUART / 2}


def one_unit_litres(title: pl.Expr) -> pl.Expr:
    """The volume of a title that names a unit without a number (`Decision Gallon`): one of it, in litres."""
    word = title.str.extract(rf"{_B}({'|'.join(_ONE_UNIT)}){_B}", 1)
    return word.replace_strict(_ONE_UNIT, default=None, return_dtype=pl.Float64)


def _words_pattern(words: Sequence[str]) -> str:
    """Any of `words` as whole words (a plural -s or -es too)."""
    joined = "|".join(pl.escape_regex(word.lower()) for word in sorted(words, key=len, reverse=True))
    return rf"{_B}(?:{joined})(?:e?s)?{_B}"


def packed_weight_kg(goods_kg: pl.Expr, estimates: EstimatesSettings) -> pl.Expr:
    """Goods plus packing: packaging_weight_share more, and at least packaging_weight_min_kg more."""
    return pl.max_horizontal(
        goods_kg * (1 + estimates.packaging_weight_share), goods_kg + estimates.packaging_weight_min_kg
    )


# --- product-type priors ----------------------------------------------------------------------------------------


def prior_index(priors: Sequence[Prior], titles: bool = True) -> pl.Expr:
    """The position in `priors` of the first (highest-priority) prior whose keywords the category (or, with
    `titles`, the title) names, whose categories the category names or (with `titles`) whose title keywords the
    title names; null when none does."""
    title_words = _word_positions({i: [*p.keywords, *p.title_keywords] for i, p in enumerate(priors)}) if titles else {}
    category_words = _word_positions({i: [*p.keywords, *p.categories] for i, p in enumerate(priors)})
    named = [
        _first_named(pl.col(column).str.to_lowercase(), words)
        for column, words in (("category", category_words), ("title", title_words))
        if words
    ]
    if not named:
        return pl.lit(None, pl.Int64)
    return pl.min_horizontal(*named)


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
    pattern, by_priority, ranks = _named_pattern(tuple(positions.items()))
    found = text.str.extract_all(pattern).cast(pl.List(pl.Enum(list(by_priority)))).list.min()
    return pl.lit(pl.Series(list(ranks), dtype=pl.Int64)).gather(found.to_physical())


@cache
def _named_pattern(positions: tuple[tuple[str, int], ...]) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
    """The pattern that finds the words, the words ordered by priority and each one's prior: made once per priors
    (the few thousand words of the default priors took 0.03 s to order and escape, in every batch)."""
    words = [word for word, _ in positions]
    latin = [word for word in words if not _has_cjk(word)]
    others = [word for word in words if _has_cjk(word)]
    alternatives = []
    if latin:
        # whole words only: "vase" is not in "canvases", "t5" not in "t50"
        joined = "|".join(pl.escape_regex(word) for word in sorted(latin, key=len, reverse=True))
        alternatives.append(rf"{_B}(?:{joined}){_B}")
    if others:
        alternatives.append("|".join(pl.escape_regex(w) for w in sorted(others, key=len, reverse=True)))
    # the words as an Enum ordered by priority: the smallest found is the highest-priority prior's
    prior_of = dict(positions)
    by_priority = sorted(words, key=lambda word: prior_of[word])
    return "|".join(alternatives), tuple(by_priority), tuple(prior_of[word] for word in by_priority)


def _has_cjk(word: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in word)


def _prior_value(priors: Sequence[Prior], pick) -> pl.Expr:  # noqa: ANN001 - a Prior -> float or None
    if not priors:
        return pl.lit(None, pl.Float64)
    return pl.lit(pl.Series([pick(p) for p in priors], dtype=pl.Float64)).gather(pl.col("_prior"))


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
    # The prior's box holds the prior's weight. Goods declared lighter are slimmer, not shorter (a jacket folds
    # thinner; a tube keeps its length): its two shorter sides shrink with the square root of the weight ratio, to
    # no less than prior_box_min_cross_section_share of the prior's cross-section, and never grow.
    lighter = (pl.col("weight_kg") / pl.col("_prior_weight_kg")).clip(estimates.prior_box_min_cross_section_share, 1.0)
    slimmer = pl.when(pl.col("_weight_ok")).then(lighter.sqrt()).otherwise(1.0).fill_null(1.0)
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
    from_prior = {"length_cm": prior_long, "width_cm": prior_middle * slimmer, "height_cm": prior_short * slimmer}
    values = {
        f"estimated_{side}": pl.when(pl.col("_box_ok"))
        .then(pl.lit(None, pl.Float64))
        .when(has_sibling)
        .then(sibling[side])
        .when(title_decides)
        .then(from_title[side])
        .when(has_prior)
        .then(from_prior[side])
        for side in SIDES
    }
    return {"dimensions_basis": basis, **values}
