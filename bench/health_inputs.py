"""The account-health watch's inputs and measurements at a busy seller's size (issue 14).

    .venv/bin/python bench/health_inputs.py      # writes .bench/health/, prints one JSON line

5,000 FBA SKUs in a manage-inventory snapshot, 30 days of all orders at 3,000 order lines a day
(90,000 lines, most Shipped), 14 days of search terms at 5,000 rows a day, 7 days of cycle counts at
2,000 a day over 50 locations, 5,000 purchase-order lines of 200 suppliers, and two seller
performance reports. Everything is loaded with `ingest_paths` into a fresh SQLite home (timed per
input, Great Expectations' start-up apart), then `measure` runs once at the watch's clock (timed: it is what the hourly watch pays).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / ".bench" / "health"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
SKUS, ORDERS_A_DAY, TERMS_A_DAY, COUNTS_A_DAY, PO_LINES, SUPPLIERS = 5000, 3000, 5000, 2000, 5000, 200


def _csv(path: Path, header: list[str], rows, sep: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=sep, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def write(folder: Path) -> dict[str, list[Path]]:
    from sellerops.demo.health import MYI_COLUMNS, ORDER_COLUMNS

    folder.mkdir(parents=True)
    day = lambda k: (NOW - dt.timedelta(days=k)).date().isoformat()  # noqa: E731
    myi = [(f"SKU-{i:05d}", f"X{i:09d}", f"B0{i:08d}", "Item", "New", "19.99", "No", "", "Yes", str(i % 400),
            str(i % 390), "2", "8", str(i % 400)) for i in range(SKUS)]
    orders = []
    for k in range(30):
        for j in range(ORDERS_A_DAY):
            stamp = (NOW - dt.timedelta(days=k, minutes=j % 1400 + 1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            orders.append((f"111-{k:03d}-{j:07d}", "", stamp, stamp, "Shipped", "Amazon", "Amazon.com", "", "Standard",
                           "Item", f"SKU-{(j * 7 + k) % SKUS:05d}", "", "Shipped" if j % 20 else "Cancelled",
                           str(1 + j % 3), "USD", "19.99", "1.20", "0.00", "0.00", "US"))
    terms = [(day(k), "No Portfolio", "USD", f"Campaign {j % 40}", f"Group {j % 200}", f"keyword {j % 1000}",
              ("EXACT", "PHRASE", "BROAD")[j % 3], f"search {j}", "100", str(j % 30), "$1.25", "$19.99", str(j % 4))
             for k in range(1, 15) for j in range(TERMS_A_DAY)]
    counts = [(day(k), f"LOC-{j % 50:02d}", f"SKU-{j:05d}", str(100 - (j % 7 == 0)), "100")
              for k in range(1, 8) for j in range(COUNTS_A_DAY)]
    pos = [(f"PO-{i // 2:05d}", f"Supplier {(i // 2) % SUPPLIERS:03d}", f"SKU-{i % SKUS:05d}", "100",
            day(60 + i % 40), day(30 + i % 40), day(30 + i % 40 - (i // 2) % 5) if i % 10 else "")
           for i in range(PO_LINES)]
    perf = []
    for n, k in enumerate((8, 1)):
        end = (NOW - dt.timedelta(days=k)).strftime("%Y-%m-%dT%H:%MZ")
        rng = {"reportingDateFrom": "2026-09-01T00:00Z", "reportingDateTo": end}
        doc = {"performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER",
                                       "orderDefectRate": {"afn": {"reportingDateRange": rng, "rate": 0.004},
                                                           "mfn": {"reportingDateRange": rng, "rate": 0.002}},
                                       "lateShipmentRate": {"reportingDateRange": rng, "rate": 0.01},
                                       "preFulfillmentCancellationRate": {"reportingDateRange": rng, "rate": 0.003},
                                       "validTrackingRate": {"reportingDateRange": rng, "rate": 0.99},
                                       "receivedIntellectualPropertyComplaints": {"reportingDateRange": rng,
                                                                                  "defectsCount": n}}]}
        perf.append(folder / f"perf_{n}.json")
        perf[-1].write_text(json.dumps(doc))
    return {
        "seller_performance": perf,
        "manage_inventory": [_csv(folder / "myi.txt", list(MYI_COLUMNS), myi, "\t")],
        "all_orders": [_csv(folder / "orders.txt", list(ORDER_COLUMNS), orders, "\t")],
        "search_terms": [_csv(folder / "search_terms.csv", [
            "Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name", "Targeting", "Match Type",
            "Customer Search Term", "Impressions", "Clicks", "Spend", "7 Day Total Sales ", "7 Day Total Orders (#)"],
            terms)],
        "cycle_counts": [_csv(folder / "cycle_counts.csv", ["count-date", "location", "sku", "counted-quantity",
                                                            "system-quantity"], counts)],
        "purchase_orders": [_csv(folder / "purchase_orders.csv", [
            "po-number", "supplier", "sku", "quantity", "order-date", "expected-arrival-date", "actual-arrival-date"],
            pos)],
    }


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    home = OUT / "home"
    os.environ["SELLEROPS_HOME"] = str(home)
    os.environ.pop("SELLEROPS_DATABASE_URL", None)
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    files = write(OUT / "inbox")
    from sqlmodel import Session

    from sellerops.health.measure import measure
    from sellerops.ingest import LOADED, ingest_paths
    from sellerops.storage.engine import get_engine

    from sellerops.reports.validate import context

    get_engine()  # the schema, before anything is timed
    t = time.perf_counter()
    context()  # Great Expectations' start-up, paid once a process: timed apart from the inputs
    figures: dict[str, object] = {"gx_startup_s": round(time.perf_counter() - t, 2)}
    for name, paths in files.items():
        t = time.perf_counter()
        out = ingest_paths(paths)
        figures[f"ingest_{name}_s"] = round(time.perf_counter() - t, 2)
        assert all(o.status == LOADED for o in out), [(o.path, o.reason) for o in out]
        figures[f"{name}_rows"] = sum(o.rows for o in out)
    t = time.perf_counter()
    with Session(get_engine()) as s:
        got = measure(s, NOW)
    figures["measure_s"] = round(time.perf_counter() - t, 2)
    figures["measurements"] = len(got)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
