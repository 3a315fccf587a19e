"""The nightly-reconciliation flow end to end under the Prefect test harness, on generated data:
exactly the generator's planted findings; a rerun recomputes and duplicates nothing; a late return
resolves the finding it answers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from sellerops.demo import write_demo_data
from sellerops.findings import list_findings

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _key(f: dict) -> tuple:
    return (f["kind"], f.get("settlement_id"), f.get("order_id"), f.get("sku"), f.get("line_no"),
            Decimal(f["amount"]), f["currency"])


@pytest.fixture
def demo(tmp_path):
    return write_demo_data(tmp_path / "demo", orders_per_day=20, days=60, seed=11)


def test_nightly_finds_exactly_the_planted_findings_and_reruns_cleanly(demo, sellerops_home):
    from flows.nightly import nightly_reconciliation

    expected = [json.loads(line) for line in demo.expected_findings.read_text().splitlines()]
    assert {e["kind"] for e in expected} >= {"settlement_total_mismatch", "unsettled_order", "principal_mismatch",
                                             "duplicate_charge", "fee_outlier", "refund_without_return",
                                             "refund_exceeds_sale"}
    first = nightly_reconciliation(inbox=str(demo.out / "reports"))
    found = list_findings()
    assert sorted(map(_key, found)) == sorted(map(_key, expected))
    # the demo's dates are fixed: a claim window that closed before today is money lost, not at stake
    today = dt.datetime.now(dt.timezone.utc).date()
    closed = {f["id"] for f in found
              if f["claim_window_closes"] and dt.date.fromisoformat(f["claim_window_closes"]) < today}
    assert first["new"] == len(expected) - len(closed) and not first["skipped"]
    for f in found:
        assert f["status"] == ("expired" if f["id"] in closed else "open") and f["detail"] and f["evidence"]
        assert f["evidence"][0]["file"].startswith(str(demo.out / "reports"))

    again = nightly_reconciliation(inbox=str(demo.out / "reports"))
    assert again["skipped"] and again["new"] == 0
    assert [(f["id"], f["first_seen"]) for f in list_findings()] == [(f["id"], f["first_seen"]) for f in found]

    # A late customer return arrives for one refunded-never-returned order: that finding resolves.
    target = next(f for f in found if f["kind"] == "refund_without_return")
    inbox = sellerops_home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "late_returns.txt").write_text(
        "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
        "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n"
        f"2026-03-20T10:00:00+00:00\t{target['order_id']}\t{target['sku']}\tB000000000\tX000000000\tWidget\t1\t"
        "PHX7\tSELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\tLPNLATE0001\t\n")
    third = nightly_reconciliation(inbox=str(inbox))
    assert third["resolved"] == 1 and not third["skipped"]
    after = {f["id"]: f["status"] for f in list_findings()}
    assert after[target["id"]] == "resolved"
    assert sum(1 for s in after.values() if s == "open") == len(expected) - len(closed | {target["id"]})


def test_a_big_nights_worker_also_judges_the_settlement_rules(demo, sellerops_home, monkeypatch):
    """SELLEROPS_INGEST_WORKER=process (what a big night does by itself): the ingestion's worker
    process is kept for the night and judges the settlement-local rules while the flow judges the
    order rules (sellerops.core.helper); the findings are exactly the planted ones, and the worker
    stops with the night."""
    import multiprocessing

    from flows.nightly import nightly_reconciliation
    from sellerops.reconciliation import runs

    monkeypatch.setenv("SELLEROPS_INGEST_WORKER", "process")
    split = []
    real = runs._with_settlement_rules
    monkeypatch.setattr(runs, "_with_settlement_rules", lambda *a: split.append(a[3]) or real(*a))
    expected = [json.loads(line) for line in demo.expected_findings.read_text().splitlines()]
    before = set(multiprocessing.active_children())  # other tests' processes may still be ending
    nightly_reconciliation(inbox=str(demo.out / "reports"))
    assert len(split) == 1 and split[0].exception() is None and split[0].result()  # judged in the worker
    assert sorted(map(_key, list_findings())) == sorted(map(_key, expected))
    night = [p for p in multiprocessing.active_children() if p not in before]
    for worker in night:
        worker.join(timeout=30)
    assert not [p for p in night if p.is_alive()]


def test_nightly_publishes_the_board_artifacts(demo):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    from flows.nightly import nightly_reconciliation

    state = nightly_reconciliation(inbox=str(demo.out / "reports"), return_state=True)

    async def artifacts():  # this night's: the session's server holds other nights' under the same keys
        async with get_client() as c:
            return await c.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["reconciliation-summary", "open-findings", "data-docs",
                                            "validation-results"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))

    import asyncio

    got = {a.key: a for a in asyncio.run(artifacts())}
    assert set(got) == {"reconciliation-summary", "open-findings", "data-docs", "validation-results"}
    assert "| deadline | days left | amount |" in got["open-findings"].data
    md = got["reconciliation-summary"].data
    assert "Money at stake by kind" in md and "Ten largest open findings" in md and "unsettled_order" in md
    # a link artifact is stored as a markdown link to the night's Data Docs, which exist on disk
    link = got["data-docs"].data
    target = link[link.index("(file://") + len("(file://"):-1]
    assert target.endswith("gx/data_docs/index.html") and Path(target).exists()


def test_the_night_reads_its_findings_once_and_shows_open_and_lost_apart(demo):
    """Open and expired findings are the same stored rows: one task run reads both, and the board
    still counts them apart (the demo's fixed dates leave some claim windows closed)."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.nightly import nightly_reconciliation

    state = nightly_reconciliation(inbox=str(demo.out / "reports"), return_state=True)
    summary = state.result()

    async def task_names():
        async with get_client() as c:
            runs = await c.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
                any_=[state.state_details.flow_run_id])))
            return sorted(r.name.rsplit("-", 1)[0] for r in runs)

    names = asyncio.run(task_names())
    assert names.count("read-findings") == 1 and "reconcile-settlements" in names
    today = dt.datetime.now(dt.timezone.utc).date()
    expired = list_findings(status="expired", today=today)
    assert expired and summary["open"] == len(list_findings(status="open", today=today))
    assert f"; {len(expired)} lost (claim window closed unclaimed: " in summary["headline"]


def test_the_flow_only_composes_tasks_defined_in_tasks():
    """The flow module defines no task of its own: every step it runs lives in tasks/."""
    import flows.nightly as nightly
    from prefect import Task

    steps = {name: obj for name, obj in vars(nightly).items() if isinstance(obj, Task)}
    assert {"reconcile_settlements", "read_findings", "publish_findings", "notify_new_findings"} <= set(steps)
    assert {obj.fn.__module__ for obj in steps.values()} <= {"tasks.reconcile", "tasks.board"}


def test_a_night_that_quarantined_a_file_is_named_so_and_says_it_first(tmp_path):
    import shutil

    from flows.nightly import nightly_reconciliation

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = Path(__file__).resolve().parents[1] / "sellerops" / "reports" / "data"
    shutil.copy(data / "settlement_truncated.txt", inbox / "settlement_truncated.txt")
    state = nightly_reconciliation(inbox=str(inbox), return_state=True)
    assert state.is_completed() and state.name == "Completed with quarantined files"
    summary = state.result()
    assert summary["quarantined"] == [str(inbox / "settlement_truncated.txt")]
    assert summary["headline"].startswith("1 file quarantined; ")
