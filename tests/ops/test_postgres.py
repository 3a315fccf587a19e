"""A board grown past one machine, proved on this one: the board's Prefect server keeps its
database on PostgreSQL, the nightly deployment runs through the worker to completion, and the findings
land in sellerops' own PostgreSQL database (both fresh databases, made and dropped by the `board`
fixture of tests/ops/conftest.py, which is PostgreSQL-backed whenever PostgreSQL is reachable)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.ops.conftest import expected_findings, open_findings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_deployment_runs_on_a_postgresql_board_into_sellerops_postgresql(pg_admin_engine, board, nightly_run):
    import sqlalchemy as sa

    # pg_admin_engine comes first: without PostgreSQL this skips (fails under CI) before a board starts.
    assert board.cfg.database_url.startswith("postgresql+asyncpg://"), board.cfg.database_url
    assert nightly_run.db_url.startswith("postgresql://"), nightly_run.db_url

    # The server recorded the run, completed, in its PostgreSQL database (not in a SQLite file).
    engine = sa.create_engine(board.prefect_db_url)
    try:
        with engine.connect() as c:
            state = c.execute(sa.text("SELECT state_type FROM flow_run WHERE id = :id"),
                              {"id": nightly_run.flow_run.id}).scalar_one()
    finally:
        engine.dispose()
    assert str(state).endswith("COMPLETED")
    assert not (board.tmp / "prefect-home" / "prefect.db").exists()

    # The worker's run stored the planted findings in sellerops' PostgreSQL database, and no SQLite file.
    expected = sorted((e["kind"], int(Decimal(e["amount"]) * 100)) for e in expected_findings(nightly_run.demo))
    assert open_findings(nightly_run.db_url) == expected
    assert not (nightly_run.home / "sellerops.db").exists()
