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


def test_an_unusable_database_path_is_one_line_naming_it(tmp_path):
    """A home that cannot hold the database (here a file stands where its folder should be: the
    tests run as root, for whom no folder is read-only)."""
    import pytest

    from sellerops.storage.engine import DatabaseUnavailable, get_engine

    (tmp_path / "home").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'home' / 'sellerops.db'}"
    with pytest.raises(DatabaseUnavailable) as exc:
        get_engine(url)
    text = str(exc.value)
    assert text.startswith(f"database {tmp_path / 'home' / 'sellerops.db'}: cannot be used") and "\n" not in text
    assert "unable to open database file" not in text or str(tmp_path) in text


def test_an_unreachable_postgresql_is_one_line_without_its_password():
    import pytest

    from sellerops.storage.engine import DatabaseUnavailable, get_engine

    with pytest.raises(DatabaseUnavailable) as exc:
        get_engine("postgresql://user:s3cret@127.0.0.1:1/nowhere")
    text = str(exc.value)
    assert text.startswith("database postgresql://user:***@127.0.0.1:1/nowhere: cannot be reached")
    assert "s3cret" not in text and "\n" not in text
