"""Files already in the canonical layout: CSV, XLSX, Parquet, JSON (an array of objects) and NDJSON.

Every value comes out as text exactly as written (trimmed), with `source_file` and `source_row` added;
parsing numbers is the validation step's job, so that a bad value becomes a reject with its row and
column instead of a failed read. Column names are matched without regard to case.
"""

from __future__ import annotations

import polars as pl

from xborder_pipeline.ingest.base import Adapter, Context, Converted, Header, col
from xborder_pipeline.ingest.errors import InputFileError
from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

CANONICAL_FORMATS: tuple[str, ...] = ("csv", "parquet", "json", "ndjson", "xlsx")
# The container each canonical format names (delimited text for csv).
CONTAINER_OF_FORMAT: dict[str, str] = {
    "csv": "text", "parquet": "parquet", "json": "json", "ndjson": "ndjson", "xlsx": "xlsx",
}
FORMAT_OF_CONTAINER: dict[str, str] = {container: name for name, container in CONTAINER_OF_FORMAT.items()}

# A file must name these columns; any other canonical column it lacks is taken as missing values.
REQUIRED_HEADER_COLUMNS: tuple[str, ...] = (
    "title", "price", "currency", "weight_kg", "length_cm", "width_cm", "height_cm",
)
IDENTITY_COLUMNS: tuple[str, ...] = ("listing_id", "sku")
# Adapter columns a canonical file may carry (read when present, missing otherwise).
CARRIED: tuple[str, ...] = ("is_physical", "attributes", "product_group", "currency_assumed")
# Names only the canonical layout uses: one of them marks a file as canonical.
_CANONICAL_ONLY: tuple[str, ...] = (
    "listing_id", "weight_kg", "length_cm", "width_cm", "height_cm", "stock_qty", "unit_cost", "monthly_units_sold",
)


class Canonical(Adapter):
    name = "canonical"
    marketplace = None
    identify_by_title = False
    reads_in_pieces = True

    def detect(self, header: Header) -> bool:
        keys = header.keys()
        return any(name in keys for name in _CANONICAL_ONLY) and len(keys & set(CANONICAL_COLUMNS)) >= 3

    def columns(self, header: Header, context: Context) -> list[str]:
        missing = [name for name in REQUIRED_HEADER_COLUMNS if not header.has(name)]
        if not any(header.has(name) for name in IDENTITY_COLUMNS):
            missing.insert(0, "listing_id or sku")
        if missing:
            raise InputFileError(
                context.path,
                f"the header lacks required column(s): {', '.join(missing)}. "
                f"Canonical columns are: {', '.join(CANONICAL_COLUMNS)}",
            )
        return [name for name in (header.find(column) for column in (*CANONICAL_COLUMNS, *CARRIED)) if name]

    def convert(self, frame: pl.DataFrame, header: Header, context: Context) -> Converted:
        return Converted(
            records=frame.select(
                pl.col("_row"),
                *(col(header.find(column)).alias(column) for column in (*CANONICAL_COLUMNS, *CARRIED)),
            )
        )
