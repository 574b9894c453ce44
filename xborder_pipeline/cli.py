"""The `xborder` command: score exports into DuckDB, query the results, show the configuration.

Exit codes: 0 success; 1 the run or query failed (the message says why, the database is as it
was); 2 the command was used wrongly (unknown option, missing file).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from xborder_pipeline.prefect_runs import heartbeats_only_with_a_server

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="xborder",
    help="Score cross-border catalogues for direct parcels and overseas warehousing, into DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
fx_app = typer.Typer(help="Exchange rates: refresh the FX table from a rates file.", no_args_is_help=True)
app.add_typer(fx_app, name="fx")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file. Default: $XBORDER_DB, else ./xborder.duckdb.", show_default=False),
]
SalesPeriodOption = Annotated[
    str | None,
    typer.Option("--sales-period", help="The days a sales report without dates covers (a Business Report), "
                 "FIRST..LAST, e.g. 2025-07-07..2025-07-13. Default: a matching [[sales_periods]] entry.",
                 show_default=False),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML file merged over the defaults. Default: $XBORDER_CONFIG.", show_default=False),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The date the run prices by, YYYY-MM-DD: which rate card, peak season and duty rules apply, and "
        "the day sales history judges demand by. Default: run.as_of, else today in schedule.timezone.",
        show_default=False,
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFileFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


def _quiet_prefect() -> None:
    """Prefect's defaults for a command-line run, unless the user set their own."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The CLI reports a failed run in one sentence; Prefect's own tracebacks stay in its logs and UI.
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "CRITICAL")


def _show_progress() -> None:
    from xborder_pipeline.progress import show_progress_on_stderr

    show_progress_on_stderr()


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@app.command()
def score(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Listing exports to score, and sales or order exports to load as sales history.",
                       show_default=False),
    ],
    db: DbOption = None,
    config: ConfigOption = None,
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="Read every file with this adapter instead of detecting it (see docs)."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="TOML file mapping an export's columns to canonical fields."),
    ] = None,
    weight_unit: Annotated[
        str | None, typer.Option("--weight-unit", help="Unit of unlabelled weights: g, kg, lb, oz.")
    ] = None,
    length_unit: Annotated[
        str | None, typer.Option("--length-unit", help="Unit of unlabelled dimensions: mm, cm, m, in.")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Currency of prices when the export has no currency column.")
    ] = None,
    dask_workers: Annotated[
        int | None,
        typer.Option("--dask-workers", min=1, help="Score the files in parallel on a temporary local Dask cluster "
                     "of N worker processes (one file is one task; needs the dask extra)."),
    ] = None,
    dask_address: Annotated[
        str | None,
        typer.Option("--dask-address", help="Score the files on the running Dask scheduler at this address, e.g. "
                     "tcp://10.0.0.5:8786. Default: dask.scheduler_address (empty: no Dask)."),
    ] = None,
    sales_period: SalesPeriodOption = None,
    as_of: AsOfOption = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Score every listing again, even those whose inputs are unchanged "
                           "since they were scored (a run on Dask always does).")
    ] = False,
) -> None:
    """Score listing exports into the database and print a summary of the run.

    Listings whose inputs (own values, shared boxes, siblings, demand) and scoring context (configuration, cards,
    dated windows in force) are unchanged since they were scored keep their rows; the summary says what was rescored.

    Sales and order exports among the files (Shopify orders, Amazon Business Reports and All Orders, eBay,
    Etsy, WooCommerce, Olist order items, canonical sales) load the sales history that proves demand.
    """
    from xborder_pipeline.as_of import with_as_of
    from xborder_pipeline.config import ConfigError, load_settings
    from xborder_pipeline.ingest import KNOWN_FORMATS, LENGTH_UNITS, WEIGHT_UNITS
    from xborder_pipeline.store.database import default_db_path

    missing = [str(path) for path in [*paths, *([mapping] if mapping else [])] if not path.is_file()]
    if missing:
        raise _fail(f"no such file: {', '.join(missing)}", EXIT_USAGE)
    if file_format is not None and file_format not in KNOWN_FORMATS:
        raise _fail(f"unknown --format {file_format!r}; known: {', '.join(KNOWN_FORMATS)}", EXIT_USAGE)
    for option, value, known in (
        ("--weight-unit", weight_unit, WEIGHT_UNITS),
        ("--length-unit", length_unit, LENGTH_UNITS),
    ):
        if value is not None and value.lower() not in known:
            raise _fail(f"unknown {option} {value!r}; known: {', '.join(sorted(known))}", EXIT_USAGE)
    _check_sales_period(sales_period)
    try:
        settings = with_as_of(load_settings(config), as_of)  # fail fast, before Prefect starts, on a bad config
    except ConfigError as error:
        raise _fail(str(error), EXIT_USAGE) from None
    on_dask = dask_workers is not None or bool(dask_address or settings.dask.scheduler_address)
    if dask_workers is not None and dask_address:
        raise _fail("give --dask-workers or --dask-address, not both", EXIT_USAGE)
    database = db or default_db_path()
    typer.echo(f"scoring {len(paths)} file(s) into {database} ...", err=True)

    _quiet_prefect()
    _show_progress()
    if on_dask:
        run = _dask_run(dask_workers, dask_address)
    else:
        from xborder_pipeline.flows.score_catalogue import score_catalogue as run

    try:
        with heartbeats_only_with_a_server():
            summary = run(
                paths=[str(path) for path in paths],
                db_path=str(database),
                config_path=str(config) if config else None,
                file_format=file_format,
                mapping_path=str(mapping) if mapping else None,
                weight_unit=weight_unit,
                length_unit=length_unit,
                currency=currency,
                sales_period=sales_period,
                as_of=settings.run.as_of or None,
                **({} if on_dask else {"full_refresh": full_refresh}),
            )
    except Exception as error:  # the flow has recorded the failed run; say why in one message
        raise _fail(f"run failed: {error}", EXIT_RUN_FAILED) from None
    typer.echo(summary.render())


