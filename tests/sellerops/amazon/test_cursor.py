"""Pull cursors: per (account, report type), never moving backwards, pending report ids kept."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sellerops.amazon.cursor import CursorStore, PullCursor

UTC = dt.timezone.utc


@pytest.fixture
def store(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    PullCursor.__table__.create(engine)  # the Alembic migration owns this in the product
    return CursorStore(engine)


def test_cursor_round_trip_and_pending(store):
    t1, t2 = dt.datetime(2026, 1, 31, tzinfo=UTC), dt.datetime(2026, 3, 2, tzinfo=UTC)
    assert store.get("acme", "X").last_end is None

    store.mark_pending("acme", "X", "R1", dt.datetime(2026, 1, 1, tzinfo=UTC), t1)
    state = store.get("acme", "X")
    assert (state.pending_report_id, state.pending_end) == ("R1", t1)

    store.advance("acme", "X", t2, "R2")
    store.advance("acme", "X", t1)  # never backwards
    state = store.get("acme", "X")
    assert (state.last_end, state.last_report_id, state.pending_report_id) == (t2, "R2", None)
    assert state.last_end.tzinfo is not None
    assert store.get("other", "X").last_end is None  # one cursor per account


def test_missing_table_is_a_clear_error(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(RuntimeError, match="table 'pull_cursor' is missing"):
        CursorStore(engine)
