"""Quarantine: a file that cannot be ingested is copied into SELLEROPS_HOME/quarantine/ with
`<name>.reason.json`, and its outcome recorded — the ingest room's (sellerops.ingest) answer to
every per-file failure.

sellerops never moves, changes or deletes a user's file. The database is the record: a
quarantine folder that cannot be written (read-only, full) is reported once per run and the file
is still recorded as quarantined. Everything written is bounded: the reason a few hundred
characters, reason.json at most REASON_JSON_BYTES.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from sellerops.core.config import Settings, settings
from sellerops.ingest.outcome import (PROBLEM_CHARS, QUARANTINED, Outcome, clip, known, known_outcome, now,
                                      reason_of, record_file)
from sellerops.ingest.prepare import Detected
from sellerops.reports.read import looks_japanese, sha256_of
from sellerops.storage.engine import get_engine

log = logging.getLogger(__name__)
REASON_JSON_BYTES = 64 * 1024
_reported: set[Path] = set()  # quarantine folders already reported unwritable by this process


def quarantine(d: Detected, problems: list[str], s: Settings | None = None) -> Outcome:
    """Copy the file into quarantine/ with `<name>.reason.json`; record the outcome."""
    s = s or settings()
    reason = reason_of(problems)
    report_type = d.fmt.report_type if d.fmt else None
    copy = None
    try:
        copy = str(_write_copy(d, reason, problems, report_type, s))
    except OSError as exc:
        _report_unwritable(s.quarantine, exc)
    try:
        with get_engine(s.database_url).begin() as conn:
            record_file(conn, s, d, QUARANTINED, reason=reason)
    except sa.exc.IntegrityError:
        if (rf := known_outcome(d.path, d.sha256)) is not None:
            return known(rf)  # another run recorded this (path, sha256) first
        raise
    return Outcome(str(d.path), d.sha256, report_type, QUARANTINED, reason=reason, problems=problems, copy=copy)


def _write_copy(d: Detected, reason: str, problems: list[str], report_type: str | None, s: Settings) -> Path:
    s.quarantine.mkdir(parents=True, exist_ok=True)
    scrubbed = _scrubbed(d)
    target = s.quarantine / d.path.name
    if target.exists() and sha256_of(target.read_bytes()) != (sha256_of(scrubbed) if scrubbed else d.sha256):
        target = s.quarantine / f"{d.path.stem}.{d.sha256[:8]}{d.path.suffix}"
    info = {"path": str(d.path), "sha256": d.sha256, "report_type": report_type, "reason": reason,
            "problems": [], "quarantined_at": now().isoformat()}
    info["problems"] = _bounded(problems, len(json.dumps(info, indent=2)))
    target.with_name(target.name + ".reason.json").write_text(json.dumps(info, indent=2) + "\n")
    if scrubbed is not None:
        _write_private(target, scrubbed)
    elif d.readable and not _personal(d):
        try:
            shutil.copy2(d.path, target)
        except FileNotFoundError:  # vanished since it was read: the reason and the record remain
            pass
    return target


def _personal(d: Detected) -> bool:
    """Whether the file names personal columns (its copy then holds customer keys, never e-mails)."""
    from sellerops.customers import carries_personal_data

    try:
        with open(d.path, "rb") as f:
            return carries_personal_data(f.read(65536))
    except OSError:
        return False


def _scrubbed(d: Detected) -> bytes | None:
    """The bytes to keep of a file with personal columns: the buyer e-mails as customer keys, the
    other personal fields empty. None for a file without them, or one that cannot be decoded (then
    only its reason is kept)."""
    from sellerops.customers import Unscrubbable, scrub

    if not d.readable or not _personal(d):
        return None
    try:
        data = d.path.read_bytes()
        return scrub(data, looks_japanese(data))
    except (OSError, Unscrubbable):
        return None


def _write_private(target: Path, data: bytes) -> None:
    """Write `data` readable by its owner only (mode 600), even where the file already existed."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _bounded(problems: list[str], used: int) -> list[str]:
    """As many problems (each clipped) as fit in reason.json's REASON_JSON_BYTES."""
    out, size = [], used + 200
    for p in problems:
        p = clip(p, PROBLEM_CHARS)
        size += len(json.dumps(p)) + 6
        if size > REASON_JSON_BYTES:
            out.append(f"(and {len(problems) - len(out)} more)")
            break
        out.append(p)
    return out


def _report_unwritable(folder: Path, exc: OSError) -> None:
    if folder not in _reported:
        _reported.add(folder)
        log.warning("quarantine folder %s cannot be written (%s): quarantined files are recorded in the "
                    "database only", folder, exc.strerror or exc)
