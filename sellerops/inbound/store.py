"""The inbound procedure and the database: saved responses loaded, shipments tracked, findings stored.

`ingest_response` is what `sellerops ingest` does with a saved SP-API response (known, duplicate,
quarantined or loaded, recorded in `report_file` like any report). `track` replays the observations
in the order they were loaded into shipments and node events (nothing when no response arrived
since the last run), evaluates them and stores the findings with procedure `inbound`. No Prefect
here: tasks/inbound.py wraps these functions.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sellerops.core.config import Settings, settings
from sellerops.inbound import PROCEDURE
from sellerops.inbound.evaluate import (LOST_INBOUND, Context, Evaluation, Item, OrderPrice, Prices,
                                        Reimbursed, evaluate)
from sellerops.inbound.nodes import RECONCILED, Policy
from sellerops.inbound.responses import ResponseError, SavedResponse, read
from sellerops.inbound.track import Observation, Shipment, Transition, advance
from sellerops.storage import inbound as t
from sellerops.storage import tables
from sellerops.storage.engine import get_engine

OBS_FIELDS = ("observed_at", "node", "api_version", "marketplace_id", "shipment_id", "draft_id", "plan_id",
              "destination_fc", "status")


@dataclass(frozen=True)
class _Kind:
    """What ingestion records as a file's report type, for a saved response."""

    report_type: str


def _marketplace(marketplace_id: str | None):
    from sellerops.core.marketplaces import SITE_BY_ID, marketplace

    site = SITE_BY_ID.get(marketplace_id or "")
    return marketplace(site) if site else None


def ingest_response(path: Path, data: bytes, digest: str, s: Settings):
    """Load one saved SP-API response file: duplicate, quarantined with its reason, or loaded."""
    from sellerops.ingest.decide import duplicate_of
    from sellerops.ingest.outcome import LOADED, Outcome, content_seen, record_file
    from sellerops.ingest.prepare import Detected
    from sellerops.ingest.quarantine import quarantine

    try:
        resp, problems = read(path, data), []
    except ResponseError as exc:
        resp, problems = None, [str(exc)]
    kind = _Kind(resp.report_type if resp else None) if resp else None
    d = Detected(path, digest, None, kind, _marketplace(resp.marketplace_id) if resp else None)
    if (first := content_seen(digest)) is not None:
        return duplicate_of(d, first, s)
    if resp is None:
        return quarantine(d, problems, s)
    rows = len(resp.observations) + len(resp.items)
    with get_engine(s.database_url).begin() as conn:
        fid = record_file(conn, s, d, LOADED, rows=rows)
        _load(conn, s.account, fid, resp)
    return Outcome(str(path), digest, resp.report_type, LOADED, rows=rows)


def _load(conn, account: str, fid: int, resp: SavedResponse) -> None:
    import pandas as pd

    from sellerops.storage.bulk import upsert

    rid = conn.execute(t.InboundResponse.__table__.insert().values(
        account=account, marketplace_id=resp.marketplace_id, report_file_id=fid, observed_at=resp.observed_at,
        operation=resp.operation, api_version=resp.api_version, plan_id=resp.plan_id,
        shipment_ref=resp.shipment_ref, body=json.dumps(resp.body, separators=(",", ":")))).inserted_primary_key[0]
    if resp.observations:
        conn.execute(t.InboundObservation.__table__.insert(), [
            dict({f: getattr(o, f) for f in OBS_FIELDS}, account=account, response_id=rid, position=i)
            for i, o in enumerate(resp.observations)])
    if resp.items:
        latest = {(i.shipment_ref, i.sku): i for i in resp.items}  # a SKU listed twice: the later line
        frame = pd.DataFrame([dict(account=account, shipment_ref=i.shipment_ref, sku=i.sku, api_version=i.api_version,
                                   fnsku=i.fnsku, quantity_shipped=i.shipped, quantity_received=i.received,
                                   quantity_in_case=i.in_case, observed_at=resp.observed_at, response_id=rid)
                              for i in latest.values()])
        frame = frame.astype({"quantity_received": "Int64", "quantity_in_case": "Int64"})
        upsert(conn, t.InboundItem.__table__, frame, ("account", "shipment_ref", "sku", "api_version"), "observed_at")


