"""Seller-fulfilled returns / RMAs (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE).

Its header names have spaces and capitals (`Order ID`, `Amazon RMA ID`); they are matched normalised.
"""

from sellerops.core import report_types
from sellerops.reports.base import CURRENCY_CODES, DATETIME, INT, MONEY, YES_NO, Col, ReportFormat, contract

REPORT_TYPE = report_types.SELLER_RETURNS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Seller-fulfilled returns (RMA)",
    table="SellerReturn",
    columns=(
        Col("order-id", "order_id", key=True),
        Col("order-date", "order_date", DATETIME),
        Col("return-request-date", "return_request_date", DATETIME),
        Col("return-request-status", "return_request_status"),
        Col("amazon-rma-id", "amazon_rma_id", key=True),
        Col("merchant-rma-id", "merchant_rma_id"),
        Col("label-type", "label_type"),
        Col("label-cost", "label_cost_cents", MONEY),
        Col("currency-code", "currency", allowed=CURRENCY_CODES),
        Col("return-carrier", "return_carrier"),
        Col("tracking-id", "tracking_id"),
        Col("a-to-z-claim", "a_to_z_claim", allowed=YES_NO),
        Col("asin", "asin"),
        Col("merchant-sku", "merchant_sku"),
        Col("item-name", "item_name"),
        Col("return-quantity", "return_quantity", INT),
        Col("return-reason", "return_reason"),
        Col("in-policy", "in_policy", allowed=YES_NO),
        Col("return-type", "return_type"),
        Col("resolution", "resolution"),
        Col("return-delivery-date", "return_delivery_date", DATETIME),
        Col("order-amount", "order_amount_cents", MONEY),
        Col("order-quantity", "order_quantity", INT),
        Col("refunded-amount", "refunded_amount_cents", MONEY),
    ),
    natural_key=("account", "order_id", "amazon_rma_id", "merchant_sku"),
)


def expectations(gxe, m) -> list:
    """The suite: order id and RMA id filled; money, dates and quantities in form; the Y/N flags
    (A-to-Z Claim, In policy) Y or N and the currency one Amazon writes. Statuses, label types,
    reason codes, return types and resolutions are Amazon's vocabularies: any value is data."""
    return contract(FORMAT, gxe, m)
