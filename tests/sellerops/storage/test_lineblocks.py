"""Settlement lines as blocks (sellerops.storage.lineblocks): a block gives back exactly the lines
it was made from, refuses what the row table's NOT NULL refused, is data only (never unpickled),
and migration 0012 moves SQLite's existing rows into blocks (and back on downgrade) while
PostgreSQL keeps its rows — every reader seeing the same lines before and after."""

from __future__ import annotations

import datetime as dt
import pickle

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from sellerops.reconciliation.input import stored_settlement_lines
from sellerops.storage import lineblocks, tables
from sellerops.storage.bulk import bulk_insert
from sellerops.storage.engine import MIGRATIONS, _make_engine, dispose_all
from tests.sellerops.storage.test_bulk import HOSTILE

UTC = dt.timezone.utc


def _lines(n: int = 6) -> pd.DataFrame:
    """Lines as the loader types them: categorical text with blanks, nullable integers, UTC times."""
    skus = (["SKU-1", None, "it's 100%"] + HOSTILE)[:n] + ["SKU-1"] * max(0, n - 3 - len(HOSTILE))
    return pd.DataFrame({
        "account": "default", "marketplace": "Amazon.com", "settlement_id": "1001",
        "line_no": range(3, n + 3), "report_file_id": 1, "currency": "USD",
        "transaction_type": pd.Categorical(["Order", "Refund"] * (n // 2) + ["Order"] * (n % 2)),
        "order_id": pd.Categorical([f"111-{i:07d}-0000001" for i in range(n)]),
        "sku": pd.Categorical(skus[:n]),
        "amount_cents": pd.array([1000 - 7 * i if i % 4 else None for i in range(n)], dtype="Int64"),
        "quantity_purchased": pd.array([1 if i % 2 else None for i in range(n)], dtype="Int64"),
        "posted_date": pd.Categorical([dt.date(2026, 6, 1 + i % 3) if i % 5 else None for i in range(n)]),
        "posted_date_time": pd.to_datetime([dt.datetime(2026, 6, 1, i, 30, tzinfo=UTC) if i % 5 else None
                                            for i in range(n)], utc=True),
        "raw_digest": [f"{i:016x}" for i in range(n)],
    })


def _plain(df: pd.DataFrame) -> list[dict]:
    def value(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return v.isoformat()  # a date as SQLite stores it
        return int(v) if hasattr(v, "item") and not isinstance(v, pd.Timestamp) else v
    return [{k: value(v) for k, v in r.items()} for r in df.astype(object).to_dict("records")]


def test_a_block_gives_back_exactly_its_lines():
    lines = _lines(6)
    back = lineblocks.decode(lineblocks.encode(lines))
    assert len(back) == 6
    cols = list(lines.columns)
    # the digest comes back as the integer the reconciliation compares (16 hex digits, one uint64)
    assert _plain(back[cols]) == _plain(lines.assign(raw_digest=[int(x, 16) for x in lines["raw_digest"]]))
    # every column of settlement_line is kept, the ones no rule reads (merchant ids …) blank here
    assert set(back.columns) == {c.name for c in tables.SettlementLine.__table__.columns} - {"id"}
    assert back["merchant_order_id"].isna().all()


def test_times_with_a_fraction_of_a_second_and_wide_integers_come_back_exactly():
    # whole seconds are kept as seconds, so one value with microseconds must switch the column
    lines = _lines(3).assign(posted_date_time=pd.to_datetime(
        ["2026-06-01T10:00:00.000001Z", None, "2040-01-01T00:00:00.000000Z"], utc=True),
        amount_cents=pd.array([2**40, None, -(2**33)], dtype="Int64"))
    back = lineblocks.decode(lineblocks.encode(lines))
    assert _plain(back[["posted_date_time", "amount_cents"]]) == _plain(lines[["posted_date_time", "amount_cents"]])


def test_digests_that_are_not_16_hex_digits_are_kept_as_text():
    for odd in (["abc", "0" * 16, "not hex at all!!"], ["a" * 15, "b" * 17, "0" * 16]):  # (15 + 17 = 2 × 16)
        lines = _lines(3).assign(raw_digest=odd)
        back = lineblocks.decode(lineblocks.encode(lines))
        assert back["raw_digest"].astype(object).tolist() == odd


def test_a_blank_required_column_is_refused_as_the_row_table_would():
    lines = _lines(4)
    lines["raw_digest"] = [None, "a" * 16, "b" * 16, "c" * 16]
    with pytest.raises(sa.exc.IntegrityError, match="raw_digest"):
        lineblocks.encode(lines)


def test_a_block_is_data_never_a_pickle():
    with pytest.raises(ValueError):
        lineblocks.decode(pickle.dumps(_lines(2)))
    # a pickled object array inside a genuine-looking block is refused too (allow_pickle=False)
    import io
    import zlib

    import numpy as np

    head = b'{"format":1,"rows":1,"columns":[{"name":"sku","kind":"text","values":["x"]}]}'
    buf = io.BytesIO()
    buf.write(len(head).to_bytes(8, "little") + head)
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        lineblocks.decode(b"SOLB" + zlib.compress(buf.getvalue()))


def _migrate(url: str, revision: str, down: bool = False) -> None:
    engine = _make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)
    engine.dispose()


def _before_0012() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_revision("0012").down_revision


def _read(url: str) -> tuple[list[dict], int]:
    engine = _make_engine(url)
    with engine.connect() as c:
        got = stored_settlement_lines(c, "default", [1, 2])
        rows = c.execute(sa.text("select count(*) from settlement_line")).scalar_one()
    engine.dispose()
    return {fid: _plain(df) for fid, df in got.items()}, rows


def test_migration_0012_moves_sqlite_rows_into_blocks_and_back(db_url):
    before = _before_0012()
    _migrate(db_url, before)
    engine = _make_engine(db_url)
    with engine.begin() as c:
        for fid, sid in ((1, "1001"), (2, "1002")):
            c.execute(tables.ReportFile.__table__.insert().values(
                id=fid, account="default", path=f"s{fid}.txt", sha256=f"{fid}" * 64, status="loaded",
                report_type="GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", settlement_id=sid,
                seen_at=dt.datetime(2026, 6, 1, tzinfo=UTC)))
            bulk_insert(c, tables.SettlementLine.__table__, _lines(5 + fid).assign(report_file_id=fid, settlement_id=sid))
    engine.dispose()
    dispose_all()

    _migrate(db_url, "0012")
    got, rows_left = _read(db_url)
    assert [len(got[1]), len(got[2])] == [6, 7]
    sqlite = db_url.startswith("sqlite")
    assert rows_left == (0 if sqlite else 13)  # SQLite: the rows became blocks; PostgreSQL keeps rows
    assert got[1] == _plain(_expected(_lines(6).assign(report_file_id=1, settlement_id="1001")))

    _migrate(db_url, before, down=True)
    engine = _make_engine(db_url)
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from settlement_line")).scalar_one() == 13
        skus = [r[0] for r in c.execute(sa.text("select sku from settlement_line where report_file_id = 1 order by line_no"))]
    engine.dispose()
    assert skus == list(_lines(6)["sku"].astype(object).where(_lines(6)["sku"].notna(), None))


def _expected(lines: pd.DataFrame) -> pd.DataFrame:
    """What a reader gets for `lines`: the columns the reconciliation reads, shaped."""
    from sellerops.storage.framecache import shape

    return shape("settlement_lines", lines)
