"""Where the end-to-end time and memory go: the flow's stage functions called directly, with timers.

    python benchmarks/profile_stages.py --input /tmp/bench/input-seed.../listings_1000000.parquet [--db out.duckdb]

Runs the same functions as the `score_catalogue` flow, without Prefect (its start-up and task overhead are measured
by run.py), in the flow's order: read_listings, validate_listings, with_listing_features, with_scores,
channel_costs_long and write_run. For each it prints wall seconds, resident memory after it and the peak during it
(sampled every 50 ms). Then it breaks the two slowest stages down:

- features and scores: every feature expression evaluated on its own over the same frame (so the sum can exceed
  the stage: expressions evaluated together share nothing in eager mode either);
- the load: each statement of write_run timed by wrapping the store's helpers.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import psutil

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


class Sampler:
    """Peak resident memory of this process while a block runs."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.05)

    def reset(self) -> None:
        self.peak = self.process.memory_info().rss

    def close(self) -> None:
        self._stop.set()


SAMPLER: Sampler | None = None
ROWS: list[tuple[str, float, float, float]] = []


@contextmanager
def stage(name: str):
    assert SAMPLER is not None
    SAMPLER.reset()
    began = time.perf_counter()
    yield
    seconds = time.perf_counter() - began
    rss = psutil.Process().memory_info().rss
    peak = max(SAMPLER.peak, rss)
    ROWS.append((name, seconds, rss / 1e6, peak / 1e6))
    print(f"  {name:<44} {seconds:8.2f} s   RSS {rss / 1e6:8,.0f} MB   peak {peak / 1e6:8,.0f} MB", flush=True)


def timed(label: str, function: Callable) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


