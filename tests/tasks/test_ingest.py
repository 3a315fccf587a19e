"""The ingestion tasks' tags: each tag costs a request to the Prefect server per task run (it asks
for tag concurrency slots), so only the tasks that talk to the database carry one."""

from tasks.ingest import load_report, prepare_report, quarantine_report


def test_preparing_a_file_carries_no_tag():
    # two task runs a file: an untagged preparation halves the slot requests of a night
    assert prepare_report.tags == set()
    assert prepare_report.retries == 0


def test_writing_the_database_keeps_its_io_tag():
    assert "io:database" in load_report.tags and load_report.retries == 3
    assert "io:database" in quarantine_report.tags and quarantine_report.retries == 3
