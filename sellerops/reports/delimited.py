"""Reading a small comma- or tab-separated file with quoting (the seller's own CSVs, the advertising
console's export) into the same `RawReport` Amazon's flat files become, so the same checkpoint
(sellerops.reports.validate) and typed conversion (sellerops.reports.convert) run on it.

Amazon's flat files never quote and can be millions of rows, so `read.read_report` splits them in
bulk; these files are written by spreadsheets, which quote fields holding commas, and are small,
so Python's csv module reads them. The separator is the header line's: a tab if it has one, else a
comma. Decoding is the house's (`read.decode`): BOM, UTF-8, else ISO-8859-1. Each row keeps the
physical line it starts on and its field count, for errors naming line and column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from sellerops.core.report_types import norm
from sellerops.reports.read import FIELDS, LINE, RawReport, ReportError, decode


def separator(first_line: str) -> str:
    """The header line's separator: a tab when it has one, else a comma."""
    return "\t" if "\t" in first_line else ","


def header_names(head: bytes) -> list[str]:
    """The normalised names of a file's header line (from its first bytes), for detection."""
    body, enc = decode(head, False)
    text = body.decode("utf-8" if enc.startswith("utf") else enc, errors="replace")
    first = text.split("\n", 1)[0].rstrip("\r")
    row = next(csv.reader([first], delimiter=separator(first)), [])
    return [norm(h) for h in row]


def read_delimited(path: Path, data: bytes) -> RawReport:
    """Split `data` into a header and a frame of raw strings (blank fields missing). Raises
    ReportError when it cannot."""
    if not data.strip():
        raise ReportError(f"{path}: empty file: no header line")
    try:
        body, encoding = decode(data, False)
        text = body.decode("utf-8" if encoding.startswith("utf") else encoding)
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: cannot be decoded as {exc.encoding}: {exc.reason}") from None
    if "\x00" in text:
        raise ReportError(f"{path}: binary file (a NUL character): not a CSV or tab-separated file")
    sep = separator(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows, lines, start = [], [], 1
    try:
        for row in reader:
            if any(f.strip() for f in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReportError(f"{path}:{reader.line_num}: cannot be read as {'CSV' if sep == ',' else 'TSV'}: {exc}") \
            from None
    if not rows or lines[0] != 1:
        raise ReportError(f"{path}:1:1: no header line")
    header = [h.strip().strip("\ufeff").strip() for h in rows[0]]
    names = [norm(h) for h in header]
    cols: dict = {n: [(r[i] if i < len(r) and r[i].strip() else None) for r in rows[1:]]
                  for i, n in enumerate(names)}
    frame = pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in cols.items()})
    frame[LINE] = lines[1:]
    frame[FIELDS] = [len(r) for r in rows[1:]]
    return RawReport(path, len(data), encoding, header, names, frame, text.endswith("\n"))
