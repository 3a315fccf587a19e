"""The listing-takedown flow end to end under the Prefect test harness, with deadlines of seconds.

Each tier waits in a run of its own; under the harness (no deployment, so no suspension: that is
tested on the real server) the tier runs pause in place. Tier 1 is answered through its RunInput
form as the UI would, tier 2 on the command line's side (the flow sees it), tier 3 misses its
deadline, is swept (breached, escalated) and then answered late through its form.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import threading
import time
from pathlib import Path
from uuid import UUID

import pytest

pytestmark = pytest.mark.usefixtures("prefect_harness")
WAIT = 240  # seconds a step may take on a loaded machine before the test gives up (not an assertion)


def until(what, check, wait: float = WAIT, every: float = 0.5):
    """Poll `check` until it returns something true (returned); give up after `wait` seconds."""
    end = time.monotonic() + wait
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what}")


def _tier_runs(incident: str) -> dict[int, str]:
    from sellerops import incidents
    from sellerops.storage.engine import session

    with session() as s:
        try:
            inc = incidents.get(s, incident)
        except incidents.IncidentError:  # not opened yet
            return {}
        return {n: incidents.tier_of(s, inc, n)[0].run_id for n in (1, 2, 3)}


def _paused(run_id: str) -> bool:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(run_id)).state
    return bool(state and state.is_paused())


def test_takedown_end_to_end_with_a_missed_deadline(sellerops_home, monkeypatch):
    from prefect.flow_runs import resume_flow_run

    from flows.takedown import TakedownRequest, incident_deadline_sweeper, listing_takedown
    from sellerops import incidents
    from sellerops.incidents import service
    from sellerops.storage.engine import session
    from tasks.incidents import wake_tier_run

    monkeypatch.setenv("SELLEROPS_PAUSE_POLL_SECONDS", "1")
    request = TakedownRequest(sku="SKU-1", asin="B0TEST", reason="IP complaint", poa_hours=1, legal_hours=1,
                              backup_hours=2 / 3600, escalate_every_hours=1 / 3600)
    result: dict = {}
    ctx = contextvars.copy_context()
    runner = threading.Thread(target=lambda: result.update(ctx.run(listing_takedown, request)), daemon=True)
    runner.start()

    runs = until("three tier runs waiting", lambda: (r := _tier_runs("INC-1")) and all(r.values())
                  and all(_paused(x) for x in r.values()) and r)
    assert len(set(runs.values())) == 3  # each tier in a run of its own

    # tier 1 through its form, as the UI posts it
    resume_flow_run(UUID(runs[1]), run_input={"approve": True, "poa_markdown": "# POA\nedited", "by": "cs"})
    # tier 2 on the command line's side: recorded in sellerops' tables, then the run is woken
    with session() as s:
        incidents.answer_tier(s, incidents.get(s, "INC-1"), 2, decision="appeal", complaint_valid=False, by="lee")
        s.commit()
    assert wake_tier_run(runs[2])

    # tier 3 misses its 2-second deadline; the sweep at a given `now` breaches and escalates it
    deadline = dt.datetime.fromisoformat(service.incident_summary("INC-1")["tiers"][2]["deadline"])
    swept = incident_deadline_sweeper(now=deadline + dt.timedelta(seconds=5))
    assert [(e["subject"], e["role"]) for e in swept["escalations"]] == [
        ("INC-1", "operations_manager"), ("INC-1", "owner")]
    assert incident_deadline_sweeper(now=deadline + dt.timedelta(seconds=9))["escalations"] == []
    resume_flow_run(UUID(runs[3]), run_input={"confirm": True, "backup_sku": "SKU-1-B", "by": "ops"})

    runner.join(WAIT)
    assert not runner.is_alive() and result == {"incident": "INC-1", "created": True}
    j = service.incident_summary("INC-1")
    assert [(t["state"], t["answered_by"]) for t in j["tiers"]] == [("done", "cs"), ("done", "lee"), ("done", "ops")]
    assert j["tiers"][2]["breached_at"] == deadline.isoformat() and j["tiers"][2]["escalated_to"] == "owner"
    assert j["appeal"]["allowed"]
    with session() as s:
        assert incidents.poa_text(s, incidents.get(s, "INC-1")) == "# POA\nedited"

    from prefect import get_client

    with session() as s:
        incident_run = incidents.get(s, "INC-1").run_id
    with get_client(sync_client=True) as client:
        [artifact] = [a for a in client.read_artifacts(artifact_filter=_key_filter("inc-1-timeline"))
                      if str(a.flow_run_id) == incident_run]  # the incident's own run publishes it last
    assert "## Timeline" in artifact.data and "escalated to owner" in artifact.data

    # a second start for the same listing finds the open incident and waits for nothing
    assert listing_takedown(request) == {"incident": "INC-1", "created": False}


def _key_filter(key: str):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    return ArtifactFilter(key=ArtifactFilterKey(any_=[key]))


def test_two_alerts_for_one_listing_make_one_incident(sellerops_home):
    """listing-watch emits one alert per listing not already in an open incident; the takedown its
    trigger starts opens the incident once however many alerts name the listing."""
    from flows.listing_watch import listing_watch
    from sellerops.incidents import service

    inbox = sellerops_home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    header = "Status\tReason\tSKU\tASIN\tProduct name\tCondition\tStatus Change Date\tIssue Description\n"
    (inbox / "suppressed-1.txt").write_text(header + "Suppressed\tIP complaint\tSKU-7\tB07\tLamp\tNew\t2026-11-01\tx\n"
                                            "Suppressed\tSafety\tSKU-8\tB08\tCable\tNew\t2026-11-01\ty\n")
    (inbox / "suppressed-2.txt").write_text(header + "Suppressed\tIP complaint\tSKU-7\tB07\tLamp\tNew\t2026-11-02\tx\n")
    alerts = listing_watch()
    assert sorted(a["request"]["sku"] for a in alerts) == ["SKU-7", "SKU-8"]

    # the trigger starts listing-takedown once per alert; a repeated alert finds the open incident
    opened = [service.open_takedown(**a["request"]) for a in alerts + alerts]
    assert [o["created"] for o in opened] == [True, True, False, False]
    assert len({o["incident"] for o in opened}) == 2
    assert listing_watch() == []  # both listings are in open incidents: nothing new to alert


def test_the_trigger_starts_the_takedown_from_the_event():
    import yaml
    from pydantic import TypeAdapter
    from prefect.events import DeploymentTriggerTypes

    from sellerops.incidents.watch import EVENT

    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    [trigger] = [TypeAdapter(DeploymentTriggerTypes).validate_python(t)
                 for t in deployments["listing-takedown"]["triggers"]]
    assert trigger.expect == {EVENT} and trigger.parameters == {"request": "{{ event.payload.request }}"}
    assert [s["interval"] for s in deployments["incident-deadline-sweeper"]["schedules"]] == [300]
    assert [s["interval"] for s in deployments["listing-watch"]["schedules"]] == [900]


def test_the_takedown_request_is_a_typed_form():
    from flows.takedown import TakedownRequest, listing_takedown

    schema = listing_takedown.parameters.model_dump()
    assert "TakedownRequest" in str(schema["definitions"]) or "TakedownRequest" in str(schema)
    with pytest.raises(ValueError):
        TakedownRequest(sku="S", reason="r", poa_hours=-1)


def test_the_sweeper_notifies_through_the_configured_block_once(sellerops_home, monkeypatch):
    """A real webhook notification block, saved on the harness server, named by a saved EscalationPolicy."""
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from blocks.escalation import EscalationPolicy
    from flows.takedown import incident_deadline_sweeper
    from sellerops import decisions
    from sellerops.storage.engine import session

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        CustomWebhookNotificationBlock(name="sellerops", url=f"http://127.0.0.1:{server.server_address[1]}/",
                                       json_data={"text": "{{subject}}: {{body}}"}).save("escalations", overwrite=True)
        EscalationPolicy(notify_block="custom-webhook/escalations").save("test-escalations", overwrite=True)
        monkeypatch.setenv("SELLEROPS_ESCALATION_BLOCK", "test-escalations")
        t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
        with session() as s:
            decisions.ask(s, procedure="returns", subject="RMA-5", what="authorise the return", role="customer_service",
                          deadline=t0, escalate_every_hours=1, now=t0 - dt.timedelta(hours=1))
            s.commit()
        first = incident_deadline_sweeper(now=t0 + dt.timedelta(minutes=10))
        again = incident_deadline_sweeper(now=t0 + dt.timedelta(minutes=20))
    finally:
        server.shutdown()
        server.server_close()
    assert [(e["role"], e["notified"]) for e in first["escalations"]] == [("operations_manager", True)]
    assert again["escalations"] == []
    assert len(received) == 1 and "RMA-5 overdue, now with operations_manager" in received[0]["text"]


def test_a_notification_block_that_cannot_be_loaded_is_recorded_not_sent(sellerops_home, monkeypatch):
    """A saved EscalationPolicy naming a block the server does not have: the sweep still records each
    escalation, marked not sent with the reason, instead of failing."""
    from blocks.escalation import EscalationPolicy
    from flows.takedown import incident_deadline_sweeper
    from sellerops import decisions
    from sellerops.storage.engine import session
    from sellerops.storage.people import Escalation
    from sqlmodel import select

    EscalationPolicy(notify_block="custom-webhook/no-such-block").save("test-missing-block", overwrite=True)
    monkeypatch.setenv("SELLEROPS_ESCALATION_BLOCK", "test-missing-block")
    t0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
    with session() as s:
        decisions.ask(s, procedure="returns", subject="RMA-9", what="authorise the return", role="customer_service",
                      deadline=t0, escalate_every_hours=1, now=t0 - dt.timedelta(hours=1))
        s.commit()
    swept = incident_deadline_sweeper(now=t0 + dt.timedelta(minutes=10))
    assert [(e["role"], e["notified"]) for e in swept["escalations"]] == [("operations_manager", False)]
    with session() as s:
        [e] = s.exec(select(Escalation)).all()
    assert "notification block 'custom-webhook/no-such-block' could not be loaded" in e.notify_error
