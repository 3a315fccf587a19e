"""The findings store every procedure uses: what a procedure found, kept across its runs, and the claims.

A finding is identified by its key (kind + subject) and belongs to one procedure (reconciliation,
inbound, ...). A run of a procedure never duplicates a finding: it refreshes `last_seen`; one of
that procedure's open findings the run did not find again becomes `resolved`, and one that holds
again reopens. Another procedure's findings are never touched by the run. A claim (filed in Seller
Central, then reimbursed or denied) is recorded beside the finding and never changes its `status`,
which only evidence moves. No Prefect here: tasks/ wrap these functions.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator

import sqlalchemy as sa

from sellerops.core.config import settings
from sellerops.core.money import from_cents, to_cents
from sellerops.storage import tables
from sellerops.storage.engine import get_engine

OPEN, RESOLVED, EXPIRED = "open", "resolved", "expired"
STATUSES = (OPEN, RESOLVED, EXPIRED)
NO_CLAIM, CLAIMED, REIMBURSED, DENIED = "none", "claimed", "reimbursed", "denied"
CLAIM_STATES = (NO_CLAIM, CLAIMED, REIMBURSED, DENIED)
OUTCOMES = (REIMBURSED, DENIED)
_MIN_PREFIX = 6  # a shorter start of an id is too likely to name the wrong finding
_STREAM = 5_000  # findings fetched at a time while listing: memory stays flat however many there are


class UnknownFinding(LookupError):
    """No stored finding has this id (or the id prefix names several)."""


@dataclass
class StoreResult:
    new: list[str]
    resolved: list[str]
    reopened: list[str]
    open: int



def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


# What a run states about each finding, staged in a temporary table: the rest (status, times,
# procedure, the claim) is the same for every row of the run and set by the statements themselves.
_STAGED = ("key", "account", "marketplace", "kind", "settlement_id", "order_id", "sku", "line_no", "shipment_id",
           "amount_cents", "currency", "detail", "evidence", "claim_window_opens", "claim_window_closes")


def store(records, *, procedure: str, account: str | None = None, now: dt.datetime | None = None,
          resolve_missing: bool = True) -> StoreResult:
    """Upsert the findings of one run of `procedure`; resolve that procedure's open findings this
    run did not find again — unless `resolve_missing` is off (a run that looked at less than the
    last one did, e.g. at an earlier as-of, is no evidence that a finding went away).

    The run's findings go into a temporary table in one bulk write (COPY on PostgreSQL), then one
    statement each updates the known ones, inserts the new ones and resolves the missing ones: a
    hundred thousand findings cost a few statements, not a round trip each."""
    account = account or settings().account
    now = _now(now)
    t = tables.Finding.__table__
    found = {r.key: r for r in records}
    with get_engine().begin() as c:
        existing = {row.key: (row.status, row.procedure) for row in c.execute(
            sa.select(t.c.key, t.c.status, t.c.procedure).where(t.c.account == account))}
        new = [k for k in found if k not in existing]
        reopened = [k for k in found if k in existing and existing[k][0] == RESOLVED]
        gone = [k for k, (status, proc) in existing.items()
                if resolve_missing and status == OPEN and proc == procedure and k not in found]
        stage = _stage(c, found) if found else None
        seen = dict(status=OPEN, last_seen=now, resolved_at=None, procedure=procedure)
        if stage is not None and len(new) < len(found):  # the known ones first: the new are not there yet
            c.execute(t.update().where(t.c.key == stage.c.key)
                      .values({**{k: stage.c[k] for k in _STAGED if k != "key"}, **seen}))
        if new:
            extra = dict(seen, first_seen=now, claim_state=NO_CLAIM)
            c.execute(t.insert().from_select(
                [*_STAGED, *extra],
                sa.select(*(stage.c[k] for k in _STAGED),
                          *(sa.literal(v, t.c[k].type).label(k) for k, v in extra.items()))
                .where(~sa.exists().where(t.c.key == stage.c.key))))
        if gone:
            resolve = t.update().where(t.c.account == account, t.c.procedure == procedure, t.c.status == OPEN)
            if stage is not None:
                resolve = resolve.where(~sa.exists().where(stage.c.key == t.c.key))
            c.execute(resolve.values(status=RESOLVED, resolved_at=now))
        if stage is not None:
            stage.drop(c)
    return StoreResult(new=new, resolved=gone, reopened=reopened, open=len(found))


def _stage(c, found: dict) -> sa.Table:
    """A temporary table holding the run's findings (key → record) as the finding table's columns (`_STAGED`), for this
    transaction only."""
    import pandas as pd

    from sellerops.storage.bulk import bulk_insert

    t = tables.Finding.__table__
    stage = sa.Table("finding_run", sa.MetaData(),
                     *(sa.Column(k, t.c[k].type, primary_key=k == "key") for k in _STAGED),
                     prefixes=["TEMPORARY"])
    stage.create(c)
    rows = [(key, r.account, r.marketplace, r.kind, r.settlement_id, r.order_id, r.sku, r.line_no,
             getattr(r, "shipment_id", None), to_cents(r.amount), r.currency, r.detail,
             json.dumps(r.evidence, default=str), r.claim_window_opens, r.claim_window_closes) for key, r in found.items()]
    frame = pd.DataFrame.from_records(rows, columns=list(_STAGED))
    # ints and blanks: pandas would make a column of both floats
    frame["line_no"] = pd.array([r.line_no for r in found.values()], dtype="Int64")
    bulk_insert(c, stage, frame)
    return stage


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def is_expired(status: str, claim_state: str, claimed_at: dt.datetime | None, closes: dt.date | None,
               today: dt.date) -> bool:
    """An open finding whose claim window closed before `today` without a claim filed in time: the
    money can no longer be claimed. A finding claimed in time (or answered) never expires."""
    if status != OPEN or closes is None or today <= closes:
        return False
    if claim_state in OUTCOMES:
        return False
    return claimed_at is None or claimed_at.date() > closes


def finding_json(row, today: dt.date | None = None) -> dict:
    """A stored finding as `sellerops findings --format json` prints it: its `status` is `expired`
    from the day after its claim window closed unclaimed."""
    today = today or _today()
    amount = from_cents(row.amount_cents)
    closes = row.claim_window_closes
    status = EXPIRED if is_expired(row.status, row.claim_state, row.claimed_at, closes, today) else row.status
    return {
        "id": row.key, "kind": row.kind, "account": row.account, "marketplace": row.marketplace,
        "settlement_id": row.settlement_id, "order_id": row.order_id, "sku": row.sku, "line_no": row.line_no,
        "shipment_id": row.shipment_id, "amount": str(amount), "currency": row.currency, "detail": row.detail,
        "evidence": json.loads(row.evidence or "[]"),
        "first_seen": row.first_seen.isoformat(), "last_seen": row.last_seen.isoformat(),
        "status": status,
        "claim_window_opens": _iso(row.claim_window_opens),
        "claim_window_closes": _iso(row.claim_window_closes),
        "procedure": row.procedure, "claim_state": row.claim_state, "case_id": row.case_id,
        "claimed_at": _iso(row.claimed_at),
    }


def totals_by_currency(findings: list[dict]) -> dict[str, Decimal]:
    """currency → the findings' money, in sorted order."""
    out: dict[str, Decimal] = {}
    for f in findings:
        out[f["currency"]] = out.get(f["currency"], Decimal("0")) + Decimal(f["amount"])
    return dict(sorted(out.items()))


