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


class PostalLimits(_Section):
    max_weight_kg: float = Field(gt=0)
    max_sum_of_sides_cm: float = Field(gt=0)
    max_longest_side_cm: float = Field(gt=0)
    source: str


class RateBand(_Section):
    max_chargeable_kg: float = Field(gt=0)
    per_kg: float = Field(ge=0)
    per_parcel: float = Field(ge=0)


class Channel(_Section):
    label: str
    currency: str
    volumetric_divisor_cm3_per_kg: float = Field(gt=0)
    max_weight_kg: float = Field(gt=0)
    transit_days_min: int = Field(ge=0)
    transit_days_max: int = Field(ge=0)
    source: str
    bands: list[RateBand] = Field(min_length=1)

    @field_validator("bands")
    @classmethod
    def _bands_ascend(cls, bands: list[RateBand]) -> list[RateBand]:
        limits = [band.max_chargeable_kg for band in bands]
        if limits != sorted(limits) or len(set(limits)) != len(limits):
            raise ValueError("bands must be listed by strictly increasing max_chargeable_kg")
        return bands


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
    direct_channel: str
    suitable_min_score: float = Field(ge=0, le=100)
    marginal_min_score: float = Field(ge=0, le=100)
    logistics_cost_ratio_fine: float = Field(gt=0)
    logistics_cost_ratio_poor: float = Field(gt=0)
    logistics_cost_ratio_prohibitive: float = Field(gt=0)
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


class DataQualitySettings(_Section):
    placeholder_box_min_listings: int = Field(ge=2)
    placeholder_box_min_categories: int = Field(ge=1)
    min_density_kg_per_m3: float = Field(ge=0)
    max_density_kg_per_m3: float = Field(gt=0)


class Settings(_Section):
    run: RunSettings
    fx: FxTable
    limits: PlausibilityLimits
    postal: PostalLimits
    channels: dict[str, Channel]
    fragility: FragilitySettings
    dangerous_goods: DangerousGoodsSettings
    scoring: ScoringSettings
    warehouse: WarehouseSettings
    data_quality: DataQualitySettings

    @model_validator(mode="after")
    def _references_resolve(self) -> Settings:
        if self.scoring.direct_channel not in self.channels:
            raise ValueError(
                f"scoring.direct_channel = {self.scoring.direct_channel!r} names no channel; "
                f"known channels: {', '.join(sorted(self.channels))}"
            )
        for name, channel in self.channels.items():
            if channel.currency.upper() not in self.fx.usd_per_unit:
                raise ValueError(f"channels.{name}.currency {channel.currency!r} has no rate in fx.usd_per_unit")
        from xborder_pipeline.scoring.reasons import PENALISED_REASONS

        unknown = set(self.scoring.penalties) - PENALISED_REASONS
        missing = PENALISED_REASONS - set(self.scoring.penalties)
        if unknown:
            raise ValueError(f"scoring.penalties names unknown reason codes: {', '.join(sorted(unknown))}")
        if missing:
            raise ValueError(f"scoring.penalties lacks reason codes: {', '.join(sorted(missing))}")
        return self

    @property
    def direct_channel(self) -> Channel:
        return self.channels[self.scoring.direct_channel]

    def config_hash(self) -> str:
        """A stable fingerprint of the effective configuration, stored with every run."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
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
