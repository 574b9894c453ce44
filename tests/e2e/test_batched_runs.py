"""A run in small batches stores exactly what one batch stores; the spool never outlives its run."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import SAMPLE_CATALOGUE
from tests.helpers import canonical_csv
from xborder_pipeline.batches import SPOOL_FOLDER, SPOOL_MARKER
from xborder_pipeline.store.database import query

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

STORED = {
    "listings": "select * exclude (run_id) from listings order by listing_id",
    "listing_scores": (
        # input_fingerprint holds the listing's batch-mates of its product_group: it follows the batch size; both
        # fingerprints hold the scoring context, whose configuration holds the batch size
        "select * exclude (run_id, scored_at, input_fingerprint, listing_fingerprint) from listing_scores "
        "order by listing_id"
    ),
    "listing_channel_costs": (
        "select * exclude (run_id, scored_at) from listing_channel_costs order by listing_id, channel"
    ),
    "rejected_rows": (
        "select * exclude (run_id) from rejected_rows order by source_file, source_row, column_name, check_name"
    ),
    "skipped_rows": "select * exclude (run_id) from skipped_rows order by source_file, source_row",
    "pipeline_runs": "select rows_read, rows_scored, rows_rejected, rows_skipped, status from pipeline_runs",
}


def _config(folder: Path, **run: object) -> Path:
    lines = ["[run]", *(f"{key} = {value!r}".replace("'", '"') for key, value in run.items())]
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _score(paths: list[Path], db: Path, config: Path | None = None):
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    return score_catalogue(
        paths=[str(path) for path in paths], db_path=str(db), config_path=str(config) if config else None
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The sample, and a second file repeating a sample id, adding one, sharing a box across files, with a
blank record (row 3)."""
    folder = tmp_path_factory.mktemp("inputs")
    second = canonical_csv(
        folder / "second export.csv",
        [
            {"listing_id": "AMZ-US-100124", "title": "a repeat of a sample listing"},
            {"listing_id": "NEW-1", "length_cm": "18", "width_cm": "10", "height_cm": "2", "category": "Toys"},
            {"listing_id": "NEW-1", "title": "a repeat inside the second file"},
            {"listing_id": "AMZ-US-100124", "title": "a second repeat"},
            # NEW-1's box again: three listings, one category (a missing one is no category)
            {"listing_id": "NEW-2", "length_cm": "18", "width_cm": "10", "height_cm": "2", "category": ""},
            {"listing_id": "NEW-3", "length_cm": "18.0", "width_cm": "10", "height_cm": "2", "category": "Toys"},
        ],
    )
    lines = second.read_text(encoding="utf-8").splitlines()
    second.write_text("\n".join([*lines[:3], ",,,", *lines[3:]]) + "\n", encoding="utf-8")  # a blank record
    return [SAMPLE_CATALOGUE, second]


@pytest.fixture(scope="module")
def whole_and_batched(tmp_path_factory, inputs) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("runs")
    whole, batched = folder / "whole.duckdb", folder / "batched.duckdb"
    _score(inputs, whole)
    stream_everything = _config(folder, batch_rows=7, stream_files_over_mb=0.0)
    _score(inputs, batched, stream_everything)
    return whole, batched


@pytest.mark.parametrize("table", list(STORED))
def test_a_run_in_batches_of_seven_stores_what_one_batch_stores(whole_and_batched, table: str) -> None:
    whole, batched = whole_and_batched
    expected, got = query(whole, STORED[table]), query(batched, STORED[table])

    assert got.height == expected.height > 0
    # the same values; a float may differ in its last bit where polars multiplies in another order
    assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


def test_repeated_ids_across_files_and_batches_keep_the_first_record(whole_and_batched, inputs) -> None:
    _, batched = whole_and_batched
    repeats = query(
        batched,
        "select source_file, source_row, failure_value, message from rejected_rows "
        "where check_name = 'is_unique' and source_file = $second order by source_row",
        {"second": str(inputs[1])},
    )

    assert repeats["source_row"].to_list() == [1, 4, 5]
    assert repeats["failure_value"].to_list() == ["AMZ-US-100124", "NEW-1", "AMZ-US-100124"]
    assert f"{SAMPLE_CATALOGUE} row" in repeats["message"][0]
    assert f"{inputs[1]} row 2" in repeats["message"][1]
    scored_title = query(batched, "select title from listings where listing_id = 'AMZ-US-100124'")["title"][0]
    assert scored_title != "a repeat of a sample listing"


def test_a_box_shared_across_files_is_counted_across_the_whole_run(whole_and_batched) -> None:
    _, batched = whole_and_batched
    box = query(
        batched,
        """
        select s.listings_sharing_box, l.listing_id from listing_scores as s join listings as l using (listing_id)
        where l.length_cm = 18 and l.width_cm = 10 and l.height_cm = 2
        """,
    )

    assert box.height >= 3
    assert box["listings_sharing_box"].unique().to_list() == [box.height]


