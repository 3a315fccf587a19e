"""Reading a report file: bytes → decoded, split into a frame of raw strings with line numbers.

Decoding: a BOM decides; else strict UTF-8; else cp932 when the marketplace is Japanese; else
ISO-8859-1, which never fails and so comes last. LF or CRLF (a carriage return inside a line is
refused). Nothing is quoted in Amazon's flat files, so a quote is data. Every row keeps its physical
line number (the header is line 1) and its field count, so the checkpoint can say where a row is
short or long. The rows are split by Arrow's CSV reader where it reads them as pandas does
(arrow_split.py), else by pandas' C reader.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sellerops.core.report_types import norm
from sellerops.reports import arrow_split

LINE, FIELDS = "__line__", "__fields__"
# An empty field, or a single space: the returns report writes a blank field as one space.
BLANK_FIELDS = ["", " "]


class ReportError(Exception):
    """A file that cannot be ingested; `str()` reads `path:line:col: message` where a place applies."""


@dataclass
class RawReport:
    path: Path
    size: int
    encoding: str
    header: list[str]  # as written in the file
    names: list[str]  # normalised
    # one column per header name (normalised): text as a Categorical of Python strings (categories
    # numbered in order of first appearance), blanks missing (code -1); plus LINE and FIELDS
    frame: pd.DataFrame
    ends_with_newline: bool
    padded: bool = True  # whether a field may start or end with white space (False: proven none does)

    @property
    def rows(self) -> int:
        return len(self.frame)


def distinct(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column as codes (-1 where blank) into its distinct values (an object array): a raw
    column's own categories, in order of first appearance, else found now."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(dtype=np.intp), np.asarray(s.cat.categories, dtype=object)
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def spread(codes: np.ndarray, values, blank=None) -> np.ndarray:
    """Per-distinct `values` spread back over the rows as an object array (`blank` where code -1)."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    out[-1] = blank
    return out[codes]


