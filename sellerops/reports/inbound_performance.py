"""FBA inbound performance (GET_FBA_FULFILLMENT_INBOUND_NONCOMPLIANCE_DATA): one row per inbound problem.

Amazon's daily list of what went wrong receiving a shipment — by shipment, carton or product
(`problem-level`): unexpected or missing units, labelling and prep problems, with the problem's
units and, for a product, the units expected and received. It lists problems only, never every
shipment, so the tracker (sellerops.inbound) reads it as evidence beside the Fulfillment Inbound
API's quantities: it shows on the shipment's shortage and in its claim pack, and decides nothing.
Problem types and levels are Amazon's growing vocabularies: any value is data.
"""

from sellerops.core import report_types
from sellerops.reports.base import CURRENCY_CODES, DATETIME, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.INBOUND_PERFORMANCE

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="FBA inbound performance",
    table="InboundProblem",
    columns=(
        Col("issue-reported-date", "issue_reported_date", DATETIME, key=True),
        Col("shipment-creation-date", "shipment_creation_date", DATETIME),
        Col("fba-shipment-id", "fba_shipment_id", key=True),
        Col("fba-carton-id", "fba_carton_id"),
        Col("fulfillment-center-id", "fulfillment_center_id"),
        Col("sku", "sku"),
        Col("fnsku", "fnsku"),
        Col("asin", "asin"),
        Col("product-name", "product_name"),
        Col("problem-type", "problem_type", key=True),
        Col("problem-quantity", "problem_quantity", INT),
        Col("expected-quantity", "expected_quantity", INT),
        Col("received-quantity", "received_quantity", INT),
        Col("performance-measurement-unit", "performance_measurement_unit"),
        Col("coaching-level", "coaching_level"),
        Col("fee-type", "fee_type"),
        Col("currency", "currency", allowed=CURRENCY_CODES),
        Col("fee-total", "fee_total_cents", MONEY),
        Col("problem-level", "problem_level"),
        Col("alert-status", "alert_status"),
    ),
    natural_key=("account", "fba_shipment_id", "fba_carton_id", "sku", "problem_type", "issue_reported_date"),
)


def expectations(gxe, m) -> list:
    """The suite: reported date, shipment id and problem type filled; dates, quantities and the fee in
    form; the currency, when a fee is charged, one Amazon writes."""
    return contract(FORMAT, gxe, m)
