"""The account-health watch: `account-health-watch` every hour, and the flows that answer its critical warnings.

The watch composes tasks/health.py: measure and judge every signal at its clock, record warnings
and level changes, emit one Prefect event per level change (`sellerops.health.<signal>.<level>`,
the subject as resource), and publish the board — each signal's level, value, target and trend as
markdown, and the open warnings as a table. The deployments' triggers in prefect.yaml (checked
against sellerops.health.actions by a test) start the answering flows below from those events;
each records what it proposes or does and asks a person through sellerops.decisions.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from blocks.health_policy import load_policy_block
from sellerops.health import actions, board
from sellerops.health.service import event
from tasks.health import answer_health_warning, emit_health_events, evaluate_account_health


def _clock(now: Optional[dt.datetime]) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.timezone.utc)
    return now.replace(tzinfo=dt.timezone.utc) if now.tzinfo is None else now.astimezone(dt.timezone.utc)


@flow(name="account-health-watch", log_prints=True, persist_result=False)
def account_health_watch(now: Optional[dt.datetime] = None, policy_block: Optional[str] = None) -> dict:
    """Evaluate every account-health rule at `now` (default: the current time; the 7-, 14- and 30-day
    windows end there), record warnings and level changes, emit an event per change, publish the board."""
    now = _clock(now)
    policy = load_policy_block(policy_block)
    thresholds = policy.thresholds()
    snap = evaluate_account_health(now, thresholds, policy.windows())
    run = snap["run"]
    emitted = emit_health_events([event(c) for c in run.changes])
    text = board.markdown(run.judged, snap["trends"], thresholds, now.strftime("%Y-%m-%d %H:%M UTC"), snap["frozen"])
    create_markdown_artifact(key="account-health", markdown=text,
                             description="Each signal's level, value, target and trend")
    create_table_artifact(key="account-health-warnings", table=board.warnings_table(snap["warnings"], thresholds)
                          or [{"signal": "", "subject": "no open warning"}],
                          description="Open account-health warnings, worst first")
    for c in run.changes:
        print(f"{c.signal} {c.subject}: {c.from_level} → {c.to_level} ({c.value})"
              + (f", answered by {c.procedure}" if c.procedure else ""))
    return {"measured": len(run.judged), "changes": len(run.changes), "events": emitted,
            "open": len(snap["warnings"])}


def _answer(procedure: str, signal: str, subject: str, now: Optional[dt.datetime],
            policy_block: Optional[str]) -> dict:
    policy = load_policy_block(policy_block)
    done = answer_health_warning(procedure, signal, subject, _clock(now), policy.settings(), policy.thresholds(),
                                 policy.notify_block)
    lines = [f"# {procedure}: {signal} {subject}", ""] + [f"- **{k}**: {v}" for k, v in done.items()
                                                            if k not in ("signal", "subject")]
    create_markdown_artifact(key=procedure, markdown="\n".join(lines) + "\n",
                             description=f"What {procedure} recorded for {subject}")
    print(f"{procedure} {signal} {subject}: {done}")
    return done


@flow(name=actions.RECHECK, log_prints=True, persist_result=False)
def account_health_recheck(signal: str, subject: str, now: Optional[dt.datetime] = None,
                           policy_block: Optional[str] = None) -> dict:
    """A critical Amazon metric: ask a person to recheck it with its trend (and pause ads for the order defect rate)."""
    return _answer(actions.RECHECK, signal, subject, now, policy_block)


@flow(name=actions.CLEARANCE, log_prints=True, persist_result=False)
def slow_mover_clearance(sku: str, now: Optional[dt.datetime] = None, policy_block: Optional[str] = None) -> dict:
    """A SKU with too many days of cover: propose a markdown or removal, with its age, for a person to approve."""
    return _answer(actions.CLEARANCE, "inventory_turnover", sku, now, policy_block)


@flow(name=actions.KEYWORDS, log_prints=True, persist_result=False)
def keyword_task_list(keyword: str, now: Optional[dt.datetime] = None, policy_block: Optional[str] = None) -> dict:
    """A keyword converting poorly: write its optimisation task list."""
    return _answer(actions.KEYWORDS, "ad_conversion", keyword, now, policy_block)


@flow(name=actions.SUPPLIER_SWITCH, log_prints=True, persist_result=False)
def supplier_switch(supplier: str, now: Optional[dt.datetime] = None, policy_block: Optional[str] = None) -> dict:
    """A supplier missing its arrival dates: switch its SKUs to their backup supplier and notify."""
    return _answer(actions.SUPPLIER_SWITCH, "supplier_lead_time", supplier, now, policy_block)


@flow(name=actions.WAREHOUSE_FREEZE, log_prints=True, persist_result=False)
def warehouse_freeze(location: str, now: Optional[dt.datetime] = None, policy_block: Optional[str] = None) -> dict:
    """A location whose counts disagree with the system: freeze its operations until a person lifts the freeze."""
    return _answer(actions.WAREHOUSE_FREEZE, "inventory_accuracy", location, now, policy_block)
