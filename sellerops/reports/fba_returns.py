"""FBA customer returns (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA): one row per returned unit line."""

from sellerops.core import report_types
from sellerops.reports.base import DATETIME, INT, Col, ReportFormat, contract

REPORT_TYPE = report_types.FBA_RETURNS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="FBA customer returns",
    table="FbaReturn",
    columns=(
        Col("return-date", "return_date", DATETIME, key=True),
        Col("order-id", "order_id", key=True),
        Col("sku", "sku", key=True),
        Col("asin", "asin"),
        Col("fnsku", "fnsku"),
        Col("product-name", "product_name"),
        Col("quantity", "quantity", INT, key=True),
        Col("fulfillment-center-id", "fulfillment_center_id"),
        Col("detailed-disposition", "detailed_disposition"),
        Col("reason", "reason"),
        Col("status", "status"),
        Col("license-plate-number", "license_plate_number"),
        Col("customer-comments", "customer_comments"),
    ),
    natural_key=("account", "order_id", "sku", "return_date", "license_plate_number"),
)


def expectations(gxe, m) -> list:
    """The suite: return date, order id, SKU and quantity filled; the date and quantity in form.
    Disposition, reason and status are Amazon's growing vocabularies: any value is data."""
    return contract(FORMAT, gxe, m)
