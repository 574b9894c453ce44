"""One adapter per sales or order export, each recognised from its header like the listing adapters.

An adapter turns the rows it is given into sale lines: who sold what (`marketplace`, `seller_id`, the
seller's `sku` and/or the platform's `listing_id`), when (an `order_date`, or nothing for a report whose
period the user gives), how many (`units`) and for how much (`revenue`, `currency`). Lines that are
not sales (a cancelled or fully refunded order, a report's total row) are skipped with a reason; the
reader (xborder_pipeline.sales.reading) rejects lines whose units, date or identity cannot be read.
Values keep their raw text beside the parsed value so that a reject can quote what the file said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from xborder_pipeline.ingest.base import Header, col, require
from xborder_pipeline.ingest.text import blank_as_null, cell_currency, parse_number
from xborder_pipeline.sales.dates import parse_sale_date

# What every adapter's `convert` returns, beside `_row` (the reader's record number).
LINE_COLUMNS: dict[str, pl.DataType] = {
    "_row": pl.Int64(),
    "sku": pl.String(),
    "listing_id": pl.String(),
    "marketplace": pl.String(),
    "seller_id": pl.String(),
    "order_id": pl.String(),
    "date_text": pl.String(),  # the sale's date as written (null for period reports)
    "order_date": pl.Date(),
    "period_text": pl.String(),  # a row's own period as written, `start..end` (canonical period rows)
    "units_text": pl.String(),
    "units": pl.Float64(),
    "revenue": pl.Float64(),
    "currency": pl.String(),
}


@dataclass
class SaleLines:
    """An adapter's output: one row per sale line (LINE_COLUMNS), and rows that are not sales, with why."""

    lines: pl.DataFrame
    skipped: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={"_row": pl.Int64, "reason": pl.String}))


class SalesAdapter:
    """One sales export format. `dated`: its lines carry their own date; else the period comes from the user."""

    name: str = ""
    marketplace: str = ""
    default_currency: str = "USD"
    dated: bool = True

    def detect(self, header: Header) -> bool:
        raise NotImplementedError

    def columns(self, header: Header, path: object) -> list[str]:
        raise NotImplementedError

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        raise NotImplementedError

    def is_footer(self, text: str) -> bool:
        return False


def _text(name: str | None) -> pl.Expr:
    return blank_as_null(col(name).cast(pl.String).str.strip_chars())


def _money(name: str | None) -> pl.Expr:
    return parse_number(_text(name), ranges=False) if name else pl.lit(None, pl.Float64)


def _count(name: str | None) -> pl.Expr:
    return parse_number(_text(name), currency=False, ranges=False)


def _currency(adapter: SalesAdapter, column: str | None = None, amount: str | None = None) -> pl.Expr:
    named = [_text(column).str.to_uppercase()] if column else []
    if amount:
        named.append(cell_currency(_text(amount)))
    return pl.coalesce(*named, pl.lit(adapter.default_currency, pl.String))


