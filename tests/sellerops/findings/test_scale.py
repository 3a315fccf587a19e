"""The findings store at the size of a gap night: a hundred thousand findings stored, updated,
resolved and reopened in one run each, on SQLite and PostgreSQL, with every row's values checked
against what the run said — and listing them streams, one finding converted at a time."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
from dataclasses import replace

import sqlalchemy as sa

from sellerops.findings import claim, iter_findings, store
from sellerops.storage import tables
from sellerops.storage.engine import get_engine
from tests.sellerops.findings.conftest import NIGHT, record

MANY = 100_000
store_module = importlib.import_module("sellerops.findings.store")  # the module (the package exports the function)


def _night(tag: str, n: int = MANY) -> list:
    # every value the run states differs by `tag`, so an update that skipped a column shows
    return [replace(record(order_id=f"111-{i:07d}-0000001", amount=f"{i % 900 + 1}.{len(tag):02d}",
                           claim_window_opens=dt.date(2026, 6, 1), claim_window_closes=dt.date(2026, 7, 1 + len(tag))),
                    detail=f"{tag} {i}", evidence=[{"file": f"/r/{tag}.txt", "line": i, "values": {"tab": "a\tb"}}])
            for i in range(n)]


def _stored() -> dict[str, tuple]:
    t = tables.Finding.__table__
    with get_engine().connect() as c:
        return {r.key: r[1:] for r in c.execute(sa.select(
            t.c.key, t.c.status, t.c.amount_cents, t.c.detail, t.c.evidence, t.c.claim_window_closes,
            t.c.last_seen, t.c.resolved_at, t.c.first_seen))}


def test_a_hundred_thousand_findings_stored_updated_resolved_and_reopened(db_url):
    first, second = _night("a"), _night("bb")
    result = store(first, procedure="reconciliation", now=NIGHT[0])
    assert len(result.new) == MANY and not result.resolved and not result.reopened
    rows = _stored()
    assert len(rows) == MANY
    f = first[12_345]  # 12,345 % 900 + 1 = 646, and ".01" for the one-letter tag
    assert rows[f.key][:5] == ("open", 64601, f.detail, json.dumps(f.evidence), dt.date(2026, 7, 2))

    result = store(second, procedure="reconciliation", now=NIGHT[1])  # the same findings, new values
    assert not result.new and not result.resolved and not result.reopened and result.open == MANY
    rows = _stored()
    for f in (second[0], second[12_345], second[-1]):
        status, cents, detail, evidence, closes, last_seen, resolved_at, first_seen = rows[f.key]
        assert (status, cents, detail, json.loads(evidence), closes) == (
            "open", int(f.amount * 100), f.detail, f.evidence, dt.date(2026, 7, 3))
        assert (last_seen, resolved_at, first_seen) == (NIGHT[1], None, NIGHT[0])
    assert {r[5] for r in rows.values()} == {NIGHT[1]} and {r[2] for r in rows.values()} == {
        f.detail for f in second}

    half = MANY // 2
    result = store(second[:half], procedure="reconciliation", now=NIGHT[2])
    assert sorted(result.resolved) == sorted(f.key for f in second[half:])
    rows = _stored()
    assert {k for k, r in rows.items() if r[0] == "resolved"} == {f.key for f in second[half:]}
    assert {r[6] for r in rows.values() if r[0] == "resolved"} == {NIGHT[2]}
    assert {r[5] for r in rows.values() if r[0] == "open"} == {NIGHT[2]}

    result = store(second, procedure="reconciliation", now=NIGHT[3])  # they hold again
    assert sorted(result.reopened) == sorted(f.key for f in second[half:]) and not result.new
    assert {r[:1] + r[6:7] for r in _stored().values()} == {("open", None)}


def test_another_procedures_findings_and_the_claims_are_left_alone(db_url):
    inbound = record(kind="inbound_shortage", order_id=None, sku="SKU-9")
    store([inbound], procedure="inbound", now=NIGHT[0])
    many = _night("a", 2_000)
    # findings with a line number beside ones without: the column holds ints and blanks
    many[5:9] = [replace(f, line_no=31_267 + i, settlement_id="S1", kind="duplicate_fee") for i, f in enumerate(many[5:9])]
    store(many, procedure="reconciliation", now=NIGHT[0])
    claim(many[7].key, "C-7", now=NIGHT[1])
    store(_night("bb", 2_000), procedure="reconciliation", now=NIGHT[2])  # an update keeps the claim
    store([], procedure="reconciliation", now=NIGHT[3])
    got = {f["id"]: f for f in iter_findings()}
    assert got[inbound.key]["status"] == "open" and got[inbound.key]["last_seen"] == NIGHT[0].isoformat()
    assert (got[many[7].key]["claim_state"], got[many[7].key]["case_id"], got[many[7].key]["status"]) == (
        "claimed", "C-7", "resolved")
    # 2,000 order findings and the 4 line findings only the first night had: all resolved by the empty night
    assert sum(f["status"] == "resolved" for f in got.values()) == 2_004
    assert [got[f.key]["line_no"] for f in many[4:10]] == [None, 31_267, 31_268, 31_269, 31_270, None]


def test_listing_streams_one_finding_at_a_time(db_url, monkeypatch):
    store(_night("a", 3_000), procedure="reconciliation", now=NIGHT[0])
    converted = []
    real = store_module.finding_json
    monkeypatch.setattr(store_module, "finding_json", lambda row, today=None: converted.append(1) or real(row, today))
    rows = iter_findings(status="open", today=dt.date(2026, 6, 15))  # before the claim windows close
    first = next(rows)
    assert len(converted) == 1  # a list would have converted all 3,000 before the first came out
    assert sum(1 for _ in rows) + 1 == 3_000 and first["status"] == "open"


def test_findings_json_writes_each_line_as_it_is_read(db_url, monkeypatch):
    """The CLI's `findings --format json` writes a line per finding as the store yields it: when
    its first line is written, only one finding has been read (a whole list would be 3,000)."""
    from sellerops import cli

    store(_night("a", 3_000), procedure="reconciliation", now=NIGHT[0])
    converted, at_write = [], []
    real = store_module.finding_json
    monkeypatch.setattr(store_module, "finding_json", lambda row, today=None: converted.append(1) or real(row, today))

    class Recording:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def write(self, text: str) -> None:
            at_write.append(len(converted))
            self.lines.append(text)

        def flush(self) -> None:
            pass

    out = Recording()
    monkeypatch.setattr(sys, "stdout", out)
    cli.app.main(["findings", "--format", "json"], standalone_mode=False)
    assert at_write[0] == 1 and len(out.lines) == 3_000
    assert json.loads(out.lines[0])["order_id"].startswith("111-")
