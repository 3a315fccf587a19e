"""Two ingests at once, and an ingest killed at a random point (issue 17), in real child processes
on SQLite and PostgreSQL: the data stays exact, nobody sees a traceback, the rerun finishes the
job and the reconciliation then runs."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sellerops.ingest.test_ingest import rows
from tests.sellerops.storage.lines import line_count
from tests.sellerops.reports.make_data import orders, settlement

CHILD = Path(__file__).with_name("helpers_child.py")
ROOT = Path(__file__).resolve().parents[3]
LINES = 40_000


def _drop(folder: Path, lines: int = LINES) -> None:
    """A big settlement (its load takes a while: room to be killed in) and two order reports."""
    folder.mkdir()
    rnd = random.Random(5)
    body = [dict(amount_type="ItemPrice", amount_description="Principal", amount=f"{rnd.randint(1, 9999) / 100:.2f}",
                 sku=f"SKU-{rnd.randint(1, 300)}", order_id=f"111-{i:07d}-0000001") for i in range(lines)]
    (folder / "a_settlement.txt").write_text("\n".join(settlement(total="1.00", lines=body)) + "\n")
    (folder / "b_orders.txt").write_text("\n".join(orders([dict(amazon_order_id="111-0000001-0000001")])) + "\n")
    (folder / "c_orders.txt").write_text("\n".join(orders([dict(amazon_order_id="111-0000002-0000002")])) + "\n")


def _child(folder: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(CHILD), str(folder)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _exact() -> None:
    assert line_count() == LINES
    assert rows("select count(*) n from settlement")[0]["n"] == 1
    assert rows("select count(*) n from order_line")[0]["n"] == 2
    got = rows("select path, status from report_file order by path")
    assert [(Path(r["path"]).name, r["status"]) for r in got] == [
        ("a_settlement.txt", "loaded"), ("b_orders.txt", "loaded"), ("c_orders.txt", "loaded")]


def test_two_ingests_at_once_both_finish_cleanly(db_url, tmp_path):
    import json

    _drop(tmp_path / "drop")
    children = [_child(tmp_path / "drop") for _ in range(2)]
    results = [c.communicate(timeout=600) for c in children]
    for c, (out, err) in zip(children, results):
        assert c.returncode == 0, err
        assert "Traceback" not in err and "IntegrityError" not in err, err
    outcomes = [json.loads(out.splitlines()[-1]) for out, _ in results]
    # the second waited for the first (the run lock), then found every file known
    assert sorted(tuple(known for _, _, known in o) for o in outcomes) == [(False,) * 3, (True,) * 3]
    _exact()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_load_killed_at_a_random_point_reruns_to_exact_counts(db_url, tmp_path, seed):
    from sellerops.reconciliation.runs import run_reconcile
    from sellerops.ingest import ingest_paths

    _drop(tmp_path / "drop")
    child = _child(tmp_path / "drop")
    assert child.stdout.readline().strip() == "ready"
    time.sleep(random.Random(seed).uniform(0.0, 3.0))  # somewhere in reading, checking or loading
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    outcomes = ingest_paths([tmp_path / "drop"])
    assert {o.status for o in outcomes} == {"loaded"}
    _exact()
    assert not run_reconcile(force=True).skipped