def _lines(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """The frame's rows as LINE_COLUMNS, from expressions for the columns the format has."""
    exprs = [pl.col("_row")]
    for name, dtype in LINE_COLUMNS.items():
        if name == "_row":
            continue
        expr = columns.get(name, pl.lit(None))
        exprs.append(expr.cast(dtype).alias(name))
    return frame.select(exprs)


def _skipped(frame: pl.DataFrame, condition: pl.Expr, reason: pl.Expr | str) -> pl.DataFrame:
    why = pl.lit(reason) if isinstance(reason, str) else reason
    return frame.filter(condition).select(pl.col("_row").cast(pl.Int64), why.cast(pl.String).alias("reason"))


# ----------------------------------------------------------------------------------------- canonical


class CanonicalSales(SalesAdapter):
    """The project's own sales layout: one row per SKU and period, or per order line with its date.

    Columns: `sku` and/or `listing_id`, `marketplace`, `seller_id` (optional), `period_start` with
    `period_end`, or `order_date`, `units`, `revenue` (optional), `currency` (optional, else USD).
    """

    name = "canonical_sales"
    marketplace = ""

    def detect(self, header: Header) -> bool:
        return header.has("units") and header.has("sku", "listing_id") and (
            header.has("order_date") or header.has("period_start")
        )

    def columns(self, header: Header, path: object) -> list[str]:
        require(header, path, self.name, {"marketplace": header.find("marketplace")})  # type: ignore[arg-type]
        if header.has("period_start") and not header.has("period_end"):
            require(header, path, self.name, {"period_end (with period_start)": None})  # type: ignore[arg-type]
        wanted = ("sku", "listing_id", "marketplace", "seller_id", "order_id", "order_date", "period_start",
                  "period_end", "units", "revenue", "currency")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        start, end, day = header.find("period_start"), header.find("period_end"), header.find("order_date")
        lines = _lines(
            frame,
            sku=_text(header.find("sku")),
            listing_id=_text(header.find("listing_id")),
            marketplace=_text(header.find("marketplace")).str.to_lowercase(),
            seller_id=_text(header.find("seller_id")),
            order_id=_text(header.find("order_id")),
            date_text=_text(day) if day else pl.lit(None, pl.String),
            order_date=parse_sale_date(_text(day)) if day else pl.lit(None, pl.Date),
            period_text=pl.format("{}..{}", _text(start), _text(end)) if start and end else pl.lit(None),
            units_text=_text(header.find("units")),
            units=_count(header.find("units")),
            revenue=_money(header.find("revenue")),
            currency=_currency(self, header.find("currency")),
        )
        return SaleLines(lines)


# ----------------------------------------------------------------------------------------- Shopify


class ShopifyOrders(SalesAdapter):
    """Shopify's orders export: one row per line item, the order's fields on its first row only.

    Cancelled orders (`Cancelled at` set) and fully refunded ones (`Financial Status` refunded, or a
    refunded amount equal to the total) do not count; partly refunded ones do. The order's date is the
    local date of `Created at` as the store wrote it (`2025-05-11 09:55:16 -0400`, or a re-saved
    `11/10/24 09:17`). A line without `Lineitem sku` (a reduced export) is identified by its name, as
    the listing adapters identify a product without id (`shopify:title:<digest>`).
    """

    name = "shopify_orders"
    marketplace = "shopify"

    def detect(self, header: Header) -> bool:
        return header.has("Lineitem quantity") and header.has("Name") and header.has("Created at")

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem sku", "Lineitem price",
                  "Currency", "Financial Status", "Cancelled at", "Refunded Amount", "Total")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        from xborder_pipeline.ingest.base import title_key

        order_fields = [name for name in (header.find(c) for c in ("Created at", "Currency", "Financial Status",
                                                                   "Cancelled at", "Refunded Amount", "Total")) if name]
        name = header.find("Name")
        # the order's fields, from its first row, on every row of the order
        firsts = (
            frame.filter(pl.col(name).is_not_null())
            .group_by(name, maintain_order=True)
            .agg(pl.col(field).drop_nulls().first() for field in order_fields)
        )
        orders = frame.drop(order_fields).join(firsts, on=name, how="left", maintain_order="left")
        status = _text(header.find("Financial Status")).str.to_lowercase()
        refunded = _money(header.find("Refunded Amount"))
        total = _money(header.find("Total"))
        cancelled = _text(header.find("Cancelled at")).is_not_null() if header.find("Cancelled at") else pl.lit(False)
        fully_refunded = (status == "refunded").fill_null(False) | (
            (refunded > 0) & (total > 0) & (refunded >= total)
        ).fill_null(False)
        orders = orders.with_columns(_cancelled=cancelled, _refunded=fully_refunded)
        skipped = pl.concat([
            _skipped(orders, pl.col("_cancelled"), "cancelled order: not a sale"),
            _skipped(orders, ~pl.col("_cancelled") & pl.col("_refunded"), "fully refunded order: not a sale"),
        ])
        kept = orders.filter(~pl.col("_cancelled") & ~pl.col("_refunded"))
        item = _text(header.find("Lineitem name"))
        keyed = pl.format("shopify:title:{}", item.map_batches(title_key, return_dtype=pl.String))
        quantity = header.find("Lineitem quantity")
        price = header.find("Lineitem price")
        lines = _lines(
            kept,
            sku=_text(header.find("Lineitem sku")),
            listing_id=pl.when(_text(header.find("Lineitem sku")).is_null()).then(keyed),
            marketplace=pl.lit(self.marketplace),
            seller_id=pl.lit(None, pl.String),
            order_id=_text(name),
            date_text=_text(header.find("Created at")),
            order_date=parse_sale_date(_text(header.find("Created at"))),
            units_text=_text(quantity),
            units=_count(quantity),
            revenue=(_money(price) * _count(quantity)) if price else pl.lit(None, pl.Float64),
            currency=_currency(self, header.find("Currency")),
        )
        return SaleLines(lines, skipped)


