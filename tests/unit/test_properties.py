"""Property tests: random export content and numeric extremes never crash, and invariants hold."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xborder_pipeline.schemas.listing import ADAPTER_COLUMNS, CANONICAL_COLUMNS, LINEAGE_COLUMNS

from tests.helpers import featured, scored
from xborder_pipeline.ingest import InputFileError, read_listings
from xborder_pipeline.scoring import CONFIDENCE_LEVELS, SUITABILITY_BANDS, WAREHOUSE_FLAGS

EXPECTED_COLUMNS = [*CANONICAL_COLUMNS, *ADAPTER_COLUMNS, *LINEAGE_COLUMNS]
cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def _read(path: Path):
    try:
        return read_listings([path])
    except InputFileError as error:
        assert str(path.name) in str(error)
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_random_bytes_never_crash_the_reader(tmp_path_factory, content: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "random.csv"
    path.write_bytes(content)

    result = _read(path)

    if result is not None:
        assert result.records.columns == EXPECTED_COLUMNS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=len(CANONICAL_COLUMNS) + 3), max_size=12),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_random_canonical_csv_accounts_for_every_record(tmp_path_factory, rows, delimiter) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(CANONICAL_COLUMNS)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "random.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")

    result = _read(path)

    if result is not None:
        assert result.records.columns == EXPECTED_COLUMNS
        rows_seen = set(result.records["source_row"]) | set(result.skipped["source_row"]) | set(
            result.rejects["source_row"]
        )
        assert len(rows_seen) == result.rows_read
        assert all(row >= 1 for row in rows_seen)


side = st.one_of(st.none(), st.floats(min_value=0.0, max_value=500.0, allow_nan=False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    weight=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)),
    length=side, width=side, height=side,
    price=st.one_of(st.none(), st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)),
    sold=st.one_of(st.none(), st.floats(min_value=0.0, max_value=1e7, allow_nan=False)),
    stock=st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
)
def test_scores_stay_in_range_for_extreme_values(settings, weight, length, width, height, price, sold,
                                                stock) -> None:
    row = scored(settings, {"weight_kg": weight, "length_cm": length, "width_cm": width, "height_cm": height,
                          "price": price, "monthly_units_sold": sold, "stock_qty": stock}).row(0, named=True)

    assert 0 <= row["suitability_score"] <= 100
    assert row["suitability_band"] in SUITABILITY_BANDS
    assert row["warehouse_flag"] in WAREHOUSE_FLAGS
    assert row["data_confidence"] in CONFIDENCE_LEVELS
    if row["chargeable_weight_kg"] is not None and weight and row["weight_basis"] == "declared":
        assert row["chargeable_weight_kg"] >= weight - 1e-9
    for cost in ("est_direct_ship_cost_usd", "landed_cost_usd", "warehouse_cost_per_unit_usd"):
        assert row[cost] is None or (row[cost] >= 0 and math.isfinite(row[cost])), cost
    assert 0 <= row["fragility_score"] <= 1


def test_a_frame_of_nothing_scores_to_nothing(settings) -> None:
    empty = featured(settings, {}).head(0)

    assert empty.height == 0
    assert isinstance(empty, pl.DataFrame)
