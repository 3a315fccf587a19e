"""The account-health watch against the database: measure, judge, store warnings and level changes.

`run_watch` is one evaluation at the watch's clock `now` (windows of 7, 14 and 30 days end there):
sellerops.health.measure measures, sellerops.health.watch judges from the open warnings' levels,
and `record` writes the values behind the trends, the warnings and their level changes. It returns
the level changes; the flow emits an event for each, and with no server in use `sellerops health
run` hands them to sellerops.health.procedures itself. `warnings` and `history` are what
`sellerops health` shows. No Prefect import here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Optional

from sqlmodel import Session, select

from sellerops.health.actions import action_for, action_text, event_name, resource_id
from sellerops.health.levels import LEVELS, RANK, Thresholds
from sellerops.health.watch import Judged, judge
from sellerops.storage.health_watch import HealthLevelChange, HealthValue, HealthWarning

TREND_POINTS = 12


@dataclass(frozen=True)
class Change:
    """A level change the watch recorded: what the event says and the answering procedure acts on."""

    warning_id: int
    signal: str
    subject: str
    from_level: str
    to_level: str
    at: dt.datetime
    value: Decimal

    @property
    def procedure(self) -> Optional[str]:
        a = action_for(self.signal, self.to_level)
        return a.procedure if a else None


def event(c: Change) -> dict:
    """The Prefect event of a level change (`sellerops.health.<signal>.<level>`, the subject as resource),
    as keyword arguments of `prefect.events.emit_event`; the payload is what the answering flow takes."""
    return {"event": event_name(c.signal, c.to_level),
            "resource": {"prefect.resource.id": resource_id(c.signal, c.subject),
                         "prefect.resource.name": f"{c.signal} {c.subject}",
                         "sellerops.signal": c.signal, "sellerops.subject": c.subject},
            "payload": {"signal": c.signal, "subject": c.subject, "from": c.from_level, "to": c.to_level,
                        "value": str(c.value), "at": c.at.isoformat(), "warning": c.warning_id,
                        "procedure": c.procedure}}


@dataclass
class WatchRun:
    now: dt.datetime
    judged: list[Judged]
    changes: list[Change]


def open_key(signal: str, subject: str) -> str:
    return f"{signal}|{subject}"


def open_warning(s: Session, signal: str, subject: str) -> Optional[HealthWarning]:
    return s.exec(select(HealthWarning).where(HealthWarning.open_key == open_key(signal, subject))).first()


def open_levels(s: Session) -> dict[tuple[str, str], str]:
    rows = s.exec(select(HealthWarning).where(HealthWarning.open_key.is_not(None))).all()
    return {(w.signal, w.subject): w.level for w in rows}


def run_watch(s: Session, now: dt.datetime, thresholds: Thresholds | None = None, windows=None,
              measure: Callable | None = None, history: Callable | None = None) -> WatchRun:
    """Measure every signal as of `now`, judge and record; commits. `measure(session, now, windows)`
    defaults to sellerops.health.measure.measure (and its default windows), `history(session, signal,
    subject, before, limit)` to its history: the earlier values of a subject away from ok that the
    watch has not kept yet (its first run, a new subject), so its trend starts with them."""
    if now.tzinfo is None:
        raise ValueError(f"naive now {now!r}: the watch's clock is a timezone-aware time")
    now = now.astimezone(dt.timezone.utc)
    if measure is None:
        from sellerops.health import measure as module  # the reports' side of the watch, loaded on use

        measure, history = module.measure, history or getattr(module, "history", None)
    measurements = measure(s, now) if windows is None else measure(s, now, windows)
    judged = judge(measurements, open_levels(s), thresholds or Thresholds())
    if history is not None:
        _seed_trends(s, [j for j in judged if j.level != "ok"], history)
    changes = record(s, judged, now)
    s.commit()
    return WatchRun(now, judged, changes)


def _seed_trends(s: Session, judged: list[Judged], history: Callable) -> None:
    kept = {(k[0], k[1]) for k, v in trends(s, [(j.signal, j.subject) for j in judged], points=1).items() if v}
    for j in judged:
        if (j.signal, j.subject) in kept:
            continue
        for at, value in history(s, j.signal, j.subject, j.at, TREND_POINTS - 1):
            if at < j.at:
                s.add(HealthValue(signal=j.signal, subject=j.subject, at=_aware(at), value=str(value)))
    s.flush()


def _aware(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at.astimezone(dt.timezone.utc)


def record(s: Session, judged: Iterable[Judged], now: dt.datetime) -> list[Change]:
    """Write each judged value (once per measurement time), update its warning and record a level change
    when the level moved: a new warning from ok, a resolution to ok (the warning closes)."""
    judged = list(judged)
    _keep_values(s, judged)
    open_ = {(w.signal, w.subject): w for w in s.exec(
        select(HealthWarning).where(HealthWarning.open_key.is_not(None))).all()}
    moved: list[tuple[HealthWarning, str, Judged]] = []
    for j in judged:
        w = open_.get((j.signal, j.subject))
        if w is None and j.level == "ok":
            continue
        if w is None:
            w = HealthWarning(signal=j.signal, subject=j.subject, level="ok", value=str(j.value), measured_at=j.at,
                              since=now, opened_at=now, open_key=open_key(j.signal, j.subject))
        w.value, w.measured_at, w.detail = str(j.value), j.at, json.dumps(j.detail, default=str, sort_keys=True)
        if j.level != w.level:
            moved.append((w, w.level, j))
            w.level, w.since = j.level, now
            if j.level == "ok":
                w.resolved_at, w.open_key = now, None
        s.add(w)
    s.flush()  # the new warnings get their ids
    changes = []
    for w, previous, j in moved:
        s.add(HealthLevelChange(warning_id=w.id, signal=j.signal, subject=j.subject, from_level=previous,
                                to_level=j.level, at=now, value=str(j.value)))
        changes.append(Change(w.id, j.signal, j.subject, previous, j.level, now, j.value))
    s.flush()
    return changes


def _keep_values(s: Session, judged: list[Judged]) -> None:
    """One value row per (signal, subject, measurement time); the same report read again with a
    correction updates its row."""
    ats = {j.at for j in judged}
    known = {(v.signal, v.subject, v.at): v for at_chunk in _chunks(sorted(ats), 500)
             for v in s.exec(select(HealthValue).where(HealthValue.at.in_(at_chunk))).all()}
    for j in judged:
        found = known.get((j.signal, j.subject, j.at))
        if found is None:
            s.add(HealthValue(signal=j.signal, subject=j.subject, at=j.at, value=str(j.value)))
        elif found.value != str(j.value):
            found.value = str(j.value)
            s.add(found)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def trend(s: Session, signal: str, subject: str, points: int = TREND_POINTS) -> list[Decimal]:
    """The last `points` values measured, oldest first."""
    rows = s.exec(select(HealthValue).where(HealthValue.signal == signal, HealthValue.subject == subject)
                  .order_by(HealthValue.at.desc()).limit(points)).all()
    return [Decimal(r.value) for r in reversed(rows)]


def trends(s: Session, keys: Iterable[tuple[str, str]], points: int = TREND_POINTS) -> dict:
    """`trend` for many (signal, subject) at once: one query, each subject's last `points` values."""
    import sqlalchemy as sa

    wanted = set(keys)
    if not wanted:
        return {}
    t = HealthValue.__table__
    rank = sa.func.row_number().over(partition_by=(t.c.signal, t.c.subject), order_by=t.c.at.desc()).label("n")
    inner = sa.select(t.c.signal, t.c.subject, t.c.at, t.c.value, rank).where(
        t.c.signal.in_({k[0] for k in wanted})).subquery()
    rows = s.execute(sa.select(inner.c.signal, inner.c.subject, inner.c.value).where(inner.c.n <= points)
                     .order_by(inner.c.signal, inner.c.subject, inner.c.at)).all()
    out: dict[tuple[str, str], list[Decimal]] = {k: [] for k in wanted}
    for signal, subject, value in rows:
        if (signal, subject) in out:
            out[(signal, subject)].append(Decimal(value))
    return out


