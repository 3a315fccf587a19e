"""The answering procedures: each records what it proposes or does once per warning, and what a person
decides goes through sellerops.decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from sellerops import decisions
from sellerops.health import procedures as p
from sellerops.health.service import run_watch
from sellerops.storage.engine import session
from sellerops.storage.health_watch import AdsPause, BackupSupplier, ClearanceProposal, KeywordTask, SupplierSwitch
from tests.sellerops.health.helpers import T0, hours, m, measuring


def _critical(s, *ms):
    run = run_watch(s, T0, measure=measuring(*ms))
    return p.answer_changes(s, run.changes, T0)


def test_odr_critical_pauses_ads_and_asks_for_a_recheck_once(sellerops_home):
    with session() as s:
        run_watch(s, T0 - hours(1), measure=measuring(m("odr", "ATVPDKIKX0DER/afn", "0.009", at=T0 - hours(1))))
        [done] = _critical(s, m("odr", "ATVPDKIKX0DER/afn", "0.0115"))
        again = p.recheck(s, "odr", "ATVPDKIKX0DER/afn", T0 + hours(1))  # the trigger fired twice
        assert done["procedure"] == "account-health-recheck" and done["ads_paused"] and again["decision"] == done["decision"]
        [pause] = s.exec(select(AdsPause)).all()
        assert (pause.marketplace, pause.channel, pause.lifted_at) == ("ATVPDKIKX0DER", "afn", None)
        [d] = decisions.owed(s, procedure=p.PROCEDURE)
        assert d.subject == "odr ATVPDKIKX0DER/afn" and "trend 0.009 → 0.0115" in d.what and d.role == "operations"
        assert d.deadline == T0 + hours(24)


def test_metric_rechecks_ask_without_pausing_ads(sellerops_home):
    with session() as s:
        [done] = _critical(s, m("valid_tracking_rate", "A1F83G8C2ARO7P", "0.80"))
        assert done["ads_paused"] is False and s.exec(select(AdsPause)).all() == []


def test_the_freeze_holds_until_a_person_approves_lifting_it(sellerops_home):
    with session() as s:
        [done] = _critical(s, m("inventory_accuracy", "BIN-A", "0.95"))
        assert p.frozen_locations(s) == ["BIN-A"]
        p.freeze_warehouse(s, "BIN-A", T0 + hours(1))  # started again: still one freeze, one decision
        [d] = decisions.owed(s, procedure=p.PROCEDURE)
        assert d.id == done["decision"] and d.role == "operations_manager"
        decisions.answer(s, d, "approved", by="maria", now=T0 + hours(3))
        s.commit()
        assert p.frozen_locations(s) == []


def test_a_late_supplier_switches_to_its_backup_and_notifies_once(sellerops_home):
    sent = []
    with session() as s:
        s.add_all([BackupSupplier(supplier="Acme", sku="SKU-1", backup_supplier="Brill", updated_at=T0),
                   BackupSupplier(supplier="Acme", sku="*", backup_supplier="Cobalt", updated_at=T0)])
        s.commit()
        run = run_watch(s, T0, measure=measuring(m("supplier_lead_time", "Acme", "-3.5")))
        notify = lambda *a: sent.append(a)  # noqa: E731
        first = p.switch_supplier(s, "Acme", T0, notify=notify)
        second = p.switch_supplier(s, "Acme", T0 + hours(1), notify=notify)
        assert run.changes[0].procedure == "supplier-switch"
        assert first["switched"] == ["*", "SKU-1"] and second["switched"] == []
        assert len(sent) == 1 and "Brill" in sent[0][2] and "every SKU → Cobalt" in sent[0][2]
        assert all(x.notified for x in s.exec(select(SupplierSwitch)).all())


def test_a_supplier_without_a_backup_asks_for_one_and_switches_nothing(sellerops_home):
    with session() as s:
        [done] = _critical(s, m("supplier_lead_time", "Dyna", "4"))
        assert (done["done"], done["switched"]) == (False, [])
        [d] = decisions.owed(s, procedure=p.PROCEDURE)
        assert d.what.startswith("name a backup supplier for Dyna")
        assert s.exec(select(SupplierSwitch)).all() == []


@pytest.mark.parametrize("cover,expected", [
    ("46", ("markdown", 10)),  # 1 day past critical: a light markdown
    ("61", ("markdown", 20)),  # 16 days past critical
    ("100", ("markdown", 30)),
    ("121", ("removal", None)),  # beyond the 120 days' removal limit
    ("Infinity", ("removal", None)),  # stock and nothing shipped
])
def test_the_clearance_proposal(cover, expected):
    assert p.propose(Decimal(cover), Decimal(45), 120) == expected


def test_the_clearance_flow_proposes_with_age_for_a_person_to_approve(sellerops_home):
    with session() as s:
        [done] = _critical(s, m("inventory_turnover", "SKU-9", "Infinity", on_hand=40, age_days=200))
        [row] = s.exec(select(ClearanceProposal)).all()
        assert (row.sku, row.proposal, row.on_hand, row.age_days, row.days_of_cover) == (
            "SKU-9", "removal", 40, 200, "Infinity")
        [d] = decisions.owed(s, procedure=p.PROCEDURE)
        assert d.id == done["decision"] and "approve a removal order for SKU-9" in d.what and "200 days old" in d.what


def test_the_keyword_task_list_is_written_once(sellerops_home):
    with session() as s:
        [done] = _critical(s, m("ad_conversion", "blue widget", "0", clicks=150, orders=0))
        again = p.keyword_tasks(s, "blue widget", T0 + hours(1))
        assert done["tasks"] == again["tasks"] and done["tasks"][0] == "Pause 'blue widget': 150 clicks and no order in the window"
        assert len(s.exec(select(KeywordTask)).all()) == 4


def test_a_procedure_with_no_open_warning_does_nothing(sellerops_home):
    with session() as s:
        assert p.clearance(s, "SKU-X", T0)["done"] is False
        with pytest.raises(ValueError, match="unknown answering procedure"):
            p.start("nope", s, "odr", "X", T0)


def test_the_clearance_reckons_from_the_policy_s_critical_cover(sellerops_home):
    from sellerops.health.levels import Thresholds

    t = Thresholds().with_overrides({"inventory_turnover": {"warning": 20, "critical": 25}})
    with session() as s:
        run = run_watch(s, T0, t, measure=measuring(m("inventory_turnover", "SKU-4", "60")))
        [done] = p.answer_changes(s, run.changes, T0, thresholds=t)
        assert (done["proposal"], done["markdown_percent"]) == ("markdown", 20)  # 35 days past 25: the middle step
