"""A test module's database when it runs on SQLite and on PostgreSQL alike: its own SQLite file
under its home, or a PostgreSQL schema of its own (dropped afterwards)."""

from __future__ import annotations

from typing import Iterator


def module_database(request, name: str) -> Iterator[str | None]:
    """For a module-scoped fixture parametrized "sqlite" / "postgresql": None for SQLite, else the
    URL of a schema named after `name`."""
    if request.param == "sqlite":
        yield None
        return
    from tests.conftest import pg_schemas

    with pg_schemas(request.getfixturevalue("pg_admin_engine"), name) as (url,):
        yield url


def use(mp, home, database: str | None) -> None:
    """Point sellerops at `home` and the module's database."""
    mp.setenv("SELLEROPS_HOME", str(home))
    if database:
        mp.setenv("SELLEROPS_DATABASE_URL", database)
    else:
        mp.delenv("SELLEROPS_DATABASE_URL", raising=False)
