"""Sales history: what each SKU has actually sold, read from order exports and sales reports.

Adapters (`adapters.py`) read each platform's sales or order export, recognised from its header like
the listing adapters; `reading.py` turns a file into sale lines with every record accounted for;
`demand.py` judges, per marketplace, seller and SKU, whether the sales prove demand (the `sku_demand`
view's logic, run before scoring so that the warehouse flag follows real sales). See docs/scoring.md,
"Demand from sales history".
"""

from __future__ import annotations

from xborder_pipeline.sales.adapters import SALES_ADAPTERS, SALES_FORMATS
from xborder_pipeline.sales.dates import Period, parse_period
from xborder_pipeline.sales.reading import (
    SALES_LINE_COLUMNS,
    SalesFile,
    SalesPeriodRule,
    find_sales_adapter,
    read_sales_file,
)

__all__ = [
    "SALES_ADAPTERS",
    "SALES_FORMATS",
    "SALES_LINE_COLUMNS",
    "Period",
    "SalesFile",
    "SalesPeriodRule",
    "find_sales_adapter",
    "parse_period",
    "read_sales_file",
]
