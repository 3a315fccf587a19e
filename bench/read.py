"""`read_report` on each report file of a benchmark month, by the Arrow path and by the pandas path.

    .venv/bin/python bench/read.py                               # .bench/data/12000x30-seed7, 3 runs
    .venv/bin/python bench/read.py .bench/data/1000x30-seed7 --runs 5

Each read runs in a child process of its own (the paths alternate, run after run), which reports
the CPU time of the call alone (`getrusage`: on a machine shared with other work, CPU time says more
than wall time) and its peak RSS (ru_maxrss: the whole child, the file's bytes and imports
included). The pandas path is the one `read.ARROW = False` forces. Prints the median of the runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, resource, sys
from pathlib import Path
from sellerops.reports import read
read.ARROW = sys.argv[2] == "arrow"
path = Path(sys.argv[1])
data = path.read_bytes()
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
start = cpu()
raw = read.read_report(path, data)
print(json.dumps({"cpu_s": cpu() - start, "rows": raw.rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, tokenizer: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), tokenizer], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, nargs="?", default=ROOT / ".bench" / "data" / "12000x30-seed7")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"{'file':<40} {'rows':>10}  {'pandas CPU s':>12} {'MB':>5}  {'Arrow CPU s':>11} {'MB':>5}")
    for path in sorted((args.data / "reports").glob("*.txt")):
        runs: dict[str, list[dict]] = {"pandas": [], "arrow": []}
        for _ in range(args.runs):
            for tokenizer in runs:
                runs[tokenizer].append(measure(path, tokenizer))
        cpu = {t: statistics.median(r["cpu_s"] for r in rs) for t, rs in runs.items()}
        peak = {t: max(r["peak_mb"] for r in rs) for t, rs in runs.items()}
        print(f"{path.name:<40} {runs['arrow'][0]['rows']:>10,}  {cpu['pandas']:>12.3f} {peak['pandas']:>5.0f}"
              f"  {cpu['arrow']:>11.3f} {peak['arrow']:>5.0f}")


if __name__ == "__main__":
    main()
