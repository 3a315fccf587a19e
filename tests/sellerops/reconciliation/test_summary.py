"""The night's summary as data and as the board's markdown, without Prefect or a database."""

from __future__ import annotations

from decimal import Decimal

from sellerops.reconciliation.runs import ReconcileOutcome
from sellerops.reconciliation.summary import night_summary, render_markdown, table_rows


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
                           "at_stake": {"USD": "26.75", "JPY": "700"}, "skipped": False}
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
    assert "_No new report arrived since the last run: nothing was recomputed._" in md
    assert md.endswith("Report files new tonight: 1\n")


def test_table_rows_keep_the_boards_columns():
    [row] = table_rows([OPEN[0]])
    assert list(row) == ["kind", "settlement_id", "order_id", "sku", "amount", "currency", "detail",
                         "claim_window_closes", "first_seen"]
