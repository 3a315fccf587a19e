"""The history benchmark of issue 16: tonight's cost on top of 30, 90 and 365 days of history.

    .venv/bin/python bench/history.py                 # 12,000 orders/day; 30, 90 and 365 days
    .venv/bin/python bench/history.py --quick         # 3,000 orders/day
    .venv/bin/python bench/history.py --days 30 90    # some sizes only
    .venv/bin/python bench/history.py --quick --days 30 365 --runs 1 --profile   # CPU profiles of each stage
    .venv/bin/python bench/history.py --quick --pg postgresql://sellerops:sellerops@127.0.0.1:5432/sellerops

For each size the demo seller (sellerops.demo) is generated once into .bench/history/data/, and
split into the history and tonight's files: the orders of the last day, the settlement that closes
on it, and a re-download of the returns and reimbursement reports covering their last rows. The
history is set up as a seller accumulates it — month by month (each orders file with the settlements
closing within it and the side reports' rows dated up to its end), each month reconciled as the
nightly would, the first run full and the rest bounded — and kept as a snapshot of the home
(.bench/history/homes/). A probe on the set-up picks the gap night's as-of: the day past the history's
at which about 15,000 findings are expected open (`stage_probe`). Each measured run restores the snapshot and
runs, in a child process of its own (so its peak memory is its own, from `os.wait4`): the night
(tonight's files ingested as the nightly does, then `run_reconcile()`, bounded by the watermark the
history's run left), the gap night (`run_reconcile(as_of=` the probe's day`)` with nothing new) and,
for reference, the same night recomputed in full (`force=True`). The night and the gap night run
three times (median), the full night once. SQLite, the embedded default, or with `--pg URL` the
PostgreSQL database `nightcost` on that server (snapshots as template databases). Prints a table;
writes .bench/history/results-<orders a day>-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import generate, spawn  # noqa: E402  (the month benchmark's seller generator and child runner)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench" / "history"
PY = sys.executable
SEED = 7
TARGETS = {"night_ratio": 1.5, "peak_mb": 2048.0, "gap_s": 15.0}
SIDE = ("fba_customer_returns.txt", "seller_fulfilled_returns.txt", "reimbursements.txt")


# ---- the children: `history.py --stage NAME --data DIR --home DIR` ----------------------------------

def _cpu() -> float:
    """This process's CPU seconds (user + system): on a shared machine, steadier than wall time.
    On PostgreSQL the server's own work is not in it."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def steps(data: Path) -> list[Path]:
    """The history cut into months as a seller accumulates it: each orders file (a month) with the
    settlements that close within it and the side reports' rows dated up to its end. Written once."""
    root = data / "steps"
    if (root / "done").exists():
        return sorted(p for p in root.iterdir() if p.is_dir())
    shutil.rmtree(root, ignore_errors=True)
    history = data / "history"
    orders = sorted(history.glob("all_orders_*.txt"))
    ends = [dt.date.fromisoformat(f"{p.stem[-8:-4]}-{p.stem[-4:-2]}-{p.stem[-2:]}") for p in orders]
    out = []
    for k, (p, end) in enumerate(zip(orders, ends)):
        d = root / f"{k:02d}"
        d.mkdir(parents=True)
        os.link(p, d / p.name)
        out.append(d)
    for p in sorted(history.glob("settlement_*.txt")):
        with p.open(encoding="utf-8") as fh:
            header, first = fh.readline().rstrip("\r\n").split("\t"), fh.readline().split("\t")
        closes = dt.date.fromisoformat(first[header.index("settlement-end-date")][:10])
        k = next((i for i, e in enumerate(ends) if closes <= e), len(ends) - 1)
        os.link(p, out[k] / p.name)
    for name in SIDE:
        header, rows = _rows(history / name)
        for k, end in enumerate(ends):
            low = ends[k - 1].isoformat() if k else ""
            mine = [r for r in rows if low < r[:10] <= end.isoformat() or (k == len(ends) - 1 and r[:10] > end.isoformat())
                    or (k == 0 and not r[:10].strip())]
            (out[k] / f"pull_{k:02d}_{name}").write_text(header + "".join(mine), encoding="utf-8")
    (root / "done").write_text("")
    return out


