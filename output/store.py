"""The output store: a catalog's files, published whole or not at all, in a local folder or a bucket.

One protocol for both, because an object store can neither rename a folder nor replace many
files at once:

1. A commit writes the new catalog as its own version, `versions/<id>/`. Files the transaction
   does not replace carry over from the current version (hard links locally, server-side copies
   in a bucket), so every version is complete on its own.
2. `versions/<id>/MANIFEST.json` is written last inside it: its files and the older versions kept.
3. One small pointer is switched, the commit point. Locally the symlink `current -> versions/<id>`
   is replaced atomically; in a bucket the object `CURRENT` is written only if it is unchanged
   since the run read it (If-Match), so two runs never both commit.
4. Versions no kept manifest names (beyond the retention, or left by a killed run) are deleted
   by a later run, under the lock.

Locally the contract's paths stay where they were: `OUT/models.parquet -> current/models.parquet`,
`OUT/snapshots -> current/snapshots`, links that never change. A folder of the older flat
layout is moved into a first version before anything else is written.

Reads are validated against the schema: a damaged file is one line naming it and the repair.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from output.filesystems import Location, OutputError, describe, open_location
from output.lease import FolderLock, ObjectLease, lease_term

__all__ = ["OutputError", "OutputStore", "Transaction", "parquet_bytes", "read_parquet", "table_json"]

LOCK_NAME = ".lock"
VERSIONS = "versions"
CURRENT_LINK = "current"  # local pointer: a symlink
CURRENT_OBJECT = "CURRENT"  # object-store pointer
LEASE_OBJECT = "LOCK"
MANIFEST = "MANIFEST.json"
SNAPSHOTS = "snapshots"
STATE = "state.json"
KEEP_VERSIONS = 10
REPAIR = "run `model-catalog backfill` to rebuild the catalog from git"
# The older flat layout's commit protocol, finished once before the folder moves to versions.
COMMIT_DIR = ".commit"
STAGING_PREFIX = ".staging-"
RESERVED = {VERSIONS, CURRENT_LINK, CURRENT_OBJECT, LEASE_OBJECT, MANIFEST}
_VERSION = re.compile(r"\d{8}T\d{12}Z-[0-9a-f]{8}")


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
    """Snappy, Arrow's default: on tables of a few dozen rows zstd takes 3x the time and saves nothing."""
    import pyarrow.parquet as pq  # with pyarrow.fs, loaded when first needed, inside the flow

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue().to_pybytes()


def _damaged(where: str, reason: str) -> OutputError:
    return OutputError(f"{where} is damaged ({reason}); {REPAIR}")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(". ")[0].rstrip(".")[:160]


def _added_later(f: pa.Field) -> bool:
    """A column marked `pa.field(..., metadata={"added": "..."})` reads as null from older files."""
    return bool(f.metadata) and b"added" in f.metadata


def parquet_table(data: bytes, schema: pa.Schema, where: str) -> pa.Table:
    """Parquet bytes as a table of exactly `schema`; anything else is `OutputError` naming `where`."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _damaged(where, f"not a readable Parquet file: {_short(exc)}") from None
    missing = [f.name for f in schema if f.name not in table.column_names and not _added_later(f)]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise _damaged(where, f"no column {', '.join(missing[:3])}{more}")
    columns = []
    for f in schema:
        if f.name not in table.column_names:
            columns.append(pa.nulls(len(table), f.type))
            continue
        column = table.column(f.name)
        try:
            columns.append(column.cast(f.type))
        except (pa.ArrowException, ValueError):
            raise _damaged(where, f"column {f.name} is {column.type}, not {f.type}") from None
    return pa.Table.from_arrays(columns, schema=schema)


def read_parquet(path: Path, schema: pa.Schema) -> pa.Table | None:
    """A Parquet file at a local path, validated and cast to `schema`; None when absent."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {describe(exc)}") from None
    return parquet_table(data, schema, str(path))


