"""Tests' view of the stored settlement lines: read the one way sellerops reads them from the
database (`stored_settlement_lines`: a file's block on SQLite, `settlement_line` rows on
PostgreSQL), never by counting rows of one table — which table holds them depends on the database."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from sellerops.reconciliation.input import stored_settlement_lines
from sellerops.storage import tables
from sellerops.storage.engine import get_engine


def stored_lines() -> list[dict]:
    """Every settlement line of every report file the database knows, whatever its status or account,
    as plain values (text or None, int or None, UTC timestamps; `raw_digest` as the integer the
    reconciliation compares), ordered by file then line."""
    rf = tables.ReportFile.__table__
    with get_engine().connect() as c:
        files = c.execute(sa.select(rf.c.account, rf.c.id).order_by(rf.c.id)).all()
        parts = []
        for account in sorted({a for a, _ in files}):
            got = stored_settlement_lines(c, account, [i for a, i in files if a == account])
            parts += [p for p in got.values() if len(p)]
    if not parts:
        return []
    df = pd.concat([p.astype({k: object for k in p.columns if isinstance(p[k].dtype, pd.CategoricalDtype)})
                    for p in parts], ignore_index=True)
    df = df.sort_values(["report_file_id", "line_no"], kind="stable")
    out = []
    for rec in df.to_dict("records"):
        out.append({k: (None if not isinstance(v, str) and pd.isna(v) else
                        int(v) if k in ("line_no", "report_file_id", "amount_cents", "quantity_purchased", "raw_digest")
                        else v) for k, v in rec.items()})
    return out


def line_count() -> int:
    return len(stored_lines())