def stage_history(data: Path, home: Path) -> dict:
    """Load the history (detect + load, no checkpoint: set-up, not measured) as a seller
    accumulates it: month by month, each month reconciled as the nightly would (the first run
    full, the rest bounded), so no run holds the whole history at once."""
    from sellerops import ingest
    from sellerops.reconciliation.runs import run_reconcile
    from sellerops.storage.engine import get_engine

    get_engine()
    loaded = reconciled = 0.0
    for step in steps(data):
        t = time.perf_counter()
        for p in ingest.discover([step]):
            ingest.load(ingest.read_and_detect(p, "Amazon.com"))
        loaded += time.perf_counter() - t
        t = time.perf_counter()
        out = run_reconcile()
        reconciled += time.perf_counter() - t
        print(f"history: month {step.name} loaded, reconciled ({'full' if out.full else 'bounded'})",
              file=sys.stderr, flush=True)
    return {"seconds": loaded + reconciled, "load_s": loaded, "reconcile_s": reconciled, "open": out.open,
            "months": len(steps(data))}


def stage_night(data: Path, home: Path, force: bool = False) -> dict:
    """Tonight's files through the nightly's ingestion (checkpoint included), then the reconciliation."""
    from sellerops.ingest import ingest_paths
    from sellerops.reconciliation.runs import run_reconcile
    from sellerops.storage.engine import get_engine

    get_engine()
    t, cpu = time.perf_counter(), _cpu()
    outcomes = ingest_paths([data / "tonight"])
    ingest_s = time.perf_counter() - t
    t, before = time.perf_counter(), _cpu()
    out = run_reconcile(force=force)
    reconcile_s = time.perf_counter() - t
    # the reconciliation's own CPU (this process only): the part of the night that reads the history
    return {"seconds": ingest_s + reconcile_s, "ingest_s": ingest_s, "reconcile_s": reconcile_s, "cpu_s": _cpu() - cpu,
            "reconcile_cpu_s": _cpu() - before,
            "statuses": sorted({o.status for o in outcomes}), "full": out.full, "open": out.open,
            "new": len(out.new), "resolved": len(out.resolved), "judged_orders": out.judged_orders,
            "judged_settlements": out.settlements_checked}


def stage_full(data: Path, home: Path) -> dict:
    return stage_night(data, home, force=True)


GAP_FINDINGS = 15_000  # the issue's gap night: "~15,000 resulting findings"


def stage_probe(data: Path, home: Path) -> dict:
    """Set-up, not measured: the gap night's as-of, without judging a year past the data (that
    would read every order of the history). An order past its grace that no Order line pays becomes
    an `unsettled_order`; each is due on its purchase date plus its grace. The open findings at an
    as-of are then about those open now plus the unpaid shipped orders due after the last run's as-of
    and by then (read from the order lines bought within the longest grace of it and the settlements'
    paid keys); the as-of chosen is the day after the last run's whose count is closest to GAP_FINDINGS."""
    import numpy as np
    import pandas as pd

    from sellerops.reconciliation import Policy, bounded
    from sellerops.reconciliation.input import _read_table, _report_files
    from sellerops.reconciliation.runs import last_run
    from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT
    from sellerops.storage import tables
    from sellerops.storage.engine import get_engine

    p, run = Policy(), last_run()
    last = run.as_of
    longest = max(p.grace_days_fba, p.grace_days_seller_fulfilled, p.grace_days_business)
    since = dt.datetime.combine(last - dt.timedelta(days=longest + 2), dt.time(), dt.timezone.utc)
    o = tables.OrderLine.__table__
    with get_engine().connect() as c:
        orders = _read_table(c, "orders", (o.c.account == run.account) & (o.c.purchase_date >= since))
        files = [f for f in _report_files(c, run.account).values()
                 if f.account == run.account and f.status == "loaded" and f.report_type == SETTLEMENT]
        paid = [bounded.paid_keys(c, f.account, f) for f in files]
    text = lambda col: orders[col].astype(object).fillna("").str.strip().str.casefold()  # noqa: E731
    eligible = ((text("order_status") == "shipped") & (text("item_status") == "shipped")
                & (text("sales_channel") != "non-amazon") & (orders["item_price_cents"] > 0).fillna(False)).to_numpy()
    mine = bounded.key_hashes(orders["account"], orders["amazon_order_id"], orders["sku"])
    unpaid = eligible & ~np.logical_or.reduce([bounded.is_paid(keys, *mine) for keys in paid] or [np.zeros(len(orders), bool)])
    fba = orders["fulfillment_channel"].astype(object).eq("Amazon").to_numpy()
    grace = np.where(fba, p.grace_days_fba, p.grace_days_seller_fulfilled)
    grace = np.where(orders["is_business_order"].fillna(False).astype(bool).to_numpy(),
                     np.maximum(grace, p.grace_days_business), grace)
    bought = orders["purchase_date"].dt.tz_convert(None).to_numpy().astype("datetime64[D]")
    due = np.sort((bought + grace.astype("timedelta64[D]"))[unpaid])
    due = due[due > np.datetime64(last)]
    now_open = run.findings_open
    days = np.unique(due)
    counts = now_open + np.searchsorted(due, days, side="right")
    if not len(days):
        best, expected = last + dt.timedelta(days=1), now_open
    else:
        at = int(np.argmin(np.abs(counts - GAP_FINDINGS)))
        best, expected = pd.Timestamp(days[at]).date(), int(counts[at])
    return {"gap_as_of": best.isoformat(), "expected_open": expected, "open_now": now_open,
            "unpaid_due_later": int(len(due))}


