"""The inbound tracker's benchmark (issue 11, "Speed"): 2,000 open shipments × 20 SKUs, 24 hourly polls.

    .venv/bin/python bench/inbound.py            # writes .bench/inbound/, prints one JSON line

Each poll is one v0 getShipments (every shipment, its status moving on every few hours) and one
getShipmentItems (all 40,000 SKU lines); a tenth of the shipments close in the last polls, some
short. The saved responses are loaded with `ingest_paths` into a fresh SQLite home (timed, not the
target), then the tracker runs as of the last poll (replay, evaluation, findings stored: target
under 10 s), once more an hour later with no new poll (nothing new, no SLA or claim-window day
crossed: skipped, saying so), and once the next day with no new poll (the clock alone may have moved
a claim window: everything is evaluated again, no transition recorded).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / ".bench" / "inbound"
SHIPMENTS, SKUS, POLLS = 2000, 20, 24
T0 = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
LINE = ("WORKING", "READY_TO_SHIP", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN", "RECEIVING", "CLOSED")


def status(i: int, poll: int) -> str:
    """Shipment i moves one status on every (3 + i % 5)-th poll, starting at a place of its own;
    only every tenth one may reach CLOSED."""
    step = (i % 4) + poll // (3 + i % 5)
    return LINE[min(step, len(LINE) - 1 if i % 10 == 0 else len(LINE) - 2)]


def write(folder: Path) -> list[Path]:
    from sellerops.inbound.responses import envelope

    folder.mkdir(parents=True)
    paths = []
    for poll in range(POLLS):
        at = T0 + dt.timedelta(hours=poll)
        shipments = [{"ShipmentId": f"FBA{i:06d}", "ShipmentStatus": status(i, poll),
                      "DestinationFulfillmentCenterId": "PHX7"} for i in range(SHIPMENTS)]
        items = [{"ShipmentId": f"FBA{i:06d}", "SellerSKU": f"SKU-{k:02d}", "FulfillmentNetworkSKU": f"X{k:09d}",
                  "QuantityShipped": 24, "QuantityReceived": (24 - (i + k) % 3) if status(i, poll) == "CLOSED" else 0}
                 for i in range(SHIPMENTS) for k in range(SKUS)]
        for op, body in (("getShipments", {"payload": {"ShipmentData": shipments}}),
                         ("getShipmentItems", {"payload": {"ItemData": items}})):
            p = folder / f"{poll:02d}-{op}.json"
            p.write_text(json.dumps(envelope(op, at, body, "ATVPDKIKX0DER")))
            paths.append(p)
    return paths


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    os.environ["SELLEROPS_HOME"] = str(OUT / "home")
    os.environ.pop("SELLEROPS_DATABASE_URL", None)
    from sellerops.ingest import ingest_paths
    from sellerops.inbound.store import track

    started = time.perf_counter()
    write(OUT / "responses")
    written = time.perf_counter() - started
    started = time.perf_counter()
    outcomes = ingest_paths([OUT / "responses"])
    loaded = time.perf_counter() - started
    assert {o.status for o in outcomes} == {"loaded"}, {o.reason for o in outcomes}
    now = T0 + dt.timedelta(hours=POLLS)
    started = time.perf_counter()
    first = track(now=now)
    tracked = time.perf_counter() - started
    started = time.perf_counter()
    again = track(now=now + dt.timedelta(hours=1))
    rerun = time.perf_counter() - started
    started = time.perf_counter()
    next_day = track(now=now + dt.timedelta(hours=25))  # a new day: windows may move, so all is evaluated
    day_rerun = time.perf_counter() - started
    print(json.dumps({"shipments": len(first.shipments), "sku_lines": SHIPMENTS * SKUS, "polls": POLLS,
                      "write_s": round(written, 1), "ingest_s": round(loaded, 1), "track_s": round(tracked, 2),
                      "transitions": len(first.transitions), "findings": len(first.evaluation.findings),
                      "rerun_s": round(rerun, 2), "rerun_transitions": len(again.transitions),
                      "rerun_recomputed": again.recomputed, "rerun_skipped": again.skipped is not None,
                      "next_day_rerun_s": round(day_rerun, 2), "next_day_evaluated": next_day.evaluation is not None,
                      "target_s": 10.0}))


if __name__ == "__main__":
    main()
