"""The night's summary: what the board shows after a reconciliation, as data, and its markdown.

Between the run (`sellerops.reconciliation.runs`, whose `ReconcileOutcome` says what changed) and the
publishing task (`tasks/board.py`, which turns this into Prefect artifacts and an alert). Pure: no
database, no Prefect — the flow hands in the open findings it read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from sellerops.findings.store import at_stake_by_kind, money_text, totals_by_currency

LARGEST = 10  # the board's "ten largest open findings"


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
    quarantined: list[dict] = field(default_factory=list)  # tonight's quarantined files: path, reason, copy
    loaded: int = 0  # tonight's new files that loaded
    lost: dict[str, Decimal] = field(default_factory=dict)  # currency → money in expired findings
    lost_count: int = 0

    @property
    def state_name(self) -> str:
        """The run's final state as the board shows it: a night that quarantined a file says so."""
        return "Completed with quarantined files" if self.quarantined else "Completed"

    @property
    def at_stake_new(self) -> Decimal:
        return sum((Decimal(f["amount"]) for f in self.new), Decimal("0"))

    def worth_alert(self, threshold: Decimal) -> bool:
        """New findings, and enough money in them to wake someone."""
        return bool(self.new) and self.at_stake_new >= threshold

    def as_dict(self) -> dict:
        """What the nightly flow returns."""
        return {"headline": self.headline, "open": self.open, "new": len(self.new), "resolved": self.resolved,
                "at_stake": {c: str(v) for c, v in self.at_stake.items()}, "skipped": self.skipped,
                "quarantined": [q["path"] for q in self.quarantined],
                "lost": {c: str(v) for c, v in self.lost.items()}}


def night_summary(outcome, open_findings: list[dict], fresh_files: int, quarantined: list[dict] = (),
                  loaded: int | None = None, expired: list[dict] = ()) -> NightSummary:
    """The summary of a run (`ReconcileOutcome`) given the open findings after it (as JSON objects),
    tonight's quarantined files (ingestion outcomes) and the expired findings (money lost)."""
    changed = set(outcome.new) | set(outcome.reopened)
    new = [f for f in open_findings if f["id"] in changed]
    by_kind = at_stake_by_kind(open_findings)
    totals: dict[str, Decimal] = {}
    for (_, cur), (_, amount) in by_kind.items():
        totals[cur] = totals.get(cur, Decimal("0")) + amount
    money = ", ".join(f"{v} {c}" for c, v in sorted(totals.items())) or "0.00"
    headline = (f"{len(open_findings)} open findings, {money} at stake; {len(new)} new, "
                f"{len(outcome.resolved)} resolved")
    if expired:
        headline += f"; {len(expired)} lost (claim window closed unclaimed: {money_text(totals_by_currency(expired))})"
    if quarantined:
        headline = f"{len(quarantined)} file{'s' if len(quarantined) != 1 else ''} quarantined; {headline}"
    largest = sorted(open_findings, key=lambda f: Decimal(f["amount"]), reverse=True)[:LARGEST]
    return NightSummary(headline=headline, skipped=outcome.skipped, open=len(open_findings), at_stake=totals,
                        by_kind=by_kind, largest=largest, new=new, resolved=len(outcome.resolved),
                        reopened=len(outcome.reopened), settlements_checked=outcome.settlements_checked,
                        as_of=dict(outcome.as_of), fresh_files=fresh_files, quarantined=list(quarantined),
                        loaded=fresh_files - len(quarantined) if loaded is None else loaded,
                        lost=totals_by_currency(expired), lost_count=len(expired))