def feature_breakdown(valid: pl.DataFrame, settings, card) -> list[tuple[str, float]]:
    from xborder_pipeline.features import (
        _categories_sharing_box,
        _listings_sharing_box,
        _months_of_cover,
        dimensions,
        price,
        shipping,
        traits,
    )
    from xborder_pipeline.features.fba import with_fba_features
    from xborder_pipeline.features.warehouse_economics import with_warehouse_economics

    divisor = settings.scoring.reference_volumetric_divisor_cm3_per_kg
    expressions = {
        "volumetric + chargeable weight": [dimensions.volumetric_weight_kg(divisor),
                                           dimensions.chargeable_weight_kg(divisor).alias("c")],
        "sides, girth, volume, density": [dimensions.longest_side_cm(), dimensions.sum_of_sides_cm().alias("s"),
                                          dimensions.length_plus_girth_cm().alias("g"),
                                          dimensions.volume_m3().alias("v"), dimensions.density_kg_per_m3().alias("d")],
        "listings_sharing_box (window)": [_listings_sharing_box()],
        "categories_sharing_box (window n_unique)": [_categories_sharing_box()],
        "trait evidence (one pattern per text field, volumes)": [traits.found_evidence(settings.traits)],
        "price_usd + unit_cost_usd": [price.price_usd(settings.fx), price.unit_cost_usd(settings.fx).alias("u")],
        "months_of_cover": [_months_of_cover()],
    }
    results = []
    for name, exprs in expressions.items():
        results.append((name, timed(name, lambda exprs=exprs: valid.select(exprs))))
    base = valid.with_columns(
        volumetric_weight_kg=dimensions.volumetric_weight_kg(divisor),
        chargeable_weight_kg=dimensions.chargeable_weight_kg(divisor),
        longest_side_cm=dimensions.longest_side_cm(),
        sum_of_sides_cm=dimensions.sum_of_sides_cm(),
        length_plus_girth_cm=dimensions.length_plus_girth_cm(),
        volume_m3=dimensions.volume_m3(),
        density_kg_per_m3=dimensions.density_kg_per_m3(),
        price_usd=price.price_usd(settings.fx),
        unit_cost_usd=price.unit_cost_usd(settings.fx),
        months_of_cover=_months_of_cover(),
        **{flag: pl.lit(False) for flag in ("has_battery", "is_loose_battery", "is_liquid", "is_powder",
                                            "has_magnet", "is_aerosol_or_flammable", "is_restricted")},
        fragility_score=pl.lit(0.0),
        is_fragile=pl.lit(False),
    )
    results.append(("FBA features (struct)", timed("fba", lambda: with_fba_features(base, card))))
    placed = base.with_columns(destination_country=shipping.destination_country(settings)).with_columns(
        destination_market=shipping.destination_market(settings))
    results.append(("destination country + market", timed("dest", lambda: base.with_columns(
        destination_country=shipping.destination_country(settings)).with_columns(
        destination_market=shipping.destination_market(settings)))))
    results.append(("duty, VAT, customs fee", timed("tax", lambda: placed.select(
        shipping.duty_usd(settings), shipping.vat_usd(settings).alias("v"),
        shipping.customs_fee_usd(settings).alias("c")))))
    for name, channel in settings.channels.items():
        rates = settings.channel_rates(name)
        chargeable = shipping.chargeable_weight_on(channel)
        results.append((f"{name}: chargeable weight", timed(name, lambda chargeable=chargeable: placed.select(
            chargeable))))
        results.append((f"{name}: ineligible_reasons (list)", timed(
            name, lambda channel=channel, rates=rates, chargeable=chargeable: placed.select(
                shipping.ineligible_reasons(channel, rates, chargeable)))))
        results.append((f"{name}: shipping cost (band when/then)", timed(
            name, lambda channel=channel, rates=rates, chargeable=chargeable: placed.select(
                shipping.shipping_cost_usd(settings, channel, rates, chargeable)))))
    costed = shipping.with_channel_costs(base, settings)
    results.append(("with_channel_costs (all channels together)", timed("all", lambda: shipping.with_channel_costs(
        base, settings))))
    results.append(("with_cheapest_channel", timed("cheap", lambda: shipping.with_cheapest_channel(costed, settings))))
    cheapest = shipping.with_cheapest_channel(costed, settings).with_columns(
        direct_ship_channel=pl.col("recommended_channel"), logistics_cost_ratio=pl.lit(0.1),
        margin_after_logistics_usd=pl.lit(1.0), margin_ratio=pl.lit(0.1))
    results.append(("warehouse economics", timed("wh", lambda: with_warehouse_economics(cheapest, settings))))
    return results


def score_breakdown(featured: pl.DataFrame, settings) -> list[tuple[str, float]]:
    from xborder_pipeline.codes import codes_where
    from xborder_pipeline.scoring import confidence, suitability, trade_model, warehousing

    expressions = {
        "suitability_score": suitability.suitability_score(settings),
        "suitability_reasons (list)": codes_where(suitability.suitability_reason_conditions(settings)),
        "warehouse_flag": warehousing.warehouse_flag(settings),
        "warehouse_reasons (list)": codes_where(warehousing.warehouse_reason_conditions(settings)),
        "data_confidence": confidence.data_confidence(settings),
        "confidence_reasons (list)": codes_where(confidence.confidence_conditions(settings)),
        "trade_model_hint": trade_model.trade_model_hint(settings),
        "trade_model_reasons (list)": trade_model.trade_model_reasons(settings),
    }
    return [(name, timed(name, lambda expr=expr: featured.select(expr))) for name, expr in expressions.items()]