def _check_name(name: str) -> str:
    parts = name.split("/")
    if not name or name.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise ValueError(f"not a catalog file name: {name!r}")
    if parts[0] in RESERVED:
        raise ValueError(f"{name!r} is reserved by the store")
    return name


@dataclass
class Transaction:
    """Files to replace together; nothing is visible until `OutputStore.commit`."""

    files: dict[str, bytes] = field(default_factory=dict)

    def put_table(self, name: str, table: pa.Table, *, with_json: bool = True) -> None:
        self.files[_check_name(f"{name}.parquet")] = parquet_bytes(table)
        if with_json:
            self.files[f"{name}.json"] = table_json(table)

    def put_parquet_files(self, tables: Mapping[str, pa.Table]) -> None:
        """Many tables at once (a backfill's snapshots): Arrow encodes Parquet without the GIL, so in parallel."""
        names = [_check_name(f"{name}.parquet") for name in tables]
        with ThreadPoolExecutor(max_workers=max(1, min(len(tables), len(os.sched_getaffinity(0))))) as pool:
            self.files.update(zip(names, pool.map(parquet_bytes, tables.values()), strict=True))

    def put_json(self, name: str, data: Any) -> None:
        self.files[_check_name(name)] = json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode()


@dataclass(frozen=True)
class _Head:
    """The published version as a run found it. `damage` is the line to show when its pointer is broken."""

    version: str | None
    files: frozenset[str] = frozenset()
    kept: tuple[str, ...] = ()
    token: str | None = None  # object store: the pointer's ETag, compared at commit
    damage: str | None = None
    flat: bool = False  # a local folder of the older flat layout, not migrated yet (read outside the lock)


class _Superseded(Exception):
    """Another run published, or took the lease over, while this one was writing."""


def _storage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    if "botocore.exceptions" in sys.modules:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    return tuple(errors)


def new_version_id(now: datetime | None = None) -> str:
    """Sortable by creation time, unique across runs."""
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%S%f}Z-{uuid.uuid4().hex[:8]}"


def version_time(version: str) -> datetime:
    return datetime.strptime(version[:21], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)


