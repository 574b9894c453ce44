"""Size and weight features: sides, girth, volume, volumetric and chargeable weight, density."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from polars.testing import assert_series_equal
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS, DECIMAL_COLUMNS, WHOLE_NUMBER_COLUMNS

from xborder_pipeline.config import load_settings
from xborder_pipeline.features import dimensions, with_listing_features


def _dtype(name: str) -> pl.DataType:
    if name in DECIMAL_COLUMNS:
        return pl.Float64()
    if name in WHOLE_NUMBER_COLUMNS:
        return pl.Int64()
    return pl.String()


def listings(*rows: dict[str, object]) -> pl.DataFrame:
    """Canonical listings (plus the adapters' is_physical): what a row does not state is null."""
    schema = {**{name: _dtype(name) for name in CANONICAL_COLUMNS}, "is_physical": pl.Boolean()}
    records = [{**dict.fromkeys(schema), "listing_id": f"L-{i}", **row} for i, row in enumerate(rows, 1)]
    return pl.DataFrame(records, schema=schema)


def box(length: float | None, width: float | None, height: float | None, weight: float | None = None) -> dict:
    return {"length_cm": length, "width_cm": width, "height_cm": height, "weight_kg": weight}


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_side_measures_do_not_depend_on_the_order_the_sides_are_given() -> None:
    frame = listings(box(30, 20, 10), box(10, 30, 20), box(20, 10, 30)).select(
        longest=dimensions.longest_side_cm(),
        median=dimensions.median_side_cm(),
        shortest=dimensions.shortest_side_cm(),
        total=dimensions.sum_of_sides_cm(),
        girth=dimensions.length_plus_girth_cm(),
    )

    assert frame.unique().rows() == [(30.0, 20.0, 10.0, 60.0, 30.0 + 2 * (20.0 + 10.0))]


def test_length_plus_girth_is_longest_plus_twice_the_other_two() -> None:
    frame = listings(box(100, 10, 5), box(40, 40, 40)).select(dimensions.length_plus_girth_cm())

    assert_series_equal(frame.to_series(), pl.Series([130.0, 200.0]), check_names=False)


def test_volume_is_in_cubic_metres() -> None:
    frame = listings(box(100, 100, 100), box(30, 20, 10)).select(volume=dimensions.volume_m3())

    assert frame["volume"].to_list() == pytest.approx([1.0, 0.006])


@pytest.mark.parametrize(
    "sides",
    [(None, 20, 10), (30, None, 10), (30, 20, None), (0, 20, 10), (30, 20, 0), (0, 0, 0)],
    ids=["no-length", "no-width", "no-height", "zero-length", "zero-height", "all-zero"],
)
def test_an_incomplete_box_has_no_size_measures(sides) -> None:
    row = listings(box(*sides, weight=1.0)).select(
        known=dimensions.all_sides_known(),
        longest=dimensions.longest_side_cm(),
        total=dimensions.sum_of_sides_cm(),
        girth=dimensions.length_plus_girth_cm(),
        volume=dimensions.volume_m3(),
        volumetric=dimensions.volumetric_weight_kg(6000),
        density=dimensions.density_kg_per_m3(),
    ).row(0, named=True)

    assert row == {"known": False, "longest": None, "total": None, "girth": None, "volume": None,
                   "volumetric": None, "density": None}


def test_worked_example_volumetric_weight_at_5000_and_6000() -> None:
    # domain.md §0: a 30x20x10 cm, 0.8 kg parcel is 1.2 kg volumetric at /5000 and 1.0 kg at /6000.
    row = listings(box(30, 20, 10, weight=0.8)).select(
        volumetric_5000=dimensions.volumetric_weight_kg(5000),
        volumetric_6000=dimensions.volumetric_weight_kg(6000),
        chargeable_5000=dimensions.chargeable_weight_kg(5000),
        chargeable_6000=dimensions.chargeable_weight_kg(6000),
    ).row(0, named=True)

    assert row["volumetric_5000"] == pytest.approx(1.2)
    assert row["volumetric_6000"] == pytest.approx(1.0)
    assert row["chargeable_5000"] == pytest.approx(1.2)  # before any channel's 0.5 kg rounding
    assert row["chargeable_6000"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (box(30, 20, 10, weight=2.5), 2.5),  # dense: actual weight wins
        (box(30, 20, 10, weight=0.8), 1.0),  # light for its size: volumetric wins
        (box(30, 20, 10, weight=None), 1.0),  # only the box is known
        (box(30, 20, 10, weight=0.0), 1.0),  # 0 kg is a placeholder, not a weight
        (box(None, 20, 10, weight=0.8), 0.8),  # only the weight is known
        (box(None, 20, 10, weight=0.0), None),  # neither
    ],
    ids=["dense", "light", "box-only", "zero-weight", "weight-only", "neither"],
)
def test_chargeable_weight_is_the_larger_known_of_actual_and_volumetric(row, expected) -> None:
    value = listings(row).select(dimensions.chargeable_weight_kg(6000)).item()

    assert value == (pytest.approx(expected) if expected is not None else None)


