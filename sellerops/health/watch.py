"""One evaluation of the account-health watch as pure arithmetic: measurements in, levels and level changes out.

The measurements come from sellerops.health.measure (one per signal and subject); the open warnings
from sellerops.storage.health_watch. Each measurement is judged against its rule
(sellerops.health.levels) from the level its warning is at, and a level change is recorded only
when the level moves: a new warning is a change from ok, resolving is a change to ok, critical
straight to ok is one change. A warning whose subject is not measured this time keeps its level
(nothing says it got better). Nothing here touches the database or Prefect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, Protocol

from sellerops.health.levels import RANK, Thresholds, level


class MeasurementLike(Protocol):
    """What the watch needs of a measurement (sellerops.health.measure.Measurement)."""

    signal: str
    subject: str
    value: Decimal
    at: dt.datetime
    detail: dict


@dataclass(frozen=True)
class Judged:
    """One (signal, subject) judged: its level now and the one before (ok when it had no warning)."""

    signal: str
    subject: str
    value: Decimal
    at: dt.datetime
    level: str
    previous: str
    detail: dict

    @property
    def changed(self) -> bool:
        return self.level != self.previous

    @property
    def worsened(self) -> bool:
        return RANK[self.level] > RANK[self.previous]


def judge(measurements: Iterable[MeasurementLike], open_levels: Mapping[tuple[str, str], str],
          thresholds: Thresholds) -> list[Judged]:
    """Every measurement's level, from the level of its open warning (`open_levels` by (signal, subject))."""
    out, seen = [], set()
    for m in measurements:
        key = (m.signal, m.subject)
        if key in seen:
            raise ValueError(f"{m.signal} {m.subject}: measured twice in one evaluation")
        seen.add(key)
        value = m.value if isinstance(m.value, Decimal) else Decimal(str(m.value))
        previous = open_levels.get(key, "ok")
        now = level(thresholds[m.signal], value, previous)
        out.append(Judged(m.signal, m.subject, value, _utc(m.at), now, previous, dict(m.detail or {})))
    return out


def changes(judged: Iterable[Judged]) -> list[Judged]:
    return [j for j in judged if j.changed]


def _utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:  # a plain date's midnight or a naive time: UTC, as the issue says
        return at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(dt.timezone.utc)
