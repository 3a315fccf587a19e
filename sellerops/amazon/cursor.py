"""Pull cursors: how far each seller account's pull has got, per report type, so nothing is fetched twice.

The pull flow advances a cursor after each window is safely in the inbox, and records the report id
it requested before polling it, so a pull that crashes mid-way resumes that same report instead of
requesting a new one. The schema is owned by the Alembic migrations; this class is its Python face.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from sellerops.storage.tables import UtcDateTime


class PullCursor(SQLModel, table=True):
    """One row per (account, report_type) ever pulled. Natural key: (account, report_type).

    `last_end` is the exclusive end of the newest window whose document reached the inbox (for
    settlements: the creation time of the newest settlement listed). `pending_*` describe a report
    requested but not yet downloaded — a rerun polls that report id instead of requesting again.
    """

    __tablename__ = "pull_cursor"
    __table_args__ = (sa.UniqueConstraint("account", "report_type", name="uq_pull_cursor"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    report_type: str
    last_end: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    last_report_id: Optional[str] = None
    pending_report_id: Optional[str] = None
    pending_start: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    pending_end: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    updated_at: dt.datetime = Field(sa_type=UtcDateTime())


@dataclass(frozen=True)
class CursorState:
    """A detached copy of a cursor row (safe to pass between tasks)."""

    account: str
    report_type: str
    last_end: dt.datetime | None = None
    last_report_id: str | None = None
    pending_report_id: str | None = None
    pending_start: dt.datetime | None = None
    pending_end: dt.datetime | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class CursorStore:
    """Reads and writes pull cursors; every write is its own committed transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        if not sa.inspect(engine).has_table(PullCursor.__tablename__):
            raise RuntimeError(
                f"table {PullCursor.__tablename__!r} is missing from {engine.url.render_as_string(hide_password=True)}: "
                "the schema migrations have not been applied"
            )
        self.engine = engine

    def _row(self, session: Session, account: str, report_type: str) -> PullCursor:
        row = session.exec(
            select(PullCursor).where(PullCursor.account == account, PullCursor.report_type == report_type)
        ).first()
        if row is None:
            row = PullCursor(account=account, report_type=report_type, updated_at=_now())
            session.add(row)
        return row

    def get(self, account: str, report_type: str) -> CursorState:
        with Session(self.engine) as session:
            row = session.exec(
                select(PullCursor).where(PullCursor.account == account, PullCursor.report_type == report_type)
            ).first()
            if row is None:
                return CursorState(account, report_type)
            return CursorState(
                account, report_type, row.last_end, row.last_report_id,
                row.pending_report_id, row.pending_start, row.pending_end,
            )  # fmt: skip

    def mark_pending(self, account: str, report_type: str, report_id: str, start, end) -> None:
        """Record a requested report before polling it, so a crash resumes instead of re-requesting."""
        with Session(self.engine) as session:
            row = self._row(session, account, report_type)
            row.pending_report_id, row.pending_start, row.pending_end = report_id, start, end
            row.updated_at = _now()
            session.commit()

    def advance(self, account: str, report_type: str, last_end: dt.datetime, report_id: str | None = None) -> None:
        """Move the cursor to `last_end` (never backwards) and clear the pending report."""
        with Session(self.engine) as session:
            row = self._row(session, account, report_type)
            if row.last_end is None or last_end > row.last_end:
                row.last_end = last_end
            if report_id is not None:
                row.last_report_id = report_id
            row.pending_report_id = row.pending_start = row.pending_end = None
            row.updated_at = _now()
            session.commit()

    def clear_pending(self, account: str, report_type: str) -> None:
        with Session(self.engine) as session:
            row = self._row(session, account, report_type)
            row.pending_report_id = row.pending_start = row.pending_end = None
            row.updated_at = _now()
            session.commit()
