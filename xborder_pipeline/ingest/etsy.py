"""Etsy listings export (Shop Manager > Settings > Options > Download Data > Download CSV).

One row per listing: TITLE, DESCRIPTION, PRICE, CURRENCY_CODE, QUANTITY, TAGS, MATERIALS, IMAGE1..10,
VARIATION 1 TYPE/NAME/VALUES, ..., SKU. Etsy writes the headers in the shop's language: German
(TITEL, PREIS, WÄHRUNGSCODE, STÜCKZAHL, MATERIALIEN, BILD1, BESTANDSEINHEIT), Italian (TITOLO,
PREZZO, MATERIALI, ...), French, Spanish, Portuguese, Dutch and Polish names are matched too (case
and accents ignored); any column the adapter does not need is ignored.

The export has no weight, size or listing type. A listing is taken as a digital download (not
physical) when its title, materials or tags say so: "digital download", "digital file", "instant
download", "downloadable", "PDF", "SVG", "printable", "e-book". It has no listing id either, and
SKUs are often blank: such a listing is identified by its title (see docs/adapters.md).
"""

from __future__ import annotations

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
    joined_values,
    original_values,
    present,
    require,
)
from xborder_pipeline.ingest.text import blank_as_null, count_text, plain_text, price_text

TITLE = ("TITLE", "TITEL", "TITOLO", "TITRE", "TITULO", "TYTUL", "NAZWA")
DESCRIPTION = ("DESCRIPTION", "BESCHREIBUNG", "DESCRIZIONE", "DESCRIPCION", "DESCRICAO", "BESCHRIJVING", "OPIS")
PRICE = ("PRICE", "PREIS", "PREZZO", "PRIX", "PRECIO", "PRECO", "PRIJS", "CENA")
CURRENCY = (
    "CURRENCY_CODE", "CURRENCY", "WÄHRUNGSCODE", "WÄHRUNG", "CODICE_VALUTA", "VALUTA", "CODE_DEVISE", "DEVISE",
    "CODIGO_DE_MONEDA", "CODIGO_MONEDA", "MONEDA", "DIVISA", "CODIGO_DA_MOEDA", "MOEDA", "VALUTACODE", "KOD_WALUTY",
    "WALUTA",
)
QUANTITY = ("QUANTITY", "STÜCKZAHL", "MENGE", "QUANTITÀ", "QUANTITA", "QUANTITÉ", "CANTIDAD", "QUANTIDADE",
            "AANTAL", "ILOŚĆ", "ILOSC")
TAGS = ("TAGS", "TAG", "ETICHETTE", "ÉTIQUETTES", "ETIQUETAS", "ETIQUETAS", "ETIKETTEN", "TAGI")
MATERIALS = ("MATERIALS", "MATERIALIEN", "MATERIALI", "MATÉRIAUX", "MATERIALES", "MATERIAIS", "MATERIALEN",
             "MATERIAŁY", "MATERIALY")
SKU = ("SKU", "BESTANDSEINHEIT", "CODICE_SKU", "RÉFÉRENCE", "REFERENCIA")
LISTING_ID = ("LISTING_ID", "LISTING ID", "LISTINGID")
IMAGE1 = ("IMAGE1", "BILD1", "IMMAGINE1", "IMAGEN1", "IMAGEM1", "AFBEELDING1", "ZDJĘCIE1", "ZDJECIE1", "OBRAZ1")
LISTING_TYPE = ("TYPE", "LISTING_TYPE", "TYP", "TIPO")

DIGITAL = (
    r"(?i)\b(?:digital\s+(?:downloads?|files?|products?|items?|patterns?|planners?|prints?|art|templates?|"
    r"instructions|version)|instant\s+downloads?|downloadable|pdf|svg|e-?books?|printables?)\b"
)


class Etsy(Adapter):
    name = "etsy"
    marketplace = "etsy"
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        return (
            header.has(*TITLE) and header.has(*PRICE) and header.has(*QUANTITY)
            and (header.has(*IMAGE1) or header.has(*CURRENCY))
            and not header.has("weight_kg", "listing_id")
        )

    def _names(self, header: Header) -> dict[str, str | None]:
        return {
            "listing_id": header.find(*LISTING_ID),
            "title": header.find(*TITLE),
            "description": header.find(*DESCRIPTION),
            "price": header.find(*PRICE),
            "currency": header.find(*CURRENCY),
            "quantity": header.find(*QUANTITY),
            "tags": header.find(*TAGS),
            "materials": header.find(*MATERIALS),
            "sku": header.find(*SKU),
            "type": header.find(*LISTING_TYPE),
        }

    def columns(self, header: Header, context: Context) -> list[str]:
        names = self._names(header)
        require(header, context.path, self.name, {"TITLE": names["title"], "PRICE": names["price"]})
        return present(names.values())

    def decimal_comma_columns(self, header: Header, context: Context) -> list[str]:
        return present([self._names(header)["price"]])

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        names = self._names(header)
        comma = decimal_comma(frame, names["price"], context)
        price_raw = col(names["price"])
        currency, assumed_currency = currency_expr(context, self, column=names["currency"], price=price_raw)
        typed = col(names["type"]).str.to_lowercase()
        said = pl.concat_str(
            [col(names["title"]), col(names["materials"]), col(names["tags"])], separator=" ", ignore_nulls=True
        )
        digital = said.str.contains(DIGITAL).fill_null(False) | typed.str.contains("download|digital").fill_null(False)
        records = frame.select(
            pl.col("_row"),
            blank_as_null(col(names["listing_id"])).alias("listing_id"),
            blank_as_null(col(names["sku"])).alias("sku"),
            plain_text(col(names["title"]), single_line=True).alias("title"),
            plain_text(col(names["description"])).alias("description"),
            price_text(price_raw, decimal_comma=comma).alias("price"),
            currency.alias("currency"),
            count_text(col(names["quantity"])).alias("stock_qty"),
            pl.when(digital).then(pl.lit("false")).alias("is_physical"),
            joined_values([col(names["materials"]), col(names["tags"])]).alias("attributes"),
            blank_as_null(col(names["listing_id"])).alias("product_group"),
            currency_assumed(assumed_currency).alias("currency_assumed"),
            original_values(
                present([names["price"], names["currency"], names["quantity"], names["materials"], names["type"],
                         names["tags"]]),
                {"assumed_currency": assumed_currency},
            ).alias("original_values"),
        )
        return Converted(records=records)