def render_markdown(s: NightSummary) -> str:
    """The board's markdown artifact."""
    md = ["# Nightly reconciliation", "", f"**{s.headline}**", ""]
    if s.quarantined:  # first: a file that did not load is tonight's most urgent news
        md += [f"## Quarantined tonight: {len(s.quarantined)} file{'s' if len(s.quarantined) != 1 else ''}", "",
               "Nothing of these files was loaded; fix or replace them and drop them in the inbox again.", "",
               "| file | reason | copy and reason.json |", "|---|---|---|"]
        for q in s.quarantined:
            md.append(f"| {_cell(q['path'])} | {_cell(q.get('reason') or '')} | {_cell(q.get('copy') or '—')} |")
        md.append("")
    if s.skipped:
        md += [("_No new report arrived since the last run: nothing was recomputed._" if not s.fresh_files else
                f"_None of tonight's {s.fresh_files} new files loaded: nothing was recomputed._"), ""]
    md += ["## Money at stake by kind", "", "| kind | currency | findings | amount |", "|---|---|---:|---:|"]
    for (kind, cur), (n, amount) in s.by_kind.items():
        md.append(f"| {kind} | {cur} | {n} | {amount} |")
    if s.lost_count:
        md += ["", f"Lost (claim window closed, never claimed): {s.lost_count} findings, {money_text(s.lost)}; "
                   "not counted as at stake."]
    md += ["", "## Ten largest open findings", "", "| kind | subject | amount | detail |", "|---|---|---:|---|"]
    for f in s.largest:
        md.append(f"| {f['kind']} | {_cell(_subject(f))} | {f['amount']} {f['currency']} | {_cell(f['detail'])} |")
    md += ["", f"New since the last run: {len(s.new)}; resolved: {s.resolved}; reopened: {s.reopened}.", "",
           f"Settlements checked: {s.settlements_checked}; as of: "
           + (", ".join(f"{k} {v}" for k, v in s.as_of.items()) or "unchanged"),
           "", f"Report files new tonight: {s.fresh_files}"
           + (f" ({s.loaded} loaded, {len(s.quarantined)} quarantined)" if s.quarantined else "")]
    return "\n".join(md) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell (a pipe would end the cell)."""
    return str(text).replace("|", "/").replace("\n", " ")


def seller_zone() -> ZoneInfo:
    from sellerops.core.config import seller_timezone

    return ZoneInfo(seller_timezone())


def _local(iso: str | None, zone: ZoneInfo) -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _subject(f: dict) -> str:
    return " / ".join(x for x in (f.get("settlement_id"), f.get("shipment_id"), f.get("order_id"), f.get("sku")) if x)


def open_findings_markdown(open_findings: list[dict], today: dt.date | None = None,
                           zone: ZoneInfo | None = None) -> str:
    """The open findings as a seller reads them on the board: the soonest claim deadline first with
    the days left, amounts right-aligned with their currency, a total per currency, the finding's id,
    and times in the seller's time zone."""
    zone = zone or seller_zone()
    today = today or dt.datetime.now(dt.timezone.utc).date()
    ordered = sorted(open_findings, key=lambda f: (f.get("claim_window_closes") or "9999-12-31",
                                                   -Decimal(f["amount"]), f["id"]))
    tz = getattr(zone, "key", str(zone))
    md = [f"# Open findings: {len(ordered)}", "",
          f"| deadline | days left | amount | kind | subject | id | first seen ({tz}) | detail |",
          "|---|---:|---:|---|---|---|---|---|"]
    for f in ordered:
        closes = f.get("claim_window_closes")
        left = (dt.date.fromisoformat(closes) - today).days if closes else None
        md.append(f"| {closes or '—'} | {'' if left is None else left} | {f['amount']} {f['currency']} | {f['kind']} "
                  f"| {_cell(_subject(f))} | {f['id'][:10]} | {_local(f.get('first_seen'), zone)} "
                  f"| {_cell(f['detail'])} |")
    for cur, total in totals_by_currency(ordered).items():
        md.append(f"| **Total** | | **{total} {cur}** | | | | | |")
    return "\n".join(md) + "\n"


def validation_markdown(s: NightSummary) -> str:
    """What tonight's checkpoints refused, where (file, line and column), and where the copies are."""
    md = ["# Tonight's validation", ""]
    if not s.quarantined:
        return "\n".join(md + [f"Every new file passed its checks ({s.fresh_files} new tonight)."]) + "\n"
    md += [f"{len(s.quarantined)} of {s.fresh_files} new files failed their checks and were quarantined; "
           f"{s.loaded} loaded.", "", "| file | where and why | copy |", "|---|---|---|"]
    for q in s.quarantined:
        md.append(f"| {_cell(q['path'])} | {_cell(q.get('reason') or '')} | {_cell(q.get('copy') or '—')} |")
    return "\n".join(md) + "\n"
