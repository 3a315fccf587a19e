"""The returns procedure over a real database: requests read from Amazon's report forms, decided,
asked of a person through sellerops.decisions, answered on either side, labelled; no buyer e-mail
anywhere in the database."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from sellerops import decisions
from sellerops.returns import service
from sellerops.returns.policy import Policy
from sellerops.storage.engine import get_engine, session
from tests.sellerops.returns.files import (ACTIONABLE_HEADER, ORDERS_HEADER, RMA_HEADER, actionable_line, ingest,
                                           order_line, rma_line, write)

NOW = dt.datetime(2025, 7, 12, 8, 0, tzinfo=dt.timezone.utc)
VIP_EMAIL = "vip0buyer9x@marketplace.amazon.com"
NEW_EMAIL = "newbuyer42q@marketplace.amazon.com"
POLICY = Policy(return_address="Acme Returns, 1 Dock Rd, Reno NV 89501")


@pytest.fixture
def loaded(db_url, tmp_path):
    """Five requests: in policy (auto), over the limit (VIP customer), out of policy, Amazon-approved,
    and one whose order has no buyer e-mail in any report."""
    rma = write(tmp_path / "rma.txt", RMA_HEADER + [""], [
        rma_line("111-0000001-0000001", "RAUTO", "MUG-BLUE"),
        rma_line("111-0000002-0000002", "RBIG", "LAMP", amount="400.00", qty="1", order_qty="2"),  # 200.00 > 150
        rma_line("111-0000003-0000003", "ROUT", "TEE", in_policy="N"),
        rma_line("111-0000004-0000004", "RAMZ", "MUG-BLUE", status="Approved"),
        rma_line("111-0000009-0000009", "RNOKEY", "TEE"),
    ])
    buyers = [("111-0000001-0000001", NEW_EMAIL), ("111-0000002-0000002", VIP_EMAIL),
              ("111-0000003-0000003", NEW_EMAIL), ("111-0000004-0000004", NEW_EMAIL)]
    # the VIP's history: four earlier orders worth 600.00 in the year before the request
    history = [(f"111-000010{i}-0000000", VIP_EMAIL) for i in range(4)]
    act = write(tmp_path / "actionable.txt", ACTIONABLE_HEADER,
                [actionable_line(o, e) for o, e in buyers + history])
    orders = write(tmp_path / "orders.txt", ORDERS_HEADER,
                   [order_line(o, "MUG-BLUE", "150.00", f"2025-0{i + 2}-01T10:00:00+00:00")
                    for i, (o, _) in enumerate(history)]
                   + [order_line("111-0000002-0000002", "LAMP", "400.00", "2025-07-01T10:00:00+00:00")])
    ingest(rma, act, orders)
    return tmp_path


def by_rma() -> dict[str, dict]:
    return {r["rma_id"]: r for r in service.list_requests()}


def test_before_any_run_the_sellers_requests_are_pending_and_amazons_keep_its_decision(loaded):
    r = by_rma()
    assert (r["RAUTO"]["status"], r["RAUTO"]["decided_at"], r["RAUTO"]["label"]) == ("pending", None, None)
    assert (r["RAMZ"]["status"], r["RAMZ"]["decided_by"]) == ("authorized", "amazon")
    assert r["RBIG"]["amount"] == "200.00" and len(r) == 5
    # oldest request first, then by RMA id
    assert [x["rma_id"] for x in service.list_requests(status="pending")] == ["RAUTO", "RBIG", "RNOKEY", "ROUT"]


def test_a_run_decides_each_request_as_the_policy_says(loaded):
    got = service.run(now=NOW, policy=POLICY)
    assert (got.new, got.authorized_auto, got.authorized_amazon, got.needs_person) == (5, 2, 1, 2)
    r = by_rma()
    assert (r["RAUTO"]["status"], r["RAUTO"]["decided_by"], r["RAUTO"]["hours_to_decision"]) == ("authorized", "auto", 0.0)
    assert r["RAUTO"]["label"] and r["RAUTO"]["label"].startswith("/")
    assert (r["RBIG"]["status"], r["RBIG"]["reasons"], r["RBIG"]["amount"]) == ("needs_person", ["over_value_limit"], "200.00")
    assert r["ROUT"]["reasons"] == ["out_of_policy"] and r["ROUT"]["label"] is None
    # Amazon's decision is kept, with no label of ours
    assert (r["RAMZ"]["status"], r["RAMZ"]["decided_by"], r["RAMZ"]["label"]) == ("authorized", "amazon", None)
    # the VIP: four orders of 150.00 and the LAMP order (400.00, 2025-07-01), all before the 12th: 1000.00, 5 orders
    assert (r["RBIG"]["vip"], r["RBIG"]["clv"], r["RBIG"]["orders_365d"], r["RBIG"]["care_script"]) == (
        True, "1000.00", 5, "en")
    assert r["RAUTO"]["vip"] is False and r["RAUTO"]["care_script"] is None
    assert r["RNOKEY"]["vip"] is None and "no buyer e-mail" in r["RNOKEY"]["vip_reason"]
    assert r["RNOKEY"]["status"] == "authorized"  # unknown customer: the return itself is still decided
    assert set(r["RAUTO"]) == {"rma_id", "order_id", "sku", "quantity", "marketplace", "requested_at", "status",
                               "reasons", "amount", "currency", "vip", "clv", "orders_365d", "care_script", "label",
                               "decided_at", "decided_by", "hours_to_decision", "vip_reason"}
    assert r["RAUTO"]["requested_at"].startswith("2025-07-12")


def test_people_owe_the_decisions_and_the_care_task_with_the_6_hour_deadline(loaded):
    service.run(now=NOW, policy=POLICY)
    with session() as s:
        owed = decisions.owed(s, procedure="returns")
    assert sorted(d.subject for d in owed) == ["RBIG", "RBIG", "ROUT"]  # RBIG: its decision and its VIP care
    assert {d.role for d in owed} == {"returns"}
    assert all(d.deadline == NOW + dt.timedelta(hours=6) for d in owed)
    service.run(now=NOW + dt.timedelta(hours=1), policy=POLICY)  # a rerun owes nothing more
    with session() as s:
        assert len(decisions.owed(s, procedure="returns")) == 3


def test_decide_answers_the_same_decision_and_writes_the_label_at_once(loaded):
    service.run(now=NOW, policy=POLICY)
    later = NOW + dt.timedelta(hours=2, minutes=30)
    [row] = service.decide("RBIG", approve=True, note="good customer", by="sam", now=later, policy=POLICY)
    assert (row["status"], row["decided_by"], row["hours_to_decision"]) == ("authorized", "sam", 2.5)
    assert row["label"] and row["label"].endswith(".pdf")
    with session() as s:  # the same decision `sellerops decisions list` showed is the one answered
        assert [d.subject for d in decisions.owed(s, procedure="returns") if "authorise" in d.what] == ["ROUT"]
    with pytest.raises(service.ReturnsError, match="waits for no decision"):
        service.decide("RBIG", approve=False)
    with pytest.raises(service.ReturnsError, match="no return request"):
        service.decide("NOPE", approve=True)


def test_an_answer_given_with_decisions_answer_is_taken_by_the_next_run(loaded):
    service.run(now=NOW, policy=POLICY)
    with session() as s:
        [d] = [d for d in decisions.owed(s, procedure="returns") if d.subject == "ROUT"]
        decisions.answer(s, d, "rejected", by="kim", now=NOW + dt.timedelta(hours=1))
        s.commit()
    assert by_rma()["ROUT"]["status"] == "rejected"  # shown at once, before any run
    got = service.run(now=NOW + dt.timedelta(hours=2), policy=POLICY)
    assert got.answered == 1
    assert (by_rma()["ROUT"]["decided_by"], by_rma()["ROUT"]["hours_to_decision"]) == ("kim", 1.0)


def test_label_prints_the_path_writing_it_if_missing_and_refuses_what_has_none(loaded):
    service.run(now=NOW, policy=POLICY)
    path = service.label("RAUTO", policy=POLICY)
    path.unlink()
    again = service.label("RAUTO", policy=POLICY)
    assert again == path and again.exists()
    with pytest.raises(service.ReturnsError, match="Amazon"):
        service.label("RAMZ")
    with pytest.raises(service.ReturnsError, match="not authorised"):
        service.label("ROUT")


def test_without_a_return_address_the_run_warns_once(loaded):
    got = service.run(now=NOW, policy=Policy())
    assert len(got.warnings) == 1 and "return_address" in got.warnings[0]


def test_no_buyer_email_in_the_database_or_the_logs(loaded, caplog):
    caplog.set_level(logging.DEBUG)
    service.run(now=NOW, policy=POLICY)
    service.decide("RBIG", approve=True, by="sam", policy=POLICY)
    engine = get_engine()
    with engine.connect() as c:
        dump = "\n".join(repr(tuple(r)) for name in sa.inspect(engine).get_table_names()
                         for r in c.execute(sa.text(f"select * from {name}")))
    for email in (VIP_EMAIL, NEW_EMAIL):
        assert email not in dump and email not in caplog.text
    assert "@" not in dump


def test_amazon_deciding_later_settles_a_waiting_request(loaded, tmp_path):
    service.run(now=NOW, policy=POLICY)
    later = write(tmp_path / "rma2.txt", RMA_HEADER + [""], [rma_line("111-0000003-0000003", "ROUT", "TEE",
                                                                        in_policy="N", status="Approved")])
    ingest(later)
    service.run(now=NOW + dt.timedelta(hours=1), policy=POLICY)
    assert (by_rma()["ROUT"]["status"], by_rma()["ROUT"]["decided_by"]) == ("authorized", "amazon")
    with session() as s:
        assert [d.subject for d in decisions.owed(s, procedure="returns")] == ["RBIG", "RBIG"]


def test_an_approval_given_with_decisions_answer_earns_its_label_and_cannot_be_overturned_by_decide(loaded):
    service.run(now=NOW, policy=POLICY)
    with session() as s:
        [d] = [d for d in decisions.owed(s, procedure="returns") if d.subject == "RBIG" and "authorise" in d.what]
        decisions.answer(s, d, "approved", by="kim", now=NOW + dt.timedelta(hours=1))
        s.commit()
    assert service.label("RBIG", policy=POLICY).exists()  # no run needed in between
    with pytest.raises(service.ReturnsError, match="authorized by kim"):
        service.decide("RBIG", approve=False, note="too late")
    assert by_rma()["RBIG"]["status"] == "authorized"
