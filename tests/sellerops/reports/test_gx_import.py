"""Great Expectations' import without the modules it loads for checks sellerops never makes.

great_expectations imports scipy.stats and altair at its own import, for its KL-divergence and KS
expectations and their charts: half its import time, which every night's first check waits for.
`sellerops.reports.validate` puts them off until first used. Each case runs in a fresh interpreter,
where the import is really the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def run(code: str, home: Path) -> list[str]:
    env = dict(os.environ, SELLEROPS_HOME=str(home), GX_ANALYTICS_ENABLED="false")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_checks_and_data_docs_leave_the_unused_modules_unloaded(tmp_path):
    """A good file and two refused ones checked, the Data Docs written: scipy.stats and altair were
    never loaded (each is still the stand-in that loads it on first use)."""
    out = run(f"""
        import sys
        from pathlib import Path
        from sellerops.ingest.prepare import prepare
        from sellerops.reports.validate import Deferred, build_docs
        for name in ("settlement_ok.txt", "settlement_non_numeric_amount.txt", "settlement_truncated.txt"):
            d = prepare(Path({str(DATA)!r}) / name, "Amazon.com")
            print(name, bool(d.problems))
        print(bool(build_docs()))
        print(*(isinstance(sys.modules[m], Deferred) for m in ("scipy.stats", "altair")))
    """, tmp_path)
    assert out == ["settlement_ok.txt", "False", "settlement_non_numeric_amount.txt", "True",
                   "settlement_truncated.txt", "True", "True", "True", "True"]


def test_a_put_off_module_loads_and_works_on_first_use(tmp_path):
    """Put off, not left out: great_expectations' own KL-divergence module reaches scipy.stats and
    altair through the names it imported, and an import of a submodule finds the real package."""
    out = run("""
        import sys
        from sellerops.reports.validate import Deferred, context
        context()
        import great_expectations.expectations.core.expect_column_kl_divergence_to_be_less_than as kl
        print(isinstance(sys.modules["scipy.stats"], Deferred))
        print(round(float(kl.stats.entropy([0.5, 0.5])), 4), kl.alt.Chart.__name__)
        print(isinstance(sys.modules["scipy.stats"], Deferred), isinstance(sys.modules["altair"], Deferred))
        import scipy.stats.distributions
        from scipy import stats
        print(stats.norm.cdf(0), stats is sys.modules["scipy.stats"])
        context()  # a second context: nothing put off again
        print(isinstance(sys.modules["scipy.stats"], Deferred))
    """, tmp_path)
    assert out == ["True", "0.6931", "Chart", "False", "False", "0.5", "True", "False"]


def test_listing_a_put_off_module_loads_it(tmp_path):
    """`dir()` of the stand-in (a user exploring scipy.stats in a session that checked a file first)
    lists the real module's names."""
    out = run("""
        import sys
        from sellerops.reports.validate import context
        context()
        stats = sys.modules["scipy.stats"]
        print("norm" in dir(stats), type(sys.modules["scipy.stats"]).__name__)
    """, tmp_path)
    assert out == ["True", "module"]


def test_the_collector_is_paused_while_great_expectations_imports_and_left_as_found(tmp_path):
    """No full pass of the cyclic collector runs while great_expectations imports (unpaused it makes
    two there), and its objects are then kept out of later passes (frozen); after it the collector
    is on again when it was, off when it was not, and still collects."""
    out = run("""
        import gc
        import sellerops.ingest.prepare
        full = []
        gc.callbacks.append(lambda phase, info: full.append(1) if phase == "start" and info["generation"] == 2 else None)
        frozen = gc.get_freeze_count()
        from sellerops.reports.validate import context
        context()
        print(len(full), gc.isenabled(), gc.get_freeze_count() - frozen > 100_000)
        gc.collect()
        print(len(full) > 0)
    """, tmp_path)
    assert out == ["0", "True", "True", "True"]
    out = run("""
        import gc
        gc.disable()
        from sellerops.reports.validate import context
        context()
        print(gc.isenabled())
    """, tmp_path)
    assert out == ["False"]