def number(value: Decimal | str) -> float | int | None:
    """A value for JSON: a number (rates as fractions, days, counts); infinite cover (stock and nothing
    shipped) is null, since strict JSON has no Infinity (its level and action say what it means)."""
    d = Decimal(value)
    if not d.is_finite():
        return None
    if d and d == d.to_integral_value():
        return int(d)
    return float(d)


def warnings(s: Session, level: str | None = None, thresholds: Thresholds | None = None) -> list[dict]:
    """The open warnings (every level but ok; `level`: that level only), worst first: the JSON rows of
    `sellerops health`."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    t = thresholds or Thresholds()
    q = select(HealthWarning).where(HealthWarning.open_key.is_not(None))
    rows = [w for w in s.exec(q).all() if level is None or w.level == level]
    rows.sort(key=lambda w: (-RANK[w.level], w.signal, w.subject))
    drawn = trends(s, [(w.signal, w.subject) for w in rows])
    return [{"signal": w.signal, "subject": w.subject, "level": w.level, "value": number(w.value),
             "target": number(t[w.signal].target().threshold), "since": w.since.isoformat(),
             "trend": [number(v) for v in drawn[(w.signal, w.subject)]], "action": action_text(w.signal, w.level)}
            for w in rows]


def history(s: Session, signal: str | None = None, subject: str | None = None) -> list[dict]:
    """Every level change, oldest first: the JSON rows of `sellerops health history`."""
    q = select(HealthLevelChange)
    if signal:
        q = q.where(HealthLevelChange.signal == signal)
    if subject:
        q = q.where(HealthLevelChange.subject == subject)
    rows = s.exec(q.order_by(HealthLevelChange.at, HealthLevelChange.id)).all()
    return [{"signal": c.signal, "subject": c.subject, "from": c.from_level, "to": c.to_level,
             "at": c.at.isoformat(), "value": number(c.value)} for c in rows]
