"""Account health: the seller performance report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON).

Amazon serves it through the Reports API with no date window: it is a snapshot of the account now.
Notifications (ACCOUNT_STATUS_CHANGED, listing status and issue changes) will live beside it.
"""

from __future__ import annotations

from sellerops.amazon.source import SELLER_PERFORMANCE, FetchedReport
from sellerops.amazon.spapi.reports import ReportsApi


def seller_performance(reports: ReportsApi) -> FetchedReport:
    """Request the seller performance report and await its JSON document."""
    return reports.await_report(SELLER_PERFORMANCE, reports.request_report(SELLER_PERFORMANCE))
