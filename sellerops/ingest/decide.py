"""The one decision per file: known → duplicate → error or problems → quarantine → load.

Both ways into ingestion take it: the `ingest-reports` flow, whose steps are Prefect tasks, and
`ingest_file`, the flow-free path the SP-API pull uses. The steps that do the work (prepare, store,
quarantine) are handed in, so the flow passes its tasks and the direct path the plain functions;
the order of the decision lives only here.

Every failure a file can cause ends as its quarantine, and the night goes on: an unreadable or
undecodable file (prepare returns it as an error), or the database refusing a value (store returns
a `Refused`). Only what fails the run itself is raised: the database unreachable
(sqlalchemy's OperationalError and InterfaceError, which the load task retries). Two runs that
record the same (path, sha256) at once are not an error either: the loser finds it known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlmodel import select

from sellerops.core.config import Settings
from sellerops.ingest.load import load
from sellerops.ingest.outcome import (DUPLICATE, QUARANTINED, Outcome, clip, content_seen, known,
                                      known_outcome, record_file)
from sellerops.ingest.prepare import Detected, fingerprint, prepare
from sellerops.ingest.quarantine import quarantine
from sellerops.reports.read import sha256_of
from sellerops.storage import tables
from sellerops.storage.engine import get_engine, not_created, session

# What fails the run, not the file: the database cannot be reached or stopped answering.
RUN_FAILURES = (sa.exc.OperationalError, sa.exc.InterfaceError)


@dataclass(frozen=True)
class Refused:
    """The database would not store a file's rows; `reason` says why, for its quarantine."""

    reason: str


@dataclass(frozen=True)
class Steps:
    """The work the decision calls for, bound to a run: plain functions or the flow's tasks."""

    prepare: Callable[[Path], Detected]
    store: Callable[[Detected], "Outcome | Refused"]
    quarantine: Callable[[Detected, list[str]], Outcome]


def direct_steps(s: Settings, default_marketplace: str) -> Steps:
    """The steps as plain function calls, in this process."""
    return Steps(prepare=lambda p: prepare(p, default_marketplace), store=lambda d: store(d, s),
                 quarantine=lambda d, problems: quarantine(d, problems, s))


def decide(path: Path, s: Settings, steps: Steps, digest: str | None = None, seen: bool = True) -> Outcome:
    """What becomes of `path` (its sha256 `digest` when already computed): its first outcome if
    known, else a duplicate, a quarantine or a load. `seen=False`: no outcome was ever recorded
    under this path (`paths_seen`), so none can be known and the bytes are hashed only where they
    are read for their content."""
    if seen:
        digest = digest or fingerprint(path)
        if (rf := known_outcome(path, digest)) is not None:
            return known(rf)  # first outcome kept; nothing parsed again
    if (other := _for_another_room(path)) is not None:  # not a flat-file report of the books
        load_elsewhere, data = other
        return load_elsewhere(path, data, digest or sha256_of(data), s)
    d = steps.prepare(path)
    if d.sha256 != digest and (rf := known_outcome(path, d.sha256)) is not None:
        return known(rf)  # the file changed since its digest was taken, to content already seen
    if d.readable and (first := content_seen(d.sha256)) is not None:
        return duplicate_of(d, first, s, steps)
    if d.error or d.problems:
        return steps.quarantine(d, [d.error] if d.error else d.problems)
    result = steps.store(d)
    d.typed = None  # a flow's task results keep `d`: not its rows (a settlement's are ~100 MB)
    if isinstance(result, Refused):
        return steps.quarantine(d, [result.reason])
    return result


def open_database(s: Settings) -> None:
    """Open the database now: on a first night, create and migrate it while the worker starts,
    not after its first file (`paths_seen` does not wait for it)."""
    get_engine(s.database_url)


