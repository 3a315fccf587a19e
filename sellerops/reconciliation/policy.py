"""The reconciliation policy: every threshold the rules use, with its default in code.

A saved Prefect block may later override fields (`dataclasses.replace(Policy(), **overrides)`);
the rules themselves only ever see this frozen value, so they stay pure and testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sellerops.core.marketplaces import names_and_ids
from sellerops.core.money import to_cents

# Marketplace names as they appear in reports (`Amazon.com`) and the SP-API marketplace ids, so
# either spelling in the `marketplace` column finds its claim window.
_NORTH_AMERICA = names_and_ids("Amazon.com", "Amazon.ca", "Amazon.com.mx")
_EUROPE = names_and_ids("Amazon.de", "Amazon.co.uk", "Amazon.fr", "Amazon.it", "Amazon.es", "Amazon.nl", "Amazon.se",
                        "Amazon.pl", "Amazon.com.be", "Amazon.ie", "Amazon.com.tr")
_JAPAN = names_and_ids("Amazon.co.jp")


def _windows(days: int, names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((name, days) for name in names)


@dataclass(frozen=True)
class Policy:
    """Thresholds of the nightly reconciliation (each rule module names the fields that steer it).
    Money tolerances are Decimal units."""

    grace_days_fba: int = 21
    grace_days_seller_fulfilled: int = 28
    grace_days_business: int = 45
    tolerance: Decimal = Decimal("0.01")
    fee_tolerance_per_unit: Decimal = Decimal("0.05")
    commission_tolerance_points: Decimal = Decimal("0.5")
    min_lines_per_sku: int = 5
    # (month, day) on which Amazon changes its fees; a fee period runs from one split to the next.
    fee_period_splits: tuple[tuple[int, int], ...] = ((1, 15), (10, 15))
    # Customer-return claims (refunded, never returned): the window opens N days after the refund
    # and closes M days after it (DOMAIN.md, "Customer-return claims", since Sept 2024).
    claim_window_opens_days: tuple[tuple[str, int], ...] = (
        _windows(60, _NORTH_AMERICA) + _windows(45, _EUROPE) + _windows(45, _JAPAN)
    )
    claim_window_closes_days: tuple[tuple[str, int], ...] = (
        _windows(120, _NORTH_AMERICA) + _windows(105, _EUROPE) + _windows(548, _JAPAN)
    )
    # A marketplace missing from the tables above gets the North-American window: the latest
    # opening, so an unknown marketplace is never flagged earlier than a known one.
    default_claim_window_days: tuple[int, int] = (60, 120)
    # How far back a nightly run looks for what can still change: nothing older than this many days
    # before as-of is scanned, only read by key where a rule needs it (the sale behind a late refund).
    # None: the longest claim window plus the longest grace (`horizon`).
    horizon_days: int | None = None

    @property
    def horizon(self) -> int:
        """Days before as-of past which no finding can still change by the clock alone."""
        if self.horizon_days is not None:
            return self.horizon_days
        closes = [d for _, d in self.claim_window_closes_days] + [self.default_claim_window_days[1]]
        grace = (self.grace_days_fba, self.grace_days_seller_fulfilled, self.grace_days_business)
        return max(closes) + max(grace)

    def opening_days(self) -> tuple[int, int]:
        """The shortest and the longest claim-window opening over every marketplace."""
        opens = [d for _, d in self.claim_window_opens_days] + [self.default_claim_window_days[0]]
        return min(opens), max(opens)

    def grace_days(self) -> tuple[int, int]:
        """The shortest and the longest grace before an unpaid order is a finding."""
        grace = (self.grace_days_fba, self.grace_days_seller_fulfilled, self.grace_days_business)
        return min(grace), max(grace)

    def claim_window_days(self, marketplace: str | None) -> tuple[int, int]:
        """(opening, closing) days after the refund for a marketplace's customer-return claims."""
        opens = dict(self.claim_window_opens_days)
        closes = dict(self.claim_window_closes_days)
        if marketplace in opens and marketplace in closes:
            return opens[marketplace], closes[marketplace]
        return self.default_claim_window_days

    def claim_window(self, marketplace: str | None, refunded_on: dt.date) -> tuple[dt.date, dt.date]:
        opening, closing = self.claim_window_days(marketplace)
        return refunded_on + dt.timedelta(days=opening), refunded_on + dt.timedelta(days=closing)

    @property
    def tolerance_cents(self) -> int:
        return to_cents(self.tolerance)
