"""How fast sellerops may talk to the Selling Partner API: pure arithmetic, no I/O.

Amazon meters every SP-API operation separately with a token bucket (a steady rate plus a burst);
a request over the limit gets HTTP 429 and the `x-amzn-RateLimit-Limit` header names the steady
rate that applies. This module holds the documented rates, reads that header, and computes the
waits: exponential backoff with full jitter for transient faults, never shorter than one token's
worth of time after a 429. The SP-API source sleeps; the Prefect tasks turn the same table into
global rate limits shared by every worker. Defaults live here; environment variables override them.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable


@dataclass(frozen=True)
class OperationRate:
    """An operation's usage plan: `per_second` tokens refill a bucket that holds `burst`."""

    per_second: float
    burst: int


# Amazon's published usage plans (requests per second, burst). Operation names are Amazon's.
RATES: dict[str, OperationRate] = {
    # Reports 2021-06-30
    "createReport": OperationRate(0.0167, 15),
    "getReport": OperationRate(2.0, 15),
    "getReports": OperationRate(0.0222, 10),
    "getReportDocument": OperationRate(0.0167, 15),
    # Fulfillment Inbound v0
    "getShipments": OperationRate(2.0, 30),
    "getShipmentItemsByShipmentId": OperationRate(2.0, 30),
    "getShipmentItems": OperationRate(2.0, 30),
    # Fulfillment Inbound 2024-03-20
    "listInboundPlans": OperationRate(2.0, 6),
    "getInboundPlan": OperationRate(2.0, 6),
    "getShipment": OperationRate(2.0, 6),
    "listShipmentItems": OperationRate(2.0, 6),
    "listPackingOptions": OperationRate(2.0, 6),
    "listPlacementOptions": OperationRate(2.0, 6),
    "listTransportationOptions": OperationRate(2.0, 6),
    # Listings Items 2021-08-01
    "getListingsItem": OperationRate(5.0, 10),
    "searchListingsItems": OperationRate(5.0, 5),
}

# An operation missing from the table gets a cautious plan rather than none.
DEFAULT_RATE = OperationRate(0.5, 1)


def rate_for(operation: str) -> OperationRate:
    """The usage plan of `operation` (Amazon's operation name), or a cautious default."""
    return RATES.get(operation, DEFAULT_RATE)


def limit_name(operation: str) -> str:
    """The name of the Prefect global rate limit that paces `operation` across workers."""
    return f"spapi:{operation}"


def parse_rate_limit(value: str | None) -> float | None:
    """Requests per second from an `x-amzn-RateLimit-Limit` header; None when absent or unreadable."""
    if value is None:
        return None
    try:
        rate = float(str(value).strip())
    except ValueError:
        return None
    if rate != rate or rate <= 0 or rate == float("inf"):  # NaN, zero, negative, infinite
        return None
    return rate


def backoff_delay(attempt: int, *, base: float, cap: float, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (0-based): full jitter over base * 2**attempt, capped."""
    ceiling = min(cap, base * (2 ** max(attempt, 0)))
    return rng() * ceiling


def throttle_delay(
    rate_limit_header: str | None,
    attempt: int,
    *,
    base: float,
    cap: float,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after a 429: at least one token's refill time at the announced rate, plus jitter."""
    rate = parse_rate_limit(rate_limit_header)
    floor = 1.0 / rate if rate else 0.0
    return floor + backoff_delay(attempt, base=base, cap=cap, rng=rng)


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: expected a number of seconds, found {raw!r}") from exc


@dataclass(frozen=True)
class PacingPolicy:
    """Retry and polling policy of the SP-API source. Defaults suit Amazon; tests shrink them.

    - `max_attempts`: tries per HTTP call (429, 5xx and network errors are retried).
    - `backoff_base` / `backoff_cap`: exponential backoff with full jitter, in seconds.
    - `poll_interval`: seconds between getReport polls; `poll_timeout`: how long a report may stay
      IN_QUEUE / IN_PROGRESS before that report fails.
    - `download_timeout`: seconds for one document download.
    """

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    poll_interval: float = 15.0
    poll_timeout: float = 1800.0
    download_timeout: float = 300.0

    @classmethod
    def from_env(cls) -> "PacingPolicy":
        """The defaults, overridden by `SELLEROPS_SPAPI_*` environment variables where set."""
        d = cls()
        return replace(
            d,
            max_attempts=int(_env_float("SELLEROPS_SPAPI_MAX_ATTEMPTS", d.max_attempts)),
            backoff_base=_env_float("SELLEROPS_SPAPI_BACKOFF_BASE", d.backoff_base),
            backoff_cap=_env_float("SELLEROPS_SPAPI_BACKOFF_CAP", d.backoff_cap),
            poll_interval=_env_float("SELLEROPS_SPAPI_POLL_INTERVAL", d.poll_interval),
            poll_timeout=_env_float("SELLEROPS_SPAPI_POLL_TIMEOUT", d.poll_timeout),
            download_timeout=_env_float("SELLEROPS_SPAPI_DOWNLOAD_TIMEOUT", d.download_timeout),
        )


@dataclass
class LocalPacer:
    """In-process token buckets, one per operation: the pace when no Prefect server shares one.

    Call the pacer with an operation name before each request; it sleeps until a token is free.
    `clock` and `sleep` are injectable so the arithmetic is testable without waiting.
    """

    rates: dict[str, OperationRate] = field(default_factory=lambda: dict(RATES))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # op -> (tokens, at)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_time(self, operation: str) -> float:
        """Take a token for `operation`; return how long the caller must wait for it (0 when free)."""
        plan = self.rates.get(operation, DEFAULT_RATE)
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(operation, (float(plan.burst), now))
            tokens = min(float(plan.burst), tokens + (now - at) * plan.per_second)
            tokens -= 1.0
            self._buckets[operation] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens / plan.per_second

    def __call__(self, operation: str) -> None:
        delay = self.wait_time(operation)
        if delay > 0:
            self.sleep(delay)
