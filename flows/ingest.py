"""The `ingest-reports` flow: every file under the given paths through detect → validate → load.

Files are decided one by one in a stable order, so which of two copies is the original is
reproducible. On a big night (64 MB of new files or more; SELLEROPS_INGEST_WORKER=auto, the default)
the next files are read and checked in a worker process while this one loads (sellerops.ingest.preparer).
The run ends with a markdown artifact: one line a file, with its outcome and reason.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from sellerops import ingest
from sellerops.core.config import ensure_home
from sellerops.ingest import Outcome
from sellerops.ingest import preparer
from sellerops.ingest.preparer import Preparer
from sellerops.inbound.responses import looks_like_response
from tasks.ingest import load_report, prepare_report, quarantine_report


@flow(name="ingest-reports", log_prints=True, persist_result=False)
def ingest_reports(paths: list[str] | None = None, marketplace: str | None = None,
                   new_only: bool = False, account: str | None = None) -> list[dict]:
    """Ingest Seller Central reports from files and folders (default: SELLEROPS_HOME/inbox) for a
    seller account (default: SELLEROPS_ACCOUNT); a bad file is quarantined, the rest load."""
    log = get_run_logger()
    s = ingest.settings_for(account)
    if not paths:
        ensure_home(s)
        paths = [str(s.inbox)]
    default_mp = marketplace or s.marketplace
    files = ingest.discover([Path(p) for p in paths], s)
    by_path: dict[Path, Outcome] = {}
    new: list[Path] = []
    for path in files:
        rf = ingest.known_outcome(path, ingest.sha256_of(path.read_bytes()))
        if rf is not None:
            by_path[path] = ingest.known(rf)  # first outcome kept: nothing parsed again
        elif looks_like_response(path.read_bytes()):  # a saved SP-API response (sellerops.inbound)
            by_path[path] = ingest.ingest_file(path, default_mp, account)
        else:
            new.append(path)
    # on a big night (SELLEROPS_INGEST_WORKER=auto, the default) the next files are read, checked and
    # converted in a worker process meanwhile (sellerops.ingest.preparer)
    with Preparer(default_mp, processes=preparer.wanted(new), order=new) as prep:
        for path in new:
            d = prepare_report(path, prep)
            if (first := ingest.content_seen(d.sha256)) is not None:
                o = ingest.duplicate_of(d, first, s)
            elif d.error:
                o = quarantine_report(d, [d.error], account)
            elif d.problems:
                o = quarantine_report(d, d.problems, account)
            else:
                o = load_report(d, account)
            d.typed = None  # the run's task results keep `d`: not its rows (a settlement's are ~100 MB)
            by_path[path] = o
            log.info("%s: %s%s", path.name, o.status, f" — {o.reason}" if o.reason else f" ({o.rows} rows)")
    if prep.docs:
        log.info("Great Expectations Data Docs: %s", prep.docs)
    outcomes = [by_path[p] for p in files]
    shown = [o for o in outcomes if not (new_only and o.known)]
    create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(shown),
                             description="What each report file became")
    return [dict(o.as_json(), known=o.known) for o in outcomes]


def summary_markdown(outcomes: list[Outcome]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    lines = ["# Report ingestion", "",
             ", ".join(f"**{n}** {k}" for k, n in sorted(counts.items())) or "No files.", "",
             "| file | type | status | rows | reason |", "|---|---|---|---:|---|"]
    for o in outcomes:
        reason = (o.reason or "").replace("|", "\\|")
        lines.append(f"| {Path(o.path).name} | {o.report_type or '—'} | {o.status} | {o.rows} | {reason} |")
    return "\n".join(lines) + "\n"
