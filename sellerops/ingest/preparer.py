"""Reading and checking the next report in a second process while this one converts and writes.

A big night is two kinds of work of about the same size: reading, checking (Great Expectations)
and converting report files, and writing their rows into the database. Both are CPU-bound Python
that holds the GIL, so threads do not overlap them (measured on a month of reports: 72.6 s in one
thread, 70.9 s with the next file prepared in a thread). A worker process does: it prepares the
next files (`sellerops.ingest.prepare.prepare`, up to AHEAD_BYTES ahead) while this process loads one, and
hands back the checkpoint's problems and the checked raw frame, which this process converts to typed
rows as it loads them: converting is the lighter half of preparing, this process waits for the worker
more than the worker for it, and the raw frame (codes into distinct values) pickles in half the bytes
of the typed rows.

Decisions stay in this process and in file order — whether a file is known, a duplicate, to be
quarantined or loaded — so the outcome of a night does not depend on the worker.

Measured on the benchmark month (2-core machine, reports read as categoricals): the nightly flow
end to end took 74 s in one process and 65 s with the worker; the flow and the worker peak at
1.34 GB + 1.09 GB. `SELLEROPS_INGEST_WORKER=auto` (the default) uses the worker when the night's
new files reach 64 MB and there are two cores or more; `process` always, `inline` never.

The worker is started with "spawn" (a forked copy of a process running Prefect's threads is not
safe), without telling it where `__main__` came from: it runs only sellerops' own functions,
importable by name, so a user's script that runs the flows without an `if __name__ == "__main__":`
guard is not run a second time in the worker. Its Great Expectations context holds the night's
validation results, so it writes the Data Docs before it stops. No Prefect here: tasks/ingest.py
wraps it.

The worker's own start (a new interpreter, pandas, then Great Expectations and its context) is paid
while this process reads: the flow starts it as soon as it knows which paths are new, before hashing
anything, and the worker imports Great Expectations and builds the first file's checkpoint (from
that file's head) at once. Until it hands its first file back this process has nothing to load, so
it reads the first file itself, then the next ones the worker has not started (taking back those
sent to it but not begun, up to READ_HERE_BYTES), and sends each to the worker to be checked only,
in its turn; it converts them itself when their checks come back. The worker's queue keeps the
order of the decisions, whoever read a file. On the benchmark month the worker had the larger share
of the night's work and starts seconds later (docs/benchmarks.md).
A digest the flow already took is handed over with the file, so neither process hashes it again.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from sellerops.core import helper
from sellerops.ingest.prepare import Detected, Stamp, checked, converted, prepare, read_and_detect

AUTO_MIN_BYTES = 64 * 1024 * 1024
# How far the worker may run ahead of the loading, in bytes of report files: about one big
# settlement beyond the one loading, so a run of small files does not leave the worker idle
# while the next big one waits, and prepared files do not pile up in memory.
AHEAD_BYTES = 256 * 1024 * 1024
# How much of the night this process reads itself, beyond the first file, while the worker starts:
# about what it reads in the worker's start-up (a new interpreter, Great Expectations' import, the
# first file's check) on a 2-core machine, so that it is done reading when that file comes back.
READ_HERE_BYTES = 320 * 1024 * 1024


def wanted(paths: list[Path]) -> bool:
    """Whether preparing `paths` in a worker process pays (see the module's docstring)."""
    mode = os.environ.get("SELLEROPS_INGEST_WORKER", "auto").strip().lower()
    if mode in ("process", "1", "true", "yes"):
        return bool(paths)
    if mode != "auto":
        return False
    return (os.cpu_count() or 1) >= 2 and sum(_size(p) for p in paths) >= AUTO_MIN_BYTES


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _prepare(path: Path, default_marketplace: str, fingerprinted: tuple[str, Stamp | None] | None = None) -> Detected:
    return prepare(path, default_marketplace, fingerprinted, convert=False)


def _check(d: Detected) -> tuple[int, list[str] | None, str | None]:
    """The checkpoint on a file sent already read (`read_and_detect`): its row count, problems and
    error. The sender keeps the frame and converts it: a typed frame would take longer to send back."""
    d = checked(d)
    return d.rows, d.problems, d.error


def _started() -> None:
    """Nothing: submitted to start the worker process (and its warm-up) before any file is."""


def _build_docs() -> str | None:
    from sellerops.reports.validate import build_docs

    return build_docs()


# How much of the first file the warm-up reads to know its report type and marketplace.
HEAD_BYTES = 256 * 1024


def _warm_up(first: Path | None = None, default_marketplace: str = "Amazon.com") -> None:
    """The worker's start: Great Expectations imported, its context and the first file's checkpoint
    built, in a thread, so that a task that needs none of them (reading a file) can run beside it;
    a check waits for it through their lock."""
    threading.Thread(target=_warm, args=(first, default_marketplace), name="sellerops-gx-warm-up",
                     daemon=True).start()


def _warm(first: Path | None, default_marketplace: str) -> None:
    from sellerops.ingest.prepare import read_and_detect
    from sellerops.reports.validate import checkpoint_for, context

    try:
        context()
        if first is None:
            return
        with open(first, "rb") as f:
            head = f.read(HEAD_BYTES)
        # whole lines only: the report type, marketplace and header width are the file's own
        d = read_and_detect(first, default_marketplace, data=head[:head.rfind(b"\n") + 1] or head, digest="-")
        if d.fmt is not None:
            checkpoint_for(d.raw, d.fmt, d.marketplace)
    except Exception:  # noqa: BLE001 - a warm-up only: the file's own preparation says what failed
        pass


@contextlib.contextmanager
def _main_hidden():
    """While a worker process starts: `__main__` without its file and module name, so "spawn" does
    not import it again in the worker (that runs the top level of an unguarded script)."""
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if main is not None and hasattr(main, k)}
    try:
        if "__spec__" in saved:
            main.__spec__ = None
        if "__file__" in saved:
            del main.__file__
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