def recode(codes: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    """Codes renumbered through `mapping` (old code → new code); -1 (blank) stays -1."""
    if not len(mapping):
        return np.full(len(codes), -1, dtype=np.intp)
    return np.where(codes < 0, -1, mapping[np.maximum(codes, 0)])


def categories_of(codes: np.ndarray, uniques) -> pd.Categorical:
    """Codes into distinct values as a Categorical whose categories are Python objects (an object
    index: pandas would otherwise infer its `str` dtype, and categoricals of the two do not join)."""
    categories = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    # The values are distinct by contract (a factorization's uniques): pandas' public constructors
    # hash them all again to prove it, which costs more than the rest for a column of order ids.
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    dtype = fast(categories, False) if fast is not None else pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def mapped(codes: np.ndarray, values, index=None) -> pd.Series:
    """A categorical column from codes into per-distinct `values` (None: blank), values that come
    out equal merged: a column converted once per distinct value, never per row."""
    where, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    return pd.Series(categories_of(recode(codes, where), uniques), index=index)


def union(parts: list[tuple[np.ndarray, np.ndarray]]) -> pd.Categorical:
    """One Categorical from pieces given as (codes, distinct values), one after the other; the
    categories in order of first appearance (the pieces' distinct values factorized together once)."""
    every = np.concatenate([u for _, u in parts]) if parts else np.empty(0, dtype=object)
    where, uniques = pd.factorize(every, use_na_sentinel=True)
    out, at = [], 0
    for codes, u in parts:
        out.append(recode(codes, where[at:at + len(u)]))
        at += len(u)
    return categories_of(np.concatenate(out) if out else np.empty(0, dtype=np.intp), uniques)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, japanese: bool) -> tuple[bytes, str]:
    """Pick the encoding; return the bytes to parse (UTF-16 is re-encoded as UTF-8) and its name."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):], "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc).encode("utf-8"), enc  # strict: raises on a truncated file
    if data.isascii():  # nearly every report: proven UTF-8 without decoding a copy of it
        return data, "utf-8"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    if japanese:
        try:
            data.decode("cp932")
            return data, "cp932"
        except UnicodeDecodeError:
            pass
    return data, "iso-8859-1"


def looks_japanese(data: bytes) -> bool:
    """Whether the report names the Japanese marketplace (read before decoding: the name is ASCII)."""
    return b"Amazon.co.jp" in data[:1_000_000] or b"JPY" in data[:1_000_000]


def read_report(path: Path, data: bytes, japanese_default: bool = False) -> RawReport:
    """Split `data` into a header and a frame of raw strings. Raises ReportError when it cannot."""
    if not data:
        raise ReportError(f"{path}: empty file (0 bytes): not a report")
    try:
        body, encoding = decode(data, japanese_default or looks_japanese(data))
    except UnicodeDecodeError as exc:  # a BOM promised UTF-16 and the bytes are not (truncated, lone surrogate)
        raise ReportError(f"{path}: cannot be decoded as {exc.encoding} (byte {exc.start + 2} of the file): "
                          f"{exc.reason}") from None
    # every content check reads the decoded text, whatever the encoding: a NUL in UTF-16 is one too
    nul = body.find(b"\x00")
    if nul >= 0:
        if encoding.startswith("utf-16"):
            line = body.count(b"\n", 0, nul) + 1
            col = len(body[body.rfind(b"\n", 0, nul) + 1:nul].decode("utf-8", "replace")) + 1
            raise ReportError(f"{path}:{line}:{col}: NUL character in the {encoding} text: not a tab-separated report")
        at = nul + (len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        raise ReportError(f"{path}: binary file (NUL byte at offset {at}): not a tab-separated report")
    pyenc = "utf-8" if encoding.startswith("utf") else encoding

    # Field counts per physical line from the bytes (tab and newline never occur inside a
    # multi-byte character of UTF-8 or cp932), so a short or long row is found without Python loops.
    arr = np.frombuffer(body, dtype=np.uint8)
    nl = _positions(arr, 10)
    ends_nl = bool(len(body)) and body[-1:] == b"\n"
    ends = nl if ends_nl else np.append(nl, len(body))
    starts = np.concatenate(([0], nl + 1))[: len(ends)]
    lengths = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    nonzero = lengths > 0
    cr[nonzero] = arr[ends[nonzero] - 1] == 13
    blank = (lengths - cr) == 0
    if len(ends) == 0 or blank[0]:
        raise ReportError(f"{path}:1:1: no header line")
    if _count(arr, 13) > int(cr.sum()):  # a \r other than at a line's end
        _lone_return(path, body, pyenc)

    ncols = body.count(b"\t", 0, int(ends[0])) + 1  # the header's fields
    try:
        columns, header_row, parsed, fields = _parse(body, pyenc, ncols, blank, cr,
                                                     lambda: _fields(arr, starts, ends))
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:  # pragma: no cover - guarded above
        raise ReportError(f"{path}: cannot be read as a tab-separated report: {exc}") from exc
    if parsed != len(ends):
        raise ReportError(f"{path}: cannot be read as a tab-separated report: "
                          f"{parsed} rows parsed for {len(ends)} lines")

    header = ["" if h is None or (isinstance(h, float) and np.isnan(h)) else str(h).strip().strip("\r")
              for h in header_row[:ncols]]
    names = [norm(h) for h in header]
    keep = ~blank[1:]  # blank lines are not rows
    frame = pd.DataFrame(dict(enumerate(columns)), copy=False)
    frame.columns = names
    frame[LINE] = np.arange(2, len(ends) + 1)[keep]
    frame[FIELDS] = fields[1:][keep]
    return RawReport(path, len(data), encoding, header, names, frame, ends_nl, padded=_padded(body, arr))


def _lone_return(path: Path, body: bytes, pyenc: str) -> None:
    """Raise for the first carriage return inside a line (not before its line feed, not the file's
    last byte): every reader would end the line there and number every later row wrongly."""
    at = body.find(b"\r")
    while body[at + 1:at + 2] == b"\n":
        at = body.find(b"\r", at + 1)
    line, start = body.count(b"\n", 0, at) + 1, body.rfind(b"\n", 0, at) + 1
    col = len(body[start:at].decode(pyenc)) + 1
    raise ReportError(f"{path}:{line}:{col}: a carriage return (\\r) inside a line: not a tab-separated report")


CHUNK_ROWS = 100_000
# Whether Arrow's CSV reader splits the rows where it reads them as pandas does (arrow_split.py).
ARROW = True


def _parse(body: bytes, pyenc: str, ncols: int, blank: np.ndarray, cr: np.ndarray, count_fields):
    """Parse the lines into one Categorical for each of the header's `ncols` columns (blank lines
    left out), the header line's fields, the number of lines parsed and each line's number of
    fields: with Arrow where it reads the file as pandas would, else with pandas. Arrow refuses a
    row with other than the header's fields, so after it every row has exactly those and the lines'
    fields are counted (`count_fields`) only for the pandas path, which reads any file.

    A month of settlement lines repeats a few thousand SKUs, dates and amounts over millions of
    rows: as Python strings the frame would take about 1.3 GB per million lines, as codes into the
    distinct values a tenth of that, and every later step (checkpoint, conversion, digests,
    database values) then works once per distinct value."""
    if ARROW and bool((~blank[1:]).any()):
        parsed = _parse_arrow(body, pyenc, ncols, blank)
        if parsed is not None:
            return (*parsed, np.where(blank, 1, ncols))
    fields = count_fields()
    return (*_parse_pandas(body, pyenc, int(fields.max()), ncols, blank, cr), fields)


def _parse_arrow(body: bytes, pyenc: str, ncols: int, blank: np.ndarray):
    """`_parse` by Arrow's reader, or None where it cannot read the rows: only Python strings for
    the distinct values are made (a settlement of 1.1 M lines has 28 M fields)."""
    first = body.find(b"\n")  # there is one: a row follows the header
    line = body[:first - 1] if body[first - 1:first] == b"\r" else body[:first]  # as pandas ends a CRLF line
    header_row = [None if f in BLANK_FIELDS else f for f in line.decode(pyenc).split("\t")]
    parts = arrow_split.columns(arrow_split.utf8_rows(body, first + 1, pyenc), ncols, rows=int((~blank[1:]).sum()))
    if parts is None:
        return None
    return [categories_of(codes, uniques) for codes, uniques in parts], header_row, len(blank)


def _parse_pandas(body: bytes, pyenc: str, width: int, ncols: int, blank: np.ndarray, cr: np.ndarray):
    """`_parse` by pandas' C reader, chunk by chunk: any file. Each chunk's strings are freed as
    soon as its columns are factorized, so the whole file never exists as strings at once."""
    reader = pd.read_csv(
        io.BytesIO(body), sep="\t", header=None, names=list(range(width)), dtype=object,
        quoting=csv.QUOTE_NONE, keep_default_na=False, na_values=BLANK_FIELDS, na_filter=True,
        skip_blank_lines=False, encoding=pyenc, engine="c", on_bad_lines="error", chunksize=CHUNK_ROWS,
    )
    parts: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(ncols)]
    header_row: list = []
    keep = ~blank
    last = ncols - 1  # a CRLF line's \r ends up on the header's last column
    parsed = 0
    with reader:
        for chunk in reader:
            lo = parsed
            parsed += len(chunk)
            rows = keep[lo:parsed].copy()
            if lo == 0:
                header_row = chunk.iloc[0].tolist()
                rows[0] = False
            for i in range(ncols):
                values = chunk[i].to_numpy(dtype=object)[rows]
                if i == last and cr[lo:parsed][rows].any():
                    # strip the \r of a CRLF line from its last field; a field left empty is blank
                    values = pd.Series(values, dtype=object).str.rstrip("\r").to_numpy(dtype=object, copy=True)
                    values[values == ""] = None
                parts[i].append(pd.factorize(values, use_na_sentinel=True))
            del chunk
    return [union(p) for p in parts], header_row, parsed


# The bytes are scanned block by block: a whole-file comparison would make a temporary as large
# as the file, and the positions of every tab eight bytes per tab (a 200 MB settlement has 26 M).
_BLOCK = 1 << 23


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Where `byte` occurs in `arr` (the file's bytes as uint8)."""
    found = [np.flatnonzero(arr[at:at + _BLOCK] == byte) + at for at in range(0, len(arr), _BLOCK)]
    return np.concatenate(found) if found else np.empty(0, dtype=np.intp)


