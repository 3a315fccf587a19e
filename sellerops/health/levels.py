"""The account-health thresholds and the level function: which of ok, notice, warning, critical a value is.

The rules of the account-health watch (sellerops.health.watch) as plain data and arithmetic: one
`Rule` per signal with its boundaries — each an inequality exactly as the seller's risk rules write
it (≥ for the rates Amazon caps, > for days, < for rates that must stay high) — and the hysteresis
margin in the value's own units. Every number here is a default; the `HealthPolicy` block overrides
them (`Thresholds.with_overrides`). Values and thresholds are Decimals, compared as decimals; a
`Decimal("Infinity")` (days of cover with stock and nothing shipped) compares like any other value.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Mapping

LEVELS = ("ok", "notice", "warning", "critical")
RANK = {name: i for i, name in enumerate(LEVELS)}
OPS = {">=": operator.ge, ">": operator.gt, "<": operator.lt}
SYMBOL = {">=": "≥", ">": ">", "<": "<"}


class PolicyError(ValueError):
    """A threshold override that cannot be used: says which signal, level or value and why."""


@dataclass(frozen=True)
class Boundary:
    """`level` holds when `value op threshold` (e.g. warning when value ≥ 0.04)."""

    level: str
    op: str
    threshold: Decimal

    def holds(self, value: Decimal) -> bool:
        return OPS[self.op](value, self.threshold)

    def clearance(self, value: Decimal) -> Decimal:
        """How far `value` is on the good side of the boundary, in the value's units (negative: on the bad side)."""
        return value - self.threshold if self.op == "<" else self.threshold - value

    def text(self) -> str:
        return f"{SYMBOL[self.op]} {self.threshold}"


@dataclass(frozen=True)
class Rule:
    """One signal's boundaries (lowest level first), its hysteresis margin and its unit.

    `magnitude`: the boundaries judge abs(value) (a supplier early by 4 days is as late as one late
    by 4: both break the plan), while the value itself keeps its sign.
    """

    signal: str
    boundaries: tuple[Boundary, ...]
    margin: Decimal
    unit: str  # "fraction", "days", "count"
    magnitude: bool = False

    def judged(self, value: Decimal) -> Decimal:
        return abs(value) if self.magnitude else value

    def boundary(self, level: str) -> Boundary | None:
        return next((b for b in self.boundaries if b.level == level), None)

    def raw_level(self, value: Decimal) -> str:
        """The level the value alone is at: the highest whose inequality holds."""
        v = self.judged(value)
        held = [b.level for b in self.boundaries if b.holds(v)]
        return max(held, key=RANK.__getitem__, default="ok")

    def below(self, level: str) -> str:
        """The next level down this rule knows (ok at the bottom)."""
        lower = [b.level for b in self.boundaries if RANK[b.level] < RANK[level]]
        return max(lower, key=RANK.__getitem__, default="ok")

    def target(self) -> Boundary:
        """The boundary a value must be on the good side of to be ok."""
        return min(self.boundaries, key=lambda b: RANK[b.level])


def level(rule: Rule, value: Decimal, previous: str = "ok") -> str:
    """The level of `value` given the level it was at.

    Moving up happens at once. Moving down crosses a boundary only when the value is better than it
    by at least the rule's margin, one boundary at a time: a value that clears one boundary by the
    margin but not the next drops one level, and a value sitting on a boundary stays where it was.
    """
    if previous not in RANK:
        raise ValueError(f"previous level {previous!r}: expected one of {', '.join(LEVELS)}")
    raw = rule.raw_level(value)
    # a previous level this rule does not know (its thresholds changed): start from the one below it
    current = previous if previous == "ok" or rule.boundary(previous) else rule.below(previous)
    v = rule.judged(value)
    while RANK[current] > RANK[raw]:
        if rule.boundary(current).clearance(v) < rule.margin:
            break
        current = rule.below(current)
    return max(current, raw, key=RANK.__getitem__)


def _b(level_: str, op: str, threshold: str) -> Boundary:
    return Boundary(level_, op, Decimal(threshold))


