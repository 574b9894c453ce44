"""Polars expressions that turn an export's cell text into canonical text.

Everything here is vectorised: it runs on whole columns. A value that cannot be read as a number is
passed on unchanged, so that validation rejects it naming the row, the column and the value; a value
that can is written as plain text (`1234.56`) in the canonical unit.

Numbers: currency signs and codes are dropped (`US $1,234.50`, `1.234,56 €`); spaces and apostrophes
used as thousands separators too. A comma is a decimal comma when the column shows it is one (a value
such as `12,5` or `1.234,56` anywhere in the column) or when it cannot be a thousands separator
(`0,068`, `12,5`); `1,234` alone reads as one thousand two hundred and thirty-four. A range
(`12.69||151.5`, `1.20 - 2.50`, `1~2`, `10至20`) gives its lowest value.
"""

from __future__ import annotations

import html
import re

import polars as pl

from xborder_pipeline.ingest.units import CURRENCY_WORDS, LENGTH_TO_CM, WEIGHT_TO_KG, length_names, weight_names

_NUMBER = r"(?:\d[\d.,]*|[.,]\d+)"
_SINGLE = rf"^[-+]?{_NUMBER}$"
_RANGE = rf"^{_NUMBER}(?:\|\||~|～|-|–|—|至|到|(?i:to)){_NUMBER}$"
_CURRENCY_LETTER_WORDS = sorted(
    (word for word in CURRENCY_WORDS if re.fullmatch(r"[a-z]+", word)), key=len, reverse=True
)
_CURRENCY_SIGN_WORDS = sorted(
    {word for word in CURRENCY_WORDS if word not in _CURRENCY_LETTER_WORDS} | {"$", "¥", "￥", "元", "円"},
    key=len,
    reverse=True,
)
# Letter codes (usd, eur, rmb) count only when no other letter touches them: "eur" in "europe" is no euro.
_CURRENCY_CODE = r"(?i)(^|[^a-z])(" + "|".join(_CURRENCY_LETTER_WORDS) + r")([^a-z]|$)"
_CURRENCY_SIGN = r"(?i)(?:" + "|".join(re.escape(word) for word in _CURRENCY_SIGN_WORDS) + r")"
_SEPARATOR_SPACE = r"[\s\u00a0\u202f\u2009'’]"
_DECIMAL_COMMA_SIGNAL = r"^[-+]?\d+,\d{1,2}$|^[-+]?\d+,\d{4,}$|^[-+]?0,\d+$|^[-+]?\d{1,3}(?:\.\d{3})+,\d+$"


