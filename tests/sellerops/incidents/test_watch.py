"""Amazon's suppressed-listings report read by header name into takedown alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from sellerops.incidents.watch import SuppressedReportError, is_suppressed_report, read_suppressed

HEADER = "Status\tReason\tSKU\tASIN\tProduct name\tCondition\tStatus Change Date\tIssue Description"


def test_rows_are_read_by_header_name_extra_columns_and_bom_tolerated(tmp_path):
    # columns reordered, one unknown column added, a UTF-8 BOM and CRLF: as downloads come
    text = ("\ufeffSKU\tExtra\tStatus\tReason\tASIN\tIssue Description\tStatus Change Date\r\n"
            "SKU-7\tx\tSuppressed\tIntellectual property complaint\tB0SEVEN\tTrademark claim\t2026-11-02\r\n")
    data = text.encode("utf-8")
    assert is_suppressed_report(data)
    [row] = read_suppressed(tmp_path / "s.txt", data)
    assert (row.sku, row.asin, row.status, row.line) == ("SKU-7", "B0SEVEN", "Suppressed", 2)
    req = row.takedown_request("Amazon.com", "acme")
    assert req == {"sku": "SKU-7", "asin": "B0SEVEN", "marketplace": "Amazon.com", "account": "acme",
                   "reason": "Suppressed: Intellectual property complaint — Trademark claim"}
    assert row.resource("Amazon.com", "acme")["prefect.resource.id"] == "sellerops.listing.acme.Amazon.com.SKU-7"


def test_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "bad.txt"
    with pytest.raises(SuppressedReportError, match=rf"^{path}:1:1: missing column\(s\) sku"):
        read_suppressed(path, b"Status\tReason\tASIN\nSuppressed\tx\tB0\n")
    body = (HEADER + "\nSuppressed\tIP\tSKU-1\tB01\tThing\tNew\t2026-11-02\tx\n"
            "Suppressed\tIP\t \tB02\tThing\tNew\t2026-11-02\tx\n").encode()
    with pytest.raises(SuppressedReportError, match=rf"^{path}:3:3: SKU is blank"):
        read_suppressed(path, body)


def test_other_reports_are_not_taken_for_it():
    assert not is_suppressed_report(b"settlement-id\tsettlement-start-date\tsku\n1\t2\t3\n")
    assert is_suppressed_report((HEADER + "\n").encode())


def test_a_suppressed_listings_report_in_the_inbox_loads_instead_of_being_quarantined(tmp_path):
    """Nightly ingestion walks the inbox too: the report listing-watch reads there is recorded as
    loaded (with its listing count), a broken one quarantined with its reason, never 'unknown'."""
    from sellerops import ingest

    good = tmp_path / "suppressed.txt"
    good.write_text(HEADER + "\nSuppressed\tIP complaint\tSKU-1\tB01\tThing\tNew\t2026-11-02\tx\n"
                    "Suppressed\tSafety\tSKU-2\tB02\tOther\tNew\t2026-11-03\ty\n")
    [o] = ingest.ingest_paths([good])
    assert (o.status, o.rows, o.report_type) == ("loaded", 2, "GET_MERCHANTS_LISTINGS_FYP_REPORT")
    [again] = ingest.ingest_paths([good])
    assert again.known and again.status == "loaded"
    broken = tmp_path / "broken.txt"
    broken.write_text("Status\tStatus Change Date\tIssue Description\tSKU\n")  # no Reason column
    [q] = ingest.ingest_paths([broken])
    assert q.status == "quarantined" and "reason" in q.reason


@pytest.mark.parametrize("item, marketplace_id, expected", [
    # BUYABLE in the incident's marketplace: the listing is back
    ({"sku": "S", "summaries": [{"marketplaceId": "ATVPDKIKX0DER", "status": ["BUYABLE", "DISCOVERABLE"]}]},
     "ATVPDKIKX0DER", True),
    # only discoverable (suppressed from the buy box): still down
    ({"sku": "S", "summaries": [{"marketplaceId": "ATVPDKIKX0DER", "status": ["DISCOVERABLE"]}]},
     "ATVPDKIKX0DER", False),
    # BUYABLE in another marketplace says nothing of this one
    ({"sku": "S", "summaries": [{"marketplaceId": "A1PA6795UKMFR9", "status": ["BUYABLE"]}]},
     "ATVPDKIKX0DER", False),
    # a summary without a marketplace id speaks for the one asked about
    ({"sku": "S", "summaries": [{"status": ["BUYABLE"]}]}, "ATVPDKIKX0DER", True),
    # no summaries at all (the listing exists, its status unknown): not evidence
    ({"sku": "S", "summaries": [], "issues": []}, "ATVPDKIKX0DER", False),
    ({"sku": "S"}, None, False),
])
def test_only_a_buyable_summary_is_evidence_of_reinstatement(item, marketplace_id, expected):
    from sellerops.incidents.watch import buyable_in

    assert buyable_in(item, marketplace_id) is expected
