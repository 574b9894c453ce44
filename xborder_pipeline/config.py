"""The one typed settings object: the packaged defaults.toml with the user's file merged over it.

Built once at the edge (CLI or flow) and passed down; nothing here is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_ENV_VAR = "XBORDER_CONFIG"


class ConfigError(ValueError):
    """The configuration cannot be read or does not make sense; the message says where."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatedValues(_Section):
    """Values a configuration block takes for a stretch of dates (both ends included; no valid_to: open-ended).

    `values` replaces keys of the block it sits in (e.g. `low_value_duty_per_item` of markets.EU) on the days from
    valid_from to valid_to; outside them the block's own values apply. Tables merge key by key, as a user file
    merges over the defaults (a window may give just the EUR rate of fx.usd_per_unit). Where windows overlap, the
    later one wins.
    """

    name: str = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None
    source: str = Field(min_length=1)
    values: dict[str, Any] = Field(min_length=1)

    @model_validator(mode="after")
    def _dates_in_order(self) -> DatedValues:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"window {self.name!r}: valid_to {self.valid_to} is before valid_from {self.valid_from}")
        return self

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class _Dated(_Section):
    """A configuration block that may carry dated `windows` of its own values (see DatedValues)."""

    windows: list[DatedValues] = []

    @model_validator(mode="after")
    def _windows_name_own_keys(self) -> _Dated:
        own = set(type(self).model_fields) - {"windows"}
        for window in self.windows:
            unknown = sorted(set(window.values) - own)
            if unknown:
                raise ValueError(f"window {window.name!r} sets unknown keys: {', '.join(unknown)}")
            self.on_window(window)  # a window whose values would not validate is refused at load
        return self

    def on_window(self, window: DatedValues) -> _Dated:
        """This block with the window's values in place of its own."""
        own = self.model_dump(exclude={"windows"})
        return type(self).model_validate({**_merge(own, window.values), "windows": []})

    def on(self, day: date) -> _Dated:
        """This block as it stands on `day`: its own values, replaced by those of each window in force."""
        block = self
        for window in self.windows:
            if window.applies_on(day):
                block = block.on_window(window)
        return block.model_copy(update={"windows": self.windows}) if block is not self else self

    def windows_in_force(self, day: date) -> list[str]:
        return [window.name for window in self.windows if window.applies_on(day)]