def blank_as_null(text: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty and whitespace-only values as missing."""
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


# ---------------------------------------------------------------------------------------------- text


_BLOCK_TAGS = r"(?i)<br\s*/?>|</?(?:p|div|li|ul|ol|h[1-6]|tr|table|section|article|blockquote|hr)\b[^>]*>"
_INLINE_TAGS = r"(?i)</?(?:b|i|u|em|strong|span|a|sub|sup|font|small|big|mark|abbr|code|s|strike)\b[^>]*>"
_ANY_TAG = r"</?[A-Za-z][A-Za-z0-9]*\b[^>]*>"
_ENTITY = r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"


_COMMON_ENTITIES = {
    "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#039;": "'", "&apos;": "'",
    "&nbsp;": " ", "&ndash;": "–", "&mdash;": "—", "&rsquo;": "’", "&lsquo;": "‘", "&ldquo;": "“", "&rdquo;": "”",
    "&hellip;": "…", "&deg;": "°", "&times;": "×", "&reg;": "®", "&trade;": "™", "&copy;": "©", "&#8217;": "’",
    "&#8211;": "–", "&#8212;": "—", "&#8220;": "“", "&#8221;": "”", "&#038;": "&", "&#38;": "&", "&frac12;": "½",
}


def _unescape_entities(values: pl.Series) -> pl.Series:
    """HTML entities decoded (&amp; -> &, &#8217; -> ’): common ones vectorised, rare ones one by one."""
    values = values.str.replace_many(list(_COMMON_ENTITIES), list(_COMMON_ENTITIES.values()))
    holds_entity = values.str.contains(_ENTITY).fill_null(False)
    if not holds_entity.any():
        return values
    positions = holds_entity.arg_true()
    decoded = pl.Series([html.unescape(value) for value in values.gather(positions).to_list()], dtype=pl.String)
    return values.scatter(positions, decoded)


def _html_to_text(values: pl.Series) -> pl.Series:
    frame = pl.DataFrame({"t": values})
    cleaned = frame.select(
        pl.col("t").str.replace_all(r"(?is)<script\b.*?</script\s*>", " ")
        .str.replace_all(r"(?is)<style\b.*?</style\s*>", " ")
        .str.replace_all(r"(?s)<!--.*?-->", " ")
        .str.replace_all(_BLOCK_TAGS, "\n")
        .str.replace_all(_INLINE_TAGS, "")
        .str.replace_all(_ANY_TAG, " ")
    ).to_series()
    return _unescape_entities(cleaned)


def _plain_series(values: pl.Series, single_line: bool) -> pl.Series:
    values = values.cast(pl.String)
    marked = values.str.contains(r"[<&]").fill_null(False)
    if marked.any():
        positions = marked.arg_true()
        values = values.scatter(positions, _html_to_text(values.gather(positions)))
    frame = pl.DataFrame({"t": values})
    if single_line:
        text = pl.col("t").str.replace_all(r"\s+", " ")
    else:
        text = (
            pl.col("t").str.replace_all(r"\r\n?", "\n")
            .str.replace_all(r"[ \t\u00a0\u2009\u202f]{2,}|[\t\u00a0\u2009\u202f]", " ")
            .str.replace_all(r" ?\n ?", "\n")
            .str.replace_all(r"\n{3,}", "\n\n")
        )
    frame = frame.select(text.str.strip_chars().alias("t"))
    return frame.select(pl.when(pl.col("t").str.len_chars() > 0).then(pl.col("t"))).to_series()


def plain_text(text: pl.Expr, *, single_line: bool = False) -> pl.Expr:
    """HTML reduced to plain text: scripts dropped, tags removed, entities decoded, spaces tidied."""
    return text.map_batches(lambda values: _plain_series(values, single_line), return_dtype=pl.String)


# ------------------------------------------------------------------------------------------- numbers


def strip_currency(text: pl.Expr) -> pl.Expr:
    """Text with currency signs and codes removed (`US $12.50` -> `12.50`, `1.234,56 €` -> `1.234,56`)."""
    return text.str.replace_all(_CURRENCY_SIGN, " ").str.replace_all(_CURRENCY_CODE, "${1} ${3}")


def _compact(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(_SEPARATOR_SPACE, "")


def column_uses_decimal_comma(frame: pl.DataFrame, column: str) -> bool:
    """Whether any value of the column is written with a decimal comma (`12,5`, `1.234,56`)."""
    if column not in frame.columns:
        return False
    compact = _compact(strip_currency(frame.get_column(column).cast(pl.String)).str.strip_chars())
    return bool(compact.str.contains(_DECIMAL_COMMA_SIGNAL).any())


def _decimal(token: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """One numeric token (`1.234,56`, `1,234.5`, `12,5`) as a Float64, or null."""
    has_dot = token.str.contains(r"\.")
    has_comma = token.str.contains(",")
    comma_last = token.str.contains(r"^[-+]?[\d.]*,\d*$")
    dot_last = token.str.contains(r"^[-+]?[\d,]*\.\d*$")
    comma_thousands = token.str.contains(r"^[-+]?[1-9]\d{0,2}(?:,\d{3})+$")
    one_comma = token.str.contains(r"^[-+]?\d*,\d+$")
    dot_thousands = token.str.contains(
        r"^[-+]?[1-9]\d{0,2}(?:\.\d{3})+$" if decimal_comma else r"^[-+]?[1-9]\d{0,2}(?:\.\d{3}){2,}$"
    )
    only_comma = has_comma & ~has_dot
    normalised = (
        pl.when(has_dot & has_comma & comma_last)
        .then(token.str.replace_all(r"\.", "").str.replace(",", ".", literal=True))
        .when(has_dot & has_comma & dot_last)
        .then(token.str.replace_all(",", "", literal=True))
        .when(only_comma & comma_thousands & pl.lit(not decimal_comma))
        .then(token.str.replace_all(",", "", literal=True))
        .when(only_comma & one_comma)
        .then(token.str.replace(",", ".", literal=True))
        .when(has_dot & ~has_comma & dot_thousands)
        .then(token.str.replace_all(r"\.", ""))
        .otherwise(token)
    )
    return normalised.cast(pl.Float64, strict=False)


def _number_series(
    values: pl.Series, *, decimal_comma: bool, currency: bool, ranges: bool, prefix: str = "", suffix: str = ""
) -> pl.Series:
    """The numbers in a column of cell texts, as Float64 (null where a cell holds none).

    Evaluated in stages on materialised columns: one nested expression would re-evaluate its inner
    parts at every use, which made a million-row column take tens of seconds.
    """
    frame = pl.DataFrame({"raw": values.cast(pl.String)})
    text = pl.col("raw")
    if prefix:
        text = text.str.replace(prefix, "")
    if suffix:
        text = text.str.replace(suffix, "")
    if currency:
        text = strip_currency(text)
    frame = frame.select(_compact(text.str.strip_chars()).alias("c"))
    frame = frame.with_columns(
        pl.col("c").str.contains(_SINGLE).alias("single"),
        (pl.col("c").str.contains(_RANGE) if ranges else pl.lit(False)).alias("range"),
    )
    frame = frame.with_columns(pl.when(pl.col("single")).then(_decimal(pl.col("c"), decimal_comma)).alias("value"))
    if ranges and frame.get_column("range").any():
        lowest = (
            frame.filter(pl.col("range"))
            .with_row_index("_i")
            .select(pl.col("c").str.extract_all(_NUMBER).list.eval(_decimal(pl.element(), decimal_comma)).list.min())
            .to_series()
        )
        positions = frame.get_column("range").arg_true()
        return frame.get_column("value").scatter(positions, lowest)
    return frame.get_column("value")


def parse_number(
    text: pl.Expr, *, decimal_comma: bool = False, currency: bool = True, ranges: bool = True
) -> pl.Expr:
    """The number a cell holds as Float64 (the lowest of a range), or null when it holds none."""
    return text.map_batches(
        lambda values: _number_series(values, decimal_comma=decimal_comma, currency=currency, ranges=ranges),
        return_dtype=pl.Float64,
    )


def number_as_text(value: pl.Expr, decimals: int = 6) -> pl.Expr:
    """A Float64 as plain text: `12.5`, `0.453592`, `12` (no trailing `.0`)."""
    return value.round(decimals).cast(pl.String).str.replace(r"\.0$", "")


def _text_series(values: pl.Series, numbers: pl.Series, decimals: int = 6) -> pl.Series:
    """The number as text where there is one, the cell's own (trimmed) text where there is none."""
    frame = pl.DataFrame({"raw": values.cast(pl.String), "number": numbers})
    return frame.select(
        pl.when(pl.col("raw").str.strip_chars().str.len_chars() == 0)
        .then(None)
        .when(pl.col("number").is_not_null())
        .then(number_as_text(pl.col("number"), decimals))
        .otherwise(pl.col("raw").str.strip_chars())
    ).to_series()


def price_text(raw: pl.Expr, *, decimal_comma: bool = False) -> pl.Expr:
    """A price or cost as plain text: signs, thousands separators and decimal commas read, ranges at their lowest."""
    return raw.map_batches(
        lambda values: _text_series(
            values, _number_series(values, decimal_comma=decimal_comma, currency=True, ranges=True)
        ),
        return_dtype=pl.String,
    )


_COUNT_PREFIX = r"(?i)^\s*(?:≥|>=|>|≧|min\.?|minimum|最少|至少|起)\s*"
_COUNT_SUFFIX = (
    r"(?i)\s*(?:pcs|pc|pieces?|units?|sets?|pairs?|items?|lots?|boxes|box|件|个|個|只|套|双|台|箱|包|条|张|本|起批|起订|起)\.?\s*$"
)


def count_text(raw: pl.Expr, *, decimal_comma: bool = False) -> pl.Expr:
    """A quantity (stock, MOQ, units sold) as plain text: `1,000 pcs` -> `1000`, `≥100件` -> `100`."""
    return raw.map_batches(
        lambda values: _text_series(
            values,
            _number_series(values, decimal_comma=decimal_comma, currency=False, ranges=True,
                           prefix=_COUNT_PREFIX, suffix=_COUNT_SUFFIX),
        ),
        return_dtype=pl.String,
    )


# -------------------------------------------------------------------------------------------- units

_MEASURE = r"^\s*([-+]?(?:\d[\d.,'\s\u00a0]*|[.,]\d+))\s*([^\d\s].*?)?\s*$"


def _unit_code(unit_text: pl.Expr, names: dict[str, str]) -> pl.Expr:
    cleaned = unit_text.str.strip_chars().str.to_lowercase().str.strip_chars_end(".").str.replace_all(r"\s+", " ")
    return cleaned.replace_strict(names, default=None, return_dtype=pl.String)


def unit_code_expr(unit_text: pl.Expr, kind: str) -> pl.Expr:
    """A unit column's names (`Pounds`, `LB`, `grams`) as short codes (`lb`, `g`); unknown names as null."""
    return _unit_code(unit_text, weight_names() if kind == "weight" else length_names())


def _measure_series(pair: pl.Series, kind: str, decimal_comma: bool) -> pl.Series:
    names = weight_names() if kind == "weight" else length_names()
    factors = WEIGHT_TO_KG if kind == "weight" else LENGTH_TO_CM
    frame = pair.struct.unnest()
    frame = frame.select(
        pl.col("raw").str.strip_chars().alias("cell"),
        pl.col("unit"),
        pl.col("raw").str.extract_groups(_MEASURE).alias("parts"),
    ).with_columns(
        pl.col("parts").struct.field("1").alias("number_part"),
        pl.col("parts").struct.field("2").alias("unit_part"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("unit_part").is_not_null()).then(_unit_code(pl.col("unit_part"), names))
        .otherwise(pl.col("unit")).alias("effective"),
        pl.Series("number", _number_series(frame.get_column("number_part"), decimal_comma=decimal_comma,
                                           currency=False, ranges=False)),
    ).with_columns(pl.col("effective").replace_strict(factors, default=None, return_dtype=pl.Float64).alias("factor"))
    return frame.select(
        pl.when(pl.col("cell").is_null() | (pl.col("cell").str.len_chars() == 0))
        .then(None)
        .when(pl.col("number").is_not_null() & pl.col("factor").is_not_null())
        .then(number_as_text(pl.col("number") * pl.col("factor")))
        .when(pl.col("number").is_not_null() & pl.col("unit_part").is_null() & pl.col("unit").is_null())
        .then(pl.format("{} (no unit given)", pl.col("cell")))
        .otherwise(pl.col("cell"))
    ).to_series()


def measure_text(raw: pl.Expr, unit: pl.Expr, kind: str, *, decimal_comma: bool = False) -> pl.Expr:
    """A weight in kg or a length in cm, as plain text.

    `unit` holds the short unit code (`lb`, `in`, ... or null) that applies when the cell itself names
    none; a unit written in the cell (`12 oz`, `30cm`) wins. A value whose unit is unknown or missing is
    passed on with a note, so that validation rejects it and shows why.
    """
    return pl.struct(raw.cast(pl.String).alias("raw"), unit.cast(pl.String).alias("unit")).map_batches(
        lambda pair: _measure_series(pair, kind, decimal_comma), return_dtype=pl.String
    )


def cell_currency(raw: pl.Expr) -> pl.Expr:
    """The ISO code of an unambiguous currency sign or word in a price cell (`€12` -> EUR), else null."""
    signs = [word for word in _CURRENCY_SIGN_WORDS if word in CURRENCY_WORDS]
    sign = raw.str.extract(r"(?i)(" + "|".join(re.escape(word) for word in signs) + r")", 1)
    code = raw.str.extract(_CURRENCY_CODE, 2)
    found = pl.coalesce(sign, code).str.to_lowercase().str.replace_all(r"\s+", " ")
    return found.replace_strict(CURRENCY_WORDS, default=None, return_dtype=pl.String)
