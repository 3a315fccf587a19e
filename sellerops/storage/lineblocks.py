"""Settlement lines kept as one block per settlement file: how SQLite holds them.

A settlement loads once, whole, in one transaction (sellerops.ingest.load) and its lines never
change after: nothing updates or deletes one line, and the reconciliation reads a settlement's
lines whole. On SQLite, writing 2.45 M lines a month row by row into `settlement_line` was most of
a month's load (the per-row insert and its b-tree, ~20 s), so there a settlement's lines are one
row of `settlement_line_block`: every column of `SettlementLine`, columnar and compressed, in the
same transaction as the settlement's summary row (a crash leaves both or neither, a rerun finds
the settlement loaded). PostgreSQL keeps the row table, loaded through COPY. Readers never pick:
`sellerops.reconciliation.input` reads a file's block where it has one and its rows otherwise.

The block format is data only — a JSON header and NumPy arrays read with `allow_pickle=False`,
zlib-compressed — so a database file from elsewhere cannot make sellerops run code.
"""

from __future__ import annotations

import io
import json
import zlib
from typing import Optional

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.reports.read import distinct, mapped
from sellerops.storage.tables import SettlementLine

FORMAT = 1
_MAGIC = b"SOLB"


class SettlementLineBlock(SQLModel, table=True):
    """One row per loaded settlement file on SQLite: all its transaction lines (the summary row
    excluded), each column of `settlement_line`, as one compressed columnar block.

    Natural key: (account, settlement_id) — a settlement loads once, so one block per settlement.
    """

    __tablename__ = "settlement_line_block"
    __table_args__ = (sa.UniqueConstraint("account", "settlement_id", name="uq_settlement_line_block"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    settlement_id: str
    report_file_id: int = Field(foreign_key="report_file.id", index=True)
    rows: int
    format: int = FORMAT
    lines: bytes = Field(sa_type=sa.LargeBinary())


def in_blocks(conn) -> bool:
    """Whether this database keeps settlement lines as blocks (SQLite) or as rows (PostgreSQL)."""
    return conn.dialect.name == "sqlite"


def _columns() -> list[sa.Column]:
    return [c for c in SettlementLine.__table__.columns if c.name != "id"]


def encode(lines: pd.DataFrame) -> bytes:
    """`lines` (the columns of `settlement_line`, as the loader types them) as one block.

    Integers in the narrowest integer type that holds them, with a null mask where one is blank;
    UTC datetimes as whole seconds (microseconds when a value has a fraction); the line digest as
    a uint64; everything else text: codes over its distinct values (dates as ISO text, as SQLite
    stores them). Each array is zlib-compressed but the digests (random bits do not compress)."""
    header, arrays = {"format": FORMAT, "rows": len(lines), "columns": [], "arrays": []}, []
    for col in _columns():
        s = lines[col.name] if col.name in lines else pd.Series([None] * len(lines), dtype=object)
        if not col.nullable and bool(s.isna().any()):  # what the row table's NOT NULL refuses
            raise sa.exc.IntegrityError(f"settlement line block: {col.name} is blank", None,
                                        ValueError(f"NOT NULL constraint failed: settlement_line.{col.name}"))
        kind, meta = _kind(col), {}
        if kind in ("datetime", "int"):
            if kind == "datetime":
                s = pd.to_datetime(s, utc=True)
            mask = s.isna().to_numpy()
            if kind == "datetime":
                values = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
                values = np.where(mask, 0, values)
                meta["unit"] = "s" if not (values % 1_000_000).any() else "us"
                values = values // 1_000_000 if meta["unit"] == "s" else values
            else:
                values = s.to_numpy(dtype=np.int64, na_value=0)
            arrays.append((_narrow(values), True))
            meta["nulls"] = bool(mask.any())
            if meta["nulls"]:
                arrays.append((mask, True))
            meta["required"] = not col.nullable
        elif col.name == "raw_digest" and (digests := _digests(s)) is not None:
            kind = "hex64"
            arrays.append((digests, False))  # 16 hex digits a line: one uint64, not a distinct text per line
        else:
            codes, meta["values"] = _text_codes(s)
            arrays.append((_narrow(codes), True))
        header["columns"].append({"name": col.name, "kind": kind, **meta})
    body = []
    for a, compress in arrays:
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        data = zlib.compress(buf.getvalue(), 1) if compress else buf.getvalue()
        header["arrays"].append([len(data), compress])
        body.append(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([_MAGIC, len(head).to_bytes(8, "little"), head, *body])


def decode(block: bytes) -> pd.DataFrame:
    """A block back as a frame of every `settlement_line` column but `id`: text as categoricals
    (dates as their ISO text), integers as int64 (Int64 where the column may be blank), the line
    digest as the uint64 the reconciliation compares (`framecache.digests_as_ints`), UTC
    datetimes as datetime64[us, UTC]."""
    if block[:4] != _MAGIC:
        raise ValueError("not a settlement-line block")
    size = int.from_bytes(block[4:12], "little")
    header = json.loads(block[12:12 + size])
    if header.get("format") != FORMAT:
        raise ValueError(f"settlement-line block format {header.get('format')} (this sellerops reads {FORMAT})")
    at, arrays = 12 + size, []
    for n, compressed in header["arrays"]:
        data = block[at:at + n]
        at += n
        arrays.append(np.load(io.BytesIO(zlib.decompress(data) if compressed else data), allow_pickle=False))
    arrays.reverse()
    out = {}
    for col in header["columns"]:
        values = arrays.pop()
        if col["kind"] == "text":
            out[col["name"]] = mapped(values.astype(np.int64), col["values"])
            continue
        if col["kind"] == "hex64":
            out[col["name"]] = pd.Series(values)
            continue
        values = values.astype(np.int64)
        mask = arrays.pop() if col["nulls"] else np.zeros(len(values), dtype=bool)
        if col["kind"] == "datetime":
            us = values * 1_000_000 if col["unit"] == "s" else values
            s = pd.Series(us.astype("datetime64[us]")).dt.tz_localize("UTC")
            s[mask] = pd.NaT
        elif col["required"]:
            s = pd.Series(values)
        else:
            s = pd.Series(pd.arrays.IntegerArray(values, mask))
        out[col["name"]] = s
    return pd.DataFrame(out, index=pd.RangeIndex(header["rows"]))


def _narrow(values: np.ndarray) -> np.ndarray:
    """Integers in the narrowest signed type that holds them (a line number, a quantity, a code)."""
    if not len(values):
        return values.astype(np.int8)
    lo, hi = int(values.min()), int(values.max())
    for t in (np.int8, np.int16, np.int32):
        if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
            return values.astype(t)
    return values.astype(np.int64)


def _text_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Text as codes into its distinct values (dates as ISO text); a column with one value on every
    row (the account, the settlement, its currency) without factorizing it."""
    from sellerops.storage.bulk import constant

    if not isinstance(s.dtype, pd.CategoricalDtype):
        one = constant(s)
        if one is None:
            return np.full(len(s), -1, dtype=np.int64), []
        if isinstance(one, str):
            return np.zeros(len(s), dtype=np.int64), [one]
    codes, uniques = distinct(s)
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":  # nearly always: one C pass, not a test a value
        return codes, uniques.tolist()
    return codes, [u if isinstance(u, str) else u.isoformat() if hasattr(u, "isoformat") else str(u) for u in uniques]


def _digests(s: pd.Series) -> np.ndarray | None:
    """The line digests as unsigned 64-bit integers: as the loader hashes them, or from text when
    every one is 16 hex digits."""
    import binascii

    if pd.api.types.is_unsigned_integer_dtype(s.dtype):
        return s.to_numpy(dtype=np.uint64)
    text = s.to_numpy(dtype=object, na_value=None)
    try:
        joined = "".join(text.tolist()).encode("ascii")  # a blank (None) makes this a TypeError
        if len(joined) != 16 * len(text) or not (np.fromiter(map(len, text), np.int64, len(text)) == 16).all():
            return None
        return np.frombuffer(binascii.unhexlify(joined), dtype=">u8").astype(np.uint64)
    except (TypeError, ValueError, UnicodeEncodeError):
        return None


def _kind(col: sa.Column) -> str:
    from sellerops.storage.tables import UtcDateTime

    if isinstance(col.type, UtcDateTime):
        return "datetime"
    if isinstance(col.type, (sa.Integer, sa.BigInteger)):
        return "int"
    return "text"


def write(conn, lines: pd.DataFrame, account: str, settlement_id: str, report_file_id: int) -> None:
    """Store a settlement file's lines as its block, in `conn`'s transaction."""
    t = SettlementLineBlock.__table__
    conn.execute(t.insert().values(account=account, settlement_id=settlement_id, report_file_id=report_file_id,
                                   rows=len(lines), format=FORMAT, lines=encode(lines)))


def read(conn, account: str, file_ids: list[int]) -> dict[int, pd.DataFrame]:
    """The blocks of these report files (those that have one), decoded, by report file id."""
    t = SettlementLineBlock.__table__
    out = {}
    for start in range(0, len(file_ids), 500):
        q = sa.select(t.c.report_file_id, t.c.lines).where(
            t.c.account == account, t.c.report_file_id.in_(file_ids[start:start + 500]))
        for fid, block in conn.execute(q):
            out[int(fid)] = decode(bytes(block))
    return out
