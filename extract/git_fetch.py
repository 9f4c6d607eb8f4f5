"""The partial-fetch engine: what comes from the remote into the cache, and every git process it runs, bounded.

A docs repository is hundreds of megabytes while the cards are kilobytes, so the cache is a
partial clone holding the locale branches' commits, the trees on the path to each card
folder and the card blobs: trees one request per path level, blobs one request per call,
never one object at a time.

Each git process runs in its own process group, watched: past `MAX_PROCESSES` processes in
the group or `GIT_TIMEOUT_S` seconds the whole group is killed, and the caller gets one line.
GitPython's `kill_after_timeout` kills only direct children, so this module runs git itself;
GitPython stays in `git_source.py`. Lazy fetches of missing objects are off
(`GIT_NO_LAZY_FETCH`, honoured since the April 2024 security releases, 2.39.4 on): against a
shallow source git would otherwise fetch the server's shallow roots lazily, each fetch
starting the next, thousands deep; an older git ignores it, and the process bound ends the
chain. Every git process also inherits the cache lock's descriptor, so the lock outlives none
of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from extract.git_errors import (
    CacheDamaged,
    IncompleteSource,
    TransientSyncError,
    first_reason,
    git_error,
    shallow_source,
)
from extract.git_objects import (
    MODE_TREE,
    Entry,
    missing_objects,
    parse_batch,
    parse_log,
    parse_ls_remote,
    parse_refs,
    subtree,
    tree_entries,
)
from extract.sources import ALLOWED_SCHEMES, TOKEN_ENV, USER_ENV, SourceError, public_source

REMOTE = "origin"
GIT_TIMEOUT_S = 300  # wall time of one git command and everything it starts; stalled https aborts sooner
MAX_PROCESSES = 64  # processes seen in one command's group; a fetch needs about six
MAX_PACKS = 50  # git's own gc.autoPackLimit
_WATCH_S = 0.25  # how often a running command's group is counted
_MARKERS = "refs/model-catalog/folders/"
_REF_FORMAT = "%(objectname) %(committerdate:unix) %(refname)"
_Key = tuple[str, str]  # (commit, folder)

# git reads the token from the environment through this helper when a server asks for it, so
# the token is never on a command line, in a URL or in the cache's config. The empty entry
# first drops the user's own helpers, which could otherwise store the token.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; '
    f'test -n "${TOKEN_ENV}" || exit 0; '
    f'echo "username=${{{USER_ENV}:-x-access-token}}"; echo "password=${TOKEN_ENV}"; }}; f'
)
_CONFIG = (
    ("credential.helper", ""),
    ("credential.helper", _CREDENTIAL_HELPER),
    ("maintenance.auto", "false"),  # no `git maintenance` process after every fetch
    ("http.lowSpeedLimit", "1000"),  # an https transfer under 1 kB/s for 60 s is a stall: abort it
    ("http.lowSpeedTime", "60"),
)
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_LFS_SKIP_SMUDGE": "1",
    # Nothing is read lazily: a missing object is an error, never one round trip (or a chain) per object.
    "GIT_NO_LAZY_FETCH": "1",
    # Second line of defence behind check_source: git itself refuses ext::, fd::, git:// and http://.
    "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_SCHEMES),
    "GIT_CONFIG_COUNT": str(len(_CONFIG)),
    **{f"GIT_CONFIG_KEY_{i}": key for i, (key, _) in enumerate(_CONFIG)},
    **{f"GIT_CONFIG_VALUE_{i}": value for i, (_, value) in enumerate(_CONFIG)},
}


class GitFailed(Exception):
    """A git command that exited non-zero, or was stopped at a bound (`bound` says which)."""

    def __init__(self, returncode: int, stderr: str, bound: str | None = None):
        super().__init__(stderr)
        self.returncode = returncode
        self.stderr = stderr
        self.bound = bound


def run_git(
    git_dir: Path, args: Sequence[str], *, stdin: bytes | None = None, keep_fd: int | None = None
) -> tuple[bytes, str]:
    """Run `git ARGS` in `git_dir` in its own process group, within the bounds; return (stdout, stderr)."""
    proc = subprocess.Popen(
        ["git", *args],
        cwd=git_dir,
        env={**os.environ, **GIT_ENV},
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        pass_fds=() if keep_fd is None else (keep_fd,),
    )
    started = time.monotonic()
    seen: set[int] = set()
    feed = stdin
    try:
        while True:
            try:
                out, err = proc.communicate(feed, timeout=_WATCH_S)
                break
            except subprocess.TimeoutExpired:
                feed = None  # communicate() keeps writing what is left of the input
            seen |= _group_members(proc.pid)
            if len(seen) > MAX_PROCESSES:
                bound = f"started more than {MAX_PROCESSES} processes"
            elif time.monotonic() - started > GIT_TIMEOUT_S:
                bound = f"ran longer than {GIT_TIMEOUT_S} s"
            else:
                continue
            _kill_group(proc.pid)
            _, err = proc.communicate()
            raise GitFailed(proc.returncode, err.decode("utf-8", "replace"), bound)
    except BaseException:
        _kill_group(proc.pid)  # an interrupt, or the bound: nothing of this command keeps running
        proc.wait()
        raise
    if proc.returncode != 0:
        raise GitFailed(proc.returncode, err.decode("utf-8", "replace"))
    return out, err.decode("utf-8", "replace")


def _group_members(pgid: int) -> set[int]:
    """Pids in process group `pgid`, from /proc (empty where there is none: then only time is bounded)."""
    members = set()
    try:
        names = os.listdir("/proc")
    except OSError:
        return members
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(b")") + 2 :].split(None, 3)  # state, ppid, pgrp after "(comm)"
        if len(fields) > 2 and int(fields[2]) == pgid:
            members.add(int(name))
    return members


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # all gone already
        os.killpg(pgid, signal.SIGKILL)


def _lines(items: Sequence[str]) -> bytes:
    return ("\n".join(items) + "\n").encode()


@dataclass(frozen=True)
class Fetcher:
    """One cache and the remote it mirrors, as the engine needs them."""

    path: Path  # the cache's git directory
    source: str  # as checked (it carries no credential); messages show its public form
    lock_fd: int | None = None  # the cache lock, inherited by every process started

    def git(self, *args: str, stdin: bytes | None = None, what: str = "cannot read the cache of") -> str:
        """Run git on the cache; a failure becomes one line naming the source."""
        try:
            out, _ = run_git(self.path, args, stdin=stdin, keep_fd=self.lock_fd)
        except GitFailed as exc:
            raise self.failure(exc, what) from None
        return out.decode("utf-8", "surrogateescape")

    def failure(self, exc: GitFailed, what: str) -> SourceError:
        public = public_source(self.source)
        if exc.bound and exc.bound.startswith("ran longer"):
            return TransientSyncError(f"{what} {public!r}: git {exc.bound} and was stopped")
        if exc.bound:
            return IncompleteSource(
                f"{what} {public!r}: git {exc.bound} and was stopped "
                "(a shallow or partial source can make git fetch objects one by one)"
            )
        return git_error(exc.stderr, self.source, what, cache=self.path.parent)


def remote_refs(fetcher: Fetcher) -> dict[str, str]:
    """The remote's refs (refname -> commit), one request. The URL comes from the cache's config,
    set only through GitPython's guarded setters after the source was checked."""
    return parse_ls_remote(fetcher.git("ls-remote", REMOTE, what="cannot read"))


