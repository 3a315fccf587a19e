"""The board's tasks: what they ask of the Prefect server."""

from __future__ import annotations

from tasks.board import publish_findings


def test_the_nightly_publish_asks_the_server_for_no_concurrency_slot():
    # Prefect requests a tag's concurrency slot from the server before every tagged task run; the
    # task's I/O is declared in tests/test_deployments.py instead.
    assert not publish_findings.tags
