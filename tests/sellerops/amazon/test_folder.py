"""FolderSource: downloaded report files recognised by their header, saved API responses read back."""

from __future__ import annotations

import codecs
import datetime as dt
import json

from sellerops.amazon.source import ALL_ORDERS, REIMBURSEMENTS, SELLER_PERFORMANCE, SELLER_RETURNS, SETTLEMENT, ReportStatus
from sellerops.amazon.folder import FolderSource, sniff_report_type

UTC = dt.timezone.utc
SETTLEMENT_HEADER = b"settlement-id\tsettlement-start-date\ttotal-amount\tcurrency\ttransaction-type\tamount-type\tamount-description\tamount\n"


def test_types_come_from_headers_not_names(tmp_path):
    (tmp_path / "orders.txt").write_bytes(SETTLEMENT_HEADER + b"1\t\t10\tUSD\t\t\t\t\n")  # misleading name
    (tmp_path / "x.tsv").write_bytes(codecs.BOM_UTF8 + b"amazon-order-id\tpurchase-date\torder-status\tsku\textra\r\n")
    (tmp_path / "rma.txt").write_bytes(b"Order ID\tOrder date\tAmazon RMA ID\n")
    (tmp_path / "r.txt").write_bytes(b"approval-date\treimbursement-id\tsku\n")
    (tmp_path / "perf.json").write_bytes(json.dumps({"performanceMetrics": [{"orderDefectRate": {}}]}).encode())
    (tmp_path / "notes.txt").write_bytes(b"hello\n")

    assert sniff_report_type(tmp_path / "orders.txt") == SETTLEMENT
    assert sniff_report_type(tmp_path / "x.tsv") == ALL_ORDERS
    assert sniff_report_type(tmp_path / "rma.txt") == SELLER_RETURNS
    assert sniff_report_type(tmp_path / "r.txt") == REIMBURSEMENTS
    assert sniff_report_type(tmp_path / "perf.json") == SELLER_PERFORMANCE
    assert sniff_report_type(tmp_path / "notes.txt") is None


def test_folder_source_answers_the_interface(tmp_path):
    (tmp_path / ".hidden.txt").write_bytes(SETTLEMENT_HEADER)
    (tmp_path / "empty.txt").write_bytes(b"")
    settlement = tmp_path / "s1.txt"
    settlement.write_bytes(SETTLEMENT_HEADER + b"1\t\t10\tUSD\t\t\t\t\n")
    (tmp_path / "shipments.json").write_text(json.dumps({"payload": {"ShipmentData": [
        {"ShipmentId": "FBA1", "ShipmentStatus": "CLOSED"}, {"ShipmentId": "FBA2", "ShipmentStatus": "WORKING"}]}}))
    (tmp_path / "items.json").write_text(json.dumps({"payload": {"ItemData": [{"ShipmentId": "FBA1", "SellerSKU": "A"}]}}))
    source = FolderSource(tmp_path, account="acme")

    refs = source.list_settlements(dt.datetime(2000, 1, 1, tzinfo=UTC))
    assert [r.path for r in refs] == [settlement]
    assert source.fetch_settlement(refs[0]).read_bytes() == settlement.read_bytes()
    assert source.fetch_report(ALL_ORDERS, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 2, tzinfo=UTC)).status is ReportStatus.CANCELLED
    assert [s.shipment_id for s in source.inbound_shipments(statuses=["CLOSED"])] == ["FBA1"]
    assert source.shipment_items("FBA1") == [{"ShipmentId": "FBA1", "SellerSKU": "A"}]
    assert source.seller_performance().status is ReportStatus.CANCELLED


def test_a_folder_answers_request_and_await_like_the_api(tmp_path):
    import os

    old, new = tmp_path / "orders-may.txt", tmp_path / "orders-june.txt"
    old.write_bytes(b"amazon-order-id\tpurchase-date\torder-status\tsku\n111-1\t2026-05-01\tShipped\tA\n")
    new.write_bytes(b"amazon-order-id\tpurchase-date\torder-status\tsku\n111-2\t2026-06-01\tShipped\tB\n")
    os.utime(old, (1_700_000_000, 1_700_000_000))  # downloaded first
    source = FolderSource(tmp_path, marketplace_ids=("ATVPDKIKX0DER",))
    start, end = dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 30, tzinfo=UTC)

    report_id = source.request_report(ALL_ORDERS, start, end)
    report = source.await_report(ALL_ORDERS, report_id, start, end)

    assert report.status is ReportStatus.DONE and report.read_bytes() == new.read_bytes()  # the newest download
    assert (report.start, report.end, report.marketplace_ids) == (start, end, ("ATVPDKIKX0DER",))
    assert ":" not in report_id and "/" not in report_id  # it becomes part of a saved file's name
    assert source.request_report(REIMBURSEMENTS) == ""
    assert source.await_report(REIMBURSEMENTS, "").status is ReportStatus.CANCELLED  # no download: no data


def test_a_missing_folder_is_an_error_naming_it(tmp_path):
    import pytest

    from sellerops.amazon.source import SourceError

    with pytest.raises(SourceError, match=f"report folder {tmp_path / 'gone'}: not a directory"):
        FolderSource(tmp_path / "gone")


def test_listing_status_reads_saved_listings_responses_newest_first(tmp_path):
    import os

    def save(name, body, age_hours):
        path = tmp_path / name
        path.write_text(json.dumps(body))
        stamp = dt.datetime(2026, 11, 5, tzinfo=UTC).timestamp() - age_hours * 3600
        os.utime(path, (stamp, stamp))

    down = {"sku": "SKU-1", "summaries": [{"marketplaceId": "ATVPDKIKX0DER", "status": ["DISCOVERABLE"]}]}
    back = {"sku": "SKU-1", "summaries": [{"marketplaceId": "ATVPDKIKX0DER", "status": ["BUYABLE"]}]}
    # a searchListingsItems page two days old, then a getListingsItem body saved an hour ago
    save("search.json", {"numberOfResults": 2, "items": [down, {"sku": "SKU-2", "summaries": []}]}, 48)
    save("one.json", back, 1)
    source = FolderSource(tmp_path)

    assert source.listing_status(["SKU-1"]) == [back]  # the newer poll wins, the older one is history
    assert [i["sku"] for i in source.listing_status()] == ["SKU-1", "SKU-2"]
    assert source.listing_status(["SKU-9"]) == []
