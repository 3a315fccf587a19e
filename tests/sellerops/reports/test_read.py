"""Reading a report's bytes: whether any field needs its white space stripped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sellerops.reports.read import _padded, read_report


@pytest.mark.parametrize("data, padded", [
    (b"a\tb\nc\td\n", False),
    (b"a b\tc d\n", False),         # spaces inside a field are data
    (b"a \tb\n", True),             # before a tab
    (b"a\t b\n", True),             # after a tab
    (b"a\tb \n", True),             # before a line end
    (b"a\tb \r\n", True),           # before a CRLF
    (b"a\tb\n c\n", True),          # at the start of a line
    (b" a\tb\n", True),             # at the start of the file
    (b"a\tb ", True),               # at the end of the file
    (b"a\x0bb\n", True),            # vertical tab anywhere
    (b"a\x0cb\n", True),            # form feed anywhere
    (b"a\tb\r\nc\td\r\n", False),    # CRLF alone is not padding
    (b"a \r\nc\td\r\n", True),       # a space before CRLF
    ("é\tb\n".encode(), True),      # not ASCII: Unicode white space cannot be ruled out
])
def test_padding_is_ruled_out_only_when_no_field_can_have_it(data, padded):
    assert _padded(data, np.frombuffer(data, dtype=np.uint8)) is padded


def test_padded_values_are_still_stripped_when_loaded(db_url, tmp_path):
    from tests.sellerops.ingest.test_ingest import DATA, one
    from tests.sellerops.storage.lines import stored_lines

    text = (DATA / "settlement_ok.txt").read_text().replace("\tSKU-1\t", "\t SKU-1 \t")
    (tmp_path / "padded.txt").write_text(text)
    raw = read_report(tmp_path / "padded.txt", (tmp_path / "padded.txt").read_bytes())
    assert raw.padded
    assert one("padded.txt", tmp_path).status == "loaded"
    skus = {r["sku"] for r in stored_lines() if r["sku"] is not None}
    assert skus >= {"SKU-1"} and all(s == s.strip() for s in skus)


def test_reports_are_read_as_categoricals_and_digests_match_the_string_hash(tmp_path):
    """Columns come back as categoricals (blanks missing, categories in order of first appearance,
    across parser chunks), CRLF's \\r is gone, and the settlement digest computed per distinct
    value equals pandas' hash of the same rows as strings with blanks as ""."""
    import pandas as pd

    from sellerops.reports import read as R
    from sellerops.reports.convert import row_digests

    lines = ["a\tb\tc"] + [f"x{i % 3}\t\t{'z' if i % 2 else ''}" for i in range(7)]
    path = tmp_path / "r.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    small = R.CHUNK_ROWS
    try:
        R.CHUNK_ROWS = 3  # several chunks: codes must be merged across them
        raw = read_report(path, path.read_bytes())
    finally:
        R.CHUNK_ROWS = small
    assert all(isinstance(raw.frame[c].dtype, pd.CategoricalDtype) for c in raw.names)
    assert list(raw.frame["a"].cat.categories) == ["x0", "x1", "x2"]
    assert raw.frame["a"].astype(object).tolist() == [f"x{i % 3}" for i in range(7)]
    assert raw.frame["b"].isna().all()
    assert raw.frame["c"].astype(object).where(raw.frame["c"].notna(), None).tolist() == \
        [None, "z", None, "z", None, "z", None]
    as_text = pd.DataFrame({c: raw.frame[c].astype(object) for c in raw.names}).fillna("")
    assert (row_digests(raw.frame[raw.names]) == pd.util.hash_pandas_object(as_text, index=False).to_numpy()).all()


def test_content_checks_read_the_decoded_text_whatever_the_encoding():
    """A NUL is found in UTF-16 text as in any other (it was skipped, so SQLite stored NULs that
    PostgreSQL refuses), and a broken UTF-16 file is a ReportError, not a UnicodeDecodeError."""
    import codecs

    import pytest

    from sellerops.reports.read import ReportError, read_report

    text = "a\tb\nc\x00\td\n"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        with pytest.raises(ReportError, match=rf"^f\.txt:2:2: NUL character in the {enc} text"):
            read_report(Path("f.txt"), bom + text.encode(enc))
    good = codecs.BOM_UTF16_LE + "a\tb\nc\td\n".encode("utf-16-le")
    with pytest.raises(ReportError, match="cannot be decoded as utf-16-le.*truncated"):
        read_report(Path("f.txt"), good[:-1])
    with pytest.raises(ReportError, match="cannot be decoded as utf-16-le.*surrogate"):
        read_report(Path("f.txt"), good[:6] + b"\x00\xd8A\x00" + good[6:])
    with pytest.raises(ReportError, match=r"binary file \(NUL byte at offset 3\)"):
        read_report(Path("f.txt"), codecs.BOM_UTF8 + b"\x00a\tb\n")  # offsets count the file's bytes
    assert read_report(Path("f.txt"), good).rows == 1