# ---- tracking ---------------------------------------------------------------------------------------

@dataclass
class TrackResult:
    shipments: dict[str, Shipment]
    transitions: list[Transition]
    evaluation: Evaluation | None  # None when the run was skipped: the last run's findings stand
    data_version: int
    recomputed: bool
    new: list[str]
    resolved: list[str]
    skipped: str | None = None  # why nothing was evaluated ("no new data …"), else None


def data_version(conn, account: str) -> int:
    r = t.InboundResponse.__table__
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(r.c.id), 0))
                            .where(r.c.account == account)).scalar_one())


def _observations(conn, account: str) -> list[Observation]:
    o = t.InboundObservation.__table__
    q = sa.select(*[o.c[f] for f in OBS_FIELDS]).where(o.c.account == account).order_by(o.c.response_id, o.c.position)
    return [Observation(**row._mapping) for row in conn.execute(q)]


def _stored_shipments(conn, account: str) -> dict[str, Shipment]:
    s, e = t.InboundShipment.__table__, t.InboundNodeEvent.__table__
    out = {}
    for r in conn.execute(sa.select(s).where(s.c.account == account)):
        out[r.shipment_id] = Shipment(r.shipment_id, r.api_version, r.node, r.entered_at, r.last_observed_at,
                                      r.first_observed_at, r.marketplace_id, r.plan_id, r.destination_fc, r.status,
                                      r.reached)
    for r in conn.execute(sa.select(e.c.shipment_id, e.c.node, e.c.entered_at).where(e.c.account == account)):
        if r.shipment_id in out:
            out[r.shipment_id].entered[r.node] = r.entered_at
    return out


def _replay(conn, account: str, now: dt.datetime) -> tuple[dict[str, Shipment], list[Transition]]:
    """Every observation again, in load order; the node events not recorded yet are the new transitions."""
    shipments = current_shipments(conn, account)  # data changed since the last run: a replay
    s, e = t.InboundShipment.__table__, t.InboundNodeEvent.__table__
    recorded = {(r.shipment_id, r.node): r.recorded_at
                for r in conn.execute(sa.select(e.c.shipment_id, e.c.node, e.c.recorded_at).where(e.c.account == account))}
    conn.execute(s.delete().where(s.c.account == account))
    # reconciled is the evaluation's node, not a poll's: its events stay (see `_record_reconciled`)
    conn.execute(e.delete().where(e.c.account == account, e.c.node != RECONCILED.name))
    if shipments:
        conn.execute(s.insert(), [dict(account=account, shipment_id=x.shipment_id, api_version=x.api_version,
                                       marketplace_id=x.marketplace_id, plan_id=x.plan_id,
                                       destination_fc=x.destination_fc, node=x.node, status=x.status,
                                       entered_at=x.entered_at, first_observed_at=x.first_observed_at,
                                       last_observed_at=x.last_observed_at, reached=x.reached)
                                  for x in shipments.values()])
    events, new = [], []
    for x in shipments.values():
        for node, at in x.entered.items():
            if node == RECONCILED.name:
                continue
            key = (x.shipment_id, node)
            events.append(dict(account=account, shipment_id=x.shipment_id, node=node, entered_at=at,
                               recorded_at=recorded.get(key, now)))
            if key not in recorded:
                new.append(Transition(x.shipment_id, node, at, x.last_observed_at))
    if events:
        conn.execute(e.insert(), events)
    return shipments, new


