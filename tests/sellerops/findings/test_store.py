"""The findings store on a temporary SQLite database: upserts, resolution by procedure, claims."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sellerops.findings import (
    UnknownFinding,
    claim,
    close_claim,
    finding_json,
    list_findings,
    store,
)
from sellerops.storage import tables
from sellerops.storage.engine import get_engine
from tests.sellerops.findings.conftest import NIGHT, record

pytestmark = pytest.mark.usefixtures("sqlite_db")


def _by_id() -> dict[str, dict]:
    return {f["id"]: f for f in list_findings()}


def test_a_rerun_updates_and_never_duplicates():
    a, b = record(order_id="A"), record(order_id="B")
    first = store([a, b], procedure="reconciliation", now=NIGHT[0])
    again = store([a, b], procedure="reconciliation", now=NIGHT[1])
    assert sorted(first.new) == sorted([a.key, b.key]) and again.new == [] and again.open == 2
    got = _by_id()
    assert len(got) == 2
    # first_seen is the first night, last_seen the latest
    assert got[a.key]["first_seen"] == NIGHT[0].isoformat() and got[a.key]["last_seen"] == NIGHT[1].isoformat()


def test_a_run_resolves_only_its_own_procedures_findings():
    recon = record(kind="unsettled_order", order_id="R1")
    inbound = record(kind="inbound_shortage", order_id=None, sku="SKU-9")
    store([recon], procedure="reconciliation", now=NIGHT[0])
    # the first inbound run finds only its own finding: the reconciliation's stays open
    result = store([inbound], procedure="inbound", now=NIGHT[1])
    assert result.resolved == []
    got = _by_id()
    assert got[recon.key]["status"] == "open" and got[recon.key]["procedure"] == "reconciliation"
    assert got[inbound.key]["status"] == "open" and got[inbound.key]["procedure"] == "inbound"
    # a reconciliation run that no longer finds R1 resolves it, and leaves the inbound one alone
    result = store([], procedure="reconciliation", now=NIGHT[2])
    assert result.resolved == [recon.key]
    got = _by_id()
    assert got[recon.key]["status"] == "resolved" and got[inbound.key]["status"] == "open"


def test_a_resolved_finding_that_holds_again_reopens():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    store([], procedure="reconciliation", now=NIGHT[1])
    again = store([a], procedure="reconciliation", now=NIGHT[2])
    assert again.reopened == [a.key] and again.new == []
    assert _by_id()[a.key]["status"] == "open"


def test_a_run_resolves_only_its_own_accounts_findings():
    mine, theirs = record(order_id="M", account="default"), record(order_id="T", account="other")
    store([mine], procedure="reconciliation", account="default", now=NIGHT[0])
    store([theirs], procedure="reconciliation", account="other", now=NIGHT[0])
    store([], procedure="reconciliation", account="default", now=NIGHT[1])
    got = _by_id()
    assert got[mine.key]["status"] == "resolved" and got[theirs.key]["status"] == "open"


def test_the_json_of_a_finding_carries_its_procedure_and_claim():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    [f] = list_findings()
    assert set(f) == {"id", "kind", "account", "marketplace", "settlement_id", "order_id", "sku", "line_no",
                      "shipment_id", "amount", "currency", "detail", "evidence", "first_seen", "last_seen", "status",
                      "claim_window_opens", "claim_window_closes", "procedure", "claim_state", "case_id", "claimed_at"}
    assert (f["procedure"], f["claim_state"], f["case_id"], f["claimed_at"]) == ("reconciliation", "none", None, None)
    assert f["amount"] == "12.34"


def test_list_findings_filters_by_procedure():
    store([record(order_id="R")], procedure="reconciliation", now=NIGHT[0])
    store([record(kind="inbound_shortage", order_id="I")], procedure="inbound", now=NIGHT[0])
    assert [f["order_id"] for f in list_findings(procedure="inbound")] == ["I"]
    assert [f["order_id"] for f in list_findings(procedure="reconciliation")] == ["R"]
    assert len(list_findings()) == 2


def test_a_claim_is_recorded_then_closed_and_never_moves_the_status():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    claimed = claim(a.key, "12345678901", now=NIGHT[1])
    assert (claimed["claim_state"], claimed["case_id"], claimed["claimed_at"]) == (
        "claimed", "12345678901", NIGHT[1].isoformat())
    assert claimed["status"] == "open"
    closed = close_claim(a.key, "reimbursed", now=NIGHT[2])
    assert (closed["claim_state"], closed["case_id"], closed["claimed_at"]) == (
        "reimbursed", "12345678901", NIGHT[1].isoformat())
    assert closed["status"] == "open"  # only evidence (a run) resolves a finding
    with get_engine().connect() as c:
        t = tables.Finding.__table__
        assert c.execute(sa.select(t.c.claim_closed_at).where(t.c.key == a.key)).scalar_one() == NIGHT[2]


def test_a_claim_survives_the_procedures_runs_and_its_resolution():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    claim(a.key, "C-1", now=NIGHT[1])
    store([a], procedure="reconciliation", now=NIGHT[2])
    assert _by_id()[a.key]["claim_state"] == "claimed"
    store([], procedure="reconciliation", now=NIGHT[3])  # the reimbursement arrived: evidence resolves it
    got = _by_id()[a.key]
    assert (got["status"], got["claim_state"], got["case_id"]) == ("resolved", "claimed", "C-1")


def test_an_outcome_without_a_claim_leaves_claimed_at_empty():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    got = close_claim(a.key, "denied", now=NIGHT[1])
    assert (got["claim_state"], got["case_id"], got["claimed_at"]) == ("denied", None, None)


def test_claiming_again_replaces_the_case_and_clears_the_outcome():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    claim(a.key, "C-1", now=NIGHT[1])
    close_claim(a.key, "denied", now=NIGHT[2])
    got = claim(a.key, "C-2", now=NIGHT[3])  # an appeal under a new case
    assert (got["claim_state"], got["case_id"], got["claimed_at"]) == ("claimed", "C-2", NIGHT[3].isoformat())


def test_a_finding_is_found_by_the_start_of_its_id_when_that_is_unambiguous():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    assert claim(a.key[:10], "C-1")["id"] == a.key  # the table view shows ten characters
    with pytest.raises(UnknownFinding):
        claim(a.key[:5], "C-1")


@pytest.mark.parametrize("finding_id", ["nosuchfinding", "", "%", "%%%%%%%%"])
def test_an_unknown_id_is_refused(finding_id):
    store([record()], procedure="reconciliation", now=NIGHT[0])
    with pytest.raises(UnknownFinding):
        claim(finding_id, "C-1")


def test_an_id_prefix_naming_several_findings_is_refused():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    with get_engine().begin() as c:  # a second finding whose key starts like the first (rare in real keys)
        t = tables.Finding.__table__
        row = c.execute(sa.select(t).where(t.c.key == a.key)).mappings().one()
        c.execute(t.insert().values({**{k: v for k, v in row.items() if k != "id"}, "key": a.key[:8] + "x" * 16}))
    with pytest.raises(UnknownFinding, match="several"):
        close_claim(a.key[:8], "denied")
    assert close_claim(a.key, "denied")["id"] == a.key  # the whole id is never ambiguous


def test_an_outcome_must_be_reimbursed_or_denied():
    a = record()
    store([a], procedure="reconciliation", now=NIGHT[0])
    with pytest.raises(ValueError):
        close_claim(a.key, "claimed")
    assert _by_id()[a.key]["claim_state"] == "none"


def test_store_needs_a_procedure():
    with pytest.raises(TypeError):
        store([record()], now=NIGHT[0])  # type: ignore[call-arg]


def test_finding_json_reads_a_stored_row():
    a = record(claim_window_opens=dt.date(2026, 7, 1), claim_window_closes=dt.date(2026, 9, 1))
    store([a], procedure="reconciliation", now=NIGHT[0])
    with get_engine().connect() as c:
        row = c.execute(sa.select(tables.Finding.__table__)).one()
    f = finding_json(row)
    assert (f["claim_window_opens"], f["claim_window_closes"]) == ("2026-07-01", "2026-09-01")
    assert f["evidence"] == [{"file": "/r/orders.txt", "line": 2, "values": {}}]


# ---- money that is still claimable --------------------------------------------------------------

def _windowed(order_id: str, closes: dt.date) -> object:
    return record(order_id=order_id, kind="refund_without_return", claim_window_opens=closes - dt.timedelta(days=60),
                  claim_window_closes=closes)


@pytest.mark.parametrize("today, status", [
    (dt.date(2026, 5, 10), "open"),     # the day before it closes
    (dt.date(2026, 5, 11), "open"),     # the last day: still claimable
    (dt.date(2026, 5, 12), "expired"),  # the day after it closes
])
def test_an_unclaimed_finding_expires_the_day_after_its_window_closes(today, status):
    a = _windowed("A", dt.date(2026, 5, 11))
    store([a], procedure="reconciliation", now=NIGHT[0])
    [got] = list_findings(today=today)
    assert got["status"] == status
    assert [f["id"] for f in list_findings(status=status, today=today)] == [a.key]
    other = "open" if status == "expired" else "expired"
    assert list_findings(status=other, today=today) == []


def test_a_finding_claimed_in_time_never_expires_one_claimed_late_does():
    in_time, late = _windowed("A", dt.date(2026, 5, 11)), _windowed("B", dt.date(2026, 5, 11))
    store([in_time, late], procedure="reconciliation", now=NIGHT[0])
    claim(in_time.key, "CASE-1", now=dt.datetime(2026, 5, 11, 23, 0, tzinfo=dt.timezone.utc))
    claim(late.key, "CASE-2", now=dt.datetime(2026, 5, 12, 9, 0, tzinfo=dt.timezone.utc))
    got = {f["id"]: f["status"] for f in list_findings(today=dt.date(2026, 9, 1))}
    assert got == {in_time.key: "open", late.key: "expired"}


def test_open_and_expired_findings_are_read_in_one_pass_as_two_reads_would_give_them():
    # A and B closed before June 1st unclaimed (expired), C and D are still claimable (open), E was
    # resolved by a later run: the one read is both reads, each in the soonest-deadline order
    a, b = _windowed("A", dt.date(2026, 5, 20)), _windowed("B", dt.date(2026, 5, 11))
    c, d, e = _windowed("C", dt.date(2026, 7, 1)), record(order_id="D"), _windowed("E", dt.date(2026, 6, 5))
    store([a, b, c, d, e], procedure="reconciliation", now=NIGHT[0])
    store([a, b, c, d], procedure="reconciliation", now=NIGHT[1])
    today = dt.date(2026, 6, 1)
    both = list_findings(status=["open", "expired"], today=today)
    assert [f["id"] for f in both] == [b.key, a.key, c.key, d.key]
    assert [f for f in both if f["status"] == "open"] == list_findings(status="open", today=today)
    assert [f for f in both if f["status"] == "expired"] == list_findings(status="expired", today=today)
    assert [f["id"] for f in list_findings(status=("resolved", "expired"), today=today)] == [b.key, a.key, e.key]


def test_an_unknown_status_is_refused_not_read_as_no_finding():
    store([record(order_id="A")], procedure="reconciliation", now=NIGHT[0])
    with pytest.raises(ValueError, match="'lost'"):
        list_findings(status=["open", "lost"])


def test_open_findings_come_soonest_deadline_first():
    later, sooner, none = _windowed("A", dt.date(2026, 7, 1)), _windowed("B", dt.date(2026, 6, 20)), record(order_id="C")
    store([later, sooner, none], procedure="reconciliation", now=NIGHT[0])
    assert [f["id"] for f in list_findings(today=dt.date(2026, 6, 1))] == [sooner.key, later.key, none.key]


def test_a_run_that_looks_at_less_resolves_nothing():
    a, b = record(order_id="A"), record(order_id="B")
    store([a, b], procedure="reconciliation", now=NIGHT[0])
    result = store([a], procedure="reconciliation", now=NIGHT[1], resolve_missing=False)
    assert result.resolved == [] and _by_id()[b.key]["status"] == "open"
