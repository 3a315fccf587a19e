"""The reconciliation's runs: load the input, apply the rules, store the findings, record the run.

Between the rules (pure, in `sellerops.reconciliation`) and the tasks that run them
(`tasks/reconcile.py`). Each run is recorded with the newest report file loaded and the policy's
digest, so a night with nothing new and the same as-of and policy is skipped instead of recomputed;
a night with something new judges only what can still change (`bounded`), from the watermark
each computed run leaves (`sellerops.storage.reconcile_state`). No Prefect here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
from concurrent.futures import Future
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from sellerops.core import helper
from sellerops.core.config import settings
from sellerops.findings.store import StoreResult, store
from sellerops.reconciliation import bounded, pieces
from sellerops.reconciliation.input import _report_files, live_copies, load_input, settlements_frame
from sellerops.reconciliation.model import FindingRecord, ReconcileInput
from sellerops.reconciliation.partition import ORDER_RULES, SETTLEMENT_RULES, Partition, merge, run_partition
from sellerops.storage import framecache, tables
from sellerops.storage.engine import get_engine
from sellerops.storage.lock import run_lock

PROCEDURE = "reconciliation"
log = logging.getLogger(__name__)


def data_version(account: str | None = None) -> int:
    """The newest report file loaded: when it has not moved, no input of the rules has changed."""
    t = tables.ReportFile.__table__
    with get_engine().connect() as c:
        q = sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)).where(t.c.status == "loaded")
        if account:
            q = q.where(t.c.account == account)
        return int(c.execute(q).scalar_one())


def policy_digest(policy) -> str:
    text = json.dumps(dataclasses.asdict(policy), default=str, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def last_run(account: str | None = None):
    """The account's latest run that computed something (a skipped run repeats its predecessor)."""
    t = tables.ReconcileRun.__table__
    account = account or settings().account
    with get_engine().connect() as c:
        return c.execute(sa.select(t).where(t.c.account == account, t.c.skipped.is_(False),
                                            t.c.finished_at.is_not(None))
                         .order_by(t.c.id.desc()).limit(1)).first()


def record_run(account: str, started: dt.datetime, as_of, version: int, digest: str, result: StoreResult | None,
               skipped: bool) -> None:
    t = tables.ReconcileRun.__table__
    with get_engine().begin() as c:
        c.execute(t.insert().values(
            account=account, started_at=started, finished_at=dt.datetime.now(dt.timezone.utc), as_of=as_of,
            data_version=version, policy_digest=digest, skipped=skipped,
            findings_open=result.open if result else 0, findings_new=len(result.new) if result else 0,
            findings_resolved=len(result.resolved) if result else 0))


def _as_of_by_market(settlements: pd.DataFrame, as_of: dt.date | None) -> dict[str, dt.date]:
    """The as-of date of each marketplace and currency: the given one, else the UTC date of its
    latest settlement end (the rules' own default)."""
    if settlements.empty:
        return {}
    ends = settlements.groupby(["marketplace", "currency"], observed=True)["settlement_end_date"].max()
    return {f"{mp} {cur}": as_of or end.date() for (mp, cur), end in ends.items()}


@dataclass
class ReconcileOutcome:
    as_of: dict  # (marketplace/currency) -> as-of date used
    skipped: bool
    new: list[str]
    resolved: list[str]
    reopened: list[str]
    open: int
    settlements_checked: int
    full: bool = True  # every finding recomputed; else a bounded night (`sellerops.reconciliation.bounded`)
    why_full: str = ""
    judged_orders: int = 0  # orders a bounded night judged (0 on a full run)


def run_reconcile(as_of: dt.date | None = None, policy=None, account: str | None = None,
                  force: bool = False, find=None) -> ReconcileOutcome:
    """Load, apply the rules, store. When no report was loaded since the last run with the same
    as-of and policy, nothing is recomputed; otherwise a night judges only what can still change
    since the last run (`sellerops.reconciliation.bounded`) unless `force` (`reconcile --full`) or
    the night cannot vouch for it (no earlier run, another policy, ...), which recompute everything.
    `find(inp, as_of, policy)` replaces the in-process `reconcile` (the Dask flow passes one that
    runs the partitions on a cluster)."""
    from sellerops.reconciliation import Policy

    account = account or settings().account
    policy = policy or Policy()
    started = dt.datetime.now(dt.timezone.utc)
    version, digest = data_version(account), policy_digest(policy)
    prev = last_run(account)
    if (not force and prev is not None and prev.data_version == version and prev.policy_digest == digest
            and (as_of is None or prev.as_of == as_of)):
        record_run(account, started, prev.as_of, version, digest, None, skipped=True)
        return ReconcileOutcome({}, True, [], [], [], prev.findings_open, 0)
    with run_lock("sellerops"):
        night = None if force else _bounded_night(account, as_of, policy, digest)
        if isinstance(night, bounded.Night):
            outcome = _run_bounded(night, account, as_of, policy, find)
        else:
            outcome = _run_full(account, as_of, policy, prev, find)
            outcome.why_full = "--full" if force else night
        single = max((dt.date.fromisoformat(v) for v in outcome.as_of.values()), default=as_of)
        record_run(account, started, single, version, digest, outcome.result, skipped=False)
        with get_engine().begin() as c:
            if outcome.earlier:
                bounded.forget_state(c, account)
            else:
                bounded.save_state(c, account, version, digest, outcome.markets, outcome.full)
    result = outcome.result
    return ReconcileOutcome(outcome.as_of, False, result.new, result.resolved, result.reopened, result.open,
                            outcome.settlements, outcome.full, outcome.why_full, outcome.judged_orders)


