"""Columnar copies of loaded rows, so a reconciliation does not read millions of lines back
through the database driver.

Reading a month of settlement lines (2.45 M rows) back from SQLite into frames took ~27 s of a
~40 s input load, and the order lines another 8 s: the driver builds a Python object per value.
So when a report loads, the rows it stored are also written, already typed (text as categoricals),
as one file per report under `SELLEROPS_HOME/cache/frames/<database>/<table>/`.

The database stays the record. A copy is only used for the report_file row it was made from: the
file name carries that row's id, the report's sha256 and the time it was recorded, so a copy made
for another database, a re-created database or another content is never picked up. Settlement
lines are immutable once loaded (a settlement id loads once), so a settlement's copy is its lines;
order lines are upserted, so the database says which (file, line) holds each order line now and
the copy supplies its values. Whatever has no copy is read from the database, and settlement
copies are written then, so a worker on another machine fills its own cache on its first run.
Deleting the folder is always safe. The copies are pickles written and read only by sellerops in
its own home folder, with the same trust as the SQLite file beside them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.storage import tables
from sellerops.core.config import Settings, settings
from sellerops.reconciliation.frames import COLUMNS, booleans
from sellerops.reports.read import categories_of, distinct, mapped

log = logging.getLogger(__name__)
FORMAT = 3  # bump when the frames' shape changes: older copies are then not read
TABLES = {
    "settlements": tables.Settlement,
    "settlement_lines": tables.SettlementLine,
    "orders": tables.OrderLine,
    "fba_returns": tables.FbaReturn,
    "seller_returns": tables.SellerReturn,
    "reimbursements": tables.Reimbursement,
}
# Tables whose rows are also kept as a copy per report, by model name (the others are small).
CACHED = ("settlement_lines", "orders")
# Each settlement's paid keys (sellerops.reconciliation.bounded), named as its lines' copy is: they
# live and go with it.
PAID_KEYS = "settlement_paid_keys"
TABLE_OF = {model.__name__: name for name, model in TABLES.items()}
# Settlement-line columns no rule or evidence reads: left in the database (2 M rows a month).
_UNREAD = {"settlement_lines": {"merchant_order_id", "adjustment_id", "shipment_id", "order_item_code",
                                "merchant_order_item_id", "merchant_adjustment_item_id"}}
# Text columns that are nearly unique per row: categories would not save memory.
_NOT_CATEGORICAL = {"raw_digest", "customer_comments", "product_name", "item_name"}


def selected(name: str) -> list[sa.Column]:
    """The columns of table `name` the rules read, and the row's report file."""
    t = TABLES[name].__table__
    skip = _UNREAD.get(name, set())
    cols = [t.c[x] for x in COLUMNS[name] if x in t.c and x not in skip]
    return cols if "report_file_id" in [c.name for c in cols] else cols + [t.c.report_file_id]