def _check_sales_period(sales_period: str | None) -> None:
    """A usage error (exit 2) for a bad --sales-period (a bad --as-of is refused by as_of.with_as_of)."""
    from xborder_pipeline.sales import parse_period

    if sales_period is not None:
        try:
            parse_period(sales_period)
        except ValueError as error:
            raise _fail(f"--sales-period: {error}", EXIT_USAGE) from None


def _dask_run(workers: int | None, address: str | None):
    """The Dask flow with its cluster chosen (docs/scaling.md), or exit 2 when the dask extra is missing."""
    import functools

    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # before distributed is imported; workers inherit it
    try:
        from xborder_pipeline.flows.score_on_dask import score_on_dask
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in {"prefect_dask", "distributed", "dask"}:
            raise
        message = f"Dask runs need the dask extra (pip install 'xborder-pipeline[dask]'): {error}"
        raise _fail(message, EXIT_USAGE) from None
    return functools.partial(score_on_dask, workers=workers, address=address)


@app.command()
def nightly(
    db: DbOption = None,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option("--inbox", help="Folder of exports. Default: schedule.inbox.")] = None,
    archive_dir: Annotated[
        Path | None, typer.Option("--archive", help="Move scored files here. Default: schedule.archive_dir.")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Score every inbox file and every listing again, even those "
                                   "already scored.")
    ] = False,
    as_of: AsOfOption = None,
) -> None:
    """Run the nightly job once, now: score the inbox's new files (listings and sales) and archive them."""
    settings = _settings_or_exit(config, as_of)
    database = db or _default_db()
    folder = inbox or Path(settings.schedule.inbox)
    if not folder.is_dir():
        raise _fail(f"inbox folder not found: {folder}", EXIT_USAGE)
    _quiet_prefect()
    _show_progress()
    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    try:
        with heartbeats_only_with_a_server():
            summary = nightly_catalogue_scoring(
                db_path=str(database),
                inbox=str(folder),
                archive_dir=str(archive_dir) if archive_dir else None,
                config_path=str(config) if config else None,
                full_refresh=full_refresh,
                as_of=settings.run.as_of or None,
            )
    except Exception as error:
        raise _fail(f"run failed: {error}", EXIT_RUN_FAILED) from None
    typer.echo(summary.render() if summary else f"nothing new in {folder}; {database} is unchanged")


@app.command()
def serve(
    db: DbOption = None,
    config: ConfigOption = None,
    inbox: Annotated[Path | None, typer.Option("--inbox", help="Folder of exports. Default: schedule.inbox.")] = None,
    archive_dir: Annotated[
        Path | None, typer.Option("--archive", help="Move scored files here. Default: schedule.archive_dir.")
    ] = None,
    cron: Annotated[str | None, typer.Option("--cron", help="When to run. Default: schedule.cron.")] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="IANA time zone of the cron. Default: schedule.timezone.")
    ] = None,
) -> None:
    """Serve the nightly deployment with Prefect (flow.serve): runs on schedule until stopped."""
    settings = _settings_or_exit(config)
    database = (db or _default_db()).resolve()
    folder = (inbox or Path(settings.schedule.inbox)).resolve()
    if not folder.is_dir():
        raise _fail(f"inbox folder not found: {folder}", EXIT_USAGE)
    from xborder_pipeline.deployment import nightly_deployment_parameters, nightly_schedule

    _quiet_prefect()
    from xborder_pipeline.flows.nightly_catalogue_scoring import nightly_catalogue_scoring

    schedule = nightly_schedule(cron or settings.schedule.cron, timezone or settings.schedule.timezone)
    typer.echo(
        f"serving {settings.schedule.deployment_name}: {schedule.cron} ({schedule.timezone}), "
        f"inbox {folder} -> {database}. Stop with Ctrl+C.",
        err=True,
    )
    nightly_catalogue_scoring.serve(
        name=settings.schedule.deployment_name,
        schedules=[schedule],
        parameters=nightly_deployment_parameters(database, folder, archive_dir, config),
    )


