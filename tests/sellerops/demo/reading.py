"""Reading the demo seller's report files back the way sellerops reads any seller's: read, detected,
converted and loaded by `sellerops.ingest` into a database of their own, then loaded as the
reconciliation's input by `sellerops.findings` (through the frame cache). Tests of the rules use it
to get real input without a Prefect run; nothing in the domain reads files a second way for them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from sellerops.demo.files import ACCOUNT, MARKETPLACE


def read_frames(reports_dir: Path, account: str = ACCOUNT, marketplace: str = MARKETPLACE):
    """The demo's report files as a `ReconcileInput`, read through ingestion into a throwaway SQLite
    database (its home folder, cache included, is removed afterwards)."""
    from sellerops import ingest
    from sellerops.reconciliation.input import load_input
    from sellerops.storage.engine import dispose_all

    with tempfile.TemporaryDirectory(prefix="sellerops-read-") as home, pytest.MonkeyPatch.context() as env:
        env.setenv("SELLEROPS_HOME", home)
        env.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{Path(home) / 'read.db'}")
        try:
            s = ingest.settings_for(account)
            # Straight to `load` (which converts): the Great Expectations checkpoint only rejects files,
            # and the demo's pass it (tests/flows run them through the whole ingestion).
            outcomes = [ingest.load(ingest.read_and_detect(path, marketplace), s)
                        for path in ingest.discover([Path(reports_dir)], s)]
            failed = [o for o in outcomes if o.status != "loaded"]
            assert not failed, [o.as_json() for o in failed]
            return load_input(account)
        finally:
            dispose_all()
