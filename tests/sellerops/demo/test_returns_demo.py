"""The returns demo: Amazon-format files that ingest cleanly and take every path of the decision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sellerops.demo.returns import CUSTOMERS, DEMO_RETURN_ADDRESS, write_returns_demo
from sellerops.ingest import LOADED, ingest_paths
from sellerops.returns import service
from sellerops.returns.policy import Policy
from sellerops.storage.engine import get_engine

END = dt.date(2026, 3, 2)


def test_the_demo_takes_every_path(tmp_path, sellerops_home):
    outcomes = ingest_paths(write_returns_demo(tmp_path, END))
    assert {o.status for o in outcomes} == {LOADED}, [o.reason for o in outcomes]
    service.run(now=dt.datetime(2026, 3, 2, 12, tzinfo=dt.timezone.utc), policy=Policy(return_address=DEMO_RETURN_ADDRESS))
    got = {(r["rma_id"], r["sku"]): r for r in service.list_requests()}
    status = {k[0]: r["status"] for k, r in got.items()}
    assert status == {"DmAuTo1RRMA": "authorized", "DmBiG02RRMA": "needs_person", "DmOuT03RRMA": "needs_person",
                      "DmAmZ04RRMA": "authorized", "DmReJ05RRMA": "rejected", "DmNoK06RRMA": "authorized",
                      "DmTwO07RRMA": "authorized", "DmDeV08RRMA": "authorized", "DmDeB09RRMA": "needs_person"}
    assert got[("DmBiG02RRMA", "DM-002-BLK")]["vip"] is True  # ava: $725 over 5 orders
    assert got[("DmOuT03RRMA", "DM-003-WHT")]["vip"] is False  # cam: exactly $500 is not over $500
    assert got[("DmOuT03RRMA", "DM-003-WHT")]["clv"] == "500.00"
    assert got[("DmDeV08RRMA", "DM-009-WHT")]["care_script"] == "de-formal"  # dora, on Amazon.de
    assert got[("DmNoK06RRMA", "DM-006-BLK")]["vip"] is None
    with get_engine().connect() as c:
        dump = " ".join(repr(tuple(r)) for t in sa.inspect(get_engine()).get_table_names()
                        for r in c.execute(sa.text(f"select * from {t}")))
    assert not any(email in dump for email, *_ in CUSTOMERS.values())
