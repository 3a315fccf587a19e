"""The returns procedure over the database: read the requests that are new, decide them, ask a
person where one is needed, write labels, record what returned units call for.

Each request line of the seller-fulfilled returns report becomes one `return_request` row per
(RMA, SKU) the first time sellerops sees it, on its clock (`now`: a run's `--now`). A verdict
comes from sellerops.returns.rules; a person's decision is a `sellerops.decisions` decision owed
by the returns role (procedure `returns`, subject the RMA), so `sellerops decisions list|answer`
shows and answers it too: a run applies answers given there, `decide` applies its own at once.
Everything a person or a board reads comes from `request_json`. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, select

from sellerops import decisions
from sellerops.core.config import Settings, settings
from sellerops.core.money import from_cents
from sellerops.decisions.rules import DEFAULT_CHAIN_TAIL, deadline_after, utc_now
from sellerops.returns import care, measures, rules, units, value
from sellerops.returns.label import LabelProvider, LabelRequest, PdfLabels
from sellerops.returns.policy import ROLE, Policy
from sellerops.storage import tables
from sellerops.storage.engine import get_engine, session
from sellerops.storage.people import Decision
from sellerops.storage.returns import ActionableOrderLine, FulfilledShipmentLine, ReturnRequest

PROCEDURE = "returns"
APPROVED, REJECTED_ANSWER = "approved", "rejected"


class ReturnsError(Exception):
    """A request that cannot be acted on as asked: says which and why."""


@dataclass
class RunResult:
    now: dt.datetime
    new: int = 0
    authorized_auto: int = 0
    authorized_amazon: int = 0
    rejected_amazon: int = 0
    needs_person: int = 0
    answered: int = 0
    labels: int = 0
    care_tasks: int = 0
    unit_actions: int = 0
    spikes: int = 0
    warnings: list[str] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (rma, sku) newly waiting for a person

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "new": self.new, "authorized_auto": self.authorized_auto,
                "authorized_amazon": self.authorized_amazon, "rejected_amazon": self.rejected_amazon,
                "needs_person": self.needs_person, "answered": self.answered, "labels": self.labels,
                "care_tasks": self.care_tasks, "unit_actions": self.unit_actions, "spikes": self.spikes, "warnings": self.warnings,
                "waiting": [list(w) for w in self.waiting]}


def label_folder(s: Settings | None = None) -> Path:
    return (s or settings()).home / "labels"


def _frame(conn, table: sa.Table, columns: list[str], *where) -> pd.DataFrame:
    rows = conn.execute(sa.select(*[table.c[c] for c in columns]).where(*where)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


SR_COLUMNS = ["marketplace", "order_id", "amazon_rma_id", "merchant_sku", "return_request_date",
              "return_request_status", "currency", "return_quantity", "return_reason", "in_policy",
              "order_amount_cents", "order_quantity", "item_name"]


def _new_requests(conn, account: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the report's request lines, one per (RMA, SKU); the return_request rows already stored)."""
    sr = _frame(conn, tables.SellerReturn.__table__, SR_COLUMNS, tables.SellerReturn.__table__.c.account == account)
    sr = sr.drop_duplicates(["amazon_rma_id", "merchant_sku"], keep="last")
    t = ReturnRequest.__table__
    stored = _frame(conn, t, ["id", "rma_id", "sku", "status", "decided_by", "decision_id"], t.c.account == account)
    return sr, stored


def _customer_frames(conn, account: str):
    o = tables.OrderLine.__table__
    a, f = ActionableOrderLine.__table__, FulfilledShipmentLine.__table__
    orders = _frame(conn, o, ["amazon_order_id", "purchase_date", "item_price_cents", "currency", "order_status",
                              "item_status"], o.c.account == account)
    actionable = _frame(conn, a, ["order_id", "buyer_key", "purchase_date", "ship_city", "ship_state",
                                  "ship_postal_code", "ship_country"], a.c.account == account)
    shipments = _frame(conn, f, ["amazon_order_id", "buyer_key", "purchase_date", "item_price_cents", "currency",
                                 "ship_city", "ship_state", "ship_postal_code", "ship_country"], f.c.account == account)
    return orders, actionable, shipments


