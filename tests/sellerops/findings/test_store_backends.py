"""The store's statements on both databases sellerops supports (SQLite and PostgreSQL): two
procedures side by side, a claim and its outcome, and a thousand findings resolved in chunks."""

from __future__ import annotations

from sellerops.findings import claim, close_claim, list_findings, store
from tests.sellerops.findings.conftest import NIGHT, record


def test_two_procedures_and_a_claim(db_url):
    recon, inbound = record(order_id="R1"), record(kind="inbound_shortage", order_id=None, sku="SKU-9")
    store([recon], procedure="reconciliation", now=NIGHT[0])
    store([inbound], procedure="inbound", now=NIGHT[1])
    claim(recon.key, "C-1", now=NIGHT[2])
    assert close_claim(recon.key, "reimbursed", now=NIGHT[3])["claimed_at"] == NIGHT[2].isoformat()
    store([], procedure="reconciliation", now=NIGHT[4])
    got = {f["id"]: (f["procedure"], f["status"], f["claim_state"], f["case_id"]) for f in list_findings()}
    assert got == {recon.key: ("reconciliation", "resolved", "reimbursed", "C-1"),
                   inbound.key: ("inbound", "open", "none", None)}


def test_more_findings_than_one_statement_binds(db_url):
    many = [record(order_id=f"O{i}") for i in range(1_200)]  # resolved in three chunks of keys
    assert len(store(many, procedure="reconciliation", now=NIGHT[0]).new) == 1_200
    result = store(many[:100], procedure="reconciliation", now=NIGHT[1])
    assert len(result.resolved) == 1_100 and result.open == 100
    assert len(list_findings(status="open")) == 100
