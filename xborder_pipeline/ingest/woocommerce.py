"""WooCommerce product exports: the built-in exporter (CSV or XLSX) and export plugins.

`woocommerce`: WooCommerce's own exporter (Products > Export). Units are in the headers:
`Weight (lbs)`, `Length (in)`, `Weight (kg)`, `Height (cm)`. `Type` holds the product type and its
flags (`simple, downloadable, virtual`); variations name their parent in `Parent` (its SKU or `id:44`).

`woocommerce_plugin`: exports written by plugins (e.g. "Product Import Export", WP All Export) with
headers such as `Product Name`, `Regular Price`, `Sku`, `Product categories`, `Post Type` or the meta
keys `post_title`, `_regular_price`, `_weight`. Their `Weight`, `Length`, `Width`, `Height` carry no
unit: the store's units must come from --weight-unit/--length-unit or the mapping file; a file with
measurements and no unit stops with a message saying so (WooCommerce lets each store choose kg, g,
lbs or oz and cm, m, mm, in or yd, so no default is safe).

Both: a variable product whose variations are in the file is skipped (its variations are the
listings, and inherit its weight, size, category and description when they leave them blank); a
grouped product is skipped (it is a set of products listed on their own rows); virtual and
downloadable products are not physical. The price is the current one: `Price` where the export has
it, else the sale price, else the regular price; a price range (`12.69||151.5`) gives its lowest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
    flag_is,
    joined_values,
    original_values,
    present,
    require,
    resolve_unit,
    skipped_where,
)
from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.ingest.pieces import FileFacts, FileScan
from xborder_pipeline.ingest.text import (
    blank_as_null,
    count_text,
    measure_text,
    plain_text,
    price_text,
)

_INHERITED = ("weight", "length", "width", "height", "categories", "description", "short", "shipping_class")
_UNIT_OPTIONS = {"weight": "--weight-unit (g, kg, lb, oz)", "length": "--length-unit (mm, cm, m, in)"}


class _WooCommerce(Adapter):
    marketplace = "woocommerce"
    units_required = False
    # Variations refer to parents anywhere in the file: in pieces, a survey first finds every parent
    # reference and then the referenced rows' values (see `survey`).
    reads_in_pieces = True

    def _names(self, header: Header) -> dict[str, str | None]:
        raise NotImplementedError

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"the product name": names["title"]})
        return present([*names.values(), *self._attribute_columns(header)])

    def _attribute_columns(self, header: Header) -> list[str]:
        """Tags and attribute values: `Attribute 1 value(s)`, `attribute:pa_color`, `meta:attribute_pa_size`."""
        patterns = (r"attribute \d+ value", r"attribute:", r"meta:attribute_", r"tax:pa_")
        found = [name for pattern in patterns for name in header.find_all_matching(pattern)]
        return present([header.find("Tags", "Product tags", "tax:product_tag"), *found])

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        return present([names[key] for key in ("price", "sale", "regular")])

    def survey(
        self, read: Callable[[list[str]], Iterator[pl.DataFrame]], header: Header, context: Context
    ) -> FileFacts:
        """Decimal commas, units, and the parents variations refer to, for a file converted in pieces.

        First pass: decimal commas, measurements without a unit (the same refusal as a whole file), and
        every variation's parent reference. Second pass, when there are references: the referenced rows'
        own values, first row per key, ids before SKUs, as `_inherit_from_parents` takes them from a
        whole file. Memory follows the number of parents referenced, not the file.
        """
        names = self._names(header)
        units = _units(names, context)
        scan = FileScan(self.decimal_comma_columns(header, context))
        measured = [name for kind in ("weight", "length") for name in _measured(names, kind)]
        keys = [names[key] for key in ("type", "post_type", "parent", "parent_id", "id", "sku")]
        unitless: set[str] = set()
        found: list[pl.Series] = []
        for frame in read(present([*scan.columns, *measured, *keys])):
            scan.add(frame)
            unitless |= _unitless_kinds(frame, names, units)
            variations = frame.filter(_is_variation(names))
            found.append(variations.select(_parent_ref(names)).to_series().drop_nulls().unique())
        self._refuse_unitless(unitless, names, context)
        references = pl.concat(found).unique() if found else pl.Series([], dtype=pl.String)
        own_keys = _own_keys(names)
        parents = None
        if own_keys and (names["parent"] or names["parent_id"]) and not references.is_empty():
            attributes = self._attribute_columns(header)
            pieces = read(present([names["id"], names["sku"], *(names[k] for k in _INHERITED), *attributes]))
            parents = _referenced_parents(
                (piece.with_columns(_own_attributes(attributes)) for piece in pieces), names, references
            )
        return scan.facts({"references": references, "parents": parents})

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        units = _units(names, context)
        facts = context.facts
        if facts is None:
            self._refuse_unitless(_unitless_kinds(frame, names, units), names, context)

        kind = col(names["type"]).str.to_lowercase().fill_null("")
        is_variable = kind.str.contains(r"\bvariable\b")
        is_grouped = kind.str.contains(r"\bgrouped\b")
        frame = frame.with_columns(_parent_ref(names).alias("_parent_ref"), _is_variation(names).alias("_is_variation"),
                                   _own_attributes(self._attribute_columns(header)))
        if facts is None:
            frame = _inherit_from_parents(frame, names)
            references = frame.filter(pl.col("_is_variation")).get_column("_parent_ref").drop_nulls()
        else:
            parents = facts.extra["parents"]
            frame = _inherit_from_parents(frame, names, parents if isinstance(parents, pl.DataFrame) else None,
                                          surveyed=True)
            references = facts.extra["references"]
            assert isinstance(references, pl.Series)
        is_variation = pl.col("_is_variation")
        own_keys = _own_keys(names)
        has_variations = pl.any_horizontal(key.is_in(references.implode()) for key in own_keys) if own_keys else False
        skip_variable = is_variable & ~is_variation & has_variations
        skipped = pl.concat(
            [
                skipped_where(frame, is_grouped, pl.lit(
                    "WooCommerce grouped product: a set of other products, each listed on its own row"
                )),
                skipped_where(frame, skip_variable & ~is_grouped, pl.lit(
                    "WooCommerce variable product: its variations are listed on their own rows"
                )),
            ],
            how="vertical",
        )
        listings = frame.filter(~is_grouped & ~skip_variable)

        comma = any(decimal_comma(frame, names[key], context) for key in ("price", "sale", "regular"))
        price_raw = pl.coalesce(col(names["price"]), col(names["sale"]), col(names["regular"]))
        currency, assumed_currency = currency_expr(context, self, price=price_raw)
        not_physical = (
            kind.str.contains(r"\b(?:virtual|downloadable)\b")
            | flag_is(col(names["virtual"]))
            | flag_is(col(names["downloadable"]))
        )
        measures = {
            key: measure_text(
                pl.col(f"_{key}"), pl.lit(units[key][0], pl.String), "weight" if key == "weight" else "length",
                decimal_comma=comma,
            )
            for key in ("weight", "length", "width", "height")
        }
        assumed = {
            f"assumed_{key}_unit": pl.lit(f"{units[key][0]} ({units[key][1]})", pl.String)
            for key in ("weight", "length")
            if units[key][1] and names[key]
        }
        records = listings.select(
            pl.col("_row"),
            blank_as_null(col(names["id"])).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(pl.col("_categories"), single_line=True).alias("category"),
            plain_text(pl.coalesce(pl.col("_description"), pl.col("_short"))).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            measures["weight"].alias("weight_kg"),
            measures["length"].alias("length_cm"),
            measures["width"].alias("width_cm"),
            measures["height"].alias("height_cm"),
            count_text(col(names["stock"])).alias("stock_qty"),
            pl.when(not_physical).then(pl.lit("false")).alias("is_physical"),
            joined_values([pl.col("_own_attributes"), pl.when(is_variation).then(pl.col("_parent_attributes"))])
            .alias("attributes"),
            _product_group(names).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names[key] for key in ("type", "weight", "length", "width", "height", "regular", "sale",
                                                 "price", "stock", "shipping_class", "virtual", "downloadable")]),
                {**assumed, "assumed_currency": assumed_currency,
                 **({"inherited_from_parent": pl.col("_parent_ref")} if names["parent"] or names["parent_id"] else {})},
            ).alias("original_values"),
        )
        return Converted(records=records, skipped=skipped)

    def _refuse_unitless(self, kinds: set[str], names: dict[str, str | None], context: Context) -> None:
        """An InputFileError when measurements are present but their unit is not known."""
        lacking = [name for kind in ("weight", "length") if kind in kinds for name in _measured(names, kind)]
        options = [_UNIT_OPTIONS[kind] for kind in ("weight", "length") if kind in kinds]
        if lacking:
            raise InputFileError(
                context.path,
                f"read as {self.name}: its {', '.join(lacking)} column(s) give no unit, and the store's units "
                f"cannot be guessed; pass {' and '.join(options)}, or a mapping file with weight_unit and "
                "length_unit (see docs/adapters.md)",
            )


def _units(names: dict[str, str | None], context: Context) -> dict[str, tuple[str | None, str | None]]:
    return {kind: resolve_unit(names[kind], "weight" if kind == "weight" else "length", context, None)
            for kind in ("weight", "length", "width", "height")}


def _measured(names: dict[str, str | None], kind: str) -> list[str]:
    """The columns holding a weight (kind `weight`) or a side of the box (kind `length`)."""
    return [name for key in ((kind,) if kind == "weight" else ("length", "width", "height")) if (name := names[key])]


def _unitless_kinds(
    frame: pl.DataFrame, names: dict[str, str | None], units: dict[str, tuple[str | None, str | None]]
) -> set[str]:
    """`weight`, `length`: the kinds of measurement present (not only blanks and zeros) whose unit is unknown."""
    kinds: set[str] = set()
    for kind in ("weight", "length"):
        measured = _measured(names, kind)
        if not measured or units[kind][0] is not None:
            continue
        values = pl.concat([frame.get_column(name) for name in measured]).drop_nulls()
        if values.filter(~values.str.contains(r"^[0.,\s]+$")).len() > 0:
            kinds.add(kind)
    return kinds


def _is_variation(names: dict[str, str | None]) -> pl.Expr:
    kind = col(names["type"]).str.to_lowercase().fill_null("")
    post_type = col(names["post_type"]).str.to_lowercase().fill_null("")
    return kind.str.contains(r"\bvariation\b") | (post_type == "product_variation")


def _parent_ref(names: dict[str, str | None]) -> pl.Expr:
    """The key a variation uses for its parent: `id:44` or the parent's SKU."""
    parent = blank_as_null(col(names["parent"]))
    parent_id = blank_as_null(col(names["parent_id"]))
    by_id = pl.when(parent_id.is_not_null() & (parent_id != "0")).then(pl.format("id:{}", parent_id))
    return pl.coalesce(parent, by_id)


