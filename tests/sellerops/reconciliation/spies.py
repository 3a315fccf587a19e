"""A spy on the settlement-copy reader a reconciliation module calls: the real copies are still read
and judged (not a mock), and the ids of the report files read are recorded in order."""

from __future__ import annotations


def copy_reads(monkeypatch, module) -> list[int]:
    """Record every `settlement_file_lines` call `module` makes; the list fills as the run reads."""
    read: list[int] = []
    real = module.settlement_file_lines

    def counting(conn, account, f):
        read.append(f.id)
        return real(conn, account, f)

    monkeypatch.setattr(module, "settlement_file_lines", counting)
    return read
