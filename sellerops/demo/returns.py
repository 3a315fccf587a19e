"""The demo seller's return requests (RMAs), in the forms Amazon writes, beside the demo reports.

Two marketplaces: Amazon.com (USD) and Amazon.de (EUR, day-first dates and decimal commas). The
requests cover every path of the decision — in policy (authorised alone, with a label), over the
value limit, out of policy, already approved or rejected by Amazon, an order without a buyer
e-mail in any report (VIP unknown), an RMA over two SKUs — and customers with relay e-mails: VIPs
by value and orders (one German, cared for in the formal register), and ordinary ones. Their
histories are Amazon-fulfilled shipments, so the books' reconciliation never sees these orders.
`DEMO_RETURN_ADDRESS` is the seller's return address the demo's policy sets. Deterministic; no Prefect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DEMO_RETURN_ADDRESS = "Demo Seller Returns, 400 Dock Street, Unit 7, Reno NV 89501, US"
RMA_HEADER = ["Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
              "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
              "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
              "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
              "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id",
              "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount"]
ACTIONABLE_HEADER = ["order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
                     "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
                     "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level",
                     "recipient-name", "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state",
                     "ship-postal-code", "ship-country", "sales-channel", "is-business-order"]
SHIPMENTS_HEADER = ["amazon-order-id", "merchant-order-id", "shipment-id", "shipment-item-id", "amazon-order-item-id",
                    "merchant-order-item-id", "purchase-date", "payments-date", "shipment-date", "reporting-date",
                    "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name", "quantity-shipped",
                    "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "ship-service-level",
                    "recipient-name", "ship-address-1", "ship-city", "ship-state", "ship-postal-code", "ship-country",
                    "fulfillment-center-id", "fulfillment-channel", "sales-channel"]

# the demo's customers: relay e-mail, city, state, postal code, country
CUSTOMERS = {
    "ava": ("7hx2kq0mzr4wd1s@marketplace.amazon.com", "Portland", "OR", "97205", "US"),  # VIP: 5 orders, $725
    "ben": ("p3n8vz6c1t0yq5a@marketplace.amazon.com", "Austin", "TX", "78701", "US"),  # one order
    "cam": ("c5r1wq8e2m7ky4u@marketplace.amazon.com", "Denver", "CO", "80202", "US"),  # $500 exactly: not VIP
    "dora": ("m0k7xj3b9v2lf6e@marketplace.amazon.de", "München", "BY", "80331", "DE"),  # VIP: 6 orders, 780 €
    "emil": ("g8t4hn1z5q6ws3r@marketplace.amazon.de", "Hamburg", "HH", "20095", "DE"),  # one order
}
# (customer, site, how many past orders, price each, as Amazon writes it)
HISTORY = [("ava", "Amazon.com", 5, "145.00"), ("cam", "Amazon.com", 4, "125.00"), ("dora", "Amazon.de", 6, "130,00")]
# RMA, order, customer (None: no e-mail in any report), site, SKU, status, in policy, amount, qty, reason
REQUESTS = [
    ("DmAuTo1RRMA", "113-5550001-0000001", "ben", "Amazon.com", "DM-001-WHT", "Pending", "Y", "24.99", "1",
     "AMZ-PG-WJ-TOO-SMALL"),
    ("DmBiG02RRMA", "113-5550002-0000002", "ava", "Amazon.com", "DM-002-BLK", "Pending", "Y", "189.00", "1",
     "AMZ-PG-APP-DEFECTIVE"),
    ("DmOuT03RRMA", "113-5550003-0000003", "cam", "Amazon.com", "DM-003-WHT", "Pending", "N", "39.90", "1",
     "AMZ-PG-BAD-DESC"),
    ("DmAmZ04RRMA", "113-5550004-0000004", "ben", "Amazon.com", "DM-004-BLK", "Approved", "Y", "18.00", "1",
     "AMZ-PG-WJ-TOO-LARGE"),
    ("DmReJ05RRMA", "113-5550005-0000005", "cam", "Amazon.com", "DM-005-WHT", "Rejected", "N", "12.00", "1",
     "AMZ-PG-UNWANTED"),
    ("DmNoK06RRMA", "113-5550006-0000006", None, "Amazon.com", "DM-006-BLK", "Pending", "Y", "15.00", "1",
     "AMZ-PG-UNWANTED"),
    ("DmTwO07RRMA", "113-5550007-0000007", "ava", "Amazon.com", "DM-007-WHT", "Pending", "Y", "30.00", "1",
     "AMZ-PG-MISORDERED"),
    ("DmTwO07RRMA", "113-5550007-0000007", "ava", "Amazon.com", "DM-008-BLK", "Pending", "Y", "45.00", "1",
     "AMZ-PG-MISORDERED"),
    ("DmDeV08RRMA", "302-5550008-0000008", "dora", "Amazon.de", "DM-009-WHT", "Pending", "Y", "49,90", "1",
     "AMZ-PG-WJ-TOO-SMALL"),
    ("DmDeB09RRMA", "302-5550009-0000009", "emil", "Amazon.de", "DM-010-BLK", "Pending", "Y", "249,00", "1",
     "AMZ-PG-APP-DEFECTIVE"),
]
CURRENCY = {"Amazon.com": "USD", "Amazon.de": "EUR"}


def _day(d: dt.date) -> str:
    return d.strftime("%d-%b-%Y")  # Amazon's sample form: 10-Jul-2025


def _iso(d: dt.date, hour: int = 10) -> str:
    return dt.datetime.combine(d, dt.time(hour), tzinfo=dt.timezone.utc).isoformat()


def write_returns_demo(out: Path, end: dt.date) -> list[Path]:
    """Write the returns demo's reports under `out/reports/`, requests dated the days before `end`."""
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    paths = []
    for site in CURRENCY:
        rows = [RMA_HEADER + [""]]  # Amazon's lines end with an empty column
        for i, (rma, order, _who, s, sku, status, policy, amount, qty, reason) in enumerate(REQUESTS):
            if s != site:
                continue
            asked = end - dt.timedelta(days=1 + i % 3)
            rows.append([order, _day(asked - dt.timedelta(days=9)), _day(asked), status, rma, " ", "AmazonPrePaidLabel",
                         " ", CURRENCY[site], " ", " ", "Seller", "N", "N", "B0DEMO" + sku[3:6], sku, "Demo " + sku, qty,
                         reason, policy, "C-Returns", "StandardRefund", " ", " ", amount, qty, " ", " ", " ", " ", " ",
                         " ", ""])
        paths.append(_write(reports / f"returns-{CURRENCY[site].lower()}.txt", rows))
    actionable = [ACTIONABLE_HEADER]
    for rma, order, who, site, sku, *_ in REQUESTS:
        if who is None:
            continue
        email, city, state, postal, country = CUSTOMERS[who]
        bought = _iso(end - dt.timedelta(days=12))
        actionable.append([order, order[-7:] + "01", bought, bought, bought, bought, "0", email, "Demo Buyer",
                           "+1 555 0100", sku, "Demo " + sku, "1", "1", "0", "Standard", "Demo Buyer", "1 Demo Way", "",
                           "", city, state, postal, country, site, "false"])
    paths.append(_write(reports / "actionable-orders.txt", actionable))
    for site in CURRENCY:
        shipments = [SHIPMENTS_HEADER]
        zero = "0.00" if site == "Amazon.com" else "0,00"
        for n, (who, s, count, price) in enumerate(HISTORY):
            if s != site:
                continue
            email, city, state, postal, country = CUSTOMERS[who]
            for k in range(count):
                bought = end - dt.timedelta(days=30 + 50 * k)
                order = f"{'113' if site == 'Amazon.com' else '302'}-77{n}{k:04d}-0000{n}{k:02d}"
                shipments.append([order, "", f"DmS{n}{k}", f"DmS{n}{k}-1", f"{n:07d}{k:07d}", "", _iso(bought),
                                  _iso(bought), _iso(bought, 18), _iso(bought, 18), email, "Demo Buyer", "+1 555 0100",
                                  "DM-011-WHT", "Demo DM-011-WHT", "1", CURRENCY[site], price, zero, zero, zero,
                                  "Standard", "Demo Buyer", "1 Demo Way", city, state, postal, country, "PHX7",
                                  "Amazon", site])
        paths.append(_write(reports / f"fulfilled-shipments-{CURRENCY[site].lower()}.txt", shipments))
    return paths


