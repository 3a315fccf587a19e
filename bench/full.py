"""The full recompute's cost on top of a loaded history: `run_reconcile(force=True)` with nothing new.

    .venv/bin/python bench/history.py --quick --days 365      # generates and loads the history once
    .venv/bin/python bench/full.py 3000x365-seed7             # then: peak memory, wall and CPU time
    .venv/bin/python bench/full.py 3000x365-seed7 --src DIR   # the same with another checkout's code

Each run restores the history benchmark's snapshot of the loaded home (.bench/history/homes/NAME/)
to the path the history was loaded at (the frame cache is kept per database URL) and recomputes in a
child process of its own, so its peak RSS and CPU time are its own (`os.wait4`). `--src` runs another
checkout's `sellerops` (before/after comparisons side by side on a loaded machine). SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOMES = ROOT / ".bench" / "history" / "homes"
CHILD = """
import json, logging, time, warnings
logging.disable(logging.WARNING); warnings.simplefilter("ignore")
from sellerops.storage.engine import get_engine
from sellerops.reconciliation.runs import run_reconcile
get_engine()
t = time.perf_counter()
out = run_reconcile(force=True)
print(json.dumps({"reconcile_s": time.perf_counter() - t, "open": out.open, "full": out.full}))
"""


def run_once(name: str, src: Path) -> dict:
    homes = HOMES / name
    work, snapshot = homes / "work", homes / "snapshot"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(snapshot, work)
    env = dict(os.environ, SELLEROPS_HOME=str(work), PYTHONPATH=str(src))
    env.pop("SELLEROPS_DATABASE_URL", None)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=src, env=env, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the child failed (status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(process_s=time.perf_counter() - start, cpu_s=usage.ru_utime + usage.ru_stime,
                  peak_mb=usage.ru_maxrss / 1024)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", help="a folder of .bench/history/homes/, e.g. 3000x365-seed7")
    ap.add_argument("--src", type=Path, default=ROOT, help="the checkout whose code runs")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args(argv)
    runs = [run_once(args.name, args.src.resolve()) for _ in range(args.runs)]
    for r in runs:
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()}), flush=True)
    if len(runs) > 1:
        print(json.dumps({k: statistics.median(r[k] for r in runs)
                          for k in ("reconcile_s", "process_s", "cpu_s", "peak_mb")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