class RunSettings(_Section):
    max_reject_share: float = Field(ge=0.0, le=1.0)
    lock_timeout_seconds: float = Field(ge=0.0)
    batch_rows: int = Field(ge=1)
    stream_files_over_mb: float = Field(ge=0.0)
    spool_dir: str
    duckdb_memory_limit: str = Field(pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")
    as_of: str = Field(default="", pattern=r"^$|^\d{4}-\d{2}-\d{2}$")


class ScheduleSettings(_Section):
    deployment_name: str = Field(min_length=1)
    cron: str = Field(min_length=9)
    timezone: str
    inbox: str
    archive_dir: str

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {timezone!r} (use an IANA name such as Asia/Shanghai)") from None
        return timezone


UNDATED = "undated"  # a rate given in a config file that says no date for it


class FxTable(_Dated):
    as_of: str
    source: str
    usd_per_unit: dict[str, float]

    @field_validator("usd_per_unit")
    @classmethod
    def _rates_are_positive(cls, rates: dict[str, float]) -> dict[str, float]:
        for currency, rate in rates.items():
            if not (rate > 0):
                raise ValueError(f"rate for {currency} must be > 0, got {rate}")
        return {currency.upper(): rate for currency, rate in rates.items()}

    # Per currency: the ISO date of its rate and where it comes from (a rate without an entry is dated
    # as_of and sourced by source). `xborder fx update` refreshes some currencies and leaves the rest.
    rate_dates: dict[str, str] = {}
    rate_sources: dict[str, str] = {}

    @field_validator("rate_dates")
    @classmethod
    def _dates_are_iso(cls, dates: dict[str, str]) -> dict[str, str]:
        from datetime import date

        for currency, day in dates.items():
            if day != UNDATED:
                try:
                    date.fromisoformat(day)
                except ValueError:
                    raise ValueError(f"date for {currency} must be YYYY-MM-DD or {UNDATED!r}, got {day!r}") from None
        return {currency.upper(): day for currency, day in dates.items()}

    @field_validator("rate_sources")
    @classmethod
    def _sources_upper(cls, sources: dict[str, str]) -> dict[str, str]:
        return {currency.upper(): source for currency, source in sources.items()}

    @model_validator(mode="after")
    def _dated_currencies_have_rates(self) -> FxTable:
        unknown = (set(self.rate_dates) | set(self.rate_sources)) - set(self.usd_per_unit)
        if unknown:
            raise ValueError(f"rate_dates/rate_sources name currencies without a rate: {', '.join(sorted(unknown))}")
        return self

    def date_of(self, currency: str) -> str:
        return self.rate_dates.get(currency.upper(), self.as_of)

    def source_of(self, currency: str) -> str:
        return self.rate_sources.get(currency.upper(), self.source)


class PlausibilityLimits(_Section):
    max_weight_kg: float = Field(gt=0)
    max_side_cm: float = Field(gt=0)
    max_text_chars: int = Field(gt=0)
    max_field_mb: float = Field(gt=0.0)
    max_whole_file_mb: float = Field(gt=0.0)
    max_xlsx_mb: float = Field(gt=0.0)


class PostalLimits(_Section):
    max_weight_kg: float = Field(gt=0)
    max_sum_of_sides_cm: float = Field(gt=0)
    max_longest_side_cm: float = Field(gt=0)
    source: str


class RateBand(_Section):
    max_chargeable_kg: float = Field(gt=0)
    per_kg: float = Field(ge=0)
    per_parcel: float = Field(ge=0)


MARKETS = ("US", "EU", "GB")
GOODS_CLASSES = ("battery", "loose_battery", "liquid", "powder", "magnet", "aerosol_or_flammable", "restricted")


class Channel(_Dated):
    """A direct-parcel channel from China: its limits, what it refuses, and its rates per market."""

    label: str
    currency: str
    volumetric_divisor_cm3_per_kg: float | None = Field(default=None, gt=0)
    rounding_step_kg: float | None = Field(default=None, gt=0)
    max_weight_kg: float = Field(gt=0)
    max_sum_of_sides_cm: float | None = Field(default=None, gt=0)
    max_longest_side_cm: float | None = Field(default=None, gt=0)
    oversize_longest_side_cm: float | None = Field(default=None, gt=0)
    oversize_surcharge: float = Field(default=0.0, ge=0)
    refuses: list[str] = []
    transit_days_min: int = Field(ge=0)
    transit_days_max: int = Field(ge=0)
    source: str
    rates: dict[str, list[RateBand]] = {}
    # A channel priced as another's rates with a surcharge (e.g. the sensitive-cargo line).
    rates_from: str | None = None
    per_kg_uplift: float = Field(default=0.0, ge=0)
    per_parcel_surcharge: float = Field(default=0.0, ge=0)
    # Figures that stand in for a card we could not find (e.g. an old card of another carrier): shown with every
    # figure of the channel (channel_costs.is_proxy) and said in proxy_note.
    is_proxy: bool = False
    proxy_note: str = ""

    @model_validator(mode="after")
    def _proxy_says_why(self) -> Channel:
        if self.is_proxy and not self.proxy_note.strip():
            raise ValueError("a channel with is_proxy = true needs a proxy_note saying what its figures stand in for")
        return self

    @field_validator("rates")
    @classmethod
    def _bands_ascend(cls, rates: dict[str, list[RateBand]]) -> dict[str, list[RateBand]]:
        for market, bands in rates.items():
            if market not in MARKETS:
                raise ValueError(f"rates for unknown market {market!r}; markets are {', '.join(MARKETS)}")
            limits = [band.max_chargeable_kg for band in bands]
            if not bands or limits != sorted(limits) or len(set(limits)) != len(limits):
                raise ValueError(f"{market} bands must be listed by strictly increasing max_chargeable_kg")
        return rates

    @field_validator("refuses")
    @classmethod
    def _known_goods(cls, refuses: list[str]) -> list[str]:
        unknown = set(refuses) - set(GOODS_CLASSES)
        if unknown:
            raise ValueError(f"unknown goods {sorted(unknown)}; known: {', '.join(GOODS_CLASSES)}")
        return refuses


class Market(_Dated):
    """Duty, VAT and fees on a direct parcel into one destination market."""

    vat_rate: float = Field(ge=0, lt=1)
    vat_by_country: dict[str, float] = {}
    duty_rate: float = Field(ge=0)
    duty_rate_above_threshold: float | None = Field(default=None, ge=0)
    low_value_duty_per_item: float = Field(ge=0)
    low_value_threshold: float = Field(ge=0)
    threshold_currency: str
    customs_fee_per_parcel_usd: float = Field(ge=0)
    source: str


class Destinations(_Section):
    default_country: str
    by_marketplace: dict[str, str] = {}


TRAIT_LANGUAGES = ("en", "zh", "it", "de", "fr", "es", "pt", "nl", "pl", "sv")


class TraitRules(_Section):
    """The evidence for one trait: terms by language, product types, category terms, description terms,
    excluded phrases and veto words (see features/traits.py for how each field counts)."""

    keywords: dict[str, list[str]] = {}  # language -> terms, evidence in title, category and attributes
    types: dict[str, list[str]] = {}  # language -> product types, cancelled by a veto word
    category: list[str] = []  # terms that are evidence in the category only (slugs, taxonomy names)
    description: dict[str, list[str]] = {}  # language -> terms strong enough to count in the description
    exclude: list[str] = []  # phrases that are no evidence ("no battery", "magnetic ballast")
    veto: list[str] = []  # words in the title that cancel type and volume evidence
    category_veto: list[str] = []  # words in the category that cancel type and volume evidence ("Books")
    # English nouns whose count on the title is evidence: goods sold by the piece ("5 Seed", "Seed-8 Pack")
    counted: list[str] = []
    source: str = ""

    @field_validator("keywords", "types", "description")
    @classmethod
    def _known_languages(cls, terms: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(terms) - set(TRAIT_LANGUAGES)
        if unknown:
            raise ValueError(f"unknown language(s) {sorted(unknown)}; known: {', '.join(TRAIT_LANGUAGES)}")
        return terms


class OversizeRules(TraitRules):
    """Oversize for a parcel: heavier or longer than a parcel network takes without freight terms (traits.md),
    measured on the declared-or-estimated weight and box, or named in the title (a complete bicycle, a sofa, a
    skid of goods)."""

    max_weight_kg: float = Field(gt=0)  # heavier than this (declared or estimated weight) is oversize
    max_longest_side_cm: float = Field(gt=0)  # a longest side above this (declared or estimated box) is oversize


class TraitSettings(_Section):
    description_weight: float = Field(ge=0.0, le=1.0)  # fragility_score of fragility found only in a description
    source: str
    fragile: TraitRules
    liquid: TraitRules
    battery: TraitRules
    loose_battery: TraitRules
    powder: TraitRules
    magnet: TraitRules
    aerosol_or_flammable: TraitRules
    restricted: dict[str, TraitRules]  # by kind: goods shippers refuse from China
    oversize: OversizeRules


class ScoringSettings(_Section):
    reference_volumetric_divisor_cm3_per_kg: float = Field(gt=0)
    suitable_min_score: float = Field(ge=0, le=100)
    marginal_min_score: float = Field(ge=0, le=100)
    logistics_cost_ratio_fine: float = Field(gt=0)
    logistics_cost_ratio_poor: float = Field(gt=0)
    logistics_cost_ratio_prohibitive: float = Field(gt=0)
    thin_margin_ratio: float = Field(ge=0, le=1)
    penalties: dict[str, float]
    # The best band a fragile listing with no known margin (no unit cost) can reach.
    fragile_unknown_margin_max_band: Literal["suitable", "marginal", "unsuitable"]
    # What the fine and poor thresholds judge: shipping alone, or the landed parcel (the prohibitive one
    # always judges the landed parcel).
    fine_and_poor_ratio_basis: Literal["shipping", "landed"]
    # The best band oversize goods can reach by direct parcel, and the best when their profit is low (a judged
    # margin below thin_margin_ratio, or none).
    oversize_max_band: Literal["suitable", "marginal", "unsuitable"]
    oversize_low_margin_max_band: Literal["suitable", "marginal", "unsuitable"]

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> ScoringSettings:
        if not self.marginal_min_score <= self.suitable_min_score:
            raise ValueError("marginal_min_score must not exceed suitable_min_score")
        if not (
            self.logistics_cost_ratio_fine
            <= self.logistics_cost_ratio_poor
            <= self.logistics_cost_ratio_prohibitive
        ):
            raise ValueError("logistics cost ratios must read fine <= poor <= prohibitive")
        return self


class WarehouseSettings(_Section):
    high_price_usd: float = Field(gt=0)
    min_monthly_units_sold: float = Field(ge=0)
    max_months_of_cover: float = Field(gt=0)
    batch_months_of_sales: float = Field(gt=0)
    sell_through_horizon_months: float = Field(gt=0)
    unsold_share_floor: float = Field(ge=0, le=1)
    unsold_share_without_demand_evidence: float = Field(ge=0, le=1)
    first_leg_usd_per_m3: float = Field(ge=0)
    inbound_usd_per_unit: float = Field(ge=0)
    pick_pack_usd_per_unit: float = Field(ge=0)
    storage_usd_per_m3_month: float = Field(ge=0)
    last_mile_usd_per_parcel: float = Field(ge=0)
    last_mile_usd_per_kg: float = Field(ge=0)
    removal_usd_per_unit: float = Field(ge=0)
    liquidation_recovery_share: float = Field(ge=0, le=1)
    goods_value_share_of_price: float = Field(ge=0, le=1)
    unique_piece_words: list[str]


class TradeModelSettings(_Section):
    b2b_min_moq: int = Field(ge=2)
    wholesale_marketplaces: list[str]
    b2b_ready_min_monthly_units: float = Field(gt=0)
    b2b_ready_max_months_of_cover: float = Field(gt=0)
    single_platform_min_hhi: float = Field(gt=0, le=1)


class FbaSettings(_Section):
    card: str  # a TOML rate card file; empty for the packaged 2026 US card


class DataQualitySettings(_Section):
    placeholder_box_min_listings: int = Field(ge=2)
    placeholder_box_min_categories: int = Field(ge=1)
    min_density_kg_per_m3: float = Field(ge=0)
    max_density_kg_per_m3: float = Field(gt=0)
    weight_unit_slip_min_listings: int = Field(ge=1)


class DemandSettings(_Section):
    """When sales history proves demand (the sku_demand view; docs/scoring.md, "Demand from sales history")."""

    window_days: int = Field(ge=1)
    recent_days: int = Field(ge=1)
    days_per_month: float = Field(gt=0)
    months_judged: int = Field(ge=1)
    min_months_with_sales: int = Field(ge=1)
    max_monthly_cv: float = Field(ge=0)
    trend_band: float = Field(ge=0, lt=1)

    @model_validator(mode="after")
    def _windows_fit(self) -> DemandSettings:
        if self.recent_days > self.window_days:
            raise ValueError("recent_days must not exceed window_days")
        if self.min_months_with_sales > self.months_judged:
            raise ValueError("min_months_with_sales must not exceed months_judged")
        return self


class SalesPeriodEntry(_Section):
    """A `[[sales_periods]]` entry: sales reports without dates whose file name matches `pattern` cover `period`."""

    pattern: str = Field(min_length=1)
    period: str

    @field_validator("period")
    @classmethod
    def _is_a_period(cls, period: str) -> str:
        from xborder_pipeline.sales.dates import parse_period

        parse_period(period)
        return period


class Prior(_Section):
    """Typical packed weight and box of one product type or category (xborder_pipeline/priors.toml)."""

    name: str = Field(min_length=1)
    keywords: list[str] = []  # words in the category or the title
    categories: list[str] = []  # words in the category only (marketplace slugs, taxonomy names)
    title_keywords: list[str] = []  # words in the title only (a shop's "Grow Tents" category holds accessories too)
    weight_kg: tuple[float, float]  # median, upper quartile
    box_cm_median: tuple[float, float, float]  # longest, middle, shortest
    box_cm_upper: tuple[float, float, float]
    source: str = Field(min_length=1)
    # The least one of these weighs packed: a declared weight below it is a placeholder and set aside.
    min_weight_kg: float | None = Field(default=None, gt=0)
    # The size a title names (a duct fan's diameter) for the goods the weights and box are given for: another size
    # scales the weights in proportion and each side by the square root of the ratio.
    title_size_cm: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _sensible(self) -> Prior:
        if not (self.keywords or self.categories or self.title_keywords):
            raise ValueError(f"prior {self.name!r} has neither keywords nor categories to match")
        if not 0 < self.weight_kg[0] <= self.weight_kg[1]:
            raise ValueError(f"prior {self.name!r}: weight_kg must read [median, upper quartile], both > 0")
        if self.min_weight_kg is not None and self.min_weight_kg > self.weight_kg[0]:
            raise ValueError(f"prior {self.name!r}: min_weight_kg must not exceed the median weight")
        for median, upper in zip(self.box_cm_median, self.box_cm_upper, strict=True):
            if not 0 < median <= upper:
                raise ValueError(f"prior {self.name!r}: every box side must be > 0 with median <= upper quartile")
        return self


class EstimatesSettings(_Section):
    """How a missing, zero, placeholder or implausible weight or box is estimated (docs/scoring.md, Estimates)."""

    # A TOML file of [[priors]] to use instead of the packaged xborder_pipeline/priors.toml; empty: the packaged one.
    priors_file: str = ""
    conservative_point: str = Field(pattern="^(median|upper)$")
    packaging_weight_share: float = Field(ge=0)
    packaging_weight_min_kg: float = Field(ge=0)
    liquid_kg_per_litre: float = Field(gt=0)
    liquid_packaging_kg_per_litre: float = Field(ge=0)
    dry_volume_keywords: list[str]
    title_length_padding_cm: float = Field(ge=0)
    title_box_cross_section_share: float = Field(gt=0, le=1)
    title_length_min_cm: float = Field(ge=0)
    title_length_max_cm: float = Field(gt=0)
    coiled_goods_keywords: list[str]
    title_weight_min_kg: float = Field(ge=0)
    title_size_max_excess_share: float = Field(ge=0)
    title_weight_max_ratio: float = Field(gt=1)
    title_weight_max_excess_kg: float = Field(ge=0)
    prior_weight_max_ratio: float = Field(gt=1)
    prior_title_size_max_ratio: float = Field(ge=1)
    prior_box_min_cross_section_share: float = Field(gt=0, le=1)
    dense_box_doubted_up_to_kg: float = Field(ge=0)
    priors: list[Prior] = []

    @model_validator(mode="before")
    @classmethod
    def _load_priors(cls, values: Any) -> Any:
        if isinstance(values, dict) and "priors" not in values:
            values = {**values, "priors": load_priors(values.get("priors_file") or None)}
        return values


def load_priors(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The [[priors]] of the TOML file at `path`, else of the packaged priors.toml."""
    if path is None:
        text = (files("xborder_pipeline") / "priors.toml").read_text(encoding="utf-8")
        return tomllib.loads(text).get("priors", [])
    return _read_user_file(Path(path)).get("priors", [])


class DaskSettings(_Section):
    # A running Dask scheduler (`tcp://host:8786`); empty: `xborder score` runs locally unless --dask-workers
    # or --dask-address asks for Dask.
    scheduler_address: str = Field(default="", pattern=r"^$|^([a-z]+://)?[^\s/]+:\d+$")


class SourceSettings(_Section):
    """How to read the files of one store in a shared inbox: `[[sources]]` entries, the first whose
    `pattern` (a glob such as `sweden-bikes-*.csv`, matched against the file name, case ignored) matches."""

    pattern: str = Field(min_length=1)
    currency: str | None = None  # prices' currency when the export names none
    marketplace: str | None = None  # instead of the adapter's default (`shopify`)
    seller_id: str | None = None  # the store, when the export does not name it
    weight_unit: str | None = None  # for weights whose header names no unit
    length_unit: str | None = None
    format: str | None = None  # one of the --format values
    mapping: str | None = None  # a TOML mapping file, as --mapping

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, currency: str | None) -> str | None:
        if currency is None:
            return None
        code = currency.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValueError(f"currency {currency!r} is not a three-letter ISO code such as SEK")
        return code

    @field_validator("weight_unit", "length_unit")
    @classmethod
    def _known_unit(cls, unit: str | None, info: Any) -> str | None:
        from xborder_pipeline.ingest.units import LENGTH_UNITS, WEIGHT_UNITS

        known = WEIGHT_UNITS if info.field_name == "weight_unit" else LENGTH_UNITS
        if unit is not None and unit not in known:
            raise ValueError(f"unknown unit {unit!r}; known: {', '.join(known)}")
        return unit

    @field_validator("format")
    @classmethod
    def _known_format(cls, name: str | None) -> str | None:
        from xborder_pipeline.ingest import KNOWN_FORMATS

        if name is not None and name not in KNOWN_FORMATS:
            raise ValueError(f"unknown format {name!r}; known: {', '.join(KNOWN_FORMATS)}")
        return name


class Settings(_Section):
    run: RunSettings
    schedule: ScheduleSettings
    fx: FxTable
    limits: PlausibilityLimits
    postal: PostalLimits
    destinations: Destinations
    markets: dict[str, Market]
    channels: dict[str, Channel]
    traits: TraitSettings
    scoring: ScoringSettings
    warehouse: WarehouseSettings
    data_quality: DataQualitySettings
    fba: FbaSettings
    trade_model: TradeModelSettings
    dask: DaskSettings = DaskSettings()
    sources: list[SourceSettings] = []
    estimates: EstimatesSettings
    demand: DemandSettings
    sales_periods: list[SalesPeriodEntry] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> Settings:
        missing_markets = set(MARKETS) - set(self.markets)
        if missing_markets:
            raise ValueError(f"markets lacks {', '.join(sorted(missing_markets))}")
        for name, channel in self.channels.items():
            if channel.currency.upper() not in self.fx.usd_per_unit:
                raise ValueError(f"channels.{name}.currency {channel.currency!r} has no rate in fx.usd_per_unit")
            if channel.rates_from is not None:
                base = self.channels.get(channel.rates_from)
                if base is None or base.rates_from is not None:
                    raise ValueError(f"channels.{name}.rates_from must name a channel with its own rates")
                if base.currency != channel.currency:
                    raise ValueError(f"channels.{name} must share the currency of {channel.rates_from}")
            elif not channel.rates:
                raise ValueError(f"channels.{name} has neither rates nor rates_from")
        for name, market in self.markets.items():
            if market.threshold_currency.upper() not in self.fx.usd_per_unit:
                raise ValueError(f"markets.{name}.threshold_currency has no rate in fx.usd_per_unit")
        for position, source in enumerate(self.sources):
            if source.currency is not None and source.currency not in self.fx.usd_per_unit:
                raise ValueError(
                    f"sources[{position}].currency {source.currency!r} (pattern {source.pattern!r}) has no rate in "
                    f"fx.usd_per_unit; known: {', '.join(sorted(self.fx.usd_per_unit))}"
                )
        from xborder_pipeline.scoring.reasons import PENALISED_REASONS

        unknown = set(self.scoring.penalties) - PENALISED_REASONS
        missing = PENALISED_REASONS - set(self.scoring.penalties)
        if unknown:
            raise ValueError(f"scoring.penalties names unknown reason codes: {', '.join(sorted(unknown))}")
        if missing:
            raise ValueError(f"scoring.penalties lacks reason codes: {', '.join(sorted(missing))}")
        return self

    def sql_thresholds(self) -> list[tuple[str, float, str]]:
        """The thresholds SQL views decide with, as (name, value, meaning) rows for the thresholds table."""
        return [
            (
                "single_platform_min_hhi",
                self.trade_model.single_platform_min_hhi,
                "seller_portfolio.single_platform_dependency holds at this Herfindahl-Hirschman index or above",
            ),
            (
                "weight_unit_slip_min_listings",
                float(self.data_quality.weight_unit_slip_min_listings),
                "weight_unit_checks.likely_in_whole_file holds when at least this many listings slip the same way, "
                "and no fewer than agree",
            ),
            *self._demand_thresholds(),
        ]

    def _demand_thresholds(self) -> list[tuple[str, float, str]]:
        demand = self.demand
        return [
            ("demand_window_days", float(demand.window_days),
             "sku_demand: days before the as-of date whose sales make monthly_units_sold"),
            ("demand_recent_days", float(demand.recent_days), "sku_demand: days of the recent units (units_30d)"),
            ("demand_days_per_month", demand.days_per_month, "sku_demand: days in a month of sales"),
            ("demand_months_judged", float(demand.months_judged),
             "sku_demand: months (of days_per_month days, back from the as-of date) judged for steadiness"),
            ("demand_min_months_with_sales", float(demand.min_months_with_sales),
             "sku_demand: proven needs sales in at least this many of the months judged"),
            ("demand_max_monthly_cv", demand.max_monthly_cv,
             "sku_demand: proven needs a coefficient of variation of monthly units at or below this"),
            ("demand_trend_band", demand.trend_band,
             "sku_demand: trend is rising/falling when the last recent_days sell this share above/below the average"),
        ]

    def channel_rates(self, name: str) -> dict[str, list[RateBand]]:
        """A channel's bands per market, with any surcharge over the channel it borrows rates from."""
        channel = self.channels[name]
        if channel.rates_from is None:
            return channel.rates
        return {
            market: [
                RateBand(
                    max_chargeable_kg=band.max_chargeable_kg,
                    per_kg=band.per_kg * (1 + channel.per_kg_uplift),
                    per_parcel=band.per_parcel + channel.per_parcel_surcharge,
                )
                for band in bands
            ]
            for market, bands in self.channels[channel.rates_from].rates.items()
        }

    def on(self, day: date) -> Settings:
        """The settings as they stand on `day`: every dated window in force (fx, markets, channels) applied."""
        if not self.windows_in_force(day):
            return self
        # the dated blocks replaced, each validated by its own `on`; the rest (traits, priors) is this object's own,
        # so that what is built once from it per run (trait vocabularies) is found again
        dated = self.model_copy(update={
            "fx": self.fx.on(day),
            "markets": {name: market.on(day) for name, market in self.markets.items()},
            "channels": {name: channel.on(day) for name, channel in self.channels.items()},
        })
        return dated._references_resolve()  # what validating the whole would check across the blocks

    def windows_in_force(self, day: date) -> list[str]:
        """Which dated windows apply on `day`, as `block:window` (e.g. `markets.EU:eu_flat_duty_2026`)."""
        blocks: list[tuple[str, _Dated]] = [("fx", self.fx)]
        blocks += [(f"markets.{name}", market) for name, market in self.markets.items()]
        blocks += [(f"channels.{name}", channel) for name, channel in self.channels.items()]
        return [f"{where}:{window}" for where, block in blocks for window in block.windows_in_force(day)]

    def config_hash(self, *extra: BaseModel) -> str:
        """A stable fingerprint of the effective configuration (and any card given), stored with every run.

        The run's date itself (run.as_of) is left out, so nightly runs keep one hash (run_history.config_changed
        stays false); the dated windows in force that day are in it, so a window starting or ending changes it.
        """
        settings = self.model_dump(mode="json")
        settings["run"].pop("as_of", None)
        if self.run.as_of:
            settings["windows_in_force"] = self.windows_in_force(date.fromisoformat(self.run.as_of))
        parts = [settings, *(model.model_dump(mode="json") for model in extra)]
        canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def default_config_text() -> str:
    return (files("xborder_pipeline") / "defaults.toml").read_text(encoding="utf-8")


def load_settings(path: Path | str | None = None) -> Settings:
    """The packaged defaults, with the TOML file at `path` (or $XBORDER_CONFIG) merged over them."""
    merged = tomllib.loads(default_config_text())
    user_path = path if path is not None else os.environ.get(CONFIG_ENV_VAR) or None
    if user_path is not None:
        user = _read_user_file(Path(user_path))
        merged = _merge(merged, _with_user_rates_dated(user, Path(user_path)))
    try:
        return Settings.model_validate(merged)
    except ValidationError as error:
        where = f" (defaults merged with {user_path})" if user_path else ""
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise ConfigError(f"invalid configuration{where}: {problems}") from None


def _read_user_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None


def _with_user_rates_dated(user: dict[str, Any], path: Path) -> dict[str, Any]:
    """A user's own rates carry the user's date and file, not the packaged defaults' they replace."""
    fx = user.get("fx")
    if not isinstance(fx, dict) or not isinstance(fx.get("usd_per_unit"), dict):
        return user
    dates, sources = fx.get("rate_dates", {}), fx.get("rate_sources", {})
    if not isinstance(dates, dict) or not isinstance(sources, dict):
        return user  # validation names the key
    dates, sources = dict(dates), dict(sources)
    for currency in fx["usd_per_unit"]:
        dates.setdefault(currency, fx.get("as_of", UNDATED))
        sources.setdefault(currency, f"{fx.get('source', 'your configuration')} ({path.name})")
    return {**user, "fx": {**fx, "rate_dates": dates, "rate_sources": sources}}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (numbers, strings, lists) replaces the default."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
