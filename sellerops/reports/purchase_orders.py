"""The seller's purchase orders (CSV, UTF-8, columns defined by sellerops — README "The seller's own
files"): one row per PO line.

`po-number, supplier, sku, quantity, order-date, expected-arrival-date, actual-arrival-date`; dates
`YYYY-MM-DD`; a blank actual arrival is a line not arrived yet. A later file's row for the same
po-number and SKU replaces the earlier (the arrival filled in once it lands). A PO counts once, by
its po-number, in the supplier's lead time.
"""

from sellerops.core import report_types
from sellerops.reports.base import DATE, INT, Col, ReportFormat, contract

REPORT_TYPE = report_types.PURCHASE_ORDERS
EXAMPLE = """po-number,supplier,sku,quantity,order-date,expected-arrival-date,actual-arrival-date
PO-1001,Acme Ceramics,MUG-BLUE-12,500,2026-10-01,2026-10-20,2026-10-23
PO-1001,Acme Ceramics,MUG-RED-12,300,2026-10-01,2026-10-20,2026-10-22
PO-1002,Acme Ceramics,MUG-BLUE-12,500,2026-11-10,2026-11-30,
"""

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Purchase orders",
    table="PurchaseOrderLine",  # in sellerops.storage.health
    columns=(
        Col("po-number", "po_number", key=True),
        Col("supplier", "supplier", key=True),
        Col("sku", "sku", key=True),
        Col("quantity", "quantity", INT, key=True),
        Col("order-date", "order_date", DATE, key=True),
        Col("expected-arrival-date", "expected_arrival_date", DATE, key=True),
        Col("actual-arrival-date", "actual_arrival_date", DATE, required=True),
    ),
    natural_key=("account", "po_number", "sku"),
)


def expectations(gxe, m) -> list:
    """The suite: every column but the actual arrival filled; dates dates; the quantity a whole number."""
    return contract(FORMAT, gxe, m)