# ------------------------------------------------------------------------------------------ Amazon


class AmazonBusinessReport(SalesAdapter):
    """Seller Central's Business Report, *Detail Page Sales and Traffic By Child Item*.

    One row per child item over a window chosen in Seller Central and written nowhere in the file: the
    period comes from the user. Headers in any of the published variants (`Units Ordered`, `Units
    ordered`, en-dash or hyphen); numbers with thousands separators and amounts with currency signs.
    The SKU when the report has the column, else the child ASIN as the listing id.
    """

    name = "amazon_business_report"
    marketplace = "amazon"
    dated = False

    def detect(self, header: Header) -> bool:
        return header.has("(Child) ASIN", "Child ASIN") and header.has("Units Ordered")

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("(Child) ASIN", "Child ASIN", "SKU", "Units Ordered", "Ordered Product Sales")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        asin = header.find("(Child) ASIN", "Child ASIN")
        sales = header.find("Ordered Product Sales")
        lines = _lines(
            frame,
            sku=_text(header.find("SKU")),
            listing_id=_text(asin),
            marketplace=pl.lit(self.marketplace),
            units_text=_text(header.find("Units Ordered")),
            units=_count(header.find("Units Ordered")),
            revenue=_money(sales),
            currency=_currency(self, amount=sales),
        )
        return SaleLines(lines)


class AmazonAllOrders(SalesAdapter):
    """Amazon's All Orders report (tab-delimited): one row per order item; cancelled ones do not count."""

    name = "amazon_all_orders"
    marketplace = "amazon"

    def detect(self, header: Header) -> bool:
        return header.has("amazon-order-id") and header.has("quantity") and header.has("purchase-date")

    def columns(self, header: Header, path: object) -> list[str]:
        require(header, path, self.name, {"sku or asin": header.find("sku", "asin")})  # type: ignore[arg-type]
        wanted = ("amazon-order-id", "purchase-date", "order-status", "item-status", "sku", "asin", "quantity",
                  "currency", "item-price", "sales-channel")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        order_status = _text(header.find("order-status")).str.to_lowercase()
        item_status = _text(header.find("item-status")).str.to_lowercase()
        cancelled = (order_status == "cancelled").fill_null(False) | (item_status == "cancelled").fill_null(False)
        skipped = _skipped(frame, cancelled, "cancelled order item: not a sale")
        kept = frame.filter(~cancelled)
        lines = _lines(
            kept,
            sku=_text(header.find("sku")),
            listing_id=_text(header.find("asin")),
            marketplace=pl.lit(self.marketplace),
            order_id=_text(header.find("amazon-order-id")),
            date_text=_text(header.find("purchase-date")),
            order_date=parse_sale_date(_text(header.find("purchase-date"))),
            units_text=_text(header.find("quantity")),
            units=_count(header.find("quantity")),
            revenue=_money(header.find("item-price")),
            currency=_currency(self, header.find("currency")),
        )
        return SaleLines(lines, skipped)


# -------------------------------------------------------------------------------------------- eBay

_EBAY_FOOTER = re.compile(r"(?i)^\s*(\d[\d,]*\s+record\(s\)\s+downloaded|seller id\s*:)")


