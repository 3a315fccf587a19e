"""Alembic environment: runs on the connection handed over by `sellerops.storage.engine.upgrade`."""

from alembic import context
from sqlmodel import SQLModel

import sellerops.storage.tables  # noqa: F401  (registers the tables)
import sellerops.amazon.cursor  # noqa: F401  (the pull cursors)
import sellerops.storage.inbound  # noqa: F401  (the inbound procedure's tables)
import sellerops.storage.people  # noqa: F401  (decisions, escalations, incidents)
import sellerops.storage.health  # noqa: F401  (the account-health watch's inputs)
import sellerops.storage.health_watch  # noqa: F401  (the account-health watch)
import sellerops.storage.returns  # noqa: F401  (order reports with customer keys, return requests)
import sellerops.storage.reconcile_state  # noqa: F401  (the reconciliation's watermark)
import sellerops.storage.lineblocks  # noqa: F401  (settlement lines as blocks on SQLite)

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line: build one from the configured URL
        from sellerops.storage.engine import _make_engine
        from sellerops.core.config import settings

        with _make_engine(settings().database_url).begin() as connection:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