def _own_group(names: dict[str, str | None]) -> pl.Expr:
    """A product's own group key: its SKU, else `id:44`."""
    by_id = pl.format("id:{}", blank_as_null(col(names["id"]))) if names["id"] else pl.lit(None, pl.String)
    return pl.coalesce(blank_as_null(col(names["sku"])), by_id)


def _product_group(names: dict[str, str | None]) -> pl.Expr:
    """A variation's parent (its SKU when the parent is in the file, else the reference `id:44` or SKU);
    any other product is its own group."""
    own = _own_group(names)
    parent = pl.coalesce(pl.col("_parent_group"), pl.col("_parent_ref"), own)
    return pl.when(pl.col("_is_variation")).then(parent).otherwise(own)


def _own_keys(names: dict[str, str | None]) -> list[pl.Expr]:
    keys = []
    if names["id"]:
        keys.append(pl.format("id:{}", pl.col(names["id"])))
    if names["sku"]:
        keys.append(pl.col(names["sku"]))
    return keys


def _own_attributes(columns: list[str]) -> pl.Expr:
    """`_own_attributes`: a row's own tags and attribute values (a variation adds its parent's)."""
    return joined_values([pl.col(name) for name in columns]).alias("_own_attributes")


def _own_values(frame: pl.DataFrame, names: dict[str, str | None]) -> pl.DataFrame:
    attributes = pl.col("_own_attributes") if "_own_attributes" in frame.columns else pl.lit(None, pl.String)
    return frame.with_columns(*(col(names[key]).alias(f"_{key}") for key in _INHERITED),
                              _own_group(names).alias("_own_group"), attributes.alias("_own_attributes"))


