"""Fixtures for the Amazon sources: the local SP-API server (tests/spapi_server.py) and sources aimed at it."""

from tests.spapi_server import fake, fast_policy, make_source, spapi_http  # noqa: F401  (fixtures)
