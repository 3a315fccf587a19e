"""The takedown's steps as one call each, in a transaction of their own: what tasks/incidents.py wraps.

Each function opens a session on the configured database, calls `sellerops.incidents` and commits,
taking and returning plain values (ids, dicts) that a Prefect task can pass between runs. The
forms a tier's run shows in the UI are described here as plain fields (flows/takedown.py turns them
into RunInput classes), so the CLI and the UI record the same answer the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from sellerops import decisions, incidents
from sellerops.incidents.tiers import TIERS
from sellerops.storage.engine import session


def open_takedown(*, account: str, marketplace: str, sku: str, asin: str | None, reason: str,
                  complaint_id: str | None = None, rights_owner: str | None = None,
                  hours: incidents.Hours | None = None, chain_tail: list[str] | None = None,
                  run_id: str | None = None, waiting: bool = False, now: dt.datetime | None = None) -> dict:
    """Open (or find) the listing's incident; the run serving it is linked when it has none yet."""
    with session() as s:
        kw = {"chain_tail": chain_tail} if chain_tail else {}
        o = incidents.open_incident(s, account=account, marketplace=marketplace, sku=sku, asin=asin, reason=reason,
                                    complaint_id=complaint_id, rights_owner=rights_owner, hours=hours, now=now,
                                    waiting=waiting, **kw)
        if run_id and not o.incident.run_id:
            o.incident.run_id = run_id
            s.add(o.incident)
        s.commit()
        tiers = {}
        for n in TIERS:
            t, d = incidents.tier_of(s, o.incident, n)
            tiers[n] = {"state": d.state, "run_id": t.run_id}
        return {"incident": o.id, "created": o.created, "run_id": o.incident.run_id, "tiers": tiers}


def tier_status(incident: str, tier: int, run_id: str | None = None, now: dt.datetime | None = None) -> dict:
    """Mark the tier waiting (linking the run that waits, when given) and say where it stands:
    `settled` once it is answered or its incident closed; `initial` pre-fills the UI's form."""
    with session() as s:
        inc = incidents.get(s, incident)
        t = incidents.mark_waiting(s, inc, tier, run_id=run_id, now=now) if inc.status == "open" else \
            incidents.tier_of(s, inc, tier)[0]
        s.commit()
        _, d = incidents.tier_of(s, inc, tier)
        initial = {1: {"poa_markdown": t.poa_markdown or ""},
                   2: {},
                   3: {"backup_sku": t.backup_proposed or incidents.backup_for(s, inc.account, inc.marketplace,
                                                                               inc.sku)}}[tier]
        return {"incident": incident, "tier": tier, "state": d.state, "incident_status": inc.status,
                "settled": inc.status != "open" or d.state == "done", "deadline": d.deadline.isoformat(),
                "initial": initial}


def record_form_answer(incident: str, tier: int, form: dict, now: dt.datetime | None = None) -> str:
    """Record what a person submitted in a tier's form: `answered`, `already` (answered on the other
    side first) or `incomplete` (the form was sent without approving or confirming)."""
    yes = {"yes": True, "no": False, None: None}
    by = form.get("by") or "ui"
    with session() as s:
        inc = incidents.get(s, incident)
        _, d = incidents.tier_of(s, inc, tier)
        if d.state == "done" or inc.status != "open":
            return "already"
        if (tier == 1 and not form.get("approve")) or (tier == 3 and not form.get("confirm")):
            return "incomplete"
        incidents.answer_tier(s, inc, tier, by=by, now=now, approve=bool(form.get("approve")),
                              text=form.get("poa_markdown") or None, decision=form.get("decision"),
                              complaint_valid=yes[form.get("complaint_valid")],
                              evidence_complete=yes[form.get("evidence_complete")],
                              confirm=bool(form.get("confirm")), backup_sku=form.get("backup_sku") or None)
        s.commit()
        return "answered"


def answered_form(incident: str, tier: int) -> dict:
    """A tier's recorded answer in its form's fields: what the CLI hands a run it wakes."""
    with session() as s:
        inc = incidents.get(s, incident)
        t, d = incidents.tier_of(s, inc, tier)

        def yn(v):
            return None if v is None else ("yes" if v else "no")

        by = d.answered_by
        return {1: {"approve": d.state == "done", "poa_markdown": t.poa_markdown or "", "by": by},
                2: {"decision": t.legal_decision or "appeal", "complaint_valid": yn(t.complaint_valid),
                    "evidence_complete": yn(t.evidence_complete), "by": by},
                3: {"confirm": d.state == "done", "backup_sku": t.backup_sku, "by": by}}[tier]


