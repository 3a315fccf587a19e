"""The real chain without a server, as `make demo` runs it: the demo's health files ingested, the watch
measuring them, every tripped subject warned at its level, and each critical one answered by the
procedure the actions table names (a decision owed where a person must decide)."""

from __future__ import annotations

import datetime as dt

from sellerops import decisions
from sellerops.demo.health import TRIPPED, write_health_files
from sellerops.health import procedures, service
from sellerops.health.actions import action_for
from sellerops.ingest import LOADED, ingest_paths
from sellerops.storage.engine import session

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone.utc)


def test_the_demo_files_warn_each_signal_once_and_start_the_answering_procedures(sellerops_home, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{sellerops_home / 'chain.db'}")
    files = write_health_files(tmp_path / "inbox", NOW)
    assert {o.status for o in ingest_paths(files)} == {LOADED}
    with session() as s:
        run = service.run_watch(s, NOW)
        started = procedures.answer_changes(s, run.changes, NOW)
        warned = {(w["signal"], w["subject"]): w["level"] for w in service.warnings(s)}
        owed = decisions.owed(s)
    assert warned == {(sig, subj): "warning" if sig == "ip_complaints" else "critical" for sig, subj in TRIPPED.items()}
    assert {a["procedure"] for a in started} == {
        action_for(sig, "critical").procedure for sig in TRIPPED if action_for(sig, "critical")}
    assert owed, "the recheck, clearance and freeze ask a person"
    with session() as s:  # a second hour at the same levels: no new change, no procedure started again
        again = service.run_watch(s, NOW + dt.timedelta(hours=1))
        assert again.changes == [] and procedures.answer_changes(s, again.changes, NOW) == []