RATE_MARGIN = Decimal("0.001")  # 0.1 percentage point, as a fraction

DEFAULT_RULES: dict[str, Rule] = {r.signal: r for r in (
    Rule("odr", (_b("notice", ">=", "0.008"), _b("warning", ">=", "0.01"), _b("critical", ">=", "0.011")),
         RATE_MARGIN, "fraction"),
    Rule("inventory_accuracy", (_b("warning", "<", "0.99"), _b("critical", "<", "0.98")), RATE_MARGIN, "fraction"),
    Rule("supplier_lead_time", (_b("warning", ">", "2"), _b("critical", ">", "3")), Decimal("0.25"), "days",
         magnitude=True),
    Rule("inventory_turnover", (_b("warning", ">", "35"), _b("critical", ">", "45")), Decimal("2"), "days"),
    Rule("ad_conversion", (_b("warning", "<", "0.10"), _b("critical", "<", "0.08")), Decimal("0.005"), "fraction"),
    Rule("late_shipment_rate", (_b("warning", ">=", "0.04"), _b("critical", ">=", "0.044")), RATE_MARGIN,
         "fraction"),
    Rule("cancel_rate", (_b("warning", ">=", "0.025"), _b("critical", ">=", "0.0275")), RATE_MARGIN, "fraction"),
    Rule("valid_tracking_rate", (_b("warning", "<", "0.95"), _b("critical", "<", "0.855")), RATE_MARGIN,
         "fraction"),
    # the value is the increase over the report before; no margin: the next report with no increase resolves it
    Rule("ip_complaints", (_b("warning", ">", "0"),), Decimal("0"), "count"),
)}
SIGNALS = tuple(DEFAULT_RULES)


@dataclass(frozen=True)
class Thresholds:
    """Every signal's rule; `with_overrides` takes the HealthPolicy block's settings."""

    rules: Mapping[str, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))

    def __getitem__(self, signal: str) -> Rule:
        try:
            return self.rules[signal]
        except KeyError:
            raise PolicyError(f"unknown signal {signal!r}: expected one of {', '.join(self.rules)}") from None

    def with_overrides(self, thresholds: Mapping[str, Mapping[str, object]] | None = None,
                       margins: Mapping[str, object] | None = None) -> "Thresholds":
        """New thresholds: `thresholds` {signal: {level: number}} moves boundaries (their inequality
        stays the rule's), `margins` {signal: number} the hysteresis margins."""
        rules = dict(self.rules)
        for signal, levels in (thresholds or {}).items():
            rule = self[signal]
            bounds = {b.level: b for b in rule.boundaries}
            for name, value in levels.items():
                if name not in bounds:
                    raise PolicyError(f"{signal}: no {name!r} level (it has {', '.join(bounds)})")
                bounds[name] = replace(bounds[name], threshold=_decimal(value, f"{signal}.{name}"))
            rules[signal] = _checked(replace(rule, boundaries=tuple(bounds[b.level] for b in rule.boundaries)))
        for signal, value in (margins or {}).items():
            margin = _decimal(value, f"{signal} margin")
            if margin < 0:
                raise PolicyError(f"{signal} margin {value}: expected zero or more")
            self[signal]  # names an unknown signal
            rules[signal] = replace(rules[signal], margin=margin)
        return Thresholds(rules)


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, float):  # through its text: 0.01 stays 0.01, not its binary neighbour
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise PolicyError(f"{where}: {value!r} is not a number") from None
    if not d.is_finite():
        raise PolicyError(f"{where}: {value!r} is not a finite number")
    return d


def _checked(rule: Rule) -> Rule:
    """Boundaries must get stricter with the level, or a value could be critical and not warning."""
    ts = [b.threshold for b in rule.boundaries]
    worse_is_higher = rule.boundaries[0].op != "<"
    ordered = all((a < b) if worse_is_higher else (a > b) for a, b in zip(ts, ts[1:]))
    if not ordered:
        raise PolicyError(f"{rule.signal}: thresholds {', '.join(b.level + ' ' + b.text() for b in rule.boundaries)} "
                          f"must get stricter from the lowest level to critical")
    return rule
