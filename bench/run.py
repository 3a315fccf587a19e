"""The benchmark of issue 3 ("Speed"): a month of a 12,000-orders-a-day seller through every stage.

    make bench                                   # 12,000 orders/day × 30 days
    .venv/bin/python bench/run.py --quick        # 1,000/day × 30 days: a smoke run
    .venv/bin/python bench/run.py --skip-server  # stages and yardstick only, no Prefect server
    .venv/bin/python bench/run.py --only load,pg-load   # some stages (detect, validate, load, reconcile,
                                                 # cli, yardstick, dask, e2e, pg-load, pg-reconcile, pg-e2e)

The data is generated once into .bench/data/<orders>x<days>-seed7 (kept while its params.json
stamp matches). Each stage runs in its own child process, so its peak memory is its own
(`os.wait4` returns the child's rusage): detect (read + decode + detect every file), validate (the
Great Expectations checkpoint), load (a fresh SQLite under .bench/home), reconcile (run_reconcile
with force=True), dask (the full run and a bounded night on Dask beside the same in process, on
copies of the loaded home, against the Prefect server), then the `nightly-reconciliation` flow end
to end against a Prefect server on a fresh home, and a rerun with no new file. Beside them the yardstick: bench/yardstick.sql in DuckDB
over the same raw files. With PostgreSQL reachable (--pg, default SELLEROPS_BENCH_PG_URL) the load,
the reconciliation and the flow end to end run again on it, each in a fresh schema (loads through
COPY). A stage whose first run takes under a minute runs three times and reports the median (a
load or a flow end to end on a fresh home each time). Prints a table, writes .bench/results.json.

A stage child prints one JSON line last: {"seconds": the stage's own time, ...details}. Its wall
time in the table is that own time (imports and the setup a stage needs, e.g. detecting the files
before validating them, are left out, and shown as `process_s`); its peak memory covers the whole child.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / ".bench"
PY = sys.executable
SEED = 7
MARKETPLACE = "Amazon.com"
DATA_NAME = "default"  # the data set's folder name: homes, logs and server state are kept per data set
SRC = ROOT  # the code measured: the working tree, or an exported commit (--ref)
TARGETS = {"reconcile_ratio": 3.0, "e2e_ratio": 3.0, "peak_mb": 3072.0, "rerun_s": 5.0, "cli_s": 2.0}


# ---- the stages, each run in a child: `run.py --stage NAME --data DIR --home DIR` -----------------

def _detect_all(reports: Path):
    from sellerops import ingest

    return [ingest.read_and_detect(p, MARKETPLACE) for p in ingest.discover([reports])]


def stage_detect(reports: Path, home: Path) -> dict:
    t = time.perf_counter()
    detected = _detect_all(reports)
    seconds = time.perf_counter() - t
    rows = sum(d.raw.rows for d in detected if d.raw is not None)
    return {"seconds": seconds, "files": len(detected), "rows": rows,
            "errors": [d.error for d in detected if d.error]}


def stage_validate(reports: Path, home: Path) -> dict:
    from sellerops import ingest

    detected = _detect_all(reports)
    t = time.perf_counter()
    problems = {str(d.path.name): ingest.validate(d) for d in detected}
    return {"seconds": time.perf_counter() - t, "files": len(detected),
            "problems": {k: v[:3] for k, v in problems.items() if v}}


def stage_load(reports: Path, home: Path) -> dict:
    from sellerops import ingest
    from sellerops.storage.engine import get_engine

    get_engine()  # the schema's migrations are set-up, not loading
    detected = _detect_all(reports)
    t = time.perf_counter()
    outcomes = [ingest.load(d) for d in detected]
    return {"seconds": time.perf_counter() - t, "rows": sum(o.rows for o in outcomes),
            "statuses": sorted({o.status for o in outcomes})}


def stage_reconcile(reports: Path, home: Path) -> dict:
    """run_reconcile(force=True), and its parts timed apart the same way it runs them."""
    from sellerops.reconciliation import Policy, reconcile
    from sellerops.reconciliation.input import load_input
    from sellerops.reconciliation.runs import run_reconcile

    t = time.perf_counter()
    outcome = run_reconcile(force=True)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    inp = load_input()
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    records = reconcile(inp, None, Policy())
    t_rules = time.perf_counter() - t
    found = [{"kind": r.kind, "settlement_id": r.settlement_id, "order_id": r.order_id, "sku": r.sku,
              "line_no": r.line_no} for r in records]
    return {"seconds": seconds, "open": outcome.open, "load_input_s": t_load, "rules_s": t_rules,
            "store_and_rest_s": max(seconds - t_load - t_rules, 0.0), "findings": found}


def stage_flow(reports: Path, home: Path) -> dict:
    """The nightly flow once (first run or rerun, depending on what `home` already holds)."""
    from flows.nightly import nightly_reconciliation

    import resource

    t = time.perf_counter()
    summary = nightly_reconciliation(inbox=str(reports))
    seconds = time.perf_counter() - t
    # an ingestion worker process (SELLEROPS_INGEST_WORKER) runs beside this one: count both peaks,
    # once it has exited (the night stops it without waiting; its usage counts once it is reaped)
    import multiprocessing

    for child in multiprocessing.active_children():
        child.join(timeout=60)
    workers, me = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "summary": summary, "workers_peak_mb": workers.ru_maxrss / 1024,
            "flow_peak_mb": me.ru_maxrss / 1024, "flow_cpu_s": me.ru_utime + me.ru_stime,
            "workers_cpu_s": workers.ru_utime + workers.ru_stime, **_rerun_parts(reports)}


def _rerun_parts(reports: Path) -> dict:
    """What a run with no new file is made of, each part timed on its own after the flow."""
    from sellerops import findings, ingest
    from sellerops.reconciliation.runs import run_reconcile

    parts = {}
    t = time.perf_counter()
    files = ingest.discover([reports])
    for p in files:
        ingest.known_outcome(p, ingest.sha256_of(p.read_bytes()))
    parts["part_hash_and_lookup_files_s"] = time.perf_counter() - t
    t = time.perf_counter()
    run_reconcile()  # nothing new: skipped
    parts["part_reconcile_skip_check_s"] = time.perf_counter() - t
    t = time.perf_counter()
    findings.list_findings(status="open")
    parts["part_read_open_findings_s"] = time.perf_counter() - t
    return parts


def stage_dask(reports: Path, home: Path) -> dict:
    """The reconciliation on Dask (SELLEROPS_DASK=local: prefect-dask's LocalCluster, in threads, as
    the nightly flow runs it) beside the same runs in process, each on its own copy of the loaded
    home: the full recompute (`force`), then a bounded night — the clock one day past the data with
    no new file (the orders whose grace ended, the refunds whose claim window opened, the open unpaid
    ones). Each part's wall and CPU time (this process's threads; the Prefect server's apart)."""
    import datetime as dt
    import resource

    from flows import reconcile_dask
    from sellerops.reconciliation import Policy
    from sellerops.reconciliation.runs import run_reconcile
    from sellerops.storage import framecache

    def timed(fn):
        before, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        out = fn()
        after = resource.getrusage(resource.RUSAGE_SELF)
        return out, time.perf_counter() - t, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    copies = framecache.root()
    parts, outcomes = {}, {}
    for where in ("in process", "dask"):
        mine = home.with_name(f"{home.name}-{where.replace(' ', '-')}")
        shutil.rmtree(mine, ignore_errors=True)
        shutil.copytree(home, mine)
        os.environ["SELLEROPS_HOME"] = str(mine)
        # the copies' folder is named after the database URL, which names the home: follow the copy
        moved = mine / copies.relative_to(home)
        if moved.exists() and moved != framecache.root():
            moved.rename(framecache.root())
        if where == "dask":
            os.environ["SELLEROPS_DASK"] = "local"
            run = lambda as_of, force: reconcile_dask.reconcile(as_of, Policy(), force)  # noqa: E731
        else:
            os.environ.pop("SELLEROPS_DASK", None)
            run = lambda as_of, force: run_reconcile(as_of=as_of, policy=Policy(), force=force)  # noqa: E731
        full, parts[f"full {where} s"], parts[f"full {where} cpu s"] = timed(lambda: run(None, True))
        tonight = max(dt.date.fromisoformat(v) for v in full.as_of.values()) + dt.timedelta(days=1)
        night, parts[f"night {where} s"], parts[f"night {where} cpu s"] = timed(lambda: run(tonight, False))
        assert not night.full, night.why_full
        outcomes[where] = [(o.open, sorted(o.new), sorted(o.resolved), o.judged_orders) for o in (full, night)]
        parts[f"night {where} judged orders"] = night.judged_orders
        shutil.rmtree(mine, ignore_errors=True)
    return {"seconds": parts["full dask s"], "same_findings": outcomes["dask"] == outcomes["in process"],
            "open": outcomes["dask"][0][0], **{k: round(v, 2) for k, v in parts.items()}}


