"""The seller's cycle counts (CSV, UTF-8, columns defined by sellerops — README "The seller's own
files"): one row per SKU counted at a location on a day.

`count-date, location, sku, counted-quantity, system-quantity`; dates `YYYY-MM-DD`. A later file's
count of the same (day, location, SKU) replaces the earlier. The watch's inventory accuracy is
1 − Σ abs(counted − system) / Σ system per location over the last days' counts.
"""

from sellerops.core import report_types
from sellerops.reports.base import DATE, INT, Col, ReportFormat, contract

REPORT_TYPE = report_types.CYCLE_COUNTS
EXAMPLE = """count-date,location,sku,counted-quantity,system-quantity
2026-11-24,WH1-A01,MUG-BLUE-12,48,50
2026-11-24,WH1-A02,MUG-RED-12,120,120
"""

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Cycle counts",
    table="CycleCount",  # in sellerops.storage.health
    columns=(
        Col("count-date", "count_date", DATE, key=True),
        Col("location", "location", key=True),
        Col("sku", "sku", key=True),
        Col("counted-quantity", "counted_quantity", INT, key=True),
        Col("system-quantity", "system_quantity", INT, key=True),
    ),
    natural_key=("account", "count_date", "location", "sku"),
)


def expectations(gxe, m) -> list:
    """The suite: every column filled, the date a date, the quantities whole numbers."""
    return contract(FORMAT, gxe, m)