class EbayOrders(SalesAdapter):
    """eBay Seller Hub's orders report: the SKU in `Custom Label`, `Sale Date` like `Jul-21-25`.

    `Sold For` is the price of one unit. Footer lines (`… record(s) downloaded`, `Seller ID: …`) are skipped.
    """

    name = "ebay_orders"
    marketplace = "ebay"

    def detect(self, header: Header) -> bool:
        return header.has("Sales Record Number") and header.has("Quantity") and header.has("Sale Date")

    def is_footer(self, text: str) -> bool:
        return bool(_EBAY_FOOTER.match(text.strip().strip('"')))

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("Sales Record Number", "Order Number", "Item Number", "Custom Label", "Quantity", "Sold For",
                  "Sale Date")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        record = _text(header.find("Sales Record Number"))
        footer = record.str.contains(r"(?i)record\(s\) downloaded|^seller id").fill_null(False)
        blank_quantity = _text(header.find("Quantity")).is_null() & _text(header.find("Sale Date")).is_null()
        not_line = footer | blank_quantity
        skipped = _skipped(frame, not_line, "report footer or summary line, not a sale")
        kept = frame.filter(~not_line)
        sold_for = header.find("Sold For")
        lines = _lines(
            kept,
            sku=_text(header.find("Custom Label")),
            listing_id=_text(header.find("Item Number")),
            marketplace=pl.lit(self.marketplace),
            order_id=_text(header.find("Order Number", "Sales Record Number")),
            date_text=_text(header.find("Sale Date")),
            order_date=parse_sale_date(_text(header.find("Sale Date"))),
            units_text=_text(header.find("Quantity")),
            units=_count(header.find("Quantity")),
            revenue=_money(sold_for) * _count(header.find("Quantity")),
            currency=_currency(self, amount=sold_for),
        )
        return SaleLines(lines, skipped)


# -------------------------------------------------------------------------------------------- Etsy


class EtsySoldItems(SalesAdapter):
    """Etsy's sold order items (`EtsySoldOrderItems<year>.csv`): `Sale Date` like `12/29/25`, `Listing ID`, `SKU`."""

    name = "etsy_sold_items"
    marketplace = "etsy"

    def detect(self, header: Header) -> bool:
        return header.has("Sale Date") and header.has("Quantity") and header.has("Listing ID", "Transaction ID")

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("Sale Date", "Quantity", "Price", "Item Total", "Currency", "Listing ID", "SKU", "Order ID",
                  "Transaction ID")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        total = header.find("Item Total")
        lines = _lines(
            frame,
            sku=_text(header.find("SKU")),
            listing_id=_text(header.find("Listing ID")),
            marketplace=pl.lit(self.marketplace),
            order_id=_text(header.find("Order ID")),
            date_text=_text(header.find("Sale Date")),
            order_date=parse_sale_date(_text(header.find("Sale Date"))),
            units_text=_text(header.find("Quantity")),
            units=_count(header.find("Quantity")),
            revenue=_money(total) if total else _money(header.find("Price")) * _count(header.find("Quantity")),
            currency=_currency(self, header.find("Currency")),
        )
        return SaleLines(lines)


# -------------------------------------------------------------------------------------- WooCommerce

_NOT_SOLD_STATUSES = ("cancelled", "refunded", "failed", "pending", "checkout-draft", "trash")


class WooCommerceOrders(SalesAdapter):
    """WooCommerce Analytics' orders download: `Product(s)` like `2× Blue Mug, 1× Red Mug`.

    Each product of an order becomes a line, identified by its name (as a product without SKU is,
    `woocommerce:title:<digest>`). Orders cancelled, refunded, failed or not yet paid do not count.
    """

    name = "woocommerce_orders"
    marketplace = "woocommerce"

    def detect(self, header: Header) -> bool:
        return header.has("Order #") and header.has("Product(s)") and header.has("Items sold")

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("Date", "Order #", "Status", "Product(s)", "Items sold", "Net Sales")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        from xborder_pipeline.ingest.base import title_key

        status = _text(header.find("Status")).str.to_lowercase()
        not_sold = status.is_in(list(_NOT_SOLD_STATUSES)).fill_null(False)
        skipped = _skipped(frame, not_sold, pl.format("order status {}: not a sale", status))
        kept = frame.filter(~not_sold).with_columns(
            _parts=_text(header.find("Product(s)")).str.split(", "),
        ).explode("_parts")
        part = pl.col("_parts").str.strip_chars()
        count = part.str.extract(r"^(\d+)\s*[×x]\s*", 1)
        product = part.str.replace(r"^\d+\s*[×x]\s*", "")
        lines = _lines(
            kept,
            listing_id=pl.format("woocommerce:title:{}", product.map_batches(title_key, return_dtype=pl.String)),
            marketplace=pl.lit(self.marketplace),
            order_id=_text(header.find("Order #")),
            date_text=_text(header.find("Date")),
            order_date=parse_sale_date(_text(header.find("Date"))),
            units_text=count,
            units=count.cast(pl.Float64, strict=False),
            currency=pl.lit(self.default_currency),
        )
        return SaleLines(lines, skipped)


