"""One helper process a night (sellerops.core.helper): a step hands its worker over to the night,
which keeps one, prepares it for the later steps once, and stops it when the night ends. Outside
a night nothing is kept. A thread pool stands in for the worker process here: the night only needs
an executor (the process itself is exercised in tests/sellerops/reconciliation/test_night_worker.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sellerops.core import helper

warmed: list[int] = []


def _warm() -> None:
    warmed.append(1)


def test_outside_a_night_nothing_is_kept():
    with ThreadPoolExecutor(1) as pool:
        assert helper.keep(pool) is False
        assert helper.pool() is None
        helper.before_idle(pool)  # no night: nothing to prepare, nothing submitted


def test_a_night_keeps_the_first_worker_handed_over_and_stops_it_at_its_end():
    first, second = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
    with helper.night():
        assert helper.keep(first) and helper.pool() is first
        assert helper.keep(second) is False  # one a night: the step stops its own
        assert first.submit(lambda: 2).result() == 2
    assert helper.pool() is None
    with pytest.raises(RuntimeError):  # shut down with the night
        first.submit(lambda: 3)
    second.shutdown()


def test_the_night_prepares_its_worker_once_after_a_steps_last_task():
    warmed.clear()
    with ThreadPoolExecutor(1) as pool, helper.night(warm=_warm):
        helper.before_idle(pool)
        helper.before_idle(pool)
        pool.submit(lambda: None).result()  # the pool runs tasks in order: the warm-up ran before
        assert warmed == [1]


def test_nights_do_not_share_their_worker():
    with helper.night():
        with helper.night():
            pool = ThreadPoolExecutor(1)
            assert helper.keep(pool)
        assert helper.pool() is None