def test_a_weight_of_zero_is_unknown_not_zero() -> None:
    frame = listings({"weight_kg": 0.0}, {"weight_kg": None}, {"weight_kg": 0.4}).select(
        dimensions.known_weight_kg()
    )

    assert frame.to_series().to_list() == [None, None, 0.4]


def test_density_is_weight_over_volume_and_needs_a_real_weight() -> None:
    frame = listings(box(100, 100, 10, weight=5.0), box(100, 100, 10, weight=0.0)).select(
        density=dimensions.density_kg_per_m3()
    )

    assert frame["density"].to_list() == [pytest.approx(50.0), None]


def test_is_physical_defaults_to_true_when_the_adapter_said_nothing() -> None:
    frame = pl.DataFrame({"is_physical": [None, True, False]}, schema={"is_physical": pl.Boolean})

    assert frame.select(dimensions.is_physical_goods()).to_series().to_list() == [True, True, False]


def test_listing_features_use_the_reference_divisor_from_config(settings) -> None:
    frame = with_listing_features(listings(box(30, 20, 10, weight=0.8)), settings)

    assert settings.scoring.reference_volumetric_divisor_cm3_per_kg == 6000
    assert frame["volumetric_weight_kg"][0] == pytest.approx(1.0)
    assert frame["chargeable_weight_kg"][0] == pytest.approx(1.0)
    assert frame["sum_of_sides_cm"][0] == pytest.approx(60.0)
    assert frame["length_plus_girth_cm"][0] == pytest.approx(90.0)


def test_a_changed_reference_divisor_in_config_changes_volumetric_weight(tmp_path) -> None:
    config = tmp_path / "divisor.toml"
    config.write_text("[scoring]\nreference_volumetric_divisor_cm3_per_kg = 5000\n", encoding="utf-8")

    frame = with_listing_features(listings(box(30, 20, 10, weight=0.8)), load_settings(config))

    assert frame["volumetric_weight_kg"][0] == pytest.approx(1.2)
    assert frame["chargeable_weight_kg"][0] == pytest.approx(1.2)


@hypothesis_settings(max_examples=50, deadline=None)
@given(
    weight=st.floats(0.001, 900.0),
    sides=st.tuples(st.floats(0.1, 400.0), st.floats(0.1, 400.0), st.floats(0.1, 400.0)),
    divisor=st.sampled_from([4000, 5000, 6000, 8000]),
)
def test_chargeable_weight_is_never_below_actual_or_volumetric(weight, sides, divisor) -> None:
    row = listings(box(*sides, weight=weight)).select(
        chargeable=dimensions.chargeable_weight_kg(divisor),
        volumetric=dimensions.volumetric_weight_kg(divisor),
    ).row(0, named=True)

    assert row["chargeable"] >= weight
    assert row["chargeable"] >= row["volumetric"]
    assert row["chargeable"] in (weight, row["volumetric"])
