"""Functions the ingestion-worker tests run in the worker process (importable by name, as "spawn" needs)."""

import sys
import time


def gx_in_worker() -> bool:
    """Whether the worker's start-up imported Great Expectations (waits for its thread, at most 120 s)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        from sellerops.reports import validate

        if "great_expectations" in sys.modules and validate._contexts:
            return True
        time.sleep(0.05)
    return False
