"""The nightly job: schedule, incremental inbox, idempotent and atomic runs, history, one run at a time."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import canonical_csv
from xborder_pipeline.run_summary import run_report_markdown
from xborder_pipeline.store.database import query
from xborder_pipeline.store.run_lock import DatabaseBusy, exclusive_run

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


def _count(db: Path, table: str) -> int:
    return query(db, f"select count(*) as n from {table}")["n"][0]  # noqa: S608 (test-owned names)


def _nightly(db: Path, inbox: Path, **kwargs):
    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    return nightly_catalogue_scoring(db_path=str(db), inbox=str(inbox), **kwargs)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    canonical_csv(folder / "shop_a.csv", [{}, {"title": "Ceramic mug", "weight_kg": "0.45"}, {"price": "oops"},
                                          {}, {}, {}])
    canonical_csv(folder / "shop_b.csv", [{"listing_id": "B-1"}, {"listing_id": "B-2"}])
    (folder / "notes.md").write_text("not an export", encoding="utf-8")
    (folder / "upload.csv.part").write_text("half", encoding="utf-8")
    return folder


def test_the_deployment_carries_the_cron_schedule_and_time_zone() -> None:
    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    from xborder_pipeline.config import load_settings
    from xborder_pipeline.deployment import nightly_schedule

    schedule = load_settings().schedule
    deployment = nightly_catalogue_scoring.to_deployment(
        name=schedule.deployment_name,
        schedules=[nightly_schedule(schedule.cron, "Asia/Shanghai")],
        parameters={"db_path": "/data/catalogue.duckdb"},
    )

    assert deployment.name == "nightly-catalogue-scoring"
    assert deployment.schedules[0].schedule.cron == "0 2 * * *"
    assert deployment.schedules[0].schedule.timezone == "Asia/Shanghai"


def test_an_unchanged_inbox_is_skipped_and_a_changed_file_is_scored(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "catalogue.duckdb"

    first = _nightly(db, inbox)
    assert first is not None and first.rows_read == 8 and first.rows_rejected == 1
    assert _count(db, "processed_files") == 2
    scores_after_first = query(db, "select listing_id, suitability_score from latest_scores order by 1")
    changes_after_first = _count(db, "score_changes")
    assert changes_after_first == first.rows_scored  # every listing is new

    began = time.perf_counter()
    again = _nightly(db, inbox)
    unchanged_seconds = time.perf_counter() - began
    assert again is None
    assert query(db, "select status from pipeline_runs order by started_at desc limit 1")["status"][0] == "nothing_new"
    assert query(db, "select listing_id, suitability_score from latest_scores order by 1").equals(scores_after_first)
    assert _count(db, "score_changes") == changes_after_first
    assert query(db, "select count(*) as n from score_changes_latest")["n"][0] == 0
    assert unchanged_seconds < 30

    # 0.45 kg: heavier but plausible for a phone case (3.5 kg would be set aside as IMPLAUSIBLE_WEIGHT and estimated)
    canonical_csv(inbox / "shop_b.csv", [{"listing_id": "B-1"}, {"listing_id": "B-2", "weight_kg": "0.45"}])
    third = _nightly(db, inbox)
    assert third is not None and third.rows_read == 2
    changed = query(db, "select listing_id, change_kind from score_changes_latest")
    assert changed.rows() == [("B-2", "changed")]
    assert [change["listing_id"] for change in third.top_changes] == ["B-2"]
    assert "| B-2 |" in run_report_markdown(third)
    assert _count(db, "processed_files") == 3


def test_a_full_refresh_rescores_everything_without_duplicates_or_history(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "catalogue.duckdb"
    _nightly(db, inbox)
    before = {table: _count(db, table) for table in ("listings", "listing_scores", "channel_costs",
                                                      "score_changes")}
    latest = query(db, "select * exclude (run_id, scored_at) from latest_scores order by listing_id")

    refreshed = _nightly(db, inbox, full_refresh=True)

    assert refreshed is not None and refreshed.changes == 0
    assert {table: _count(db, table) for table in before} == before
    assert query(db, "select * exclude (run_id, scored_at) from latest_scores order by listing_id").equals(latest)


def test_scored_files_move_to_the_archive_and_nothing_is_deleted(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "catalogue.duckdb"
    archive = tmp_path / "archive"

    summary = _nightly(db, inbox, archive_dir=str(archive))

    assert sorted(path.name for path in inbox.iterdir()) == ["notes.md", "upload.csv.part"]
    archived = sorted(path.name for path in (archive / summary.run_id).iterdir())
    assert archived == ["shop_a.csv", "shop_b.csv"]
    recorded = query(db, "select archived_to from processed_files order by file_name")["archived_to"].to_list()
    assert recorded == [str(archive / summary.run_id / name) for name in archived]


def test_a_failure_in_the_load_leaves_every_table_as_it_was(tmp_path: Path, inbox: Path, monkeypatch) -> None:
    from xborder_pipeline.store import database

    db = tmp_path / "catalogue.duckdb"
    _nightly(db, inbox)
    tables = ("listings", "listing_scores", "channel_costs", "rejected_rows", "score_changes", "processed_files")
    before = {table: query(db, f"select * from {table} order by all") for table in tables}  # noqa: S608
    canonical_csv(inbox / "shop_c.csv", [{"listing_id": "C-1"}])

    def broken(connection) -> None:
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(database, "_refresh_reason_codes", broken)
    with pytest.raises(RuntimeError, match="injected"):
        _nightly(db, inbox)

    for table in tables:
        assert query(db, f"select * from {table} order by all").equals(before[table]), table  # noqa: S608
    last = query(db, "select status, error_message from pipeline_runs order by started_at desc limit 1").row(0)
    assert last == ("failed", "disk full (injected)")
    assert (inbox / "shop_c.csv").exists()


def test_a_second_run_waits_then_fails_clearly_while_the_first_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "catalogue.duckdb"
    held = threading.Event()
    release = threading.Event()

    def first_run() -> None:
        with exclusive_run(db, timeout_seconds=5):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=first_run)
    holder.start()
    held.wait(5)
    try:
        began = time.monotonic()
        with pytest.raises(DatabaseBusy, match="another run"):
            with exclusive_run(db, timeout_seconds=1.0, poll_seconds=0.1):
                pass
        assert time.monotonic() - began >= 1.0
    finally:
        release.set()
        holder.join()
    with exclusive_run(db, timeout_seconds=1.0):
        pass


def test_two_concurrent_runs_do_not_interleave(tmp_path: Path, inbox: Path) -> None:
    from xborder_pipeline.flows.score_catalogue import score_catalogue

    db = tmp_path / "catalogue.duckdb"
    files = sorted(str(path) for path in inbox.glob("*.csv"))
    copy = tmp_path / "copy.csv"
    shutil.copy(files[0], copy)
    errors: list[BaseException] = []

    def run(paths: list[str]) -> None:
        try:
            score_catalogue(paths=paths, db_path=str(db))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=([path],)) for path in (files[0], files[1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    runs = query(db, "select started_at, finished_at from pipeline_runs where status = 'succeeded' "
                     "order by started_at").rows()
    assert len(runs) == 2
    assert runs[0][1] <= runs[1][0], "the second run started writing before the first finished"
    assert _count(db, "latest_scores") == 7


def test_an_inbox_of_several_stores_is_read_by_their_sources_entries(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copyfile(fixtures / "shopify_products.csv", folder / "cykel-products.csv")
    other = (fixtures / "shopify_products.csv").read_text(encoding="utf-8")  # another store's own handles
    for mine, theirs in (("ceramic-mug", "tea-cup"), ("gift-card", "voucher"), ("MUG-", "CUP-")):
        other = other.replace(mine, theirs)
    (folder / "other-products.csv").write_text(other, encoding="utf-8")
    shutil.copyfile(fixtures / "magento2_products.csv", folder / "eu-store.csv")
    config = tmp_path / "config.toml"
    config.write_text(
        '[fx.usd_per_unit]\nSEK = 0.095\n\n'
        '[[sources]]\npattern = "cykel-*"\ncurrency = "SEK"\nseller_id = "cykel"\n\n'
        '[[sources]]\npattern = "eu-*.csv"\ncurrency = "EUR"\nweight_unit = "kg"\n',
        encoding="utf-8",
    )
    db = tmp_path / "catalogue.duckdb"

    summary = _nightly(db, folder, archive_dir="", config_path=str(config))

    read = query(db, "select source_file, seller_id, currency, currency_assumed, weight_kg, sku from listings")
    by_file = {Path(name).name: rows for (name,), rows in read.group_by(["source_file"])}
    assert set(by_file["cykel-products.csv"]["currency"]) == {"SEK"}
    assert set(by_file["cykel-products.csv"]["seller_id"]) == {"cykel"}
    assert set(by_file["eu-store.csv"]["currency"]) == {"EUR"}
    assert by_file["eu-store.csv"].filter(by_file["eu-store.csv"]["sku"] == "MUG-S")["weight_kg"].to_list() == [0.8]
    assert set(by_file["other-products.csv"]["currency_assumed"]) == {True}  # no entry matches: USD assumed
    assert [Path(file).name for file, _, _ in summary.assumed_currencies] == ["other-products.csv"]