def money_text(totals: dict[str, Decimal]) -> str:
    return ", ".join(f"{v} {c}" for c, v in totals.items()) or "0.00"


def at_stake_by_kind(findings: list[dict]) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(kind, currency) → (how many findings, money at stake), in sorted order. Only open
    findings are at stake: an expired one is lost, a resolved one settled."""
    out: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for f in findings:
        if f["status"] != OPEN:
            continue
        n, total = out.get((f["kind"], f["currency"]), (0, Decimal("0")))
        out[(f["kind"], f["currency"])] = (n + 1, total + Decimal(f["amount"]))
    return dict(sorted(out.items()))


def iter_findings(kind: str | None = None, status: str | Iterable[str] | None = None, account: str | None = None,
                  procedure: str | None = None, today: dt.date | None = None) -> Iterator[dict]:
    """Stored findings as JSON objects, one at a time as the database returns them (a server-side
    cursor on PostgreSQL): the soonest claim deadline first (none last), then by kind, largest
    first. `status` open, resolved or expired (open findings whose window closed unclaimed), or
    several of them read in one pass (e.g. open and expired, which are the same stored rows)."""
    today = today or _today()
    t = tables.Finding.__table__
    q = sa.select(t).order_by(t.c.claim_window_closes.is_(None), t.c.claim_window_closes, t.c.kind,
                              t.c.amount_cents.desc(), t.c.key)
    wanted = {status} if isinstance(status, str) else set(status or ())
    unknown = wanted - set(STATUSES)
    if unknown:
        raise ValueError(f"status {sorted(unknown)[0]!r}: expected one of {', '.join(STATUSES)}")
    if wanted:  # expiry is a matter of today's date, not stored: an expired finding is stored open
        q = q.where(t.c.status.in_(sorted({OPEN if s == EXPIRED else s for s in wanted})))
    for column, value in ((t.c.kind, kind), (t.c.account, account), (t.c.procedure, procedure)):
        if value:
            q = q.where(column == value)
    with get_engine().connect() as c:
        for r in c.execution_options(stream_results=True, yield_per=_STREAM).execute(q):
            f = finding_json(r, today)
            if not wanted or f["status"] in wanted:
                yield f


def list_findings(kind: str | None = None, status: str | Iterable[str] | None = None, account: str | None = None,
                  procedure: str | None = None, today: dt.date | None = None) -> list[dict]:
    """`iter_findings` as a list (for callers that count, total or look twice)."""
    return list(iter_findings(kind, status, account, procedure, today))


def _resolve_key(c, finding_id: str) -> str:
    """The one stored key that is `finding_id` or starts with it (the table view shows 10 characters)."""
    t = tables.Finding.__table__
    if c.execute(sa.select(t.c.key).where(t.c.key == finding_id)).first():
        return finding_id
    if len(finding_id) < _MIN_PREFIX:
        raise UnknownFinding(f"finding {finding_id!r}: no such finding")
    like = finding_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    keys = c.execute(sa.select(t.c.key).where(t.c.key.like(like, escape="\\")).limit(2)).scalars().all()
    if len(keys) != 1:
        why = "names several findings" if keys else "no such finding"
        raise UnknownFinding(f"finding {finding_id!r}: {why}")
    return keys[0]


def get_finding(finding_id: str) -> dict:
    """One finding's JSON by its id or the start of it (six characters or more)."""
    t = tables.Finding.__table__
    with get_engine().connect() as c:
        key = _resolve_key(c, finding_id)
        return finding_json(c.execute(sa.select(t).where(t.c.key == key)).one())


def _set_claim(finding_id: str, values: dict) -> dict:
    t = tables.Finding.__table__
    with get_engine().begin() as c:
        key = _resolve_key(c, finding_id)
        c.execute(t.update().where(t.c.key == key).values(**values))
        return finding_json(c.execute(sa.select(t).where(t.c.key == key)).one())


def claim(finding_id: str, case_id: str, now: dt.datetime | None = None) -> dict:
    """Record that a claim was filed in Seller Central under `case_id`; the finding's JSON after it.
    Filing again (an appeal under a new case) replaces the case and clears an earlier outcome."""
    if not case_id.strip():
        raise ValueError("a claim needs a case id")
    return _set_claim(finding_id, dict(claim_state=CLAIMED, case_id=case_id.strip(), claimed_at=_now(now),
                                       claim_closed_at=None))


def close_claim(finding_id: str, outcome: str, now: dt.datetime | None = None) -> dict:
    """Record Amazon's answer (`reimbursed` or `denied`); the finding's JSON after it. A finding
    never claimed through sellerops may still get an outcome: its claimed_at stays empty."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}")
    return _set_claim(finding_id, dict(claim_state=outcome, claim_closed_at=_now(now)))
