"""The reports sellers download, by type: one module per format, with its contract beside it.

Each module names its report type (an id from `sellerops.core.report_types`), its `FORMAT` and its
`expectations(gxe, m)`, the whole GX suite of the type. Which type a header is comes from the one
detection table in `sellerops.core.report_types`.
"""

from __future__ import annotations

from types import ModuleType

from sellerops.core.report_types import detect_type
from sellerops.reports import (actionable_orders, cycle_counts, fba_returns, fulfilled_shipments, inbound_performance,
                               manage_inventory, orders, purchase_orders, reimbursements, search_terms, seller_returns,
                               settlement)
from sellerops.reports.base import ReportFormat

MODULES: dict[str, ModuleType] = {
    m.REPORT_TYPE: m for m in (settlement, orders, fba_returns, seller_returns, reimbursements, actionable_orders,
                               fulfilled_shipments, inbound_performance, manage_inventory, search_terms, cycle_counts,
                               purchase_orders)
}
FORMATS: dict[str, ReportFormat] = {t: m.FORMAT for t, m in MODULES.items()}


def detect(header: list[str]) -> ReportFormat | None:
    """The format of a file with this header (see `detect_type`), or None."""
    report_type = detect_type(header)
    return FORMATS.get(report_type) if report_type else None
