"""Reading, checking and converting the next report in a second process while this one writes.

A big night is two kinds of work of about the same size: reading, checking (Great Expectations)
and converting report files, and writing their rows into the database. Both are CPU-bound Python
that holds the GIL, so threads do not overlap them (measured on a month of reports: 72.6 s in one
thread, 70.9 s with the next file prepared in a thread). A worker process does: it prepares file
n + 1 (`sellerops.ingest.prepare`) while this process loads file n, and hands back only the typed
rows and the checkpoint's problems.

Decisions stay in this process and in file order — whether a file is known, a duplicate, to be
quarantined or loaded — so the outcome of a night does not depend on the worker. The worker is
used when the night's new files are big enough to pay for starting it (an interpreter and Great
Expectations' import, a few seconds): `SELLEROPS_INGEST_WORKER=auto` (default; 64 MB of new files or
more, and two cores), `process` (always) or `inline` (never). The worker's Great Expectations
context holds the night's validation results, so it also writes the Data Docs before it stops.
No Prefect here: tasks/ingest.py wraps it.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from sellerops import ingest

AUTO_MIN_BYTES = 64 * 1024 * 1024


def wanted(paths: list[Path]) -> bool:
    """Whether preparing `paths` in a worker process pays (see the module's docstring)."""
    mode = os.environ.get("SELLEROPS_INGEST_WORKER", "auto").strip().lower()
    if mode in ("process", "1", "true", "yes"):
        return bool(paths)
    if mode in ("inline", "0", "false", "no"):
        return False
    size = 0
    for p in paths:
        try:
            size += p.stat().st_size
        except OSError:
            pass
    return (os.cpu_count() or 1) >= 2 and size >= AUTO_MIN_BYTES


def _prepare(path: Path, default_marketplace: str) -> ingest.Detected:
    return ingest.prepare(path, default_marketplace)


def _build_docs() -> str | None:
    from sellerops.reports.validate import build_docs

    return build_docs()


class Preparer:
    """Prepares files ahead, in a worker process or inline; `result(path)` waits for one."""

    def __init__(self, default_marketplace: str, processes: bool):
        self.default_marketplace = default_marketplace
        self.pool = (ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
                     if processes else None)
        self.pending: dict[Path, Future] = {}
        self.docs: str | None = None

    def __enter__(self) -> "Preparer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, path: Path) -> None:
        """Start preparing `path` in the worker (inline: nothing happens until `result`)."""
        if self.pool is not None and path not in self.pending:
            self.pending[path] = self.pool.submit(_prepare, path, self.default_marketplace)

    def result(self, path: Path) -> ingest.Detected:
        """The prepared file; an error raised while preparing it is raised here (once: a retry
        prepares it again)."""
        if self.pool is None:
            return ingest.prepare(path, self.default_marketplace)
        self.submit(path)
        return self.pending.pop(path).result()

    def close(self) -> None:
        """Write the Data Docs where the checks ran and stop the worker."""
        if self.pool is None:
            return
        try:
            self.docs = self.pool.submit(_build_docs).result()
        except Exception:  # Data Docs are a report on the checks, not part of them
            self.docs = None
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