def _items(conn, account: str, shipments: dict[str, Shipment]) -> list[Item]:
    """Each shipment's SKUs: shipped and received from v0 (Amazon keeps it for both generations),
    shipped from 2024-03-20 while v0 has not listed the SKU."""
    o, i = t.InboundObservation.__table__, t.InboundItem.__table__
    rf, r = tables.ReportFile.__table__, t.InboundResponse.__table__
    aliases = {r.draft_id: r.shipment_id for r in conn.execute(
        sa.select(o.c.draft_id, o.c.shipment_id).distinct()
        .where(o.c.account == account, o.c.draft_id.is_not(None), o.c.shipment_id.is_not(None)))}
    q = (sa.select(i, rf.c.path, r.c.operation).join(r, r.c.id == i.c.response_id).join(rf, rf.c.id == r.c.report_file_id)
         .where(i.c.account == account).order_by(i.c.api_version))  # "2024-03-20" < "v0": v0 read last, so it wins
    by_key: dict[tuple[str, str], Item] = {}
    for row in conn.execute(q):
        sid = aliases.get(row.shipment_ref, row.shipment_ref)
        if sid not in shipments:
            continue
        evidence = {"file": row.path, "line": None, "values": {
            "operation": row.operation, "observed_at": row.observed_at.isoformat(), "sku": row.sku, "fnsku": row.fnsku,
            "shipped": row.quantity_shipped, "received": row.quantity_received}}
        by_key[(sid, row.sku)] = Item(sid, row.sku, row.fnsku, row.quantity_shipped, row.quantity_received, evidence)
    return list(by_key.values())


def _context(conn, account: str, now: dt.datetime, policy: Policy, skus: set[str]) -> Context:
    ol, rb, cl = tables.OrderLine.__table__, tables.Reimbursement.__table__, t.InboundClaim.__table__
    orders, currency, marketplace = [], None, None
    if skus:
        q = sa.select(ol.c.sku, ol.c.purchase_date, ol.c.item_price_cents, ol.c.quantity, ol.c.currency,
                      ol.c.marketplace).where(ol.c.account == account, ol.c.sku.in_(sorted(skus)),
                                              sa.func.lower(ol.c.order_status) != "cancelled",
                                              sa.func.lower(sa.func.coalesce(ol.c.item_status, "")) != "cancelled")
        for row in conn.execute(q):
            if row.item_price_cents is not None and row.quantity:
                orders.append(OrderPrice(row.sku, row.purchase_date.date(), row.item_price_cents, row.quantity,
                                         row.currency))
                currency, marketplace = currency or row.currency, marketplace or row.marketplace
    reimbursed = [Reimbursed(r.reimbursement_id, r.case_id, r.sku, r.fnsku, r.approval_date.date(),
                             r.quantity_reimbursed_total or 0)
                  for r in conn.execute(sa.select(rb).where(rb.c.account == account, rb.c.reason == LOST_INBOUND)
                                        .order_by(rb.c.approval_date, rb.c.id))]
    cases = {(r.shipment_id, r.sku): r.case_id for r in conn.execute(sa.select(cl).where(cl.c.account == account))}
    problems = _problems(conn, account)
    s = settings()
    from sellerops.core.marketplaces import marketplace as site

    return Context(account=account, now=now, policy=policy, prices=Prices.of(orders), reimbursements=reimbursed,
                   cases=cases, marketplace=marketplace or s.marketplace,
                   currency=currency or site(s.marketplace).currency, problems=problems)


PROBLEM_FIELDS = ("issue_reported_date", "fba_carton_id", "sku", "fnsku", "problem_type", "problem_quantity",
                  "expected_quantity", "received_quantity", "problem_level", "alert_status")


def _problems(conn, account: str) -> dict[str, list[dict]]:
    """The inbound performance report's problem lines per FBA shipment, as evidence rows."""
    p, rf = t.InboundProblem.__table__, tables.ReportFile.__table__
    out: dict[str, list[dict]] = {}
    q = (sa.select(p, rf.c.path).join(rf, rf.c.id == p.c.report_file_id).where(p.c.account == account)
         .order_by(p.c.fba_shipment_id, p.c.issue_reported_date, p.c.line_no))
    for row in conn.execute(q):
        values = {f: getattr(row, f) for f in PROBLEM_FIELDS}
        values["issue_reported_date"] = _day(values["issue_reported_date"])
        out.setdefault(row.fba_shipment_id, []).append({"file": row.path, "line": row.line_no, "values": values})
    return out


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.date().isoformat()


def _last_run(conn, account: str):
    runs = t.InboundRun.__table__
    return conn.execute(sa.select(runs).where(runs.c.account == account).order_by(runs.c.id.desc()).limit(1)).first()


def _last_run_version(conn, account: str) -> int | None:
    last = _last_run(conn, account)
    return last.data_version if last else None


