"""The bulk writer: large typed frames into a table, at the speed of the database.

Ingestion (sellerops.ingest.load) and the findings store hand it typed rows; it converts them
column by column, once per distinct value, and writes them as a plain INSERT or an upsert on the
table's natural key. On SQLite rows go through the driver's executemany (SQLAlchemy's per-row
processing cost more than the database's own work at millions of settlement lines), every value
bound or rendered by SQLAlchemy; a large frame whose columns repeat a few values together (order
lines) is staged, those values bound once per distinct set (`staged_insert`). On PostgreSQL they
go through psycopg's COPY in the caller's transaction (an upsert: COPY into a temporary table, then
one INSERT … SELECT … ON CONFLICT), so a refused row rolls the whole file back as before; COPY's
text format is escaped here, the one place values are written as text by hand (`copy_text`).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.reports.read import distinct, spread
from sellerops.storage import tables


def upsert(conn, table: sa.Table, df: pd.DataFrame, key: tuple[str, ...], newer: str | None = None) -> None:
    """Upsert the rows of `df` on their natural key (with `newer`: only where the incoming value of
    that column is newer), through `bulk_insert`."""
    update = [c for c in df.columns if c not in key and c != "id"]
    conflict = (f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in update))
    if newer:
        conflict += (f" WHERE {table.name}.{newer} IS NULL OR excluded.{newer} IS NULL"
                     f" OR excluded.{newer} >= {table.name}.{newer}")
    bulk_insert(conn, table, df, conflict)


def per_value(s: pd.Series, convert) -> list:
    """`s` as a list of driver values, `convert` run once per distinct value (None for nulls):
    millions of settlement lines repeat a few thousand SKUs, dates and amounts. `convert` takes
    the distinct values as one object array and returns them converted, in order."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = distinct(s)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return spread(codes, convert(uniques) if len(uniques) else []).tolist()


def sqlite_datetimes(uniques) -> list[str]:
    """The exact text SQLAlchemy's SQLite DateTime stores (UTC, naive, microseconds)."""
    naive = pd.DatetimeIndex(uniques).tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[us]")
    text = np.datetime_as_string(naive, unit="us")
    if len(text) and bool((np.char.str_len(text) == 26).all()):  # years 0–9999: "T" is the 11th character
        text = text.astype("<U26")
        text.view(np.uint32).reshape(-1, 26)[:, 10] = ord(" ")  # in place, not a Python replace per value
        return text.tolist()
    return [t.replace("T", " ") for t in text.tolist()]


def driver_columns(df: pd.DataFrame, table: sa.Table, dialect: str) -> list[list]:
    """Each column as plain driver values, converted column-wise and once per distinct value (not
    row by row): on SQLite the exact text SQLAlchemy itself stores for dates and UTC datetimes."""
    sqlite = dialect == "sqlite"
    out = []
    for c in df.columns:
        s = df[c]
        typ = table.c[c].type
        if isinstance(typ, tables.UtcDateTime):
            s = pd.to_datetime(s, utc=True)
            out.append(per_value(s, sqlite_datetimes if sqlite
                                 else lambda u: list(pd.DatetimeIndex(u).to_pydatetime())))
        elif isinstance(typ, sa.Date):
            out.append(per_value(s, (lambda u: [d.isoformat() for d in u]) if sqlite else list))
        elif isinstance(typ, (sa.Integer, sa.BigInteger)):
            if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
                out.append(s.tolist())  # plain numpy ints: Python ints, no nulls
            else:
                out.append(per_value(s, lambda u: [int(x) for x in np.asarray(u, dtype=object)]))
        elif isinstance(s.dtype, pd.CategoricalDtype):  # text as read: its distinct values, spread
            out.append(spread(*distinct(s)).tolist())
        else:  # text: no conversion, so no need to find the distinct values
            out.append(s.to_numpy(dtype=object, na_value=None).tolist())
    return out


def bulk_insert(conn, table: sa.Table, df: pd.DataFrame, on_conflict: str = "", chunk: int = 50_000) -> None:
    """Insert a large frame through the driver's executemany, skipping SQLAlchemy's per-row
    processing (2 M settlement lines a month); values are converted column-wise first.
    `on_conflict`: an ON CONFLICT clause (see `upsert`)."""
    if df.empty:
        return
    cols = [c for c in df.columns if c != "id"]
    df = df[cols]
    if conn.dialect.name == "postgresql":
        copy_insert(conn, table, df, on_conflict)
        return
    if conn.dialect.name == "sqlite" and staged_insert(conn, table, df, on_conflict, chunk):
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for i in range(0, len(df), chunk):  # chunk by chunk: driver values are big Python objects
        part = df.iloc[i:i + chunk]
        # A column with one value on every row of the chunk (the account, the settlement, its file)
        # or none (most of a settlement's merchant-* ids) is written into the statement once:
        # binding it row by row is most of what the database's insert costs (~0.3 µs a value).
        literal = {c: constant_sql(part[c], table.c[c].type, conn.dialect) for c in cols}
        bound = [c for c in cols if literal[c] is None]
        sql = (f"INSERT INTO {table.name} ({', '.join(cols)}) "
               f"VALUES ({', '.join(literal[c] or mark for c in cols)}) {on_conflict}").rstrip()
        rows = list(zip(*driver_columns(part[bound], table, conn.dialect.name))) if bound else [()] * len(part)
        conn.exec_driver_sql(sql, rows)


