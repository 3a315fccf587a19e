"""The night's summary: what the board shows after a reconciliation, as data, and its markdown.

Between the run (`sellerops.reconciliation.runs`, whose `ReconcileOutcome` says what changed) and the
publishing task (`tasks/board.py`, which turns this into Prefect artifacts and an alert). Pure: no
database, no Prefect — the flow hands in the open findings it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sellerops.findings.store import at_stake_by_kind

LARGEST = 10  # the board's "ten largest open findings"
TABLE_COLUMNS = ("kind", "settlement_id", "order_id", "sku", "amount", "currency", "detail",
                 "claim_window_closes", "first_seen")


@dataclass(frozen=True)
class NightSummary:
    headline: str
    skipped: bool
    open: int
    at_stake: dict[str, Decimal]  # currency → money at stake in the open findings
    by_kind: dict[tuple[str, str], tuple[int, Decimal]]  # (kind, currency) → (findings, money)
    largest: list[dict]
    new: list[dict]  # open findings new or reopened in this run
    resolved: int
    reopened: int
    settlements_checked: int
    as_of: dict[str, str]  # "marketplace currency" → as-of date used
    fresh_files: int

    @property
    def at_stake_new(self) -> Decimal:
        return sum((Decimal(f["amount"]) for f in self.new), Decimal("0"))

    def worth_alert(self, threshold: Decimal) -> bool:
        """New findings, and enough money in them to wake someone."""
        return bool(self.new) and self.at_stake_new >= threshold

    def as_dict(self) -> dict:
        """What the nightly flow returns."""
        return {"headline": self.headline, "open": self.open, "new": len(self.new), "resolved": self.resolved,
                "at_stake": {c: str(v) for c, v in self.at_stake.items()}, "skipped": self.skipped}


def night_summary(outcome, open_findings: list[dict], fresh_files: int) -> NightSummary:
    """The summary of a run (`ReconcileOutcome`) given the open findings after it (as JSON objects)."""
    changed = set(outcome.new) | set(outcome.reopened)
    new = [f for f in open_findings if f["id"] in changed]
    by_kind = at_stake_by_kind(open_findings)
    totals: dict[str, Decimal] = {}
    for (_, cur), (_, amount) in by_kind.items():
        totals[cur] = totals.get(cur, Decimal("0")) + amount
    money = ", ".join(f"{v} {c}" for c, v in sorted(totals.items())) or "0.00"
    headline = (f"{len(open_findings)} open findings, {money} at stake; {len(new)} new, "
                f"{len(outcome.resolved)} resolved")
    largest = sorted(open_findings, key=lambda f: Decimal(f["amount"]), reverse=True)[:LARGEST]
    return NightSummary(headline=headline, skipped=outcome.skipped, open=len(open_findings), at_stake=totals,
                        by_kind=by_kind, largest=largest, new=new, resolved=len(outcome.resolved),
                        reopened=len(outcome.reopened), settlements_checked=outcome.settlements_checked,
                        as_of=dict(outcome.as_of), fresh_files=fresh_files)


def render_markdown(s: NightSummary) -> str:
    """The board's markdown artifact."""
    md = ["# Nightly reconciliation", "", f"**{s.headline}**", ""]
    if s.skipped:
        md += ["_No new report arrived since the last run: nothing was recomputed._", ""]
    md += ["## Money at stake by kind", "", "| kind | currency | findings | amount |", "|---|---|---:|---:|"]
    for (kind, cur), (n, amount) in s.by_kind.items():
        md.append(f"| {kind} | {cur} | {n} | {amount} |")
    md += ["", "## Ten largest open findings", "", "| kind | subject | amount | detail |", "|---|---|---:|---|"]
    for f in s.largest:
        subject = " / ".join(x for x in (f["settlement_id"], f["order_id"], f["sku"]) if x)
        # a pipe in the detail would end the markdown table's cell
        md.append(f"| {f['kind']} | {subject} | {f['amount']} {f['currency']} | {f['detail'].replace('|', '/')} |")
    md += ["", f"New since the last run: {len(s.new)}; resolved: {s.resolved}; reopened: {s.reopened}.", "",
           f"Settlements checked: {s.settlements_checked}; as of: "
           + (", ".join(f"{k} {v}" for k, v in s.as_of.items()) or "unchanged"),
           "", f"Report files new tonight: {s.fresh_files}"]
    return "\n".join(md) + "\n"


def table_rows(open_findings: list[dict]) -> list[dict]:
    """The open findings as the board's table artifact shows them."""
    return [{k: f[k] for k in TABLE_COLUMNS} for f in open_findings]