def _count(arr: np.ndarray, byte: int) -> int:
    """How many times `byte` occurs in `arr` (the file's bytes as uint8)."""
    return sum(int(np.count_nonzero(arr[at:at + _BLOCK] == byte)) for at in range(0, len(arr), _BLOCK))


def _fields(arr: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The number of tab-separated fields of each line [starts, ends)."""
    fields = np.ones(len(starts), dtype=np.int64)
    for at in range(0, len(arr), _BLOCK):
        tabs = np.flatnonzero(arr[at:at + _BLOCK] == 9) + at
        if len(tabs):
            lo, hi = np.searchsorted(ends, at), np.searchsorted(starts, at + _BLOCK)  # lines in this block
            fields[lo:hi] += np.searchsorted(tabs, ends[lo:hi]) - np.searchsorted(tabs, starts[lo:hi])
    return fields


def _padded(body: bytes, arr: np.ndarray) -> bool:
    """Whether any field may carry white space to strip. Proven not for ASCII text with no space
    beside a tab or a line end and no form feed or vertical tab (`arr`: the bytes as uint8) — a
    few vectorised passes (~0.1 s a million rows), which spare stripping every value of millions of
    rows. Other text is assumed padded (Unicode has more kinds of white space than bytes show)."""
    if not body.isascii() or b"\x0b" in body or b"\x0c" in body:  # \v or \f anywhere
        return True
    spaces = _positions(arr, 32)
    if not len(spaces):
        return False
    if spaces[0] == 0 or spaces[-1] == len(arr) - 1:
        return True
    before, after = arr[spaces - 1], arr[spaces + 1]
    return bool(((before == 9) | (before == 10) | (after == 9) | (after == 10) | (after == 13)).any())