def local_refs(fetcher: Fetcher) -> dict[str, tuple[str, int | None]]:
    """The cache's remote-tracking branches and folder markers with their commit times, in one call."""
    try:
        out, _ = run_git(
            fetcher.path,
            ["for-each-ref", f"--format={_REF_FORMAT}", f"refs/remotes/{REMOTE}/", _MARKERS],
            keep_fd=fetcher.lock_fd,
        )
    except GitFailed:
        return {}  # unreadable refs: everything is fetched again, which is always correct
    return parse_refs(out.decode())


def fetch_branches(
    fetcher: Fetcher, wanted: Mapping[str, str], before: Mapping[str, tuple[str, int | None]]
) -> dict[str, tuple[str, int | None]]:
    """Fetch the commits (no trees, no blobs) of `wanted` (remote ref -> local ref); return the local refs.

    git reports a refused ref only as a warning and exits 0, so the refs are checked: a local
    ref that did not move was refused. A shallow source (its history stops short) is refused so.
    """
    refspecs = [f"+{remote}:{local}" for remote, local in wanted.items()]
    args = ["fetch", "--filter=tree:0", "--no-tags", "--no-write-fetch-head", "--no-auto-maintenance", "--quiet"]
    try:
        _, err = run_git(fetcher.path, [*args, REMOTE, *refspecs], keep_fd=fetcher.lock_fd)
    except GitFailed as exc:
        raise fetcher.failure(exc, "cannot fetch from") from None
    refs = local_refs(fetcher)
    refused = [local for local in wanted.values() if local not in refs or refs[local] == before.get(local)]
    if refused and "shallow" in err.lower():
        raise shallow_source(fetcher.source)
    if refused:
        raise SourceError(
            f"cannot fetch from {public_source(fetcher.source)!r}: git did not update {', '.join(refused)} "
            f"({first_reason(err) if err.strip() else 'no reason given'})"
        )
    return refs


