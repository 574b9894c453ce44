"""Estimates end to end: a Shopify export with weight 0 and no box is scored on estimates that name their basis."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from xborder_pipeline.cli import EXIT_OK, app
from xborder_pipeline.store.database import query

BIKE_SHOP = REPO_ROOT / "tests" / "fixtures" / "exports" / "shopify_bike_shop_no_sizes.csv"


def test_a_bike_shop_export_without_weights_or_sizes_is_scored_on_stated_estimates(tmp_path: Path) -> None:
    db = tmp_path / "bikes.duckdb"

    result = CliRunner().invoke(app, ["score", str(BIKE_SHOP), "--db", str(db)])

    assert result.exit_code == EXIT_OK, result.output
    assert "estimates:" in result.output
    assert "weight from: declared 0, sibling 0, title 0, category_prior 3, none 0" in result.output
    rows = {
        row["sku"]: row
        for row in query(
            db,
            """
            select sku, weight_kg, length_cm, weight_basis, dimensions_basis, estimate_prior, estimated_weight_kg,
                   estimated_length_cm, chargeable_weight_kg, suitability_band, data_confidence, reasons
            from latest_scores
            """,
        ).to_dicts()
    }
    bike, bar, vase = rows["TRAIL-26"], rows["BAR-72"], rows["VASE-1"]
    # the declared values stay as exported: weight 0, no box
    assert (bike["weight_kg"], bike["length_cm"]) == (0.0, None)
    assert (bike["estimate_prior"], bar["estimate_prior"], vase["estimate_prior"]) == (
        "bicycle",
        "bicycle_handlebar",
        "vase",
    )
    # a boxed bicycle: 19 kg, 150 cm long at the upper quartile; too big for a parcel, never suitable
    assert (bike["estimated_weight_kg"], bike["estimated_length_cm"]) == (19.0, 150.0)
    assert bike["suitability_band"] != "suitable"
    assert "OVER_POSTAL_SIZE" in bike["reasons"]
    assert "OVER_POSTAL_WEIGHT" in bike["reasons"]
    # the handlebar's 72 cm fits in its prior's 82 cm carton; the vase is fragile
    assert bar["estimated_length_cm"] == 82.0
    assert "FRAGILE" in vase["reasons"]
    for row in (bike, bar, vase):
        assert row["chargeable_weight_kg"] is not None
        assert row["data_confidence"] in ("medium", "low")
        assert {"ESTIMATED_WEIGHT", "ESTIMATED_DIMENSIONS"} <= set(row["reasons"])
