"""What a run did, in figures: for the CLI's closing lines and the flow's return value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from xborder_pipeline.features.estimates import BASES
from xborder_pipeline.scoring import CONFIDENCE_LEVELS, SUITABILITY_BANDS, WAREHOUSE_FLAGS
from xborder_pipeline.scoring.confidence import ESTIMATED_BASES


class TooManyRejects(Exception):
    """More of the input was rejected than configuration allows; nothing was written."""


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    db_path: Path
    rows_read: int
    rows_scored: int
    rows_rejected: int
    rows_skipped: int
    seconds: float
    bands: dict[str, int] = field(default_factory=dict)
    warehouse_flags: dict[str, int] = field(default_factory=dict)
    confidence: dict[str, int] = field(default_factory=dict)
    top_reject_reasons: list[tuple[str, int]] = field(default_factory=list)
    reject_examples: list[str] = field(default_factory=list)
    changes: int = 0
    top_changes: list[dict[str, object]] = field(default_factory=list)
    sales_rows_loaded: int = 0  # sales records kept as sale lines (part of rows_read)
    demand_sources: dict[str, int] = field(default_factory=dict)  # the run's listings by demand_source
    sales_skus_without_listing: int = 0  # sku_demand rows no current listing matches
    listings_without_sales: int = 0  # the run's listings with no sales figure at all (demand_source none)
    # (file, currency, listings) for every file whose prices were read in an assumed currency
    assumed_currencies: list[tuple[str, str, int]] = field(default_factory=list)
    # (file, slip, listings slipped, listings compared) for every file of the run whose declared weights look like
    # another unit's (weight_unit_checks.likely_in_whole_file)
    weight_unit_slips: list[tuple[str, str, int, int]] = field(default_factory=list)
    as_of: str = ""  # the date the run priced by
    fba_fee_cards: dict[str, int] = field(default_factory=dict)  # listings priced by each FBA card and window
    # how many listings' weight and box rest on each basis (declared, sibling, title, category_prior, none)
    weight_bases: dict[str, int] = field(default_factory=dict)
    dimensions_bases: dict[str, int] = field(default_factory=dict)
    # why the run scored what it did: a full rescore and why, or how many listings changed (incremental runs)
    rescore_reason: str = ""

    def render(self) -> str:
        lines = [
            f"run {self.run_id} -> {self.db_path}",
            f"  rows read {self.rows_read:,}: scored {self.rows_scored:,}, rejected {self.rows_rejected:,}, "
            f"skipped {self.rows_skipped:,}  ({self.seconds:.1f} s)",
            *([f"  rescored:     {self.rescore_reason}"] if self.rescore_reason else []),
            f"  changed:      {self.changes:,} listing(s) new or with a new band, flag or score",
            "  suitability:  " + _counts(self.bands),
            "  warehouse:    " + _counts(self.warehouse_flags),
            "  confidence:   " + _counts(self.confidence),
        ]
        if self.demand_sources or self.sales_rows_loaded:
            lines.append(
                f"  demand:       {_counts(self.demand_sources)}; {self.sales_rows_loaded:,} sales record(s) loaded, "
                f"{self.sales_skus_without_listing:,} sales SKU(s) match no listing, "
                f"{self.listings_without_sales:,} listing(s) have no sales"
            )
        if self.bands.get("unknown"):
            lines.append(
                f"  unknown:      {self.bands['unknown']:,} listing(s) with neither weight nor box size: no parcel"
                " cost, so no band (NO_SHIPPING_ESTIMATE); add weights or sizes to score them"
            )
        lines += assumed_currency_warnings(self.assumed_currencies)
        lines += weight_unit_warnings(self.weight_unit_slips)
        if self.as_of:
            lines.append(f"  priced as of: {self.as_of}" + (f"  (FBA: {_counts(self.fba_fee_cards)})"
                                                           if self.fba_fee_cards else ""))
        if self.weight_bases or self.dimensions_bases:
            lines.append(
                f"  estimates:    weight of {_estimated(self.weight_bases):,} listing(s) and box of "
                f"{_estimated(self.dimensions_bases):,} estimated (docs/scoring.md, Estimates)"
            )
            lines.append("    weight from: " + _counts(self.weight_bases))
            lines.append("    box from:    " + _counts(self.dimensions_bases))
        if self.top_reject_reasons:
            lines.append("  top reject reasons:")
            lines += [f"    {count:>6,}  {reason}" for reason, count in self.top_reject_reasons]
            lines.append("  first rejects:")
            lines += [f"    {example}" for example in self.reject_examples]
            lines.append(f"  every failure is in the rejected_rows table, run_id {self.run_id}")
        return "\n".join(lines)


def assumed_currency_warnings(assumed: list[tuple[str, str, int]]) -> list[str]:
    """One warning line per file whose export named no currency, with the currency taken and the count."""
    return [
        f"  WARNING: {file}: no currency in the export or given; prices read as {currency} for {count:,} "
        f"listing(s) (CURRENCY_ASSUMED, confidence at most medium). Pass --currency or add a [[sources]] entry."
        for file, currency, count in assumed
    ]


_UNIT_SYMBOLS = {"pounds": "lb", "ounces": "oz", "kilograms": "kg", "grams": "g"}


def weight_unit_warnings(slips: list[tuple[str, str, int, int]]) -> list[str]:
    """One warning line per file whose declared weights look like another unit's, with the count that shows it."""
    return [
        f"  WARNING: {file}: {slipped:,} of {compared:,} listing(s) whose title states a weight declare it as "
        f"{slip} ({_slip_example(slip)}): every declared weight of this file is likely wrong, and the costs resting "
        "on them. Fix the export's weight unit (see the weight_unit_checks view)."
        for file, slip, slipped, compared in slips
    ]


