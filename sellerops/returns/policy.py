"""The returns policy: every threshold of the RMA decision, with its default in code.

`blocks/returns_policy.py` (the `ReturnsPolicy` Prefect block) overrides the fields it sets; with no
saved block these defaults hold. Money is Decimal in the marketplace's currency: one value for
every currency, or one per currency where a seller sells in several.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

ROLE = "returns"  # who owes the decisions and care tasks (sellerops.decisions)
REGISTERS = ("de-formal", "de-informal")


@dataclass(frozen=True)
class Policy:
    auto_authorize_max: Decimal = Decimal("150")  # the most a return may be worth and still be authorised alone
    auto_authorize_max_by_currency: dict[str, Decimal] = field(default_factory=dict)
    review_reasons: frozenset[str] = frozenset()  # return reasons a person always looks at
    vip_clv: Decimal = Decimal("500")  # a VIP's lifetime value is over this …
    vip_clv_by_currency: dict[str, Decimal] = field(default_factory=dict)
    vip_orders: int = 3  # … and they placed more than this many orders in the 365 days before
    decision_hours: float = 6.0  # the target: a person decides within this after sellerops saw it
    escalate_every_hours: float = 24.0
    german_register: str = "de-formal"  # the care script's register for German marketplaces
    return_address: str | None = None  # the seller's return address, printed on every label
    spike_margin: Decimal = Decimal("5")  # points over the SKU's own baseline that make a spike
    spike_min_units: int = 20  # units shipped in the week, at least, for a rate to count
    baseline_weeks: int = 8

    def __post_init__(self) -> None:
        if self.german_register not in REGISTERS:
            raise ValueError(f"german_register: expected one of {', '.join(REGISTERS)}, found {self.german_register!r}")

    def limit(self, currency: str | None) -> Decimal:
        return Decimal(self.auto_authorize_max_by_currency.get(currency or "", self.auto_authorize_max))

    def vip_threshold(self, currency: str | None) -> Decimal:
        return Decimal(self.vip_clv_by_currency.get(currency or "", self.vip_clv))

    def with_overrides(self, **values) -> "Policy":
        """A copy with the given fields set (None leaves a field's default)."""
        given = {k: v for k, v in values.items() if v is not None}
        for k in ("auto_authorize_max", "vip_clv", "spike_margin"):
            if k in given:
                given[k] = Decimal(str(given[k]))
        for k in ("auto_authorize_max_by_currency", "vip_clv_by_currency"):
            if k in given:
                given[k] = {c.upper(): Decimal(str(v)) for c, v in given[k].items()}
        if "review_reasons" in given:
            given["review_reasons"] = frozenset(given["review_reasons"])
        return dataclasses.replace(self, **given)