def _write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_returns_demo(out: Path, end: dt.date, err, console, table) -> None:
    """Write the returns demo, ingest it, run the procedure at `end` (noon UTC) with the demo's
    return address, and show the queue waiting for people (`table`: the CLI's table printer)."""
    from sellerops import ingest
    from sellerops.returns import service
    from sellerops.returns.policy import Policy

    ingest.ingest_paths(write_returns_demo(out, end))
    result = service.run(now=dt.datetime.combine(end, dt.time(12), tzinfo=dt.timezone.utc),
                         policy=Policy(return_address=DEMO_RETURN_ADDRESS))
    err.print(f"Returns: {result.new} requests from {out / 'reports'}: {result.authorized_auto} authorised "
              f"automatically with labels, {result.authorized_amazon + result.rejected_amazon} decided by Amazon, "
              f"{result.needs_person} waiting for a person, {result.care_tasks} VIP care tasks")
    waiting = [dict(r, vip={True: "yes", False: "no", None: "?"}[r["vip"]], reasons=", ".join(r["reasons"]))
               for r in service.list_requests(status="needs_person")]
    table(f"Returns waiting for a person ({len(waiting)})", waiting,
          ["rma_id", "sku", "amount", "currency", "vip", "care_script"], folded="reasons")
    console.print("Decide:       .venv/bin/sellerops returns decide RMA --approve|--reject --note TEXT"
                  "   ·   .venv/bin/sellerops returns list")
