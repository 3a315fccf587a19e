"""Actionable (unshipped) seller-fulfilled orders (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING): one row per order item.

The seller-fulfilled orders RMAs are about, with the buyer's relay e-mail — read only as its customer
key (sellerops.customers: ingestion replaces the address before the file is parsed) — and the
ship-to city, state and postal code a return label names. Names, phone numbers and street lines are
personal data sellerops never keeps: they are not columns here. Rows upsert on (order-id, order-item-id).
"""

from sellerops.core import report_types
from sellerops.reports.base import BOOL, DATETIME, INT, Col, ReportFormat, contract

REPORT_TYPE = report_types.ACTIONABLE_ORDERS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Actionable seller-fulfilled orders",
    table="ActionableOrderLine",
    columns=(
        Col("order-id", "order_id", key=True),
        Col("order-item-id", "order_item_id", key=True),
        Col("purchase-date", "purchase_date", DATETIME, key=True),
        Col("payments-date", "payments_date", DATETIME),
        Col("promise-date", "promise_date", DATETIME),
        Col("buyer-email", "buyer_key", required=True),
        Col("sku", "sku", key=True),
        Col("product-name", "product_name"),
        Col("quantity-purchased", "quantity_purchased", INT, required=True),
        Col("quantity-shipped", "quantity_shipped", INT),
        Col("quantity-to-ship", "quantity_to_ship", INT),
        Col("ship-service-level", "ship_service_level"),
        Col("ship-city", "ship_city"),
        Col("ship-state", "ship_state"),
        Col("ship-postal-code", "ship_postal_code"),
        Col("ship-country", "ship_country"),
        Col("sales-channel", "sales_channel"),
        Col("is-business-order", "is_business_order", BOOL),
    ),
    natural_key=("account", "order_id", "order_item_id"),
)


def expectations(gxe, m) -> list:
    """The suite: order id, item id, purchase date and SKU filled; the buyer-email column present
    (as keys by then); dates, quantities and the business flag in form."""
    return contract(FORMAT, gxe, m)
