"""The bulk writer (sellerops.storage.bulk): values the same on every row are rendered into the
statement by SQLAlchemy, the others bound; hostile text arrives byte for byte either way, on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from sellerops.storage import tables
from sellerops.storage.bulk import bulk_insert, constant_sql
from sellerops.storage.engine import get_engine

HOSTILE = ["x'); DROP TABLE finding; --", "%s", "100%", "%(name)s", "trailing\\", "'", "\"quoted\"", "a" * 200_000]


def _settlement_lines(values: list[str], fid: int) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "account": values, "marketplace": "Amazon.com", "settlement_id": "1", "line_no": range(2, n + 2),
        "report_file_id": fid, "currency": "USD", "sku": values, "amount_cents": 0, "raw_digest": "0" * 16})


@pytest.mark.parametrize("same_on_every_row", [True, False])
def test_hostile_text_arrives_exactly(db_url, same_on_every_row):
    engine = get_engine()
    t = tables.SettlementLine.__table__
    expected = []
    with engine.begin() as conn:
        fid = conn.execute(tables.ReportFile.__table__.insert().values(
            account="a", path="p", sha256="s", status="loaded", seen_at=dt.datetime.now(dt.timezone.utc))
        ).inserted_primary_key[0]
        for v in HOSTILE:
            # one value repeated (a constant: rendered into the SQL) or mixed with another (bound)
            values = [v, v] if same_on_every_row else [v, "other"]
            bulk_insert(conn, t, _settlement_lines(values, fid).assign(settlement_id=str(len(expected))))
            expected += values
    with engine.connect() as conn:
        got = conn.execute(sa.select(t.c.sku, t.c.account).order_by(t.c.id)).all()
    assert [r.sku for r in got] == expected and [r.account for r in got] == expected
    with engine.connect() as conn:  # still there
        assert conn.execute(sa.text("select count(*) from finding")).scalar_one() == 0


def test_constants_are_rendered_by_the_dialect(db_url):
    dialect = get_engine().dialect
    text = sa.String()
    one = pd.Series(["it's 100%"] * 3)
    rendered = constant_sql(one, text, dialect)
    # SQLAlchemy doubles the quote, and the % only for a %-style driver (psycopg)
    assert rendered == ("'it''s 100%%'" if dialect.paramstyle in ("format", "pyformat") else "'it''s 100%'")
    assert constant_sql(pd.Series([None, None], dtype=object), text, dialect) == "NULL"
    assert constant_sql(pd.Series([7, 7]), sa.Integer(), dialect) == "7"
    assert constant_sql(pd.Series(["a", "b"]), text, dialect) is None  # not a constant: bound
    assert constant_sql(pd.Series(["a\x00b"] * 2), text, dialect) is None  # a NUL is never rendered


def test_sqlite_datetimes_are_the_text_sqlalchemy_stores():
    from sqlalchemy.dialects import sqlite

    from sellerops.storage.bulk import sqlite_datetimes

    when = pd.to_datetime(["2026-01-01 12:00:00.5+00:00", "1999-12-31 23:59:59+05:00", "0001-01-01 00:00:00+00:00"],
                          utc=True, format="ISO8601")
    stored = sqlite.DATETIME().bind_processor(sqlite.dialect())
    # UTC, naive, microseconds, a space between date and time — for every year SQLite's text can hold
    assert sqlite_datetimes(when) == [stored(t.to_pydatetime().replace(tzinfo=None)) for t in when]
    assert sqlite_datetimes(when)[1] == "1999-12-31 18:59:59.000000"


def _order_lines(n: int, fid: int, status) -> pd.DataFrame:
    return pd.DataFrame({
        "account": "a", "marketplace": "Amazon.com", "amazon_order_id": [f"111-{i:07d}" for i in range(n)],
        "sku": [f"SKU-{i % 3}" for i in range(n)], "order_status": [status(i) for i in range(n)],
        "purchase_date": pd.Timestamp("2026-06-01", tz="UTC"), "quantity": [1 + i % 2 for i in range(n)],
        "currency": ["USD" if i % 4 else None for i in range(n)], "report_file_id": fid, "line_no": range(2, n + 2)})


def test_a_refused_row_in_the_staged_insert_refuses_the_whole_frame(sellerops_home, monkeypatch):
    """SQLite's staged way (values bound once per distinct set, one INSERT … SELECT): a row the table
    refuses raises SQLAlchemy's IntegrityError, as the bound way does, and nothing of the frame stays;
    its temporary tables are gone after it, so the next load on the connection works."""
    from sellerops.storage import bulk

    monkeypatch.setattr(bulk, "STAGE_MIN_ROWS", 1)  # a small frame takes the staged way
    monkeypatch.setattr(bulk, "_STAGE_MIN_SHARED", 2)
    engine = get_engine()
    t = tables.OrderLine.__table__
    with engine.begin() as conn:
        fid = conn.execute(tables.ReportFile.__table__.insert().values(
            account="a", path="p", sha256="s", status="loaded", seen_at=dt.datetime.now(dt.timezone.utc))
        ).inserted_primary_key[0]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        bad = _order_lines(200, fid, lambda i: None if i == 150 else "Shipped")  # order_status is NOT NULL
        assert bulk.staged_insert(conn, t, bad)
    with engine.begin() as conn:
        assert bulk.staged_insert(conn, t, _order_lines(200, fid, lambda i: ["Shipped", "Pending"][i % 2]))
    with engine.connect() as conn:
        got = conn.execute(sa.select(t.c.amazon_order_id, t.c.order_status, t.c.currency).order_by(t.c.id)).all()
    assert [(r.amazon_order_id, r.order_status, r.currency) for r in got[:4]] == [
        ("111-0000000", "Shipped", None), ("111-0000001", "Pending", "USD"),
        ("111-0000002", "Shipped", "USD"), ("111-0000003", "Pending", "USD")]
    assert len(got) == 200