def shape(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows of table `name` — from the database, or the typed frame a report just loaded — as the
    reconciliation holds them before `coerce`: the columns it reads, UTC datetimes parsed, text
    (and dates, as ISO text) as categoricals. The same function shapes both, so a cached copy and
    a database read are the same frame — and a copy read back is shaped again where it differs."""
    out = {}
    for col in selected(name):
        values = df[col.name] if col.name in df else pd.Series([None] * len(df), dtype=object)
        if isinstance(col.type, tables.UtcDateTime):
            values = pd.to_datetime(values, utc=True).dt.as_unit("us")
        elif isinstance(col.type, sa.Date):
            values = _categories(values, lambda d: d if isinstance(d, str) else d.isoformat())
        elif isinstance(col.type, sa.Boolean):
            values = booleans(values)
        elif col.name == "raw_digest":
            values = values if pd.api.types.is_integer_dtype(values.dtype) else digests_as_ints(values)
        elif isinstance(getattr(col.type, "impl", col.type), sa.String):  # sqlmodel's AutoString wraps String
            if col.name in _NOT_CATEGORICAL:
                values = pd.Series(values.to_numpy(dtype=object, na_value=None), dtype=object)
            else:
                values = _categories(values)
        out[col.name] = values.reset_index(drop=True)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _categories(values: pd.Series, convert=None) -> pd.Series:
    """Text as a categorical whose categories are Python strings (an object index, whatever the
    source: a report's own categorical, the driver's text, pandas' str dtype), blanks missing, so
    every copy and every database read of a column joins with the others; `convert` maps each
    distinct value first."""
    codes, uniques = distinct(values)
    return mapped(codes, uniques if convert is None else [convert(u) for u in uniques])


def digests_as_ints(values: pd.Series) -> pd.Series:
    """Settlement-line digests (16 hex digits as stored) as unsigned 64-bit integers: the rules only
    compare them, and one integer array is a fraction of a string per line to keep and to copy."""
    import binascii

    text = values.to_numpy(dtype=object, na_value=None)
    if len(text) and all(isinstance(x, str) and len(x) == 16 for x in text[:1000]):
        try:
            joined = "".join(text.tolist()).encode("ascii")
            if len(joined) == 16 * len(text):
                return pd.Series(np.frombuffer(binascii.unhexlify(joined), dtype=">u8").astype(np.uint64))
        except (TypeError, ValueError, UnicodeEncodeError):
            pass
    return pd.Series([None if x is None else int(x, 16) for x in text], dtype="UInt64")


def concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns one after the other; categoricals joined (their categories in
    order of first appearance), never expanded to strings."""
    if len(parts) == 1:
        return parts[0]
    cols = {}
    for col in parts[0].columns:
        pieces = [p[col] for p in parts]
        if all(isinstance(x.dtype, pd.CategoricalDtype) for x in pieces):
            cols[col] = _joined(pieces)
        else:
            cols[col] = pd.concat([x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x
                                   for x in pieces], ignore_index=True)
    return pd.DataFrame(cols, copy=False)  # columns made just now: a dict is copied unless told


def _joined(pieces: list[pd.Series]) -> pd.Series:
    """Categoricals one after the other, as `union_categoricals` joins them, in one hash pass over
    all the categories: it looks each piece's categories up in the union again, which takes
    minutes over hundreds of pieces of a few thousand order ids each. Categories are joined as
    Python strings (the driver's text may come as pandas' str dtype)."""
    cats = [x.cat.categories.to_numpy(dtype=object) for x in pieces]
    if all(len(c) == len(cats[0]) for c in cats) and all((c == cats[0]).all() for c in cats[1:]):
        # the same categories in every piece (a table's few values, or the same file read again):
        # the codes are already the joined ones
        return pd.Series(categories_of(np.concatenate([x.cat.codes.to_numpy() for x in pieces]), cats[0]))
    where, uniques = pd.factorize(np.concatenate(cats) if cats else np.array([], dtype=object), use_na_sentinel=True)
    # the codes in the categorical's own width (int8 for a table's few values): an int64 per row
    # for each of the 20-odd columns is a temporary as large as the lines themselves
    width = _code_dtype(len(uniques))
    codes = np.empty(sum(len(x) for x in pieces), dtype=width)
    at = start = 0
    for x, c in zip(pieces, cats):
        mine = x.cat.codes.to_numpy()
        mapping = np.append(where[start:start + len(c)], -1).astype(width)  # code -1 (missing) stays missing
        codes[at:at + len(mine)] = mapping[mine]
        at, start = at + len(mine), start + len(c)
    return pd.Series(categories_of(codes, uniques))


def _code_dtype(categories: int) -> type:
    """The integer width pandas keeps a categorical's codes in for this many categories."""
    return next((t for t in (np.int8, np.int16, np.int32) if categories < np.iinfo(t).max), np.int64)


def root(s: Settings | None = None) -> Path:
    """This database's cache folder (one per database URL, its password left out)."""
    s = s or settings()
    url = sa.engine.make_url(s.database_url).render_as_string(hide_password=True)
    return s.home / "cache" / "frames" / hashlib.sha1(url.encode()).hexdigest()[:12]


def path_for(table: str, file_id: int, sha256: str, seen_at: dt.datetime, s: Settings | None = None) -> Path:
    if seen_at.tzinfo is None:
        seen_at = seen_at.replace(tzinfo=dt.timezone.utc)
    stamp = (seen_at - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) // dt.timedelta(microseconds=1)
    return root(s) / table / f"{file_id}-{sha256[:16]}-{stamp}-v{FORMAT}.pkl"


def write(path: Path, frame: pd.DataFrame) -> None:
    """Write a copy atomically; a cache that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        frame.to_pickle(tmp, protocol=5)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("frame cache: cannot write %s: %s", path, exc)


def read(path: Path) -> pd.DataFrame | None:
    """The copy at `path` (a table's folder names the table), shaped as a database read of the same
    rows would be; None when there is none (or it cannot be read: it is then removed)."""
    if not path.exists():
        return None
    try:
        frame = pd.read_pickle(path)
        return conform(path.parent.name, frame) if path.parent.name in TABLES else frame
    except Exception as exc:  # a truncated, foreign or unshapeable file: read the database instead
        log.debug("frame cache: cannot read %s: %s", path, exc)
        path.unlink(missing_ok=True)
        return None


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as `shape` makes it: as it is when every column already has the dtype shape gives
    (the common case, checked per column), else shaped again."""
    cols = selected(name)
    if list(frame.columns) == [c.name for c in cols] and all(_shaped(c, frame[c.name]) for c in cols):
        return frame
    return shape(name, frame)


def _shaped(col: sa.Column, values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(col.type, tables.UtcDateTime):
        return isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    if isinstance(col.type, sa.Boolean):
        return isinstance(dtype, pd.BooleanDtype)
    if col.name == "raw_digest":
        return pd.api.types.is_integer_dtype(dtype)
    if isinstance(col.type, sa.Date) or isinstance(getattr(col.type, "impl", col.type), sa.String):
        if col.name in _NOT_CATEGORICAL:
            return dtype == object
        return isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype == object
    return True  # numbers: shape leaves them as they come


def prune(keep: dict[str, list[Path]], s: Settings | None = None, grace_s: float = 3600.0) -> int:
    """Remove the copies no report_file row of this database names any more (a database re-created
    under the same URL, an older format) and temporary files a crash left behind — once older than
    `grace_s`: a loader in another process may be writing one for a row this reader has not seen.
    `keep`: table → the paths still named; the settlements' paid keys are kept where their lines'
    copies are. Returns how many files went."""
    import time

    if "settlement_lines" in keep and PAID_KEYS not in keep:
        keep = {**keep, PAID_KEYS: [p.parent.parent / PAID_KEYS / p.name for p in keep["settlement_lines"]]}
    gone = 0
    for table, paths in keep.items():
        folder = root(s) / table
        if not folder.is_dir():
            continue
        wanted = {p.name for p in paths}
        for p in folder.iterdir():
            if p.name in wanted:
                continue
            try:
                if time.time() - p.stat().st_mtime < grace_s:
                    continue
                p.unlink()
                gone += 1
            except OSError:
                pass
    return gone


def cache_path(name: str, f, s: Settings | None = None) -> Path:
    """The copy of table `name`'s rows from report file `f` (a report_file row: id, sha256, seen_at)."""
    return path_for(name, f.id, f.sha256, f.seen_at, s)


def paid_keys_path(f, s: Settings | None = None) -> Path:
    """The paid keys of settlement report file `f`, beside its lines' copy and named as it is."""
    return path_for(PAID_KEYS, f.id, f.sha256, f.seen_at, s)
