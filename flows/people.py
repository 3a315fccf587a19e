"""Waiting for a person inside a flow run: the one way every SOP's form waits for its answer.

A run that belongs to a deployment suspends on its RunInput form, so no worker is held and a worker
restart loses nothing; any other run (a local run, the test harness, a subflow) cannot suspend and
pauses in place instead, polling for the answer. Neither wait is the person's deadline: a run whose
pause times out is failed by Prefect, so the pause is given a timeout far beyond any deadline and
the deadline lives in sellerops' decisions and incidents, enforced by their sweeps. The takedown's
tiers and the returns' decisions both wait through `wait_for_answer`.
"""

from __future__ import annotations

import os
from typing import TypeVar

from prefect.context import FlowRunContext
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput

# How long a paused (not suspended) run blocks before Prefect fails it: far beyond any person's
# deadline, since the deadline is the sweeper's business, not the pause's.
PAUSE_TIMEOUT_SECONDS = 14 * 24 * 3600

Form = TypeVar("Form", bound=RunInput)


def this_run() -> tuple[str, bool]:
    """This flow run's id, and whether it belongs to a deployment (only those can suspend)."""
    run = FlowRunContext.get().flow_run
    return str(run.id), run.deployment_id is not None


def poll_seconds() -> int:
    """How often a paused run looks for its answer (SELLEROPS_PAUSE_POLL_SECONDS, default 10)."""
    return int(os.environ.get("SELLEROPS_PAUSE_POLL_SECONDS") or 10)


def wait_for_answer(form: type[Form], key: str) -> Form:
    """The person's answer to `form` (a RunInput, possibly `with_initial_data`): suspended when this
    run is deployed, paused in place otherwise. `key` names this wait within the run: a new key each
    time the question is asked again, since Prefect does not wait twice on one key."""
    _, deployed = this_run()
    if deployed:
        return suspend_flow_run(wait_for_input=form, timeout=None, key=key)
    return pause_flow_run(wait_for_input=form, timeout=PAUSE_TIMEOUT_SECONDS, key=key, poll_interval=poll_seconds())
