"""The pull's tasks declare their I/O, and retry only where nothing below them retries already."""

from __future__ import annotations

import pytest
from prefect import Task

from tasks import spapi as t

TASKS = {name: obj for name, obj in vars(t).items() if isinstance(obj, Task)}


def test_every_task_declares_its_io_and_has_a_one_line_docstring():
    assert TASKS, "no task found in tasks/spapi.py"
    for name, task in TASKS.items():
        assert {tag for tag in task.tags if tag.startswith("io:")}, f"{name} declares no io: tag"
        doc = (task.fn.__doc__ or "").strip()
        assert doc and "\n" not in doc, f"{name}: a one-line docstring"


@pytest.mark.parametrize("name", ["list_settlements", "fetch_settlement", "request_report", "await_report"])
def test_amazon_tasks_do_not_stack_retries_on_the_clients(name):
    task = TASKS[name]
    # The SP-API client retries throttling, 5xx and dropped connections itself (PacingPolicy.max_attempts):
    # a task retry would multiply them.
    assert {"io:network", "retries:client"} <= set(task.tags)
    assert task.retries == 0


@pytest.mark.parametrize("name", ["read_cursor", "mark_pending", "advance_cursor", "clear_pending"])
def test_cursor_tasks_retry_database_hiccups_only(name):
    import sqlalchemy.exc
    from prefect.states import Failed

    task = TASKS[name]
    assert "io:database" in task.tags and task.retries > 0
    busy = Failed(data=sqlalchemy.exc.OperationalError("UPDATE pull_cursor", {}, Exception("database is locked")))
    broken = Failed(data=RuntimeError("table 'pull_cursor' is missing"))
    assert task.retry_condition_fn(task, None, busy) is True
    assert task.retry_condition_fn(task, None, broken) is False


def test_file_task_has_no_retries():
    assert "io:file" in TASKS["save_document"].tags and TASKS["save_document"].retries == 0
