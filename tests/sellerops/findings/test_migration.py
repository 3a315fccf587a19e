"""Migration 0004 on a database that already holds findings (SQLite and PostgreSQL): every finding
keeps its id and first_seen and becomes the reconciliation's, with no claim."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from sellerops.findings import list_findings, store
from sellerops.storage.engine import MIGRATIONS, _make_engine, dispose_all, get_engine
from tests.sellerops.findings.conftest import NIGHT, record

UTC = dt.timezone.utc


def _upgrade(url: str, revision: str) -> None:
    engine = _make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def test_findings_survive_the_upgrade_to_0004(db_url):
    _upgrade(db_url, "0003")
    first_seen = dt.datetime(2026, 5, 1, 2, 30, tzinfo=UTC)
    old = [dict(key=f"k{i:023d}", account="default", marketplace="ATVPDKIKX0DER", kind="unsettled_order",
                order_id=f"111-000000{i}-0000001", sku="SKU-1", amount_cents=1234 + i, currency="USD",
                detail="not settled", evidence="[]", status="open" if i else "resolved",
                first_seen=first_seen + dt.timedelta(days=i), last_seen=first_seen + dt.timedelta(days=i))
           for i in range(3)]
    engine = _make_engine(db_url)
    with engine.begin() as c:
        finding = sa.Table("finding", sa.MetaData(), autoload_with=c)
        assert "procedure" not in finding.c
        c.execute(finding.insert(), old)
    engine.dispose()

    _upgrade(db_url, "head")
    dispose_all()
    got = {f["id"]: f for f in list_findings()}  # through the product's engine, at head
    assert sorted(got) == [r["key"] for r in old]
    for r in old:
        f = got[r["key"]]
        assert f["first_seen"] == r["first_seen"].isoformat()
        assert (f["procedure"], f["claim_state"], f["case_id"], f["claimed_at"]) == ("reconciliation", "none",
                                                                                      None, None)
        assert f["status"] == r["status"]

    # the migrated findings belong to the reconciliation: an inbound run leaves them alone
    store([record(kind="inbound_shortage", order_id=None, sku="SKU-9")], procedure="inbound", now=NIGHT[0])
    assert sorted(f["status"] for f in list_findings(procedure="reconciliation")) == ["open", "open", "resolved"]


def test_a_finding_must_name_its_procedure_after_the_upgrade(db_url):
    engine = get_engine()
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as c:
            c.execute(sa.text(
                "INSERT INTO finding (key, account, marketplace, kind, amount_cents, currency, detail, evidence, "
                "status, first_seen, last_seen) VALUES ('k', 'a', 'm', 'x', 1, 'USD', 'd', '[]', 'open', "
                ":t, :t)"), {"t": dt.datetime(2026, 1, 1)})