def link_tier_run(incident: str, tier: int, run_id: str) -> None:
    with session() as s:
        t, _ = incidents.tier_of(s, incidents.get(s, incident), tier)
        t.run_id = run_id
        s.add(t)
        s.commit()


def timeline_markdown(incident: str) -> str:
    with session() as s:
        return incidents.timeline_markdown(s, incidents.get(s, incident))


def incident_summary(incident: str) -> dict:
    with session() as s:
        return incidents.incident_json(s, incidents.get(s, incident))


def sweep_deadlines(now: dt.datetime | None = None,
                    notify: Optional[Callable[[str, str, str], None]] = None) -> dict:
    """One deadline sweep over every decision owed; returns what it escalated."""
    with session() as s:
        swept = decisions.sweep(s, now=now, notify=notify)
        return {"now": swept.now.isoformat(), "breached": swept.breached, "escalations": swept.escalations}



def open_incident_for(account: str, marketplace: str, sku: str) -> str | None:
    """The listing's open incident id, if it has one."""
    with session() as s:
        probe = incidents.Incident(account=account, marketplace=marketplace, sku=sku, reason="", status="open",
                                   opened_at=decisions.utc_now())
        found = incidents.open_listing_incident(s, probe)
        return incidents.incident_id(found.id) if found else None


def open_listings(account: str) -> list[dict]:
    """The listings of the account's open incidents: what listing-watch asks Amazon's status of."""
    with session() as s:
        return [{"incident": incidents.incident_id(i.id), "marketplace": i.marketplace, "sku": i.sku}
                for i in incidents.list_incidents(s, "open") if i.account == account]


def poll_listing_status(source, skus: list[str]) -> tuple[list[dict], dict[str, str]]:
    """Each SKU's Listings Items record from the Amazon source, one SKU at a time so one listing
    Amazon refuses (gone, no access) does not hide the others: (records, {sku: why not read})."""
    from sellerops.amazon.source import SourceError, SourceUnreachable

    records, failed = [], {}
    for sku in skus:
        try:
            records += source.listing_status([sku])
        except SourceUnreachable:
            raise  # every other SKU would fail the same way
        except SourceError as exc:
            failed[sku] = str(exc)
    return records, failed


def listing_status_seen(account: str, records: list[dict], now: dt.datetime | None = None) -> list[dict]:
    """What a listing-status poll read, applied to the account's open incidents: each whose listing
    is BUYABLE again after an appeal or a retraction closes as reinstated. Returns the closed ones
    with the tier runs still waiting for them (to be woken: they read that it is closed and end)."""
    from sellerops.core.marketplaces import marketplace
    from sellerops.incidents.watch import buyable_in

    by_sku: dict[str, list[dict]] = {}
    for r in records:
        by_sku.setdefault(str(r.get("sku")), []).append(r)
    closed = []
    with session() as s:
        for inc in incidents.list_incidents(s, "open"):
            if inc.account != account:
                continue
            where = marketplace(inc.marketplace).id or None
            if not any(buyable_in(r, where) for r in by_sku.get(inc.sku, [])):
                continue
            if incidents.listing_buyable(s, account, inc.marketplace, inc.sku, now=now) is not None:
                closed.append({"incident": incidents.incident_id(inc.id), "sku": inc.sku,
                               "marketplace": inc.marketplace,
                               "waiting_runs": [t.run_id for t in incidents.tiers_waiting_in_runs(s, inc)]})
        s.commit()
    return closed


def suppressed_alerts(paths: list[str], marketplace: str, account: str) -> list[dict]:
    """The takedown alerts in the suppressed-listings reports under `paths`: one per listing not
    already in an open incident, as the event each becomes."""
    from pathlib import Path

    from sellerops.ingest import discover
    from sellerops.incidents.watch import is_suppressed_report, read_suppressed

    alerts: dict[str, dict] = {}
    for path in discover([Path(p) for p in paths]):
        data = path.read_bytes()
        if not is_suppressed_report(data):
            continue
        for row in read_suppressed(path, data):
            if row.sku in alerts or open_incident_for(account, marketplace, row.sku):
                continue
            alerts[row.sku] = {"resource": row.resource(marketplace, account),
                               "request": row.takedown_request(marketplace, account),
                               "source": f"{path}:{row.line}"}
    return list(alerts.values())
