"""A child process for the concurrency and crash tests: ingests the folder in argv[1] with the
flow-free path and prints its outcomes as one JSON line; prints "ready" once imported and connected."""

import json
import sys
from pathlib import Path

from sellerops.ingest import ingest_paths
from sellerops.storage.engine import get_engine

get_engine()
print("ready", flush=True)
outcomes = ingest_paths([Path(sys.argv[1])])
print(json.dumps([[Path(o.path).name, o.status, o.known] for o in outcomes]), flush=True)
