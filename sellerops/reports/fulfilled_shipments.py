"""Amazon-fulfilled shipments (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL): one row per shipment item.

The FBA orders, which count toward a customer's lifetime value too: each line carries the buyer's
relay e-mail — kept only as its customer key (sellerops.customers) — and the item price. Billing
and shipping names, phones and street lines are not read. Rows upsert on (shipment-id, shipment-item-id).
"""

from sellerops.core import report_types
from sellerops.reports.base import CURRENCY_CODES, DATETIME, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.FULFILLED_SHIPMENTS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Amazon-fulfilled shipments",
    table="FulfilledShipmentLine",
    columns=(
        Col("amazon-order-id", "amazon_order_id", key=True),
        Col("merchant-order-id", "merchant_order_id"),
        Col("shipment-id", "shipment_id", key=True),
        Col("shipment-item-id", "shipment_item_id", key=True),
        Col("amazon-order-item-id", "amazon_order_item_id"),
        Col("purchase-date", "purchase_date", DATETIME, key=True),
        Col("payments-date", "payments_date", DATETIME),
        Col("shipment-date", "shipment_date", DATETIME),
        Col("buyer-email", "buyer_key", required=True),
        Col("sku", "sku", key=True),
        Col("product-name", "product_name"),
        Col("quantity-shipped", "quantity_shipped", INT, required=True),
        Col("currency", "currency", required=True, allowed=CURRENCY_CODES),
        Col("item-price", "item_price_cents", MONEY, required=True),
        Col("item-tax", "item_tax_cents", MONEY),
        Col("shipping-price", "shipping_price_cents", MONEY),
        Col("item-promotion-discount", "item_promotion_discount_cents", MONEY),
        Col("ship-city", "ship_city"),
        Col("ship-state", "ship_state"),
        Col("ship-postal-code", "ship_postal_code"),
        Col("ship-country", "ship_country"),
        Col("fulfillment-center-id", "fulfillment_center_id"),
        Col("fulfillment-channel", "fulfillment_channel"),
        Col("sales-channel", "sales_channel"),
    ),
    natural_key=("account", "shipment_id", "shipment_item_id"),
)


def expectations(gxe, m) -> list:
    """The suite: order, shipment and item ids, purchase date and SKU filled; money, dates and
    quantities in form; the currency one Amazon writes."""
    return contract(FORMAT, gxe, m)
