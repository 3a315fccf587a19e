"""The night's summary as data and as the board's markdown, without Prefect or a database."""

from __future__ import annotations

from decimal import Decimal

from sellerops.reconciliation.runs import ReconcileOutcome
import datetime as dt
from zoneinfo import ZoneInfo

from sellerops.reconciliation.summary import (night_summary, open_findings_markdown, render_markdown,
                                             validation_markdown)


def _finding(i: int, kind: str, amount: str, currency: str = "USD", detail: str = "d") -> dict:
    return {"id": f"id{i}", "kind": kind, "settlement_id": f"S{i}", "order_id": None, "sku": f"SKU-{i}",
            "amount": amount, "currency": currency, "detail": detail, "claim_window_closes": None,
            "first_seen": "2026-06-01T02:30:00+00:00", "status": "open", "procedure": "reconciliation"}


def _outcome(**kw) -> ReconcileOutcome:
    base = dict(as_of={"Amazon.com USD": "2026-06-15"}, skipped=False, new=[], resolved=[], reopened=[], open=0,
                settlements_checked=3)
    return ReconcileOutcome(**{**base, **kw})


OPEN = [_finding(1, "fee_outlier", "1.50"), _finding(2, "unsettled_order", "20.00"),
        _finding(3, "unsettled_order", "5.25"), _finding(4, "unsettled_order", "700", "JPY", detail="a|b")]


def test_headline_money_by_currency_and_the_returned_keys():
    s = night_summary(_outcome(new=["id2"], reopened=["id3"], resolved=["gone"]), OPEN, fresh_files=2)
    # 1.50 + 20.00 + 5.25 USD; 700 JPY; new counts the reopened one too
    assert s.headline == "4 open findings, 700 JPY, 26.75 USD at stake; 2 new, 1 resolved"
    assert s.as_dict() == {"headline": s.headline, "open": 4, "new": 2, "resolved": 1,
                           "at_stake": {"USD": "26.75", "JPY": "700"}, "skipped": False, "quarantined": [],
                           "lost": {}}
    assert s.by_kind[("unsettled_order", "USD")] == (2, Decimal("25.25"))


def test_an_empty_night():
    s = night_summary(_outcome(as_of={}), [], fresh_files=0)
    assert s.headline == "0 open findings, 0.00 at stake; 0 new, 0 resolved"
    assert "as of: unchanged" in render_markdown(s)


def test_alert_only_for_new_findings_worth_the_threshold():
    s = night_summary(_outcome(new=["id1"]), OPEN, fresh_files=0)
    assert s.at_stake_new == Decimal("1.50")
    assert s.worth_alert(Decimal("1.50")) and not s.worth_alert(Decimal("1.51"))
    assert not night_summary(_outcome(), OPEN, fresh_files=0).worth_alert(Decimal("0"))  # nothing new


def test_markdown_lists_the_largest_first_and_keeps_the_table_intact():
    many = [_finding(i, "fee_outlier", f"{i}.00") for i in range(1, 13)]
    md = render_markdown(night_summary(_outcome(skipped=True), many + [OPEN[3]], fresh_files=1))
    rows = [line for line in md.splitlines() if line.startswith("| fee_outlier | S")
            or line.startswith("| unsettled_order | S")]
    # by amount regardless of currency, as the board always did: 700 JPY, then 12.00 down to 4.00
    assert [r.split(" | ")[2] for r in rows] == ["700 JPY"] + [f"{i}.00 USD" for i in range(12, 3, -1)]
    assert "| a/b |" in md  # a pipe in the detail would split the cell
    # one new file that loaded nothing new (a duplicate): said so, never "no new report arrived"
    assert "_None of tonight's 1 new files loaded: nothing was recomputed._" in md
    assert "No new report arrived" not in md and md.endswith("Report files new tonight: 1\n")
    quiet = render_markdown(night_summary(_outcome(skipped=True), [], fresh_files=0))
    assert "_No new report arrived since the last run: nothing was recomputed._" in quiet


def test_the_open_findings_table_reads_as_a_seller_reads_it():
    """Deadline and days left first, the soonest first, amounts right-aligned with their currency,
    a total per currency, the id, times in the seller's zone."""
    rows = [dict(_finding(1, "refund_without_return", "34.99"), claim_window_closes="2026-06-20"),
            dict(_finding(2, "unsettled_order", "20.00"), claim_window_closes="2026-06-11"),
            _finding(3, "fee_outlier", "1.50")]  # no deadline: last
    md = open_findings_markdown(rows, today=dt.date(2026, 6, 10), zone=ZoneInfo("America/Los_Angeles"))
    lines = md.splitlines()
    header = next(x for x in lines if x.startswith("| deadline"))
    assert [c.strip() for c in header.strip("|").split("|")][:3] == ["deadline", "days left", "amount"]
    assert "America/Los_Angeles" in header
    align = lines[lines.index(header) + 1]
    assert align.startswith("|---|---:|---:|")  # days left and amount right-aligned
    body = [x for x in lines[lines.index(header) + 2:] if not x.startswith("| **Total**")]
    # 2026-06-11 (1 day left) before 2026-06-20 (10 days), the finding with no deadline last
    assert [x.split(" | ")[0] for x in body] == ["| 2026-06-11", "| 2026-06-20", "| —"]
    assert body[0].split(" | ")[1:3] == ["1", "20.00 USD"] and "| id2 |" in body[0]
    # first seen 2026-06-01T02:30Z is the evening before in Los Angeles
    assert "2026-05-31 19:30" in body[0]
    assert lines[-1].startswith("| **Total** | | **56.49 USD** |")


def test_a_night_that_quarantined_a_file_says_so_first_and_once():
    q = [{"path": "/in/settlement.txt", "status": "quarantined", "copy": "/home/quarantine/settlement.txt",
          "reason": "/in/settlement.txt:6:10: adjustment-id: truncated: the last row has 9 of 24 fields"}]
    s = night_summary(_outcome(skipped=True), [], fresh_files=1, quarantined=q)
    assert s.state_name == "Completed with quarantined files"
    assert s.headline.startswith("1 file quarantined; ")
    md = render_markdown(s)
    body = md.split("\n## ")
    assert body[1].startswith("Quarantined tonight: 1 file")  # the first section
    assert "/home/quarantine/settlement.txt" in body[1] and "truncated" in body[1]
    # no "No new report arrived" beside "Report files new tonight: 1"
    assert "No new report arrived" not in md and "None of tonight's 1 new files loaded" in md
    assert md.rstrip().endswith("Report files new tonight: 1 (0 loaded, 1 quarantined)")
    assert "truncated" in validation_markdown(s) and "/home/quarantine/settlement.txt" in validation_markdown(s)
    assert night_summary(_outcome(), [], fresh_files=0).state_name == "Completed"


def test_expired_money_is_counted_as_lost_not_at_stake():
    expired = [dict(_finding(9, "refund_without_return", "34.99"), status="expired")]
    s = night_summary(_outcome(), OPEN[:1], fresh_files=0, expired=expired)
    assert s.at_stake == {"USD": Decimal("1.50")} and s.lost == {"USD": Decimal("34.99")}
    assert "Lost (claim window closed, never claimed): 1 findings, 34.99 USD" in render_markdown(s)
    assert s.headline.endswith("; 1 lost (claim window closed unclaimed: 34.99 USD)")
    assert s.as_dict()["lost"] == {"USD": "34.99"}