class Preparer:
    """Prepares files ahead, in a worker process or inline; `result(path)` waits for one."""

    def __init__(self, default_marketplace: str, processes: bool, order: list[Path] | None = None):
        self.default_marketplace = default_marketplace
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[Path, Future] = {}
        self.order = list(order or [])  # the files in the order they will be asked for
        self.fingerprints: dict[Path, tuple[str, Stamp | None]] = {}
        self.docs: str | None = None
        # the Data Docs, asked of the worker as soon as the night's last file is: it writes them
        # while this process still stores that file (see `_fill`); None until then
        self._docs: Future | None = None
        self._complete = False  # `extend` was called: `order` holds every file of the night
        # files this process read itself while the worker started, each with its check by the worker
        self.read_here: dict[Path, tuple[Detected, Future | None]] = {}
        self._first_back = False  # the worker has handed a checked file back
        self._holding = False  # nothing is sent to the worker before the first file asked for
        if processes:
            self._start()
        self._fill()

    def _start(self) -> None:
        # a big night allocates millions of objects here too: what this process imported and set up
        # before it is kept out of the collector's full passes, which would walk it again each time
        gc.freeze()
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm_up,
                                        initargs=(self.order[0] if self.order else None, self.default_marketplace))
        with _main_hidden():
            self.pool.submit(_started)  # the process starts with the first task submitted
        # the first file asked for is read here and only checked there (see `result`): the files
        # after it are sent once its check is, so that the worker checks it first
        self._holding = True

    def extend(self, paths: list[Path], files: list[Path], processes: bool,
               fingerprints: dict[Path, tuple[str, Stamp | None]] | None = None) -> None:
        """Also prepare `paths` (new content under paths seen before), keeping the order of `files`
        (the order of the decisions); `processes`: the night, these included, calls for the worker.
        `fingerprints`: their digests as the flow took them (`stamped_fingerprint`)."""
        self.fingerprints.update(fingerprints or {})
        self._complete = True
        if not paths:
            self._fill()
            return
        rank = {p: i for i, p in enumerate(files)}
        self.order = sorted(set(self.order) | set(paths), key=lambda p: rank.get(p, len(rank)))
        if processes and self.pool is None:
            self._start()
        self._fill()

    def __enter__(self) -> "Preparer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, path: Path) -> None:
        """Start preparing `path` in the worker (inline: nothing happens until `result`)."""
        if self.pool is not None and path not in self.pending and path not in self.read_here:
            with _main_hidden():  # a submit may start the worker process (the pool starts it on demand)
                self.pending[path] = self.pool.submit(_prepare, path, self.default_marketplace,
                                                      self.fingerprints.get(path))
            self._docs = None  # written before this file was checked: to be written again

    def _fill(self) -> None:
        """Start the next files in `order`, up to AHEAD_BYTES of them beyond the one loading."""
        if self.pool is None or self._holding:
            return
        ahead = 0
        for path in self.order:
            if ahead >= AHEAD_BYTES:
                break
            if path in self.read_here:
                continue
            self.submit(path)
            ahead += _size(path)
        if self._complete and self._docs is None and all(p in self.pending or p in self.read_here for p in self.order):
            # every file is asked for: the worker writes the Data Docs after the last one, while
            # this process still converts and stores it (one worker: tasks run in order)
            with _main_hidden():
                self._docs = self.pool.submit(_build_docs)
            helper.before_idle(self.pool)

    def result(self, path: Path) -> Detected:
        """The prepared file; an error raised while preparing it is raised here (once: a retry
        prepares it again). Asking for a file lets the worker start the ones after it."""
        if path in self.order:
            self.order = self.order[self.order.index(path) + 1:]
        if self.pool is None:
            return prepare(path, self.default_marketplace, self.fingerprints.get(path))
        if not self._first_back and path not in self.pending and path not in self.read_here:
            self._read_here(path)  # the worker is still starting: it only checks this one
        if path in self.read_here:
            d, check = self.read_here.pop(path)
            self._read_while_the_worker_starts(check)
            # the files this process does not read go to the worker, behind the checks of those it did
            self._holding = False
            self._fill()
            if check is not None:
                d.rows, d.problems, d.error = check.result()
                self._first_back = True
            return converted(d)
        self.submit(path)
        future = self.pending.pop(path)
        self._read_while_the_worker_starts(future)
        self._fill()
        d = future.result()
        self._first_back = True
        return converted(d)

    def _read_here(self, path: Path) -> None:
        """Read `path` in this process and send it to the worker to be checked (not when it could
        not be read or is no report: that is its outcome already)."""
        d = read_and_detect(path, self.default_marketplace, fingerprinted=self.fingerprints.get(path))
        check = None
        if not d.error:
            with _main_hidden():
                check = self.pool.submit(_check, d)
            self._docs = None  # asked for before this file's check: to be written again
        self.read_here[path] = (d, check)

    def _read_while_the_worker_starts(self, awaited: Future | None) -> None:
        """Until the worker hands its first file back (its start, Great Expectations' import, that
        file's check), this process would only wait: it reads the next files the worker has not
        started meanwhile, up to READ_HERE_BYTES in all, and sends each to the worker to be checked
        in its turn; this process converts them. The worker had the larger share of the night's
        work, and it starts later. Nothing else is sent to the worker meanwhile: a file it has queued
        can no longer be taken back (a process pool hands it a task ahead), and this process would read
        the smaller files after it while the worker read that one."""
        if self._first_back or awaited is None or awaited.done():
            return
        budget = READ_HERE_BYTES - sum(_size(p) for p in self.read_here)
        taken = self._take_back()
        try:
            for path in [p for p in self.order if p not in self.pending and p not in self.read_here]:
                if awaited.done():
                    break
                if _size(path) > budget:  # left to the worker; a smaller file after it may still fit
                    continue
                budget -= _size(path)
                self._read_here(path)
        finally:
            for path in taken:  # after the checks just sent: the worker's queue keeps the decisions' order
                if path not in self.read_here:
                    self.submit(path)

    def _take_back(self) -> list[Path]:
        """The files sent to the worker that it has not started, taken back (in the order sent), and
        the Data Docs if asked for after them."""
        if self._docs is not None and self._docs.cancel():
            self._docs = None
        taken = []
        for path in reversed(list(self.pending)):  # the last sent first: the worker takes them in order
            if not self.pending[path].cancel():
                break
            del self.pending[path]
            taken.append(path)
        return taken[::-1]

    def close(self) -> None:
        """Write the Data Docs where the checks ran, then hand the worker over to the night, else
        stop it without waiting for its exit (sellerops.core.helper)."""
        if self.pool is None:
            return
        try:
            if self._docs is None:
                with _main_hidden():
                    self._docs = self.pool.submit(_build_docs)
            self.docs = self._docs.result()
        except Exception:  # Data Docs are a report on the checks, not part of them
            self.docs = None
        finally:
            for future in self.pending.values():  # asked for but not taken (a failed night)
                future.cancel()
            helper.hand_over(self.pool)
            self.pool = None