# ---- SQLite: rows bound by their few distinct values ------------------------------------------

STAGE_MIN_ROWS = 10_000  # below this the plain executemany is as fast, and simpler
_STAGE_MIN_SHARED = 8  # columns that must go to the value table for staging to pay for its extra pass


def value_sets(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, list[str]] | None:
    """Which of `cols` repeat together: a set number per row over the columns whose values few
    rows carry (an order's status, SKU, prices, channel …), taken in order of fewest distinct values
    while the sets stay under an eighth of the rows. None when fewer than `_STAGE_MIN_SHARED`
    columns qualify (binding them row by row is then as cheap)."""
    n = len(df)
    limit = max(n // 8, 1)
    coded = []
    for c in cols:
        try:
            codes, uniques = distinct(df[c]) if isinstance(df[c].dtype, pd.CategoricalDtype) \
                else pd.factorize(df[c], use_na_sentinel=True)
        except TypeError:  # values that cannot be hashed: bound row by row
            continue
        if len(uniques) < limit:
            coded.append((len(uniques), c, np.asarray(codes, dtype=np.int64) + 1))  # blank: 0
    coded.sort(key=lambda x: x[0])
    sets, shared = np.zeros(n, dtype=np.int64), []
    for count, c, codes in coded:
        trial, found = pd.factorize(sets * (count + 2) + codes)  # under 2**63: each factor < n
        if len(found) <= limit:
            sets, shared = trial.astype(np.int64), shared + [c]
    return (sets, shared) if len(shared) >= _STAGE_MIN_SHARED else None


def staged_insert(conn, table: sa.Table, df: pd.DataFrame, on_conflict: str = "", chunk: int = 50_000) -> bool:
    """On SQLite, insert a large frame whose columns mostly repeat a few values together (an order
    line's status, SKU, price, channel …) without binding them on every row: each distinct set of
    those values is bound once into a temporary table, each row binds only its other columns and
    its set's number into a second one, and one INSERT … SELECT (with `on_conflict`) joins them
    into `table` in the frame's order — one statement in the caller's transaction, so a refused
    row refuses the whole file. Returns False (nothing written) when the frame does not qualify."""
    if len(df) < STAGE_MIN_ROWS:
        return False
    cols = list(df.columns)
    literal = {c: constant_sql(df[c], table.c[c].type, conn.dialect) for c in cols}
    varying = [c for c in cols if literal[c] is None]
    found = value_sets(df, varying)
    if found is None:
        return False
    sets, shared = found
    own = [c for c in varying if c not in shared]
    q = conn.dialect.identifier_preparer.quote
    values, rows = q(f"{table.name}_stage_values"), q(f"{table.name}_stage_rows")
    ids, first = np.unique(sets, return_index=True)  # the first row of each set carries its values
    _drop(conn, rows, values)  # left by a failed load outside a transaction (DDL does not begin one)
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {values} (set_no INTEGER PRIMARY KEY, "
                         + ", ".join(q(c) for c in shared) + ")")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {rows} (set_no" + "".join(f", {q(c)}" for c in own) + ")")
    try:
        conn.exec_driver_sql(f"INSERT INTO {values} VALUES ({', '.join('?' * (len(shared) + 1))})",
                             list(zip(ids.tolist(), *driver_columns(df[shared].iloc[first], table, "sqlite"))))
        insert_rows = f"INSERT INTO {rows} VALUES ({', '.join('?' * (len(own) + 1))})"
        for i in range(0, len(df), chunk):
            part = df.iloc[i:i + chunk]
            conn.exec_driver_sql(insert_rows, list(zip(sets[i:i + chunk].tolist(),
                                                       *driver_columns(part[own], table, "sqlite"))))
        picked = ", ".join(literal[c] or f"{'v' if c in shared else 'r'}.{q(c)}" for c in cols)
        # r CROSS JOIN v: SQLite then reads the rows in their order and finds each set by its key;
        # WHERE true: an upsert's ON CONFLICT after a SELECT needs it to parse
        conn.exec_driver_sql(f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in cols)}) "
                             f"SELECT {picked} FROM {rows} AS r CROSS JOIN {values} AS v "
                             f"ON v.set_no = r.set_no WHERE true {on_conflict}".rstrip())
    except Exception:
        try:
            _drop(conn, rows, values)
        except sa.exc.DBAPIError:  # the error that brought us here is the one to report
            pass
        raise
    _drop(conn, rows, values)
    return True


