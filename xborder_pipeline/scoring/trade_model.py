"""Trade-model fit: beginners fit B2C parcels to consumers; B2B pays once volume is steady.

`trade_model_hint` is `b2b` where the listing already sells wholesale (a minimum order quantity, a
wholesale marketplace), `b2b_ready` where its volume is steady enough to offer wholesale terms, else
`b2c`; `trade_model_reasons` says which signal decided.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.codes import codes_where
from xborder_pipeline.config import Settings

TRADE_MODELS = ("b2c", "b2b_ready", "b2b")


def trade_model_conditions(settings: Settings) -> dict[str, pl.Expr]:
    trade = settings.trade_model
    wholesale_marketplaces = [name.lower() for name in trade.wholesale_marketplaces]
    return {
        "TRADE_WHOLESALE_MOQ": pl.col("moq") >= trade.b2b_min_moq,
        "TRADE_WHOLESALE_MARKETPLACE": pl.col("marketplace").str.to_lowercase().is_in(wholesale_marketplaces),
        "TRADE_STEADY_VOLUME": (pl.col("monthly_units_sold") >= trade.b2b_ready_min_monthly_units)
        & (pl.col("months_of_cover").fill_null(0.0) <= trade.b2b_ready_max_months_of_cover),
    }


def trade_model_hint(settings: Settings) -> pl.Expr:
    conditions = {code: condition.fill_null(False) for code, condition in trade_model_conditions(settings).items()}
    wholesale = conditions["TRADE_WHOLESALE_MOQ"] | conditions["TRADE_WHOLESALE_MARKETPLACE"]
    return (
        pl.when(wholesale)
        .then(pl.lit("b2b"))
        .when(conditions["TRADE_STEADY_VOLUME"])
        .then(pl.lit("b2b_ready"))
        .otherwise(pl.lit("b2c"))
    )


def trade_model_reasons(settings: Settings) -> pl.Expr:
    conditions = trade_model_conditions(settings)
    found = pl.any_horizontal([condition.fill_null(False) for condition in conditions.values()])
    return codes_where({**conditions, "TRADE_START_B2C": ~found})
