"""The one typed settings object: the packaged defaults.toml with the user's file merged over it.

Built once at the edge (CLI or flow) and passed down; nothing here is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_ENV_VAR = "XBORDER_CONFIG"


class ConfigError(ValueError):
    """The configuration cannot be read or does not make sense; the message says where."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class FxTable(_Section):
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
GOODS_CLASSES = ("battery", "loose_battery", "liquid", "powder", "magnet", "aerosol_or_flammable")


class Channel(_Section):
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


class Market(_Section):
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


class KeywordFamily(_Section):
    name: str
    score: float = Field(ge=0.0, le=1.0)
    keywords: list[str] = Field(min_length=1)


class FragilitySettings(_Section):
    fragile_min_score: float = Field(ge=0.0, le=1.0)
    description_weight: float = Field(ge=0.0, le=1.0)
    exclude: list[str]
    source: str
    families: list[KeywordFamily] = Field(min_length=1)


class KeywordList(_Section):
    keywords: list[str] = Field(min_length=1)
    exclude: list[str] = []


class DangerousGoodsSettings(_Section):
    source: str
    battery: KeywordList
    loose_battery: KeywordList
    liquid: KeywordList
    powder: KeywordList
    magnet: KeywordList
    aerosol_or_flammable: KeywordList


class ScoringSettings(_Section):
    reference_volumetric_divisor_cm3_per_kg: float = Field(gt=0)
    suitable_min_score: float = Field(ge=0, le=100)
    marginal_min_score: float = Field(ge=0, le=100)
    logistics_cost_ratio_fine: float = Field(gt=0)
    logistics_cost_ratio_poor: float = Field(gt=0)
    logistics_cost_ratio_prohibitive: float = Field(gt=0)
    thin_margin_ratio: float = Field(ge=0, le=1)
    penalties: dict[str, float]

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


class DaskSettings(_Section):
    # A running Dask scheduler (`tcp://host:8786`); empty: `xborder score` runs locally unless --dask-workers
    # or --dask-address asks for Dask.
    scheduler_address: str = Field(default="", pattern=r"^$|^([a-z]+://)?[^\s/]+:\d+$")


class Settings(_Section):
    run: RunSettings
    schedule: ScheduleSettings
    fx: FxTable
    limits: PlausibilityLimits
    postal: PostalLimits
    destinations: Destinations
    markets: dict[str, Market]
    channels: dict[str, Channel]
    fragility: FragilitySettings
    dangerous_goods: DangerousGoodsSettings
    scoring: ScoringSettings
    warehouse: WarehouseSettings
    data_quality: DataQualitySettings
    fba: FbaSettings
    trade_model: TradeModelSettings
    dask: DaskSettings = DaskSettings()
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

    def config_hash(self, *extra: BaseModel) -> str:
        """A stable fingerprint of the effective configuration (and any card given), stored with every run."""
        parts = [self.model_dump(mode="json"), *(model.model_dump(mode="json") for model in extra)]
        canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def default_config_text() -> str:
    return (files("xborder_pipeline") / "defaults.toml").read_text(encoding="utf-8")


def load_settings(path: Path | str | None = None) -> Settings:
    """The packaged defaults, with the TOML file at `path` (or $XBORDER_CONFIG) merged over them."""
    merged = tomllib.loads(default_config_text())
    user_path = path if path is not None else os.environ.get(CONFIG_ENV_VAR) or None
    if user_path is not None:
        merged = _merge(merged, _read_user_file(Path(user_path)))
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


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (numbers, strings, lists) replaces the default."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