def run(now: dt.datetime | None = None, policy: Policy | None = None, account: str | None = None,
        labels: LabelProvider | None = None, chain_tail: list[str] | tuple[str, ...] | None = None) -> RunResult:
    """One run of the procedure: new requests decided, answers applied, decisions and care tasks
    owed, labels written, returned units' actions recorded."""
    s = settings()
    account = account or s.account
    now = now or utc_now()
    policy = policy or Policy()
    out = RunResult(now=now)
    engine = get_engine()
    with engine.connect() as c:
        sr, stored = _new_requests(c, account)
        known = set(zip(stored["rma_id"], stored["sku"]))
        fresh = sr[[(r, k) not in known for r, k in zip(sr["amazon_rma_id"], sr["merchant_sku"])]]
        customers = _customer_frames(c, account) if len(fresh) else None
    if len(fresh):
        _insert_new(engine, fresh, customers, policy, account, now, out)
    _follow_amazon(engine, sr, stored, now)
    with session() as ses:
        _ask_people(ses, account, policy, now, chain_tail or DEFAULT_CHAIN_TAIL, out)
        out.answered = _apply_answers(ses, account)
        ses.commit()
    out.labels = write_missing_labels(account, policy, labels or PdfLabels(), out)
    out.unit_actions = units.record_unit_actions(account, now)
    out.spikes = measures.store_spikes(now, policy, account, s.marketplace)["spikes"]
    return out


def _insert_new(engine, fresh: pd.DataFrame, customers, policy: Policy, account: str, now: dt.datetime,
                out: RunResult) -> None:
    orders, actionable, shipments = customers
    requested = pd.to_datetime(fresh["return_request_date"], utc=True)
    req = pd.DataFrame({"order_id": fresh["order_id"].to_numpy(), "requested_at": requested.to_numpy(),
                        "currency": fresh["currency"].to_numpy()})
    cv = value.customer_value(req, value.order_keys(actionable, shipments),
                              value.value_lines(orders, shipments, actionable))
    rows = []
    for i, r in enumerate(fresh.itertuples(index=False)):
        amount = rules.returned_amount_cents(_int(r.order_amount_cents), _int(r.return_quantity),
                                             _int(r.order_quantity))
        verdict = rules.decide(r.return_request_status, r.in_policy, amount, r.currency, r.return_reason, policy)
        clv, n = _int(cv["clv_cents"].iat[i]), _int(cv["orders_365d"].iat[i])
        is_vip, why = rules.vip(clv, n, r.currency, policy, cv["why_unknown"].iat[i])
        rows.append(dict(
            account=account, marketplace=r.marketplace, rma_id=r.amazon_rma_id, sku=r.merchant_sku or "",
            order_id=r.order_id, quantity=_int(r.return_quantity) or 1,
            requested_at=None if pd.isna(requested.iat[i]) else requested.iat[i].to_pydatetime(),
            amazon_status=r.return_request_status, in_policy=r.in_policy, return_reason=r.return_reason,
            amount_cents=amount, currency=r.currency, status=verdict.status, reasons=",".join(verdict.reasons),
            buyer_key=None if pd.isna(cv["buyer_key"].iat[i]) else cv["buyer_key"].iat[i], vip=is_vip,
            vip_reason=why, clv_cents=clv, orders_365d=n,
            care_script=care.script_key(r.marketplace, policy.german_register) if is_vip else None,
            first_seen_at=now, decided_at=now if verdict.decided_by else None, decided_by=verdict.decided_by))
        out.new += 1
        if verdict.decided_by == rules.BY_AUTO:
            out.authorized_auto += 1
        elif verdict.decided_by == rules.BY_AMAZON:
            if verdict.status == rules.AUTHORIZED:
                out.authorized_amazon += 1
            else:
                out.rejected_amazon += 1
        else:
            out.needs_person += 1
            out.waiting.append((r.amazon_rma_id, r.merchant_sku or ""))
    with engine.begin() as c:
        c.execute(ReturnRequest.__table__.insert(), rows)


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _follow_amazon(engine, sr: pd.DataFrame, stored: pd.DataFrame, now: dt.datetime) -> None:
    """A request still waiting whose report now shows Amazon's decision takes it (a person's open
    decision on it is withdrawn): Amazon decided first."""
    waiting = stored[stored["status"].isin([rules.PENDING, rules.NEEDS_PERSON])]
    if waiting.empty:
        return
    latest = {(r, k): st for r, k, st in zip(sr["amazon_rma_id"], sr["merchant_sku"], sr["return_request_status"])}
    t = ReturnRequest.__table__
    with engine.begin() as c:
        for row in waiting.itertuples(index=False):
            verdict = rules.amazons_verdict(latest.get((row.rma_id, row.sku)))
            if verdict is None:
                continue
            c.execute(t.update().where(t.c.id == row.id).values(
                status=verdict.status, decided_by=rules.BY_AMAZON, decided_at=now, amazon_status=latest[(row.rma_id, row.sku)]))
            if row.decision_id is not None:
                c.execute(Decision.__table__.update().where(Decision.__table__.c.id == int(row.decision_id),
                                                            Decision.__table__.c.state.in_(decisions.OPEN_STATES))
                          .values(state="withdrawn"))


