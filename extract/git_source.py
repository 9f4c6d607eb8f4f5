"""The cached clone of a source: kept usable under its own lock, synced, and read card folder by card folder.

The only module that uses GitPython. `sync_source` brings the cache up to date (the
partial-fetch engine is `git_fetch.py`) and returns a `CachedRepo` that the readers take:
`branch_head`, `list_folder_commits`, `iter_folder_snapshots`.

Each cached source has a lock file beside its folder (`<cache_dir>/<hash>.lock`),
independent of the output folder's lock: a sync holds it exclusively, a reader shared, so
runs with different outputs can share one cache and a sync never repacks under a reader.
Under the exclusive lock the sync removes what killed git processes left (lock and
temporary files) and rebuilds a cache it cannot use, so a cache never stays broken.
"""

from __future__ import annotations

import configparser
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, UnsafeProtocolError

from extract.git_errors import (
    CacheDamaged,
    CacheError,
    IncompleteSource,
    TransientSyncError,
    cache_unusable,
    first_reason,
    git_error,
    os_reason,
)
from extract.git_fetch import (
    GIT_ENV,
    REMOTE,
    Fetcher,
    compact,
    fetch_blobs,
    fetch_branches,
    fetch_folder_trees,
    local_refs,
    remote_refs,
)
from extract.git_objects import (
    MODE_SYMLINK,
    NOT_FILES,
    parse_batch,
    parse_batch_check,
    parse_log,
    path_ends_before,
    tree_entries,
)
from extract.sources import TOKEN_ENV, SourceError, carries_secret, public_source

__all__ = [
    "GIT_ENV",
    "MODE_SYMLINK",
    "CachedRepo",
    "CardFile",
    "CommitRef",
    "FolderLog",
    "FolderSnapshot",
    "TransientSyncError",
    "branch_head",
    "cache_path",
    "iter_folder_snapshots",
    "list_folder_commits",
    "sync_source",
]

CACHE_LOCK_WAIT_S = 900  # how long a run waits for another run's sync or reads of the same cache
_REBUILD = "model-catalog-rebuild"  # left in the cache by a reader that found it damaged
# Files a killed git leaves behind; each makes the next git refuse to run or wastes space.
_STALE = re.compile(r".*\.lock|tmp_.*|\.tmp-.*")
_SWEPT = ("refs", "logs", "objects")  # where, below the top folder, they are looked for
# The cache never writes a commit-graph or multi-pack index, so fsck need not start their verifiers.
_NO_GRAPHS = ("git", "-c", "core.commitGraph=false", "-c", "core.multiPackIndex=false")


@dataclass(frozen=True)
class CommitRef:
    """A commit on a branch's first-parent line."""

    sha: str
    committed_at: datetime


@dataclass(frozen=True)
class CardFile:
    """One file directly in a card folder at one commit. `data` is None when not read."""

    path: str
    blob: str
    mode: int
    size: int
    data: bytes | None

    @property
    def is_symlink(self) -> bool:
        return self.mode == MODE_SYMLINK


@dataclass(frozen=True)
class FolderSnapshot:
    """A card folder as one commit has it."""

    commit: CommitRef
    files: tuple[CardFile, ...]


@dataclass(frozen=True)
class FolderLog:
    """The first-parent commits that touched a folder, oldest first.

    `rewritten`: the commit asked to start after is no longer an ancestor of the branch head
    (a force-push); `commits` then holds only the newest commit that touched the folder.
    """

    commits: list[CommitRef]
    rewritten: bool


@dataclass(frozen=True)
class CachedRepo:
    """A synced cache: its folder, the source it mirrors, the branch heads and card folders the sync brought.

    Readers read the heads recorded here, not the refs, so a concurrent sync by another run
    cannot move a branch under this run.
    """

    path: Path
    source: str = field(hash=False)  # public form
    heads: Mapping[str, CommitRef] = field(hash=False)
    folders: Mapping[str, str] = field(hash=False)  # branch -> card folder whose path trees are here

    @cached_property
    def git(self) -> git.Git:
        """One GitPython command runner for every read of this run."""
        runner = git.Git(self.path)
        runner.update_environment(**GIT_ENV)
        return runner

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "git"}