STAGES = {"detect": stage_detect, "validate": stage_validate, "load": stage_load, "reconcile": stage_reconcile,
          "flow": stage_flow, "dask": stage_dask}


def child_main(name: str, data: Path, home: Path, profile: Path | None) -> None:
    sys.path.insert(0, os.environ.get("BENCH_SRC", str(ROOT)))
    if profile:
        import cProfile

        prof = cProfile.Profile()
        result = prof.runcall(STAGES[name], data / "reports", home)
        prof.dump_stats(str(profile))
    else:
        result = STAGES[name](data / "reports", home)
    print(json.dumps(result, default=str))


# ---- the parent: data, children, server, table ---------------------------------------------------

def run_child(name: str, data: Path, home: Path, extra_env: dict | None = None, profile: Path | None = None) -> dict:
    """Run one stage in a fresh process; its result, wall time and peak RSS (MB)."""
    env = dict(os.environ, SELLEROPS_HOME=str(home), PYTHONPATH=str(SRC), BENCH_SRC=str(SRC))
    env.pop("SELLEROPS_DATABASE_URL", None)  # SQLite under `home`, unless the stage is given a database
    env.update(extra_env or {})
    # With PYTHONDONTWRITEBYTECODE set and no __pycache__ in .venv, every child compiles prefect,
    # great_expectations and pandas from source (~50 s of compile() per process on a loaded 2-core
    # box): a stage would measure the interpreter, not the stage. Let the first child write the cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [PY, str(Path(__file__).resolve()), "--stage", name, "--data", str(data), "--home", str(home)]
    if profile:
        cmd += ["--profile", str(profile)]
    log = BENCH / "logs" / DATA_NAME / f"{name}-{home.name}{'-pg' if 'SELLEROPS_DATABASE_URL' in env else ''}.log"
    result = spawn(name, cmd, env, log)
    if result.get("workers_peak_mb"):  # wait4 gives the larger of flow and worker, not their sum
        result["peak_mb"] = max(result["peak_mb"], result["flow_peak_mb"] + result["workers_peak_mb"])
    return result


