"""Report ingestion, step by step: discover → read & detect → validate (checkpoint) → decide → load.

Pure Python over the database; `tasks/ingest.py` wraps the steps as Prefect tasks and
`flows/ingest.py` composes them. The rooms: `discover` (which files), `prepare` (read, detect,
check, convert: CPU only, in a worker process on big nights through `preparer`), `decide` (the one
decision per file), `load` (the database), `quarantine`, `outcome` (what became of a file). A
file's first outcome is kept: the same (path, sha256) offered again adds nothing. The same content
under another name, or a settlement id already loaded, is a duplicate and loads nothing. A file
that fails in any way is copied into quarantine/ with `<name>.reason.json`, while every good file
still loads. sellerops never moves, changes or deletes a user's file. One ingestion runs at a time
per database (sellerops.storage.lock).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sellerops.core.config import Settings, settings
from sellerops.ingest.decide import (Refused, Steps, decide, direct_steps, duplicate_of, open_database, paths_seen,
                                     store)
from sellerops.ingest.discover import PathError, discover
from sellerops.ingest.load import load
from sellerops.ingest.outcome import (DUPLICATE, LOADED, QUARANTINED, Outcome, content_seen, known,
                                      known_outcome, report_rows)
from sellerops.ingest.prepare import Detected, fingerprint, prepare, read_and_detect, validate
from sellerops.ingest.quarantine import quarantine
from sellerops.reports.read import sha256_of
from sellerops.storage.lock import run_lock

__all__ = ["DUPLICATE", "LOADED", "QUARANTINED", "Detected", "Outcome", "PathError", "Refused", "Steps",
           "check_ready", "content_seen", "decide", "direct_steps", "discover", "duplicate_of", "fingerprint", "ingest_file",
           "ingest_paths", "known", "known_outcome", "load", "open_database", "paths_seen", "prepare", "quarantine", "read_and_detect",
           "report_rows", "settings_for", "sha256_of", "store", "validate"]


def settings_for(account: str | None = None) -> Settings:
    """The settings, for another seller account than the configured one when `account` is given."""
    s = settings()
    return dataclasses.replace(s, account=account) if account else s


def check_ready(s: Settings | None = None) -> None:
    """Fail now, with one line naming the path, if the database or the run lock cannot be used
    (raises DatabaseUnavailable or LockUnavailable) — before a run starts on a night's files."""
    from sellerops.storage import lock

    s = s or settings()
    open_database(s)
    lock.check("sellerops", s)


def ingest_file(path: Path, default_marketplace: str | None = None, account: str | None = None) -> Outcome:
    """The whole decision for one file, without Prefect (the flow runs the same steps as tasks)."""
    s = settings_for(account)
    with run_lock("sellerops", s=s):
        return decide(path, s, direct_steps(s, default_marketplace or s.marketplace))


def ingest_paths(paths: list[Path], default_marketplace: str | None = None,
                 account: str | None = None) -> list[Outcome]:
    """Ingest every file under `paths` in order (the flow-free entry point for other sources)."""
    s = settings_for(account)
    with run_lock("sellerops", s=s):
        steps = direct_steps(s, default_marketplace or s.marketplace)
        return [decide(p, s, steps) for p in discover(list(paths), s)]
