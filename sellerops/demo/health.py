"""The demo seller's account-health inputs: files that trip each of the watch's signals once.

Written beside the demo reports for `sellerops ingest` to load, all relative to the watch's clock
`now`: two seller performance reports (the latest puts the order defect rate, late shipment,
cancellation and valid tracking rates at critical and adds IP complaints — a warning; the one before
it gives the trend), a manage-inventory snapshot and the multi-channel orders that ship it (one SKU
with stock and nothing shipped in 30 days), a search-term report (one keyword converting under 8 %),
cycle counts (one location under 98 % accurate) and purchase orders (one supplier more than 3 days
late on average). Every other subject stays clearly ok, so each signal is critical exactly once.
The orders are multi-channel fulfilment (sales-channel Non-Amazon): they ship FBA stock but are not
sold on Amazon, so the reconciliation expects no settlement for them. Deterministic; no Prefect.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

MARKETPLACE_ID = "ATVPDKIKX0DER"
# The subjects the demo trips, by signal: what `make demo` should show at critical (ip: warning).
TRIPPED = {
    "odr": f"{MARKETPLACE_ID}/afn", "late_shipment_rate": MARKETPLACE_ID, "cancel_rate": MARKETPLACE_ID,
    "valid_tracking_rate": MARKETPLACE_ID, "ip_complaints": MARKETPLACE_ID, "inventory_turnover": "HW-VASE-GRN",
    "ad_conversion": "blue mug", "inventory_accuracy": "WH1-A", "supplier_lead_time": "Slowpoke Supply",
}
ORDER_COLUMNS = ("amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
                 "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level", "product-name", "sku",
                 "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
                 "shipping-tax", "ship-country")
MYI_COLUMNS = ("sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
               "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity", "afn-fulfillable-quantity",
               "afn-unsellable-quantity", "afn-reserved-quantity", "afn-total-quantity")
SEARCH_COLUMNS = ("Date", "Portfolio name", "Currency", "Campaign Name", "Ad Group Name", "Targeting", "Match Type",
                  "Customer Search Term", "Impressions", "Clicks", "Spend", "7 Day Total Sales ",
                  "7 Day Total Orders (#)")


def write_health_files(folder: Path, now: dt.datetime) -> list[Path]:
    """Write the demo's account-health inputs into `folder`; the paths, in the order to ingest."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: the watch's clock must be timezone-aware")
    now = now.astimezone(dt.timezone.utc)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    earlier = _performance(now - dt.timedelta(days=8), odr="0.006", late="0.02", cancel="0.01", tracking="0.97",
                           ip=1)
    latest = _performance(now - dt.timedelta(days=1), odr="0.012", late="0.046", cancel="0.03", tracking="0.84",
                          ip=3)
    files = [
        _write(folder / "health_seller_performance_earlier.json", earlier),
        _write(folder / "health_seller_performance_latest.json", latest),
        _write(folder / "health_manage_inventory.txt", _tsv(MYI_COLUMNS, _inventory())),
        _write(folder / "health_all_orders.txt", _tsv(ORDER_COLUMNS, _orders(now))),
        _write(folder / "health_search_terms.csv", _csv(SEARCH_COLUMNS, _search_terms(now))),
        _write(folder / "health_cycle_counts.csv", _csv(
            ("count-date", "location", "sku", "counted-quantity", "system-quantity"), _counts(now))),
        _write(folder / "health_purchase_orders.csv", _csv(
            ("po-number", "supplier", "sku", "quantity", "order-date", "expected-arrival-date", "actual-arrival-date"),
            _purchase_orders(now))),
    ]
    return files


def _performance(end: dt.datetime, odr: str, late: str, cancel: str, tracking: str, ip: int) -> str:
    """A seller performance report in Amazon's schema, its metrics' windows ending at `end`."""
    def window(days: int) -> dict:
        return {"reportingDateFrom": _minute(end - dt.timedelta(days=days)), "reportingDateTo": _minute(end)}

    def rate(value: str, target: str, condition: str, days: int, **counts) -> dict:
        good = Decimal(value) < Decimal(target) if condition == "LESS_THAN" else Decimal(value) > Decimal(target)
        return dict({"reportingDateRange": window(days)}, **counts, status="GOOD" if good else "BAD",
                    rate=_number(value), targetValue=_number(target), targetCondition=condition)

    doc = {
        "accountStatuses": [{"marketplaceId": MARKETPLACE_ID, "status": "NORMAL"}],
        "performanceMetrics": [{
            "marketplaceId": MARKETPLACE_ID,
            "orderDefectRate": {"afn": rate(odr, "0.01", "LESS_THAN", 60, orderCount=5000, fulfillmentType="afn"),
                                "mfn": rate("0.002", "0.01", "LESS_THAN", 60, orderCount=1000, fulfillmentType="mfn")},
            "lateShipmentRate": rate(late, "0.04", "LESS_THAN", 30, orderCount=1000),
            "preFulfillmentCancellationRate": rate(cancel, "0.025", "LESS_THAN", 7, orderCount=250),
            "validTrackingRate": rate(tracking, "0.95", "GREATER_THAN", 30, shipmentCount=1000),
            "receivedIntellectualPropertyComplaints": {"reportingDateRange": window(180), "defectsCount": ip,
                                                       "status": "BAD" if ip else "GOOD", "targetValue": 0,
                                                       "targetCondition": "EQUALS"},
        }],
    }
    return _json(doc)