def _slip_example(slip: str) -> str:
    """'pounds read as ounces' -> '5 lb in the title, 5 oz declared'."""
    meant, _, read = slip.partition(" read as ")
    return f"5 {_UNIT_SYMBOLS.get(meant, meant)} in the title, 5 {_UNIT_SYMBOLS.get(read, read)} declared"


def check_reject_share(rows_read: int, rows_rejected: int, max_share: float, rejects: pl.DataFrame) -> None:
    """Fail the run when more than `max_share` of the records were rejected."""
    if rows_read == 0 or rows_rejected / rows_read <= max_share:
        return
    examples = "\n".join(
        f"  {file} row {row}, {column}: {message}"
        for file, row, column, message in rejects.select("source_file", "source_row", "column_name", "message")
        .head(5)
        .iter_rows()
    )
    raise TooManyRejects(
        f"{rows_rejected:,} of {rows_read:,} records ({rows_rejected / rows_read:.0%}) were rejected, more than "
        f"run.max_reject_share = {max_share:.0%}; nothing was written. First failures:\n{examples}\n"
        "Fix the file (or its adapter), or raise run.max_reject_share in your config if this is expected."
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.items())


def _bases(scores: pl.DataFrame, column: str) -> dict[str, int]:
    return value_counts(scores, column, BASES) if column in scores.columns else {}


def _estimated(bases: dict[str, int]) -> int:
    return sum(count for basis, count in bases.items() if basis in ESTIMATED_BASES)


def value_counts(scores: pl.DataFrame, column: str, domain: tuple[str, ...]) -> dict[str, int]:
    """How many rows take each value of `domain`, in domain order, zeros included."""
    counted = dict(scores.group_by(column).len().iter_rows())
    return {value: counted.get(value, 0) for value in domain}


