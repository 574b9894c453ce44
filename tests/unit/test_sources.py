"""Per-source settings: `[[sources]]` entries say how to read each store's files in a shared inbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xborder_pipeline.cli import EXIT_OK, EXIT_USAGE, app
from xborder_pipeline.config import ConfigError, SourceSettings, load_settings
from xborder_pipeline.ingest import IngestOptions, matching_source, read_listings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _copy(fixture: str, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(FIXTURES / fixture, target)
    return target


def test_sources_are_read_in_order_with_their_settings(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, """
[[sources]]
pattern = "bikes-se-*.csv"
currency = "eur"
marketplace = "shopify_se"
seller_id = "cykel-butiken"

[[sources]]
pattern = "*.csv"
weight_unit = "kg"
format = "magento2"
"""))

    first, second = settings.sources
    assert (first.pattern, first.currency, first.marketplace, first.seller_id) == (
        "bikes-se-*.csv", "EUR", "shopify_se", "cykel-butiken"
    )
    assert (second.weight_unit, second.format, second.currency) == ("kg", "magento2", None)


def test_no_sources_by_default() -> None:
    assert load_settings().sources == []


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ('currency = "XYZ"', "sources[0].currency 'XYZ'"),
        ('currency = "kronor"', "sources.0.currency"),
        ('weight_unit = "stone"', "sources.0.weight_unit"),
        ('length_unit = "furlong"', "sources.0.length_unit"),
        ('format = "gopher"', "sources.0.format"),
        ('colour = "red"', "sources.0.colour"),
    ],
)
def test_a_bad_source_entry_is_refused_with_its_key_named(tmp_path: Path, entry: str, named: str) -> None:
    config = _config(tmp_path, f'[[sources]]\npattern = "*.csv"\n{entry}\n')

    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_settings(config)


def test_an_entry_without_a_pattern_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sources.0.pattern"):
        load_settings(_config(tmp_path, '[[sources]]\ncurrency = "EUR"\n'))


def test_the_first_matching_pattern_wins_and_case_is_ignored() -> None:
    sources = [
        SourceSettings(pattern="bikes-*.csv", currency="EUR"),
        SourceSettings(pattern="*.CSV", currency="GBP"),
    ]

    assert matching_source(Path("/inbox/Bikes-2026-01-05.csv"), sources).currency == "EUR"
    assert matching_source(Path("/inbox/vases.csv"), sources).currency == "GBP"
    assert matching_source(Path("/inbox/bikes.xlsx"), sources) is None


def test_options_given_explicitly_win_over_the_source_entry() -> None:
    sources = (SourceSettings(pattern="*.csv", currency="EUR", weight_unit="kg", length_unit="cm"),)

    chosen = IngestOptions(currency="GBP", sources=sources).for_file(Path("a.csv"))

    assert (chosen.currency, chosen.weight_unit, chosen.length_unit) == ("GBP", "kg", "cm")
    assert chosen.source_pattern == "*.csv"
    assert IngestOptions(sources=sources).for_file(Path("a.txt")) == IngestOptions(sources=sources)


def test_a_source_entry_wins_over_the_adapter_s_defaults(tmp_path: Path) -> None:
    export = _copy("shopify_products.csv", tmp_path, "bikes-se-products.csv")
    other = _copy("shopify_products.csv", tmp_path, "other-store.csv")
    sources = (SourceSettings(pattern="bikes-se-*", currency="EUR", marketplace="shopify_se", seller_id="cykel"),)

    records = read_listings([export, other], IngestOptions(sources=sources)).records
    by_file = {name: records.filter(records["source_file"] == str(path))
               for name, path in (("se", export), ("other", other))}

    assert by_file["se"]["currency"].unique().to_list() == ["EUR"]
    assert by_file["se"]["currency_assumed"].unique().to_list() == ["false"]
    assert by_file["se"]["marketplace"].unique().to_list() == ["shopify_se"]
    assert by_file["se"]["seller_id"].unique().to_list() == ["cykel"]
    assert by_file["other"]["currency"].unique().to_list() == ["USD"]  # the adapter's default, assumed
    assert by_file["other"]["currency_assumed"].unique().to_list() == ["true"]
    assert by_file["other"]["marketplace"].unique().to_list() == ["shopify"]


def test_a_source_entry_s_weight_unit_replaces_magento_s_pound_default(tmp_path: Path) -> None:
    export = _copy("magento2_products.csv", tmp_path, "eu-store.csv")
    in_pounds = read_listings([export], IngestOptions()).records
    in_kilograms = read_listings(
        [export], IngestOptions(sources=(SourceSettings(pattern="eu-*", weight_unit="kg"),))
    ).records

    weight = dict(zip(in_kilograms["sku"], in_kilograms["weight_kg"], strict=True))
    assert weight["MUG-S"] == "0.8"
    assert "kg ([[sources]] 'eu-*')" in in_kilograms["original_values"][0]  # where the unit came from
    assert dict(zip(in_pounds["sku"], in_pounds["weight_kg"], strict=True))["MUG-S"] != "0.8"


def test_a_source_entry_s_mapping_file_reads_an_unknown_export(tmp_path: Path) -> None:
    export = _copy("custom_export.csv", tmp_path, "shopx-2026-01-05.csv")
    mapping = FIXTURES / "custom_mapping.toml"

    records = read_listings(
        [export], IngestOptions(sources=(SourceSettings(pattern="shopx-*", mapping=str(mapping)),))
    ).records

    assert records.height >= 1
    assert records["source_format"].unique().to_list() == ["mapping"]


def test_config_show_prints_the_sources(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[sources]]\npattern = "vases-*.csv"\ncurrency = "EUR"\n')

    result = CliRunner().invoke(app, ["config", "show", "--config", str(config)])

    assert result.exit_code == EXIT_OK
    assert '"pattern": "vases-*.csv"' in result.output and '"currency": "EUR"' in result.output


def test_a_source_with_an_unknown_currency_stops_the_cli_before_anything_runs(tmp_path: Path) -> None:
    config = _config(tmp_path, '[[sources]]\npattern = "*.csv"\ncurrency = "XYZ"\n')

    result = CliRunner().invoke(app, ["score", str(FIXTURES / "shopify_products.csv"), "--config", str(config),
                                      "--db", str(tmp_path / "x.duckdb")])

    assert result.exit_code == EXIT_USAGE
    assert "sources[0].currency" in result.output
    assert not (tmp_path / "x.duckdb").exists()
