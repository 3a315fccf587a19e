"""FBA reimbursements (GET_FBA_REIMBURSEMENTS_DATA): one row per reimbursement line.

A warehouse reimbursement has no order id; a reversal names the reimbursement it reverses.
"""

from sellerops.core import report_types
from sellerops.reports.base import CURRENCY_CODES, DATETIME, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.REIMBURSEMENTS

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Reimbursements",
    table="Reimbursement",
    columns=(
        Col("approval-date", "approval_date", DATETIME, key=True),
        Col("reimbursement-id", "reimbursement_id", key=True),
        Col("case-id", "case_id"),
        Col("amazon-order-id", "amazon_order_id"),
        Col("reason", "reason"),
        Col("sku", "sku", key=True),
        Col("fnsku", "fnsku"),
        Col("asin", "asin"),
        Col("product-name", "product_name"),
        Col("condition", "condition"),
        Col("currency-unit", "currency", required=True, allowed=CURRENCY_CODES),
        Col("amount-per-unit", "amount_per_unit_cents", MONEY),
        Col("amount-total", "amount_total_cents", MONEY, required=True),
        Col("quantity-reimbursed-cash", "quantity_reimbursed_cash", INT),
        Col("quantity-reimbursed-inventory", "quantity_reimbursed_inventory", INT),
        Col("quantity-reimbursed-total", "quantity_reimbursed_total", INT),
        Col("original-reimbursement-id", "original_reimbursement_id"),
        Col("original-reimbursement-type", "original_reimbursement_type"),
    ),
    natural_key=("account", "reimbursement_id", "sku"),
)


def expectations(gxe, m) -> list:
    """The suite: approval date, reimbursement id and SKU filled; money, date and quantities in form;
    the currency one Amazon writes. Reasons (Lost_Warehouse, reversals, new ones) are data."""
    return contract(FORMAT, gxe, m)
