"""Small builders shared by tests: canonical CSV text and listing frames with sensible defaults."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

# The real exports in ../shared beside the repository (or where $XBORDER_SHARED points, e.g. from a worktree):
# test input only, read where they lie; tests that need them skip when they are absent.
SHARED_EXPORTS = Path(os.environ.get("XBORDER_SHARED") or Path(__file__).resolve().parents[1].parent / "shared") / (
    "data/exports"
)

GOOD_ROW: dict[str, str] = {
    "listing_id": "L-1",
    "sku": "SKU-1",
    "marketplace": "amazon_us",
    "seller_id": "shenzhen-gadgets",
    "title": "Silicone phone case",
    "category": "Phone Accessories",
    "description": "Soft silicone case",
    "price": "12.99",
    "currency": "USD",
    "unit_cost": "2.10",
    "weight_kg": "0.05",
    "length_cm": "18",
    "width_cm": "10",
    "height_cm": "2",
    "stock_qty": "500",
    "monthly_units_sold": "120",
    "moq": "",
}


def canonical_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = CANONICAL_COLUMNS) -> Path:
    """Write rows (each a partial override of GOOD_ROW) as a canonical CSV file."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for index, overrides in enumerate(rows, start=1):
        row = {**GOOD_ROW, "listing_id": f"L-{index}", "sku": f"SKU-{index}", **overrides}
        writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def cli_rows(db: Path, sql: str) -> list[dict[str, object]]:
    """The rows of a read-only query, through `xborder query --format json` as a user runs it."""
    from typer.testing import CliRunner

    from xborder_pipeline.cli import EXIT_OK, app

    result = CliRunner().invoke(app, ["query", sql, "--db", str(db), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.output)


TYPED_DEFAULTS: dict[str, object] = {
    "listing_id": "L-1",
    "sku": "SKU-1",
    "marketplace": "amazon_us",
    "seller_id": "shenzhen-gadgets",
    "title": "Silicone phone case",
    "category": "Phone Accessories",
    "description": "Soft silicone case",
    "price": 12.99,
    "currency": "USD",
    "unit_cost": 2.10,
    "weight_kg": 0.05,
    "length_cm": 18.0,
    "width_cm": 10.0,
    "height_cm": 2.0,
    "stock_qty": 500,
    "monthly_units_sold": 120.0,
    "moq": None,
    "is_physical": None,
    "source_format": "canonical_csv",
    "original_values": None,
    "attributes": None,
    "source_file": "test.csv",
    "source_row": 1,
}


def typed_listings(*rows: dict[str, object]):
    """A typed canonical listings frame: each row overrides TYPED_DEFAULTS; ids are numbered."""
    import polars as pl
    from xborder_pipeline.schemas.listing import CanonicalListing

    schema = {
        name: dtype
        for name, dtype in {
            **{column: pl.String for column in TYPED_DEFAULTS},
            "price": pl.Float64, "unit_cost": pl.Float64, "weight_kg": pl.Float64, "length_cm": pl.Float64,
            "width_cm": pl.Float64, "height_cm": pl.Float64, "monthly_units_sold": pl.Float64,
            "stock_qty": pl.Int64, "moq": pl.Int64, "source_row": pl.Int64, "is_physical": pl.Boolean,
        }.items()
    }
    records = [
        {**TYPED_DEFAULTS, "listing_id": f"L-{index}", "source_row": index, **row}
        for index, row in enumerate(rows, start=1)
    ]
    frame = pl.DataFrame(records, schema=schema)
    CanonicalListing.validate(frame)
    return frame


def featured(settings, *rows: dict[str, object]):
    from xborder_pipeline.features import with_listing_features

    return with_listing_features(typed_listings(*rows), settings)


def scored(settings, *rows: dict[str, object]):
    from xborder_pipeline.scoring import with_scores

    return with_scores(featured(settings, *rows), settings)
