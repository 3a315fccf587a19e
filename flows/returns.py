"""The returns SOP: `returns-rma` decides every new return request hourly, and each request a
person must decide waits in a `return-decision` run of its own with a form.

The run reads what is new, decides it (sellerops.returns), writes labels, owes decisions and VIP
care tasks, and publishes the board: the queue waiting for people, the week's authorisation times
against the target, the top return reasons by SKU, and the returned units by SKU and disposition
with the action recorded. On a server (a deployed run, or `sellerops returns run` with one in use)
each request waiting for a person starts a run of the `return-decision` deployment that suspends on
its form (no worker held); without one (a local run, the test harness) `wait_for_people` runs them
here as subflows that pause in place (flows.people). The deadline lives in sellerops' decisions,
like the takedown's tiers: `sellerops returns decide` or `sellerops decisions answer` answer the
same decision and the form's run ends.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.input import RunInput
from pydantic import Field

from flows.people import this_run, wait_for_answer
from tasks.returns import (decide_returns, forget_ended_forms, link_form_run, record_form_answer, request_status,
                           returns_board, without_form)

DECISION_DEPLOYMENT = "return-decision/return-decision"


class ReturnDecision(RunInput):
    """Authorise this return (its label is written at once) or reject it."""

    approve: bool = Field(default=False, description="Tick to authorise; leave unticked to reject.")
    note: str = Field(default="", description="Why, for the record.")
    by: Optional[str] = Field(default=None, description="Your name.")


def _policy(policy_block: Optional[str]):
    from blocks.returns_policy import load_returns_policy

    return load_returns_policy(policy_block).policy()


@flow(name="returns-rma", log_prints=True, persist_result=False)
def returns_rma(now: Optional[dt.datetime] = None, policy_block: Optional[str] = None,
                wait_for_people: bool = False, forms_on_server: bool = False) -> dict:
    """Decide the new return requests, write labels, owe decisions and care tasks, publish the board.

    A deployed run starts a `return-decision` run with a form for each request waiting for a person;
    so does any run given `forms_on_server` (`sellerops returns run` with a server in use). Otherwise
    `wait_for_people` decides them here, each form pausing in place; without either they stay owed.
    """
    from blocks.escalation import load_escalation_policy

    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    policy = _policy(policy_block)
    result = decide_returns(now, policy, load_escalation_policy().chain)
    for warning in result["warnings"]:
        get_run_logger().warning(warning)
    board = returns_board(policy, now)
    create_markdown_artifact(key="returns-queue", markdown=board["queue"],
                             description="Return requests waiting for people, and VIP care tasks")
    create_table_artifact(key="returns-authorisation-times", table=board["times"] or [{"week": "-"}],
                          description=f"Authorisation hours per ISO week against the {policy.decision_hours:g} h target")
    create_table_artifact(key="returns-top-reasons", table=board["reasons"] or [{"sku": "-"}],
                          description="Top return reasons by SKU this week and last, with the return rate of their week")
    create_table_artifact(key="returns-unit-dispositions", table=board["units"] or [{"sku": "-"}],
                          description="Returned units this week and last by SKU and disposition, with the action "
                                      "recorded (restock, supplier_or_grading, none)")
    print(f"{result['new']} new requests: {result['authorized_auto']} authorised automatically, "
          f"{result['needs_person']} for a person, {result['labels']} labels, {result['care_tasks']} care tasks")
    waiting = [tuple(w) for w in result["waiting"]]
    _, deployed = this_run()
    result["forms"] = 0
    if deployed or forms_on_server:
        forget_ended_forms()  # a form cancelled or crashed in the UI: its request is asked again
        result["forms"] = _start_decision_runs(without_form(), policy_block)
    elif waiting and wait_for_people:
        _decide_here(waiting, policy_block)
    return result


def _start_decision_runs(waiting: list[tuple[str, str]], policy_block: Optional[str]) -> int:
    """A `return-decision` run per request (RMA, SKU) not yet given one; the count started. A server
    without that deployment leaves the decisions owed (answered on the command line) and says so once."""
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    started = 0
    for rma, sku in waiting:
        try:
            run = run_deployment(DECISION_DEPLOYMENT, timeout=0, as_subflow=False, tags=[rma],
                                 parameters={"rma_id": rma, "sku": sku, "policy_block": policy_block})
        except ObjectNotFound:
            get_run_logger().warning("no %s deployment on this server (`make up` deploys it): %d requests wait "
                                     "for `sellerops returns decide`", DECISION_DEPLOYMENT, len(waiting) - started)
            break
        link_form_run(rma, sku, str(run.id))
        started += 1
    return started


def _decide_here(waiting: list[tuple[str, str]], policy_block: Optional[str]) -> None:
    """The forms side by side as subflows, each pausing in place (no deployment to suspend)."""
    with ThreadPoolExecutor(max_workers=min(len(waiting), 8), thread_name_prefix="return") as pool:
        futures = [pool.submit(contextvars.copy_context().run, return_decision, rma, sku, policy_block)
                   for rma, sku in waiting]
        for f in futures:
            f.result()


@flow(name="return-decision", log_prints=True, persist_result=True)
def return_decision(rma_id: str, sku: str, policy_block: Optional[str] = None) -> str:
    """One return request waiting for a person: done when answered here or on the command line."""
    run_id, _ = this_run()
    link_form_run(rma_id, sku, run_id)
    attempt = 0
    while True:
        status = request_status(rma_id, sku)
        if status["settled"]:
            break
        form = ReturnDecision.with_initial_data(description=f"{status['description']}: answer by {status['deadline']}")
        answer = wait_for_answer(form, key=f"answer-{attempt}")
        if not request_status(rma_id, sku)["settled"]:  # answered on the command line meanwhile: that stands
            got = record_form_answer(rma_id, sku, answer.model_dump(), _policy(policy_block))
            get_run_logger().info("%s %s: %s", rma_id, sku, got)
        attempt += 1
    return status["status"]
