"""The month's first reconciliation alone: what the end to end's last step costs, timed by itself.

    .venv/bin/python bench/run.py --only e2e --runs 1      # once: leaves the loaded home
    .venv/bin/python bench/first_reconcile.py              # median of 3
    .venv/bin/python bench/first_reconcile.py --src DIR    # the same for another checkout (git archive REV | tar -x -C DIR)

The end to end (`bench/run.py --only e2e`) ends with the night's first reconciliation, a full one
(`run_reconcile` with no earlier run). This takes the home that stage left, as it was right after
ingestion (a copy with the findings, the recorded runs and the reconcile state deleted), and times
`run_reconcile()` on a fresh copy of it in a process of its own, its database engine already up as
in the flow's process: CPU time (user and system: a first run's memory comes fresh from the
kernel, which a second run in the same process reuses), minor page faults, the process's peak
memory, and a digest of the stored findings (every field but the times), which must not move
between code versions. The frame cache's folder is named after the database URL
(`sellerops.storage.framecache.root`): each copy's folder is renamed for its own path.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
LOADED = BENCH / "home" / "12000x30-seed7" / "e2e"  # the month of bench/run.py
WORK = BENCH / "first-reconcile"


def snapshot(loaded: Path, base: Path) -> None:
    """The loaded home as it was before its first reconciliation."""
    db = sqlite3.connect(loaded / "sellerops.db")
    db.execute("pragma wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(loaded, base, ignore=shutil.ignore_patterns("gx", "locks", "sellerops.db-*"))
    db = sqlite3.connect(base / "sellerops.db")
    for table in ("finding", "reconcile_run", "reconcile_state"):
        db.execute(f"delete from {table}")
    db.commit()
    db.close()


def child(home: Path, again: bool) -> dict:
    """One first run (and, with `again`, a second one in the same process), in this process."""
    import hashlib
    import resource

    os.environ["SELLEROPS_HOME"] = str(home)
    os.environ.pop("SELLEROPS_DATABASE_URL", None)
    from sellerops.findings.store import list_findings
    from sellerops.reconciliation.runs import data_version, run_reconcile
    from sellerops.storage import framecache

    (old,) = list((home / "cache" / "frames").iterdir())
    old.rename(framecache.root())
    data_version()  # the flow's process has its engine up and migrated: the ingestion used it

    def usage():
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime, u.ru_stime, u.ru_minflt

    before = usage()
    outcome = run_reconcile()
    after = usage()
    found = sorted(json.dumps({k: v for k, v in f.items() if k not in ("first_seen", "last_seen")}, sort_keys=True)
                   for f in list_findings())
    result = {"cpu_s": after[0] + after[1] - before[0] - before[1], "user_s": after[0] - before[0],
              "sys_s": after[1] - before[1], "faults": after[2] - before[2], "full": outcome.full,
              "findings": len(found), "digest": hashlib.sha1("\n".join(found).encode()).hexdigest()[:12],
              "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if again:
        start = usage()
        run_reconcile(force=True)
        end = usage()
        result["again_cpu_s"] = end[0] + end[1] - start[0] - start[1]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loaded", type=Path, default=LOADED, help="the home `bench/run.py --only e2e` left")
    ap.add_argument("--src", type=Path, default=ROOT, help="the code measured (a checkout)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--again", action="store_true", help="also a second, forced run in the same process")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        sys.path.insert(0, str(args.src))
        print(json.dumps(child(args.child, args.again)))
        return 0
    if not (args.loaded / "sellerops.db").exists():
        raise SystemExit(f"{args.loaded}: no loaded home; run `bench/run.py --only e2e --runs 1` first")
    base, home = WORK / "base", WORK / "run"
    snapshot(args.loaded, base)
    runs = []
    for _ in range(args.runs):
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(base, home)
        cmd = [sys.executable, __file__, "--child", str(home), "--src", str(args.src)] + (["--again"] if args.again else [])
        env = dict(os.environ, PYTHONPATH=str(args.src))
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]))
    shutil.rmtree(home, ignore_errors=True)
    print(json.dumps({"median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
                      "median_peak_mb": statistics.median(r["peak_mb"] for r in runs),
                      "digests": sorted({r["digest"] for r in runs}), "src": str(args.src)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
