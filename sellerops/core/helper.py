"""One helper process a night, shared by the steps that run inside it.

A big night's ingestion starts a worker process (sellerops.ingest.preparer); the reconciliation
that follows runs one process at a time and would leave the machine's second core idle. Inside
`night()` the ingestion hands its worker over when it is done instead of stopping it, and the
reconciliation gives it the settlement-local rules while it judges the order rules itself
(sellerops.reconciliation.runs). The worker is stopped when the night ends. A step outside a night,
or a night whose ingestion started no worker, runs as before: no process is started only for this.
"""

from __future__ import annotations

from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator


class Night:
    """What a night keeps between its steps: the worker process, once a step handed it over, and
    what prepares the worker for the later steps."""

    def __init__(self, warm: Callable[[], None] | None = None) -> None:
        self.pool: Executor | None = None
        self.warm = warm
        self.warmed = False

    def close(self) -> None:
        if self.pool is not None:
            stop(self.pool)
            self.pool = None


def stop(pool: Executor) -> None:
    """Stop a worker without waiting for its exit: an interpreter that imported Great Expectations
    takes about a second to tear down, which the caller need not spend idle (the pool reaps the
    process in the background)."""
    pool.shutdown(wait=False, cancel_futures=True)


_night: ContextVar[Night | None] = ContextVar("sellerops_night", default=None)


@contextmanager
def night(warm: Callable[[], None] | None = None) -> Iterator[Night]:
    """Steps run inside share one worker process (see the module). `warm` (a module-level function,
    run in the worker) prepares it for the later steps (their imports, their database engine)."""
    n = Night(warm)
    token = _night.set(n)
    try:
        yield n
    finally:
        _night.reset(token)
        n.close()


def keep(pool: Executor) -> bool:
    """Keep `pool` (a worker a step is done with) for the rest of the night: True when kept, and the
    night stops it; False outside a night, or when the night keeps one already."""
    n = _night.get()
    if n is None or n.pool is not None:
        return False
    n.pool = pool
    return True


def hand_over(pool: Executor) -> None:
    """A step is done with its worker: the night keeps it (`keep`), else it is stopped (`stop`)."""
    if not keep(pool):
        stop(pool)


def pool() -> Executor | None:
    """The night's worker process, if a step handed one over."""
    n = _night.get()
    return None if n is None else n.pool


def before_idle(pool: Executor) -> None:
    """`pool` has been given its step's last task: the night's `warm` follows it there, so the worker
    prepares for the later steps while this process finishes the step."""
    n = _night.get()
    if n is not None and n.warm is not None and not n.warmed:
        n.warmed = True
        pool.submit(n.warm)
