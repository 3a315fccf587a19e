"""Report files in the forms Amazon writes, for the returns tests: the seller-fulfilled returns
report as Amazon's own sample (day-month-year dates, a blank as one space, a trailing empty
column), the actionable-orders report with relay e-mails, and the all-orders report."""

from __future__ import annotations

from pathlib import Path

from sellerops.demo.returns import RMA_HEADER  # noqa: F401  (the returns report's header, as Amazon writes it)
from sellerops.ingest import ingest_paths

ACTIONABLE_HEADER = ["order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
                     "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
                     "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level",
                     "recipient-name", "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state",
                     "ship-postal-code", "ship-country", "is-business-order", "purchase-order-number",
                     "price-designation"]

ORDERS_HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
                 "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level", "product-name", "sku",
                 "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
                 "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
                 "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
                 "promotion-ids", "is-business-order", "purchase-order-number", "price-designation"]


def rma_line(order: str, rma: str, sku: str, *, requested: str = "12-Jul-2025", status: str = "Pending",
             in_policy: str = "Y", amount: str = "19.99", qty: str = "1", order_qty: str = "1",
             reason: str = "AMZ-PG-WJ-TOO-SMALL", currency: str = "USD") -> list[str]:
    return [order, "10-Jul-2025", requested, status, rma, " ", "AmazonPrePaidLabel", "5.19", currency, "USPS",
            "9202190345678901234567", "Seller", "N", "N", "B0C1234567", sku, "Item " + sku, qty, reason, in_policy,
            "C-Returns", "StandardRefund", " ", " ", amount, order_qty, " ", " ", " ", " ", " ", " ", ""]


def actionable_line(order: str, email: str, sku: str = "MUG-BLUE", city: str = "SEATTLE", state: str = "WA",
                    postal: str = "98101", country: str = "US", purchased: str = "2025-07-01T09:30:00+00:00") -> list[str]:
    return [order, order[-5:] + "01", purchased, purchased, purchased, purchased, "0", email, "Jo Smith",
            "+1 206 555 0100", sku, "Item", "1", "1", "0", "Standard", "Jo Smith", "1 Main St", "", "", city, state,
            postal, country, "false", "", ""]


def order_line(order: str, sku: str, price: str, purchased: str, status: str = "Shipped", currency: str = "USD",
               channel: str = "Amazon.com", qty: int = 1) -> list[str]:
    return [order, "", purchased, purchased, status, "Merchant", channel, "", "Standard", "Item", sku, "B0C1234567",
            status, str(qty), currency, price, "0.00", "0.00", "0.00", "", "", "", "", "", "", "", "US", "", "false", "", ""]


def write(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    """A tab-separated file; the RMA report's trailing empty column is the header's and lines' last "" field."""
    path.write_text("".join("\t".join(r) + "\n" for r in [header] + lines), encoding="utf-8")
    return path


def ingest(*paths: Path) -> None:
    for o in ingest_paths(list(paths)):
        assert o.status in ("loaded", "duplicate"), o.reason


FBA_RETURNS_HEADER = ["return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
                      "fulfillment-center-id", "detailed-disposition", "reason", "status", "license-plate-number",
                      "customer-comments"]


def fba_return_line(order: str, sku: str, returned: str, qty: int, disposition: str = "SELLABLE",
                    reason: str = "UNWANTED_ITEM", lpn: str = "") -> list[str]:
    return [returned, order, sku, "B0C1234567", "X00ABCDEFG", "Item", str(qty), "PHX7", disposition, reason,
            "Unit returned to inventory", lpn or f"LPN{order[-7:]}", ""]
