"""The account-health watch's benchmark: one seller's 5,000 SKUs, 500 keywords, 20 locations, 30 suppliers
and 9 marketplace metrics, judged 12 times an hour apart.

    .venv/bin/python bench/health.py            # a fresh SQLite home under .bench/health/, one JSON line

The values wander so that every hour some subjects change level (and a few resolve); the
measurement side (sellerops.health.measure, from the reports) is not timed here: the stand-in
hands the watch its values, and the figures are the watch's judging, recording and reading back
(`sellerops health --format json`) against a growing history.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / ".bench" / "health"
T0 = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)
RUNS = 12


@dataclass(frozen=True)
class M:
    signal: str
    subject: str
    value: Decimal
    at: dt.datetime
    detail: dict


def measurements(hour: int) -> list[M]:
    at = T0 + dt.timedelta(hours=hour)
    out = [M("inventory_turnover", f"SKU-{i:05d}", Decimal(20 + (i * 7 + hour * 3) % 40), at, {"on_hand": 100})
           for i in range(5000)]
    out += [M("ad_conversion", f"keyword {i}", Decimal(5 + (i + hour) % 10) / 100, at, {"clicks": 150})
            for i in range(500)]
    out += [M("inventory_accuracy", f"BIN-{i:02d}", Decimal(975 + (i + hour) % 20) / 1000, at, {}) for i in range(20)]
    out += [M("supplier_lead_time", f"Supplier {i}", Decimal((i + hour) % 9 - 4) / 2, at, {}) for i in range(30)]
    for mp in ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1F83G8C2ARO7P"):
        out += [M("odr", f"{mp}/afn", Decimal(6 + hour % 7) / 1000, at, {}),
                M("late_shipment_rate", mp, Decimal(38 + hour % 8) / 1000, at, {}),
                M("ip_complaints", mp, Decimal(hour % 2), at, {})]
    return out


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    os.environ["SELLEROPS_HOME"] = str(OUT / "home")
    from sellerops.health import service
    from sellerops.storage.engine import session

    times, changes = [], 0
    with session() as s:
        for hour in range(RUNS):
            ms = measurements(hour)
            start = time.perf_counter()
            run = service.run_watch(s, T0 + dt.timedelta(hours=hour), measure=lambda *_: ms)
            times.append(time.perf_counter() - start)
            changes += len(run.changes)
        start = time.perf_counter()
        shown = service.warnings(s)
        show = time.perf_counter() - start
    print(json.dumps({"subjects": len(measurements(0)), "runs": RUNS, "level_changes": changes,
                      "open_warnings": len(shown), "first_run_s": round(times[0], 2),
                      "median_run_s": round(sorted(times)[len(times) // 2], 2), "last_run_s": round(times[-1], 2),
                      "show_warnings_s": round(show, 2)}))


if __name__ == "__main__":
    main()