def _manifest(data: bytes, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
        files, kept = manifest["files"], manifest.get("kept", [])
        if not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
            raise ValueError("files is not a list of names")
        if not (isinstance(kept, list) and all(isinstance(k, str) and _VERSION.fullmatch(k) for k in kept)):
            raise ValueError("kept is not a list of versions")
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(where, f"not a manifest: {_short(exc)}") from None
    return manifest


class OutputStore:
    """One catalog: a local folder or an object-store prefix. Use `locked()` around anything that reads then writes it.

    `storage_options` are explicit credentials for object storage (S3: access_key, secret_key,
    session_token, region, endpoint_url, profile); without them the standard chains apply. The
    newest `keep_versions` versions are kept (the current one included), and of those only the ones
    younger than `keep_age` when it is given.
    """

    def __init__(
        self,
        location: str | Path,
        *,
        storage_options: Mapping[str, Any] | None = None,
        keep_versions: int = KEEP_VERSIONS,
        keep_age: timedelta | None = None,
        lease_s: float | None = None,
    ):
        if keep_versions < 1:
            raise OutputError(f"keep at least one version (asked for {keep_versions})")
        self.where: Location = open_location(location, storage_options)
        self.uri = self.where.uri
        self.out: Path | None = Path(self.where.root) if self.where.local else None
        self.keep_versions, self.keep_age = keep_versions, keep_age
        self._backend: _Folder | _Bucket = (
            _Folder(self.where) if self.where.local else _Bucket(self.where, lease_term(lease_s))
        )
        self._head: _Head | None = None  # while locked

    def __repr__(self) -> str:
        return f"OutputStore({self.uri!r})"

    # -- locking and recovery ---------------------------------------------------------
    @contextlib.contextmanager
    def locked(self, wait_s: float = 0.0) -> Iterator[None]:
        """Hold the catalog's lock; another run waits up to `wait_s`, then is refused.

        Under the lock a killed run's leftovers are cleaned up, and an older flat folder is migrated.
        A first run that publishes nothing leaves no folder behind.
        """
        if self._head is not None:
            yield
            return
        errors = _storage_errors()
        try:
            self._backend.acquire(wait_s, f"another run is writing {self.uri}; try again when it has finished")
        except errors as exc:
            raise OutputError(f"cannot use {self._backend.label}: {describe(exc)}") from None
        try:
            try:
                self._backend.prepare()
                head = self._backend.head()
                if head.damage is None:
                    self._collect(head)
            except errors as exc:
                raise OutputError(f"cannot use {self._backend.label}: {describe(exc)}") from None
            self._head = head
            yield
        finally:
            self._head = None
            self._backend.release()

    def recover(self) -> None:
        """Clean up what killed runs left (the lock is taken for it)."""
        with self.locked():
            pass

    def _collect(self, head: _Head) -> None:
        """Delete versions no kept manifest names; a version that cannot be deleted (immutable) is left for later."""
        keep = {head.version, *head.kept}
        for version in self._backend.versions():
            if version not in keep:
                with contextlib.suppress(*_storage_errors()):
                    self._backend.drop(version)

    def _retained(self, head: _Head, now: datetime) -> list[str]:
        older = [head.version, *head.kept] if head.version and head.damage is None else []
        kept = [v for v in older if _VERSION.fullmatch(v)][: self.keep_versions - 1]
        if self.keep_age is not None:
            kept = [v for v in kept if now - version_time(v) <= self.keep_age]
        return kept

    # -- reading ------------------------------------------------------------------------
    def _published(self) -> _Head:
        if self._head is not None:
            return self._head
        try:
            return self._backend.head()
        except _storage_errors() as exc:
            raise OutputError(f"cannot read {self._backend.label}: {describe(exc)}") from None

    def _read(self, name: str) -> tuple[bytes, str] | None:
        head = self._published()
        if head.damage is not None:
            raise OutputError(head.damage)
        where = self._backend.display(head, name)
        if not head.flat and (head.version is None or name not in head.files):
            return None
        try:
            return self._backend.read(head, name), where
        except FileNotFoundError:
            if head.flat:
                return None
            raise _damaged(where, "missing from its version") from None
        except _storage_errors() as exc:
            raise OutputError(f"cannot read {where}: {describe(exc)}") from None

    def read_table(self, name: str, schema: pa.Schema) -> pa.Table | None:
        """`name` without `.parquet` ("models", "alerts/outbox", "snapshots/en/<sha>"); None when absent."""
        found = self._read(f"{name}.parquet")
        return None if found is None else parquet_table(found[0], schema, found[1])

    def read_json(self, name: str) -> Any | None:
        """`name` with its suffix ("state.json"); None when absent."""
        found = self._read(name)
        if found is None:
            return None
        try:
            return json.loads(found[0].decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise _damaged(found[1], f"not valid JSON: {_short(exc)}") from None

    def read_state(self) -> dict[str, Any]:
        state = self.read_json(STATE)
        if state is None:
            return {}
        if not isinstance(state, dict):
            raise _damaged(self._backend.display(self._published(), STATE), "not a JSON object")
        return state

    def locale_state(self, locale: str) -> dict[str, Any]:
        """What state.json holds for `locale`: the branch head caught up with (`commit`), its latest snapshot.

        Here rather than in `output.catalog` so that a run with nothing new reads it without Polars.
        """
        locales = self.read_state().get("locales", {})
        entry = locales.get(locale) if isinstance(locales, dict) else None
        return entry if isinstance(entry, dict) else {}

    def snapshot_path(self, locale: str, commit: str) -> str:
        return f"{SNAPSHOTS}/{locale}/{commit}.parquet"

    def read_snapshot(self, locale: str, commit: str, schema: pa.Schema) -> pa.Table | None:
        return self.read_table(self.snapshot_path(locale, commit).removesuffix(".parquet"), schema)

    def published_version(self) -> str | None:
        """The id of the published version (`versions/<id>`), None while there is none."""
        head = self._published()
        if head.damage is not None:
            raise OutputError(head.damage)
        return head.version

    # -- writing ------------------------------------------------------------------------
    def commit(self, txn: Transaction) -> None:
        """Publish `txn` as a new version with every other file carried over; on any error nothing is published."""
        if self._head is None:
            with self.locked():
                self.commit(txn)
            return
        head = self._head
        now = datetime.now(UTC)
        version = new_version_id(now)
        carried = sorted(head.files - set(txn.files)) if head.damage is None else []
        files = sorted({*txn.files, *carried})
        kept = self._retained(head, now)
        manifest = {"version": version, "parent": head.version, "created_at": now, "files": files, "kept": kept}
        errors = _storage_errors()
        try:
            self._backend.write_version(head, version, txn.files, carried)
            self._backend.write(version, MANIFEST, json.dumps(manifest, indent=1, default=_json_default).encode())
            self._backend.seal(version, files)
        except errors as exc:
            self._drop_quietly(version)
            raise OutputError(
                f"cannot write outputs to {self.uri}: {describe(exc)}; previous outputs are intact"
            ) from None
        try:
            token = self._backend.switch(head, version)  # the commit point
        except _Superseded:
            self._drop_quietly(version)
            raise OutputError(
                f"another run published {self.uri} while this one was writing; nothing of this run was published"
            ) from None
        except errors as exc:  # the version stays: if the pointer did move, the next run keeps it
            raise OutputError(
                f"cannot write outputs to {self.uri}: {describe(exc)}; previous outputs are intact"
            ) from None
        self._head = _Head(version, frozenset(files), tuple(kept), token)
        with contextlib.suppress(*errors):
            self._backend.tidy(files)
            self._collect(self._head)

    def _drop_quietly(self, version: str) -> None:
        with contextlib.suppress(*_storage_errors()):
            self._backend.drop(version)


# -- a local folder ------------------------------------------------------------------------------


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


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link costs nothing; an immutable file (EPERM), another device or a full link count gets a copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
        _write_file(dst, src.read_bytes())


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically (Linux `renameat2(RENAME_EXCHANGE)`); False where unsupported."""
    fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if fn is None:
        return False
    if fn(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class _Folder:
    """A local folder: flock, hard links, a symlink as the pointer."""

    def __init__(self, where: Location):
        self.uri = where.uri
        self.root = Path(where.root)
        self.label = f"output folder {where.uri}"
        self.lock = FolderLock(self.root, LOCK_NAME)
        self.created: list[Path] = []

    def acquire(self, wait_s: float, busy: str) -> None:
        missing, path = [], self.root
        while not path.exists() and path != path.parent:
            missing.append(path)
            path = path.parent
        self.lock.acquire(wait_s, busy)
        self.created = missing

    def release(self) -> None:
        """A folder this run created and published nothing into goes again, with the parents it created."""
        empty = bool(self.created) and not (self.root / CURRENT_LINK).is_symlink()
        if empty:
            with contextlib.suppress(OSError):
                empty = {p.name for p in self.root.iterdir()} <= {LOCK_NAME, VERSIONS}
                if (self.root / VERSIONS).exists():
                    shutil.rmtree(self.root / VERSIONS)
        self.lock.release(remove=empty)
        if empty:
            for path in self.created:
                with contextlib.suppress(OSError):
                    os.rmdir(path)
        self.created = []

    def display(self, head: _Head, name: str) -> str:
        return os.path.join(self.uri, name)

    def _version(self, version: str) -> Path:
        return self.root / VERSIONS / version

    # reading
    def head(self) -> _Head:
        link = self.root / CURRENT_LINK
        where = os.path.join(self.uri, CURRENT_LINK)
        if not link.is_symlink():
            if link.exists():
                return _Head(None, damage=str(_damaged(where, "not a link to a version")))
            return _Head(None, flat=any(self._flat_entries()))
        target = os.readlink(link)
        version = target.removeprefix(f"{VERSIONS}/")
        if not _VERSION.fullmatch(version) or target != f"{VERSIONS}/{version}":
            return _Head(None, damage=str(_damaged(where, f"points to {target!r}, not a version")))
        try:
            manifest = _manifest((self._version(version) / MANIFEST).read_bytes(), where)
        except FileNotFoundError:
            return _Head(None, damage=str(_damaged(where, f"its version {version} has no manifest")))
        except OutputError as exc:
            return _Head(None, damage=str(exc))
        return _Head(version, frozenset(manifest["files"]), tuple(manifest.get("kept", [])))

    def read(self, head: _Head, name: str) -> bytes:
        path = self.root / name if head.flat else self._version(head.version or "") / name
        return path.read_bytes()

    # writing
    def write_version(self, head: _Head, version: str, files: Mapping[str, bytes], carried: list[str]) -> None:
        target = self._version(version)
        for name, data in files.items():
            _write_file(target / name, data)
        for name in carried:
            _link_or_copy(self._version(head.version or "") / name, target / name)

    def write(self, version: str, name: str, data: bytes) -> None:
        _write_file(self._version(version) / name, data)

    def seal(self, version: str, files: list[str]) -> None:
        """Flush the version's folders; then give every top-level name its fixed link through `current`."""
        target = self._version(version)
        for folder in sorted({(target / name).parent for name in files} | {target}, key=lambda p: -len(p.parts)):
            _fsync_dir(folder)
        _fsync_dir(target.parent)
        for top in sorted({name.split("/")[0] for name in files}):
            entry = self.root / top
            if not entry.is_symlink():
                tmp = self.root / f".link-{uuid.uuid4().hex}"
                os.symlink(f"{CURRENT_LINK}/{top}", tmp)
                os.replace(tmp, entry)  # nothing was there: prepare() has migrated any real file of that name

    def switch(self, head: _Head, version: str) -> None:
        tmp = self.root / f".current-{uuid.uuid4().hex}"
        os.symlink(f"{VERSIONS}/{version}", tmp)
        os.replace(tmp, self.root / CURRENT_LINK)
        _fsync_dir(self.root)

    def tidy(self, files: list[str]) -> None:
        """Links to names the published version no longer has."""
        tops = {name.split("/")[0] for name in files}
        for entry in self.root.iterdir():
            ours = entry.is_symlink() and os.readlink(entry) == f"{CURRENT_LINK}/{entry.name}"
            if ours and entry.name not in tops:
                entry.unlink()

    def versions(self) -> list[str]:
        folder = self.root / VERSIONS
        return sorted(p.name for p in folder.iterdir() if _VERSION.fullmatch(p.name)) if folder.is_dir() else []

    def drop(self, version: str) -> None:
        """Renamed away before deletion: a deletion cut short never leaves a half version behind."""
        trash = self.root / VERSIONS / f".trash-{version}"
        os.rename(self._version(version), trash)
        shutil.rmtree(trash)

    # recovery and migration
    def prepare(self) -> None:
        self._finish_flat_commit()
        for stale in [*self.root.glob(f"{STAGING_PREFIX}*"), *self.root.glob(".current-*"), *self.root.glob(".link-*")]:
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
            else:
                shutil.rmtree(stale, ignore_errors=True)
        for stale in [*self.root.glob(".migrate-*"), *(self.root / VERSIONS).glob(".trash-*")]:
            shutil.rmtree(stale, ignore_errors=True)
        self._migrate()

    def _flat_entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        entries = self.root.iterdir()
        return [p for p in entries if not p.name.startswith(".") and p.name not in RESERVED and not p.is_symlink()]

    def _finish_flat_commit(self) -> None:
        """The older protocol's half-moved commit: finish the moves, then drop the commit folder."""
        commit = self.root / COMMIT_DIR
        if not commit.exists():
            return
        manifest = commit / MANIFEST
        names = json.loads(manifest.read_text())["files"] if manifest.exists() else []
        for name in names:
            staged = commit / name
            if staged.exists():
                (self.root / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, self.root / name)
        _fsync_dir(self.root)
        os.rename(commit, self.root / f"{STAGING_PREFIX}done-{uuid.uuid4().hex}")  # deleted by prepare()

    def _migrate(self) -> None:
        """Flat files become the first version, then each is replaced by its link; the bytes are the same throughout."""
        entries = self._flat_entries()
        if not entries:
            return
        head = self.head()
        if head.damage is not None:
            raise OutputError(head.damage)
        if head.version is None:
            version = new_version_id()
            files = []
            for entry in entries:
                paths = [entry] if entry.is_file() else [p for p in sorted(entry.rglob("*")) if p.is_file()]
                for path in paths:
                    name = path.relative_to(self.root).as_posix()
                    _link_or_copy(path, self._version(version) / name)
                    files.append(name)
            manifest = {
                "version": version,
                "parent": None,
                "created_at": datetime.now(UTC),
                "files": sorted(files),
                "kept": [],
            }
            self.write(version, MANIFEST, json.dumps(manifest, indent=1, default=_json_default).encode())
            for folder in sorted({p.parent for p in self._version(version).rglob("*")}, key=lambda p: -len(p.parts)):
                _fsync_dir(folder)
            self.switch(head, version)
            head = self.head()
        tops = {name.split("/")[0] for name in head.files}
        for entry in entries:
            if entry.name not in tops:
                continue  # not the catalog's: left alone
            tmp = self.root / f".link-{uuid.uuid4().hex}"
            os.symlink(f"{CURRENT_LINK}/{entry.name}", tmp)
            try:
                if entry.is_dir():
                    if not _exchange(tmp, entry):
                        os.rename(entry, self.root / f".migrate-{uuid.uuid4().hex}")
                        os.replace(tmp, entry)
                    else:
                        os.rename(tmp, self.root / f".migrate-{uuid.uuid4().hex}")
                else:
                    os.replace(tmp, entry)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                hint = "; is it immutable? see lsattr" if exc.errno == errno.EPERM else ""
                raise OutputError(
                    f"cannot move {self.uri} to its versioned layout: {entry} cannot be replaced "
                    f"({describe(exc)}{hint}); previous outputs are intact"
                ) from None
        _fsync_dir(self.root)
        for stale in self.root.glob(".migrate-*"):
            shutil.rmtree(stale, ignore_errors=True)


# -- an object-store prefix ----------------------------------------------------------------------

PARALLEL = 16  # concurrent requests while writing or copying a version


class _Bucket:
    """An object-store prefix: data through pyarrow.fs, the lease and the pointer through conditional writes."""

    def __init__(self, where: Location, term_s: float):
        self.where, self.uri, self.fs = where, where.uri, where.fs
        self.label = where.uri
        self.term_s = term_s
        self.lease: ObjectLease | None = None

    def _conditional(self):  # type: ignore[no-untyped-def]
        if self.where.conditional is None:
            package = "google-cloud-storage" if self.where.scheme == "gs" else "azure-storage-blob and azure-identity"
            raise OutputError(
                f"cannot write {self.uri}: its lease and commit need conditional writes, which need {package} "
                f"(pip install {package.replace(' and ', ' ')})"
            )
        return self.where.conditional

    def _path(self, name: str) -> str:
        return f"{self.where.root}/{name}"

    def display(self, head: _Head, name: str) -> str:
        return f"{self.uri}/{VERSIONS}/{head.version}/{name}" if head.version else f"{self.uri}/{name}"

    def acquire(self, wait_s: float, busy: str) -> None:
        self.lease = ObjectLease(self._conditional(), self.where.key(LEASE_OBJECT), self.term_s, describe)
        self.lease.acquire(wait_s, busy)

    def release(self) -> None:
        if self.lease is not None:
            self.lease.release()
            self.lease = None

    def prepare(self) -> None:
        pass

    def head(self) -> _Head:
        where = f"{self.uri}/{CURRENT_OBJECT}"
        if self.where.conditional is not None:
            stamp = self.where.conditional.read(self.where.key(CURRENT_OBJECT))
            data, token = (None, None) if stamp is None else (stamp.data, stamp.token)
        else:  # reading only: plain GET
            try:
                with self.fs.open_input_stream(self._path(CURRENT_OBJECT)) as stream:
                    data, token = stream.readall(), None
            except FileNotFoundError:
                data, token = None, None
        if data is None:
            return _Head(None)
        try:
            version = json.loads(data.decode("utf-8"))["version"]
            if not isinstance(version, str) or not _VERSION.fullmatch(version):
                raise ValueError(f"{version!r} is not a version")
        except (ValueError, KeyError, TypeError) as exc:
            return _Head(None, token=token, damage=str(_damaged(where, f"not a pointer: {_short(exc)}")))
        try:
            with self.fs.open_input_stream(self._path(f"{VERSIONS}/{version}/{MANIFEST}")) as stream:
                manifest = _manifest(stream.readall(), where)
        except FileNotFoundError:
            return _Head(None, token=token, damage=str(_damaged(where, f"its version {version} has no manifest")))
        except OutputError as exc:
            return _Head(None, token=token, damage=str(exc))
        return _Head(version, frozenset(manifest["files"]), tuple(manifest.get("kept", [])), token)

    def read(self, head: _Head, name: str) -> bytes:
        with self.fs.open_input_stream(self._path(f"{VERSIONS}/{head.version}/{name}")) as stream:
            return stream.readall()

    def write(self, version: str, name: str, data: bytes) -> None:
        with self.fs.open_output_stream(self._path(f"{VERSIONS}/{version}/{name}")) as stream:
            stream.write(data)

    def write_version(self, head: _Head, version: str, files: Mapping[str, bytes], carried: list[str]) -> None:
        """New files uploaded and old ones copied server-side, many at a time; the first failure stops it."""
        jobs = [lambda n=name, d=data: self.write(version, n, d) for name, data in files.items()]
        jobs += [
            lambda n=name: self.fs.copy_file(
                self._path(f"{VERSIONS}/{head.version}/{n}"), self._path(f"{VERSIONS}/{version}/{n}")
            )
            for name in carried
        ]
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()

    def seal(self, version: str, files: list[str]) -> None:
        pass  # an object is durable once its PUT returned

    def switch(self, head: _Head, version: str) -> str:
        conditional = self._conditional()
        if self.lease is None or self.lease.lost:
            raise _Superseded
        data = json.dumps({"version": version}).encode()
        key = self.where.key(CURRENT_OBJECT)
        token = conditional.create(key, data) if head.token is None else conditional.replace(key, data, head.token)
        if token is None:
            raise _Superseded
        return token

    def tidy(self, files: list[str]) -> None:
        pass

    def versions(self) -> list[str]:
        from pyarrow import fs as pafs

        infos = self.fs.get_file_info(pafs.FileSelector(self._path(VERSIONS), allow_not_found=True))
        return sorted(
            name
            for info in infos
            if info.type == pafs.FileType.Directory and _VERSION.fullmatch(name := info.path.rsplit("/", 1)[-1])
        )

    def drop(self, version: str) -> None:
        self.fs.delete_dir(self._path(f"{VERSIONS}/{version}"))
