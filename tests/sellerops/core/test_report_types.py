"""The one detection table: a header names its report type by the names it carries, never by order."""

import pytest

from sellerops.core import report_types as rt
from sellerops.reports import FORMATS, detect


@pytest.mark.parametrize("header, expected", [
    # the seller-fulfilled returns report spells its names with spaces and capitals
    (["Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
      "Merchant RMA ID", "Label type", ""], rt.SELLER_RETURNS),
    # reordered, with an unknown extra column
    (["extra", "license-plate-number", "return-date", "order-id", "fnsku", "detailed-disposition"], rt.FBA_RETURNS),
    (["approval-date", "reimbursement-id", "sku"], rt.REIMBURSEMENTS),  # two of six names: enough
    (["order-id", "sku", "quantity"], None),  # one name of two types: neither
    (["hello"], None),
])
def test_detect_type(header, expected):
    assert rt.detect_type(header) == expected


def test_a_tie_names_no_type():
    # two names of each returns report (order-id is in both): a tie between equal shares
    header = ["order-id", "fnsku", "amazon-rma-id"]
    assert rt.detect_type(header) is None


def test_every_type_with_a_format_is_in_the_table_and_detects_itself():
    assert set(FORMATS) == set(rt.SIGNATURES)
    for report_type, fmt in FORMATS.items():
        header = [c.name for c in fmt.columns]
        assert rt.detect_type(header) == report_type
        assert detect(header) is fmt
        # the signature names are columns of the format, so a real file carries them all
        assert rt.SIGNATURES[report_type] <= {c.name for c in fmt.columns}


@pytest.mark.parametrize("name, normalised", [("Order ID", "order-id"), ("\ufeffA-to-Z Claim ", "a-to-z-claim"),
                                              ("order_id", "order-id")])
def test_norm(name, normalised):
    assert rt.norm(name) == normalised
