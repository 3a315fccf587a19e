"""The advertising console's Sponsored Products search-term report (CSV or TSV): one row per day,
campaign, ad group, targeting, match type and customer search term.

Not an SP-API report: the seller exports it from the advertising console with the time unit
Daily, so each row has its `Date` and the watch can window clicks and orders by day. A summary
export (`Start Date` / `End Date` instead of `Date`) covers its whole period in one row and cannot
be windowed: it is refused with that reason (`summary_problem`). Money is written like `$16.25`:
the currency sign is dropped before the checks (`MONEY_SIGNS`). Header names are trimmed (the
console writes `7 Day Total Sales ` with a trailing space).
"""

from sellerops.core import report_types
from sellerops.reports.base import DATE, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.SEARCH_TERMS
MONEY_SIGNS = "$£€¥"

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Sponsored Products search terms",
    table="AdSearchTerm",  # in sellerops.storage.health
    columns=(
        Col("date", "date", DATE, key=True),
        Col("campaign-name", "campaign_name", key=True),
        Col("ad-group-name", "ad_group_name", key=True),
        Col("targeting", "targeting", key=True),
        Col("match-type", "match_type", key=True),
        Col("customer-search-term", "customer_search_term", key=True),
        Col("currency", "currency"),
        Col("impressions", "impressions", INT),
        Col("clicks", "clicks", INT, key=True),
        Col("spend", "spend_cents", MONEY),
        Col("7-day-total-sales", "sales_cents", MONEY),
        Col("7-day-total-orders-(#)", "orders", INT, key=True),
    ),
    natural_key=("account", "date", "campaign_name", "ad_group_name", "targeting", "match_type",
                 "customer_search_term"),
)


def summary_problem(names: list[str]) -> tuple[int, str] | None:
    """(1-based column, reason) when the header is a summary export's, else None."""
    if "date" in names or "start-date" not in names:
        return None
    return (names.index("start-date") + 1,
            "Start Date / End Date: a summary export adds up its whole period in one row and cannot be windowed "
            "by day; export the search-term report with the time unit Daily (a Date column)")


def expectations(gxe, m) -> list:
    """The suite: every part of the row's key filled (day, campaign, ad group, targeting, match type,
    search term, clicks, orders); counts whole numbers; money and the day in form."""
    return contract(FORMAT, gxe, m)
