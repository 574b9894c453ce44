"""Render the report's data and charts as one self-contained HTML page.

Everything the page needs is inside it: the Vega JavaScript, the chart specifications and the styles. A
Content-Security-Policy lets only its own two scripts run (by hash) and forbids every network request.
Listing text is HTML-escaped by the template; chart data is JSON with <, > and & escaped, read by JSON.parse.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import datetime

import jinja2
import polars as pl
from markupsafe import Markup

from xborder_pipeline.report import charts
from xborder_pipeline.report.data import RATIO_HISTOGRAM_CAP, TOP_CATEGORIES, ReportData

# Chart element ids and the functions that build them, in page order. Ids are constants, never data.
CHART_BUILDERS: dict[str, tuple[str, Callable[[pl.DataFrame], dict]]] = {
    "chart-suitability-bands": ("band_and_flag_counts", charts.suitability_band_chart),
    "chart-warehouse-flags": ("band_and_flag_counts", charts.warehouse_flag_chart),
    "chart-logistics-cost-ratio": ("logistics_cost_ratio_histogram", charts.logistics_cost_ratio_chart),
    "chart-top-reasons": ("top_reasons", charts.top_reasons_chart),
    "chart-categories": ("category_breakdown", charts.category_chart),
    "chart-run-history": ("run_history", charts.run_history_chart),
}

# Embeds every chart, then marks the page so a browser test can tell rendering finished (or failed).
BOOT_SCRIPT = """
(function () {
  "use strict";
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  var ids = Object.keys(specs);
  var options = {renderer: "svg", actions: false};
  Promise.all(ids.map(function (id) { return vegaEmbed("#" + id, specs[id], options); }))
    .then(function () { document.body.setAttribute("data-charts-rendered", String(ids.length)); })
    .catch(function (error) {
      document.body.setAttribute("data-charts-failed", String(error));
      console.error("chart rendering failed:", error);
    });
})();
"""


def script_safe_json(value: object) -> str:
    """JSON that cannot end or comment out the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)
    for character, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                               ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(character, escaped)
    return text


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(scripts: list[str]) -> str:
    """Only these inline scripts run (Vega compiles its expressions, hence unsafe-eval); nothing is fetched."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src " + " ".join(_script_hash(script) for script in scripts) + " 'unsafe-eval'",
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src data:",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def chart_specs(data: ReportData) -> dict[str, dict]:
    return {chart_id: build(getattr(data, field)) for chart_id, (field, build) in CHART_BUILDERS.items()}


def render_report(data: ReportData) -> str:
    """The whole page as text."""
    javascript = charts.vega_javascript()
    if "</script" in javascript.lower() or "<!--" in javascript:
        raise ValueError("the Vega bundle contains text that would end its <script> element early")
    template = _environment().from_string(PAGE_TEMPLATE)
    return template.render(
        data=data,
        headline=data.headline,
        run=data.latest_run,
        cap_percent=f"{RATIO_HISTOGRAM_CAP:.0%}",
        top_categories=TOP_CATEGORIES,
        specs_json=Markup(script_safe_json(chart_specs(data))),  # noqa: S704 (escaped for a script element)
        vega_javascript=Markup(javascript),  # noqa: S704 (the vendored bundle, checked above)
        boot_script=Markup(BOOT_SCRIPT),  # noqa: S704 (our own constant)
        content_security_policy=content_security_policy([javascript, BOOT_SCRIPT]),
        rows=lambda frame: frame.to_dicts(),
    )


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True)
    environment.filters.update(
        count=_count, usd=_usd, usd0=_usd0, pct=_pct, decimal1=_decimal1, codes=_codes, when=_when,
        share=_share,
    )
    return environment


DASH = "\u2013"


def _count(value: float | int | None) -> str:
    return DASH if value is None else f"{int(value):,}"


def _usd(value: float | None) -> str:
    return DASH if value is None else f"${value:,.2f}"


def _usd0(value: float | None) -> str:
    return DASH if value is None else f"${value:,.0f}"


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.0%}"


def _decimal1(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


def _share(part: float | int | None, whole: float | int | None) -> str:
    return DASH if not whole or part is None else f"{part / whole:.0%}"


def _codes(values: list[str] | None) -> str:
    return ", ".join(values or [])


def _when(value: datetime | None) -> str:
    return DASH if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


PAGE_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ content_security_policy }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>xborder catalogue report: {{ data.database_name }}</title>
<style>
  :root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --panel: #f5f7fa; }
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
         margin: 0 auto; max-width: 1200px; padding: 24px; line-height: 1.4; }
  h1 { margin: 0 0 4px; font-size: 26px; }
  h2 { margin: 36px 0 8px; font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
  p.lead, p.note, footer { color: var(--muted); }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 12px; margin-top: 16px; }
  .card { background: var(--panel); border-radius: 8px; padding: 12px 14px; }
  .card .value { font-size: 26px; font-weight: 600; }
  .card .label { color: var(--muted); font-size: 13px; }
  .row { display: flex; flex-wrap: wrap; gap: 24px; }
  .chart { min-height: 60px; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; font-size: 13px; margin: 8px 0; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { background: var(--panel); font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  td.num { white-space: nowrap; }
  td.sku { white-space: nowrap; }
  td.title { min-width: 240px; }
  td.title .reasons { color: var(--muted); font-size: 11px; font-family: ui-monospace, Menlo, monospace; }
  td.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  .band-suitable { color: #2e7d32; } .band-marginal { color: #a76f00; } .band-unsuitable { color: #c62828; }
  .band-unknown { color: #616161; }
  .status-failed { color: #c62828; font-weight: 600; }
</style>
<script>{{ vega_javascript }}</script>
</head>
<body>
<header>
  <h1>Cross-border catalogue report</h1>
  <p class="lead">
    Database <strong>{{ data.database_name }}</strong>.
    {% if run %}
    Latest run {{ run.run_number }} ({{ run.status }}) started {{ run.started_at | when }}:
    {{ run.rows_read | count }} records read, {{ run.rows_scored | count }} scored,
    {{ run.rows_rejected | count }} rejected, {{ run.rows_skipped | count }} skipped.
    {% else %}
    No successful run yet.
    {% endif %}
    Report made {{ data.generated_at | when }}.
  </p>
  <noscript><p class="note">The charts need JavaScript; every table below is complete without it.</p></noscript>
</header>

<section id="headline">
  <h2>Headline figures</h2>
  <div class="cards">
    <div class="card"><div class="value">{{ headline.listings | count }}</div>
      <div class="label">listings scored (current)</div></div>
    <div class="card"><div class="value band-suitable">{{ headline.suitable | count }}</div>
      <div class="label">suitable for direct parcels ({{ headline.suitable | share(headline.listings) }})</div></div>
    <div class="card"><div class="value band-marginal">{{ headline.marginal | count }}</div>
      <div class="label">marginal ({{ headline.marginal | share(headline.listings) }})</div></div>
    <div class="card"><div class="value band-unsuitable">{{ headline.unsuitable | count }}</div>
      <div class="label">unsuitable ({{ headline.unsuitable | share(headline.listings) }})</div></div>
    <div class="card"><div class="value band-unknown">{{ headline.unknown | count }}</div>
      <div class="label">unknown: no weight or size to cost a parcel
        ({{ headline.unknown | share(headline.listings) }})</div></div>
    <div class="card"><div class="value">{{ headline.warehouse_recommended | count }}</div>
      <div class="label">overseas warehouse recommended</div></div>
    <div class="card"><div class="value">{{ headline.warehouse_candidates | count }}</div>
      <div class="label">warehouse candidates, demand unproven</div></div>
    <div class="card"><div class="value">{{ headline.recommended_monthly_saving_usd | usd0 }}</div>
      <div class="label">expected saving a month from the recommended warehouse SKUs</div></div>
    <div class="card"><div class="value">{{ headline.median_logistics_cost_ratio | pct }}</div>
      <div class="label">median direct shipping cost as a share of price</div></div>
    <div class="card"><div class="value">{{ headline.median_landed_cost_ratio | pct }}</div>
      <div class="label">median landed parcel cost (shipping, duty, customs fee) as a share of price</div></div>
    <div class="card"><div class="value">{{ (run.rows_rejected if run else None) | count }}</div>
      <div class="label">records rejected by the latest run</div></div>
    <div class="card"><div class="value">{{ headline.low_confidence | count }}</div>
      <div class="label">listings with low data confidence</div></div>
  </div>
</section>

<section id="bands-and-flags">
  <h2>Suitability bands and warehouse flags</h2>
  <div class="row">
    <div class="chart" id="chart-suitability-bands"></div>
    <div class="chart" id="chart-warehouse-flags"></div>
  </div>
</section>

<section id="logistics-cost-ratio">
  <h2>Logistics cost ratio</h2>
  <p class="note">What the buyer's parcel costs landed by the cheapest direct channel (shipping, duty and customs
    fee; VAT collected from the buyer left out) divided by price, in bins of 5 points: fine up to
    {{ data.thresholds.fine | pct }}, elevated up to {{ data.thresholds.poor | pct }}, high up to
    {{ data.thresholds.prohibitive | pct }}, beyond that the parcel costs more than the goods. Ratios of
    {{ cap_percent }} and more share the last bar; listings with no direct channel or price have no ratio.</p>
  {% if data.proxy_channels %}
  <p class="note">Proxy figures: {{ data.proxy_channels | join(", ") }} priced with a stand-in rate card (no current
    card in our sources; see <code>channel_costs.is_proxy</code> and docs/scoring.md).</p>
  {% endif %}
  <div class="chart" id="chart-logistics-cost-ratio"></div>
</section>

<section id="warehouse-candidates">
  <h2>Overseas warehouse candidates</h2>
  {% set candidates = rows(data.top_warehouse_candidates) %}
  <p class="note">{{ (candidates[0].candidates if candidates else 0) | count }} listings are recommended for an
    overseas warehouse or are candidates with unproven demand; the best {{ candidates | length }} are below,
    recommended first, by expected saving a month (saving per unit &times; monthly units sold). All of them:
    <code>select * from warehouse_candidates</code>.</p>
  <div class="table-wrap"><table>
    <thead><tr><th class="num">rank per unit</th><th class="num">rank per month</th><th>SKU</th>
      <th>title and warehouse reasons</th><th>marketplace</th><th>flag</th><th class="num">saving / unit</th>
      <th class="num">units / month</th><th class="num">saving / month</th><th class="num">direct / unit</th>
      <th class="num">warehouse / unit</th></tr></thead>
    <tbody>
    {% for row in candidates %}
      <tr><td class="num">{{ row.saving_per_unit_rank }}</td><td class="num">{{ row.monthly_saving_rank }}</td>
        <td class="sku">{{ row.sku }}</td>
        <td class="title">{{ row.title }}<div class="reasons">{{ row.warehouse_reasons | codes }}</div></td>
        <td>{{ row.marketplace }}</td><td>{{ row.warehouse_flag }}</td>
        <td class="num">{{ row.warehouse_saving_per_unit_usd | usd }}</td>
        <td class="num">{{ row.monthly_units_sold | count }}</td>
        <td class="num">{{ row.monthly_saving_usd | usd0 }}</td>
        <td class="num">{{ row.direct_cost_per_unit_usd | usd }}</td>
        <td class="num">{{ row.warehouse_cost_per_unit_usd | usd }}</td></tr>
    {% else %}
      <tr><td colspan="11">No listing is a warehouse candidate.</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
</section>

<section id="top-reasons">
  <h2>Top reasons</h2>
  <div class="chart" id="chart-top-reasons"></div>
  <div class="table-wrap"><table>
    <thead><tr><th>code</th><th>applies to</th><th class="num">listings</th><th>meaning</th></tr></thead>
    <tbody>
    {% for row in rows(data.top_reasons) %}
      <tr><td class="code">{{ row.code }}</td><td>{{ row.applies_to }}</td>
        <td class="num">{{ row.listings | count }}</td><td>{{ row.meaning or "" }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
</section>

<section id="sellers">
  <h2>Sellers and platforms</h2>
  {% set sellers = rows(data.seller_portfolio) %}
  {% if sellers %}
  <p class="note">How each seller's listings (sales where known) spread over platforms. HHI is the
    Herfindahl-Hirschman index of those shares (1 = one platform); a seller depends on one platform at the
    configured threshold or above. All sellers: <code>select * from seller_portfolio</code>; SKUs by platform:
    <code>select * from sku_channels</code>.</p>
  <div class="table-wrap"><table>
    <thead><tr><th>seller</th><th class="num">platforms</th><th class="num">listings</th>
      <th class="num">units / month</th><th>top platform</th><th class="num">its share</th><th class="num">HHI</th>
      <th>one-platform dependency</th><th>trade model</th><th class="num">B2B-ready listings</th></tr></thead>
    <tbody>
    {% for row in sellers %}
      <tr><td>{{ row.seller_id }}</td><td class="num">{{ row.platforms | count }}</td>
        <td class="num">{{ row.listings | count }}</td><td class="num">{{ row.monthly_units_sold | count }}</td>
        <td>{{ row.top_platform }}</td><td class="num">{{ row.top_platform_share | pct }}</td>
        <td class="num">{{ "%.2f" | format(row.hhi) if row.hhi is not none else "" }}</td>
        <td>{{ "yes" if row.single_platform_dependency else "no" }}</td><td>{{ row.trade_model_hint }}</td>
        <td class="num">{{ row.b2b_ready_listings | count }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}
  <p class="note">No listing names its seller, so platform dependence cannot be judged.</p>
  {% endif %}
</section>

<section id="categories">
  <h2>By category</h2>
  <p class="note">The {{ top_categories }} largest categories by listings, over every marketplace; any others share
    the last row. By marketplace too: <code>select * from suitability_summary</code>.</p>
  <div class="chart" id="chart-categories"></div>
  <div class="table-wrap"><table>
    <thead><tr><th>category</th><th class="num">listings</th><th class="num">suitable</th>
      <th class="num">marginal</th><th class="num">unsuitable</th><th class="num">unknown</th>
      <th class="num">mean score</th>
      <th class="num">warehouse recommended</th><th class="num">warehouse candidates</th>
      <th class="num">units / month</th></tr></thead>
    <tbody>
    {% for row in rows(data.category_breakdown) %}
      <tr><td>{{ row.category }}</td><td class="num">{{ row.listings | count }}</td>
        <td class="num">{{ row.suitable | count }}</td><td class="num">{{ row.marginal | count }}</td>
        <td class="num">{{ row.unsuitable | count }}</td><td class="num">{{ row.unknown | count }}</td>
        <td class="num">{{ row.avg_suitability_score | decimal1 }}</td>
        <td class="num">{{ row.warehouse_recommended | count }}</td>
        <td class="num">{{ row.warehouse_candidates | count }}</td>
        <td class="num">{{ row.monthly_units_sold | count }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
</section>

<section id="changes">
  <h2>Changes since the previous run</h2>
  {% set changes = rows(data.changes_since_previous_run) %}
  {% if changes %}
  <p class="note">The latest run added {{ changes[0].new_listings | count }} new listings and changed the band,
    warehouse flag or score of {{ changes[0].changed_listings | count }}; up to {{ changes | length }} are shown,
    changed ones first by the size of the move. All of them: <code>select * from score_changes_latest</code>.</p>
  <div class="table-wrap"><table>
    <thead><tr><th>SKU</th><th>title</th><th>marketplace</th><th>change</th><th>band</th><th>warehouse flag</th>
      <th class="num">score</th><th class="num">&Delta;</th></tr></thead>
    <tbody>
    {% for row in changes %}
      <tr><td class="sku">{{ row.sku }}</td><td class="title">{{ row.title }}</td><td>{{ row.marketplace }}</td>
        <td>{{ row.change_kind }}</td>
        <td>{% if row.previous_suitability_band and row.previous_suitability_band != row.new_suitability_band %}{{
          row.previous_suitability_band }} &rarr; {% endif %}{{ row.new_suitability_band }}</td>
        <td>{% if row.previous_warehouse_flag and row.previous_warehouse_flag != row.new_warehouse_flag %}{{
          row.previous_warehouse_flag }} &rarr; {% endif %}{{ row.new_warehouse_flag }}</td>
        <td class="num">{% if row.previous_suitability_score is not none %}{{ row.previous_suitability_score
          | decimal1 }} &rarr; {% endif %}{{ row.new_suitability_score | decimal1 }}</td>
        <td class="num">{{ row.score_delta | decimal1 }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}
  <p class="note">The latest run changed nothing: no new listings and no new band, flag or score.</p>
  {% endif %}
</section>

<section id="rejects">
  <h2>Records rejected by the latest run</h2>
  {% set rejects = rows(data.latest_reject_reasons) %}
  {% if rejects %}
  <div class="table-wrap"><table>
    <thead><tr><th>column</th><th>check</th><th class="num">records</th><th>first at</th><th>example</th></tr></thead>
    <tbody>
    {% for row in rejects %}
      <tr><td class="code">{{ row.column_name }}</td><td class="code">{{ row.check_name }}</td>
        <td class="num">{{ row.records | count }}</td>
        <td>{{ row.first_source_file }} row {{ row.first_source_row }}</td><td>{{ row.example_message }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
  <p class="note">Every failed check: <code>select * from rejected_rows</code>.</p>
  {% else %}
  <p class="note">The latest run rejected no records.</p>
  {% endif %}
</section>

<section id="run-history">
  <h2>Run history</h2>
  <div class="chart" id="chart-run-history"></div>
  <div class="table-wrap"><table>
    <thead><tr><th class="num">run</th><th>status</th><th>started</th><th class="num">seconds</th>
      <th class="num">read</th><th class="num">scored</th><th class="num">rejected</th><th class="num">skipped</th>
      <th class="num">new</th><th class="num">changed</th><th class="num">files</th><th>config changed</th>
      <th>error</th></tr></thead>
    <tbody>
    {% for row in rows(data.run_history) %}
      <tr><td class="num">{{ row.run_number }}</td>
        <td class="{{ 'status-failed' if row.status == 'failed' else '' }}">{{ row.status }}</td>
        <td>{{ row.started_at | when }}</td><td class="num">{{ row.duration_seconds | decimal1 }}</td>
        <td class="num">{{ row.rows_read | count }}</td><td class="num">{{ row.rows_scored | count }}</td>
        <td class="num">{{ row.rows_rejected | count }}</td><td class="num">{{ row.rows_skipped | count }}</td>
        <td class="num">{{ row.listings_new | count }}</td><td class="num">{{ row.listings_changed | count }}</td>
        <td class="num">{{ row.input_file_count | count }}</td><td>{{ "yes" if row.config_changed else "no" }}</td>
        <td>{{ row.error_message or "" }}</td></tr>
    {% endfor %}
    </tbody>
  </table></div>
</section>

<footer>
  <p>Made by <code>xborder report</code> from the views suitability_summary, warehouse_candidates,
    rejected_summary, score_changes_latest, run_history and latest_scores. Charts: Vega-Lite, included in this
    file; the page makes no network request.</p>
</footer>
<script type="application/json" id="chart-specs">{{ specs_json }}</script>
<script>{{ boot_script }}</script>
</body>
</html>
"""