def decision_what(r: ReturnRequest) -> str:
    return f"authorise the return of {r.quantity} x {r.sku}"


def care_what(r: ReturnRequest) -> str:
    """One care task per RMA, however many SKUs it spans: one customer, one call."""
    return f"VIP care: contact the customer about this return with the {r.care_script} care script"


def _ask_people(ses: Session, account: str, policy: Policy, now: dt.datetime, chain_tail, out: RunResult) -> None:
    """Owe a decision for every request a person must decide, and a care task for every VIP, once."""
    rows = ses.exec(select(ReturnRequest).where(
        ReturnRequest.account == account,
        sa.or_(sa.and_(ReturnRequest.status == rules.NEEDS_PERSON, ReturnRequest.decision_id.is_(None)),
               sa.and_(ReturnRequest.vip.is_(True), ReturnRequest.care_decision_id.is_(None))))).all()
    cared: set[int] = set()
    for r in rows:
        deadline = deadline_after(r.first_seen_at, policy.decision_hours)
        if r.status == rules.NEEDS_PERSON and r.decision_id is None:
            d = decisions.ask(ses, procedure=PROCEDURE, subject=r.rma_id, what=decision_what(r), role=ROLE,
                              deadline=deadline, chain_tail=chain_tail,
                              escalate_every_hours=policy.escalate_every_hours, now=now)
            r.decision_id = d.id
        if r.vip and r.care_decision_id is None:
            d = decisions.ask(ses, procedure=PROCEDURE, subject=r.rma_id, what=care_what(r), role=ROLE,
                              deadline=deadline, chain_tail=chain_tail,
                              escalate_every_hours=policy.escalate_every_hours, now=now)
            r.care_decision_id = d.id
            if d.id not in cared:
                cared.add(d.id)
                out.care_tasks += 1
        ses.add(r)
    ses.flush()


def _apply_answers(ses: Session, account: str) -> int:
    """Requests whose decision was answered elsewhere (`sellerops decisions answer`) take the answer."""
    pairs = ses.exec(select(ReturnRequest, Decision).join(Decision, Decision.id == ReturnRequest.decision_id).where(
        ReturnRequest.account == account, ReturnRequest.status == rules.NEEDS_PERSON, Decision.state == "done")).all()
    for r, d in pairs:
        _take_answer(r, d)
        ses.add(r)
    return len(pairs)


def _take_answer(r: ReturnRequest, d: Decision) -> None:
    r.status = rules.AUTHORIZED if d.answer == APPROVED else rules.REJECTED
    r.decided_at, r.decided_by, r.note = d.answered_at, d.answered_by or "unknown", d.note


def decide(rma_id: str, approve: bool, note: str | None = None, by: str | None = None,
           now: dt.datetime | None = None, policy: Policy | None = None, account: str | None = None,
           labels: LabelProvider | None = None, sku: str | None = None) -> list[dict]:
    """A person's answer on an RMA's open decisions (each of its SKUs waiting, or `sku`'s only);
    an approval writes the label at once. Raises ReturnsError when there is nothing to decide."""
    account = account or settings().account
    now = now or utc_now()
    who = decisions.answerer(by)
    with session() as ses:
        _apply_answers(ses, account)  # one given with `sellerops decisions answer` stands
        ses.flush()
        rows = ses.exec(select(ReturnRequest).where(ReturnRequest.account == account,
                                                    ReturnRequest.rma_id == rma_id)).all()
        if not rows:
            raise ReturnsError(f"no return request {rma_id}: `sellerops returns list` shows them")
        if sku is not None:
            rows = [r for r in rows if r.sku == sku]
            if not rows:
                raise ReturnsError(f"return request {rma_id} has no SKU {sku}")
        waiting = [r for r in rows if r.status == rules.NEEDS_PERSON]
        if not waiting:
            done = ", ".join(f"{r.sku} {r.status}" + (f" by {r.decided_by}" if r.decided_by else "") for r in rows)
            raise ReturnsError(f"return request {rma_id} waits for no decision ({done})")
        for r in waiting:
            d = ses.get(Decision, r.decision_id) if r.decision_id else None
            if d is not None and d.state in decisions.OPEN_STATES:
                decisions.answer(ses, d, APPROVED if approve else REJECTED_ANSWER, by=who, note=note, now=now)
                _take_answer(r, d)
            else:
                r.status = rules.AUTHORIZED if approve else rules.REJECTED
                r.decided_at, r.decided_by, r.note = now, who, note
            ses.add(r)
        ses.commit()
    if approve:
        write_missing_labels(account, policy or Policy(), labels or PdfLabels(), rma_id=rma_id)
    return [r for r in list_requests(account=account) if r["rma_id"] == rma_id]


