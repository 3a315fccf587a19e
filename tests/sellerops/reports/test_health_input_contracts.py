"""The contracts of the account-health watch's flat inputs: manage inventory (TSV), the search-term
report (CSV or TSV) and the seller's cycle counts and purchase orders (CSV). A good file passes its
whole checkpoint; each key left blank and each number or date mistyped is refused naming the file,
the line and the column; a header that rules the file out says why."""

from __future__ import annotations

import pytest

from sellerops.core import report_types as rt
from sellerops.core.marketplaces import marketplace
from sellerops.health.inputs import _header_problem, input_type
from sellerops.reports import MODULES, cycle_counts, purchase_orders
from sellerops.reports.base import DATE, INT
from sellerops.reports.delimited import read_delimited
from sellerops.reports.validate import run_checkpoint

US = marketplace("Amazon.com")
GOOD = {
    rt.MANAGE_INVENTORY: ("\t", [
        "sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\tmfn-fulfillable-quantity\t"
        "afn-listing-exists\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t"
        "afn-reserved-quantity\tafn-total-quantity\tper-unit-volume",
        "MUG-BLUE-12\tX001\tB0001\tBlue mug\tNew\t16.99\tNo\t\tYes\t60\t50\t2\t8\t70\t0.1",
        "MUG-RED-12\tX002\tB0002\tRed mug\tNew\t16.99\tNo\t\tYes\t0\t0\t0\t0\t0\t0.1",
    ]),
    rt.SEARCH_TERMS: (",", [
        "Date,Portfolio name,Currency,Campaign Name,Ad Group Name,Targeting,Match Type,Customer Search Term,"
        "Impressions,Clicks,Click-Thru Rate (CTR),Cost Per Click (CPC),Spend,7 Day Total Sales ,"
        "Total Advertising Cost of Sales (ACOS) ,7 Day Total Orders (#),7 Day Total Units (#)",
        '2026-11-20,No Portfolio,USD,Mugs - exact,Blue,blue mug,EXACT,blue mug,1000,120,12%,$0.14,$16.25,'
        '"$1,234.50",12%,7,7',
        '2026-11-21,No Portfolio,USD,Mugs - auto,Auto,*,-,"mug, blue",400,30,7.5%,$0.20,$6.00,$0.00,0%,0,0',
    ]),
    rt.CYCLE_COUNTS: (",", cycle_counts.EXAMPLE.splitlines()),
    rt.PURCHASE_ORDERS: (",", purchase_orders.EXAMPLE.splitlines()),
}