def top_reject_reasons(rejects: pl.DataFrame, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent failures as 'column: check' with their record counts."""
    if rejects.is_empty():
        return []
    frequent = (
        rejects.select(pl.format("{}: {}", "column_name", "check_name").alias("reason"), "source_file", "source_row")
        .unique()
        .group_by("reason")
        .len()
        .sort(["len", "reason"], descending=[True, False])
        .head(limit)
    )
    return [(reason, count) for reason, count in frequent.iter_rows()]


def reject_examples(rejects: pl.DataFrame, limit: int = 3) -> list[str]:
    """The first few failures as 'file row N, column: message', for the terminal."""
    return [
        f"{file} row {row}, {column}: {message}"
        for file, row, column, message in rejects.select("source_file", "source_row", "column_name", "message")
        .head(limit)
        .iter_rows()
    ]


def summarise(
    run_id: str,
    db_path: Path,
    rows_read: int,
    scores: pl.DataFrame,
    rejects: pl.DataFrame,
    rows_rejected: int,
    rows_skipped: int,
    seconds: float,
    changes: int = 0,
    top_changes: list[dict[str, object]] | None = None,
) -> RunSummary:
    return RunSummary(
        run_id=run_id,
        db_path=db_path,
        rows_read=rows_read,
        rows_scored=scores.height,
        rows_rejected=rows_rejected,
        rows_skipped=rows_skipped,
        seconds=seconds,
        bands=value_counts(scores, "suitability_band", SUITABILITY_BANDS),
        warehouse_flags=value_counts(scores, "warehouse_flag", WAREHOUSE_FLAGS),
        confidence=value_counts(scores, "data_confidence", CONFIDENCE_LEVELS),
        top_reject_reasons=top_reject_reasons(rejects),
        reject_examples=reject_examples(rejects),
        changes=changes,
        top_changes=top_changes or [],
        weight_bases=_bases(scores, "weight_basis"),
        dimensions_bases=_bases(scores, "dimensions_basis"),
    )


DEMAND_SOURCES = ("listing", "sales_history", "none")
_COUNTED = ("suitability_band", "demand_source", "warehouse_flag", "data_confidence", "weight_basis",
            "dimensions_basis", "fba_fee_card")


def summary_of_run(
    connection: duckdb.DuckDBPyConnection, run_id: str, db_path: Path, rows_read: int, rows_rejected: int,
    rows_skipped: int, seconds: float, changes: int, sales_rows_loaded: int,
) -> RunSummary:
    """The summary of a run as the database open in `connection` holds it (the run's rows may be far too many to hold
    here). The load reads it on its own connection once the run is committed: the run's pages are still in DuckDB's
    cache (0.04 s for a delta run at 1M listings, against 0.1 s in a connection opened anew)."""
    run = {"run": run_id}

    def query(sql: str, parameters: dict[str, object] | None = None) -> pl.DataFrame:
        return connection.sql(sql, params=parameters).pl()

    # the run's scored listings counted once by every column the summary counts (a few hundred combinations at most),
    # rather than scanned once per column
    tallies = query(
        f"select {', '.join(_COUNTED)}, count(*) as n from listing_scores where run_id = $run group by all",  # noqa: S608
        run,
    )

    def counted(column: str, domain: tuple[str, ...]) -> dict[str, int]:
        rows = tallies.group_by(column).agg(pl.col("n").sum())
        found = dict(zip(rows[column].to_list(), rows["n"].to_list(), strict=True)) if rows.height else {}
        return {value: found.get(value, 0) for value in domain}

    bands = counted("suitability_band", SUITABILITY_BANDS)
    demand_sources = counted("demand_source", DEMAND_SOURCES)
    has_sales = query("select exists (select 1 from sales_history) as has").item()
    unmatched = 0 if not has_sales else query(  # the sku_demand view costs ~30 ms even over no sales
        """
        select count(*) as n from sku_demand as d
        where not exists (
            select 1 from listings as l
            where lower(l.marketplace) = d.marketplace and (l.sku = d.sku or l.listing_id = d.sku)
              and (d.seller_id = '' or l.seller_id is null or l.seller_id = d.seller_id)
        )
        """,
    ).item()
    frequent = query(
        """
        select column_name || ': ' || check_name as reason, count(distinct (source_file, source_row)) as n
        from rejected_rows where run_id = $run
        group by 1 order by n desc, reason limit 5
        """,
        run,
    )
    examples = query(
        """
        select source_file, source_row, column_name, message from rejected_rows where run_id = $run
        order by source_file, source_row, column_name limit 3
        """,
        run,
    )
    top_changes = query(
        # The ten changes first, then their titles: joining every change of a large run to `listings`
        # held all their titles (5 GB at 30M listings). The run wrote the listing row of every listing it
        # changed: looking among its own rows reads only the row groups it wrote.
        """
        with top as (
            select listing_id, change_kind, previous_suitability_band, new_suitability_band,
                   previous_warehouse_flag, new_warehouse_flag, previous_suitability_score, new_suitability_score
            from score_changes
            where run_id = $run
            order by change_kind, abs(new_suitability_score - previous_suitability_score) desc nulls last, listing_id
            limit 10
        )
        select top.listing_id, l.title, top.previous_suitability_band, top.new_suitability_band,
               top.previous_warehouse_flag, top.new_warehouse_flag, top.previous_suitability_score,
               top.new_suitability_score
        from top left join (select listing_id, title from listings where run_id = $run) as l using (listing_id)
        order by top.change_kind, abs(top.new_suitability_score - top.previous_suitability_score) desc nulls last,
                 top.listing_id
        """,
        run,
    ).to_dicts()
    assumed = query(  # every valid listing of the run, kept or scored again (an incremental run keeps most)
        """
        select source_file, currency, listings from run_assumed_currencies
        where run_id = $run order by source_file, currency
        """,
        run,
    )
    slips = query(  # the store's current listings of the run's files, kept or scored again
        """
        select source_file, slip, listings_slipped, listings_compared from weight_unit_checks
        where likely_in_whole_file
          and list_contains((select input_files from pipeline_runs where run_id = $run), source_file)
        order by source_file, listings_slipped desc
        """,
        run,
    )
    as_of = query("select as_of_date::varchar as day from pipeline_runs where run_id = $run", run)
    fee_cards = tallies.filter(pl.col("fba_fee_card").is_not_null()).group_by("fba_fee_card").agg(
        pl.col("n").sum()
    ).sort("fba_fee_card")
    return RunSummary(
        as_of=(as_of["day"][0] or "") if as_of.height else "",
        fba_fee_cards=dict(zip(fee_cards["fba_fee_card"].to_list(), fee_cards["n"].to_list(), strict=True)),
        run_id=run_id,
        db_path=db_path,
        rows_read=rows_read,
        rows_scored=sum(bands.values()),
        rows_rejected=rows_rejected,
        rows_skipped=rows_skipped,
        seconds=seconds,
        bands=bands,
        warehouse_flags=counted("warehouse_flag", WAREHOUSE_FLAGS),
        confidence=counted("data_confidence", CONFIDENCE_LEVELS),
        top_reject_reasons=[(reason, n) for reason, n in frequent.iter_rows()],
        reject_examples=reject_examples(examples),
        changes=changes,
        top_changes=top_changes,
        sales_rows_loaded=sales_rows_loaded,
        demand_sources=demand_sources,
        sales_skus_without_listing=int(unmatched),
        listings_without_sales=demand_sources["none"],
        assumed_currencies=[(file, currency, n) for file, currency, n in assumed.iter_rows()],
        weight_unit_slips=[(file, slip, slipped, compared) for file, slip, slipped, compared in slips.iter_rows()],
        weight_bases=counted("weight_basis", BASES),
        dimensions_bases=counted("dimensions_basis", BASES),
    )


def _moved(before: object, after: object) -> str:
    return f"{after}" if before is None or before == after else f"{before} → {after}"


def run_report_markdown(summary: RunSummary) -> str:
    """The run's figures as markdown, for the Prefect UI."""
    lines = [
        f"# Catalogue run {summary.run_id}",
        "",
        "| records read | scored | rejected | skipped | changed | seconds |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {summary.rows_read:,} | {summary.rows_scored:,} | {summary.rows_rejected:,} | {summary.rows_skipped:,} "
        f"| {summary.changes:,} | {summary.seconds:.1f} |",
        "",
        *([f"Rescored: {summary.rescore_reason}", ""] if summary.rescore_reason else []),
    ]
    for title, counts in (
        ("Suitability for direct parcels", summary.bands),
        ("Overseas warehouse", summary.warehouse_flags),
        ("Data confidence", summary.confidence),
        ("Weight from (basis)", summary.weight_bases),
        ("Box size from (basis)", summary.dimensions_bases),
    ):
        lines += [f"## {title}", "", "| value | listings |", "|---|---:|"]
        lines += [f"| {value} | {count:,} |" for value, count in counts.items()]
        lines.append("")
    if summary.demand_sources or summary.sales_rows_loaded:
        lines += [
            "## Demand",
            "",
            "| demand from listing | from sales history | none | sales records loaded | sales SKUs without listing |",
            "|---:|---:|---:|---:|---:|",
            f"| {summary.demand_sources.get('listing', 0):,} | {summary.demand_sources.get('sales_history', 0):,} "
            f"| {summary.demand_sources.get('none', 0):,} | {summary.sales_rows_loaded:,} "
            f"| {summary.sales_skus_without_listing:,} |",
            "",
        ]
    if summary.assumed_currencies:
        lines += ["## Prices in an assumed currency", "", "| file | currency assumed | listings |", "|---|---|---:|"]
        lines += [f"| {file} | {currency} | {count:,} |" for file, currency, count in summary.assumed_currencies]
        lines.append("")
    if summary.weight_unit_slips:
        lines += ["## Declared weights in another unit", "",
                  "| file | slip | listings | of those with a stated weight |", "|---|---|---:|---:|"]
        lines += [f"| {file} | {slip} | {slipped:,} | {compared:,} |"
                  for file, slip, slipped, compared in summary.weight_unit_slips]
        lines.append("")
    lines += ["## Top changes", ""]
    if summary.top_changes:
        lines += ["| listing | title | band | warehouse flag | score |", "|---|---|---|---|---:|"]
        for change in summary.top_changes:
            band = _moved(change["previous_suitability_band"], change["new_suitability_band"])
            flag = _moved(change["previous_warehouse_flag"], change["new_warehouse_flag"])
            score = _moved(change["previous_suitability_score"], change["new_suitability_score"])
            title = str(change["title"] or "").replace("|", "/")[:60]
            lines.append(f"| {change['listing_id']} | {title} | {band} | {flag} | {score} |")
    else:
        lines.append("No listing is new or changed band, flag or score.")
    lines.append("")
    lines += ["## Top reject reasons", ""]
    if summary.top_reject_reasons:
        lines += ["| failure | records |", "|---|---:|"]
        lines += [f"| {reason.replace('|', '/')} | {count:,} |" for reason, count in summary.top_reject_reasons]
    else:
        lines.append("No record was rejected.")
    lines += ["", f"Database: `{summary.db_path}`; what changed is in the view `score_changes_latest`."]
    return "\n".join(lines)