def _parent_values(own: pl.DataFrame, key: pl.Expr) -> pl.DataFrame:
    """Each row's inheritable values under one of its keys (`id:44` or its SKU), first row per key."""
    return own.select(key.alias("_key"), *(pl.col(f"_{k}").alias(f"_parent_{k}") for k in _INHERITED),
                      pl.col("_own_group").alias("_parent_group"),
                      pl.col("_own_attributes").alias("_parent_attributes")).filter(
        pl.col("_key").is_not_null()
    ).unique(subset="_key", keep="first", maintain_order=True)


def _referenced_parents(
    pieces: Iterator[pl.DataFrame], names: dict[str, str | None], references: pl.Series
) -> pl.DataFrame | None:
    """The rows variations refer to, as `_inherit_from_parents` finds them in a whole file."""
    keys = _own_keys(names)
    found: list[pl.DataFrame | None] = [None] * len(keys)
    wanted = references.implode()
    for piece in pieces:
        own = _own_values(piece, names)
        for position, key in enumerate(keys):
            values = _parent_values(own, key).filter(pl.col("_key").is_in(wanted))
            earlier = found[position]
            if earlier is not None:
                values = values.filter(~pl.col("_key").is_in(earlier.get_column("_key").implode()))
            found[position] = values if earlier is None else pl.concat([earlier, values], how="vertical")
    frames = [frame for frame in found if frame is not None]
    if not frames:
        return None
    return pl.concat(frames, how="vertical").unique(subset="_key", keep="first", maintain_order=True)