def wrap_store_helpers(log: list[tuple[str, float]]) -> None:
    """Time each statement of write_run by wrapping the store's helpers (this process only)."""
    from xborder_pipeline.store import database

    def wrapped(name: str, function: Callable, label: Callable[..., str]) -> Callable:
        def timed_call(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                log.append((label(*args, **kwargs), time.perf_counter() - began))

        return timed_call

    database._replace_current_rows = wrapped(
        "replace", database._replace_current_rows, lambda c, table, rows: f"replace {table} ({rows.height:,} rows)")
    database._record_score_changes = wrapped(
        "changes", database._record_score_changes, lambda c, scores, **k: f"score_changes ({scores.height:,} rows)")
    database._append = wrapped("append", database._append, lambda c, table, rows: f"append {table} ({rows.height:,})")
    database._run_audits = wrapped("audits", database._run_audits, lambda c: "post-load audits")
    database.ensure_schema = wrapped("schema", database.ensure_schema, lambda c: "ensure_schema")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--db", type=Path, help="database to write (default: a fresh file next to the input)")
    parser.add_argument("--no-breakdown", action="store_true", help="stage totals only")
    arguments = parser.parse_args()

    global SAMPLER
    SAMPLER = Sampler()
    import xborder_pipeline
    from xborder_pipeline.config import load_settings
    from xborder_pipeline.features import with_listing_features
    from xborder_pipeline.features.fba import load_fba_card
    from xborder_pipeline.features.shipping import channel_costs_long
    from xborder_pipeline.ingest import IngestOptions, read_listings
    from xborder_pipeline.scoring import with_scores
    from xborder_pipeline.store import database
    from xborder_pipeline.validation import validate_listings

    settings, card = load_settings(), load_fba_card()
    db = arguments.db or arguments.input.with_name(f"profile_{arguments.input.stem}.duckdb")
    db.unlink(missing_ok=True)
    load_log: list[tuple[str, float]] = []
    wrap_store_helpers(load_log)
    print(f"profile of {arguments.input} (pid {os.getpid()}, baseline RSS "
          f"{psutil.Process().memory_info().rss / 1e6:,.0f} MB)")
    began = time.perf_counter()
    with stage("ingest (read_listings)"):
        ingested = read_listings([arguments.input], IngestOptions())
    with stage("validate (validate_listings)"):
        checked = validate_listings(ingested.records, settings, earlier_rejects=ingested.rejects)
    with stage("features (with_listing_features)"):
        featured = with_listing_features(checked.valid, settings, card)
    with stage("score (with_scores)"):
        scored = with_scores(featured, settings)
    run_id = "profile"
    finished_at = datetime.now(UTC)
    with stage("channel_costs_long"):
        costs = channel_costs_long(scored, settings).with_columns(run_id=pl.lit(run_id), scored_at=pl.lit(finished_at))
    with stage("write_run (DuckDB, one transaction)"):
        database.write_run(
            db,
            database.RunRecord(run_id=run_id, started_at=finished_at, config_hash="profile", input_files=[],
                               version=xborder_pipeline.__version__),
            database.RunCounts(rows_read=ingested.rows_read, rows_scored=scored.height,
                               rows_rejected=checked.rows_rejected, rows_skipped=ingested.skipped.height),
            listings=scored.with_columns(run_id=pl.lit(run_id)),
            scores=scored.with_columns(run_id=pl.lit(run_id), scored_at=pl.lit(finished_at)),
            channel_costs=costs,
            rejects=checked.rejects.with_columns(run_id=pl.lit(run_id)),
            skipped=ingested.skipped.with_columns(run_id=pl.lit(run_id)),
            finished_at=finished_at,
        )
    total = time.perf_counter() - began
    print(f"  {'total':<44} {total:8.2f} s   ({scored.height:,} scored; frame of {scored.width} columns, "
          f"{scored.estimated_size() / 1e6:,.0f} MB)")
    print("\nload, statement by statement:")
    for name, seconds in load_log:
        print(f"  {name:<52} {seconds:8.2f} s")
    if not arguments.no_breakdown:
        print("\nfeatures, expression by expression (each evaluated alone):")
        for name, seconds in feature_breakdown(checked.valid, settings, card):
            print(f"  {name:<52} {seconds:8.2f} s")
        print("\nscores, expression by expression:")
        for name, seconds in score_breakdown(featured, settings):
            print(f"  {name:<52} {seconds:8.2f} s")
    SAMPLER.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