def answer_from_form(rma_id: str, sku: str, form: dict, policy: Policy | None = None) -> str:
    """Record the answer a person gave in the UI's form; what became of the request."""
    got = decide(rma_id, bool(form.get("approve")), note=form.get("note") or None, by=form.get("by") or "ui",
                 policy=policy, sku=sku)
    return next(r["status"] for r in got if r["sku"] == sku)


def waiting_for(rma_id: str, sku: str, account: str | None = None) -> dict:
    """Whether (RMA, SKU) still waits for a person, and what the form should show."""
    account = account or settings().account
    with session() as ses:
        r = ses.exec(select(ReturnRequest).where(ReturnRequest.account == account, ReturnRequest.rma_id == rma_id,
                                                 ReturnRequest.sku == sku)).first()
        if r is None:
            raise ReturnsError(f"no return request {rma_id} {sku}")
        d = ses.get(Decision, r.decision_id) if r.decision_id else None
        if r.status == rules.NEEDS_PERSON and d is not None and d.state == "done":
            _take_answer(r, d)  # answered on the command line meanwhile
            ses.add(r)
            ses.commit()
        return {"settled": r.status != rules.NEEDS_PERSON, "status": r.status,
                "deadline": d.deadline.isoformat() if d else None,
                "description": f"{r.rma_id}: {decision_what(r)} ({from_cents(r.amount_cents) if r.amount_cents is not None else '?'} "
                               f"{r.currency or ''}; {r.reasons.replace(',', ', ') or 'no reason'})"}


def link_form_run(rma_id: str, sku: str, run_id: str, account: str | None = None) -> None:
    account = account or settings().account
    t = ReturnRequest.__table__
    with get_engine().begin() as c:
        c.execute(t.update().where(t.c.account == account, t.c.rma_id == rma_id, t.c.sku == sku)
                  .values(form_run_id=run_id))


def without_form(account: str | None = None) -> list[tuple[str, str]]:
    """Every (RMA, SKU) waiting for a person with no form run linked yet, oldest first: the ones a
    run on a server starts a form for (those decided on the command line meanwhile are not waiting)."""
    account = account or settings().account
    t = ReturnRequest.__table__
    with get_engine().connect() as c:
        return [(r, k) for r, k in c.execute(
            sa.select(t.c.rma_id, t.c.sku).where(t.c.account == account, t.c.status == rules.NEEDS_PERSON,
                                                 t.c.form_run_id.is_(None))
            .order_by(t.c.first_seen_at, t.c.rma_id, t.c.sku))]


def waiting_forms(account: str | None = None) -> list[tuple[str, str, str]]:
    """Every (RMA, SKU, form run id) still waiting for a person: the runs a server run checks are
    alive (a form cancelled or crashed in the UI leaves its request with nobody asked)."""
    account = account or settings().account
    t = ReturnRequest.__table__
    with get_engine().connect() as c:
        return [tuple(r) for r in c.execute(
            sa.select(t.c.rma_id, t.c.sku, t.c.form_run_id).where(
                t.c.account == account, t.c.status == rules.NEEDS_PERSON, t.c.form_run_id.is_not(None))
            .order_by(t.c.first_seen_at, t.c.rma_id, t.c.sku))]


def unlink_form_run(rma_id: str, sku: str, run_id: str, account: str | None = None) -> bool:
    """Forget the form run `run_id` of a request (it ended without an answer), so the next run on a
    server starts it a new one; False when the request has moved on meanwhile."""
    account = account or settings().account
    t = ReturnRequest.__table__
    with get_engine().begin() as c:
        return c.execute(t.update().where(t.c.account == account, t.c.rma_id == rma_id, t.c.sku == sku,
                                          t.c.form_run_id == run_id, t.c.status == rules.NEEDS_PERSON)
                         .values(form_run_id=None)).rowcount == 1


