"""The output folder: Parquet and JSON writers, the snapshot store, state, and the lock.

Every run stages all the files it writes, then commits them with one directory rename;
the renames into place that follow are replayed by the next run if the process dies
in between. A failed or killed run therefore leaves the previous outputs as they were.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

LOCK_NAME = ".lock"
COMMIT_DIR = ".commit"
STAGING_PREFIX = ".staging-"
MANIFEST = "MANIFEST.json"
SNAPSHOTS = "snapshots"


class OutputError(Exception):
    """The output folder cannot be used; the message is one line for the user."""


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def table_json(table: pa.Table) -> bytes:
    """The rows of `table` as a JSON array: dates `YYYY-MM-DD`, timestamps ISO 8601 UTC."""
    return json.dumps(table.to_pylist(), ensure_ascii=False, indent=1, default=_json_default).encode()


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def read_parquet(path: Path, schema: pa.Schema) -> pa.Table | None:
    """A table written by an earlier run, cast to today's schema (new columns are null)."""
    if not path.exists():
        return None
    table = pq.read_table(path)
    columns = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


@dataclass
class Transaction:
    """Files to replace together; nothing is visible until `OutputStore.commit`."""

    files: dict[str, bytes] = field(default_factory=dict)

    def put_table(self, name: str, table: pa.Table, *, with_json: bool = True) -> None:
        self.files[f"{name}.parquet"] = parquet_bytes(table)
        if with_json:
            self.files[f"{name}.json"] = table_json(table)

    def put_parquet_files(self, tables: Mapping[str, pa.Table]) -> None:
        """Many tables at once (a backfill's snapshots): Arrow encodes Parquet without the GIL, so in parallel."""
        with ThreadPoolExecutor(max_workers=max(1, min(len(tables), len(os.sched_getaffinity(0))))) as pool:
            encoded = pool.map(parquet_bytes, tables.values())
            self.files.update((f"{name}.parquet", data) for name, data in zip(tables, encoded, strict=True))

    def put_json(self, name: str, data: Any) -> None:
        self.files[name] = json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class OutputStore:
    """One output folder. Use `locked()` around anything that reads then writes it."""

    def __init__(self, out: Path):
        self.out = out

    # -- locking and recovery ---------------------------------------------------------
    @contextlib.contextmanager
    def locked(self, wait_s: float = 0.0) -> Iterator[None]:
        """Hold the folder's lock; another run waits up to `wait_s`, then is refused."""
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            handle = open(self.out / LOCK_NAME, "a+")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise OutputError(f"cannot use output folder {self.out}: {exc.strerror or exc}") from None
        deadline = time.monotonic() + wait_s
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OutputError(
                            f"another run is writing {self.out}; try again when it has finished"
                        ) from None
                    time.sleep(0.2)
            self.recover()
            yield
        finally:
            handle.close()

    def recover(self) -> None:
        """Finish a committed transaction a killed run left half-moved; drop uncommitted ones.

        The finished commit folder is renamed away before it is deleted: a deletion cut short
        would otherwise leave a commit folder without its manifest.
        """
        commit = self.out / COMMIT_DIR
        if commit.exists():
            manifest = commit / MANIFEST
            names = json.loads(manifest.read_text())["files"] if manifest.exists() else []
            for name in names:
                staged = commit / name
                if staged.exists():
                    (self.out / name).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staged, self.out / name)
            _fsync_dir(self.out)
            os.rename(commit, self.out / f"{STAGING_PREFIX}done-{uuid.uuid4().hex}")
        for stale in self.out.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)

    # -- reading ------------------------------------------------------------------------
    def read_table(self, name: str, schema: pa.Schema) -> pa.Table | None:
        return read_parquet(self.out / f"{name}.parquet", schema)

    def read_json(self, name: str) -> Any | None:
        """A JSON file of the folder, parsed; None when absent."""
        path = self.out / name
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise OutputError(
                f"{path} is damaged (not valid JSON: {exc}); run `model-catalog backfill` to rebuild it"
            ) from None

    def snapshot_path(self, locale: str, commit: str) -> str:
        return f"{SNAPSHOTS}/{locale}/{commit}.parquet"

    # -- writing ------------------------------------------------------------------------
    def commit(self, txn: Transaction) -> None:
        """Make every file of `txn` visible; on any error the folder is left as it was."""
        staging = self.out / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        try:
            for name, data in txn.files.items():
                _write_file(staging / name, data)
            _write_file(staging / MANIFEST, json.dumps({"files": sorted(txn.files)}).encode())
            _fsync_dir(staging)
            os.rename(staging, self.out / COMMIT_DIR)  # the commit point
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            reason = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise OutputError(f"cannot write outputs to {self.out}: {reason}; previous outputs are intact") from None
        self.recover()