def spawn(name: str, cmd: list[str], env: dict, log: Path) -> dict:
    """Run a stage's child process (stderr into `log`): the JSON its last stdout line holds, with its
    full wall time (`process_s`) and peak RSS in MB (`peak_mb`, from os.wait4)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"stage {name} failed (exit status {status}); see {log}")
    result = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = wall
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    # CPU time of the child and of the processes it waited for (the ingestion worker): on a shared
    # machine wall time swings 2–4×, CPU time much less
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


CLI_COMMANDS = {  # what a user types most, each answered without a Prefect server
    "CLI: findings": ["findings"],
    "CLI: reconcile, nothing new": ["reconcile"],
    "CLI: ingest a known file": ["ingest", "{reports}/reimbursements.txt"],
}


def run_cli(argv: list[str], home: Path, data: Path, runs: int = 3) -> dict:
    """A `sellerops` command as a user runs it (a fresh process, no server): median wall time of `runs`."""
    env = dict(os.environ, SELLEROPS_HOME=str(home), PYTHONPATH=str(SRC))
    for k in ("PREFECT_API_URL", "SELLEROPS_DATABASE_URL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(k, None)
    cmd = [PY, "-m", "sellerops.cli", *[a.format(reports=data / "reports") for a in argv]]
    times, peak = [], 0.0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) not in (0, 2):
            raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()[-2000:]}")
    times.sort()
    return {"seconds": times[len(times) // 2], "runs": times, "peak_mb": peak}


def run_yardstick(reports: Path) -> tuple[float, list[dict]]:
    """The DuckDB yardstick in a child process. Not in this one: a child's peak memory as Linux
    reports it (ru_maxrss) starts from its parent's at the fork, so a parent that had held DuckDB's
    ~1.9 GB would have raised every later stage's peak to that."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import yardstick; "
            "s, rows = yardstick.run(sys.argv[2]); print(json.dumps({'seconds': s, 'rows': rows}, default=str))")
    out = subprocess.run([PY, "-c", code, str(Path(__file__).resolve().parent), str(reports)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], result["rows"]


def ensure_data(orders_per_day: int, days: int) -> Path:
    """.bench/data/<orders>x<days>-seed<seed>, generated unless its stamp says it already is (one
    folder per parameter set, so a --quick run does not throw away the full month)."""
    params = {"orders_per_day": orders_per_day, "days": days, "seed": SEED}
    data = BENCH / "data" / f"{orders_per_day}x{days}-seed{SEED}"
    stamp = data / "params.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params and (data / "expected_findings.jsonl").exists():
        print(f"data: reusing {data}")
        return data
    shutil.rmtree(data, ignore_errors=True)
    print(f"data: generating {params} into {data} …", flush=True)
    t = time.perf_counter()
    facts = generate(data, orders_per_day, days)
    print(f"data: {facts['orders']} order lines, {facts['settlement_rows']} settlement rows, "
          f"{facts['settlements']} settlements, {facts['findings']} planted findings")
    print(f"data: generated in {time.perf_counter() - t:.1f} s")
    stamp.write_text(json.dumps(params, sort_keys=True) + "\n")
    return data


def generate(out: Path, orders_per_day: int, days: int, seed: int = SEED) -> dict:
    """The demo seller written into `out` by a child process (the generator's memory is not the
    benchmark's); what it wrote: orders, settlement rows, settlements, planted findings, last day."""
    code = ("import sys, json, datetime; from sellerops.demo import write_demo_data; "
            "s = write_demo_data(sys.argv[1], orders_per_day=int(sys.argv[2]), days=int(sys.argv[3]), seed=int(sys.argv[4])); "
            "print(json.dumps({'orders': s.orders, 'settlement_rows': s.settlement_rows, 'settlements': s.settlements, "
            "'findings': s.findings, 'last_day': str(s.start + datetime.timedelta(days=int(sys.argv[3]) - 1))}))")
    out_text = subprocess.run([PY, "-c", code, str(out), str(orders_per_day), str(days), str(seed)], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
    return json.loads(out_text.strip().splitlines()[-1])


def export_ref(ref: str) -> Path:
    """The repository at `ref`, exported under .bench/src (the stages then import it, not the
    working tree: a benchmark of a commit is not disturbed by edits in progress)."""
    rev = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    src = BENCH / "src" / rev
    if not (src / "sellerops").exists():
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    return src


def fresh_home(name: str) -> Path:
    home = BENCH / "home" / DATA_NAME / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


PG_STAGES = ("pg-load", "pg-reconcile", "pg-e2e")
ALL_STAGES = ("detect", "validate", "load", "reconcile", "cli", "yardstick", "dask", "e2e", *PG_STAGES)


def fresh_pg_schema(url: str, name: str) -> dict:
    """An empty schema `bench_<name>_<checkout>` on the PostgreSQL at `url`, as the stage's
    database (env): named after the checkout, so two checkouts' benchmarks never share one."""
    import re

    import sqlalchemy as sa

    schema = re.sub(r"\W", "_", f"bench_{name}_{ROOT.name}").lower()[:63]
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return {"SELLEROPS_DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}"}


def pg_reachable(url: str | None) -> bool:
    if not url:
        return False
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL rows in this run
        return False
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrefectServer:
    """`prefect server start` in the background with its own PREFECT_HOME under .bench."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        prefect_home = BENCH / "prefect" / DATA_NAME
        shutil.rmtree(prefect_home, ignore_errors=True)
        prefect_home.mkdir(parents=True)
        self.env = {"PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                    "PREFECT_API_URL": self.url}
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "PrefectServer":
        env = dict(os.environ, **{k: v for k, v in self.env.items() if k != "PREFECT_API_URL"})
        env.pop("PREFECT_API_URL", None)
        (BENCH / "logs" / DATA_NAME).mkdir(parents=True, exist_ok=True)  # --only e2e runs no stage before it
        self.log = open(BENCH / "logs" / DATA_NAME / "prefect-server.log", "w")
        prefect = str(Path(PY).with_name("prefect"))
        self.proc = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"prefect server exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        raise SystemExit("prefect server not healthy after 120 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)  # its own session: the server and the workers it started
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="issue 3's benchmark")
    ap.add_argument("--orders-per-day", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="1,000 orders a day × 30 days: a smoke run")
    ap.add_argument("--skip-server", action="store_true", help="no Prefect server: no end-to-end nor rerun")
    ap.add_argument("--ref", default=None, help="benchmark this commit (exported to .bench/src), not the working tree")
    ap.add_argument("--results", type=Path, default=BENCH / "results.json", help="where the JSON goes")
    ap.add_argument("--only", default=",".join(ALL_STAGES),
                    help=f"comma-separated stages to run, of: {', '.join(ALL_STAGES)} (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="runs of a stage whose first run is under a minute (median)")
    ap.add_argument("--every-run", action="store_true",
                    help="run every stage --runs times, even one whose first run took a minute or more")
    ap.add_argument("--pg", default=os.environ.get("SELLEROPS_BENCH_PG_URL"),
                    help="a PostgreSQL URL: load, reconcile and end to end again on it (default: $SELLEROPS_BENCH_PG_URL)")
    ap.add_argument("--profile", default=None, help="cProfile this stage (e.g. load) into .bench/<stage>.prof")
    ap.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stage:
        child_main(args.stage, args.data, args.home, Path(args.profile) if args.profile else None)
        return 0
    if args.quick:
        args.orders_per_day, args.days = 1_000, 30

    global SRC, DATA_NAME
    BENCH.mkdir(exist_ok=True)
    if args.ref:
        SRC = export_ref(args.ref)
    data = ensure_data(args.orders_per_day, args.days)
    DATA_NAME = data.name
    results: dict = {"params": {"orders_per_day": args.orders_per_day, "days": args.days, "seed": SEED},
                     "code": args.ref or "working tree", "machine": machine(), "stages": {}}
    out = args.results
    stages = results["stages"]

    only = set(args.only.split(","))
    unknown = only - set(ALL_STAGES)
    if unknown:
        raise SystemExit(f"--only: unknown stage(s) {', '.join(sorted(unknown))}; stages: {', '.join(ALL_STAGES)}")
    pg = args.pg if only & set(PG_STAGES) and pg_reachable(args.pg) else None
    if only & set(PG_STAGES) and not pg:
        print(f"PostgreSQL: not reachable at {args.pg!r} (--pg): its stages are left out")

    def step(label: str, name: str, home: Path | None = None, fresh=None, extra=None, **kw) -> dict:
        """Run a stage; again up to --runs times when it took under a minute (the median kept).
        `fresh()` gives each run its home (and database env), else every run uses `home`."""
        profile = BENCH / f"{label}.prof" if args.profile == label else None
        print(f"{label} …", end=" ", flush=True)
        runs = []
        while True:
            where, env = fresh() if fresh else (home, {})
            runs.append(run_child(name, data, where, profile=profile, extra_env={**env, **(extra or {})}, **kw))
            if len(runs) >= args.runs or (runs[0]["seconds"] >= 60 and not args.every_run) or profile:
                break
        runs.sort(key=lambda r: r["seconds"])
        r = dict(runs[len(runs) // 2], runs=[x["seconds"] for x in runs], peak_mb=max(x["peak_mb"] for x in runs))
        r["cpu_runs"] = [x.get("cpu_s") for x in runs]
        print(f"{r['seconds']:.1f} s (median of {len(runs)}), {r['peak_mb']:.0f} MB, "
              f"CPU {r.get('cpu_s', 0):.1f} s in {r['process_s']:.1f} s of process", flush=True)
        stages[label] = r
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")  # partial results survive a long run
        return r

    tmp = fresh_home("scratch")
    if "detect" in only:
        step("detect", "detect", tmp)
    if "validate" in only:
        step("validate", "validate", tmp)
    loaded = BENCH / "home" / DATA_NAME / "loaded"
    if "load" in only:
        step("load", "load", fresh=lambda: (fresh_home("loaded"), {}))
    rec = step("reconcile", "reconcile", loaded) if "reconcile" in only else None

    for label, argv in CLI_COMMANDS.items() if "cli" in only else ():
        print(f"{label} …", end=" ", flush=True)
        r = run_cli(argv, loaded, data)
        print(f"{r['seconds']:.2f} s (median of {len(r['runs'])})", flush=True)
        stages[label] = r

    sys.path.insert(0, str(ROOT))
    import yardstick

    if "yardstick" in only:
        print("yardstick …", end=" ", flush=True)
        y_runs = sorted(run_yardstick(data / "reports") for _ in range(args.runs))
        y_seconds, y_rows = y_runs[len(y_runs) // 2]
        wanted = yardstick.expected(data)
        y_check = yardstick.compare(y_rows, wanted)
        print(f"{y_seconds:.1f} s (median of {len(y_runs)})", flush=True)
        results["yardstick"] = {"seconds": y_seconds, "runs": [r[0] for r in y_runs], **y_check}
        if rec:
            results["product_check"] = yardstick.compare(rec.pop("findings"), wanted)


    if pg:
        pg_env = {}

        def pg_fresh(name: str):
            def fresh():
                pg_env.update(fresh_pg_schema(pg, name))
                return fresh_home(name), dict(pg_env)
            return fresh

        if "pg-load" in only:
            step("load (PostgreSQL, COPY)", "load", fresh=pg_fresh("loaded-pg"))
        if "pg-reconcile" in only and pg_env:
            step("reconcile (PostgreSQL)", "reconcile", BENCH / "home" / DATA_NAME / "loaded-pg", extra=pg_env)

    if not args.skip_server and only & {"e2e", "pg-e2e", "dask"}:
        with PrefectServer() as server:
            if "dask" in only:  # a flow on a server of its own, not a temporary one started in the stage
                step("reconcile (dask)", "dask", loaded, extra=server.env)
            if "e2e" in only:
                step("end to end", "flow", fresh=lambda: (fresh_home("e2e"), {}), extra=server.env)
                step("rerun, no new file", "flow", BENCH / "home" / DATA_NAME / "e2e", extra=server.env)
            if pg and "pg-e2e" in only:
                e2e_pg = {}

                def fresh_e2e_pg():
                    e2e_pg.update(fresh_pg_schema(pg, "e2e-pg"))
                    return fresh_home("e2e-pg"), dict(e2e_pg)

                step("end to end (PostgreSQL)", "flow", fresh=fresh_e2e_pg, extra=server.env)

    report(results)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwritten: {out}")
    return 0


def machine() -> dict:
    import platform

    mem = ""
    try:
        mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "mem_gb": round(int(mem) / 1024 / 1024, 1) if mem else None, "load_avg": os.getloadavg()}


def report(results: dict) -> None:
    s, y = results["stages"], results.get("yardstick")
    ys = y["seconds"] if y else None
    rows = []
    for label, r in s.items():
        target, ok = "", None
        if label.startswith("reconcile") and ys and "dask" not in label:
            target, ok = f"≤ {TARGETS['reconcile_ratio']:.0f}× yardstick", r["seconds"] <= TARGETS["reconcile_ratio"] * ys
        elif label.startswith("end to end") and ys:
            target, ok = f"≤ {TARGETS['e2e_ratio']:.0f}× yardstick", r["seconds"] <= TARGETS["e2e_ratio"] * ys
        elif label.startswith("CLI"):
            target, ok = f"≤ {TARGETS['cli_s']:.0f} s, no server", r["seconds"] <= TARGETS["cli_s"]
        elif label.startswith("rerun"):
            target, ok = f"≤ {TARGETS['rerun_s']:.0f} s", r["seconds"] <= TARGETS["rerun_s"]
        mem_ok = r["peak_mb"] <= TARGETS["peak_mb"]
        verdict = "OK" if ok is not False and mem_ok else "over"
        rows.append((label, r["seconds"], r["peak_mb"], len(r.get("runs") or [1]),
                     (target + "; " if target else "") + "≤ 3 GB", verdict))
    if y:
        rows.append(("yardstick (DuckDB)", ys, float("nan"), len(y.get("runs") or [1]), "",
                     "match" if y["match"] else "MISMATCH"))
    print()
    print(f"{'stage':<30} {'wall s':>8} {'peak MB':>8} {'runs':>4}  {'target':<28} result")
    for label, sec, mb, n, target, verdict in rows:
        print(f"{label:<30} {sec:>8.1f} {mb:>8.0f} {n:>4}  {target:<28} {verdict}")
    ratios = {}
    for label in ("reconcile", "reconcile (PostgreSQL)", "end to end", "end to end (PostgreSQL)",
                  "load", "load (PostgreSQL, COPY)"):
        if label in s and ys:
            ratios[f"{label}/yardstick"] = s[label]["seconds"] / ys
    results["ratios"] = ratios
    results["peak_mb_max"] = max((r["peak_mb"] for r in s.values()), default=0.0)
    print()
    for k, v in ratios.items():
        print(f"{k}: {v:.1f}×")
    print(f"peak memory, largest stage: {results['peak_mb_max']:.0f} MB (target ≤ 3072)")
    if "rerun, no new file" in s:
        r = s["rerun, no new file"]
        parts = {k: round(v, 2) for k, v in r.items() if k.startswith("part_")}
        print(f"rerun {r['seconds']:.1f} s (target ≤ 5 s); its parts timed alone: {parts}")
    if y:
        print(f"yardstick findings: {y['found']} vs expected {y['expected']}: {'match' if y['match'] else 'MISMATCH'}")
        for k in (y["missing"] or [])[:20]:
            print("  yardstick missing", k)
        for k in (y["extra"] or [])[:20]:
            print("  yardstick extra  ", k)
    p = results.get("product_check")
    if p:
        print(f"reconcile findings (the product): {p['found']} vs expected {p['expected']}: "
              f"{'match' if p['match'] else 'MISMATCH'}")

if __name__ == "__main__":
    sys.exit(main())
