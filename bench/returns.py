"""The returns procedure's benchmark (issue 13, "Speed"): 10,000 return requests against a year of
orders, decided with their labels, in under 60 s.

    .venv/bin/python bench/returns.py            # writes .bench/returns/, prints one JSON line

A year of seller-fulfilled orders (150 a day, about 55,000, from 20,000 customers with relay
e-mails) as the all-orders and actionable-orders reports, and 10,000 requests over the last 60
days in the returns report's own form (most pending and in policy, some over the value limit, out of
policy or already decided by Amazon). The reports are loaded with `ingest_paths` into a fresh SQLite
home (timed, not the target); then one `returns run` decides every request, owes the decisions and
care tasks and writes every label (the target), and a second run finds nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / ".bench" / "returns"
REQUESTS, ORDERS_PER_DAY, CUSTOMERS, SKUS = 10_000, 150, 20_000, 300
END = dt.date(2026, 6, 30)


def write(folder: Path, seed: int = 13) -> list[Path]:
    from tests.sellerops.returns.files import (ACTIONABLE_HEADER, ORDERS_HEADER, RMA_HEADER, actionable_line,
                                               order_line, rma_line)

    rng = random.Random(seed)
    folder.mkdir(parents=True)
    orders, actionable, placed = [], [], []
    for day in range(365):
        d = END - dt.timedelta(days=364 - day)
        for k in range(ORDERS_PER_DAY):
            oid = f"113-{day:04d}{k:03d}-{rng.randrange(10**7):07d}"
            sku = f"BS-{rng.randrange(SKUS):03d}"
            price = f"{rng.choice((9.99, 19.99, 24.5, 49.0, 89.9, 129.0, 199.0, 349.0)):.2f}"
            at = f"{d}T{rng.randrange(24):02d}:00:00+00:00"
            orders.append(order_line(oid, sku, price, at))
            actionable.append(actionable_line(oid, f"b{rng.randrange(CUSTOMERS):05d}x@marketplace.amazon.com", sku,
                                              purchased=at))
            placed.append((oid, sku, price, d))
    recent = [p for p in placed if p[3] >= END - dt.timedelta(days=70)]
    rmas = []
    for i, (oid, sku, price, d) in enumerate(rng.sample(recent, REQUESTS)):
        asked = min(d + dt.timedelta(days=rng.randrange(3, 12)), END)
        status = rng.choices(("Pending", "Approved", "Rejected"), (85, 10, 5))[0]
        rmas.append(rma_line(oid, f"Bm{i:07d}RMA", sku, requested=asked.strftime("%d-%b-%Y"), status=status,
                             in_policy=rng.choices(("Y", "N"), (90, 10))[0], amount=price))
    paths = []
    for name, header, rows in (("orders.txt", ORDERS_HEADER, orders), ("actionable.txt", ACTIONABLE_HEADER, actionable),
                               ("returns.txt", RMA_HEADER + [""], rmas)):
        p = folder / name
        p.write_text("".join("\t".join(r) + "\n" for r in [header] + rows), encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    os.environ["SELLEROPS_HOME"] = str(OUT / "home")
    os.environ.pop("SELLEROPS_DATABASE_URL", None)
    from sellerops.ingest import ingest_paths
    from sellerops.returns import service
    from sellerops.returns.policy import Policy

    t = time.perf_counter()
    paths = write(OUT / "reports")
    written = time.perf_counter() - t
    t = time.perf_counter()
    outcomes = ingest_paths(paths)
    assert {o.status for o in outcomes} == {"loaded"}, [o.reason for o in outcomes]
    loaded = time.perf_counter() - t
    now = dt.datetime.combine(END, dt.time(12), tzinfo=dt.timezone.utc)
    policy = Policy(return_address="Bench Seller Returns, 1 Dock Rd, Reno NV 89501")
    t = time.perf_counter()
    first = service.run(now=now, policy=policy)
    decided = time.perf_counter() - t
    t = time.perf_counter()
    again = service.run(now=now + dt.timedelta(hours=1), policy=policy)
    rerun = time.perf_counter() - t
    labels = len(list((OUT / "home" / "labels").glob("*.pdf")))
    print(json.dumps({"requests": first.new, "order_lines": 365 * ORDERS_PER_DAY,
                      "authorized_auto": first.authorized_auto, "needs_person": first.needs_person,
                      "amazon": first.authorized_amazon + first.rejected_amazon, "labels": labels,
                      "care_tasks": first.care_tasks, "write_s": round(written, 1), "ingest_s": round(loaded, 1),
                      "decide_with_labels_s": round(decided, 1), "target_s": 60, "rerun_s": round(rerun, 1),
                      "rerun_new": again.new}))


if __name__ == "__main__":
    main()
