"""Small builders shared by tests: canonical CSV text and listing frames with sensible defaults."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from xborder_pipeline.schemas.listing import CANONICAL_COLUMNS

GOOD_ROW: dict[str, str] = {
    "listing_id": "L-1",
    "sku": "SKU-1",
    "marketplace": "amazon_us",
    "seller_id": "shenzhen-gadgets",
    "title": "Silicone phone case",
    "category": "Phone Accessories",
    "description": "Soft silicone case",
    "price": "12.99",
    "currency": "USD",
    "unit_cost": "2.10",
    "weight_kg": "0.05",
    "length_cm": "18",
    "width_cm": "10",
    "height_cm": "2",
    "stock_qty": "500",
    "monthly_units_sold": "120",
    "moq": "",
}


def canonical_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = CANONICAL_COLUMNS) -> Path:
    """Write rows (each a partial override of GOOD_ROW) as a canonical CSV file."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for index, overrides in enumerate(rows, start=1):
        row = {**GOOD_ROW, "listing_id": f"L-{index}", "sku": f"SKU-{index}", **overrides}
        writer.writerow(row)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
