"""What became of one report file: the Outcome every ingestion path returns, and the bounds on
the reasons it carries.

Shared by the decision (sellerops.ingest.decide), the loaders and the quarantine, and printed by
the CLI and the flow's artifact; the report_file table is the record of every first outcome. A reason is short, its cause first: a hostile file (a 10 MB line
with no tab) must not become a 10 MB database value, JSON line or log record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from sellerops.core.config import Settings
from sellerops.storage import tables
from sellerops.storage.engine import session

if TYPE_CHECKING:
    from sellerops.ingest.prepare import Detected

LOADED, DUPLICATE, QUARANTINED = "loaded", "duplicate", "quarantined"
REASON_CHARS = 300  # report_file.reason, stdout, logs
PROBLEM_CHARS = 2_000  # each problem in reason.json


@dataclass
class Outcome:
    """What became of one file. `known` marks a (path, sha256) seen before: nothing was recorded."""

    path: str
    sha256: str
    report_type: str | None
    status: str
    rows: int = 0
    reason: str | None = None
    settlement_id: str | None = None
    known: bool = False
    problems: list[str] = field(default_factory=list)
    copy: str | None = None  # where a quarantined file's copy and reason.json are

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("path", "sha256", "report_type", "status", "rows", "reason")}


def known(rf: tables.ReportFile) -> Outcome:
    return Outcome(rf.path, rf.sha256, rf.report_type, rf.status, rf.rows, rf.reason, rf.settlement_id, known=True)


def clip(text: str, limit: int = REASON_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    kept = max(limit - 40, 0)  # the note below fits in 40 characters
    return text[:kept] + f"… ({len(text) - kept:,} more characters)"


def reason_of(problems: list[str]) -> str:
    """The one-line reason for a list of problems: the first, clipped, and how many more."""
    first = clip(problems[0].splitlines()[0] if problems[0] else "unknown problem")
    return first if len(problems) == 1 else clip(f"{first} (and {len(problems) - 1} more)", REASON_CHARS + 40)


# ---- the record of outcomes: report_file ---------------------------------------------------------

def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def known_outcome(path: Path, digest: str) -> tables.ReportFile | None:
    """The first outcome recorded for this (path, sha256), if any."""
    with session() as s:
        return s.exec(select(tables.ReportFile).where(tables.ReportFile.path == str(path),
                                                      tables.ReportFile.sha256 == digest)).first()


def content_seen(digest: str) -> tables.ReportFile | None:
    """The first file recorded with this content, under any path."""
    with session() as s:
        return s.exec(select(tables.ReportFile).where(tables.ReportFile.sha256 == digest)
                      .order_by(tables.ReportFile.id)).first()


def record_file(conn, s: Settings, d: "Detected", status: str, rows: int = 0, reason: str | None = None,
                settlement_id: str | None = None, duplicate_of: int | None = None,
                seen_at: dt.datetime | None = None) -> int:
    """Insert the report_file row of `d` (in the caller's transaction); its id."""
    res = conn.execute(tables.ReportFile.__table__.insert().values(
        account=s.account, marketplace=d.marketplace.name if d.marketplace else None, path=str(d.path),
        sha256=d.sha256, size_bytes=_size(d), report_type=d.fmt.report_type if d.fmt else None,
        encoding=d.raw.encoding if d.raw else None, status=status, rows=rows, reason=reason,
        settlement_id=settlement_id, duplicate_of=duplicate_of, seen_at=seen_at or now()))
    return res.inserted_primary_key[0]


def _size(d: "Detected") -> int:
    if d.raw is not None:
        return d.raw.size
    try:
        return d.path.stat().st_size
    except OSError:  # vanished or unreadable: its size is not known
        return 0


def report_rows() -> list[dict]:
    """Every (path, sha256) ever seen, oldest first, as `sellerops reports` prints them."""
    with session() as s:
        rows = s.exec(select(tables.ReportFile).order_by(tables.ReportFile.id)).all()
    return [{"path": r.path, "sha256": r.sha256, "report_type": r.report_type, "status": r.status,
             "rows": r.rows, "reason": r.reason} for r in rows]
