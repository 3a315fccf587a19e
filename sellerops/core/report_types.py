"""Amazon's report-type ids and how a flat file's header tells which one it is.

One home for the ids the sources request, the report formats parse and ingestion records, and for
the detection table: each flat-file type's distinctive header names (normalised: lower case, spaces
and underscores as hyphens). Headers are matched by name, never by position or file name: a type
is the header's when the header carries at least two of its names and a larger share of them than of
any other type's (a file cut to a few columns is then named, and quarantined for what it lacks).
Inputs that are not Amazon reports (added by later sources) get a `sellerops.`-prefixed type.
"""

from __future__ import annotations

import re
from typing import Iterable

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
FBA_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
SELLER_RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REIMBURSEMENTS = "GET_FBA_REIMBURSEMENTS_DATA"
SELLER_PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"
LEDGER_DETAIL = "GET_LEDGER_DETAIL_VIEW_DATA"
MANAGE_INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
# Not Amazon reports: the advertising console's export and the seller's own files (README).
SEARCH_TERMS = "sellerops.sponsored_products_search_terms"
CYCLE_COUNTS = "sellerops.cycle_counts"
PURCHASE_ORDERS = "sellerops.purchase_orders"
ACTIONABLE_ORDERS = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"
FULFILLED_SHIPMENTS = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
INBOUND_PERFORMANCE = "GET_FBA_FULFILLMENT_INBOUND_NONCOMPLIANCE_DATA"

# The detection table: the header names that identify each flat-file report type.
SIGNATURES: dict[str, frozenset[str]] = {
    SETTLEMENT: frozenset({"settlement-id", "settlement-start-date", "total-amount", "transaction-type",
                           "amount-type", "amount-description", "deposit-date"}),
    ALL_ORDERS: frozenset({"amazon-order-id", "purchase-date", "last-updated-date", "order-status",
                           "sales-channel", "item-status", "fulfillment-channel"}),
    FBA_RETURNS: frozenset({"return-date", "order-id", "fnsku", "fulfillment-center-id", "detailed-disposition",
                            "license-plate-number"}),
    SELLER_RETURNS: frozenset({"order-id", "amazon-rma-id", "return-request-date", "return-request-status",
                               "merchant-rma-id", "label-type"}),
    REIMBURSEMENTS: frozenset({"approval-date", "reimbursement-id", "amount-per-unit", "quantity-reimbursed-total",
                               "original-reimbursement-id", "currency-unit"}),
    MANAGE_INVENTORY: frozenset({"afn-warehouse-quantity", "afn-fulfillable-quantity", "afn-unsellable-quantity",
                                 "afn-reserved-quantity", "afn-total-quantity", "afn-listing-exists",
                                 "mfn-listing-exists"}),
    SEARCH_TERMS: frozenset({"campaign-name", "ad-group-name", "targeting", "match-type", "customer-search-term",
                             "impressions", "clicks", "7-day-total-orders-(#)"}),
    CYCLE_COUNTS: frozenset({"count-date", "location", "counted-quantity", "system-quantity"}),
    PURCHASE_ORDERS: frozenset({"po-number", "supplier", "order-date", "expected-arrival-date",
                                "actual-arrival-date"}),
    ACTIONABLE_ORDERS: frozenset({"order-item-id", "quantity-purchased", "quantity-to-ship", "promise-date",
                                  "payments-date", "quantity-shipped"}),
    FULFILLED_SHIPMENTS: frozenset({"shipment-id", "shipment-item-id", "amazon-order-item-id", "shipment-date",
                                    "quantity-shipped", "fulfillment-center-id"}),
    INBOUND_PERFORMANCE: frozenset({"issue-reported-date", "fba-shipment-id", "problem-type", "problem-quantity",
                                    "expected-quantity", "received-quantity", "problem-level"}),
}

MIN_NAMES = 2


def norm(name: str) -> str:
    """The normalised form of a header name: `Order ID` and `order_id` both read `order-id`."""
    return re.sub(r"[\s_]+", "-", name.strip().strip("\ufeff").strip().lower())


def detect_type(header: Iterable[str]) -> str | None:
    """The report type whose distinctive names the header carries best (at least two of them, and a
    larger share than of any other type's); None when no type does."""
    names = {norm(h) for h in header}
    scored = sorted(((len(sig & names) / len(sig), len(sig & names), t) for t, sig in SIGNATURES.items()),
                    reverse=True)
    (share, count, best), runner_up = scored[0], scored[1][0]
    if count < MIN_NAMES or share == runner_up:
        return None
    return best
