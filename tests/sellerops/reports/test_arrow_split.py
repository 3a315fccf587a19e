"""The Arrow tokenizer against the pandas one: the same RawReport, field by field, on every edge of
the format, and the pandas path wherever Arrow's reading would differ."""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sellerops.reports import arrow_split
from sellerops.reports import read as R
from sellerops.reports.read import ReportError, read_report


def _read(path: Path, data: bytes, arrow: bool, monkeypatch) -> tuple[R.RawReport, bool]:
    """The file read by one path, and whether the Arrow path produced it."""
    used = []
    real = R._parse_arrow

    def spy(*args):
        out = real(*args)
        used.append(out is not None)
        return out

    with monkeypatch.context() as m:
        m.setattr(R, "ARROW", arrow)
        m.setattr(R, "_parse_arrow", spy)
        raw = read_report(path, data)
    return raw, any(used)


def assert_same(a: R.RawReport, b: R.RawReport) -> None:
    assert (a.path, a.size, a.encoding, a.header, a.names) == (b.path, b.size, b.encoding, b.header, b.names)
    assert (a.ends_with_newline, a.padded, a.rows) == (b.ends_with_newline, b.padded, b.rows)
    assert list(a.frame.columns) == list(b.frame.columns)
    for i, name in enumerate(a.frame.columns):  # by position: blank header names repeat
        x, y = a.frame.iloc[:, i], b.frame.iloc[:, i]
        assert x.dtype == y.dtype, name  # a categorical dtype's equality ignores the categories' order:
        if isinstance(x.dtype, pd.CategoricalDtype):  # so the order is compared on its own
            cx, cy = x.cat.categories, y.cat.categories
            assert cx.dtype == object and cy.dtype == object, name
            assert list(cx) == list(cy), name
            assert all(type(v) is str for v in cy), name  # Python str, not a NumPy or Arrow scalar
            assert x.cat.codes.dtype == y.cat.codes.dtype, name
            assert np.array_equal(x.cat.codes.to_numpy(), y.cat.codes.to_numpy()), name
    pd.testing.assert_frame_equal(a.frame, b.frame, check_categorical=True, check_exact=True)


def both(tmp_path: Path, data: bytes, monkeypatch, name: str = "r.txt") -> tuple[R.RawReport, R.RawReport, bool]:
    path = tmp_path / name
    path.write_bytes(data)
    reference, arrow_used = _read(path, data, False, monkeypatch)
    assert not arrow_used
    fast, arrow_used = _read(path, data, True, monkeypatch)
    assert_same(reference, fast)
    return reference, fast, arrow_used


JAPANESE = "Amazon.co.jp\tJPY\t商品\n".encode("cp932")

# (bytes, whether Arrow reads them: where it would read otherwise than pandas, the pandas path does)
CASES = {
    "lf": (b"a\tb\tc\nx1\ty1\tz1\nx2\ty1\tz2\n", True),
    "crlf": (b"a\tb\tc\r\nx1\ty1\tz1\r\nx2\t\tz2\r\n", True),
    # the last field blank or one space before CRLF: missing, the \r not kept
    "crlf blank last": (b"a\tb\r\nx\t\r\ny\t \r\nz\tw\r\n", True),
    "quote is data": (b'a\tb\nx"\t"q y"\n"\t""\n', True),
    "one space is blank, two are data": (b"a\tb\tc\n \t  \tx\n\t \t \n", True),
    "padded values kept": (b"a\tb\n x\tx \n x\tx\n", True),
    "no final newline": (b"a\tb\nx\ty\nx\tz", True),
    "no final newline, crlf": (b"a\tb\r\nx\ty\r\nx\tz", True),
    "a carriage return as the last byte": (b"a\tb\r\nx\ty\r\nx\tz\r", True),
    "blank lines": (b"a\tb\n\nx\ty\n\n\nx\tz\n\n", True),
    "blank crlf lines": (b"a\tb\r\n\r\nx\ty\r\n\r\n", True),
    "a column all blank": (b"a\tb\tc\nx\t\ty\nz\t \ty\n", True),
    "one column": (b"a\nx\n\ny\n \nx\n", True),
    "not ascii": ("a\tb\nÄpfel\t€1\n日本\tÄpfel\n".encode(), True),
    "utf-8 bom": (codecs.BOM_UTF8 + "a\tb\r\nx\tü\r\n".encode(), True),
    "utf-16 le bom": (codecs.BOM_UTF16_LE + "a\tb\r\nx\tü\r\ny\t\r\n".encode("utf-16-le"), True),
    "utf-16 be bom": (codecs.BOM_UTF16_BE + "a\tb\nx\tü\n".encode("utf-16-be"), True),
    "cp932": ("marketplace\tcurrency\tname\n".encode() + JAPANESE + JAPANESE.replace("商品".encode("cp932"),
              "ソニー".encode("cp932")), True),  # ソ's second byte is a backslash in ASCII
    "iso-8859-1": ("a\tb\nx\tcafé\n\xa0\t\xff\n".encode("iso-8859-1"), True),
    "blank header field": (b"a\t\t \tb\nw\tx\ty\tz\n", True),
    # where Arrow's reading would differ, pandas reads
    "header only": (b"a\tb\n", False),
    "header only, no newline": (b"a\tb", False),
    "header then blank lines": (b"a\tb\n\n\n", False),
    "short row": (b"a\tb\tc\nx\ty\tz\nx\ty\n", False),
    "long row": (b"a\tb\nx\ty\nx\ty\tz\n", False),
    "header wider than any row": (b"a\tb\tc\nx\ty\nx\tz\n", False),

}


