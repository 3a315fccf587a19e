"""The yardstick of issue 3's benchmark: bench/yardstick.sql run by DuckDB over the raw report
files, timed, and its findings checked against the generator's expected_findings.jsonl.

    .venv/bin/python bench/yardstick.py OUT          # OUT holds reports/ and expected_findings.jsonl

A finding is compared by its key (kind, settlement_id, order_id, sku, line_no), as the product
identifies it; a difference is a yardstick bug, printed so it can be fixed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

SQL = Path(__file__).with_name("yardstick.sql")
KEY = ("kind", "settlement_id", "order_id", "sku", "line_no")


def findings_key(row: dict) -> tuple:
    return tuple(None if row.get(k) is None else (int(row[k]) if k == "line_no" else str(row[k])) for k in KEY)


def run(reports: Path, threads: int | None = None) -> tuple[float, list[dict]]:
    """Seconds taken (connect to last row fetched) and the findings as dicts."""
    import duckdb

    sql = SQL.read_text().replace("${REPORTS}", str(Path(reports).resolve()))
    start = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    cur = con.execute(sql)
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    seconds = time.perf_counter() - start
    con.close()
    return seconds, rows


def expected(out: Path) -> list[dict]:
    with open(Path(out) / "expected_findings.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def compare(found: list[dict], wanted: list[dict]) -> dict:
    """Missing and extra keys, and the count of each kind found."""
    got = {findings_key(r) for r in found}
    want = {findings_key(r) for r in wanted}
    kinds: dict[str, int] = {}
    for k in got:
        kinds[k[0]] = kinds.get(k[0], 0) + 1
    return {"match": got == want, "found": len(got), "expected": len(want),
            "missing": sorted(want - got, key=str), "extra": sorted(got - want, key=str), "by_kind": kinds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the demo folder: reports/ and expected_findings.jsonl")
    ap.add_argument("--json", action="store_true", help="print the result as one JSON object")
    args = ap.parse_args(argv)
    seconds, rows = run(args.out / "reports")
    result = {"seconds": seconds, **compare(rows, expected(args.out))}
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(f"yardstick: {seconds:.2f} s, {result['found']} findings, expected {result['expected']}: "
              + ("match" if result["match"] else "MISMATCH"))
        for k in result["missing"][:50]:
            print("  missing", k)
        for k in result["extra"][:50]:
            print("  extra  ", k)
    return 0 if result["match"] else 1


if __name__ == "__main__":
    sys.exit(main())
