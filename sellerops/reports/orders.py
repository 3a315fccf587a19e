"""All orders by order date (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL): one row per item.

item-price is the line total for the quantity; a cancelled order has none (null, not zero). Rows
upsert on (amazon-order-id, sku), the newest last-updated-date winning.
"""

from sellerops.core import report_types
from sellerops.reports.base import BOOL, CURRENCY_CODES, DATETIME, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.ALL_ORDERS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="All orders",
    table="OrderLine",
    columns=(
        Col("amazon-order-id", "amazon_order_id", key=True),
        Col("merchant-order-id", "merchant_order_id"),
        Col("purchase-date", "purchase_date", DATETIME, key=True),
        Col("last-updated-date", "last_updated_date", DATETIME),
        Col("order-status", "order_status", key=True),
        Col("fulfillment-channel", "fulfillment_channel", required=True),
        Col("sales-channel", "sales_channel", required=True),
        Col("order-channel", "order_channel"),
        Col("ship-service-level", "ship_service_level"),
        Col("product-name", "product_name"),
        Col("sku", "sku", key=True),
        Col("asin", "asin"),
        Col("item-status", "item_status", required=True),
        Col("quantity", "quantity", INT, required=True),
        Col("currency", "currency", required=True, allowed=CURRENCY_CODES),
        Col("item-price", "item_price_cents", MONEY, required=True),
        Col("item-tax", "item_tax_cents", MONEY),
        Col("shipping-price", "shipping_price_cents", MONEY),
        Col("shipping-tax", "shipping_tax_cents", MONEY),
        Col("gift-wrap-price", "gift_wrap_price_cents", MONEY),
        Col("gift-wrap-tax", "gift_wrap_tax_cents", MONEY),
        Col("item-promotion-discount", "item_promotion_discount_cents", MONEY),
        Col("ship-promotion-discount", "ship_promotion_discount_cents", MONEY),
        Col("ship-country", "ship_country"),
        Col("is-business-order", "is_business_order", BOOL),
    ),
    natural_key=("account", "amazon_order_id", "sku"),
)


def expectations(gxe, m) -> list:
    """The suite: order id, purchase date, status and SKU filled; money, dates, quantity and the
    business flag in form; the currency one Amazon writes. Statuses and channels are data."""
    return contract(FORMAT, gxe, m)