def stage_gap(data: Path, home: Path) -> dict:
    """A seller back after a gap: judged at the as-of the probe chose, nothing new loaded."""
    from sellerops.reconciliation.runs import run_reconcile
    from sellerops.storage.engine import get_engine

    get_engine()
    as_of = dt.date.fromisoformat(json.loads((home.parent / "history.json").read_text())["gap_as_of"])
    t, cpu = time.perf_counter(), _cpu()
    out = run_reconcile(as_of=as_of)
    return {"seconds": time.perf_counter() - t, "cpu_s": _cpu() - cpu, "full": out.full, "open": out.open, "new": len(out.new),
            "resolved": len(out.resolved), "as_of": as_of.isoformat()}


STAGES = {"history": stage_history, "probe": stage_probe, "night": stage_night, "full": stage_full, "gap": stage_gap}


def child_main(name: str, data: Path, home: Path, profile: Path | None = None) -> None:
    """One stage; with `profile`, under cProfile counting CPU time (what grows with history shows on
    a shared machine, where wall time swings) into that file, for `python -m pstats`."""
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    if profile is None:
        print(json.dumps(STAGES[name](data, home), default=str))
        return
    import cProfile

    prof = cProfile.Profile(time.process_time)
    out = prof.runcall(STAGES[name], data, home)
    profile.parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(profile)
    print(json.dumps(out, default=str))


