"""The reports sellers download, by type: formats, detection from the header, and their suites.

Amazon's reports are named by Amazon's reportType id; inputs that are not Amazon reports (added by
later sources) get a `sellerops.`-prefixed type.
"""

from __future__ import annotations

from types import ModuleType

from sellerops.reports import fba_returns, orders, reimbursements, seller_returns, settlement
from sellerops.reports.base import ReportFormat, norm

MODULES: dict[str, ModuleType] = {
    m.REPORT_TYPE: m for m in (settlement, orders, fba_returns, seller_returns, reimbursements)
}
FORMATS: dict[str, ReportFormat] = {t: m.FORMAT for t, m in MODULES.items()}


def detect(header: list[str]) -> ReportFormat | None:
    """The format whose distinctive columns the header carries best (at least half of them)."""
    names = {norm(h) for h in header}
    scored = sorted(
        ((len(f.signature & names) / len(f.signature), f) for f in FORMATS.values()),
        key=lambda x: x[0], reverse=True,
    )
    best_score, best = scored[0]
    if best_score < 0.5 or (len(scored) > 1 and scored[1][0] == best_score):
        return None
    return best
