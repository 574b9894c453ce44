"""The report's charts as Vega-Lite specifications (built with altair), one function per chart.

Each takes one of the report's small frames and returns a JSON-ready dict with its data inline. Charts show
counts by code, band, flag and category; listing titles never appear in a chart.
"""

from __future__ import annotations

from functools import cache

import altair as alt
import polars as pl

from xborder_pipeline.scoring import SUITABILITY_BANDS, WAREHOUSE_FLAGS

# unknown (no parcel cost) in neutral grey: neither good nor bad news, missing data.
BAND_COLOURS = {"suitable": "#2e7d32", "marginal": "#f9a825", "unsuitable": "#c62828", "unknown": "#9e9e9e"}
FLAG_COLOURS = {"recommended": "#1565c0", "candidate_unproven_demand": "#64b5f6", "not_recommended": "#b0bec5"}
ZONE_COLOURS = {"fine": "#2e7d32", "elevated": "#f9a825", "high": "#ef6c00", "exceeds price": "#b71c1c"}
RUN_OUTCOME_COLOURS = {"scored": "#1565c0", "rejected": "#c62828", "skipped": "#9e9e9e"}
HALF_WIDTH = 400
FULL_WIDTH = 860
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def _spec(chart: alt.Chart) -> dict:
    return chart.configure(font=FONT).configure_view(stroke=None).to_dict()


def suitability_band_chart(band_and_flag_counts: pl.DataFrame) -> dict:
    """Listings per suitability band."""
    bands = band_and_flag_counts.group_by("suitability_band").agg(pl.col("listings").sum())
    chart = (
        alt.Chart(bands, title="Listings by suitability band", width=HALF_WIDTH, height=220)
        .mark_bar()
        .encode(
            x=alt.X("suitability_band:N", title=None, sort=list(SUITABILITY_BANDS), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("listings:Q", title="listings"),
            color=alt.Color("suitability_band:N", scale=_scale(BAND_COLOURS), legend=None),
            tooltip=["suitability_band:N", "listings:Q"],
        )
    )
    return _spec(chart)


def warehouse_flag_chart(band_and_flag_counts: pl.DataFrame) -> dict:
    """Listings per warehouse flag, split by suitability band."""
    chart = (
        alt.Chart(band_and_flag_counts, title="Warehouse flag by suitability band", width=HALF_WIDTH, height=220)
        .mark_bar()
        .encode(
            x=alt.X("warehouse_flag:N", title=None, sort=list(WAREHOUSE_FLAGS), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(listings):Q", title="listings"),
            color=alt.Color("suitability_band:N", scale=_scale(BAND_COLOURS), title="band",
                            sort=list(SUITABILITY_BANDS)),
            order=alt.Order("band_order:Q"),
            tooltip=["warehouse_flag:N", "suitability_band:N", "listings:Q"],
        )
        .transform_calculate(band_order=f"indexof({list(SUITABILITY_BANDS)!r}, datum.suitability_band)")
    )
    return _spec(chart)


def logistics_cost_ratio_chart(histogram: pl.DataFrame) -> dict:
    """Listings per bin of landed parcel cost as a share of price, coloured by the scoring's zones."""
    chart = (
        alt.Chart(histogram, title="Landed parcel cost as a share of price", width=FULL_WIDTH, height=240)
        .mark_bar()
        .encode(
            x=alt.X("bin_label:N", title="landed cost ratio", sort=alt.EncodingSortField("bin_start"),
                    axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("listings:Q", title="listings"),
            color=alt.Color("zone:N", scale=_scale(ZONE_COLOURS), title="zone"),
            tooltip=["bin_label:N", "zone:N", "listings:Q"],
        )
    )
    return _spec(chart)


def top_reasons_chart(reasons: pl.DataFrame) -> dict:
    """The most frequent reason codes, coloured by what they apply to."""
    chart = (
        alt.Chart(reasons, title="Most frequent reasons", width=FULL_WIDTH - 260, height=alt.Step(18))
        .mark_bar()
        .encode(
            y=alt.Y("code:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            x=alt.X("listings:Q", title="listings"),
            color=alt.Color("applies_to:N", title="applies to", scale=alt.Scale(scheme="tableau10")),
            tooltip=["code:N", "applies_to:N", "meaning:N", "listings:Q"],
        )
    )
    return _spec(chart)


def category_chart(categories: pl.DataFrame) -> dict:
    """Listings per category, split by suitability band, in the order of the frame (largest categories first)."""
    long = categories.select("category", "listings", *SUITABILITY_BANDS).unpivot(
        index=["category", "listings"], on=list(SUITABILITY_BANDS), variable_name="suitability_band",
        value_name="band_listings",
    )
    chart = (
        alt.Chart(long, title="Suitability by category", width=FULL_WIDTH - 260, height=alt.Step(18))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),  # the table's order
            x=alt.X("sum(band_listings):Q", title="listings"),
            color=alt.Color("suitability_band:N", scale=_scale(BAND_COLOURS), title="band",
                            sort=list(SUITABILITY_BANDS)),
            order=alt.Order("band_order:Q"),
            tooltip=["category:N", "suitability_band:N", alt.Tooltip("band_listings:Q", title="listings")],
        )
        .transform_calculate(band_order=f"indexof({list(SUITABILITY_BANDS)!r}, datum.suitability_band)")
    )
    return _spec(chart)


def run_history_chart(runs: pl.DataFrame) -> dict:
    """Records per run: scored, rejected and skipped."""
    long = (
        runs.select(
            "run_number",
            "status",
            pl.col("rows_scored").fill_null(0).alias("scored"),
            pl.col("rows_rejected").fill_null(0).alias("rejected"),
            pl.col("rows_skipped").fill_null(0).alias("skipped"),
        )
        .unpivot(index=["run_number", "status"], variable_name="outcome", value_name="records")
        .sort("run_number")
    )
    chart = (
        alt.Chart(long, title="Records per run", width=FULL_WIDTH, height=200)
        .mark_bar()
        .encode(
            x=alt.X("run_number:O", title="run", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(records):Q", title="records"),
            color=alt.Color("outcome:N", scale=_scale(RUN_OUTCOME_COLOURS), title=None),
            tooltip=["run_number:O", "status:N", "outcome:N", "records:Q"],
        )
    )
    return _spec(chart)


@cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from the vl-convert-python package (no network)."""
    import vl_convert

    # The Vega-Lite version altair writes specs for ("v6.4.1" -> "6.4"), so the bundle reads them as altair meant.
    vega_lite_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return vl_convert.javascript_bundle(vl_version=vega_lite_version)