def write(tmp_path, report_type, lines, name="input.csv"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def check(path, report_type) -> list[str]:
    raw = read_delimited(path, path.read_bytes())
    return [p.render(path) for p in run_checkpoint(raw, MODULES[report_type].FORMAT, US)]


@pytest.mark.parametrize("report_type", list(GOOD))
def test_the_good_file_is_its_type_and_passes_its_whole_checkpoint(tmp_path, report_type):
    sep, lines = GOOD[report_type]
    p = write(tmp_path, report_type, lines)
    assert input_type(p.read_bytes()) == report_type
    if report_type == rt.SEARCH_TERMS:  # money like $16.25: the sign is dropped before the checks
        from sellerops.health.inputs import _console_forms

        raw = read_delimited(p, p.read_bytes())
        _console_forms(raw, MODULES[report_type].FORMAT)
        assert [x.render(p) for x in run_checkpoint(raw, MODULES[report_type].FORMAT, US)] == []
        assert list(raw.frame["spend"]) == ["16.25", "6.00"]
    else:
        assert check(p, report_type) == []


def _breaks():
    for report_type in (rt.CYCLE_COUNTS, rt.PURCHASE_ORDERS, rt.MANAGE_INVENTORY):
        for c in MODULES[report_type].FORMAT.columns:
            if c.key:
                yield pytest.param(report_type, c.name, "", "is blank; a value is required",
                                   id=f"{report_type}-{c.name}-blank")
            if c.kind == INT:
                yield pytest.param(report_type, c.name, "4.5", "is not a whole number", id=f"{report_type}-{c.name}-int")
            if c.kind == DATE:
                yield pytest.param(report_type, c.name, "24/13/2026x", "is not a date",
                                   id=f"{report_type}-{c.name}-date")


@pytest.mark.parametrize("report_type, column, value, message", list(_breaks()))
def test_each_break_names_file_line_and_column(tmp_path, report_type, column, value, message):
    sep, lines = GOOD[report_type]
    header = lines[0].split(sep)
    j = [h.strip() for h in header].index(column)
    row = lines[2].split(sep)  # the file's line 3
    row[j] = value
    p = write(tmp_path, report_type, [lines[0], lines[1], sep.join(row)] + lines[3:])
    problems = check(p, report_type)
    assert any(x.startswith(f"{p}:3:{j + 1}: {header[j]}: ") and message in x for x in problems), problems


def test_a_missing_column_is_named(tmp_path):
    sep, lines = GOOD[rt.PURCHASE_ORDERS]
    cut = [",".join(line.split(",")[:-1]) for line in lines]  # no actual-arrival-date
    problems = check(write(tmp_path, rt.PURCHASE_ORDERS, cut), rt.PURCHASE_ORDERS)
    assert any(":1: missing required column 'actual-arrival-date'" in x for x in problems)


def test_a_summary_search_term_export_is_refused_with_its_reason():
    header = ["start-date", "end-date", "campaign-name", "ad-group-name", "targeting", "match-type",
              "customer-search-term", "impressions", "clicks", "7-day-total-orders-(#)"]
    col, why = _header_problem(rt.SEARCH_TERMS, header)
    assert col == 1 and "Start Date / End Date" in why and "cannot be windowed" in why
    assert _header_problem(rt.SEARCH_TERMS, ["date"] + header) is None


def test_manage_inventory_needs_a_way_to_count_stock():
    assert _header_problem(rt.MANAGE_INVENTORY, ["sku", "afn-total-quantity"])[1].startswith(
        "missing column 'afn-warehouse-quantity'")
    assert _header_problem(rt.MANAGE_INVENTORY, ["sku", "afn-fulfillable-quantity"]) is None


def test_quoted_fields_and_a_bom_are_read(tmp_path):
    p = tmp_path / "po.csv"
    p.write_bytes("\ufeffpo-number,supplier,sku,quantity,order-date,expected-arrival-date,actual-arrival-date\r\n"
                  'PO-1,"Acme, Ltd",S1,5,2026-10-01,2026-10-20,\r\n'.encode())
    raw = read_delimited(p, p.read_bytes())
    assert raw.names[0] == "po-number" and list(raw.frame["supplier"]) == ["Acme, Ltd"]
    assert list(raw.frame["__line__"]) == [2] and raw.frame["actual-arrival-date"].isna().all()


def test_the_readme_shows_each_of_the_sellers_files_as_its_format_reads_it():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    for module in (cycle_counts, purchase_orders):
        assert f"```\n{module.EXAMPLE}```" in readme


def test_the_consoles_month_named_days_and_money_signs_are_read(tmp_path):
    from sellerops.health.inputs import _console_forms

    fmt = MODULES[rt.SEARCH_TERMS].FORMAT
    p = write(tmp_path, rt.SEARCH_TERMS, [
        "Date,Campaign Name,Ad Group Name,Targeting,Match Type,Customer Search Term,Impressions,Clicks,Spend,"
        "7 Day Total Sales ,7 Day Total Orders (#)",
        '"Nov 20, 2026",C,G,mug,EXACT,mug,10,120,-$1.50,£2.00,3',
        '"Nov 21, 2026",C,G,mug,EXACT,mug,10,120,$1.50,$2.00,3',
        '20 November 2026,C,G,mug,EXACT,mug,10,120,$1.50,$2.00,3',
    ])
    raw = read_delimited(p, p.read_bytes())
    _console_forms(raw, fmt)
    assert list(raw.frame["spend"]) == ["-1.50", "1.50", "1.50"]
    problems = [x.render(p) for x in run_checkpoint(raw, fmt, US)]
    assert [x.split(": ", 1)[0] for x in problems] == [f"{p}:4:1"]  # the form it does not know is refused
