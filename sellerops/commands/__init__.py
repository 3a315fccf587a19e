"""The command groups of procedures beyond the first ones, one module each, added to `sellerops.cli.app`.

Like `sellerops.cli` they are the package's edge: they may run a flow on a Prefect server, and
they import the shared helpers (`_database`, `_server`, `_table`, `Fail`, …) from `sellerops.cli`
inside each command, since the CLI module imports them at its end.
"""
