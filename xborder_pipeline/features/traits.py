"""Shipping traits from what a listing says about itself, with the evidence behind each flag.

A trait (fragile, liquid, battery, ...) is set by evidence found in the listing's fields, each field
weighed by how much it says about the goods:

- the title, the category and the attribute values (materials, tags) are strong evidence: material
  and product words in every configured language (`keyword`), product types (`type`: HPS lamp,
  foliar spray), terms only a category uses (Olist's slugs, Google taxonomy names), and volumes on
  the label (`liquid:volume:23l`);
- the description is weak evidence: it only counts for the few phrases listed as `description`
  terms ("battery included", "fragile"), because descriptions mention what the goods are not
  ("replaces the glass membrane", "the Earth's magnetic field");
- excluded phrases ("no battery", "magnetic ballast") are no evidence, and veto words in the title
  ("bucket", "dry", "LED") cancel type and volume evidence for their trait: a 5 gal grow bag holds
  no liquid.

All matching for one field is one regular expression over its lower-cased text; each match is looked
up in a table of the forms every term can take and becomes evidence strings such as
`fragile:keyword:it:ceramica`, `liquid:volume:23l` or `fragile:category:glassware`. The list of them
is `trait_evidence`, so a seller can see and correct the basis of every flag.

Word rules: Latin-script terms match whole words (an English plural -s/-es/-ies is allowed, other
languages list their forms); German terms may also start or end a compound (Glasvase); Chinese terms
match anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from xborder_pipeline.config import TraitRules, TraitSettings
from xborder_pipeline.features.dimensions import SIDES

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Where evidence is looked for, and the evidence kind it is reported as.
TITLE, CATEGORY, ATTRIBUTES, DESCRIPTION = "title", "category", "attributes", "description"
TEXT_FIELDS = (TITLE, CATEGORY, ATTRIBUTES, DESCRIPTION)

# The boolean trait columns and the rules behind each (restricted goods come by kind, below).
TRAIT_FLAGS: dict[str, str] = {
    "fragile": "is_fragile",
    "liquid": "is_liquid",
    "battery": "has_battery",
    "loose_battery": "is_loose_battery",
    "powder": "is_powder",
    "magnet": "has_magnet",
    "aerosol_or_flammable": "is_aerosol_or_flammable",
}
RESTRICTED = "restricted"
# Oversize for a parcel: named in the title here (a sofa, a bicycle, a skid), measured once the weight and box the
# costs rest on are known (with_oversize).
OVERSIZE = "oversize"
_EVIDENCE = "_trait_evidence"
_WORD = "(?-u:\\b)"
_SEPARATOR = ";"

# Sizes on the label: volumes are liquid evidence, battery capacities battery evidence; flow rates
# (a pump's 400 GPH, an air pump's 1.5 L/min) are neither and are matched first so that they are skipped.
_NUMBER = r"\d+(?:[.,]\d+)?(?:/\d+)?"  # a fraction whole ("1/2 gal"), not its denominator
_FLOW_RATE = (
    rf"{_NUMBER}\s?(?:ml|l|lt|ltr|liters?|litres?|gal|gallons?)\s?(?:/|per\s)\s?(?:min|minute|h|hr|hour|day)\b"
    rf"|{_NUMBER}\s?(?:gph|gpm|lph|lpm|gpd)\b"
)
_VOLUME = (
    rf"{_NUMBER}\s?-?\s?(?:ml|millilit(?:er|re)s?|cl|l|lt|ltr|lit(?:er|re)s?|gal|gall|gallons?|qt|quarts?"
    rf"|fl\.?\s?oz|fluid\s?ounces?|oz\.?\s?fl|oz|pt|pints?)\b"
)
_CAPACITY = rf"{_NUMBER}\s?(?:mah|wh)\b"
MEASURE_PATTERN = f"{_WORD}(?:{_FLOW_RATE}|{_VOLUME}|{_CAPACITY})"


@dataclass(frozen=True)
class FieldVocabulary:
    """The pattern for one text field and what each matched form is evidence of."""

    pattern: str
    evidence_of: dict[str, str]  # matched form -> ";"-joined evidence strings ("" for an excluded phrase)


def with_traits(listings: Frame, settings: TraitSettings, evidence_as_text: bool = False) -> Frame:
    """The listings with every trait column: the flags, fragility_score, is_restricted, restricted_kind and
    trait_evidence.

    `evidence_as_text` leaves trait_evidence as one ";"-joined string for `with_oversize` to add to and split
    (list operations on every row cost more than the rest of the oversize trait)."""
    evidence = pl.col(_EVIDENCE)
    found = listings.with_columns(found_evidence(settings).alias(_EVIDENCE))
    for trait in _vetoed_traits(settings):
        # a veto word in the title cancels the trait's type and volume evidence ("5 gal grow bag")
        found = found.with_columns(
            pl.when(evidence.str.contains(f"(?:^|{_SEPARATOR}){_escape(trait)}:veto:"))
            .then(evidence.str.replace_all(f"{_escape(trait)}:(?:type|volume):[^{_SEPARATOR}]*", ""))
            .otherwise(evidence)
            .alias(_EVIDENCE)
        )
    found = found.with_columns(evidence.str.replace_all(f"[a-z_/]+:veto:[^{_SEPARATOR}]*", "").alias(_EVIDENCE))
    columns = trait_columns(settings, evidence)
    if evidence_as_text:
        columns["trait_evidence"] = evidence
    found = found.with_columns(**columns).drop(_EVIDENCE)
    if "is_physical" in found.collect_schema().names():
        # a digital download, a service or a fee is never shipped: nothing about it is fragile or dangerous
        physical = pl.col("is_physical").fill_null(True)
        nothing = pl.lit("") if evidence_as_text else pl.lit([], pl.List(pl.String))
        found = found.with_columns(
            *(pl.col(column) & physical for column in (*TRAIT_FLAGS.values(), "is_restricted", "is_oversize")),
            fragility_score=pl.when(physical).then(pl.col("fragility_score")).otherwise(0.0),
            restricted_kind=pl.when(physical).then(pl.col("restricted_kind")),
            trait_evidence=pl.when(physical).then(pl.col("trait_evidence")).otherwise(nothing),
        )
    return found


# The bases of a weight or box that say something of this listing's own size (a category prior does not).
_MEASURED_BASES = ("declared", "sibling", "title")


def with_oversize(listings: Frame, settings: TraitSettings) -> Frame:
    """`is_oversize` and its evidence from the weight and box the costs rest on, and from the product group.

    Needs the trait columns from `with_traits(..., evidence_as_text=True)` (trait_evidence still one ";"-joined
    string, made a list here), `weight_kg` and the sides as priced (declared, else estimated), `weight_basis` and
    `dimensions_basis`; uses `product_group` when present. Evidence says which value and what it rests on:
    `oversize:weight:declared:52.7kg`, `oversize:length:title:128cm`. A listing whose product group has an oversize
    member is oversize too (`oversize:variant:` and that member's evidence), unless its own declared weight and
    box are both within the limits: a 1 qt bottle is no drum because the drum is sold under the same product.
    """
    rules = settings.oversize
    longest = pl.max_horizontal(*SIDES)
    physical = pl.col("is_physical").fill_null(True)
    heavy = physical & pl.col("weight_basis").is_in(_MEASURED_BASES) & (pl.col("weight_kg") > rules.max_weight_kg)
    long = physical & pl.col("dimensions_basis").is_in(_MEASURED_BASES) & (longest > rules.max_longest_side_cm)
    evidence = pl.col("trait_evidence")
    found = listings.with_columns(
        trait_evidence=pl.concat_str(
            evidence,
            pl.when(heavy).then(
                pl.format("{}:weight:{}:{}kg", pl.lit(OVERSIZE), pl.col("weight_basis"), pl.col("weight_kg").round(1))
            ),
            pl.when(long).then(
                pl.format(
                    "{}:length:{}:{}cm", pl.lit(OVERSIZE), pl.col("dimensions_basis"), longest.round(0).cast(pl.Int64)
                )
            ),
            separator=_SEPARATOR,
            ignore_nulls=True,
        ),
        is_oversize=pl.col("is_oversize") | (heavy | long).fill_null(False),
    )
    if "product_group" in found.collect_schema().names():
        own = evidence.str.extract(f"(?:^|{_SEPARATOR}){OVERSIZE}:([^{_SEPARATOR}]*)", 1)
        group_evidence = own.drop_nulls().first().over("product_group")  # own evidence: only oversize listings
        measured_within = (
            (pl.col("weight_basis") == "declared")
            & (pl.col("dimensions_basis") == "declared")
            & ~(heavy | long).fill_null(False)
        )
        inherits = (
            physical
            & ~pl.col("is_oversize")
            & pl.col("product_group").is_not_null()
            & group_evidence.is_not_null()
            & ~measured_within
        )
        found = found.with_columns(
            trait_evidence=pl.concat_str(
                evidence,
                pl.when(inherits).then(pl.lit(f"{OVERSIZE}:variant:") + group_evidence),
                separator=_SEPARATOR,
                ignore_nulls=True,
            ),
            is_oversize=pl.col("is_oversize") | inherits,
        )
    return found.with_columns(trait_evidence=evidence_list(evidence))


def evidence_list(evidence: pl.Expr) -> pl.Expr:
    """The ";"-joined evidence as a list: each piece once, in the order found."""
    return evidence.str.split(_SEPARATOR).list.filter(pl.element() != "").list.unique(maintain_order=True)


def trait_columns(settings: TraitSettings, evidence: pl.Expr) -> dict[str, pl.Expr]:
    """Every trait column from the evidence found, ";"-joined, with vetoed evidence removed."""
    flags = {
        column: evidence.str.contains(f"(?:^|{_SEPARATOR}){trait}:")
        for trait, column in TRAIT_FLAGS.items()
    }
    flags["has_battery"] = flags["has_battery"] | flags["is_loose_battery"]
    headline = evidence.str.contains(f"(?:^|{_SEPARATOR})fragile:(?:keyword|type|category|attribute|volume):")
    kinds = list(settings.restricted)
    restricted_kind = pl.coalesce(
        [pl.when(evidence.str.contains(f"(?:^|{_SEPARATOR}){RESTRICTED}/{kind}:")).then(pl.lit(kind)) for kind in kinds]
    ) if kinds else pl.lit(None, pl.String)
    return {
        **flags,
        "fragility_score": pl.when(headline)
        .then(1.0)
        .when(flags["is_fragile"])
        .then(settings.description_weight)
        .otherwise(0.0),
        "is_restricted": evidence.str.contains(f"(?:^|{_SEPARATOR}){RESTRICTED}/"),
        "is_oversize": evidence.str.contains(f"(?:^|{_SEPARATOR}){OVERSIZE}:"),
        "restricted_kind": restricted_kind,
        "trait_evidence": evidence_list(evidence),
    }


def found_evidence(settings: TraitSettings) -> pl.Expr:
    """Every evidence string found in the listing's fields, ";"-joined, veto markers included."""
    found = [_field_evidence(_text(field), field_vocabulary(settings, field)) for field in TEXT_FIELDS]
    found.append(_measure_evidence(_text(TITLE)))
    found += [_count_evidence(_text(TITLE), trait, rules.counted) for trait, rules in _all_rules(settings)
              if rules.counted]
    return pl.concat_str(found, separator=_SEPARATOR, ignore_nulls=True).fill_null("")


def _vetoed_traits(settings: TraitSettings) -> list[str]:
    return [trait for trait, rules in _all_rules(settings) if rules.veto]


def _text(field: str) -> pl.Expr:
    text = pl.col(field).str.to_lowercase()
    # Olist's slugs (utilidades_domesticas) and paths join words with _ and -: read them as words.
    return text.str.replace_all("_", " ", literal=True) if field == CATEGORY else text


def _field_evidence(text: pl.Expr, vocabulary: FieldVocabulary) -> pl.Expr:
    if not vocabulary.evidence_of:
        return pl.lit(None, pl.String)
    return (
        text.str.extract_all(vocabulary.pattern)
        .list.eval(pl.element().replace_strict(vocabulary.evidence_of, default=None, return_dtype=pl.String))
        .list.drop_nulls()
        .list.join(_SEPARATOR)
    )


def _measure_evidence(text: pl.Expr) -> pl.Expr:
    """Volumes (liquid) and battery capacities on the label; flow rates are skipped."""
    measure = pl.element().str.replace_all(r"\s", "")
    return (
        text.str.extract_all(MEASURE_PATTERN)
        .list.eval(
            pl.when(pl.element().str.contains(f"^(?:{_FLOW_RATE})$"))
            .then(pl.lit(None, pl.String))
            .when(pl.element().str.contains(r"(?:mah|wh)$"))
            .then(pl.lit("battery:capacity:") + measure)
            .otherwise(pl.lit("liquid:volume:") + measure)
        )
        .list.drop_nulls()
        .list.join(_SEPARATOR)
    )


# A count on the label: "8 seed pk", "- 5 Seed" (the noun after the number, then a pack word or the end of a phrase),
# "Seed-8 Pack", "Seed 8pk" (the noun before the number and a pack word). "10 seed starter trays" counts no seeds.
_PACK = r"(?:pk|pks|pack|packs|pcs|ct|count)\b"
_COUNT_SEPARATOR = r"\s?-?\s?"


def _count_pattern(nouns: list[str]) -> str:
    """One expression finding a count of any of the nouns (English, with their plurals) on a lower-case label."""
    noun = "(?:" + "|".join(_escape(form) for term in nouns for form in _forms(term, "en")) + ")"
    before = rf"{_WORD}{noun}{_COUNT_SEPARATOR}\d+{_COUNT_SEPARATOR}{_PACK}"
    after = (rf"{_WORD}\d+{_COUNT_SEPARATOR}(?:(?:pk|pack){_COUNT_SEPARATOR})?{noun}"
             rf"(?:{_COUNT_SEPARATOR}{_PACK}|\s*$|\s*[,.;:)/])")
    return f"{before}|{after}"


def _count_evidence(text: pl.Expr, trait: str, nouns: list[str]) -> pl.Expr:
    """A count of the trait's `counted` nouns on the label (`restricted/seeds_and_plants:count:seed-8pack`)."""
    counted = pl.element().str.replace_all(r"[\s,.;:)/]", "")
    return (
        text.str.extract_all(_count_pattern(nouns))
        .list.eval(pl.lit(f"{trait}:count:") + counted)
        .list.join(_SEPARATOR)
    )


def field_vocabulary(settings: TraitSettings, field: str) -> FieldVocabulary:
    """The forms matched in one field and the evidence each gives, built once per trait settings (20-60 ms for the
    four fields, which every batch of a run would otherwise pay). The settings are compared by value: the next run in
    the same process (a served deployment, a run of several steps) loads equal settings anew and finds them built."""
    if not _VOCABULARIES or (_VOCABULARIES[0][0] is not settings and _VOCABULARIES[0][0] != settings):
        _VOCABULARIES[:] = [(settings, {})]
    built = _VOCABULARIES[0][1]
    if field not in built:
        built[field] = _built_vocabulary(settings, field)
    return built[field]


_VOCABULARIES: list[tuple[TraitSettings, dict[str, FieldVocabulary]]] = []  # the last trait settings' vocabularies


def _built_vocabulary(settings: TraitSettings, field: str) -> FieldVocabulary:
    evidence_of: dict[str, list[str]] = {}
    languages: dict[str, str] = {}

    def add(form: str, evidence: str | None, language: str) -> None:
        listed = evidence_of.setdefault(form, [])
        if evidence is not None and evidence not in listed:
            listed.append(evidence)
        # a form several languages share takes the most lenient rule: German compounds, then whole words
        if language == "de" or form not in languages:
            languages[form] = language

    for trait, rules in _all_rules(settings):
        kind_of_keyword = {TITLE: "keyword", CATEGORY: "category", ATTRIBUTES: "attribute"}.get(field)
        if field == DESCRIPTION:
            for language, term in _by_language(rules.description):
                for form in _forms(term, language):
                    add(form, f"{trait}:description:{language}:{term.lower()}", language)
        else:
            for language, term in _by_language(rules.keywords):
                for form in _forms(term, language):
                    add(form, _evidence(trait, kind_of_keyword, language, term, field), language)
            if field != CATEGORY:  # a type names the goods; a category's "Fluorescent Fixtures" does not
                for language, term in _by_language(rules.types):
                    for form in _forms(term, language):
                        add(form, _evidence(trait, "type", language, term, field), language)
            else:
                for term in rules.category:
                    for form in _forms(term, "en"):
                        add(form, f"{trait}:category:{term.lower()}", "en")
            vetoes = rules.veto if field == TITLE else rules.category_veto if field == CATEGORY else []
            if vetoes:
                for term in vetoes:
                    for form in _forms(term, _language_of(term)):
                        add(form, f"{trait}:veto:{term.lower()}", _language_of(term))
        for term in rules.exclude:
            for form in _forms(term, _language_of(term)):
                add(form, None, _language_of(term))
    return FieldVocabulary(
        pattern=_pattern(languages),
        evidence_of={form: _SEPARATOR.join(found) for form, found in evidence_of.items()},
    )


def _evidence(trait: str, kind: str, language: str, term: str, field: str) -> str:
    if field == CATEGORY:
        return f"{trait}:category:{term.lower()}"
    return f"{trait}:{kind}:{language}:{term.lower()}"


def _all_rules(settings: TraitSettings) -> Iterable[tuple[str, TraitRules]]:
    for trait in TRAIT_FLAGS:
        yield trait, getattr(settings, trait)
    for kind, rules in settings.restricted.items():
        yield f"{RESTRICTED}/{kind}", rules
    yield OVERSIZE, settings.oversize


def _trait_names(settings: TraitSettings) -> list[str]:
    return [trait for trait, _ in _all_rules(settings)]


def _by_language(terms: dict[str, list[str]]) -> Iterable[tuple[str, str]]:
    for language, listed in terms.items():
        for term in listed:
            yield language, term


def _language_of(term: str) -> str:
    return "en" if term.isascii() else ("zh" if _is_chinese(term) else "xx")


def _is_chinese(term: str) -> bool:
    return any("\u3400" <= character <= "\u9fff" for character in term)


def _forms(term: str, language: str) -> list[str]:
    """The written forms a term is matched in: itself and, for English, the -s/-es/-ies plurals (other
    languages list their plural forms: vaso, vasi)."""
    term = term.lower().strip()
    if language != "en" or _is_chinese(term):
        return [term]
    forms = [term, f"{term}s", f"{term}es"]
    if term.endswith("y") and term[-2:-1] not in "aeiou":
        forms.append(f"{term[:-1]}ies")
    return forms


def _pattern(languages: dict[str, str]) -> str:
    """One expression finding any form: whole words, German compound parts, Chinese anywhere.

    Longer forms come first, so that a phrase ("no battery", "magnetic ballast") wins over a term it holds.
    """
    by_length = sorted(languages, key=lambda form: (-len(form), form))
    plain = [form for form in by_length if languages[form] not in ("zh", "de")]
    # an ASCII word boundary never falls between a space and an accented letter: forms that begin or end with
    # one (épée, óleo, canapé, sofá) are bounded on their ASCII side only
    words = [_escape(form) for form in plain if form[0].isascii() and form[-1].isascii()]
    accented = [form for form in plain if not (form[0].isascii() and form[-1].isascii())]
    compounds = [_escape(form) for form in by_length if languages[form] == "de"]
    anywhere = [_escape(form) for form in by_length if languages[form] == "zh"]
    alternatives = []
    if words:
        alternatives.append(f"{_WORD}(?:{'|'.join(words)}){_WORD}")
    for form in accented:
        leading = _WORD if form[0].isascii() else ""
        trailing = _WORD if form[-1].isascii() else ""
        alternatives.append(f"{leading}{_escape(form)}{trailing}")
    if compounds:
        joined = "|".join(compounds)
        alternatives.append(f"{_WORD}(?:{joined})|(?:{joined}){_WORD}")
    if anywhere:
        alternatives.append(f"(?:{'|'.join(anywhere)})")
    return "|".join(alternatives)


def _escape(text: str) -> str:
    return pl.escape_regex(text)