@dataclass
class _Computed:
    as_of: dict
    result: StoreResult
    settlements: int
    markets: dict
    full: bool
    earlier: bool = False
    why_full: str = ""
    judged_orders: int = 0


def _bounded_night(account: str, as_of, policy, digest: str):
    """Tonight as a bounded night with its scope planned, or why it must be full."""
    with get_engine().connect() as c:
        state = bounded.read_state(c, account)
        if state is None:  # a first run is full: its settlements are read once, by the full run
            return bounded.why_full(c, state, account, digest, {})
        files = _report_files(c, account)
        settlements = settlements_frame(c, account, files)
        markets = bounded.markets_of(settlements, as_of, policy)
        why = bounded.why_full(c, state, account, digest, markets)
        if why:
            return why
        night = bounded.Night(c, account, policy, files, settlements, state, markets)
        bounded.plan(night)
        night.conn = None
        return night


def _run_bounded(night, account: str, as_of, policy, find) -> _Computed:
    from sellerops.reconciliation import reconcile

    with get_engine().connect() as c:
        night.conn = c
        inp = bounded.load_scoped(night)
        scope = night.scope
        records = [f for f in (find or reconcile)(inp, as_of, policy)
                   if scope.judges(f.kind, f.settlement_id, f.order_id)]
        records += bounded.carried(c, account, scope)
        night.conn = None
    result = store(records, procedure=PROCEDURE, account=account, resolve_missing=True)
    return _Computed({k: str(v) for k, v in _as_of_by_market(night.settlements, as_of).items()}, result,
                     len(scope.settlements), night.markets, full=False,
                     judged_orders=len(scope.orders | scope.unsettled | scope.unpaid))


def _run_full(account: str, as_of, policy, prev, find) -> _Computed:
    from sellerops.reconciliation import reconcile

    with get_engine().connect() as c:
        # in bounded pieces when the history outgrows the budget: memory follows a piece, not the
        # history — on a Dask cluster too, whose `find` would need the whole input in this process
        full = None if pieces.fits(c, account) else pieces.full_findings(c, account, as_of, policy)
    if full is not None:
        records, settlements = full.findings, full.settlements
    else:
        # the settlement-local rules in the night's worker process when the ingestion left one
        # (sellerops.core.helper), which loads their tables itself while this one loads them all;
        # `find` (the Dask flow's) is handed the whole input and splits it itself
        elsewhere = _settlement_rules_elsewhere(account, as_of, policy) if find is None else None
        inp = load_input(account)
        if elsewhere is None:
            records = (find or reconcile)(inp, as_of, policy)
        else:
            records = _with_settlement_rules(inp, as_of, policy, elsewhere)
        settlements = inp.settlements
        del inp
    # The run just read every live copy (and wrote the missing ones), so it knows which copies are
    # stale; a read alone must not delete files another process may still be using.
    framecache.prune(live_copies())
    as_ofs = _as_of_by_market(settlements, as_of)
    single = max(as_ofs.values()) if as_ofs else as_of
    # Judged at an earlier date than the last run, a finding missing now was not settled: it
    # simply is not due yet at that date, so it stays as it was instead of reading as recovered.
    earlier = prev is not None and prev.as_of is not None and single is not None and single < prev.as_of
    result = store(records, procedure=PROCEDURE, account=account, resolve_missing=not earlier)
    return _Computed({k: str(v) for k, v in as_ofs.items()}, result, len(settlements),
                     bounded.markets_of(settlements, as_of, policy), full=True, earlier=earlier)


# What the settlement-local rules read (`partition.SETTLEMENT_RULES`): a settlement's own lines
# and the settlements table, from which every piece derives the same as-of per market.
_SETTLEMENT_TABLES = ("settlements", "settlement_lines")


def _settlement_rules_elsewhere(account: str, as_of, policy) -> Future | None:
    """The settlement-local rules, started in the night's worker process; None without one."""
    worker = helper.pool()
    if worker is None:
        return None
    env = {k: v for k, v in os.environ.items() if k.startswith("SELLEROPS_")}
    try:
        return worker.submit(settlement_rules_findings, env, account, as_of, policy)
    except RuntimeError:  # the pool is shut down or broken: judged here
        return None


def warm_up() -> None:
    """(In the night's worker, before the reconciliation.) The rules imported and the database
    engine open, so that `settlement_rules_findings` starts at once."""
    get_engine()


def settlement_rules_findings(env: dict[str, str], account: str, as_of, policy) -> list[FindingRecord]:
    """(In the night's worker.) The findings of the settlement-local rules over the account's stored
    settlements, with the caller's SELLEROPS_* settings."""
    os.environ.update(env)
    for name in [k for k in os.environ if k.startswith("SELLEROPS_") and k not in env]:
        del os.environ[name]
    return _settlement_rules(load_input(account, only=_SETTLEMENT_TABLES), as_of, policy)


def _settlement_rules(inp: ReconcileInput, as_of, policy) -> list[FindingRecord]:
    return run_partition(Partition("settlement rules", SETTLEMENT_RULES, inp, bucket=0), as_of, policy)


def _with_settlement_rules(inp: ReconcileInput, as_of, policy, elsewhere: Future) -> list[FindingRecord]:
    """Every finding over `inp`, as `reconcile` gives them: the order rules judged here, the
    settlement-local ones taken from the worker (judged here too should the worker fail)."""
    mine = run_partition(Partition("order rules", ORDER_RULES, inp, bucket=0), as_of, policy)
    try:
        theirs = elsewhere.result()
    except Exception as exc:  # noqa: BLE001 - a worker that died or failed: the same rules, here
        log.warning("The settlement rules could not run in the worker process (%s): judged here instead.",
                    str(exc) or type(exc).__name__)
        theirs = _settlement_rules(inp, as_of, policy)
    return merge([theirs, mine])
