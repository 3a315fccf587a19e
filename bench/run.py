"""The benchmark of issue 3 ("Speed"): a month of a 12,000-orders-a-day seller through every stage.

    make bench                                   # 12,000 orders/day × 30 days
    .venv/bin/python bench/run.py --quick        # 1,000/day × 30 days: a smoke run
    .venv/bin/python bench/run.py --skip-server  # stages and yardstick only, no Prefect server

The data is generated once into .bench/data/<orders>x<days>-seed7 (kept while its params.json
stamp matches). Each stage runs in its own child process, so its peak memory is its own
(`os.wait4` returns the child's rusage): detect (read + decode + detect every file), validate (the
Great Expectations checkpoint), load (a fresh SQLite under .bench/home), reconcile (run_reconcile
with force=True), then the `nightly-reconciliation` flow end to end against a Prefect server on a
fresh home, and a rerun with no new file. Beside them the yardstick: bench/yardstick.sql in DuckDB
over the same raw files. Prints a table, writes .bench/results.json.

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
TARGETS = {"reconcile_ratio": 3.0, "e2e_ratio": 10.0, "peak_mb": 3072.0, "rerun_s": 5.0, "cli_s": 2.0}


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
    # an ingestion worker process (SELLEROPS_INGEST_WORKER) runs beside this one: count both peaks
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "summary": summary, "workers_peak_mb": workers_mb, "flow_peak_mb": self_mb,
            **_rerun_parts(reports)}


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
    os.environ["SELLEROPS_DASK"] = "1"
    return stage_reconcile(reports, home)


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
    env = dict(os.environ, SELLEROPS_HOME=str(home), PYTHONPATH=str(SRC), BENCH_SRC=str(SRC), **(extra_env or {}))
    env.pop("SELLEROPS_DATABASE_URL", None)
    # With PYTHONDONTWRITEBYTECODE set and no __pycache__ in .venv, every child compiles prefect,
    # great_expectations and pandas from source (~50 s of compile() per process on a loaded 2-core
    # box): a stage would measure the interpreter, not the stage. Let the first child write the cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [PY, str(Path(__file__).resolve()), "--stage", name, "--data", str(data), "--home", str(home)]
    if profile:
        cmd += ["--profile", str(profile)]
    log = BENCH / "logs" / DATA_NAME / f"{name}-{home.name}.log"
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
    if result.get("workers_peak_mb"):  # wait4 gives the larger of flow and worker, not their sum
        result["peak_mb"] = max(result["peak_mb"], result["flow_peak_mb"] + result["workers_peak_mb"])
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
    code = ("import sys; from sellerops.demo import write_demo_data; "
            "s = write_demo_data(sys.argv[1], orders_per_day=int(sys.argv[2]), days=int(sys.argv[3]), seed=int(sys.argv[4])); "
            "print('data:', s.orders, 'order lines,', s.settlement_rows, 'settlement rows,', s.settlements, 'settlements,', "
            "s.findings, 'planted findings')")
    subprocess.run([PY, "-c", code, str(data), str(orders_per_day), str(days), str(SEED)], cwd=ROOT, check=True)
    print(f"data: generated in {time.perf_counter() - t:.1f} s")
    stamp.write_text(json.dumps(params, sort_keys=True) + "\n")
    return data


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


def dask_available() -> bool:
    found = subprocess.run(["grep", "-rln", "SELLEROPS_DASK", "tasks", "flows"], cwd=SRC, capture_output=True, text=True)
    return bool(found.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="issue 3's benchmark")
    ap.add_argument("--orders-per-day", type=int, default=12_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="1,000 orders a day × 30 days: a smoke run")
    ap.add_argument("--skip-server", action="store_true", help="no Prefect server: no end-to-end nor rerun")
    ap.add_argument("--ref", default=None, help="benchmark this commit (exported to .bench/src), not the working tree")
    ap.add_argument("--results", type=Path, default=BENCH / "results.json", help="where the JSON goes")
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

    def step(label: str, name: str, home: Path, **kw) -> dict:
        profile = BENCH / f"{label}.prof" if args.profile == label else None
        print(f"{label} …", end=" ", flush=True)
        r = run_child(name, data, home, profile=profile, **kw)
        print(f"{r['seconds']:.1f} s, {r['peak_mb']:.0f} MB", flush=True)
        stages[label] = r
        out.write_text(json.dumps(results, indent=2, default=str) + "\n")  # partial results survive a long run
        return r

    tmp = fresh_home("scratch")
    step("detect", "detect", tmp)
    step("validate", "validate", tmp)
    loaded = fresh_home("loaded")
    step("load", "load", loaded)
    rec = step("reconcile", "reconcile", loaded)

    for label, argv in CLI_COMMANDS.items():
        print(f"{label} …", end=" ", flush=True)
        r = run_cli(argv, loaded, data)
        print(f"{r['seconds']:.2f} s (median of {len(r['runs'])})", flush=True)
        stages[label] = r

    sys.path.insert(0, str(ROOT))
    import yardstick

    print("yardstick …", end=" ", flush=True)
    y_seconds, y_rows = run_yardstick(data / "reports")
    wanted = yardstick.expected(data)
    y_check = yardstick.compare(y_rows, wanted)
    print(f"{y_seconds:.1f} s", flush=True)
    results["yardstick"] = {"seconds": y_seconds, **y_check}
    results["product_check"] = yardstick.compare(rec.pop("findings"), wanted)

    if dask_available():
        step("reconcile (dask)", "dask", loaded)
    else:
        print("dask: not available yet")
        results["dask"] = "not available yet"

    if not args.skip_server:
        with PrefectServer() as server:
            e2e = fresh_home("e2e")
            step("end to end", "flow", e2e, extra_env=server.env)
            step("rerun, no new file", "flow", e2e, extra_env=server.env)

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
    s, y = results["stages"], results["yardstick"]
    rows = []
    for label, r in s.items():
        target, ok = "", None
        if label == "reconcile":
            target, ok = f"≤ {TARGETS['reconcile_ratio']:.0f}× yardstick", r["seconds"] <= TARGETS["reconcile_ratio"] * y["seconds"]
        elif label == "end to end":
            target, ok = f"≤ {TARGETS['e2e_ratio']:.0f}× yardstick", r["seconds"] <= TARGETS["e2e_ratio"] * y["seconds"]
        elif label.startswith("CLI"):
            target, ok = f"≤ {TARGETS['cli_s']:.0f} s, no server", r["seconds"] <= TARGETS["cli_s"]
        elif label.startswith("rerun"):
            target, ok = f"≤ {TARGETS['rerun_s']:.0f} s", r["seconds"] <= TARGETS["rerun_s"]
        mem_ok = r["peak_mb"] <= TARGETS["peak_mb"]
        verdict = ("OK" if ok is not False and mem_ok else "over") if (target or not mem_ok) else ("OK" if mem_ok else "over")
        rows.append((label, r["seconds"], r["peak_mb"], (target + "; " if target else "") + "≤ 3 GB", verdict))
    rows.append(("yardstick (DuckDB)", y["seconds"], float("nan"), "", "match" if y["match"] else "MISMATCH"))
    print()
    print(f"{'stage':<22} {'wall s':>8} {'peak MB':>8}  {'target':<28} result")
    for label, sec, mb, target, verdict in rows:
        print(f"{label:<22} {sec:>8.1f} {mb:>8.0f}  {target:<28} {verdict}")
    ratios = {}
    if "reconcile" in s:
        ratios["reconcile/yardstick"] = s["reconcile"]["seconds"] / y["seconds"]
    if "end to end" in s:
        ratios["end to end/yardstick"] = s["end to end"]["seconds"] / y["seconds"]
    results["ratios"] = ratios
    results["peak_mb_max"] = max(r["peak_mb"] for r in s.values())
    print()
    for k, v in ratios.items():
        print(f"{k}: {v:.1f}×")
    print(f"peak memory, largest stage: {results['peak_mb_max']:.0f} MB (target ≤ 3072)")
    if "rerun, no new file" in s:
        r = s["rerun, no new file"]
        parts = {k: round(v, 2) for k, v in r.items() if k.startswith("part_")}
        print(f"rerun {r['seconds']:.1f} s (target ≤ 5 s); its parts timed alone: {parts}")
    print(f"yardstick findings: {y['found']} vs expected {y['expected']}: {'match' if y['match'] else 'MISMATCH'}")
    for k in (y["missing"] or [])[:20]:
        print("  yardstick missing", k)
    for k in (y["extra"] or [])[:20]:
        print("  yardstick extra  ", k)
    p = results["product_check"]
    print(f"reconcile findings (the product): {p['found']} vs expected {p['expected']}: "
          f"{'match' if p['match'] else 'MISMATCH'}")


if __name__ == "__main__":
    sys.exit(main())