def _drop(conn, *names: str) -> None:
    for name in names:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")


_NOT_A_CONSTANT = object()


def constant(s: pd.Series):
    """The one value of a column that holds the same text or integer on every row (None: blank on
    every row), else `_NOT_A_CONSTANT`."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        lo, hi = codes.min(), codes.max()
        if hi < 0:
            return None
        return s.cat.categories[lo] if lo == hi else _NOT_A_CONSTANT
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        values = s.to_numpy()
        return int(values[0]) if bool((values == values[0]).all()) else _NOT_A_CONSTANT
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):  # a scalar set on a frame is `str`
        values = s.to_numpy(dtype=object)
        value = values[0]
        if not isinstance(value, str):
            return None if bool(s.isna().all()) else _NOT_A_CONSTANT
        return value if bool((values == value).all()) else _NOT_A_CONSTANT
    return None if bool(s.isna().all()) else _NOT_A_CONSTANT


def constant_sql(s: pd.Series, type_: sa.types.TypeEngine, dialect) -> str | None:
    """The SQL of a column that is blank on every row of `s` or holds one text or integer (in an
    integer column) on every row, rendered by SQLAlchemy for `dialect` (its
    quoting, and the doubled % a %-style driver needs); else None: its values are bound."""
    value = constant(s)
    if value is None:
        return "NULL"
    # text is rendered as text whatever the column (a date read as text converts as if bound)
    if isinstance(value, str) and "\x00" not in value:
        type_ = sa.String()
    elif isinstance(value, int) and isinstance(getattr(type_, "impl", type_), sa.Integer):
        type_ = sa.Integer()
    else:
        return None
    return str(sa.literal(value, type_).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


# ---- PostgreSQL: COPY ---------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


def copy_text(value) -> str:
    """One value as COPY's text format writes it (PostgreSQL parses it into the column's type)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return COPY_NULL
    if isinstance(value, str):
        if "\x00" in value:  # refused before COPY, as psycopg refuses a bound one
            import psycopg

            raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, (bool, np.bool_)):
        return "t" if value else "f"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if hasattr(value, "isoformat"):  # date, datetime, Timestamp (time zone kept: timestamptz)
        return value.isoformat()
    return str(value)


def copy_columns(df: pd.DataFrame, table: sa.Table) -> list[list[str]]:
    """Each column of `df` as COPY text, converted once per distinct value."""
    out = []
    for c in df.columns:
        s = df[c]
        if isinstance(table.c[c].type, tables.UtcDateTime):
            s = pd.to_datetime(s, utc=True)
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
            out.append(s.to_numpy().astype(str).tolist())
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, uniques = distinct(s)
        else:
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
        out.append(spread(codes, _copy_texts(np.asarray(uniques, dtype=object)), COPY_NULL).tolist())
    return out


def _copy_texts(values: np.ndarray) -> list[str]:
    """`copy_text` of each value; text with nothing to escape (nearly all of it) kept as it is."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        joined = "".join(values)
        if not any(c in joined for c in "\\\t\n\r\x00"):
            return values.tolist()
    return [copy_text(v) for v in values]


def copy_insert(conn, table: sa.Table, df: pd.DataFrame, on_conflict: str = "", chunk: int = 50_000) -> None:
    """`df`'s rows into `table` through COPY, in `conn`'s transaction; with `on_conflict` (see
    `upsert`) through a temporary table and one INSERT … SELECT that applies it."""
    q = conn.dialect.identifier_preparer.quote
    cols = ", ".join(q(c) for c in df.columns)
    target = q(table.name)
    stage = q(f"{table.name}_copy")
    cursor = conn.connection.driver_connection.cursor()
    with _as_sqlalchemy_error(f"COPY {table.name}"), cursor:
        if on_conflict:
            cursor.execute(f"CREATE TEMPORARY TABLE {stage} (LIKE {target} INCLUDING DEFAULTS)")
        with cursor.copy(f"COPY {stage if on_conflict else target} ({cols}) FROM STDIN") as copy:
            for i in range(0, len(df), chunk):  # chunk by chunk: the text of a chunk is held once
                text = copy_columns(df.iloc[i:i + chunk], table)
                copy.write(("\n".join(map("\t".join, zip(*text))) + "\n").encode())
        if on_conflict:
            # the ON CONFLICT clause names the target table: the staged rows are read under its alias
            cursor.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage} {on_conflict}")
            cursor.execute(f"DROP TABLE {stage}")


@contextmanager
def _as_sqlalchemy_error(statement: str):
    """psycopg's errors raised as SQLAlchemy's (IntegrityError, DataError, OperationalError …):
    callers tell a refused file from a failed run by SQLAlchemy's classes, whatever the path."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
