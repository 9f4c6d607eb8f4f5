"""Prefect's floor: an empty flow with one task, run the way `model-catalog` runs (a fresh process).

`--with-parameters` gives the empty flow `model-catalog`'s parameters (names, types, defaults:
`run_bench.py` checks they match), so it also pays what Prefect spends on a flow's parameters
before the flow starts: their schema when the flow is decorated, their validation, and their
encoding when the run is created.
"""

from __future__ import annotations

import gc
import os
import sys
from datetime import datetime
from typing import Any, Literal

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # as flows/cli.py does

from prefect import flow, task
from pydantic import SecretStr

Mode = Literal["run", "backfill"]


@task
def noop() -> int:
    return 1


@flow(name="empty")
def empty() -> int:
    return noop()


@flow(name="empty-with-parameters")
def empty_with_parameters(
    source: str = "https://github.com/box/developer.box.com.git",
    out: str = "catalog",
    locales: list[str] = ["en", "ja"],  # noqa: B006 - as model-catalog's
    cache_dir: str | None = None,
    mode: Mode = "run",
    since: datetime | None = None,
    lock_wait_s: float = 0.0,
    alert_webhook: SecretStr | None = None,
    alert_webhook_secret: str | None = None,
    alert_on: list[str] = ["added", "removed", "availability", "deprecated_on", "tier", "api_name"],  # noqa: B006
    alert_baseline: bool = False,
    alert_lag_days: float | None = None,
    keep_versions: int = 10,
    storage_block: str | None = None,
    notify: list[str] = [],  # noqa: B006
) -> Any:
    return noop()


if __name__ == "__main__":
    if "--frozen-heap" in sys.argv:
        gc.freeze()  # as `model-catalog` does before its flow: the same GC settings, the same floor
    if "--with-parameters" in sys.argv:
        empty_with_parameters(source="file:///docs.git", out="out", cache_dir="/tmp/cache", mode="run")
    else:
        empty()