@pytest.mark.parametrize("name", CASES)
def test_arrow_reads_as_pandas_does(name, tmp_path, monkeypatch):
    data, arrow = CASES[name]
    reference, _, arrow_used = both(tmp_path, data, monkeypatch)
    assert arrow_used is arrow


def test_a_lone_carriage_return_inside_a_line_is_a_clear_error(tmp_path, monkeypatch):
    """Both readers would end a line at a lone \\r and number every later row wrongly: the file
    is refused, naming the place, whichever path is asked for."""
    data = "a\tb\nx\ty\nü\ty\rz\n".encode()
    (tmp_path / "r.txt").write_bytes(data)
    for arrow in (False, True):
        with pytest.raises(ReportError, match=r"r\.txt:3:4: a carriage return \(\\r\) inside a line"):
            _read(tmp_path / "r.txt", data, arrow, monkeypatch)


def test_the_categories_keep_their_first_appearance_across_arrow_blocks(tmp_path, monkeypatch):
    """Many blocks: values first seen in a later block come after the earlier ones, in order."""
    monkeypatch.setattr(arrow_split, "BLOCK_BYTES", 64)
    lines = ["a\tb"] + [f"v{(i * 7) % 40}\t{'' if i % 5 else 'w' + str(i // 10)}" for i in range(300)]
    _, fast, arrow_used = both(tmp_path, ("\n".join(lines) + "\n").encode(), monkeypatch)
    assert arrow_used
    firsts = []
    for line in lines[1:]:
        v = line.split("\t")[0]
        if v not in firsts:
            firsts.append(v)
    assert list(fast.frame["a"].cat.categories) == firsts


def test_a_line_longer_than_an_arrow_block_is_read_by_pandas(tmp_path, monkeypatch):
    monkeypatch.setattr(arrow_split, "BLOCK_BYTES", 64)
    data = b"a\tb\nx\ty\n" + b"x\t" + b"z" * 200 + b"\nx\ty\n"
    _, fast, arrow_used = both(tmp_path, data, monkeypatch)
    assert not arrow_used and fast.frame["b"].cat.categories[1] == "z" * 200


def test_transcoding_cuts_only_at_line_ends(monkeypatch):
    monkeypatch.setattr(arrow_split, "_PIECE_BYTES", 5)
    text = "ソニー\t商品\nabc\n日本語のテキスト\n"
    pieces = list(arrow_split.utf8_rows(text.encode("cp932"), 0, "cp932"))
    # a piece runs 5 bytes and then to the next line end: the first line, then the other two
    assert pieces == ["ソニー\t商品\n".encode(), "abc\n日本語のテキスト\n".encode()]


@pytest.mark.parametrize("name", ["cp932", "iso-8859-1"])
def test_a_transcoded_file_read_in_many_pieces_reads_as_pandas_does(name, tmp_path, monkeypatch):
    monkeypatch.setattr(arrow_split, "_PIECE_BYTES", 16)
    data, _ = CASES[name]
    first = data.index(b"\n") + 1
    body = data[first:]
    data = data[:first] + (body + b"\n") * 20 + body  # blank lines, some in a piece of their own
    _, _, arrow_used = both(tmp_path, data, monkeypatch)
    assert arrow_used


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> dict[str, Path]:
    from sellerops.demo import write_demo_data

    demo = write_demo_data(tmp_path_factory.mktemp("arrow") / "demo", orders_per_day=30, days=30, seed=5)
    return {p.name: p for p in demo.reports}


@pytest.mark.parametrize("prefix", ["settlement", "all_orders", "fba_customer_returns", "seller_fulfilled_returns",
                                    "reimbursements"])
def test_arrow_reads_generated_reports_as_pandas_does(prefix, demo_reports, tmp_path, monkeypatch):
    paths = [p for name, p in sorted(demo_reports.items()) if name.startswith(prefix)]
    assert paths
    for path in paths:
        data = path.read_bytes()
        _, fast, arrow_used = both(tmp_path, data, monkeypatch, name=path.name)
        assert arrow_used and fast.rows > 0
        # CRLF, as a Windows download would have it
        _, _, arrow_used = both(tmp_path, data.replace(b"\n", b"\r\n"), monkeypatch, name=path.name)
        assert arrow_used
