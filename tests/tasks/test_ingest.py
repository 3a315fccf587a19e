"""The per-file ingestion tasks: what they ask of the Prefect server."""

from __future__ import annotations

import pytest

from tasks.ingest import load_report, prepare_report, quarantine_report


@pytest.mark.parametrize("task", [prepare_report, load_report, quarantine_report], ids=lambda t: t.name)
def test_a_per_file_step_asks_the_server_for_no_concurrency_slot(task):
    # Prefect requests a tag's concurrency slot from the server before every tagged task run (one
    # request per file and step); their I/O is declared in tests/test_deployments.py instead.
    assert not task.tags
