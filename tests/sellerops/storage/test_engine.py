"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from sellerops.storage import tables  # noqa: F401  (registers the tables)
from sellerops.storage.engine import get_engine


def test_migrations_match_the_models(db_url):
    engine = get_engine()  # upgrades to the newest migration
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_settlement_lines_carry_only_the_indexes_queries_use(db_url):
    import sqlalchemy as sa

    engine = get_engine()
    names = {ix["name"] for ix in sa.inspect(engine).get_indexes("settlement_line")}
    assert "ix_settlement_line_order_sku" not in names
    assert "ix_settlement_line_settlement_id" not in names
