"""The `ingest-reports` flow: every file under the given paths through detect → validate → load.

Files go one by one in a stable order, so which of two copies is the original is reproducible.
The run ends with a markdown artifact: one line a file, with its outcome and reason.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from sellerops import ingest
from sellerops.config import ensure_home
from sellerops.ingest import Outcome
from tasks.ingest import detect_report, load_report, quarantine_report, validate_report


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
    outcomes: list[Outcome] = []
    for path in files:
        digest = ingest.sha256_of(path.read_bytes())
        if (rf := ingest.known_outcome(path, digest)) is not None:
            outcomes.append(ingest.known(rf))
            continue
        d = detect_report(path, default_mp)
        if (first := ingest.content_seen(d.sha256)) is not None:
            outcomes.append(ingest.duplicate_of(d, first, s))
        elif d.error:
            outcomes.append(quarantine_report(d, [d.error], account))
        elif problems := validate_report(d):
            outcomes.append(quarantine_report(d, problems, account))
        else:
            outcomes.append(load_report(d, account))
        o = outcomes[-1]
        log.info("%s: %s%s", path.name, o.status, f" — {o.reason}" if o.reason else f" ({o.rows} rows)")
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
