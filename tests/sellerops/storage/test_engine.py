"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL; a new
SQLite database is known new without creating it."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from sellerops.storage import tables  # noqa: F401  (registers the tables)
from sellerops.storage.engine import get_engine

DATA = Path(__file__).resolve().parents[1] / "reports" / "data"


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


def test_a_sqlite_database_not_created_yet_is_known_new_without_creating_it(tmp_path):
    """`not_created`: a SQLite file that does not exist holds nothing, known without creating and
    migrating it (the first night's ingestion starts its reading sooner); once opened, or once the
    file exists, it is not new; a server database is never known new this way."""
    from sellerops.storage.engine import not_created

    url = f"sqlite:///{tmp_path / 'db' / 'sellerops.db'}"
    assert not_created(url) is True
    assert not (tmp_path / "db").exists()
    get_engine(url)
    assert not_created(url) is False
    assert not_created("postgresql://u:p@127.0.0.1:1/none") is False
    assert not_created("sqlite://") is False  # in memory


def test_paths_seen_on_a_new_database_is_empty_and_creates_nothing(tmp_path):
    """The ingestion's first question on a new database does not create it; the first store does,
    and the path it recorded is seen from then on."""
    from sellerops.core.config import settings
    from sellerops.ingest import ingest_paths, paths_seen

    db = Path(settings().database_url.split("///", 1)[1])
    report = tmp_path / "settlement.txt"
    report.write_bytes((DATA / "settlement_ok.txt").read_bytes())
    assert not db.exists()
    assert paths_seen([report]) == set()
    assert not db.exists()
    ingest_paths([report])
    assert db.exists() and paths_seen([report, tmp_path / "other.txt"]) == {report}
