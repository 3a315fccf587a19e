"""Reading a report file: bytes → decoded, split into a frame of raw strings with line numbers.

Decoding: a BOM decides; else strict UTF-8; else cp932 when the marketplace is Japanese; else
ISO-8859-1, which never fails and so comes last. LF or CRLF. Nothing is quoted in Amazon's flat
files, so a quote is data. Every row keeps its physical line number (the header is line 1) and its
field count, so the checkpoint can say where a row is short or long.
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

from sellerops.reports.base import norm

LINE, FIELDS = "__line__", "__fields__"


class ReportError(Exception):
    """A file that cannot be ingested; `str()` reads `path:line:col: message` where a place applies."""


@dataclass
class RawReport:
    path: Path
    size: int
    encoding: str
    header: list[str]  # as written in the file
    names: list[str]  # normalised
    frame: pd.DataFrame  # one column per header name (normalised), strings; blanks are None
    ends_with_newline: bool
    padded: bool = True  # whether a field may start or end with white space (False: proven none does)

    @property
    def rows(self) -> int:
        return len(self.frame)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, japanese: bool) -> tuple[bytes, str]:
    """Pick the encoding; return the bytes to parse (UTF-16 is re-encoded as UTF-8) and its name."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):], "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc).encode("utf-8"), enc
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
    nul = data.find(b"\x00")
    if nul >= 0 and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReportError(f"{path}: binary file (NUL byte at offset {nul}): not a tab-separated report")
    body, encoding = decode(data, japanese_default or looks_japanese(data))
    pyenc = "utf-8" if encoding.startswith("utf") else encoding

    # Field counts per physical line from the bytes (tab and newline never occur inside a
    # multi-byte character of UTF-8 or cp932), so a short or long row is found without Python loops.
    arr = np.frombuffer(body, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    ends_nl = bool(len(body)) and body[-1:] == b"\n"
    ends = nl if ends_nl else np.append(nl, len(body))
    starts = np.concatenate(([0], nl + 1))[: len(ends)]
    tabs = np.flatnonzero(arr == 9)
    fields = np.searchsorted(tabs, ends) - np.searchsorted(tabs, starts) + 1
    lengths = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    nonzero = lengths > 0
    cr[nonzero] = arr[ends[nonzero] - 1] == 13
    blank = (lengths - cr) == 0
    if len(ends) == 0 or blank[0]:
        raise ReportError(f"{path}:1:1: no header line")

    width = int(fields.max())
    try:
        # a blank field is read as missing by the parser itself (cheaper than comparing every value)
        table = pd.read_csv(
            io.BytesIO(body), sep="\t", header=None, names=list(range(width)), dtype=object,
            quoting=csv.QUOTE_NONE, keep_default_na=False, na_values=[""], na_filter=True,
            skip_blank_lines=False, encoding=pyenc, engine="c", on_bad_lines="error",
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:  # pragma: no cover - guarded above
        raise ReportError(f"{path}: cannot be read as a tab-separated report: {exc}") from exc
    if len(table) != len(ends):
        raise ReportError(f"{path}: cannot be read as a tab-separated report: "
                          f"{len(table)} rows parsed for {len(ends)} lines")

    header = ["" if h is None or (isinstance(h, float) and np.isnan(h)) else str(h).strip().strip("\r")
              for h in table.iloc[0].tolist()[: int(fields[0])]]
    names = [norm(h) for h in header]
    keep = ~blank[1:]  # blank lines are not rows
    columns = {}
    for i in range(len(header)):  # column by column: one copy of the whole frame is a lot at 2 M rows
        values = table[i].to_numpy(dtype=object)[1:]
        if not keep.all():
            values = values[keep]
        if i == len(header) - 1 and cr.any():
            # the \r of a CRLF line stays on its last field: strip it, then a blank is null again
            values = pd.Series(values, dtype=object).str.rstrip("\r").to_numpy(dtype=object, copy=True)
            values[values == ""] = None
        missing = pd.isna(values)
        if missing.any():
            if not values.flags.writeable:
                values = values.copy()
            values[missing] = None  # a blank is None, not NaN
        columns[i] = values
    del table
    frame = pd.DataFrame(columns, dtype=object, copy=False)
    frame.columns = names
    frame[LINE] = np.arange(2, len(ends) + 1)[keep]
    frame[FIELDS] = fields[1:][keep]
    return RawReport(path, len(data), encoding, header, names, frame, ends_nl, padded=_padded(body, arr))


def _padded(body: bytes, arr: np.ndarray) -> bool:
    """Whether any field may carry white space to strip. Proven not for ASCII text with no space
    beside a tab or a line end and no form feed or vertical tab (`arr`: the bytes as uint8) — a
    few vectorised passes (~0.3 s a million rows), which spare stripping every value of millions of
    rows. Other text is assumed padded (Unicode has more kinds of white space than bytes show)."""
    if not body.isascii() or bool(((arr - np.uint8(11)) < 2).any()):  # \v or \f anywhere
        return True
    spaces = np.flatnonzero(arr == 32)
    if not len(spaces):
        return False
    if spaces[0] == 0 or spaces[-1] == len(arr) - 1:
        return True
    before, after = arr[spaces - 1], arr[spaces + 1]
    return bool(((before == 9) | (before == 10) | (after == 9) | (after == 10) | (after == 13)).any())
