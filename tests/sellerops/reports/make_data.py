"""Writes the small edge-case report files in data/ (committed; rerun to regenerate them).

Each file is one edge case the parsers must meet; test_ingest.py says what each one must become.
"""

from pathlib import Path

HERE = Path(__file__).parent / "data"

SETTLEMENT_COLS = ("settlement-id settlement-start-date settlement-end-date deposit-date total-amount currency "
                   "transaction-type order-id merchant-order-id adjustment-id shipment-id marketplace-name "
                   "amount-type amount-description amount fulfillment-id posted-date posted-date-time "
                   "order-item-code merchant-order-item-id merchant-adjustment-item-id sku quantity-purchased "
                   "promotion-id").split()
ORDER_COLS = ("amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel "
              "sales-channel order-channel ship-service-level product-name sku asin item-status quantity currency "
              "item-price item-tax shipping-price shipping-tax gift-wrap-price gift-wrap-tax "
              "item-promotion-discount ship-promotion-discount ship-city ship-state ship-postal-code ship-country "
              "promotion-ids is-business-order purchase-order-number price-designation").split()


def row(cols, **kw):
    return "\t".join(kw.get(c.replace("-", "_"), "") for c in cols)


def settlement(sid="1001", total="22.55", lines=None, cols=SETTLEMENT_COLS):
    summary = row(cols, settlement_id=sid, settlement_start_date="2026-06-01 00:00:00 UTC",
                  settlement_end_date="2026-06-15 00:00:00 UTC", deposit_date="2026-06-17 00:00:00 UTC",
                  total_amount=total, currency="USD")
    base = dict(settlement_id=sid, transaction_type="Order", order_id="111-0000001-0000001",
                marketplace_name="Amazon.com", fulfillment_id="AFN", posted_date="2026-06-02",
                posted_date_time="2026-06-02 10:00:00 UTC", sku="SKU-1", quantity_purchased="1")
    lines = lines if lines is not None else [
        dict(amount_type="ItemPrice", amount_description="Principal", amount="25.00"),
        dict(amount_type="ItemFees", amount_description="Commission", amount="-3.75"),
        dict(amount_type="ItemFees", amount_description="FBAPerUnitFulfillmentFee", amount="-3.22"),
        # a fee row whose order-id holds an FBA shipment id
        dict(transaction_type="other-transaction", order_id="FBA15ABCDEF", amount_type="other-transaction",
             amount_description="FBA Inbound Placement Service Fee", amount="4.52", fulfillment_id="", sku="",
             quantity_purchased=""),
    ]
    return ["\t".join(cols), summary] + [row(cols, **{**base, **l}) for l in lines]


def orders(rows, cols=ORDER_COLS):
    base = dict(amazon_order_id="111-0000001-0000001", purchase_date="2026-06-01T10:00:00+00:00",
                last_updated_date="2026-06-03T10:00:00+00:00", order_status="Shipped", fulfillment_channel="Amazon",
                sales_channel="Amazon.com", sku="SKU-1", item_status="Shipped", quantity="1", currency="USD",
                item_price="25.00", product_name="Widget", is_business_order="false")
    return ["\t".join(cols)] + [row(cols, **{**base, **r}) for r in rows]


def write(name, lines, encoding="utf-8", newline="\n", final_newline=True, prefix=b""):
    text = newline.join(lines) + (newline if final_newline else "")
    (HERE / name).write_bytes(prefix + text.encode(encoding))


def main():
    HERE.mkdir(exist_ok=True)
    for f in HERE.iterdir():
        f.unlink()
    write("settlement_ok.txt", settlement())
    write("settlement_bom_crlf.txt", settlement(sid="1002"), newline="\r\n", prefix=b"\xef\xbb\xbf")
    reordered = list(reversed(SETTLEMENT_COLS)) + ["some-new-column"]
    write("settlement_reordered_extra.txt", settlement(sid="1003", cols=reordered))
    # the same fee row twice, identical in every column: two rows, one digest
    twice = settlement(sid="1004", total="19.33")
    twice.append(twice[-2])
    write("settlement_two_identical_rows.txt", twice)
    missing = [c for c in SETTLEMENT_COLS if c != "amount"]
    write("settlement_missing_amount_column.txt", settlement(sid="1005", cols=missing))
    bad = settlement(sid="1006")
    bad[3] = bad[3].replace("-3.75", "abc")
    write("settlement_non_numeric_amount.txt", bad)
    trunc = settlement(sid="1007")
    trunc[-1] = "\t".join(trunc[-1].split("\t")[:9])
    write("settlement_truncated.txt", trunc, final_newline=False)
    nofinal = settlement(sid="1008")
    write("settlement_no_final_newline.txt", nofinal, final_newline=False)
    write("settlement_no_summary.txt", settlement(sid="1009")[:1] + settlement(sid="1009")[2:])
    write("orders_latin1.txt", orders([dict(product_name="Café crème brûlée", sku="SKU-É")]), encoding="iso-8859-1")
    write("orders_cp932.txt", orders([dict(product_name="日本の急須", sales_channel="Amazon.co.jp", currency="JPY",
                                          item_price="3200", amazon_order_id="503-0000001-0000001")]), encoding="cp932")
    write("orders_header_only.txt", orders([]))
    write("orders_cancelled_blank_price.txt", orders([dict(order_status="Cancelled", item_status="Cancelled",
                                                           item_price="", amazon_order_id="111-0000002-0000002")]))
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "binary.bin").write_bytes(bytes(range(256)) * 4)
    write("not_a_report.csv", ["name,price", "widget,3"])


if __name__ == "__main__":
    main()
