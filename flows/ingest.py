"""The `ingest-reports` flow: every file under the given paths through the one per-file decision
(sellerops.ingest.decide), its steps run as tasks.

Files are decided one by one in a stable order, so which of two copies is the original is
reproducible. Only a file under a path seen before is hashed here (to find its outcome known); a
new path's bytes are hashed where they are read. On a big night (64 MB of new files or more;
SELLEROPS_INGEST_WORKER=auto, the default) the next files are read and checked in a worker process
while this one loads (sellerops.ingest.preparer). One run at a time per database (sellerops.storage.lock). The run ends with a markdown artifact:
one line a file, with its outcome and reason.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from sellerops import ingest
from sellerops.core.config import ensure_home
from sellerops.ingest import Outcome, Steps, preparer
from sellerops.ingest.prepare import stamped_fingerprint
from sellerops.ingest.preparer import Preparer
from sellerops.storage.lock import run_lock
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
    outcomes: list[Outcome] = []
    with run_lock("sellerops", s=s):
        files = ingest.discover([Path(p) for p in paths], s)
        seen = ingest.paths_seen(files)
        unseen = [p for p in files if p not in seen]
        # the worker starts on the new paths before anything is hashed: its start-up overlaps the hashing
        with Preparer(marketplace or s.marketplace, processes=preparer.wanted(unseen), order=unseen) as prep:
            ingest.open_database(s)
            stamped = {p: stamped_fingerprint(p) for p in files if p in seen}
            changed = [p for p in stamped if ingest.known_outcome(p, stamped[p][0]) is None]
            prep.extend(changed, files, processes=preparer.wanted(unseen + changed), fingerprints=stamped)
            steps = Steps(prepare=lambda p: prepare_report(p, prep), store=lambda d: load_report(d, s),
                          quarantine=lambda d, problems: quarantine_report(d, problems, s))
            for path in files:
                digest = stamped[path][0] if path in seen else None
                o = ingest.decide(path, s, steps, digest, seen=path in seen)
                outcomes.append(o)
                if not o.known:
                    log.info("%s: %s%s", path.name, o.status, f" — {o.reason}" if o.reason else f" ({o.rows} rows)")
        if prep.docs:
            log.info("Great Expectations Data Docs: %s", prep.docs)
    shown = [o for o in outcomes if not (new_only and o.known)]
    create_markdown_artifact(key="ingest-summary", markdown=summary_markdown(shown),
                             description="What each report file became")
    return [dict(o.as_json(), known=o.known, copy=o.copy) for o in outcomes]


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