def inputs_fingerprint(conn, account: str, policy: Policy) -> str:
    """Everything a run reads besides the inbound responses, in one string: the newest report file
    loaded (orders value the units, reimbursements resolve shortages, the performance report is
    evidence), the claims recorded and the policy. Equal strings: those inputs did not change."""
    rf, cl = tables.ReportFile.__table__, t.InboundClaim.__table__
    newest = conn.execute(sa.select(sa.func.max(rf.c.id)).where(rf.c.account == account)).scalar()
    claims = conn.execute(sa.select(sa.func.count(), sa.func.max(cl.c.id)).where(cl.c.account == account)).first()
    return json.dumps({"file": newest, "claims": list(claims), "policy": repr(policy)}, sort_keys=True)


def _nothing_new(conn, account: str, version: int, inputs: str, policy: Policy,
                 now: dt.datetime) -> tuple[str, dict[str, Shipment]] | None:
    """Why this run may skip the evaluation (nothing new, and the clock crossed no boundary) and the
    shipments as recorded, else None."""
    from sellerops.inbound.evaluate import clock_change

    last = _last_run(conn, account)
    if last is None or last.data_version != version or last.inputs != inputs or not last.now < now:
        return None
    since = last.now if last.now.tzinfo else last.now.replace(tzinfo=dt.timezone.utc)
    if clock_change({}, policy, since, now) is not None:  # a new day: no need to read the shipments
        return None
    shipments = _stored_shipments(conn, account)
    if clock_change(shipments, policy, since, now) is not None:
        return None
    return (f"no new data since the run as of {since.isoformat()}, and no SLA or claim-window day crossed "
            f"since: its findings stand"), shipments


def current_shipments(conn, account: str) -> dict[str, Shipment]:
    """The shipments as the tracker would see them now: as recorded, or replayed in memory (nothing
    written) when responses arrived since its last run."""
    stored = _stored_shipments(conn, account)
    if _last_run_version(conn, account) == data_version(conn, account):
        return stored
    shipments: dict[str, Shipment] = {}
    advance(shipments, _observations(conn, account))
    for sid, x in stored.items():
        if RECONCILED.name in x.entered and sid in shipments:
            shipments[sid].entered[RECONCILED.name] = x.entered[RECONCILED.name]
    return shipments


def evaluate_stored(conn, account: str, now: dt.datetime, policy: Policy,
                    shipments: dict[str, Shipment] | None = None) -> tuple[dict[str, Shipment], Evaluation]:
    """Every shipment evaluated as of `now` (reads only)."""
    shipments = current_shipments(conn, account) if shipments is None else shipments
    items = _items(conn, account, shipments)
    ctx = _context(conn, account, now, policy, {i.sku for i in items})
    return shipments, evaluate(shipments, items, ctx)


def track(now: dt.datetime | None = None, policy: Policy | None = None, account: str | None = None) -> TrackResult:
    """Record what arrived since the last run, evaluate every shipment as of `now`, store the findings."""
    account = account or settings().account
    now = now or dt.datetime.now(dt.timezone.utc)
    policy = policy or Policy()
    engine = get_engine()
    runs = t.InboundRun.__table__
    with engine.begin() as conn:
        version = data_version(conn, account)
        inputs = inputs_fingerprint(conn, account, policy)
        nothing_new = _nothing_new(conn, account, version, inputs, policy, now)
        if nothing_new:
            why, stored = nothing_new
            last = _last_run(conn, account)
            conn.execute(runs.insert().values(account=account, started_at=dt.datetime.now(dt.timezone.utc), now=now,
                                              data_version=version, transitions=0, inputs=inputs,
                                              findings_open=last.findings_open))
            return TrackResult(stored, [], None, version, False, [], [], why)
        recomputed = _last_run_version(conn, account) != version
        shipments, transitions = _replay(conn, account, now) if recomputed else (None, [])
        shipments, ev = evaluate_stored(conn, account, now, policy, shipments)
        transitions = transitions + _record_reconciled(conn, account, shipments, ev, now)
    result = store_findings(ev.findings, account, now)
    with engine.begin() as conn:
        conn.execute(runs.insert().values(account=account, started_at=dt.datetime.now(dt.timezone.utc), now=now,
                                          data_version=version, transitions=len(transitions), inputs=inputs,
                                          findings_open=len(ev.findings)))
    return TrackResult(shipments, transitions, ev, version, recomputed, result.new, result.resolved)


