"""Saved responses through `sellerops ingest`'s pipeline, then tracked into the shared findings store."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from sellerops import findings
from sellerops.ingest import ingest_file, ingest_paths
from sellerops.inbound.store import track
from sellerops.storage import inbound as t
from sellerops.storage import tables
from sellerops.storage.engine import get_engine

from .conftest import T0


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def test_a_response_loads_once_and_a_bad_one_is_quarantined_with_its_reason(polls, sellerops_home):
    good = polls.shipments(T0, ("FBA1", "SHIPPED"))
    first = ingest_file(good)
    assert (first.status, first.report_type, first.rows) == ("loaded", "SPAPI_FBA_INBOUND_getShipments", 1)
    assert ingest_file(good).known  # the same file again: nothing recorded
    copy = polls.folder / "copy.json"
    copy.write_bytes(good.read_bytes())
    assert ingest_file(copy).status == "duplicate"
    bad = polls.save("getShipments", T0, {"payload": {"ShipmentData": [{"ShipmentId": "F", "ShipmentStatus": "?"}]}})
    out = ingest_file(bad)
    assert out.status == "quarantined" and "$.response.payload.ShipmentData[0].ShipmentStatus" in out.reason
    assert (sellerops_home / "quarantine" / bad.name).exists()
    with get_engine().connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(t.InboundObservation.__table__)).scalar() == 1


def _reconciliation_finding():
    """An open finding of the reconciliation, which the inbound store must leave alone."""
    with get_engine().begin() as c:
        c.execute(tables.Finding.__table__.insert().values(
            key="recon1", account="default", marketplace="Amazon.com", kind="unsettled_order", amount_cents=500,
            currency="USD", detail="x", status="open", first_seen=T0, last_seen=T0, procedure="reconciliation"))


def test_tracked_end_to_end_shortage_with_shipment_id(polls):
    _reconciliation_finding()
    polls.shipments(days(0), ("FBA1", "SHIPPED"), ("FBA2", "WORKING"))
    polls.shipments(days(3), ("FBA1", "DELIVERED"), ("FBA2", "WORKING"))
    polls.shipments(days(8), ("FBA1", "CLOSED"), ("FBA2", "WORKING"))
    polls.items(days(8), "FBA1", ("S1", 10, 7), ("S2", 5, 5))
    ingest_paths([polls.folder])
    r = track(now=days(9))
    assert r.recomputed and {x.shipment_id: x.node for x in r.shipments.values()} == {"FBA1": "closed",
                                                                                      "FBA2": "placement_confirmed"}
    # "open" as of the tracker's clock (the store judges expiry by the calendar day it is given)
    rows = {(f["kind"], f["shipment_id"], f["sku"]) for f in findings.list_findings(status="open", today=days(9).date())}
    # FBA2 has sat at placement_confirmed for 9 days, over its 48 h; S1 is 3 short; the reconciliation's stays open
    assert rows == {("inbound_shortage", "FBA1", "S1"), ("inbound_stuck", "FBA2", None), ("unsettled_order", None, None)}
    shortage = next(f for f in findings.list_findings(kind="inbound_shortage"))
    assert shortage["claim_window_opens"] == "2026-06-19" and shortage["claim_window_closes"] == "2026-08-03"
    assert json.loads(json.dumps(shortage["evidence"]))[0]["values"]["received"] == 7


def test_an_hourly_run_with_no_new_poll_records_nothing_again(polls):
    polls.shipments(days(0), ("FBA1", "SHIPPED"))
    polls.shipments(days(2), ("FBA1", "CHECKED_IN"))
    ingest_paths([polls.folder])
    first = track(now=days(2.1))
    assert [(x.node, x.entered_at) for x in first.transitions] == [
        ("shipped", days(0)), ("in_transit", None), ("delivered", None), ("checked_in", days(2))]
    again = track(now=days(2.2))
    assert not again.recomputed and again.transitions == []
    # the same day, no SLA crossed (checked_in's 72 h end at days(5)): nothing evaluated, said why
    assert again.evaluation is None and again.skipped.startswith("no new data since the run as of")
    # the status still reads the clock: hours in node move
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.store import evaluate_stored
    with get_engine().connect() as c:
        _, ev = evaluate_stored(c, "default", days(2.2), Policy())
    assert ev.status[0]["hours_in_node"] == round(0.2 * 24, 1)
    later = polls.shipments(days(3), ("FBA1", "RECEIVING"))
    ingest_file(later)
    third = track(now=days(3.1))
    assert [(x.node, x.entered_at) for x in third.transitions] == [("receiving", days(3))]
    with get_engine().connect() as c:
        e = t.InboundNodeEvent.__table__
        assert c.execute(sa.select(sa.func.count()).select_from(e)).scalar() == 5


def test_a_reimbursement_by_case_id_resolves_the_shortage(polls):
    polls.shipments(days(0), ("FBA1", "DELIVERED"))
    polls.shipments(days(5), ("FBA1", "CLOSED"))
    polls.items(days(5), "FBA1", ("S1", 10, 6))
    ingest_paths([polls.folder])
    track(now=days(6))
    (open_,) = findings.list_findings(kind="inbound_shortage", status="open", today=days(6).date())
    with get_engine().begin() as c:
        c.execute(t.InboundClaim.__table__.insert().values(account="default", shipment_id="FBA1", sku="S1",
                                                           case_id="C-42", filed_at=days(20)))
        fid = c.execute(tables.ReportFile.__table__.insert().values(
            account="default", path="r.txt", sha256="x", status="loaded", seen_at=days(30))).inserted_primary_key[0]
        c.execute(tables.Reimbursement.__table__.insert().values(
            account="default", marketplace="Amazon.com", approval_date=days(30), reimbursement_id="R1", case_id="C-42",
            reason="Lost_Inbound", sku="OTHER", quantity_reimbursed_total=4, report_file_id=fid, line_no=2))
    r = track(now=days(31))
    assert r.resolved == [open_["id"]]
    assert findings.list_findings(kind="inbound_shortage", status="open", today=days(31).date()) == []
    assert r.evaluation.status[0]["node"] == "reconciled" and r.evaluation.status[0]["units_short"] == 4


def test_reconciled_is_recorded_once_by_the_run_that_first_finds_it(polls):
    polls.shipments(days(0), ("FBA1", "DELIVERED"))
    polls.shipments(days(4), ("FBA1", "CLOSED"))
    polls.items(days(4), "FBA1", ("S1", 10, 10))
    ingest_paths([polls.folder])
    first = track(now=days(5))
    assert [(x.node, x.entered_at) for x in first.transitions][-2:] == [("closed", days(4)), ("reconciled", days(5))]
    assert first.evaluation.status[0]["entered_at"] == days(5).isoformat()
    ingest_file(polls.shipments(days(6), ("FBA1", "CLOSED")))  # a new poll: the observations are replayed
    again = track(now=days(7))
    assert again.recomputed and again.transitions == []
    assert again.evaluation.status[0]["node"] == "reconciled"
    assert again.evaluation.status[0]["hours_in_node"] == 48.0  # since day 5, not since this run


def test_status_before_the_tracker_runs_replays_without_writing(polls):
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.store import evaluate_stored

    polls.shipments(days(0), ("FBA1", "SHIPPED"))
    ingest_paths([polls.folder])
    with get_engine().connect() as c:
        _, ev = evaluate_stored(c, "default", days(1), Policy())
        assert [(r["shipment_id"], r["node"]) for r in ev.status] == [("FBA1", "shipped")]
        assert c.execute(sa.select(sa.func.count()).select_from(t.InboundShipment.__table__)).scalar() == 0
    # the tracker still records the transition as new
    assert [x.node for x in track(now=days(1)).transitions] == ["shipped"]


PERFORMANCE_HEADER = ("issue-reported-date\tshipment-creation-date\tfba-shipment-id\tfba-carton-id\tfulfillment-center-id\t"
                      "sku\tfnsku\tasin\tproduct-name\tproblem-type\tproblem-quantity\texpected-quantity\t"
                      "received-quantity\tperformance-measurement-unit\tcoaching-level\tfee-type\tcurrency\tfee-total\t"
                      "problem-level\talert-status")


def test_the_inbound_performance_report_is_evidence_on_the_shortage_and_its_claim_pack(polls, tmp_path):
    from sellerops.inbound import claims
    from sellerops.inbound.store import claim_pack_data

    polls.shipments(days(0), ("FBA1", "DELIVERED"), ("FBA2", "IN_TRANSIT"))
    polls.shipments(days(5), ("FBA1", "CLOSED"), ("FBA2", "IN_TRANSIT"))
    polls.items(days(5), "FBA1", ("S1", 10, 7), ("S2", 5, 5))
    report = tmp_path / "inbound-performance.txt"
    report.write_text("\n".join([
        PERFORMANCE_HEADER,
        "2026-06-06\t2026-05-30\tFBA1\tFBA1U001\tPHX7\tS1\tXS1\tB01\tMug\tMissing units\t3\t10\t7\tUnits\tProduct\t\t\t\tProduct\tActive",
        "2026-06-06\t2026-05-30\tFBA1\t\tPHX7\t\t\t\t\tMissing box content information\t1\t\t\tShipments\tShipment\t"
        "Manual processing fee\tUSD\t4.20\tShipment\tActive",
        "2026-06-06\t2026-05-30\tFBA1\tFBA1U002\tPHX7\tS2\tXS2\tB02\tCup\tUnlabeled\t5\t5\t5\tUnits\tProduct\t\t\t\tProduct\tActive",
        "2026-06-06\t2026-05-30\tFBA9\t\tPHX7\tS1\tXS1\tB01\tMug\tUnlabeled\t2\t4\t4\tUnits\tProduct\t\t\t\tProduct\tActive",
    ]) + "\n")
    assert {o.status for o in ingest_paths([polls.folder, report])} == {"loaded"}

    r = track(now=days(6))

    (shortage,) = findings.list_findings(kind="inbound_shortage", status="open", today=days(6).date())
    # S1's own line and the shipment-level one speak to S1's shortage; S2's and FBA9's do not
    assert "Amazon's inbound performance report: Missing units ×3 (S1, expected 10, received 7); " \
           "Missing box content information ×1" in shortage["detail"]
    reported = [e for e in shortage["evidence"] if e["file"] == str(report)]
    assert [(e["line"], e["values"]["problem_type"]) for e in reported] == [
        (2, "Missing units"), (3, "Missing box content information")]
    status = {s["shipment_id"]: s["problems"] for s in r.evaluation.status}
    assert status["FBA1"] == ["Missing units ×3 (S1, expected 10, received 7)", "Missing box content information ×1",
                              "Unlabeled ×5 (S2, expected 5, received 5)"]
    assert status["FBA2"] == []
    pack = claim_pack_data(shortage["id"])
    text = claims.markdown(pack)
    assert f"`{report}:2`" in text and "problem_type=Missing units" in text and f"`{report}:4`" in text


def test_a_run_with_nothing_new_still_evaluates_what_the_clock_or_other_inputs_changed(polls):
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.store import record_case

    def h(hours: float) -> dt.datetime:  # T0 is 08:00 UTC: h(16) is the next midnight, then h(40), h(64)
        return T0 + dt.timedelta(hours=hours)

    polls.shipments(h(0), ("FBA1", "IN_TRANSIT"))
    polls.shipments(h(2), ("FBA1", "CHECKED_IN"))  # checked_in's 72 h SLA ends at h(74)
    ingest_paths([polls.folder])
    assert track(now=h(3)).evaluation is not None  # the first run
    assert track(now=h(4)).skipped  # an hour later, nothing new
    assert track(now=h(17)).evaluation is not None  # a new UTC day: claim windows move by the day
    assert track(now=h(18)).skipped
    assert track(now=h(18)).evaluation is not None  # the same clock again is judged again, on purpose
    assert track(now=h(10)).evaluation is not None  # so is a clock that went back
    assert track(now=h(66)).evaluation is not None
    assert track(now=h(73)).skipped
    crossed = track(now=h(75))  # the SLA ended in between: the stuck finding is owed now
    assert crossed.evaluation is not None and "inbound_stuck" in crossed.evaluation.status[0]["findings"]
    assert track(now=h(76)).skipped
    # another policy, a recorded claim or a newly loaded report is new data
    longer = Policy().with_overrides(sla_hours={"checked_in": 100})
    assert track(now=h(77), policy=longer).evaluation is not None
    record_case("FBA1", "S1", "C-1", filed_at=h(77))
    assert track(now=h(78), policy=longer).evaluation is not None
    assert track(now=h(79), policy=longer).skipped
    polls.shipments(h(79), ("FBA1", "CHECKED_IN"))  # a poll that shows nothing new is still new data
    ingest_paths([polls.folder])
    assert track(now=h(80), policy=longer).evaluation is not None