def paths_seen(paths: list[Path]) -> set[Path]:
    """Those of `paths` under which some outcome was recorded (one indexed query per 500 paths): any
    other path is new tonight whatever its bytes, without reading them. On a database not created
    yet every path is new, known without creating and migrating it first (the first night's reading
    starts that much sooner; the first store creates it)."""
    seen: set[Path] = set()
    if not_created():
        return seen
    by_text = {str(p): p for p in paths}
    texts = list(by_text)
    with session() as db:
        for i in range(0, len(texts), 500):
            rows = db.exec(select(tables.ReportFile.path).where(tables.ReportFile.path.in_(texts[i:i + 500]))
                           .distinct())
            seen.update(by_text[r] for r in rows)
    return seen


def _for_another_room(path: Path):
    """(the loader, the bytes) when `path` belongs to another procedure's room: a saved SP-API
    response (JSON, the inbound room), a suppressed-listings report (the takedown room) or one of
    the account-health watch's inputs (the health room). Decided on the first bytes only: a report
    of the books is not read twice."""
    from sellerops.health.inputs import input_type
    from sellerops.inbound.responses import looks_like_response
    from sellerops.incidents.watch import is_suppressed_report

    try:
        with open(path, "rb") as f:
            head = f.read(4096)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                data = head + f.read()
                if looks_like_response(data):
                    from sellerops.inbound.store import ingest_response

                    return ingest_response, data
                if input_type(data) is not None:
                    from sellerops.health.inputs import ingest_input

                    return ingest_input, data
                return None
            if head and input_type(head) is not None:
                from sellerops.health.inputs import ingest_input

                return ingest_input, head + f.read()
            if head and is_suppressed_report(head):
                from sellerops.incidents.watch import ingest_suppressed

                return ingest_suppressed, head + f.read()
    except (OSError, UnicodeError, ValueError):
        return None  # the preparation step reads it again and quarantines what it cannot read, with its reason
    return None


def store(d: Detected, s: Settings) -> "Outcome | Refused":
    """Load `d`; a refusal by the database comes back as `Refused`, a lost race as the winner's
    outcome. Raises only what fails the run (RUN_FAILURES)."""
    for attempt in (1, 2):
        try:
            return load(d, s)
        except RUN_FAILURES:
            raise
        except sa.exc.IntegrityError as exc:
            if (rf := known_outcome(d.path, d.sha256)) is not None:
                return known(rf)  # another run recorded this (path, sha256) first
            if attempt == 2:
                return Refused(_refusal(d, exc))
            # another run stored the same settlement or rows meanwhile: loading again sees them
        except Exception as exc:  # noqa: BLE001 - whatever a file's values cause quarantines only that file
            return Refused(_refusal(d, exc))
    raise AssertionError("unreachable")  # pragma: no cover


def _refusal(d: Detected, exc: Exception) -> str:
    """The reason the database (or the load) refused a file: the cause first, without the SQL."""
    cause = getattr(exc, "orig", None) or exc
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return clip(f"{d.path}: the database refused it: {type(cause).__name__}: {text}")


def duplicate_of(d: Detected, first, s: Settings, steps: Steps | None = None) -> Outcome:
    """Record the same content seen under another path (a quarantined original quarantines its copy)."""
    if first.status == QUARANTINED:
        problems = [f"{first.reason} (same content as {first.path})"]
        return steps.quarantine(d, problems) if steps else quarantine(d, problems, s)
    reason = f"duplicate: the same content as {first.path} ({first.status} first)"
    try:
        with get_engine(s.database_url).begin() as conn:
            record_file(conn, s, d, DUPLICATE, reason=reason, settlement_id=first.settlement_id,
                        duplicate_of=first.id)
    except sa.exc.IntegrityError:
        if (rf := known_outcome(d.path, d.sha256)) is not None:
            return known(rf)
        raise
    return Outcome(str(d.path), d.sha256, first.report_type, DUPLICATE, reason=reason,
                   settlement_id=first.settlement_id)