def _record_reconciled(conn, account: str, shipments: dict[str, Shipment], ev: Evaluation,
                       now: dt.datetime) -> list[Transition]:
    """Node 12 for the shipments the evaluation first found reconciled (closed, no open shortage)."""
    e = t.InboundNodeEvent.__table__
    new = [Transition(sid, RECONCILED.name, at, at) for sid, at in sorted(ev.reconciled.items())
           if RECONCILED.name not in shipments[sid].entered]
    if new:
        conn.execute(e.insert(), [dict(account=account, shipment_id=x.shipment_id, node=x.node, entered_at=x.entered_at,
                                       recorded_at=now) for x in new])
        for x in new:
            shipments[x.shipment_id].entered[x.node] = x.entered_at
    return new


# ---- findings in the shared store --------------------------------------------------------------------

def store_findings(records, account: str, now: dt.datetime):
    """Store the inbound findings in the shared store (procedure `inbound`: the run resolves only
    inbound findings), each with its shipment id."""
    from sellerops import findings

    return findings.store(records, procedure=PROCEDURE, account=account, now=now)


# ---- claim packs -----------------------------------------------------------------------------------

class NotAShortage(LookupError):
    pass


def claim_pack_data(finding_id: str, policy: Policy | None = None, account: str | None = None):
    """The facts of the claim for the open shortage `finding_id` (every short SKU of its shipment)."""
    from decimal import Decimal

    from sellerops.inbound.claims import ClaimLine, ClaimPack
    from sellerops.inbound.evaluate import SHORTAGE
    from sellerops.inbound.track import delivered_at
    from sellerops.core.money import from_cents as money

    account = account or settings().account
    policy = policy or Policy()
    f = tables.Finding.__table__
    with get_engine().connect() as conn:
        row = conn.execute(sa.select(f).where(f.c.key == finding_id)).first()
        if row is None or row.kind != SHORTAGE:
            found = "no finding" if row is None else f"a {row.kind} finding"
            raise NotAShortage(f"{finding_id}: expected the id of an inbound_shortage finding, found {found}")
        shipments = current_shipments(conn, account)
        s = shipments[row.shipment_id]
        items = [i for i in _items(conn, account, shipments) if i.shipment_id == s.shipment_id]
        ctx = _context(conn, account, row.last_seen, policy, {i.sku for i in items})
    seen, stand_in = delivered_at(s)
    delivered = stand_in.date() if stand_in else None
    lines = []
    for it in sorted(items, key=lambda i: i.sku):
        if not it.short:
            continue
        value = ctx.prices.unit_value(it.sku, delivered, policy.valuation_days)[0] if delivered else None
        lines.append(ClaimLine(it.sku, it.fnsku, it.shipped, it.received, it.short,
                               money(value) if value is not None else None))
    amount = sum((money(Decimal(x.unit_value) * 100 * x.short) for x in lines if x.unit_value is not None), Decimal("0"))
    note = None if seen else "DELIVERED was never observed: the first later observation stands in"
    window = (row.claim_window_opens.isoformat() if row.claim_window_opens else None,
              row.claim_window_closes.isoformat() if row.claim_window_closes else None)
    return ClaimPack(finding_id, s.shipment_id, s.destination_fc, delivered.isoformat() if delivered else None, note,
                     window, row.currency, amount, lines,
                     [i.evidence for i in items if i.short] + ctx.problems_of(s.shipment_id))


def record_case(shipment_id: str, sku: str, case_id: str, account: str | None = None,
                filed_at: dt.datetime | None = None) -> None:
    """Record the Seller Central case filed for a shortage (a second call replaces the case id)."""
    account = account or settings().account
    c = t.InboundClaim.__table__
    with get_engine().begin() as conn:
        conn.execute(c.delete().where(c.c.account == account, c.c.shipment_id == shipment_id, c.c.sku == sku))
        conn.execute(c.insert().values(account=account, shipment_id=shipment_id, sku=sku, case_id=case_id,
                                       filed_at=filed_at or dt.datetime.now(dt.timezone.utc)))
