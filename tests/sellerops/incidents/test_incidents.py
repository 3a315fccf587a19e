"""Takedown incidents in sellerops' tables: one open per listing, tiers, the appeal guard, closing."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops import decisions, incidents
from sellerops.incidents.poa import draft_poa
from sellerops.incidents.tiers import appeal_missing
from sellerops.storage.engine import session

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _open(s, sku="SKU-1", **kw):
    kw.setdefault("now", T0)
    return incidents.open_incident(s, account="acme", marketplace="Amazon.com", sku=sku, asin="B0TEST",
                                   reason="IP complaint: trademark", complaint_id="C-77", rights_owner="Brandco", **kw)


@pytest.mark.parametrize("poa, legal, missing", [
    (True, "appeal", []),
    (False, "appeal", ["an approved Plan of Action (tier 1)"]),
    (True, "retraction", ["a legal decision of appeal (tier 2; it is retraction)"]),
    (True, None, ["a legal decision of appeal (tier 2; legal has not decided)"]),
    (False, None, ["an approved Plan of Action (tier 1)", "a legal decision of appeal (tier 2; legal has not decided)"]),
])
def test_the_appeal_guard_names_what_is_missing(poa, legal, missing):
    assert appeal_missing(poa, legal) == missing


def test_one_open_incident_per_listing(db_url):
    with session() as s:
        first = _open(s)
        again = _open(s)
        other = _open(s, sku="SKU-2")
        s.commit()
        assert (first.id, first.created) == ("INC-1", True)
        assert (again.id, again.created) == ("INC-1", False)
        assert other.id == "INC-2"
        incidents.close(s, first.incident, "removal_accepted", now=T0 + dt.timedelta(days=1))
        s.commit()
        reopened = _open(s, now=T0 + dt.timedelta(days=2))
        assert reopened.created and reopened.id == "INC-3"


def test_tiers_are_owed_with_their_deadlines_and_roles(db_url):
    with session() as s:
        o = _open(s, hours=incidents.Hours(poa=0.5, legal=72, backup=4, escalate_every=1))
        j = incidents.incident_json(s, o.incident)
    assert [(t["tier"], t["name"], t["owner"], t["state"]) for t in j["tiers"]] == [
        (1, "poa", "customer_service", "waiting_input"), (2, "legal", "legal", "waiting_input"),
        (3, "backup", "operations", "waiting_input")]
    assert [t["deadline"] for t in j["tiers"]] == [
        (T0 + dt.timedelta(minutes=30)).isoformat(), (T0 + dt.timedelta(hours=72)).isoformat(),
        (T0 + dt.timedelta(hours=4)).isoformat()]
    assert [e["kind"] for e in j["timeline"]] == ["opened", "waiting", "waiting", "waiting"]


def test_refused_appeals_are_recorded_and_a_full_one_is_filed(db_url):
    with session() as s:
        o = _open(s)
        inc = o.incident
        with pytest.raises(incidents.AppealRefused) as refused:
            incidents.appeal(s, inc, by="ann", now=T0 + dt.timedelta(hours=1))
        assert "approved Plan of Action" in str(refused.value) and "legal" in str(refused.value)
        incidents.answer_tier(s, inc, 1, approve=True, by="cs", now=T0 + dt.timedelta(hours=2))
        incidents.answer_tier(s, inc, 2, decision="retraction", complaint_valid=False, by="lee",
                              now=T0 + dt.timedelta(hours=3))
        with pytest.raises(incidents.AppealRefused, match="it is retraction") as refused:
            incidents.appeal(s, inc, now=T0 + dt.timedelta(hours=4))
        assert refused.value.missing == ["a legal decision of appeal (tier 2; it is retraction)"]
        assert incidents.incident_json(s, inc)["appeal"]["allowed"] is False
        s.commit()

        o2 = _open(s, sku="SKU-2")
        incidents.answer_tier(s, o2.incident, 1, approve=True, text="# My POA\n", now=T0 + dt.timedelta(hours=1))
        incidents.answer_tier(s, o2.incident, 2, decision="appeal", now=T0 + dt.timedelta(hours=2))
        incidents.appeal(s, o2.incident, brand_registered=True, now=T0 + dt.timedelta(hours=3))
        j = incidents.incident_json(s, o2.incident)
        assert incidents.poa_text(s, o2.incident) == "# My POA\n"
    assert j["appeal"] == {"allowed": True, "filed_at": (T0 + dt.timedelta(hours=3)).isoformat(),
                           "priority_review": True}
    assert [e["kind"] for e in j["timeline"]][-1] == "appeal_filed"
    assert "24 h priority review" in j["timeline"][-1]["what"]


def test_refusals_stay_in_the_timeline(db_url):
    with session() as s:
        inc = _open(s).incident
        with pytest.raises(incidents.AppealRefused):
            incidents.appeal(s, inc, by="ann", now=T0 + dt.timedelta(hours=1))
        s.commit()
    with session() as s:
        tl = incidents.incident_json(s, incidents.get(s, "INC-1"))["timeline"]
    assert [(e["kind"], e["by"]) for e in tl if e["kind"] == "appeal_refused"] == [("appeal_refused", "ann")]


def test_a_breached_tier_answered_late_is_done_and_keeps_breached_at(db_url):
    with session() as s:
        inc = _open(s, hours=incidents.Hours(backup=1, escalate_every=2)).incident
        decisions.sweep(s, now=T0 + dt.timedelta(hours=3.5))
        tier3 = incidents.incident_json(s, inc)["tiers"][2]
        assert (tier3["state"], tier3["escalated_to"]) == ("breached", "owner")
        incidents.set_backup(s, "acme", "Amazon.com", "SKU-1", "SKU-1-B")
        incidents.answer_tier(s, inc, 3, confirm=True, by="ops", now=T0 + dt.timedelta(hours=4))
        j = incidents.incident_json(s, inc)
    tier3 = j["tiers"][2]
    assert (tier3["state"], tier3["breached_at"], tier3["answered_by"]) == (
        "done", (T0 + dt.timedelta(hours=1)).isoformat(), "ops")
    kinds = [(e["kind"], e["tier"]) for e in j["timeline"] if e["tier"] == 3]
    assert kinds == [("waiting", 3), ("breached", 3), ("escalated", 3), ("escalated", 3), ("answered", 3)]
    assert "SKU-1-B launched" in j["timeline"][-1]["what"]


def test_tier_answers_are_checked(db_url):
    with session() as s:
        inc = _open(s).incident
        with pytest.raises(incidents.IncidentError, match="--approve"):
            incidents.answer_tier(s, inc, 1)
        with pytest.raises(incidents.IncidentError, match="expected one of appeal, retraction, accept_removal"):
            incidents.answer_tier(s, inc, 2, decision="maybe")
        with pytest.raises(incidents.IncidentError, match="no backup listing is configured for SKU-1"):
            incidents.answer_tier(s, inc, 3, confirm=True)
        incidents.answer_tier(s, inc, 3, confirm=True, backup_sku="OTHER", by="ops")
        with pytest.raises(incidents.IncidentError, match="already answered by ops"):
            incidents.answer_tier(s, inc, 3, confirm=True, backup_sku="OTHER")


def test_closing_withdraws_what_was_still_owed(db_url):
    with session() as s:
        inc = _open(s).incident
        incidents.answer_tier(s, inc, 1, approve=True, now=T0 + dt.timedelta(hours=1))
        assert len(decisions.owed(s, procedure="listing-takedown")) == 2
        incidents.close(s, inc, "reinstated", by="owner", now=T0 + dt.timedelta(days=3))
        assert decisions.owed(s) == []
        j = incidents.incident_json(s, inc)
        with pytest.raises(incidents.IncidentError, match="already closed"):
            incidents.close(s, inc, "reinstated")
        with pytest.raises(incidents.IncidentError, match="closed"):
            incidents.answer_tier(s, inc, 2, decision="appeal")
    assert (j["status"], j["outcome"], j["closed_at"]) == ("closed", "reinstated", (T0 + dt.timedelta(days=3)).isoformat())
    assert j["timeline"][-1]["kind"] == "closed" and [t["state"] for t in j["tiers"]] == ["done", "pending", "pending"]


def test_a_buyable_listing_closes_only_after_an_appeal_or_retraction(db_url):
    with session() as s:
        inc = _open(s).incident
        assert incidents.listing_buyable(s, "acme", "Amazon.com", "SKU-1") is None  # nothing explains it
        incidents.answer_tier(s, inc, 2, decision="retraction")
        closed = incidents.listing_buyable(s, "acme", "Amazon.com", "SKU-1", now=T0 + dt.timedelta(days=1))
        assert closed is inc and inc.outcome == "reinstated"


def test_the_poa_draft_answers_amazons_three_questions_with_its_evidence():
    md = draft_poa(incident="INC-4", sku="SKU-1", asin="B0TEST", marketplace="Amazon.com", reason="IP complaint",
                   complaint_id="C-77", rights_owner="Brandco", opened_at=T0)
    for heading in ("## Root cause", "## Actions taken", "## Prevention", "## Evidence checklist"):
        assert heading in md
    # invoices no older than 365 days before the takedown
    assert "dated 2025-11-02 or later" in md and "365 days" in md
    assert "Letters of authorisation from the supplier" in md and "C-77" in md and "Brandco" in md


def test_tiers_waiting_in_runs_are_the_unanswered_ones_a_run_serves(db_url):
    with session() as s:
        inc = _open(s).incident
        assert incidents.tiers_waiting_in_runs(s, inc) == []  # no run serves them (the command line does)
        for n in (1, 2):
            incidents.mark_waiting(s, inc, n, run_id=f"run-{n}")
        incidents.answer_tier(s, inc, 1, approve=True, now=T0)
        assert [t.run_id for t in incidents.tiers_waiting_in_runs(s, inc)] == ["run-2"]
