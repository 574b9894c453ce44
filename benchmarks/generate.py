"""Synthetic canonical listings for the benchmark: N rows, deterministic, written chunk by chunk.

    python benchmarks/generate.py --rows 1000000 --out /tmp/bench [--seed 7] [--chunk-rows 250000]

writes `/tmp/bench/listings_<N>.parquet` and `/tmp/bench/listings_<N>.csv` with the same records in the same order.

What the rows look like (the shares are judgements of a China-based cross-border catalogue, not measurements):
- 13 categories with their own products, English and (about 12%) Chinese titles, descriptions that name fragility and
  dangerous-goods keywords (glass, ceramic, power bank, perfume, magnets, ...) and the phrases that cancel them
  ("batteries not included", "shatterproof acrylic");
- packed weight and box sides log-normal around a median per category (a phone case 80 g, a chair 12 kg), with a
  few missing or zero values and a placeholder 10 x 10 x 10 cm box across categories;
- prices log-normal per category, in USD, EUR, GBP or CNY by marketplace; unit cost for about 65% of the rows;
  stock, monthly sales and MOQ often blank;
- about 1% invalid records of the kinds validation rejects: text in a number, a negative size, an unknown currency,
  a repeated listing_id, grams typed as kg, a price of zero.

Every value is written as text (the canonical adapter reads text and validation parses it), also in the Parquet file,
so that "text in a number" can exist there too. Each chunk is drawn from its own seed (seed, chunk number), built,
written and dropped: 10M+ rows never sit in memory at once. The same --rows, --seed and --chunk-rows give the same
bytes.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

COLUMNS: tuple[str, ...] = (
    "listing_id", "sku", "marketplace", "seller_id", "title", "category", "description", "price", "currency",
    "unit_cost", "weight_kg", "length_cm", "width_cm", "height_cm", "stock_qty", "monthly_units_sold", "moq",
)
DEFAULT_SEED = 20261101
DEFAULT_CHUNK_ROWS = 250_000
INVALID_SHARE = 0.01
CHINESE_TITLE_SHARE = 0.12
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.1665, "GBP": 1.344, "CNY": 0.1405}


@dataclass(frozen=True)
class Category:
    name: str
    share: float
    weight_kg: float  # median packed weight
    weight_sigma: float  # log-normal spread
    sides_cm: tuple[float, float, float]  # median packed box
    price_usd: float  # median price
    products: tuple[str, ...]
    products_zh: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category("Phone Accessories", 0.14, 0.08, 0.6, (16, 9, 2.5), 12,
             ("Phone Case", "Tempered Glass Screen Protector", "Magnetic Car Mount", "USB-C Charging Cable",
              "Wireless Charger", "Power Bank 10000mAh", "Phone Stand", "Ring Light Clip"),
             ("手机壳", "钢化玻璃膜", "磁吸车载支架", "数据线", "无线充电器", "充电宝 10000毫安", "手机支架")),
    Category("Consumer Electronics", 0.12, 0.35, 0.7, (20, 14, 7), 35,
             ("Bluetooth Earbuds", "Smart Watch", "LED Desk Lamp", "Portable Speaker", "Rechargeable Mini Fan",
              "LCD Writing Tablet", "Mini Projector", "Wireless Mouse"),
             ("蓝牙耳机", "智能手表", "台灯", "便携音箱", "可充电风扇", "液晶手写板", "无线鼠标")),
    Category("Home & Kitchen", 0.13, 0.7, 0.7, (25, 18, 12), 22,
             ("Ceramic Coffee Mug", "Glass Food Storage Jar", "Stainless Steel Water Bottle", "Silicone Baking Mat",
              "Bamboo Cutting Board", "Porcelain Dinner Plate Set", "Kitchen Knife Set", "Spice Rack"),
             ("陶瓷马克杯", "玻璃储物罐", "不锈钢保温杯", "硅胶烘焙垫", "竹砧板", "瓷碗套装", "调料架")),
    Category("Home Decor", 0.08, 1.0, 0.8, (30, 22, 15), 28,
             ("Glass Vase", "Round Wall Mirror", "Wooden Picture Frame", "Crystal Ornament", "Silent Wall Clock",
              "Artificial Plant", "Throw Pillow Cover", "Marble Coaster Set"),
             ("玻璃花瓶", "镜子", "相框", "水晶摆件", "挂钟", "仿真绿植", "抱枕套")),
    Category("Beauty & Personal Care", 0.08, 0.2, 0.6, (12, 7, 6), 15,
             ("Perfume 50ml", "Nail Polish Set", "Makeup Brush Set", "Vitamin C Face Serum", "Hair Straightener",
              "Shampoo Bar", "Setting Powder", "Jade Face Roller"),
             ("香水", "指甲油套装", "化妆刷套装", "精华液", "直发器", "散粉")),
    Category("Toys & Games", 0.08, 0.5, 0.8, (28, 20, 10), 20,
             ("Building Blocks Set", "RC Car with Rechargeable Battery", "Plush Toy", "Magnetic Tiles",
              "Jigsaw Puzzle 1000 Pieces", "Water Gun", "Board Game"),
             ("积木", "遥控车", "毛绒玩具", "磁力片", "拼图")),
    Category("Apparel", 0.10, 0.3, 0.5, (30, 25, 3), 18,
             ("Cotton T-Shirt", "Hoodie", "Yoga Leggings", "Baseball Cap", "Socks 5 Pairs", "Winter Scarf",
              "Rain Jacket"),
             ("纯棉T恤", "连帽卫衣", "瑜伽裤", "棒球帽", "袜子")),
    Category("Jewelry", 0.06, 0.04, 0.5, (10, 8, 3), 14,
             ("Sterling Silver Necklace", "Crystal Earrings", "Stainless Steel Ring", "Beaded Bracelet",
              "Watch Band"),
             ("纯银项链", "水晶耳环", "手链", "戒指")),
    Category("Sports & Outdoors", 0.06, 1.2, 0.9, (45, 25, 12), 30,
             ("Yoga Mat", "Resistance Bands", "Camping Lantern", "Fishing Reel", "Rechargeable Bike Light",
              "Dumbbell Set", "Butane Camping Stove"),
             ("瑜伽垫", "弹力带", "露营灯", "渔线轮", "哑铃")),
    Category("Tools & Home Improvement", 0.05, 1.1, 0.8, (30, 20, 10), 30,
             ("Cordless Drill with Lithium Battery", "Screwdriver Set", "Spray Paint", "Tape Measure",
              "LED Work Light", "Hot Glue Gun"),
             ("锂电钻", "螺丝刀套装", "喷漆", "卷尺")),
    Category("Furniture", 0.03, 12.0, 0.6, (90, 55, 35), 120,
             ("Folding Chair", "Bookshelf", "Coffee Table with Glass Top", "Office Chair", "Bedside Table"),
             ("折叠椅", "书架", "玻璃茶几", "办公椅")),
    Category("Pet Supplies", 0.04, 0.9, 0.9, (35, 25, 15), 20,
             ("Cat Scratching Post", "Dog Leash", "Pet Bed", "Aquarium Glass Tank", "Pet Shampoo"),
             ("猫抓板", "狗绳", "宠物窝", "玻璃鱼缸")),
    Category("Power & Batteries", 0.03, 0.35, 0.5, (15, 8, 3), 30,
             ("18650 Battery Pack", "Power Bank 20000mAh", "Replacement Battery for Laptop",
              "AA Rechargeable Batteries 8 Pack", "Portable Power Station"),
             ("充电宝", "锂电池组", "移动电源")),
)

# (marketplace, share, currency, id prefix)
MARKETPLACES: tuple[tuple[str, float, str, str], ...] = (
    ("amazon_us", 0.25, "USD", "AMZUS"),
    ("amazon_uk", 0.07, "GBP", "AMZUK"),
    ("amazon_de", 0.07, "EUR", "AMZDE"),
    ("amazon_fr", 0.03, "EUR", "AMZFR"),
    ("ebay_us", 0.07, "USD", "EBAY"),
    ("ebay_uk", 0.03, "GBP", "EBAYUK"),
    ("aliexpress", 0.15, "USD", "AE"),
    ("shopify", 0.12, "USD", "SHOP"),
    ("temu", 0.05, "USD", "TEMU"),
    ("walmart", 0.05, "USD", "WMT"),
    ("alibaba", 0.04, "USD", "ALI"),
    ("1688", 0.04, "CNY", "1688"),
    ("dhgate", 0.03, "USD", "DHG"),
)
WHOLESALE = {"alibaba", "1688", "dhgate"}

ADJECTIVES = ("Premium", "Portable", "Minimalist", "Heavy Duty", "Vintage", "Eco-Friendly", "Compact", "Deluxe",
              "Handmade", "Waterproof", "Foldable", "Classic", "Modern", "Lightweight", "Upgraded 2026")
QUALIFIERS = ("for Home and Office", "Gift for Women", "Gift for Men", "Black", "White", "Set of 2", "Large",
              "Small", "with Storage Bag", "Kids", "Travel Size", "Blue", "Pink", "Grey")
ADJECTIVES_ZH = ("北欧风", "便携", "家用", "加厚", "简约", "新款", "大号", "迷你", "网红", "ins风")
QUALIFIERS_ZH = ("跨境专供", "厂家直销", "一件代发", "批发", "礼品", "")
FEATURES = ("Durable and easy to clean.", "Fits most standard sizes.", "Ships from Shenzhen within 48 hours.",
            "Comes in a gift box.", "Made of food-grade silicone.", "Hand wash recommended.",
            "One-year warranty from the seller.", "Compatible with all major brands.")
NOTES = ("", "", "", "", "Batteries not included.", "Made of shatterproof acrylic.", "Fragile: handle with care.",
         "Contains a rechargeable lithium battery.", "Includes essential oil sample.", "Strong neodymium magnets.",
         "Powder-coated steel frame.", "Crystal clear finish.", "Non-flammable materials.",
         "Packed in a glass bottle.", "易碎品，请小心轻放。", "内置锂电池。")
FEATURES_ZH = ("质量保证，厂家直发。", "多色可选。", "支持一件代发。", "送礼佳品。")
UNKNOWN_CURRENCIES = ("RMB", "US$", "XYZ", "EURO")
BAD_NUMBERS = ("12,99", "N/A", "0.5kg", "approx 3", "--", "1.2.3")
INVALID_KINDS = ("text_in_number", "negative_size", "unknown_currency", "duplicate_id", "grams_as_kg", "zero_price")


def _pick(rng: np.random.Generator, shares: list[float], size: int) -> np.ndarray:
    probabilities = np.asarray(shares, dtype=float)
    return rng.choice(len(shares), size=size, p=probabilities / probabilities.sum())


def _text(values: list[str] | tuple[str, ...], index: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(index)


def _number_text(values: np.ndarray, decimals: int, missing: np.ndarray) -> pl.Series:
    series = pl.Series(np.round(values, decimals))
    return series.cast(pl.String).set(pl.Series(missing), None) if missing.any() else series.cast(pl.String)


def _whole_text(values: np.ndarray, missing: np.ndarray) -> pl.Series:
    series = pl.Series(values.astype(np.int64)).cast(pl.String)
    return series.set(pl.Series(missing), None) if missing.any() else series


def chunk(first_row: int, rows: int, seed: int, chunk_number: int, sellers: int) -> pl.DataFrame:
    """Rows first_row .. first_row + rows - 1 of the catalogue, as text columns."""
    rng = np.random.default_rng([seed, chunk_number])
    row_number = np.arange(first_row, first_row + rows, dtype=np.int64)

    category = _pick(rng, [c.share for c in CATEGORIES], rows)
    market = _pick(rng, [m[1] for m in MARKETPLACES], rows)
    # A few big sellers and a long tail: the first seller has about sellers**-0.4 of the rows.
    seller = (sellers * rng.random(rows) ** 2.5).astype(np.int64)

    weight_median = np.array([c.weight_kg for c in CATEGORIES])[category]
    weight_sigma = np.array([c.weight_sigma for c in CATEGORIES])[category]
    weight = weight_median * np.exp(rng.normal(0.0, 1.0, rows) * weight_sigma)
    # Bigger goods come in bigger boxes: sides grow with the cube root of the weight ratio.
    growth = np.cbrt(weight / weight_median)
    sides = np.array([c.sides_cm for c in CATEGORIES])[category] * growth[:, None]
    sides = sides * np.exp(rng.normal(0.0, 0.25, (rows, 3)))
    sides = np.clip(sides, 0.5, 400.0)
    weight = np.clip(weight, 0.005, 900.0)

    price_usd = np.array([c.price_usd for c in CATEGORIES])[category] * np.exp(rng.normal(0.0, 0.6, rows))
    price_usd = np.floor(price_usd) + 0.99
    currency_index = np.array([list(USD_PER_UNIT).index(m[2]) for m in MARKETPLACES])[market]
    # Some sellers price everything in CNY, whatever the marketplace.
    currency_index = np.where(rng.random(rows) < 0.04, list(USD_PER_UNIT).index("CNY"), currency_index)
    rate = np.array(list(USD_PER_UNIT.values()))[currency_index]
    price = np.round(price_usd / rate, 2)
    unit_cost = price * rng.uniform(0.18, 0.55, rows)

    stock = np.round(np.exp(rng.normal(np.log(150), 1.3, rows)))
    stock = np.where(rng.random(rows) < 0.03, 0, stock)
    sold = np.round(np.exp(rng.normal(np.log(25), 1.4, rows)), 1)
    sold = np.where(rng.random(rows) < 0.08, 0, sold)
    wholesale = np.isin(np.array([m[0] for m in MARKETPLACES])[market], list(WHOLESALE))
    moq = np.where(wholesale, rng.choice([2, 5, 10, 20, 50, 100], rows), rng.choice([1, 1, 1, 2, 3], rows))

    # Data-quality cases that are scored (lower confidence), not rejected.
    missing_weight = rng.random(rows) < 0.02
    zero_weight = rng.random(rows) < 0.01
    missing_side = rng.random(rows) < 0.02
    placeholder_box = rng.random(rows) < 0.005
    sides = np.where(placeholder_box[:, None], 10.0, sides)
    weight = np.where(zero_weight, 0.0, weight)

    chinese = rng.random(rows) < CHINESE_TITLE_SHARE
    product = rng.integers(0, 1 << 30, rows)
    products = [c.products for c in CATEGORIES]
    products_zh = [c.products_zh for c in CATEGORIES]
    frame = pl.DataFrame({
        "_category": category,
        "_product": product,
        "_chinese": chinese,
        "_adjective": rng.integers(0, len(ADJECTIVES), rows),
        "_qualifier": rng.integers(0, len(QUALIFIERS), rows),
        "_adjective_zh": rng.integers(0, len(ADJECTIVES_ZH), rows),
        "_qualifier_zh": rng.integers(0, len(QUALIFIERS_ZH), rows),
        "_feature": rng.integers(0, len(FEATURES), rows),
        "_note": rng.integers(0, len(NOTES), rows),
        "_feature_zh": rng.integers(0, len(FEATURES_ZH), rows),
    })
    product_en = pl.Series([p for group in products for p in group], dtype=pl.String)
    product_zh = pl.Series([p for group in products_zh for p in group], dtype=pl.String)
    offset_en = np.cumsum([0] + [len(group) for group in products])[:-1]
    offset_zh = np.cumsum([0] + [len(group) for group in products_zh])[:-1]
    size_en = np.array([len(group) for group in products])
    size_zh = np.array([len(group) for group in products_zh])
    name_en = product_en.gather(offset_en[category] + product % size_en[category])
    name_zh = product_zh.gather(offset_zh[category] + product % size_zh[category])
    title = pl.select(
        pl.when(pl.lit(pl.Series(chinese)))
        .then(pl.concat_str([_text(ADJECTIVES_ZH, frame["_adjective_zh"].to_numpy()), pl.lit(name_zh),
                             _text(QUALIFIERS_ZH, frame["_qualifier_zh"].to_numpy())], separator=" "))
        .otherwise(pl.concat_str([_text(ADJECTIVES, frame["_adjective"].to_numpy()), pl.lit(name_en),
                                  _text(QUALIFIERS, frame["_qualifier"].to_numpy())], separator=" "))
    ).to_series().str.strip_chars()
    description = pl.select(
        pl.when(pl.lit(pl.Series(chinese)))
        .then(pl.concat_str([pl.lit(name_zh), _text(FEATURES_ZH, frame["_feature_zh"].to_numpy())], separator="，"))
        .otherwise(pl.concat_str([pl.lit(name_en), pl.lit("-"), _text(FEATURES, frame["_feature"].to_numpy()),
                                  _text(NOTES, frame["_note"].to_numpy())], separator=" "))
    ).to_series().str.strip_chars()
    description = description.set(pl.Series(rng.random(rows) < 0.2), None)

    market_names = [m[0] for m in MARKETPLACES]
    prefixes = [m[3] for m in MARKETPLACES]
    listing_id = pl.select(
        pl.concat_str([_text(prefixes, market), pl.lit("-"), pl.lit(pl.Series(row_number + 100_000_000_000))])
    ).to_series()
    # 2% carry no listing_id: validation derives marketplace:seller_id:sku.
    listing_id = listing_id.set(pl.Series(rng.random(rows) < 0.02), None)
    seller_id = pl.select(pl.format("sz-seller-{}", pl.lit(pl.Series(seller)).cast(pl.String).str.zfill(6)))
    sku = pl.select(pl.format("S{}-{}", pl.lit(pl.Series(seller)), pl.lit(pl.Series(row_number)))).to_series()

    columns: dict[str, pl.Series] = {
        "listing_id": listing_id,
        "sku": sku,
        "marketplace": _text(market_names, market),
        "seller_id": seller_id.to_series(),
        "title": title,
        "category": _text([c.name for c in CATEGORIES], category),
        "description": description,
        "price": _number_text(price, 2, rng.random(rows) < 0.003),
        "currency": _text(list(USD_PER_UNIT), currency_index),
        "unit_cost": _number_text(unit_cost, 2, rng.random(rows) < 0.35),
        "weight_kg": _number_text(weight, 3, missing_weight),
        "length_cm": _number_text(sides[:, 0], 1, missing_side),
        "width_cm": _number_text(sides[:, 1], 1, np.zeros(rows, dtype=bool)),
        "height_cm": _number_text(sides[:, 2], 1, np.zeros(rows, dtype=bool)),
        "stock_qty": _whole_text(stock, rng.random(rows) < 0.30),
        "monthly_units_sold": _number_text(sold, 1, rng.random(rows) < 0.35),
        "moq": _whole_text(moq, rng.random(rows) < np.where(wholesale, 0.2, 0.85)),
    }
    _spoil(columns, rng, rows)
    return pl.DataFrame(columns).select(COLUMNS)


def _spoil(columns: dict[str, pl.Series], rng: np.random.Generator, rows: int) -> None:
    """Make about INVALID_SHARE of the rows invalid, each with one fault of a kind validation rejects."""
    invalid = np.flatnonzero(rng.random(rows) < INVALID_SHARE)
    invalid = invalid[invalid > 0]  # row 0 of a chunk has no earlier row to repeat
    kinds = rng.integers(0, len(INVALID_KINDS), invalid.size)
    for kind_number, kind in enumerate(INVALID_KINDS):
        where = invalid[kinds == kind_number]
        if where.size == 0:
            continue
        if kind == "text_in_number":
            for offset, name in enumerate(("price", "weight_kg", "length_cm", "stock_qty")):
                rows_here = where[offset::4]
                if rows_here.size:
                    bad = [BAD_NUMBERS[i % len(BAD_NUMBERS)] for i in rows_here]
                    columns[name] = columns[name].scatter(rows_here, bad)
        elif kind == "negative_size":
            columns["height_cm"] = columns["height_cm"].scatter(where, [f"-{1 + i % 30}" for i in where])
        elif kind == "unknown_currency":
            bad = [UNKNOWN_CURRENCIES[i % len(UNKNOWN_CURRENCIES)] for i in where]
            columns["currency"] = columns["currency"].scatter(where, bad)
        elif kind == "duplicate_id":
            earlier = (rng.random(where.size) * where).astype(np.int64)
            ids = columns["listing_id"].gather(earlier).fill_null("DUP-" + str(int(rng.integers(1 << 30))))
            columns["listing_id"] = columns["listing_id"].scatter(where, ids)
            # the first of them must exist too
            columns["listing_id"] = columns["listing_id"].scatter(earlier, ids)
        elif kind == "grams_as_kg":
            columns["weight_kg"] = columns["weight_kg"].scatter(where, [str(1500 + (i % 40) * 100) for i in where])
        elif kind == "zero_price":
            columns["price"] = columns["price"].scatter(where, "0")


def output_paths(out_dir: Path, rows: int) -> dict[str, Path]:
    return {"parquet": out_dir / f"listings_{rows}.parquet", "csv": out_dir / f"listings_{rows}.csv"}


def generate(
    rows: int,
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    formats: tuple[str, ...] = ("parquet", "csv"),
) -> dict[str, Path]:
    """Write N rows as Parquet and/or CSV into out_dir, chunk by chunk; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: path for name, path in output_paths(out_dir, rows).items() if name in formats}
    sellers = max(10, rows // 250)
    parquet_writer: pq.ParquetWriter | None = None
    csv_handle = paths["csv"].open("wb") if "csv" in paths else None
    try:
        for number, first in enumerate(range(0, rows, chunk_rows)):
            frame = chunk(first, min(chunk_rows, rows - first), seed, number, sellers)
            if "parquet" in paths:
                table = frame.to_arrow()
                if parquet_writer is None:
                    parquet_writer = pq.ParquetWriter(paths["parquet"], table.schema, compression="zstd")
                parquet_writer.write_table(table, row_group_size=chunk_rows)
            if csv_handle is not None:
                frame.write_csv(csv_handle, include_header=number == 0)
    finally:
        if parquet_writer is not None:
            parquet_writer.close()
        if csv_handle is not None:
            csv_handle.close()
    return paths


# How a nightly re-export differs from the night before (benchmarks/run.py --steps nightly-delta, issue 17): of the
# changed share, these parts get a new price, a new weight, are gone, or are new listings appended at the end.
REEXPORT_MIX = {"price": 0.4, "weight": 0.3, "removed": 0.15, "new": 0.15}


def reexport(source: Path, out: Path, *, changed_share: float = 0.01, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write `source` (a file of `generate`) again at `out`, the next night's export: `changed_share` of its rows
    changed as REEXPORT_MIX says (prices up 7%, weights up 25%, rows removed, new listings copied from others with
    new ids). Same format as `source`, values as text. Returns how many rows of each kind."""
    frame = pl.read_parquet(source) if source.suffix == ".parquet" else pl.read_csv(source, infer_schema=False)
    rng = np.random.default_rng([seed, 17])
    rows = frame.height
    kind = rng.random(rows)
    edges = np.cumsum([0.0, *(changed_share * share for share in REEXPORT_MIX.values())])
    price, weight, removed, new = (
        (kind >= low) & (kind < high) for low, high in zip(edges[:-1], edges[1:], strict=True)
    )
    numbers = pl.col("price").cast(pl.Float64, strict=False)
    weights = pl.col("weight_kg").cast(pl.Float64, strict=False)
    changed = frame.with_columns(
        price=pl.when(pl.Series(price) & numbers.is_not_null()).then((numbers * 1.07).round(2).cast(pl.String))
        .otherwise(pl.col("price")),
        weight_kg=pl.when(pl.Series(weight) & weights.is_not_null()).then((weights * 1.25).round(3).cast(pl.String))
        .otherwise(pl.col("weight_kg")),
    )
    added = frame.filter(pl.Series(new)).with_row_index("_new").with_columns(
        listing_id=pl.format("NEW-{}", pl.col("_new")),
        sku=pl.format("NEW-SKU-{}", pl.col("_new")),
    ).drop("_new")
    result = pl.concat([changed.filter(~pl.Series(removed)), added])
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        result.write_parquet(out, compression="zstd", row_group_size=DEFAULT_CHUNK_ROWS)
    else:
        result.write_csv(out)
    return {"price": int(price.sum()), "weight": int(weight.sum()), "removed": int(removed.sum()),
            "new": int(new.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for the files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--format", choices=("parquet", "csv", "both"), default="both")
    arguments = parser.parse_args()
    formats = ("parquet", "csv") if arguments.format == "both" else (arguments.format,)
    began = time.perf_counter()
    paths = generate(arguments.rows, arguments.out, seed=arguments.seed, chunk_rows=arguments.chunk_rows,
                     formats=formats)
    for path in paths.values():
        print(f"{path}  {path.stat().st_size / 1e6:,.1f} MB")
    print(f"{arguments.rows:,} rows in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