def _inventory() -> list[tuple]:
    """Units on hand per SKU: two that sell (30 and 20 days of cover), one that does not."""
    return [
        ("HW-MUG-BLU", "X00HW0001", "B0HW000001", "Blue mug", "New", "16.99", "No", "", "Yes", "60", "55", "1", "4",
         "60"),
        ("HW-MUG-RED", "X00HW0002", "B0HW000002", "Red mug", "New", "16.99", "No", "", "Yes", "20", "20", "0", "0",
         "20"),
        ("HW-VASE-GRN", "X00HW0003", "B0HW000003", "Green vase", "New", "39.00", "No", "", "Yes", "300", "290", "4",
         "6", "300"),
    ]


def _orders(now: dt.datetime) -> list[tuple]:
    """Shipped multi-channel orders in the last 30 days: 60 blue mugs, 30 red ones, no vase."""
    out = []
    for i in range(18):
        sku = "HW-MUG-BLU" if i < 12 else "HW-MUG-RED"
        at = now - dt.timedelta(days=1 + i, hours=3)
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        out.append((f"S01-HW{i:05d}", f"MCF-{i:05d}", stamp, stamp, "Shipped", "Amazon", "Non-Amazon", "", "Standard",
                    "Mug", sku, "", "Shipped", "5", "USD", "", "", "", "", "US"))
    return out


def _search_terms(now: dt.datetime) -> list[tuple]:
    """Two weeks of search terms: `blue mug` converts 9 of 150 clicks (6 %) over two campaigns and
    match types; `ceramic mug` 30 of 200 (15 %); `vase` has too few clicks to judge."""
    day = [(now - dt.timedelta(days=k)).date().isoformat() for k in (1, 2, 3)]
    return [
        (day[0], "No Portfolio", "USD", "Mugs - exact", "Blue", "blue mug", "EXACT", "blue mug", "2000", "90", "$24.30",
         "$101.94", "5"),
        (day[1], "No Portfolio", "USD", "Mugs - broad", "Blue", "blue mug", "BROAD", "blue coffee mug", "1500", "60",
         "$15.60", "$67.96", "4"),
        (day[0], "No Portfolio", "USD", "Mugs - exact", "Ceramic", "ceramic mug", "EXACT", "ceramic mug", "3000", "200",
         "$50.00", "$509.70", "30"),
        (day[2], "No Portfolio", "USD", "Vases", "Green", "vase", "PHRASE", "green vase", "800", "50", "$12.50", "$0.00",
         "0"),
    ]


def _counts(now: dt.datetime) -> list[tuple]:
    """This week's counts: WH1-A off by 10 of 150 units (93.3 %), WH1-B exact."""
    day = (now - dt.timedelta(days=2)).date().isoformat()
    return [(day, "WH1-A", "HW-MUG-BLU", "90", "100"), (day, "WH1-A", "HW-MUG-RED", "50", "50"),
            (day, "WH1-B", "HW-VASE-GRN", "200", "200"), (day, "WH1-B", "HW-MUG-BLU", "80", "80")]


def _purchase_orders(now: dt.datetime) -> list[tuple]:
    """Slowpoke Supply's three arrived POs each 5 days late; Acme Ceramics' +1, 0 and −1 (one PO of two
    lines), and one not arrived yet."""
    def day(k: int) -> str:
        return (now - dt.timedelta(days=k)).date().isoformat()

    return [
        ("PO-7001", "Slowpoke Supply", "HW-VASE-GRN", "100", day(70), day(45), day(40)),
        ("PO-7002", "Slowpoke Supply", "HW-VASE-GRN", "100", day(55), day(30), day(25)),
        ("PO-7003", "Slowpoke Supply", "HW-VASE-GRN", "100", day(40), day(15), day(10)),
        ("PO-5001", "Acme Ceramics", "HW-MUG-BLU", "300", day(60), day(40), day(39)),
        ("PO-5001", "Acme Ceramics", "HW-MUG-RED", "200", day(60), day(40), day(39)),
        ("PO-5002", "Acme Ceramics", "HW-MUG-BLU", "300", day(45), day(25), day(25)),
        ("PO-5003", "Acme Ceramics", "HW-MUG-RED", "200", day(30), day(12), day(13)),
        ("PO-5004", "Acme Ceramics", "HW-MUG-BLU", "300", day(10), day(-10), ""),
    ]


# ---- writing ---------------------------------------------------------------------------------------

def _minute(t: dt.datetime) -> str:
    """A time as Amazon writes a reporting date (`2020-11-18T23:59Z`)."""
    return t.strftime("%Y-%m-%dT%H:%MZ")


def _number(text: str) -> str:
    return f"\0num:{text}"  # written as a bare JSON number by `_json`: never through a float


def _json(doc: dict) -> str:
    return re.sub(r'"\\u0000num:([^"]+)"', r"\1", json.dumps(doc, indent=2)) + "\n"


def _tsv(header: tuple, rows: list[tuple]) -> str:
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


def _csv(header: tuple, rows: list[tuple]) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