def _marker(branch: str, folder: str) -> str:
    """A ref per (branch, folder) at the newest commit whose whole first-parent line has its path trees here."""
    return _MARKERS + hashlib.sha1(f"{branch}\0{folder}".encode()).hexdigest()[:16]


def fetch_folder_trees(fetcher: Fetcher, folders: Mapping[str, str], refs: Mapping[str, tuple[str, int | None]]) -> int:
    """Fetch the trees on the path to each branch's folder at every first-parent commit not done yet.

    `git log -- folder` and the folder listings need exactly these trees; a blobless clone
    would also fetch every other tree of the repository. Returns how many objects were requested.
    """
    starts: dict[_Key, str] = {}
    done: list[str] = []
    for branch, folder in folders.items():
        tip = refs.get(f"refs/remotes/{REMOTE}/{branch}", (None,))[0]
        marker = _marker(branch, folder)
        reached = refs.get(marker, (None,))[0]
        if tip is None or reached == tip:
            continue
        for sha, root in _first_parent_roots(fetcher, tip, reached):
            starts[(sha, folder)] = root
        done.append(f"update {marker} {tip}")
    requested = _walk_folders(fetcher, starts) if starts else 0
    if done:
        fetcher.git("update-ref", "--stdin", stdin=_lines(done))
    return requested


def _first_parent_roots(fetcher: Fetcher, tip: str, done: str | None) -> list[tuple[str, str]]:
    """(commit, root tree) of the first-parent line of `tip`, down to `done` if given."""
    args = ["log", "--first-parent", "--format=%H %T", tip]
    if done:
        try:
            out, _ = run_git(fetcher.path, [*args, f"^{done}"], keep_fd=fetcher.lock_fd)
            return parse_log(out.decode())
        except GitFailed:
            pass  # the marker names a commit the cache lost: walk the whole line
    return parse_log(fetcher.git(*args))


