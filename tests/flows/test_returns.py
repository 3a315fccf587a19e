"""The returns-rma flow end to end under the Prefect test harness: requests decided, the two that
need a person wait in return-decision runs that pause on their form (no deployment under the
harness, so no suspension); one is answered through its RunInput form as the UI posts it, the
other on the command line's side (recorded, then its run is woken). The board's artifacts are
published (the returned units' dispositions and actions among them), with no buyer e-mail in any of them or in the logs."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import threading
from uuid import UUID

import pytest

from tests.flows.test_takedown import WAIT, _key_filter, _paused, until
from tests.sellerops.returns.files import (ACTIONABLE_HEADER, FBA_RETURNS_HEADER, ORDERS_HEADER, RMA_HEADER,
                                           actionable_line, fba_return_line, ingest, order_line, rma_line, write)

pytestmark = pytest.mark.usefixtures("prefect_harness")
NOW = dt.datetime(2025, 7, 12, 8, 0, tzinfo=dt.timezone.utc)
VIP = "vipbuyer55@marketplace.amazon.de"


def _form_runs() -> dict[str, str]:
    from sellerops.returns import service

    return {r: runs[0] for r in ("RBIG", "ROUT") if (runs := service.form_runs(r))}


def test_returns_flow_with_one_request_answered_through_the_form(sellerops_home, tmp_path, monkeypatch, caplog):
    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    from flows.returns import returns_rma
    from sellerops.returns import service
    from tasks.returns import wake_form_runs

    monkeypatch.setenv("SELLEROPS_PAUSE_POLL_SECONDS", "1")
    started = dt.datetime.now(dt.timezone.utc)  # the session's server holds other tests' artifacts too
    history = [f"302-000010{i}-0000000" for i in range(4)]
    ingest(write(tmp_path / "rma.txt", RMA_HEADER + [""], [
        rma_line("302-0000001-0000001", "RAUTO", "TASSE", currency="EUR", amount="19,99"),
        rma_line("302-0000002-0000002", "RBIG", "LAMPE", currency="EUR", amount="300,00"),
        rma_line("302-0000003-0000003", "ROUT", "TASSE", currency="EUR", in_policy="N")]),
        write(tmp_path / "act.txt", ACTIONABLE_HEADER,
              [actionable_line(o, VIP, city="Berlin", state="", postal="10115", country="DE")
               for o in ["302-0000002-0000002"] + history]),
        write(tmp_path / "orders.txt", ORDERS_HEADER,
              [order_line(o, "TASSE", "150,00", f"2025-0{i + 2}-01T10:00:00+00:00", currency="EUR", channel="Amazon.de")
               for i, o in enumerate(history)]),
        write(tmp_path / "fba.txt", FBA_RETURNS_HEADER, [  # FBA units back this week: their dispositions on the board
            fba_return_line(history[0], "TASSE", "2025-07-08T10:00:00+00:00", 2),
            fba_return_line(history[1], "TASSE", "2025-07-09T10:00:00+00:00", 1, disposition="DEFECTIVE")]))

    result: dict = {}
    ctx = contextvars.copy_context()
    runner = threading.Thread(target=lambda: result.update(ctx.run(returns_rma, now=NOW, wait_for_people=True)),
                              daemon=True)
    runner.start()
    runs = until("two forms waiting", lambda: (r := _form_runs()) and len(r) == 2 and all(_paused(x) for x in r.values()) and r)

    # RBIG through its form, as the UI posts it
    resume_flow_run(UUID(runs["RBIG"]), run_input={"approve": True, "note": "VIP, keep them happy", "by": "ui-sam"})
    # ROUT on the command line's side: recorded, then its form is woken and ends without asking again
    service.decide("ROUT", approve=False, note="worn", by="kim")
    until("the ROUT form woken", lambda: wake_form_runs("ROUT") or not _paused(runs["ROUT"]))
    runner.join(WAIT)
    assert not runner.is_alive()
    assert (result["new"], result["authorized_auto"], result["needs_person"]) == (3, 1, 2)

    by = {r["rma_id"]: r for r in service.list_requests()}
    assert (by["RBIG"]["status"], by["RBIG"]["decided_by"], by["RBIG"]["label"] is not None) == ("authorized", "ui-sam", True)
    assert (by["ROUT"]["status"], by["ROUT"]["decided_by"]) == ("rejected", "kim")
    # the German VIP: the formal register by default
    assert (by["RBIG"]["vip"], by["RBIG"]["care_script"], by["RBIG"]["currency"]) == (True, "de-formal", "EUR")

    with get_client(sync_client=True) as client:
        artifacts = {key: sorted((a for a in client.read_artifacts(artifact_filter=_key_filter(key))
                                  if a.created >= started), key=lambda a: a.created)
                     for key in ("returns-queue", "returns-authorisation-times", "returns-top-reasons",
                                 "returns-unit-dispositions")}
        logs = " ".join(log.message for log in client.read_logs())
    assert all(artifacts.values())
    queue = artifacts["returns-queue"][-1].data
    assert "RBIG" in queue and "de-formal" in queue and "de-informal" in queue  # both German registers shown
    units = json.loads(artifacts["returns-unit-dispositions"][-1].data)
    assert [(u["sku"], u["disposition"], u["action"], u["units"]) for u in units] == [
        ("TASSE", "SELLABLE", "restock", 2), ("TASSE", "DEFECTIVE", "supplier_or_grading", 1)]
    every = " ".join(str(a.data) for arts in artifacts.values() for a in arts)
    assert VIP not in every and VIP not in logs and VIP not in caplog.text


def test_a_form_run_that_ended_unanswered_is_forgotten_so_its_request_is_asked_again(sellerops_home, tmp_path):
    """A form cancelled (or crashed, or deleted) on the server leaves its request with nobody asked:
    the next run on a server unlinks it and starts a new one; a form still waiting stays linked."""
    from prefect import get_client
    from prefect.states import Cancelled, Paused

    from flows.returns import return_decision
    from sellerops.returns import service
    from tasks.returns import forget_ended_forms

    ingest(write(tmp_path / "rma.txt", RMA_HEADER + [""], [
        rma_line("302-0000002-0000002", "RBIG", "LAMPE", currency="EUR", amount="300,00"),
        rma_line("302-0000003-0000003", "ROUT", "TASSE", currency="EUR", in_policy="N")]))
    service.run(now=NOW)
    assert sorted(r for r, _ in service.without_form()) == ["RBIG", "ROUT"]
    with get_client(sync_client=True) as client:
        cancelled = client.create_flow_run(return_decision, parameters={"rma_id": "ROUT", "sku": "TASSE"},
                                           state=Cancelled())
        waiting = client.create_flow_run(return_decision, parameters={"rma_id": "RBIG", "sku": "LAMPE"},
                                         state=Paused())
    service.link_form_run("ROUT", "TASSE", str(cancelled.id))
    service.link_form_run("RBIG", "LAMPE", str(waiting.id))
    assert service.without_form() == []

    # the task's body, as the flow runs it (a task run outside a flow would log without a run to log to)
    assert forget_ended_forms.fn() == 1
    assert service.without_form() == [("ROUT", "TASSE")]
    assert service.form_runs("RBIG") == [str(waiting.id)]
    assert forget_ended_forms.fn() == 0  # nothing else ended
