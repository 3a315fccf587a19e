"""The reconciliation's watermark: what the last computed run of an account had seen and judged at.

A bounded night (`sellerops.reconciliation.bounded`) judges only what changed since this row: the
report files loaded after `data_version`, and the orders and refunds whose grace or claim window the
clock crossed between each market's last as-of and tonight's. The row is written by every computed
run, full or bounded, in the same transaction-free way as `reconcile_run` (a crash before it is
written only makes the next night judge more). Same conventions as `sellerops.storage.tables`.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime


class ReconcileState(SQLModel, table=True):
    """One row per account: the state the account's findings were last computed from. Natural key: account.

    `data_version` is the newest loaded report file the run saw and `files_loaded` how many loaded
    files it saw up to it (a file unloaded since makes the next run full); `policy_digest` the
    policy's digest; `markets` a JSON object, one entry per "marketplace currency": the as-of the run
    judged at and the start of the market's earliest settlement (ISO text).
    """

    __tablename__ = "reconcile_state"

    account: str = Field(primary_key=True)
    data_version: int = 0
    files_loaded: int = 0
    policy_digest: str = ""
    markets: str = "{}"
    full: bool = True
    updated_at: dt.datetime = Field(sa_type=UtcDateTime())
    run_id: Optional[int] = None