def _walk_folders(fetcher: Fetcher, starts: Mapping[_Key, str]) -> int:
    """Walk from root trees down to each key's folder, fetching what is missing one level at a time.

    Keys are (commit, folder); values the commit's root tree. Each level is one request for
    all commits, so the number of requests grows with the folder's depth, never with the
    number of commits. The folders' own subfolders come along (`git log` may descend into
    them). Returns how many objects were requested.
    """
    parts = {key: tuple(p for p in key[1].split("/") if p) for key in starts}
    level: dict[_Key, str | None] = dict(starts)
    holders = sorted({commit for commit, _ in starts})
    found: dict[_Key, str | None] = {}
    requested = 0
    depth = 0
    while level:
        wanted = {oid for oid in level.values() if oid}
        requested += fetch_objects(fetcher, _missing(fetcher, holders, wanted, commits=depth == 0), "tree:0")
        walking = {key: oid for key, oid in level.items() if oid and depth < len(parts[key])}
        found.update({key: oid for key, oid in level.items() if key not in walking})
        trees = read_trees(fetcher, set(walking.values()))
        level = {key: subtree(trees[oid], parts[key][depth]) for key, oid in walking.items()}
        holders = sorted(set(walking.values()))
        depth += 1
    folders = {oid for oid in found.values() if oid}
    subfolders = {oid for tree in read_trees(fetcher, folders).values() for mode, _, oid in tree if mode == MODE_TREE}
    if subfolders:
        requested += fetch_objects(fetcher, _missing(fetcher, sorted(folders), subfolders, commits=False), "blob:none")
    return requested


def _missing(fetcher: Fetcher, holders: Sequence[str], wanted: set[str], *, commits: bool) -> list[str]:
    """Which of `wanted`, all direct children of `holders` (commits or trees), are not here.

    `rev-list --missing=print` never fetches; `tree:1` keeps it to the direct children.
    """
    if not wanted or not holders:
        return []
    args = ["rev-list", "--objects", "--missing=print", "--no-object-names", "--filter=tree:1", "--stdin"]
    out = fetcher.git(*(["rev-list", "--no-walk", *args[1:]] if commits else args), stdin=_lines(holders))
    return sorted(missing_objects(out) & wanted)


def read_trees(fetcher: Fetcher, oids: set[str]) -> dict[str, list[Entry]]:
    """(mode, name, oid) entries of each tree, all read by one `cat-file --batch`; the trees must be here."""
    wanted = sorted(oids)
    if not wanted:
        return {}
    try:
        out, _ = run_git(fetcher.path, ["cat-file", "--batch"], stdin=_lines(wanted), keep_fd=fetcher.lock_fd)
    except GitFailed as exc:
        raise fetcher.failure(exc, "cannot read the cache of") from None
    trees = {}
    for obj in parse_batch(out):
        if obj.kind != "tree":
            raise CacheDamaged(f"the cached clone of {public_source(fetcher.source)!r} lacks tree {obj.name}")
        trees[obj.name] = tree_entries(obj.body)
    return trees


def fetch_objects(fetcher: Fetcher, oids: Sequence[str], filter_spec: str) -> int:
    """One request for exactly `oids` (with what `filter_spec` lets through beneath them)."""
    if not oids:
        return 0
    fetcher.git(
        "-c",
        "fetch.negotiationAlgorithm=noop",
        "fetch",
        REMOTE,
        "--no-tags",
        "--no-write-fetch-head",
        "--recurse-submodules=no",
        "--no-auto-maintenance",
        f"--filter={filter_spec}",
        "--stdin",
        stdin=_lines(oids),
        what="cannot fetch cards from",
    )
    return len(oids)


def fetch_blobs(fetcher: Fetcher, trees: Sequence[str], oids: set[str]) -> int:
    """Fetch the missing blobs among `oids` (found under `trees`) in one request; return how many."""
    if not oids or not trees:
        return 0
    out = fetcher.git("rev-list", "--objects", "--missing=print", "--no-object-names", "--stdin", stdin=_lines(trees))
    return fetch_objects(fetcher, sorted(missing_objects(out) & oids), "blob:none")


def compact(fetcher: Fetcher) -> None:
    """Every fetch leaves a small pack (gc is off in the cache); past MAX_PACKS lookups slow down, so repack."""
    stats = dict(line.split(": ", 1) for line in fetcher.git("count-objects", "-v").splitlines() if ": " in line)
    if int(stats.get("packs", "0")) > MAX_PACKS:
        fetcher.git("repack", "-a", "-d", "-q")