def _inherit_from_parents(
    frame: pl.DataFrame, names: dict[str, str | None], parents: pl.DataFrame | None = None, surveyed: bool = False
) -> pl.DataFrame:
    """`_weight`, `_categories`, ...: the row's own value, else (for a variation) its parent's.

    The parents come from the frame itself (a whole file), or from the survey of a file read in pieces.
    """
    own = _own_values(frame, names).with_columns(pl.lit(None, pl.String).alias("_parent_group"),
                                                 pl.lit(None, pl.String).alias("_parent_attributes"))
    keys = _own_keys(names)
    if not keys or not (names["parent"] or names["parent_id"]) or not own.get_column("_is_variation").any():
        return own
    if not surveyed:
        parents = pl.concat([_parent_values(own, key) for key in keys], how="vertical").unique(
            subset="_key", keep="first", maintain_order=True
        )
    if parents is None:
        return own
    joined = own.drop("_parent_group", "_parent_attributes").join(
        parents, left_on="_parent_ref", right_on="_key", how="left", maintain_order="left"
    )
    return joined.with_columns(
        pl.when(pl.col("_is_variation")).then(pl.coalesce(pl.col(f"_{k}"), pl.col(f"_parent_{k}")))
        .otherwise(pl.col(f"_{k}")).alias(f"_{k}")
        for k in _INHERITED
    ).drop(f"_parent_{k}" for k in _INHERITED)


class WooCommerce(_WooCommerce):
    name = "woocommerce"

    def detect(self, header: Header) -> bool:
        return (
            header.has("Type") and header.has("SKU") and header.has("Name")
            and header.has("Regular price") and header.has("Published", "In stock?", "Visibility in catalog")
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "id": header.find("ID"),
            "type": header.find("Type"),
            "post_type": None,
            "sku": header.find("SKU"),
            "title": header.find("Name"),
            "description": header.find("Description"),
            "short": header.find("Short description"),
            "weight": header.find_matching(r"weight\b"),
            "length": header.find_matching(r"length\b"),
            "width": header.find_matching(r"width\b"),
            "height": header.find_matching(r"height\b"),
            "price": None,
            "sale": header.find("Sale price"),
            "regular": header.find("Regular price"),
            "stock": header.find("Stock"),
            "categories": header.find("Categories"),
            "shipping_class": header.find("Shipping class"),
            "parent": header.find("Parent"),
            "parent_id": None,
            "virtual": None,
            "downloadable": None,
        }


class WooCommercePlugin(_WooCommerce):
    name = "woocommerce_plugin"

    def detect(self, header: Header) -> bool:
        return (
            header.has("Product Name", "post_title")
            and header.has("Regular Price", "regular_price", "_regular_price")
            and header.has("Sku", "_sku", "sku")
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "id": header.find("ID", "post_id", "Product ID"),
            "type": header.find("Type", "tax:product_type", "product_type", "Product Type"),
            "post_type": header.find("Post Type", "post_type"),
            "sku": header.find("Sku", "_sku", "sku"),
            "title": header.find("Product Name", "post_title"),
            "description": header.find("Product description", "post_content", "Description"),
            "short": header.find("Product short description", "post_excerpt", "Short description"),
            "weight": header.find("Weight", "_weight", "weight") or header.find_matching(r"weight\b"),
            "length": header.find("Length", "_length", "length") or header.find_matching(r"length\b"),
            "width": header.find("Width", "_width", "width") or header.find_matching(r"width\b"),
            "height": header.find("Height", "_height", "height") or header.find_matching(r"height\b"),
            "price": header.find("Price", "_price", "price"),
            "sale": header.find("Sale Price", "_sale_price", "sale_price"),
            "regular": header.find("Regular Price", "_regular_price", "regular_price"),
            "stock": header.find("Stock", "_stock", "stock", "Stock Quantity"),
            "categories": header.find("Product categories", "tax:product_cat", "Categories"),
            "shipping_class": header.find("Shipping classes", "Shipping class", "tax:product_shipping_class"),
            "parent": header.find("Parent SKU", "parent_sku"),
            "parent_id": header.find("Parent id", "post_parent", "Parent ID", "Parent"),
            "virtual": header.find("Virtual", "_virtual", "virtual"),
            "downloadable": header.find("Downloadable", "_downloadable", "downloadable"),
        }
