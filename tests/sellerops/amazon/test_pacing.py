"""Pure pacing arithmetic: the rates table, the rate-limit header, backoff and the local bucket."""

from __future__ import annotations

import pytest

from sellerops.amazon.pacing import (
    DEFAULT_RATE,
    LocalPacer,
    OperationRate,
    PacingPolicy,
    backoff_delay,
    limit_name,
    parse_rate_limit,
    rate_for,
    throttle_delay,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0.0167", 0.0167),  # createReport's documented rate, one a minute
        ("2.0", 2.0),  # getReport
        (" 10 ", 10.0),  # whitespace tolerated
        (None, None),  # header absent
        ("", None),
        ("fast", None),  # unreadable: fall back to plain backoff
        ("0", None),  # a zero rate would mean an infinite wait: ignore it
        ("-1", None),
        ("nan", None),
    ],
)
def test_parse_rate_limit(header, expected):
    assert parse_rate_limit(header) == expected


@pytest.mark.parametrize(
    ("attempt", "rng", "expected"),
    [
        (0, 1.0, 1.0),  # base * 2**0
        (3, 1.0, 8.0),  # base * 2**3
        (10, 1.0, 60.0),  # capped
        (3, 0.5, 4.0),  # jitter scales the ceiling
        (3, 0.0, 0.0),  # full jitter may retry at once
    ],
)
def test_backoff_delay(attempt, rng, expected):
    assert backoff_delay(attempt, base=1.0, cap=60.0, rng=lambda: rng) == expected


def test_throttle_delay_never_shorter_than_one_token():
    # createReport at 0.0167/s: a token is ~60 s away, whatever the jitter says.
    assert throttle_delay("0.0167", 0, base=1.0, cap=60.0, rng=lambda: 0.0) == pytest.approx(59.88, abs=0.01)
    # Without the header the wait is the plain jittered backoff.
    assert throttle_delay(None, 2, base=1.0, cap=60.0, rng=lambda: 0.5) == 2.0


def test_rates_table_holds_the_documented_plans():
    assert rate_for("createReport") == OperationRate(0.0167, 15)
    assert rate_for("getReport") == OperationRate(2.0, 15)
    assert rate_for("noSuchOperation") == DEFAULT_RATE
    assert limit_name("createReport") == "spapi:createReport"


def test_local_pacer_spends_the_burst_then_waits_for_refill():
    now = [0.0]
    slept: list[float] = []
    pacer = LocalPacer(rates={"op": OperationRate(2.0, 2)}, clock=lambda: now[0], sleep=slept.append)

    pacer("op")
    pacer("op")  # burst of 2 spent, no wait
    assert slept == []
    pacer("op")  # a third call needs half a second of refill at 2/s
    assert slept == [0.5]
    now[0] = 10.0  # after a long pause the bucket is full again (capped at the burst)
    pacer("op")
    pacer("op")
    assert slept == [0.5]


def test_policy_reads_environment_overrides(monkeypatch):
    monkeypatch.setenv("SELLEROPS_SPAPI_POLL_TIMEOUT", "5")
    monkeypatch.setenv("SELLEROPS_SPAPI_MAX_ATTEMPTS", "2")
    policy = PacingPolicy.from_env()
    assert (policy.poll_timeout, policy.max_attempts) == (5.0, 2)
    assert policy.poll_interval == PacingPolicy().poll_interval  # untouched defaults stay
    monkeypatch.setenv("SELLEROPS_SPAPI_POLL_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="SELLEROPS_SPAPI_POLL_TIMEOUT: expected a number"):
        PacingPolicy.from_env()
