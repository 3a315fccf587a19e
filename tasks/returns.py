"""Returns steps as Prefect tasks: thin wrappers over `sellerops.returns`.

Every step reads or writes sellerops' database, so each retries on an operational database error;
nothing else is retried. `wake_form_runs` is the CLI's side of an answer: it resumes the forms
waiting on the RMA, so the UI and the command line never disagree.
"""

from __future__ import annotations

import datetime as dt

from prefect import task

from sellerops.returns import service
from tasks.incidents import DB


@task(name="decide-returns", **DB)
def decide_returns(now: dt.datetime, policy, chain_tail: list[str] | None) -> dict:
    """Read the new return requests, decide them, owe decisions and care tasks, write labels."""
    return service.run(now=now, policy=policy, chain_tail=chain_tail).as_dict()


@task(name="returns-board", **DB)
def returns_board(policy, now: dt.datetime) -> dict:
    """The queue waiting for people, the week's authorisation times, top reasons and returned units, for the board."""
    from sellerops import decisions
    from sellerops.returns import measures, publish, units
    from sellerops.storage.engine import session

    rows = service.list_requests()
    with session() as s:
        owed = [decisions.as_json(d) for d in decisions.owed(s, procedure=service.PROCEDURE)]
    return {"queue": publish.queue_markdown(rows, owed, policy.decision_hours),
            "times": publish.times_table(rows, policy.decision_hours),
            "reasons": measures.top_reasons(service.settings().account, now),
            "units": units.week_table(now)}


@task(name="return-request-status", **DB)
def request_status(rma_id: str, sku: str) -> dict:
    """Whether the request still waits for a person, and what its form shows."""
    return service.waiting_for(rma_id, sku)


@task(name="record-return-answer", **DB)
def record_form_answer(rma_id: str, sku: str, form: dict, policy) -> str:
    """Record the answer a person gave in the request's form (an approval writes the label)."""
    return service.answer_from_form(rma_id, sku, form, policy)


@task(name="link-return-form-run", **DB)
def link_form_run(rma_id: str, sku: str, run_id: str) -> None:
    """Remember which flow run's form waits for the request."""
    service.link_form_run(rma_id, sku, run_id)


@task(name="returns-without-form", **DB)
def without_form() -> list[tuple[str, str]]:
    """The (RMA, SKU) requests waiting for a person whose form is not started yet."""
    return service.without_form()


@task(name="forget-ended-return-forms", **DB)
def forget_ended_forms() -> int:
    """Unlink the form runs that ended without an answer (cancelled, crashed, deleted on the server), so
    their requests get a new form; the count unlinked."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    linked = service.waiting_forms()
    if not linked:
        return 0
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(
            any_=[UUID(run_id) for _, _, run_id in linked])), limit=len(linked))
    alive = {str(r.id) for r in runs if r.state is None or not r.state.is_final()}
    return sum(service.unlink_form_run(rma, sku, run_id) for rma, sku, run_id in linked if run_id not in alive)


def wake_form_runs(rma_id: str) -> int:
    """Resume the paused or suspended forms waiting on `rma_id` (answered on the command line): they
    read the answer recorded and end. The count woken."""
    from uuid import UUID

    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    woken = 0
    for run_id in service.form_runs(rma_id):
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(run_id))
        if run.state and run.state.is_paused():
            # the form reads the recorded answer before this input, so what is sent here is never applied
            resume_flow_run(UUID(run_id), run_input={"approve": False, "note": "", "by": None})
            woken += 1
    return woken