def _settings_or_exit(config: Path | None, as_of: str | None = None):
    from xborder_pipeline.as_of import with_as_of
    from xborder_pipeline.config import ConfigError, load_settings

    try:
        return with_as_of(load_settings(config), as_of)
    except ConfigError as error:
        raise _fail(str(error), EXIT_USAGE) from None


def _default_db() -> Path:
    from xborder_pipeline.store.database import default_db_path

    return default_db_path()


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="A SQL query over the tables and views.", show_default=False)],
    db: DbOption = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="How to print the result.")] = (
        OutputFormat.table
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the result to this file (replaced if it exists) instead of printing it."),
    ] = None,
) -> None:
    """Run a read-only SQL query against the database and print the result."""
    import polars as pl

    from xborder_pipeline.store.database import StoreError, default_db_path
    from xborder_pipeline.store.database import query as run_query

    if out is not None and not out.parent.is_dir():
        raise _fail(f"folder not found for --out: {out.parent}", EXIT_USAGE)
    try:
        result = run_query(db or default_db_path(), sql)
    except StoreError as error:
        raise _fail(str(error), EXIT_RUN_FAILED) from None
    if output_format is OutputFormat.json:
        text = json.dumps(result.to_dicts(), default=str, ensure_ascii=False, indent=2) + "\n"
    elif output_format is OutputFormat.csv:
        text = _as_csv(result)
    else:
        with pl.Config(
            tbl_rows=100, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200, tbl_hide_dataframe_shape=True
        ):
            text = f"{result}\n({result.height:,} row{'s' if result.height != 1 else ''})\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail(f"cannot write {out}: {error}", EXIT_RUN_FAILED) from None
    typer.echo(f"wrote {result.height:,} row(s) to {out}", err=True)


def _as_csv(result: object) -> str:
    import polars as pl

    assert isinstance(result, pl.DataFrame)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(result.columns)
    for row in result.iter_rows():
        writer.writerow(
            ["" if value is None else ";".join(map(str, value)) if isinstance(value, list) else value for value in row]
        )
    return buffer.getvalue()