class WooCommerceProducts(SalesAdapter):
    """WooCommerce Analytics' products download: `Product title, SKU, Items sold, N. Revenue` for a period
    chosen in the dashboard and written nowhere in the file, so the period comes from the user."""

    name = "woocommerce_products"
    marketplace = "woocommerce"
    dated = False

    def detect(self, header: Header) -> bool:
        return header.has("Product title") and header.has("Items sold") and not header.has("Order #")

    def columns(self, header: Header, path: object) -> list[str]:
        wanted = ("Product title", "SKU", "Items sold", "N. Revenue", "Net Revenue")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        from xborder_pipeline.ingest.base import title_key

        title = _text(header.find("Product title"))
        revenue = header.find("N. Revenue", "Net Revenue")
        lines = _lines(
            frame,
            sku=_text(header.find("SKU")),
            listing_id=pl.when(_text(header.find("SKU")).is_null()).then(
                pl.format("woocommerce:title:{}", title.map_batches(title_key, return_dtype=pl.String))
            ),
            marketplace=pl.lit(self.marketplace),
            units_text=_text(header.find("Items sold")),
            units=_count(header.find("Items sold")),
            revenue=_money(revenue),
            currency=_currency(self, amount=revenue),
        )
        return SaleLines(lines)


# ------------------------------------------------------------------------------------------- Olist


class OlistOrderItems(SalesAdapter):
    """Olist's order items: one row per unit sold (`order_item_id` numbers the units of an order).

    Orders name the platform's `product_id` and the `seller_id`, no SKU. The file has no purchase time;
    `shipping_limit_date`, the seller's deadline to hand the item over (a few days after the purchase),
    dates the sale.
    """

    name = "olist_order_items"
    marketplace = "olist"
    default_currency = "BRL"

    def detect(self, header: Header) -> bool:
        return header.has("order_id") and header.has("order_item_id") and header.has("product_id")

    def columns(self, header: Header, path: object) -> list[str]:
        require(header, path, self.name, {"shipping_limit_date": header.find("shipping_limit_date")})  # type: ignore[arg-type]
        wanted = ("order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price")
        return [name for name in (header.find(column) for column in wanted) if name]

    def convert(self, frame: pl.DataFrame, header: Header) -> SaleLines:
        item = header.find("order_item_id")
        lines = _lines(
            frame,
            listing_id=_text(header.find("product_id")),
            marketplace=pl.lit(self.marketplace),
            seller_id=_text(header.find("seller_id")),
            order_id=_text(header.find("order_id")),
            date_text=_text(header.find("shipping_limit_date")),
            order_date=parse_sale_date(_text(header.find("shipping_limit_date"))),
            # one unit per row; a row whose item number is not a number is not a unit that can be counted
            units_text=_text(item),
            units=pl.when(_count(item) >= 1).then(pl.lit(1.0)),
            revenue=_money(header.find("price")),
            currency=pl.lit(self.default_currency),
        )
        return SaleLines(lines)


# Tried in this order on each header row; the first that recognises one is used.
SALES_ADAPTERS: tuple[SalesAdapter, ...] = (
    CanonicalSales(),
    OlistOrderItems(),
    ShopifyOrders(),
    AmazonBusinessReport(),
    AmazonAllOrders(),
    EbayOrders(),
    EtsySoldItems(),
    WooCommerceOrders(),
    WooCommerceProducts(),
)
SALES_FORMATS: tuple[str, ...] = tuple(adapter.name for adapter in SALES_ADAPTERS)
