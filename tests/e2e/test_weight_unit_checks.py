"""A file whose declared weights are in another unit than they say is named, not scored in silence (the
weight_unit_checks view and the run summary's warning)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import canonical_csv, cli_rows
from xborder_pipeline.cli import EXIT_OK, app

runner = CliRunner()
KG_PER_OZ = 0.028349523125


def _export(path: Path, slipped: int, agreeing: int) -> Path:
    """Feeds whose titles say N lb: `slipped` declare N oz (pounds typed into an ounces field), `agreeing` N lb."""
    rows = []
    for number in range(slipped + agreeing):
        pounds = 2 + number % 5
        declared = pounds * KG_PER_OZ if number < slipped else pounds * 0.45359237 * 1.05
        rows.append({"listing_id": f"feed-{number}", "sku": f"FEED-{number}", "title": f"Garden feed {number} - "
                     f"{pounds} lb", "category": "Garden", "description": "", "weight_kg": f"{declared:.6f}",
                     "length_cm": "", "width_cm": "", "height_cm": ""})
    return canonical_csv(path, rows)


def _score(tmp_path: Path, export: Path) -> tuple[str, Path]:
    db = tmp_path / "catalogue.duckdb"
    result = runner.invoke(app, ["score", str(export), "--db", str(db)])
    assert result.exit_code == EXIT_OK, result.output
    return result.output, db


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
class TestWeightUnitChecks:

    def test_pounds_typed_as_ounces_across_a_file_are_named_with_the_count_that_shows_it(self, tmp_path: Path) -> None:
        export = _export(tmp_path / "feeds.csv", slipped=8, agreeing=2)

        output, db = _score(tmp_path, export)

        assert (f"WARNING: {export}: 8 of 10 listing(s) whose title states a weight declare it as pounds read as "
                "ounces (5 lb in the title, 5 oz declared)") in output
        checks = cli_rows(db, "select slip, listings_slipped, listings_compared, listings_agreeing, "
                              "likely_in_whole_file from weight_unit_checks")
        assert checks == [{"slip": "pounds read as ounces", "listings_slipped": 8, "listings_compared": 10,
                           "listings_agreeing": 2, "likely_in_whole_file": True}]
        stated = cli_rows(db, "select stated_weight_kg from latest_scores where listing_id = 'feed-0'")
        assert stated == [{"stated_weight_kg": pytest.approx(2 * 0.45359237)}]

    def test_a_few_slips_among_weights_that_agree_are_each_set_aside_without_a_warning(self, tmp_path: Path) -> None:
        export = _export(tmp_path / "feeds.csv", slipped=3, agreeing=12)

        output, db = _score(tmp_path, export)

        assert "declare it as pounds read as ounces" not in output
        checks = cli_rows(db, "select listings_slipped, likely_in_whole_file from weight_unit_checks")
        assert checks == [{"listings_slipped": 3, "likely_in_whole_file": False}]
        slipped = cli_rows(db, "select reasons from latest_scores where listing_id = 'feed-0'")
        assert "IMPLAUSIBLE_WEIGHT" in slipped[0]["reasons"]