def form_runs(rma_id: str, account: str | None = None) -> list[str]:
    """The flow runs whose forms wait on this RMA (the CLI wakes them after answering)."""
    account = account or settings().account
    t = ReturnRequest.__table__
    with get_engine().connect() as c:
        return [r for (r,) in c.execute(sa.select(t.c.form_run_id).where(
            t.c.account == account, t.c.rma_id == rma_id, t.c.form_run_id.is_not(None)))]


def _label_request(r, places: dict, policy: Policy) -> LabelRequest:
    p = places.get(r.order_id, {})
    return LabelRequest(r.rma_id, r.order_id, r.sku, int(r.quantity), r.marketplace, policy.return_address,
                        p.get("ship_city"), p.get("ship_state"), p.get("ship_postal_code"), p.get("ship_country"))


def _places(conn, account: str, order_ids: set[str]) -> dict[str, dict]:
    """order id → the buyer's city, state, postal code and country (the order reports'; never a street)."""
    out: dict[str, dict] = {}
    cols = ["ship_city", "ship_state", "ship_postal_code", "ship_country"]
    for table, oid in ((FulfilledShipmentLine.__table__, "amazon_order_id"), (ActionableOrderLine.__table__, "order_id")):
        ids = sorted(order_ids)
        for i in range(0, len(ids), 500):
            for row in conn.execute(sa.select(table.c[oid], *[table.c[c] for c in cols]).where(
                    table.c.account == account, table.c[oid].in_(ids[i:i + 500]))):
                out[row[0]] = dict(zip(cols, row[1:]))
    return out


def write_missing_labels(account: str, policy: Policy, labels: LabelProvider, out: RunResult | None = None,
                         rma_id: str | None = None) -> int:
    """Write the label of every request sellerops authorised that has none (or whose file is gone)."""
    t = ReturnRequest.__table__
    folder = label_folder()
    where = [t.c.account == account, t.c.status == rules.AUTHORIZED, t.c.decided_by != rules.BY_AMAZON]
    if rma_id is not None:
        where.append(t.c.rma_id == rma_id)
    with get_engine().connect() as c:
        rows = [r for r in c.execute(sa.select(t).where(*where)) if not r.label_path or not Path(r.label_path).exists()]
        places = _places(c, account, {r.order_id for r in rows}) if rows else {}
    if not rows:
        return 0
    if not policy.return_address and out is not None:
        out.warnings.append("the returns policy has no return_address: labels say so in its place "
                            "(set it in the ReturnsPolicy block)")
    written = write_labels([_label_request(r, places, policy) for r in rows], labels, folder)
    with get_engine().begin() as c:
        c.execute(t.update().where(t.c.id == sa.bindparam("rid")).values(label_path=sa.bindparam("path")),
                  [{"rid": r.id, "path": str(p)} for r, p in zip(rows, written)])
    return len(rows)


def write_labels(requests: list[LabelRequest], labels: LabelProvider, folder: Path) -> list[Path]:
    """Each request's label; one file per RMA id, written once however many SKUs share it."""
    done: dict[str, Path] = {}
    for req in requests:
        if req.rma_id not in done:
            done[req.rma_id] = labels.write(req, folder)
    return [done[r.rma_id] for r in requests]


def label(rma_id: str, policy: Policy | None = None, account: str | None = None,
          labels: LabelProvider | None = None) -> Path:
    """The label of an authorised RMA, written if missing. Raises ReturnsError when it has none."""
    account = account or settings().account
    t = ReturnRequest.__table__
    with session() as ses:  # an approval given with `sellerops decisions answer` earns its label too
        _apply_answers(ses, account)
        ses.commit()
    with get_engine().connect() as c:
        rows = c.execute(sa.select(t).where(t.c.account == account, t.c.rma_id == rma_id)).all()
    if not rows:
        raise ReturnsError(f"no return request {rma_id}: `sellerops returns list` shows them")
    ours = [r for r in rows if r.status == rules.AUTHORIZED and r.decided_by != rules.BY_AMAZON]
    if not ours:
        if any(r.decided_by == rules.BY_AMAZON for r in rows):
            raise ReturnsError(f"return request {rma_id} was decided by Amazon ({rows[0].status}): "
                               f"Amazon's own label applies, sellerops writes none")
        raise ReturnsError(f"return request {rma_id} is not authorised ({', '.join(sorted({r.status for r in rows}))}): "
                           f"no label")
    write_missing_labels(account, policy or Policy(), labels or PdfLabels(), rma_id=rma_id)
    with get_engine().connect() as c:
        return Path(c.execute(sa.select(t.c.label_path).where(t.c.account == account, t.c.rma_id == rma_id,
                                                               t.c.label_path.is_not(None))).scalars().first())