def test_the_spool_is_removed_after_a_run_and_a_killed_runs_spool_at_the_next(tmp_path) -> None:
    db = tmp_path / "store.duckdb"
    stale = tmp_path / SPOOL_FOLDER / "killed-run"
    stale.mkdir(parents=True)
    (stale / SPOOL_MARKER).write_text("killed-run\n", encoding="utf-8")
    not_ours = tmp_path / SPOOL_FOLDER / "a user's folder"
    not_ours.mkdir()

    _score([SAMPLE_CATALOGUE], db)

    assert sorted(path.name for path in (tmp_path / SPOOL_FOLDER).iterdir()) == ["a user's folder"]


def test_a_failed_run_removes_its_spool_and_changes_nothing(tmp_path) -> None:
    db = tmp_path / "store.duckdb"
    spool_dir = tmp_path / "my spool"
    config = _config(tmp_path, spool_dir=str(spool_dir), max_reject_share=0.0)
    _score([canonical_csv(tmp_path / "good.csv", [{}])], db, config)
    before = query(db, "select * exclude (run_id, scored_at) from listing_scores")

    with pytest.raises(Exception, match="max_reject_share"):
        _score([canonical_csv(tmp_path / "bad.csv", [{"price": "abc"}, {}])], db, config)

    assert list(spool_dir.iterdir()) == []
    assert query(db, "select * exclude (run_id, scored_at) from listing_scores").equals(before)
    assert query(db, "select status from pipeline_runs order by started_at")["status"].to_list() == [
        "succeeded",
        "failed",
    ]


def test_a_parquet_file_read_in_record_batches_gives_the_same_records(tmp_path) -> None:
    from xborder_pipeline.ingest import IngestOptions, read_file, read_file_in_pieces

    csv_file = canonical_csv(tmp_path / "five.csv", [{"price": str(index)} for index in range(1, 6)])
    parquet_file = tmp_path / "five.parquet"
    pl.read_csv(csv_file, infer_schema=False).write_parquet(parquet_file, row_group_size=2)

    pieces = list(read_file_in_pieces(parquet_file, IngestOptions(), piece_rows=2))

    assert [piece.records.height for piece in pieces] == [2, 2, 1]
    together = pl.concat([piece.records for piece in pieces])
    assert together.equals(read_file(parquet_file, IngestOptions()).records)
    assert together["source_row"].to_list() == [1, 2, 3, 4, 5]


def test_a_large_csv_read_in_chunks_numbers_and_rejects_rows_as_the_whole_file_reader(tmp_path) -> None:
    from xborder_pipeline.ingest import IngestOptions, read_file, read_file_in_pieces

    path = canonical_csv(tmp_path / "rows.csv", [{} for _ in range(7)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")  # a blank line: skipped
    lines.insert(6, "X-1,too,few,fields")  # a malformed record: rejected with its row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    pieces = list(read_file_in_pieces(path, IngestOptions(), piece_rows=3, stream_over_bytes=0))
    whole = read_file(path, IngestOptions())

    assert len(pieces) > 1
    for kind in ("records", "skipped", "rejects"):
        assert pl.concat([getattr(piece, kind) for piece in pieces]).equals(getattr(whole, kind)), kind
    assert whole.rejects["source_row"].to_list() == [6]
    assert whole.skipped["source_row"].to_list() == [3]


def test_a_field_past_the_limit_fails_the_file_naming_the_line_instead_of_filling_memory(tmp_path) -> None:
    from xborder_pipeline.ingest import IngestOptions, read_file_in_pieces
    from xborder_pipeline.ingest.errors import InputFileError

    path = canonical_csv(tmp_path / "open quote.csv", [{}, {}, {}])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Silicone phone case", '"an unclosed quote ' + "x" * 5_000)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(InputFileError, match=r"longer than limits.max_field_mb .* line \d+; is a quote left open"):
        list(read_file_in_pieces(path, IngestOptions(), piece_rows=2, stream_over_bytes=0, max_field_chars=1_000))


def test_shared_boxes_found_across_the_run_equal_the_whole_frame_rule(whole_and_batched, inputs, settings) -> None:
    from xborder_pipeline.features import with_listing_features
    from xborder_pipeline.ingest import read_listings
    from xborder_pipeline.scoring import with_scores
    from xborder_pipeline.validation import validate_listings

    _, batched = whole_and_batched
    valid = validate_listings(read_listings(inputs).records, settings).valid
    in_one_frame = with_scores(with_listing_features(valid, settings), settings)
    expected = in_one_frame.select("listing_id", "listings_sharing_box", "data_confidence").sort("listing_id")
    stored = query(batched, "select listing_id, listings_sharing_box, data_confidence from listing_scores order by 1")

    assert stored.equals(expected)
    assert in_one_frame.filter(pl.col("categories_sharing_box") > 1).height > 0  # the sample has such boxes
