"""Ingestion of the small edge-case files in data/ (see make_data.py), without Prefect.

Every storage assertion runs on SQLite and on PostgreSQL (the `db_url` fixture).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from sellerops.storage.engine import get_engine
from sellerops.ingest import DUPLICATE, LOADED, QUARANTINED, ingest_paths, report_rows
from tests.sellerops.storage.lines import line_count, stored_lines

DATA = Path(__file__).resolve().parents[1] / "reports" / "data"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def one(name: str, folder: Path | None = None):
    [o] = ingest_paths([(folder or DATA) / name])
    return o


def rows(sql: str, **params):
    with get_engine().connect() as c:
        return c.execute(sa.text(sql), params).mappings().all()


def test_settlement_loads_lines_and_its_summary(db_url):
    o = one("settlement_ok.txt")
    assert (o.status, o.report_type, o.rows) == (LOADED, SETTLEMENT, 4)  # 4 transaction rows, summary excluded
    [s] = rows("select * from settlement")
    assert (s["settlement_id"], s["total_amount_cents"], s["currency"]) == ("1001", 2255, "USD")
    lines = stored_lines()
    assert [r["line_no"] for r in lines] == [3, 4, 5, 6]  # header is line 1, summary line 2
    assert [r["amount_cents"] for r in lines] == [2500, -375, -322, 452]
    # order-id holding an FBA shipment id is kept as it is, not mistaken for an order
    assert lines[3]["order_id"] == "FBA15ABCDEF" and lines[3]["transaction_type"] == "other-transaction"
    # lines go in in bulk (rows or a block): read back they are the same values (a date as ISO text)
    import datetime as dt

    first = lines[0]
    assert first["posted_date"] == "2026-06-02"
    assert first["posted_date_time"] == dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.timezone.utc)
    assert (first["quantity_purchased"], first["amount_cents"], first["promotion_id"]) == (1, 2500, None)


def test_bom_and_crlf_are_read_cleanly(db_url):
    o = one("settlement_bom_crlf.txt")
    assert o.status == LOADED, o.reason
    [enc] = rows("select encoding from report_file")
    assert enc["encoding"] == "utf-8-sig"
    # the last column of a CRLF file carries no stray \r
    promo = {(r["promotion_id"], r["sku"]) for r in stored_lines()}
    assert promo == {(None, "SKU-1")} or {sku for _, sku in promo} == {"SKU-1", None}


def test_reordered_and_extra_columns_are_read_by_name(db_url):
    o = one("settlement_reordered_extra.txt")
    assert o.status == LOADED, o.reason
    amounts = [r["amount_cents"] for r in stored_lines()]
    assert amounts == [2500, -375, -322, 452]


def test_two_identical_rows_stay_two_rows_with_one_digest(db_url):
    o = one("settlement_two_identical_rows.txt")
    assert (o.status, o.rows) == (LOADED, 5)
    # make_data copies the FBA fee row (line 5) to the end (line 7)
    r = [x for x in stored_lines() if x["amount_cents"] == -322]
    assert [x["line_no"] for x in r] == [5, 7]
    assert r[0]["raw_digest"] == r[1]["raw_digest"]
    assert len({x["raw_digest"] for x in stored_lines()}) == 4


def test_latin1_and_cp932_names_decode(db_url):
    assert one("orders_latin1.txt").status == LOADED
    assert one("orders_cp932.txt").status == LOADED
    got = {r["sku"]: r for r in rows("select sku, product_name, marketplace, item_price_cents from order_line")}
    assert got["SKU-É"]["product_name"] == "Café crème brûlée"
    assert got["SKU-1"]["product_name"] == "日本の急須"
    assert got["SKU-1"]["marketplace"] == "Amazon.co.jp" and got["SKU-1"]["item_price_cents"] == 320000
    enc = {Path(r["path"]).name: r["encoding"] for r in rows("select path, encoding from report_file")}
    assert enc == {"orders_latin1.txt": "iso-8859-1", "orders_cp932.txt": "cp932"}


def test_blank_money_is_null_not_zero(db_url):
    assert one("orders_cancelled_blank_price.txt").status == LOADED
    [r] = rows("select item_price_cents, order_status from order_line")
    assert r["item_price_cents"] is None and r["order_status"] == "Cancelled"


def test_header_only_report_loads_zero_rows(db_url):
    o = one("orders_header_only.txt")
    assert (o.status, o.rows) == (LOADED, 0)


def test_missing_final_newline_is_not_truncation(db_url):
    assert one("settlement_no_final_newline.txt").status == LOADED


@pytest.mark.parametrize("name, expected", [
    ("empty.txt", "empty.txt: empty file (0 bytes)"),
    ("binary.bin", "binary.bin: binary file (NUL byte at offset 0)"),
    ("not_a_report.csv", "not_a_report.csv:1:1: unknown report type"),
    ("settlement_missing_amount_column.txt", "settlement_missing_amount_column.txt:1: missing required column 'amount'"),
    # line 4 is the second transaction row; amount is the 15th field
    ("settlement_non_numeric_amount.txt", "settlement_non_numeric_amount.txt:4:15: amount: 'abc' is not money"),
    # the last row stops after 9 fields; the 10th (adjustment-id) is where it breaks off
    ("settlement_truncated.txt", "settlement_truncated.txt:6:10: adjustment-id: truncated: the last row has 9 of 24"),
    ("settlement_no_summary.txt", "settlement_no_summary.txt:2:5: total-amount: no settlement summary row"),
])
def test_bad_files_are_quarantined_with_their_place(db_url, sellerops_home, name, expected):
    o = one(name)
    assert o.status == QUARANTINED
    assert expected in o.reason, o.reason
    assert o.reason.startswith(str(DATA / name))
    copy = sellerops_home / "quarantine" / name
    assert copy.read_bytes() == (DATA / name).read_bytes()
    info = json.loads((copy.parent / (name + ".reason.json")).read_text())
    assert info["reason"] == o.reason and info["sha256"] == o.sha256
    assert line_count() == 0


def test_good_files_load_while_bad_ones_are_quarantined(db_url, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    for n in ("settlement_ok.txt", "settlement_truncated.txt", "orders_latin1.txt", "empty.txt"):
        shutil.copy(DATA / n, folder / n)
    (folder / ".hidden.txt").write_text("ignored")
    outcomes = {Path(o.path).name: o.status for o in ingest_paths([folder])}
    assert outcomes == {"settlement_ok.txt": LOADED, "settlement_truncated.txt": QUARANTINED,
                        "orders_latin1.txt": LOADED, "empty.txt": QUARANTINED}
    assert (DATA / "settlement_truncated.txt").exists()  # a user's file is never moved


def test_rerun_duplicates_nothing_and_keeps_first_outcomes(db_url, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(DATA / "settlement_ok.txt", folder / "a.txt")
    shutil.copy(DATA / "settlement_non_numeric_amount.txt", folder / "bad.txt")
    ingest_paths([folder])
    before = (line_count(), report_rows())
    again = ingest_paths([folder])
    assert all(o.known for o in again)
    assert (line_count(), report_rows()) == before


def test_same_content_under_another_name_is_a_duplicate(db_url, tmp_path):
    shutil.copy(DATA / "settlement_ok.txt", tmp_path / "renamed.txt")
    assert one("settlement_ok.txt").status == LOADED
    o = one("renamed.txt", tmp_path)
    assert (o.status, o.rows) == (DUPLICATE, 0)
    assert line_count() == 4


def test_settlement_id_already_loaded_is_a_duplicate(db_url, tmp_path):
    # a re-download of settlement 1001 with other bytes (CRLF) loads nothing
    one("settlement_ok.txt")
    text = (DATA / "settlement_ok.txt").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "settlement-1001-again.txt").write_bytes(text)
    o = one("settlement-1001-again.txt", tmp_path)
    assert (o.status, o.settlement_id) == (DUPLICATE, "1001")
    assert line_count() == 4


def test_orders_upsert_newest_last_updated_wins(db_url, tmp_path):
    from tests.sellerops.reports.make_data import orders

    newer = orders([dict(order_status="Shipped", item_price="30.00", last_updated_date="2026-06-05T00:00:00+00:00")])
    older = orders([dict(order_status="Pending", item_price="25.00", last_updated_date="2026-06-02T00:00:00+00:00")])
    (tmp_path / "1.txt").write_text("\n".join(newer) + "\n")
    (tmp_path / "2.txt").write_text("\n".join(older) + "\n")
    ingest_paths([tmp_path / "1.txt"])
    ingest_paths([tmp_path / "2.txt"])  # an older download arriving later changes nothing
    [r] = rows("select order_status, item_price_cents from order_line")
    assert (r["order_status"], r["item_price_cents"]) == ("Shipped", 3000)


def test_discover_skips_hidden_files_and_home_but_walks_the_inbox(sellerops_home, tmp_path):
    from sellerops.ingest import discover

    (sellerops_home / "inbox").mkdir(parents=True)
    (sellerops_home / "quarantine").mkdir()
    (sellerops_home / "inbox" / "a.txt").write_text("x")
    (sellerops_home / "quarantine" / "bad.txt").write_text("x")
    (sellerops_home / "cache" / "frames").mkdir(parents=True)
    (sellerops_home / "cache" / "frames" / "1-ab-1-v1.pkl").write_text("x")
    (sellerops_home / "sellerops.db").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    # walking a folder around SELLEROPS_HOME leaves the home out entirely
    assert discover([tmp_path]) == [tmp_path / "b.txt"]
    # the inbox, inside the home, is walked
    assert discover([sellerops_home / "inbox"]) == [sellerops_home / "inbox" / "a.txt"]
    assert discover([sellerops_home]) == [sellerops_home / "inbox" / "a.txt"]


def test_rows_carry_the_account_they_were_ingested_for(db_url):
    ingest_paths([DATA / "settlement_ok.txt"], account="acme-eu")
    assert {r["account"] for r in stored_lines()} == {"acme-eu"}
    assert rows("select account from report_file")[0]["account"] == "acme-eu"


def test_values_the_same_on_every_row_are_stored_exactly(db_url, tmp_path):
    """A column with one value on every row (the account, a SKU) is written into the INSERT as a
    literal, not bound per row: quotes and percent signs in it must arrive unchanged, on both the
    plain insert (settlement lines) and the upsert (order lines)."""
    from tests.sellerops.reports.make_data import orders, settlement

    sku, account = "O'Brien 100% wool", "it's 50%' --"
    lines = [dict(amount_type="ItemPrice", amount_description="Principal", amount="10.00", sku=sku),
             dict(amount_type="ItemFees", amount_description="Commission", amount="-1.50", sku=sku)]
    (tmp_path / "s.txt").write_text("\n".join(settlement(total="8.50", lines=lines)) + "\n")
    (tmp_path / "o.txt").write_text("\n".join(orders([dict(sku=sku)])) + "\n")
    outcomes = ingest_paths([tmp_path], account=account)
    assert [o.status for o in outcomes] == [LOADED, LOADED], [o.reason for o in outcomes]
    got = stored_lines()
    assert [(r["account"], r["sku"], r["amount_cents"]) for r in got] == [(account, sku, 1000), (account, sku, -150)]
    [order] = rows("select account, sku from order_line")
    assert (order["account"], order["sku"]) == (account, sku)


def test_a_truncated_settlement_leads_with_the_cause(db_url, tmp_path):
    """A download cut off in the middle of a settlement id: the file ends after two fields, so the last
    row also shows a second settlement id. The cause (truncation) is named first, its consequence after."""
    lines = (DATA / "settlement_ok.txt").read_text().splitlines()
    first_two = lines[-1].split("\t")[:2]
    cut = "\t".join([first_two[0][:2], first_two[1]])  # "10" of settlement 1001, then one more field
    (tmp_path / "cut.txt").write_text("\n".join(lines[:-1] + [cut]))
    o = one("cut.txt", tmp_path)
    assert o.status == QUARANTINED
    cause = o.reason.removeprefix(str(tmp_path / "cut.txt"))
    assert "truncated: the last row has 2 of 24 fields" in cause.split(" (and ")[0], o.reason


def test_a_duplicate_names_what_it_duplicates(db_url, tmp_path):
    one("settlement_ok.txt")
    shutil.copy(DATA / "settlement_ok.txt", tmp_path / "renamed.txt")
    o = one("renamed.txt", tmp_path)
    assert o.status == DUPLICATE and str(DATA / "settlement_ok.txt") in o.reason
    text = (DATA / "settlement_ok.txt").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "again.txt").write_bytes(text)
    o = one("again.txt", tmp_path)
    assert o.status == DUPLICATE and "settlement 1001" in o.reason and str(DATA / "settlement_ok.txt") in o.reason
    assert {r["reason"] for r in report_rows() if r["status"] == "duplicate"} >= {o.reason}