@app.command()
def export(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the files (created if missing).", show_default=False)
    ],
    export_format: Annotated[ExportFileFormat, typer.Option("--format", help="File format.")] = (
        ExportFileFormat.parquet
    ),
    db: DbOption = None,
) -> None:
    """Write each dashboard view to OUT/<view>.parquet or OUT/<view>.csv.

    Views: latest_scores, suitability_summary, warehouse_candidates,
    channel_costs, rejected_summary, score_changes_latest, run_history.
    Each file is replaced whole; nothing else in OUT is touched.

    CSV is made safe for spreadsheets: lists become ;-joined text, and a
    text cell starting with =, +, -, @, a tab or a carriage return gets a
    leading single quote, so no spreadsheet runs it as a formula.
    Parquet keeps every value and type as it is.
    """
    from xborder_pipeline.export import ExportFormat, export_views
    from xborder_pipeline.store.database import StoreError, default_db_path

    if out.exists() and not out.is_dir():
        raise _fail(f"--out must be a folder, and {out} is a file", EXIT_USAGE)
    try:
        written = export_views(db or default_db_path(), out, ExportFormat(export_format.value))
    except (StoreError, OSError) as error:
        raise _fail(str(error), EXIT_RUN_FAILED) from None
    for item in written:
        typer.echo(f"{item.path}  {item.rows:,} row(s)")


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (replaced if it exists).")] = Path(
        "report.html"
    ),
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a self-contained HTML dashboard that opens with no network.

    Headline figures, band and flag distribution, logistics cost ratios,
    warehouse candidates, top reasons, categories, changes since the
    previous run, rejects and run history. The logistics-cost-ratio zones
    come from the configuration (--config, else the defaults).
    """
    settings = _settings_or_exit(config)
    if not out.parent.is_dir():
        raise _fail(f"folder not found for --out: {out.parent}", EXIT_USAGE)
    from xborder_pipeline.report import RatioThresholds, write_report
    from xborder_pipeline.store.database import StoreError, default_db_path

    database = db or default_db_path()
    thresholds = RatioThresholds(
        fine=settings.scoring.logistics_cost_ratio_fine,
        poor=settings.scoring.logistics_cost_ratio_poor,
        prohibitive=settings.scoring.logistics_cost_ratio_prohibitive,
    )
    try:
        size = write_report(database, out, thresholds)
    except (StoreError, OSError) as error:
        raise _fail(str(error), EXIT_RUN_FAILED) from None
    typer.echo(f"wrote {out} ({size / 1_000_000:.1f} MB) from {database}")


@config_app.command("show")
def config_show(config: ConfigOption = None, as_of: AsOfOption = None) -> None:
    """Print the effective configuration (defaults merged with your file) and its hash.

    `cards` lists each rate card and dated window with its dates and source, and whether it is in force on the
    as-of date (--as-of, else run.as_of, else today).
    """
    from xborder_pipeline.as_of import as_of_date, with_as_of
    from xborder_pipeline.config import ConfigError, load_settings

    try:
        settings = with_as_of(load_settings(config), as_of)
    except ConfigError as error:
        raise _fail(str(error), EXIT_USAGE) from None
    from xborder_pipeline.cards import card_windows
    from xborder_pipeline.features.fba import load_fba_card

    card = load_fba_card(settings.fba.card or None)
    day = as_of_date(settings)
    typer.echo(f"# config_hash = {settings.config_hash(card)}")
    from xborder_pipeline.fx import describe

    for line in describe(settings.fx):
        typer.echo(f"# {line}")
    shown = {
        "as_of": day.isoformat(),
        "cards": card_windows(settings, card, day),
        **settings.model_dump(mode="json"),
        "fba_card": card.model_dump(mode="json"),
    }
    typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))


@fx_app.command("update")
def fx_update(
    rates_file: Annotated[
        Path,
        typer.Argument(help="The ECB's eurofxref.csv, eurofxref-hist.csv (newest day is used) or their .zip; "
                       "or a CSV with the header currency,usd_per_unit[,as_of].", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Config file to write the fx rates into (created, or its fx block replaced; "
                     "the rest of the file is kept). Default: $XBORDER_CONFIG, else ./xborder.toml.",
                     show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date (YYYY-MM-DD) of a currency,usd_per_unit file that has no as_of column."),
    ] = None,
) -> None:
    """Write a rates file's exchange rates into a config file that --config (or XBORDER_CONFIG) merges.

    ECB rates (units per euro) become US dollars per unit: USD per EUR / units per EUR.
    Currencies the file lacks keep their packaged rates and dates; the output lists them.
    """
    from datetime import UTC, datetime

    from xborder_pipeline.config import CONFIG_ENV_VAR, UNDATED
    from xborder_pipeline.fx import RatesFileError, read_rates_file, write_fx_config

    target = out or Path(os.environ.get(CONFIG_ENV_VAR) or "xborder.toml")
    if not target.parent.is_dir():
        raise _fail(f"folder not found for --out: {target.parent}", EXIT_USAGE)
    try:
        rates = read_rates_file(rates_file, as_of)
        fx = write_fx_config(rates, target, datetime.now(UTC).date())
    except RatesFileError as error:
        raise _fail(str(error), EXIT_USAGE) from None
    except OSError as error:
        raise _fail(f"cannot write {target}: {error}", EXIT_RUN_FAILED) from None
    typer.echo(f"read {len(rates.usd_per_unit)} rates dated {rates.as_of} from {rates_file} ({rates.layout})")
    kept = sorted(set(fx.usd_per_unit) - set(rates.usd_per_unit))
    if kept:
        typer.echo(f"kept {len(kept)} rates the file lacks, as configured before:")
        for currency in kept:
            typer.echo(f"  {currency} {fx.usd_per_unit[currency]!r} USD, dated {fx.date_of(currency)}: "
                       f"{fx.source_of(currency)}")
    older = sorted({day for day in map(fx.date_of, kept) if day != UNDATED and day > rates.as_of})
    if older:
        typer.echo(f"note: the file's rates ({rates.as_of}) are older than some kept ones ({', '.join(older)})")
    use = "" if out is None and os.environ.get(CONFIG_ENV_VAR) else f" (use it with --config {target})"
    typer.echo(f"wrote the rates to {target}{use}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted; the database is as it was before this run", err=True)
        sys.exit(130)
