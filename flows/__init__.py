"""The SOPs as Prefect flows."""

from flows.heartbeats import end_without_join

end_without_join()  # every flow run's end, whichever flow: see flows/heartbeats.py
