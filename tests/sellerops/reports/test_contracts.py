"""Every report type's contract, expectation by expectation: a good file passes the whole suite, and
for each expectation a copy of that file broken in just the way it forbids is refused with an error
naming the file, the line and the column.

The good files are the ones `test_forms` ingests, in the forms Amazon really writes. Each
expectation is read from the report module's own `expectations()`, so one added there is tested here
without a word more: the test only knows how to break a column-existence, not-blank, pattern or
allowed-values check, and the settlement's own three rules.
"""

from __future__ import annotations

from pathlib import Path

import great_expectations.expectations as gxe
import pytest

from sellerops.core import report_types as rt
from sellerops.core.marketplaces import marketplace
from sellerops.ingest import read_and_detect, validate
from sellerops.reports import MODULES
from tests.sellerops.reports import test_forms as forms

SAMPLE = (forms.DATA / "seller_returns_amazon_sample.txt").read_text().splitlines()
GOOD: dict[str, tuple[list[str], list[list[str]]]] = {
    rt.SETTLEMENT: (forms.SETTLEMENT, forms.GOOD_SETTLEMENT),
    rt.ALL_ORDERS: (forms.ORDERS, forms.GOOD_ORDERS),
    rt.FBA_RETURNS: (forms.FBA_RETURNS, forms.GOOD_FBA_RETURNS),
    rt.REIMBURSEMENTS: (forms.REIMBURSEMENTS, forms.GOOD_REIMBURSEMENTS),
    rt.SELLER_RETURNS: (SAMPLE[0].split("\t"), [line.split("\t") for line in SAMPLE[1:]]),
    rt.INBOUND_PERFORMANCE: (forms.INBOUND_PERFORMANCE, forms.GOOD_INBOUND_PERFORMANCE),
}
US = marketplace("Amazon.com")


def suite(report_type: str) -> list:
    return MODULES[report_type].expectations(gxe, US)


def cases():
    for report_type in GOOD:
        for i, e in enumerate(suite(report_type)):
            yield pytest.param(report_type, i, id=f"{report_type.split('_')[1].lower()}-{i}-{e.expectation_type}"
                                                  f"-{getattr(e, 'column', '') or ''}")


def check(path: Path, header: list[str], lines: list[list[str]]) -> list[str]:
    forms.tsv(path, header, lines)
    d = read_and_detect(path, "Amazon.com")
    assert d.fmt is not None, d.error
    return validate(d)


@pytest.mark.parametrize("report_type", list(GOOD))
def test_the_good_file_passes_its_whole_suite(tmp_path, report_type):
    header, lines = GOOD[report_type]
    assert check(tmp_path / "good.txt", header, lines) == []


@pytest.mark.parametrize("report_type", list(GOOD))
def test_every_suite_checks_keys_and_its_money_and_dates(report_type):
    kinds = {(e.expectation_type, getattr(e, "column", None)) for e in suite(report_type)}
    fmt = MODULES[report_type].FORMAT
    for c in fmt.columns:
        if c.key:
            assert any(k == "expect_column_values_to_not_be_null" and col == c.name for k, col in kinds), c.name
        if c.kind in ("money", "date", "datetime"):
            assert ("expect_column_values_to_match_regex", c.name) in kinds, c.name


def _first_filled(header: list[str], lines: list[list[str]], column: str, skip_summary: bool) -> int:
    """The first row with `column` filled (the first row when none is: the bad value then stands alone)."""
    j = _index(header, column)
    start = 1 if skip_summary else 0
    return next((i for i in range(start, len(lines)) if lines[i][j].strip()), start)


def _index(header: list[str], column: str) -> int:
    return [rt.norm(h) for h in header].index(column)


@pytest.mark.parametrize("report_type, which", list(cases()))
def test_a_file_breaking_one_expectation_is_refused_at_its_place(tmp_path, report_type, which):
    e = suite(report_type)[which]
    header, good = GOOD[report_type]
    lines = [list(r) for r in good]
    kind, column = e.expectation_type, getattr(e, "column", None)
    settlement = report_type == rt.SETTLEMENT
    path = tmp_path / "broken.txt"
    if kind == "expect_column_to_exist":
        j = _index(header, column)
        header = header[:j] + header[j + 1:]
        lines = [r[:j] + r[j + 1:] for r in lines]
        assert f"{path}:1: missing required column '{column}' (the header has {len(header)} columns)" in check(
            path, header, lines)
        return
    if kind == "expect_table_row_count_to_equal":  # the settlement's one summary row
        lines[2][_index(header, "total-amount")] = "1.00"
        want = f"{path}:4:5: total-amount: 2 settlement summary rows"
    elif kind == "expect_column_unique_value_count_to_be_between":  # one settlement id a file
        lines[3][0] = "7002"
        want = f"{path}:5:1: settlement-id: '7002' after '7001'"
    else:
        j = _index(header, column)
        conditioned = e.row_condition is not None  # a settlement key: on transaction rows
        i = _first_filled(header, lines, column, skip_summary=settlement and conditioned)
        if kind == "expect_column_values_to_not_be_null":
            lines[i][j] = ""
            want = f"{path}:{i + 2}:{j + 1}: {header[j]}: is blank"
        elif kind == "expect_column_values_to_match_regex":
            lines[i][j] = "12/34/5x"
            want = f"{path}:{i + 2}:{j + 1}: {header[j]}: '12/34/5x' is not"
        elif kind == "expect_column_values_to_be_in_set":
            lines[i][j] = "Maybe"
            want = f"{path}:{i + 2}:{j + 1}: {header[j]}: 'Maybe' is not one of"
        else:
            pytest.fail(f"no way to break {kind}: teach this test one")
    got = check(path, header, lines)
    assert any(p.startswith(want) for p in got), (want, got)
