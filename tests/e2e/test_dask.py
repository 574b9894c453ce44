"""The Dask path (flows/score_on_dask.py) on a LocalCluster: the same scores as the local flow, same guarantees.

Two worker processes score three files: the sample catalogue, a Shopify export (another adapter, with a skipped
row) and a small canonical file whose first listing repeats a sample listing_id, so the run-wide duplicate check
spans files staged on different workers. That run goes through `xborder score --dask-workers 2` (a temporary
cluster); the failure cases use one cluster started here, reached by address.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT, SAMPLE_CATALOGUE
from tests.helpers import canonical_csv
from xborder_pipeline.cli import EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, app
from xborder_pipeline.store.database import query

pytest.importorskip("prefect_dask", reason="the dask extra is not installed (pip install -e '.[dev,dask]')")

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SHOPIFY_EXPORT = REPO_ROOT / "tests" / "fixtures" / "exports" / "shopify_products.csv"
REPEATED_SAMPLE_ID = "AMZ-US-100124"
STAMPS = {"run_id", "scored_at"}


@pytest.fixture(scope="module", autouse=True)
def _quiet_dask_logs():
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # inherited by the worker processes


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    third = canonical_csv(
        tmp_path_factory.mktemp("inputs") / "more_listings.csv",
        [
            {"listing_id": REPEATED_SAMPLE_ID, "sku": "REPEAT-1"},
            {"title": "Ceramic vase, hand painted", "category": "Home Decor", "weight_kg": "1.8", "length_cm": "35",
             "width_cm": "20", "height_cm": "20", "price": "45.00"},
            {"title": "Power bank 20000mAh", "price": "29.99", "weight_kg": "0.45"},
        ],
    )
    return [SAMPLE_CATALOGUE, SHOPIFY_EXPORT, third]


@pytest.fixture(scope="module")
def local_db(tmp_path_factory, inputs: list[Path]) -> Path:
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    score_catalogue(paths=[str(path) for path in inputs], db_path=str(db))
    return db


@pytest.fixture(scope="module")
def dask_db(tmp_path_factory, inputs: list[Path]) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("dask") / "dask.duckdb"
    result = CliRunner().invoke(app, ["score", *map(str, inputs), "--db", str(db), "--dask-workers", "2"])
    assert result.exit_code == EXIT_OK, result.output
    return db, result.output


@pytest.fixture(scope="module")
def cluster_address():
    """A running two-worker LocalCluster, reached by address as a real cluster would be."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _rows(db: Path, table: str, order: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        # doubles to 9 decimals: the engines may sum a product's terms in another order (last-bit differences)
        columns = [
            f"round({name}, 9) as {name}" if kind == "DOUBLE" else name
            for name, kind in connection.execute(
                "select column_name, data_type from information_schema.columns where table_name = ?"
                " order by ordinal_position",
                [table],
            ).fetchall() if name not in STAMPS
        ]
        return connection.execute(f"select {', '.join(columns)} from {table} order by {order}").fetchall()  # noqa: S608


@pytest.mark.parametrize(
    ("table", "order"),
    [
        ("listing_scores", "listing_id"),
        ("listings", "listing_id"),
        ("listing_channel_costs", "listing_id, channel"),
        ("rejected_rows", "source_file, source_row, column_name, check_name"),
        ("skipped_rows", "source_file, source_row"),
    ],
)
def test_dask_run_stores_what_the_local_flow_stores(local_db: Path, dask_db: tuple[Path, str], table: str,
                                                    order: str) -> None:
    local, on_dask = _rows(local_db, table, order), _rows(dask_db[0], table, order)
    assert on_dask == local
    assert local or table == "skipped_rows" and not on_dask


def test_dask_run_counts_every_record_once_and_repeats_across_files(local_db: Path, dask_db: tuple[Path, str]) -> None:
    counts = "select rows_read, rows_scored, rows_rejected, rows_skipped, status, config_hash from pipeline_runs"
    assert query(dask_db[0], counts).rows() == query(local_db, counts).rows()
    (read, scored, rejected, skipped, status, _), = query(dask_db[0], counts).rows()
    assert status == "succeeded" and read == scored + rejected + skipped
    across_files = query(
        dask_db[0],
        "select source_file, source_row from rejected_rows where check_name = 'is_unique' and failure_value = $id",
        {"id": REPEATED_SAMPLE_ID},
    )
    assert across_files.rows() == [(across_files["source_file"][0], 1)]  # the later file's record, not the sample's
    assert across_files["source_file"][0].endswith("more_listings.csv")


def test_dask_run_reports_progress_and_leaves_no_spool(dask_db: tuple[Path, str]) -> None:
    db, output = dask_db
    assert "read and validate on Dask: 3/3 file(s)" in output
    assert "features and scores on Dask" in output
    spools = db.parent / ".xborder-spool"
    assert not spools.exists() or not any(spools.iterdir())


def test_a_file_failing_on_a_worker_fails_the_run_and_changes_nothing(cluster_address: str, tmp_path: Path) -> None:
    db = tmp_path / "catalogue.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["score", str(SAMPLE_CATALOGUE), "--db", str(db), "--dask-address", cluster_address])
    assert first.exit_code == EXIT_OK, first.output
    before = _rows(db, "listing_scores", "listing_id")
    unreadable = tmp_path / "unknown_export.csv"
    unreadable.write_text("foo,bar\n1,2\n", encoding="utf-8")

    failed = runner.invoke(
        app, ["score", str(SAMPLE_CATALOGUE), str(unreadable), "--db", str(db), "--dask-address", cluster_address]
    )

    assert failed.exit_code == EXIT_RUN_FAILED, failed.output
    assert "cannot tell which export this is" in failed.output  # the worker's error, with its message
    assert _rows(db, "listing_scores", "listing_id") == before
    runs = query(db, "select status, error_message from pipeline_runs order by started_at")
    assert runs["status"].to_list() == ["succeeded", "failed"]
    assert "cannot tell which export this is" in runs["error_message"][1]
    assert not any((tmp_path / ".xborder-spool").glob("*"))


def test_a_read_error_keeps_its_message_across_processes(tmp_path: Path) -> None:
    from xborder_pipeline.ingest.errors import InputFileError

    error = InputFileError(tmp_path / "unknown_export.csv", "cannot tell which export this is")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_the_scheduler_address_can_come_from_the_configuration(cluster_address: str, tmp_path: Path) -> None:
    config = tmp_path / "dask.toml"
    config.write_text(f'[dask]\nscheduler_address = "{cluster_address}"\n\n[run]\nmax_reject_share = 0.01\n',
                      encoding="utf-8")
    db = tmp_path / "catalogue.duckdb"

    result = CliRunner().invoke(app, ["score", str(SAMPLE_CATALOGUE), "--db", str(db), "--config", str(config)])

    # 8 of 209 sample records are bad: over the 1% allowed, so the run fails in the driver after the workers
    # staged the file; it is recorded, and nothing else is written.
    assert result.exit_code == EXIT_RUN_FAILED, result.output
    assert "read and validate on Dask: 1/1 file(s)" in result.output
    assert query(db, "select status from pipeline_runs")["status"].to_list() == ["failed"]
    assert query(db, "select count(*) as n from listing_scores")["n"][0] == 0


def test_local_workers_and_an_address_together_are_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["score", str(SAMPLE_CATALOGUE), "--db", str(tmp_path / "x.duckdb"), "--dask-workers", "2",
         "--dask-address", "tcp://127.0.0.1:8786"],
    )
    assert result.exit_code == EXIT_USAGE
    assert not (tmp_path / "x.duckdb").exists()
