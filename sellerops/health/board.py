"""The account-health board: each signal's level, value, target and trend, drawn for people who look rather than read.

Pure text built from what the watch judged (sellerops.health.watch) and the open warnings
(sellerops.health.service.warnings); flows/health.py publishes it as a markdown artifact and a
table artifact. The trend is a unicode sparkline (no chart library): ▁ the lowest value shown,
█ the highest, ∞ a cover with stock and nothing shipped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from sellerops.health.levels import RANK, SIGNALS, Rule, Thresholds
from sellerops.health.watch import Judged

BARS = "▁▂▃▄▅▆▇█"
MARK = {"ok": "🟢 ok", "notice": "🔵 notice", "warning": "🟠 warning", "critical": "🔴 critical"}


def sparkline(values: Iterable[Decimal]) -> str:
    """One bar per value, scaled between the finite values' lowest and highest."""
    values = list(values)
    finite = [v for v in values if v.is_finite()]
    if not finite:
        return "∞" * len(values)
    low, high = min(finite), max(finite)
    span = high - low
    out = []
    for v in values:
        if not v.is_finite():
            out.append("∞")
        elif span == 0:
            out.append(BARS[len(BARS) // 2])
        else:
            out.append(BARS[int((v - low) / span * (len(BARS) - 1))])
    return "".join(out)


def value_text(rule: Rule, value: Decimal) -> str:
    """A value in its signal's units, as people read them: rates in percent, days, counts."""
    if not value.is_finite():
        return "∞ days (nothing shipped)" if rule.unit == "days" else str(value)
    if rule.unit == "fraction":
        return f"{(value * 100).quantize(Decimal('0.01')).normalize():f} %"
    if rule.unit == "days":
        return f"{value.quantize(Decimal('0.01')).normalize():f} days"
    return f"{value:f}"


def target_text(rule: Rule) -> str:
    """What ok means: the good side of the lowest boundary."""
    b = rule.target()
    good = {">=": "<", ">": "≤", "<": "≥"}[b.op]
    prefix = "abs " if rule.magnitude else ""
    return f"{prefix}{good} {value_text(rule, b.threshold)}"


def markdown(judged: list[Judged], trends: Mapping[tuple[str, str], list[Decimal]], thresholds: Thresholds,
             now_text: str, frozen: Iterable[str] = ()) -> str:
    """Each signal's worst level, then a row per subject measured: level, value, target, trend; and the
    warehouse freezes in force (`frozen` locations)."""
    lines = [f"# Account health at {now_text}", ""]
    frozen = list(frozen)
    if frozen:
        lines += [f"**Warehouse operations frozen at {', '.join(frozen)}** until a person lifts the freeze "
                  f"(`sellerops decisions list --procedure account-health`).", ""]
    lines += ["| signal | level | subjects | worst value | target | trend |", "|---|---|---|---|---|---|"]
    by_signal: dict[str, list[Judged]] = {}
    for j in judged:
        by_signal.setdefault(j.signal, []).append(j)
    for signal in SIGNALS:
        rule = thresholds[signal]
        rows = by_signal.get(signal, [])
        if not rows:
            lines.append(f"| `{signal}` | no data | 0 | | {target_text(rule)} | |")
            continue
        worst = max(rows, key=lambda j: (RANK[j.level], _badness(rule, j.value)))
        lines.append(f"| `{signal}` | {MARK[worst.level]} | {len(rows)} | {worst.subject}: "
                     f"{value_text(rule, worst.value)} | {target_text(rule)} | "
                     f"{sparkline(trends.get((signal, worst.subject), [worst.value]))} |")
    for signal in SIGNALS:
        rows = sorted(by_signal.get(signal, []), key=lambda j: (-RANK[j.level], j.subject))
        if not rows:
            continue
        rule = thresholds[signal]
        lines += ["", f"## `{signal}` (target {target_text(rule)})", "",
                  "| subject | level | value | trend, oldest first |", "|---|---|---|---|"]
        lines += [f"| {_cell(j.subject)} | {MARK[j.level]} | {value_text(rule, j.value)} | "
                  f"{sparkline(trends.get((signal, j.subject), [j.value]))} |" for j in rows]
    return "\n".join(lines) + "\n"


def _badness(rule: Rule, value: Decimal) -> Decimal:
    v = rule.judged(value)
    return -v if rule.target().op == "<" else v


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def warnings_table(rows: list[dict], thresholds: Thresholds) -> list[dict]:
    """The open warnings (sellerops.health.service.warnings) as the table artifact's rows."""
    return [{"signal": r["signal"], "subject": r["subject"], "level": r["level"],
             "value": value_text(thresholds[r["signal"]], _decimal(r["value"])),
             "target": target_text(thresholds[r["signal"]]), "since": r["since"][:16].replace("T", " "),
             "trend": sparkline(_decimal(v) for v in r["trend"]), "action": r["action"] or ""} for r in rows]


def _decimal(v) -> Decimal:
    """A JSON value back to a Decimal: null is infinite cover (sellerops.health.service.number)."""
    return Decimal("Infinity") if v is None else Decimal(str(v))