def cache_path(cache_dir: Path, source: str) -> Path:
    """One cached clone per source, named by a hash of its public form."""
    digest = hashlib.sha256(public_source(source).encode()).hexdigest()[:16]
    return cache_dir / digest


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def _cache_lock(path: Path, *, exclusive: bool) -> Iterator[int]:
    """Hold the cache's lock file (flock); yields its descriptor, which git processes inherit.

    Waits up to CACHE_LOCK_WAIT_S for another run. The lock is the kernel's: a killed run's is
    gone with its last process, so it is never stale.
    """
    if path.parent.exists() and not path.parent.is_dir():
        raise cache_unusable(path.parent, "it is not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise cache_unusable(path.parent, os_reason(exc)) from None
    try:
        deadline = time.monotonic() + CACHE_LOCK_WAIT_S
        pause = 0.01
        while True:
            try:
                fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CacheError(
                        f"the cache folder '{path}' is busy: another run has held it for over "
                        f"{CACHE_LOCK_WAIT_S} s; try again later"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
        yield fd
    finally:
        os.close(fd)


def _clear_stale(path: Path) -> list[Path]:
    """Remove what killed git processes left in the cache; call only under the exclusive lock.

    `*.lock` (refs, packed-refs, HEAD, config, index, shallow, commit-graph): git refuses to
    run while one exists, and no live process can hold one under our lock. `tmp_*` / `.tmp-*`:
    half-written objects and packs. `.keep` of a fetch: would keep its pack out of every repack.
    Ref names cannot end in `.lock` and object files never do, so nothing else matches.
    """
    stale: list[Path] = []
    if not path.is_dir() or path.is_symlink():
        return stale
    for folder, dirs, files in os.walk(path):
        here = Path(folder)
        if here == path:
            dirs[:] = [d for d in dirs if d in _SWEPT or _STALE.fullmatch(d)]
        stale += (here / d for d in dirs if _STALE.fullmatch(d))
        dirs[:] = [d for d in dirs if not _STALE.fullmatch(d)]
        stale += (here / f for f in files if _STALE.fullmatch(f))
        if here.name == "pack":
            stale += (k for k in (here / f for f in files if f.endswith(".keep")) if _fetch_keep(k))
    for leftover in stale:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    return stale


def _fetch_keep(keep: Path) -> bool:
    try:
        return keep.read_bytes().startswith(b"fetch-pack")
    except OSError:
        return False


def _open_cache(path: Path) -> git.Repo | None:
    """The cached clone, or None when it is absent or unusable (then it is rebuilt)."""
    if not path.exists() and not path.is_symlink():
        return None
    if (path / _REBUILD).exists() or (path / "shallow").exists():  # a reader found it damaged; or truncated history
        _remove_cache(path)
        return None
    try:
        repo = git.Repo(path)
        repo.git.update_environment(**GIT_ENV)
        repo.remote(REMOTE).url  # noqa: B018 - reads and parses the config
        repo.git.execute([*_NO_GRAPHS, "fsck", "--connectivity-only", "--no-dangling", "--no-progress"])
        return repo
    except (InvalidGitRepositoryError, NoSuchPathError, GitCommandError, ValueError, configparser.Error, OSError):
        # A cache is only a cache: whatever broke it (a killed fetch, a full disk, a stray
        # edit), rebuilding from the source is always correct.
        _remove_cache(path)
        return None


def _remove_cache(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    if path.exists() or path.is_symlink():
        raise cache_unusable(path.parent, f"its damaged clone {path.name} cannot be removed")


def _init_cache(path: Path, source: str) -> git.Repo:
    """A new empty partial clone, made beside `path` and renamed into place whole (a kill leaves no half cache)."""
    for leftover in path.parent.glob(f".{path.name}.init-*"):  # of killed runs; only we hold this lock
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.init-", dir=path.parent))
        repo = git.Repo.init(tmp, bare=True)
        repo.git.update_environment(**GIT_ENV)
        repo.create_remote(REMOTE, source)  # guarded by GitPython against ext:: and friends
        with repo.config_writer() as cfg:
            cfg.set_value(f'remote "{REMOTE}"', "promisor", "true")
            cfg.set_value(f'remote "{REMOTE}"', "partialclonefilter", "blob:none")
            cfg.set_value("extensions", "partialClone", REMOTE)
            cfg.set_value("core", "repositoryformatversion", "1")
            cfg.set_value("gc", "auto", "0")
        tmp.rename(path)
    except OSError as exc:
        raise cache_unusable(path.parent, os_reason(exc)) from None
    except GitCommandError as exc:
        raise git_error(str(exc.stderr or exc), source, "cannot create a cache for", cache=path.parent) from None
    return _repo(path)


def _repo(path: Path) -> git.Repo:
    repo = git.Repo(path)
    repo.git.update_environment(**GIT_ENV)  # no prompt, and the token only through the helper
    return repo


def _pick_ref(refs: Mapping[str, str], branch: str) -> str | None:
    """A branch head, or for a plain local clone its remote-tracking twin."""
    for name in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        if name in refs:
            return name
    return None


class _Rebuild(Exception):
    """A sync step failed in a way a fresh cache may not: rebuild once and sync again."""

    def __init__(self, error: SourceError):
        super().__init__(str(error))
        self.error = error


def sync_source(
    source: str, cache_dir: Path, branches: Sequence[str], folders: Mapping[str, str] | None = None
) -> CachedRepo:
    """Bring the cached clone of `source` up to date for `branches`; return the handle the readers take.

    Only commits come with the branches; then, for each `folders` entry (branch -> card
    folder), the trees on the path to that folder, one request per path level for all new
    commits at once. Blobs come later, in one batch per read. When the remote's heads equal
    the cache's, the remote is asked once (`ls-remote`) and nothing is fetched. A remote that
    ignores filters (a bundle, a server without `uploadpack.allowFilter`) sends everything.
    A folder can be read only if it was synced here.
    """
    _refuse_unsafe(source)
    path = cache_path(cache_dir, source)
    with _cache_lock(path, exclusive=True) as fd:
        _clear_stale(path)
        repo = _open_cache(path)
        existed = repo is not None
        try:
            return _update(repo or _init_cache(path, source), path, source, branches, folders or {}, fd)
        except _Rebuild as failed:
            if not existed:
                raise failed.error from None
            _remove_cache(path)
        try:
            return _update(_init_cache(path, source), path, source, branches, folders or {}, fd)
        except _Rebuild as failed:
            raise failed.error from None


def _update(
    repo: git.Repo, path: Path, source: str, branches: Sequence[str], folders: Mapping[str, str], fd: int
) -> CachedRepo:
    _point_remote(repo, source)
    fetcher = Fetcher(path, source, fd)
    remote = remote_refs(fetcher)  # a failure here is the source's: it is raised as it is
    refs = local_refs(fetcher)
    wanted = {}
    for branch in branches:
        ref = _pick_ref(remote, branch)
        if ref is None:
            raise SourceError(f"branch {branch!r} not found in {public_source(source)!r}")
        local = f"refs/remotes/{REMOTE}/{branch}"
        if refs.get(local, (None,))[0] != remote[ref]:
            wanted[ref] = local
    synced = {branch: folder for branch, folder in folders.items() if branch in branches}
    try:
        if wanted:
            refs = fetch_branches(fetcher, wanted, refs)
        fetch_folder_trees(fetcher, synced, refs)
        if wanted:
            compact(fetcher)
    except (TransientSyncError, CacheError, IncompleteSource):
        raise
    except SourceError as exc:  # the remote answered ls-remote, so most likely the cache is at fault
        raise _Rebuild(exc) from None
    heads = {}
    for branch in branches:
        sha, when = refs.get(f"refs/remotes/{REMOTE}/{branch}", (None, None))
        if sha is None or when is None:
            raise _Rebuild(CacheDamaged(f"the cached clone of {public_source(source)!r} lost branch {branch!r}"))
        heads[branch] = CommitRef(sha, datetime.fromtimestamp(when, UTC))
    return CachedRepo(path, public_source(source), heads, synced)


def _refuse_unsafe(source: str) -> None:
    """The edge's own check, whoever the caller: raw git calls are not guarded by GitPython.

    The fetches and `ls-remote` name the remote, so its URL is what must be safe; it is set
    only through GitPython's guarded `create_remote`/`set_url`, after this check.
    """
    if source.startswith("-"):
        raise SourceError(f"source {public_source(source)!r} looks like an option, not a repository")
    try:
        git.Git.check_unsafe_protocols(source)
    except UnsafeProtocolError:
        raise SourceError(f"source {public_source(source)!r} uses a git transport helper, not allowed") from None
    if carries_secret(source):
        raise SourceError(f"source {public_source(source)!r} carries a credential; give it in ${TOKEN_ENV} instead")


def _point_remote(repo: git.Repo, source: str) -> None:
    remote = repo.remote(REMOTE)
    if remote.url != source:
        remote.set_url(source)  # guarded by GitPython against ext:: and friends


# -- reading ---------------------------------------------------------------------------------


def branch_head(repo: CachedRepo, branch: str) -> CommitRef:
    """The branch's head as the sync left it (no git process)."""
    try:
        return repo.heads[branch]
    except KeyError:
        raise ValueError(f"branch {branch!r} was not synced") from None


def list_folder_commits(repo: CachedRepo, branch: str, folder: str, after: str | None = None) -> FolderLog:
    """First-parent commits of `branch` that touched `folder`, oldest first, after `after` if given.

    Reads only commits and the trees on the folder's path, which the sync brought. When
    `after` is no longer an ancestor of the head (history rewritten), only the newest such
    commit is returned, and the log says so: compare it with the last snapshot.
    """
    head = branch_head(repo, branch).sha
    if repo.folders.get(branch) != folder:
        raise ValueError(f"folder {folder!r} of branch {branch!r} was not synced")
    with _cache_lock(repo.path, exclusive=False):
        rewritten = after is not None and not _is_ancestor(repo, after, head)
        args = ["log", "--first-parent", "--format=%H %ct", "--no-renames", head]
        if after and not rewritten:
            args.append(f"^{after}")
        out = _read(repo, [*args, "--", folder.rstrip("/")])
    commits = [CommitRef(sha, datetime.fromtimestamp(int(ts), UTC)) for sha, ts in reversed(parse_log(out))]
    return FolderLog(commits[-1:] if rewritten else commits, rewritten)


def _is_ancestor(repo: CachedRepo, ancestor: str, head: str) -> bool:
    try:
        repo.git.execute(["git", "merge-base", "--is-ancestor", ancestor, head])
        return True
    except GitCommandError as exc:
        if exc.status == 1:
            return False
        if exc.status == 128 and "not a valid" in str(exc.stderr).lower():
            return False  # the cache (synced from the branch) does not hold it: it is on the branch no more
        raise _damaged(repo, exc) from None


def iter_folder_snapshots(
    repo: CachedRepo, folder: str, commits: Sequence[CommitRef], max_bytes: int
) -> Iterator[FolderSnapshot]:
    """Yield the card folder at each commit; the listings, blob sizes and blobs are read in one call each.

    The missing blobs are fetched first, in one request. A file over `max_bytes` is listed
    with `data=None`, its bytes never read, so the caller can report it without holding it.
    """
    with _cache_lock(repo.path, exclusive=False) as fd:
        listings = _folder_listings(repo, [commit.sha for commit in commits], folder)
        blobs = {oid for _, entries in listings.values() for _, oid, _ in entries}
        fetch_blobs(Fetcher(repo.path, repo.source, fd), sorted({tree for tree, _ in listings.values()}), blobs)
        sizes = _sizes(repo, blobs)
        data = _contents(repo, sorted(oid for oid in blobs if sizes[oid] <= max_bytes))
    for commit in commits:
        entries = listings[commit.sha][1] if commit.sha in listings else []
        files = tuple(
            CardFile(path=path, blob=oid, mode=mode, size=sizes[oid], data=data.get(oid)) for mode, oid, path in entries
        )
        yield FolderSnapshot(commit=commit, files=files)


def _folder_listings(repo: CachedRepo, commits: Sequence[str], folder: str) -> dict[str, tuple[str, list]]:
    """Each commit's folder tree and its (mode, blob, path) files, by one `cat-file --batch` of `<commit>:<folder>`.

    Commits where the folder is absent are left out.
    """
    base = "/".join(p for p in folder.split("/") if p)
    if not commits:
        return {}
    out = _read(repo, ["cat-file", "--batch"], stdin=[f"{sha}:{base}" for sha in commits], text=False)
    listings = {}
    unresolved = []
    for sha, obj in zip(commits, parse_batch(out), strict=True):
        if obj.kind == "tree":
            entries = tree_entries(obj.body)
            listings[sha] = (obj.name, [(m, oid, f"{base}/{name}") for m, name, oid in entries if m not in NOT_FILES])
        elif obj.kind == "missing":
            unresolved.append(sha)
    _check_absent(repo, unresolved, base)
    return listings


def _check_absent(repo: CachedRepo, commits: Sequence[str], base: str) -> None:
    """`<commit>:<folder>` is "missing" both where the folder is absent and where a tree on its path is
    not in the cache; only the first is an empty folder. Walks the path's trees of those commits, one call."""
    if not commits:
        return
    parts = base.split("/")
    prefixes = [
        f"{sha}^{{tree}}" if not i else f"{sha}:{'/'.join(parts[:i])}" for sha in commits for i in range(len(parts))
    ]
    found = iter(parse_batch(_read(repo, ["cat-file", "--batch"], stdin=prefixes, text=False)))
    for sha in commits:
        if not path_ends_before(parts, [next(found) for _ in parts]):
            _mark_damaged(repo)
            raise CacheDamaged(
                f"the cached clone of {repo.source!r} lacks the trees of {sha}; the next run rebuilds it"
            )


def _sizes(repo: CachedRepo, oids: set[str]) -> dict[str, int]:
    if not oids:
        return {}
    sizes = {}
    for oid, kind, size in parse_batch_check(_read(repo, ["cat-file", "--batch-check"], stdin=sorted(oids))):
        if kind == "missing":
            raise SourceError(f"{repo.source!r} did not send blob {oid}: run again")
        sizes[oid] = size
    return sizes


def _contents(repo: CachedRepo, oids: Sequence[str]) -> dict[str, bytes]:
    if not oids:
        return {}
    return {obj.name: obj.body for obj in parse_batch(_read(repo, ["cat-file", "--batch"], stdin=oids, text=False))}


def _read(repo: CachedRepo, args: Sequence[str], stdin: Sequence[str] | None = None, *, text: bool = True):
    """A git read of the cache; a failure marks the cache for rebuilding and is one line."""
    try:
        return repo.git.execute(
            ["git", *args],
            istream=_as_stream(stdin) if stdin is not None else None,
            stdout_as_string=text,
            strip_newline_in_stdout=False,
        )
    except GitCommandError as exc:
        raise _damaged(repo, exc) from None


def _mark_damaged(repo: CachedRepo) -> None:
    """Readers never repair (others may be reading); they leave a mark that the next sync rebuilds on."""
    with contextlib.suppress(OSError):  # a cache that cannot take the mark fails its fsck next time anyway
        (repo.path / _REBUILD).touch()


def _damaged(repo: CachedRepo, exc: GitCommandError) -> CacheDamaged:
    _mark_damaged(repo)
    reason = first_reason(str(exc.stderr or exc).strip().removeprefix("stderr:").strip().strip("'"))
    return CacheDamaged(f"the cached clone of {repo.source!r} is damaged ({reason}); the next run rebuilds it")


def _as_stream(lines: Sequence[str]) -> BinaryIO:
    """Input for git's `--stdin` / `--batch`; a file, since GitPython hands it to the process as is."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's git call
    stream.write(("\n".join(lines) + "\n").encode())
    stream.seek(0)
    return stream
