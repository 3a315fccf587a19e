"""FBA manage inventory (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA): one row per SKU, a snapshot of now.

The account-health watch reads units on hand from it: `afn-warehouse-quantity`, or fulfillable +
unsellable + reserved where a file has no warehouse quantity (older and some regional files). A file
with neither way to count stock is refused (`on_hand_problem`); every loaded file is kept as its own
snapshot, and the most recently loaded one is current.
"""

from sellerops.core import report_types
from sellerops.reports.base import INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.MANAGE_INVENTORY
FALLBACK = ("afn-fulfillable-quantity", "afn-unsellable-quantity", "afn-reserved-quantity")

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="FBA manage inventory",
    table="FbaInventory",  # in sellerops.storage.health
    columns=(
        Col("sku", "sku", key=True),
        Col("fnsku", "fnsku"),
        Col("asin", "asin"),
        Col("product-name", "product_name"),
        Col("condition", "condition"),
        Col("your-price", "your_price_cents", MONEY),
        Col("mfn-listing-exists", "mfn_listing_exists"),
        Col("afn-listing-exists", "afn_listing_exists"),
        Col("afn-warehouse-quantity", "afn_warehouse_quantity", INT),
        Col("afn-fulfillable-quantity", "afn_fulfillable_quantity", INT),
        Col("afn-unsellable-quantity", "afn_unsellable_quantity", INT),
        Col("afn-reserved-quantity", "afn_reserved_quantity", INT),
        Col("afn-total-quantity", "afn_total_quantity", INT),
    ),
    natural_key=("account", "report_file_id", "sku"),
)


def on_hand_problem(names: list[str]) -> str | None:
    """Why a header cannot say how many units are on hand, or None when it can."""
    if "afn-warehouse-quantity" in names or "afn-fulfillable-quantity" in names:
        return None
    return ("missing column 'afn-warehouse-quantity' (or its fallback 'afn-fulfillable-quantity' with "
            "'afn-unsellable-quantity' and 'afn-reserved-quantity'): units on hand cannot be counted")


def expectations(gxe, m) -> list:
    """The suite: SKU filled; quantities whole numbers; the price in the marketplace's form."""
    return contract(FORMAT, gxe, m)