def _iso(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def request_json(r, d=None) -> dict:
    """One request as `sellerops returns list --format json` prints it. `d`: (state, answer,
    answered_at, answered_by) of its decision, so an answer given with `sellerops decisions answer`
    shows before the next run applies it."""
    status, decided_at, decided_by = r.status, r.decided_at, r.decided_by
    if status == rules.NEEDS_PERSON and d is not None and d[0] == "done":
        status = rules.AUTHORIZED if d[1] == APPROVED else rules.REJECTED
        decided_at, decided_by = d[2], d[3]
    hours = None
    if decided_at is not None:
        hours = round((decided_at - r.first_seen_at).total_seconds() / 3600, 2)
    return {
        "rma_id": r.rma_id, "order_id": r.order_id, "sku": r.sku, "quantity": r.quantity,
        "marketplace": r.marketplace, "requested_at": _iso(r.requested_at), "status": status,
        "reasons": [x for x in (r.reasons or "").split(",") if x],
        "amount": None if r.amount_cents is None else str(from_cents(r.amount_cents)), "currency": r.currency,
        "vip": r.vip, "clv": None if r.clv_cents is None else str(from_cents(r.clv_cents)),
        "orders_365d": r.orders_365d, "care_script": r.care_script, "label": r.label_path,
        "decided_at": _iso(decided_at), "decided_by": decided_by, "hours_to_decision": hours,
        "vip_reason": r.vip_reason,
    }


def list_requests(status: str | None = None, account: str | None = None) -> list[dict]:
    """Every request (or those with `status`), oldest request first."""
    account = account or settings().account
    t, dtab = ReturnRequest.__table__, Decision.__table__
    q = (sa.select(t, dtab.c.state, dtab.c.answer, dtab.c.answered_at, dtab.c.answered_by)
         .select_from(t.outerjoin(dtab, dtab.c.id == t.c.decision_id)).where(t.c.account == account)
         .order_by(t.c.requested_at, t.c.rma_id, t.c.sku))
    with get_engine().connect() as c:
        rows = [request_json(r, (r.state, r.answer, _aware(r.answered_at), r.answered_by)) for r in c.execute(q)]
        rows += _not_yet_run(c, account)
    rows.sort(key=lambda r: (r["requested_at"] or "", r["rma_id"], r["sku"]))
    return [r for r in rows if status is None or r["status"] == status]


def _not_yet_run(conn, account: str) -> list[dict]:
    """The report's requests no run has seen yet: `pending` when they are the seller's to decide,
    Amazon's decision when Amazon made it; nothing decided, no customer looked up."""
    sr, t = tables.SellerReturn.__table__, ReturnRequest.__table__
    seen = sa.select(t.c.id).where(t.c.account == account, t.c.rma_id == sr.c.amazon_rma_id,
                                   t.c.sku == sr.c.merchant_sku)
    out = {}
    for r in conn.execute(sa.select(sr).where(sr.c.account == account, ~sa.exists(seen))):
        amazon = rules.amazons_verdict(r.return_request_status)
        amount = rules.returned_amount_cents(r.order_amount_cents, r.return_quantity, r.order_quantity)
        out[(r.amazon_rma_id, r.merchant_sku)] = {
            "rma_id": r.amazon_rma_id, "order_id": r.order_id, "sku": r.merchant_sku,
            "quantity": r.return_quantity or 1, "marketplace": r.marketplace,
            "requested_at": _iso(_aware(r.return_request_date)), "status": amazon.status if amazon else rules.PENDING,
            "reasons": [], "amount": None if amount is None else str(from_cents(amount)), "currency": r.currency,
            "vip": None, "clv": None, "orders_365d": None, "care_script": None, "label": None, "decided_at": None,
            "decided_by": amazon.decided_by if amazon else None, "hours_to_decision": None,
            "vip_reason": "not looked up yet: the next `sellerops returns run` does"}
    return list(out.values())


def _aware(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    return v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)
