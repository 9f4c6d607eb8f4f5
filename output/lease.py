"""One writer per catalog: `flock` on a local folder, a conditional-write lease on object storage.

The lease is a small object created with create-if-absent and renewed with replace-if-unchanged
while the run lives. A lease whose holder stopped renewing (a killed run) is older than its
term on the server's clock and may be taken over, again with replace-if-unchanged, so two
runs never both take it. The commit itself compares the catalog's pointer too (see `store`),
so a run whose lease ran out while it was paused cannot publish over its successor.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from output.filesystems import Conditional, OutputError

LEASE_S = 120.0  # a killed run's lease is taken over after this long
LEASE_ENV = "MODEL_CATALOG_LEASE_SECONDS"  # a shorter term, e.g. for tests
POLL_S = 0.2


def lease_term(lease_s: float | None) -> float:
    if lease_s is not None:
        return float(lease_s)
    try:
        return float(os.environ.get(LEASE_ENV, LEASE_S))
    except ValueError:
        return LEASE_S


def _wait(deadline: float, busy: str) -> None:
    if time.monotonic() >= deadline:
        raise OutputError(busy)
    time.sleep(POLL_S)


class FolderLock:
    """`flock` on `folder/.lock`; the inode is checked after locking, since a failed first run removes its folder."""

    def __init__(self, folder: Path, name: str = ".lock"):
        self.path = folder / name
        self.handle: IO[str] | None = None

    def acquire(self, wait_s: float, busy: str) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")  # noqa: SIM115 - held until release
            try:
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        _wait(deadline, busy)
                try:
                    same = os.stat(self.path).st_ino == os.fstat(handle.fileno()).st_ino
                except FileNotFoundError:
                    same = False
            except BaseException:
                handle.close()
                raise
            if same:
                self.handle = handle
                return
            handle.close()  # the holder removed the folder it had created: lock the new one

    def release(self, remove: bool = False) -> None:
        """`remove`: unlink the lock file first (while still holding it), for a folder about to go."""
        if self.handle is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self.handle.close()
        self.handle = None


class ObjectLease:
    """A lease object at `key`, renewed every quarter term by a daemon thread while held."""

    def __init__(self, conditional: Conditional, key: str, term_s: float, describe: Callable[[BaseException], str]):
        self.conditional, self.key, self.term_s, self.describe = conditional, key, term_s, describe
        self.token: str | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._owner = {"owner": uuid.uuid4().hex, "host": socket.gethostname(), "pid": os.getpid(), "term_s": term_s}
        self._renewals = 0

    @property
    def _body(self) -> bytes:
        """Every renewal changes the body, so its token (an S3 ETag is the body's MD5) changes too."""
        return json.dumps({**self._owner, "renewal": self._renewals}).encode()

    def acquire(self, wait_s: float, busy: str) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            token = self.conditional.create(self.key, self._body)
            if token is None:
                held = self.conditional.read(self.key)
                if held is None:
                    continue  # released in between: try again at once
                if held.age_s > _term(held.data, self.term_s):
                    token = self.conditional.replace(self.key, self._body, held.token)  # a dead holder's
            if token is not None:
                self.token = token
                self._thread = threading.Thread(target=self._renew, name="model-catalog-lease", daemon=True)
                self._thread.start()
                return
            _wait(deadline, busy)

    def _renew(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(self.term_s / 4):
            self._renewals += 1
            try:
                token = self.conditional.replace(self.key, self._body, self.token or "")
            except Exception:  # a network blip: keep trying until the term runs out
                if time.monotonic() - last > self.term_s:
                    self.lost = True
                    return
                continue
            if token is None:
                self.lost = True  # taken over: this run's term had run out
                return
            self.token, last = token, time.monotonic()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.token is not None and not self.lost:
            with contextlib.suppress(Exception):  # an unreleased lease just runs out
                self.conditional.delete(self.key, self.token)
        self.token = None


def _term(data: bytes, default: float) -> float:
    """The holder's own term, so a run with a longer one is not taken over early."""
    try:
        return float(json.loads(data)["term_s"])
    except (ValueError, KeyError, TypeError):
        return default
