"""AliExpress / Alibaba / 1688-style product exports with Chinese headers (often GBK-encoded).

Columns are matched by their Chinese names, with any unit in brackets: 商品ID/产品ID, 商品编码/SKU/货号,
商品标题/产品名称, 类目, 商品描述, 价格/售价/批发价/单价 (e.g. `价格(元)`, `价格(USD)`), 成本价/采购价,
币种, 包装重量/毛重/重量/净重 (e.g. `重量(kg)`, `毛重(克)`), 长/宽/高 or 包装尺寸 (`30*20*10`), 库存,
起订量/最小起订量/MOQ, 月销量. Prices may be ranges (`¥12.50-15.00`: the lowest is kept) and quantities
may carry a unit word (`100件`, `≥2 pieces`).

Units: a unit in the header or the cell wins; else --weight-unit/--length-unit or the mapping file;
else kg and cm. Currency: a 币种 column, else the price header or cell (`元`, `人民币`, `USD`, `US $`),
else --currency, else CNY (recorded as assumed).
"""

from __future__ import annotations

import re

import polars as pl

from xborder_pipeline.ingest.base import (
    Adapter,
    Context,
    Converted,
    Header,
    col,
    currency_assumed,
    currency_expr,
    decimal_comma,
    original_values,
    present,
    require,
    resolve_unit,
)
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
)
from xborder_pipeline.ingest.units import currency_code, header_unit

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUM = r"(\d[\d.,]*|[.,]\d+)"
_SIZE = rf"^\s*{_NUM}\s*[x×*X]\s*{_NUM}\s*[x×*X]\s*{_NUM}\s*([^\d\s].*?)?\s*$"

PATTERNS: dict[str, tuple[str, ...]] = {
    "id": (r"(商品|产品|宝贝|货品|product)\s*id$", r"(商品|产品)编号$", r"offer\s*id$"),
    "sku": (r"sku(编码|编号)?$", r"商家编码", r"商品编码", r"货号", r"产品编码", r"型号$"),
    "title": (r"(商品|产品|宝贝)?标题", r"(商品|产品|宝贝)?名称"),
    "category": (r"(商品|产品|所属)?(类目|分类)",),
    "description": (r"(商品|产品|宝贝)?(描述|详情)",),
    "price": (r"(fob\s*)?(价格|售价|零售价|单价|批发价|一口价|商品价格|价格区间)", r"fob价格"),
    "cost": (r"(成本价|成本|采购价|进货价)",),
    "currency": (r"(币种|货币|币别)$", r"currency$"),
    "weight": (r"(包装|单件)?毛重", r"包装重量", r"(商品|产品|单件|单品)?重量", r"净重"),
    "length": (r"(包装)?长(度)?(\(|$)",),
    "width": (r"(包装)?宽(度)?(\(|$)",),
    "height": (r"(包装)?高(度)?(\(|$)",),
    "size": (r"(包装|商品|产品|外箱)?尺寸", r"长\s*[x×*]\s*宽\s*[x×*]\s*高"),
    "stock": (r"(可售)?库存(数量)?", r"可售数量"),
    "moq": (r"(最小|最低)?起(订|批)量", r"moq"),
    "monthly": (r"(近)?(月|30天)销量",),
}


def _find(header: Header, key: str) -> str | None:
    for pattern in PATTERNS[key]:
        found = header.find_matching(pattern)
        if found:
            return found
    return None


class Alibaba(Adapter):
    name = "alibaba"
    marketplace = "alibaba"
    default_currency = "CNY"
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        chinese = sum(1 for name in header.names if _CJK.search(name))
        return chinese >= 2 and _find(header, "title") is not None and (
            _find(header, "price") is not None or _find(header, "moq") is not None
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {key: _find(header, key) for key in PATTERNS}

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"商品标题 (title)": names["title"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        weight_unit, weight_from = resolve_unit(names["weight"], "weight", context, "kg")
        size_header = names["size"] or names["length"]
        length_unit, length_from = resolve_unit(size_header, "length", context, "cm")
        comma = decimal_comma(frame, names["price"], context)
        price_raw = col(names["price"])
        price_unit = header_unit(names["price"]) if names["price"] else None
        header_currency = currency_code(price_unit) if price_unit else None
        currency, assumed_currency = currency_expr(
            context, self, column=names["currency"], price=price_raw, header_currency=header_currency
        )
        unit = pl.lit(length_unit, pl.String)

        def side(key: str, group: str) -> pl.Expr:
            own = measure_text(col(names[key]), unit, "length", decimal_comma=comma)
            if not names["size"]:
                return own
            parts = col(names["size"]).str.extract_groups(_SIZE)
            from_size = pl.concat_str([parts.struct.field(group), parts.struct.field("4").fill_null("")])
            return pl.coalesce(own, measure_text(from_size, unit, "length", decimal_comma=comma))

        records = frame.select(
            pl.col("_row"),
            blank_as_null(col(names["id"])).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(col(names["category"]), single_line=True).alias("category"),
            plain_text(col(names["description"])).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            price_text(col(names["cost"]), decimal_comma=comma).alias("unit_cost"),
            measure_text(col(names["weight"]), pl.lit(weight_unit, pl.String), "weight", decimal_comma=comma)
            .alias("weight_kg"),
            side("length", "1").alias("length_cm"),
            side("width", "2").alias("width_cm"),
            side("height", "3").alias("height_cm"),
            count_text(col(names["stock"])).alias("stock_qty"),
            count_text(col(names["monthly"])).alias("monthly_units_sold"),
            count_text(col(names["moq"])).alias("moq"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in ("price", "cost", "currency", "weight", "length", "width", "height",
                                                 "size", "stock", "moq", "monthly")]),
                {
                    "assumed_weight_unit": pl.lit(f"{weight_unit} ({weight_from})" if weight_from else None, pl.String),
                    "assumed_length_unit": pl.lit(f"{length_unit} ({length_from})" if length_from else None, pl.String),
                    "assumed_currency": assumed_currency,
                },
            ).alias("original_values"),
        )
        return Converted(records=records)
