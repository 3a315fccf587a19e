"""Publishing to the board as Prefect tasks: the night's artifacts and the alert.

The summary itself is data built in `sellerops.reconciliation.summary`; these tasks only hand it to
the Prefect API and to a notification block, both over the network, hence the retries.

`publish-findings` runs every night and carries no `io:` tag (tests/test_deployments.py declares
its I/O): Prefect asks the server for a tag's concurrency slot before every tagged task run, and a
server on SQLite answers some of those "database is locked", each costing the night a 2 s back-off.
"""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.cache_policies import NONE

from sellerops.reconciliation.summary import NightSummary, open_findings_markdown, render_markdown, validation_markdown


@task(name="publish-findings", retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE, persist_result=False)
def publish_findings(summary: NightSummary, open_findings: list[dict], started: dt.datetime | None = None) -> None:
    """The board's artifacts: the night's summary, the open findings by deadline, what the checks
    refused, and tonight's Data Docs."""
    create_markdown_artifact(key="reconciliation-summary", markdown=render_markdown(summary),
                             description="Money at stake and what changed since the last run")
    create_markdown_artifact(key="open-findings", markdown=open_findings_markdown(open_findings),
                             description="Open findings, the soonest claim deadline first")
    create_markdown_artifact(key="validation-results", markdown=validation_markdown(summary),
                             description="What tonight's checks refused, where")
    docs = _tonights_docs(started)
    if docs:
        create_link_artifact(key="data-docs", link=docs, link_text="Great Expectations Data Docs",
                             description="Tonight's validation results")


def _tonights_docs(started: dt.datetime | None) -> str | None:
    """The Data Docs address when tonight's checks wrote them: in this process (built now) or in
    the ingestion's worker process (already built, so newer than the run's start)."""
    from sellerops.reports.validate import build_docs, docs_dir, docs_url

    built = build_docs()
    if built:
        return built
    index = docs_dir() / "index.html"
    if started is not None and index.exists() and index.stat().st_mtime >= started.timestamp():
        return docs_url()
    return None


@task(name="notify-new-findings", tags=["io:network"], retries=2, retry_delay_seconds=[5, 30], cache_policy=NONE, persist_result=False)
def notify_new_findings(block_name: str, message: str, subject: str = "sellerops: new reconciliation findings") -> None:
    """Send the night's headline through the saved notification block `block_name`."""
    from prefect.blocks.core import Block
    from prefect.blocks.notifications import NotificationBlock

    try:
        # NotificationBlock.load looks in the abstract "notification-block" type, where no saved block
        # lives: a name "<type-slug>/<name>" (e.g. "slack-webhook/alerts") loads the real one.
        block = Block.load(block_name) if "/" in block_name else NotificationBlock.load(block_name)
    except (ValueError, KeyError):
        get_run_logger().warning("notification block %r not found: no alert sent", block_name)
        return
    block.notify(body=message, subject=subject)
