"""Prefect's floor: an empty flow with one task, run the way `model-catalog` runs (a fresh process)."""

from __future__ import annotations

import gc
import os
import sys

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # as flows/cli.py does

from prefect import flow, task


@task
def noop() -> int:
    return 1


@flow(name="empty")
def empty() -> int:
    return noop()


if __name__ == "__main__":
    if "--frozen-heap" in sys.argv:
        gc.freeze()  # as `model-catalog` does before its flow: the same GC settings, the same floor
    empty()