class Database:
    """Where the children's database is: each home's own SQLite file (the default), or with --pg the
    PostgreSQL database `nightcost` on that server, its snapshot a database made from it as a
    template (`nightcost_snap_<data>`), restored by dropping it and creating it again from that."""

    def __init__(self, pg: str | None = None):
        self.pg = pg
        self.url = None if pg is None else pg.rsplit("/", 1)[0] + "/nightcost"
        self.name = "sqlite" if pg is None else "postgresql"

    def _admin(self, *statements: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.pg.replace("postgresql://", "postgresql+psycopg://", 1),
                                  isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            for sql in statements:
                c.execute(sa.text(sql))
        engine.dispose()

    def fresh(self) -> None:
        if self.pg:
            self._admin("DROP DATABASE IF EXISTS nightcost", "CREATE DATABASE nightcost")

    def snapshot(self, data: Path) -> None:
        if self.pg:
            snap = f"nightcost_snap_{data.name.replace('-', '_')}"
            self._admin(f"DROP DATABASE IF EXISTS {snap}", f"CREATE DATABASE {snap} TEMPLATE nightcost")

    def restore(self, data: Path) -> None:
        if self.pg:
            snap = f"nightcost_snap_{data.name.replace('-', '_')}"
            self._admin("DROP DATABASE IF EXISTS nightcost", f"CREATE DATABASE nightcost TEMPLATE {snap}")


DB = Database()
PROFILE = False  # --profile: each measured child writes .bench/history/profiles/<stage>-<data>-<database>.prof


def run_child(name: str, data: Path, home: Path) -> dict:
    env = dict(os.environ, SELLEROPS_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("SELLEROPS_DATABASE_URL", None)
    if DB.url:
        env["SELLEROPS_DATABASE_URL"] = DB.url
    cmd = [PY, str(Path(__file__).resolve()), "--stage", name, "--data", str(data), "--home", str(home)]
    if PROFILE and name in ("night", "gap", "full"):
        cmd += ["--profile", str(BENCH / "profiles" / f"{name}-{data.name}-{DB.name}.prof")]
    return spawn(name, cmd, env, BENCH / "logs" / f"{name}-{data.name}-{DB.name}.log")


# ---- the data: generated once, split into history and tonight -----------------------------------

def _rows(path: Path) -> tuple[str, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return lines[0], lines[1:]


def split(reports: Path, data: Path, last_day: dt.date) -> None:
    """history/: every file without tonight's rows; tonight/: the last day's orders, the last
    settlement, and the side reports' last rows re-downloaded with the week before them."""
    history, tonight = data / "history", data / "tonight"
    for d in (history, tonight):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    settlements = sorted(reports.glob("settlement_*.txt"))
    for p in settlements[:-1]:
        os.link(p, history / p.name)
    os.link(settlements[-1], tonight / settlements[-1].name)
    day = last_day.isoformat()
    tonight_orders = []
    for p in sorted(reports.glob("all_orders_*.txt")):
        header, rows = _rows(p)
        col = header.rstrip("\r\n").split("\t").index("purchase-date")
        keep = [r for r in rows if not r.split("\t")[col].startswith(day)]
        tonight_orders += [r for r in rows if r.split("\t")[col].startswith(day)]
        (history / p.name).write_text(header + "".join(keep), encoding="utf-8")
    (tonight / f"all_orders_{last_day:%Y%m%d}.txt").write_text(header + "".join(tonight_orders), encoding="utf-8")
    for name in SIDE:
        header, rows = _rows(reports / name)
        cut = max(0, len(rows) - max(1, len(rows) // 50))  # the last 2 % of rows arrive tonight
        (history / name).write_text(header + "".join(rows[:cut]), encoding="utf-8")
        again = max(0, cut - max(1, len(rows) // 50))  # re-downloaded with as many rows before them
        (tonight / f"pull_{last_day:%Y%m%d}_{name}").write_text(header + "".join(rows[again:]), encoding="utf-8")


def ensure_data(per_day: int, days: int) -> tuple[Path, dict]:
    params = {"orders_per_day": per_day, "days": days, "seed": SEED}
    data = BENCH / "data" / f"{per_day}x{days}-seed{SEED}"
    stamp = data / "params.json"
    if stamp.exists():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in params} == params:
            print(f"data: reusing {data}", flush=True)
            return data, known
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"data: generating {params} …", flush=True)
    t = time.perf_counter()
    facts = generate(data / "generated", per_day, days, SEED)
    generated_s = time.perf_counter() - t
    split(data / "generated" / "reports", data, dt.date.fromisoformat(facts["last_day"]))
    known = {**params, **facts, "generate_s": round(generated_s, 1)}
    stamp.write_text(json.dumps(known, sort_keys=True) + "\n")
    print(f"data: generated in {generated_s:.1f} s: {facts}", flush=True)
    return data, known


def ensure_history(data: Path, known: dict) -> tuple[Path, Path, dict]:
    """The history loaded and reconciled once, kept as a snapshot of the home."""
    homes = BENCH / "homes" / (data.name if DB.pg is None else f"{data.name}-pg")
    work, snapshot, stamp = homes / "work", homes / "snapshot", homes / "history.json"
    if stamp.exists() and snapshot.exists():
        print(f"history: reusing {snapshot}", flush=True)
        return work, snapshot, json.loads(stamp.read_text())
    shutil.rmtree(homes, ignore_errors=True)
    work.mkdir(parents=True)
    DB.fresh()
    print(f"history: loading and reconciling month by month ({DB.name}) …", flush=True)
    result = run_child("history", data, work)
    shutil.copytree(work, snapshot)
    DB.snapshot(data)
    print(f"history: {result['load_s']:.1f} s load, {result['reconcile_s']:.1f} s reconcile, "
          f"{result['peak_mb']:.0f} MB", flush=True)
    probe = run_child("probe", data, work)
    result.update(gap_as_of=probe["gap_as_of"], gap_expected_open=probe["expected_open"],
                  gap_unpaid_due_later=probe["unpaid_due_later"])
    stamp.write_text(json.dumps(result, default=str) + "\n")
    print(f"gap night: as-of {probe['gap_as_of']} (~{probe['expected_open']:,} open findings expected; "
          f"{probe['open_now']:,} open now, {probe['unpaid_due_later']:,} unpaid orders due later)", flush=True)
    return work, snapshot, result


def restore(data: Path, work: Path, snapshot: Path) -> None:
    # the same path every time: the frame cache is kept per database URL
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(snapshot, work)
    DB.restore(data)


def measure(name: str, data: Path, work: Path, snapshot: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        restore(data, work, snapshot)
        results.append(run_child(name, data, work))
    out = dict(results[len(results) // 2])
    for key in ("seconds", "ingest_s", "reconcile_s", "cpu_s", "reconcile_cpu_s"):
        if key in out:
            out[key] = statistics.median(r[key] for r in results)
            out[f"{key}_runs"] = [round(r[key], 2) for r in results]
    out["peak_mb"] = max(r["peak_mb"] for r in results)
    out["runs"] = runs
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", choices=sorted(STAGES))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--home", type=Path)
    ap.add_argument("--profile", nargs="?", const=True, default=None, metavar="FILE",
                    help="profile the measured stages (CPU time, cProfile) into .bench/history/profiles/; "
                    "their figures then include the profiler's cost and are not saved")
    ap.add_argument("--quick", action="store_true", help="3,000 orders a day instead of 12,000")
    ap.add_argument("--days", type=int, nargs="+", default=[30, 90, 365])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-full", action="store_true", help="skip the full-recompute reference row")
    ap.add_argument("--pg", metavar="URL", help="PostgreSQL server (a superuser's URL): the benchmark uses "
                    "its databases nightcost and nightcost_snap_*, dropped and created at will")
    args = ap.parse_args(argv)
    if args.stage:
        child_main(args.stage, args.data, args.home, None if args.profile in (None, True) else Path(args.profile))
        return 0
    global DB, PROFILE
    DB = Database(args.pg)
    PROFILE = bool(args.profile)
    per_day = 3000 if args.quick else 12000
    results = {"orders_per_day": per_day, "database": DB.name, "sizes": {}}
    saved = BENCH / f"results-{per_day}-{DB.name}.json"
    for earlier in (saved, BENCH / "results.json"):  # sizes measured earlier at the same rate stay in the table
        if earlier.exists():
            known = json.loads(earlier.read_text())
            if known.get("orders_per_day") == per_day and known.get("database", "sqlite") == DB.name:
                results["sizes"] = {int(k): v for k, v in known["sizes"].items() if int(k) not in args.days}
                break
    for days in args.days:
        data, known = ensure_data(per_day, days)
        work, snapshot, history = ensure_history(data, known)
        row = {"data": known, "history": history}
        row["night"] = measure("night", data, work, snapshot, args.runs)
        row["gap"] = measure("gap", data, work, snapshot, args.runs)
        if not args.no_full:
            row["full_night"] = measure("full", data, work, snapshot, 1)
        results["sizes"][days] = row
        results["sizes"] = dict(sorted(results["sizes"].items()))
        report(results)
        if not PROFILE:  # a profiled run's figures carry the profiler's cost: never kept as results
            BENCH.mkdir(parents=True, exist_ok=True)
            saved.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


def report(results: dict) -> None:
    sizes = results["sizes"]
    print(f"\n{results['orders_per_day']:,} orders a day, {results['database']}; night and gap: median of runs, "
          "full: one run")
    print(f"{'history':>8} {'lines':>11} {'night s':>8} {'ingest':>7} {'reconc.':>8} {'cpu s':>6} {'peak MB':>8} "
          f"{'judged':>8} {'gap s':>6} {'gap cpu':>7} {'gap open':>9} {'gap MB':>7} {'full s':>7} {'full MB':>8}")
    nan = float("nan")
    for days, r in sizes.items():
        n, g, f = r["night"], r["gap"], r.get("full_night", {})
        print(f"{days:>8} {r['data']['settlement_rows']:>11,} {n['seconds']:>8.1f} {n['ingest_s']:>7.1f} "
              f"{n['reconcile_s']:>8.1f} {n.get('cpu_s', nan):>6.1f} {n['peak_mb']:>8.0f} {n['judged_orders']:>8,} "
              f"{g['seconds']:>6.1f} {g.get('cpu_s', nan):>7.1f} {g['open']:>9,} {g['peak_mb']:>7.0f} "
              f"{f.get('seconds', nan):>7.1f} {f.get('peak_mb', nan):>8.0f}")
    if len(sizes) > 1:
        small, large = min(sizes), max(sizes)
        ratio = sizes[large]["night"]["seconds"] / sizes[small]["night"]["seconds"]
        cpu = sizes[large]["night"].get("cpu_s", float("nan")) / sizes[small]["night"].get("cpu_s", float("nan"))
        print(f"night {large} d / {small} d: {ratio:.2f}× wall (target ≤ {TARGETS['night_ratio']}×), {cpu:.2f}× CPU")


if __name__ == "__main__":
    sys.exit(main())
