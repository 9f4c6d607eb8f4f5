"""The only module that talks to git: sync a source into the cache, read card folders.

A docs repository is hundreds of megabytes while the cards are kilobytes, so the cache
is a blobless partial clone of just the locale branches; the blobs of the card folders
are fetched in one batch per call, never one at a time.
"""

from __future__ import annotations

import configparser
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, UnsafeProtocolError

from extract.sources import (
    ALLOWED_SCHEMES,
    TOKEN_ENV,
    USER_ENV,
    SourceError,
    carries_secret,
    public_source,
    redact,
)

REMOTE = "origin"
FETCH_TIMEOUT_S = 900
MODE_SYMLINK = 0o120000
# git reads the token from the environment through this helper when a server asks for it, so
# the token is never on a command line, in a URL or in the cache's config. The empty entry
# first drops the user's own helpers, which could otherwise store the token.
_CREDENTIAL_HELPER = (
    "!f() { test \"$1\" = get || exit 0; "
    f'test -n "${TOKEN_ENV}" || exit 0; '
    f'echo "username=${{{USER_ENV}:-x-access-token}}"; echo "password=${TOKEN_ENV}"; }}; f'
)
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_LFS_SKIP_SMUDGE": "1",
    # Second line of defence behind check_source: git itself refuses ext::, fd::, git:// and http://.
    "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_SCHEMES),
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "credential.helper",
    "GIT_CONFIG_VALUE_0": "",
    "GIT_CONFIG_KEY_1": "credential.helper",
    "GIT_CONFIG_VALUE_1": _CREDENTIAL_HELPER,
}


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


class TransientSyncError(SourceError):
    """A sync failure worth retrying (network, remote hang-up)."""


_TRANSIENT_HINTS = (
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "timed out",
    "early eof",
    "remote end hung up",
    "unable to access",
    "connection reset",
    "temporary failure",
    "http 5",
    "the requested url returned error: 5",
)
# Said by git around the real reason; never the reason itself.
_GENERIC_LINES = ("fatal: could not read from remote repository", "please make sure", "and the repository exists")


def cache_path(cache_dir: Path, source: str) -> Path:
    """One cached clone per source, named by a hash of its public form."""
    digest = hashlib.sha256(public_source(source).encode()).hexdigest()[:16]
    return cache_dir / digest


def _git_error(exc: GitCommandError, source: str, what: str) -> SourceError:
    """One line for the user: git's first real reason, redacted, and whether a retry can help."""
    stderr = str(exc.stderr or exc).strip().removeprefix("stderr:").strip().strip("'")
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.lower().startswith(_GENERIC_LINES)] or lines
    useful = [ln for ln in lines if ln.lower().startswith(("fatal", "error"))] or lines
    detail = redact(useful[0] if useful else "git failed").strip("' ")
    message = f"{what} {public_source(source)!r}: {detail}"
    if _is_transient(stderr.lower(), source):
        return TransientSyncError(message)
    return SourceError(message)


def _is_transient(stderr: str, source: str) -> bool:
    if re.search(r"returned error: 4\d\d", stderr) or "authentication failed" in stderr:
        return False  # a wrong token or a missing repository stays wrong
    if "does not appear to be a git repository" in stderr:
        # Only a local source that vanished (an unmounted share) may come back; an existing
        # directory that is not a repository, or a remote's answer, will not.
        local = _local_path(source)
        return local is not None and not local.exists()
    return any(hint in stderr for hint in _TRANSIENT_HINTS)


def _local_path(source: str) -> Path | None:
    if source.startswith("file://"):
        return Path(unquote(urlsplit(source).path))
    return Path(source) if source.startswith("/") else None


def _open_cache(path: Path) -> git.Repo | None:
    """The cached clone, or None when it is absent or unusable (then it is rebuilt)."""
    if not path.exists():
        return None
    try:
        repo = git.Repo(path)
        repo.git.update_environment(**GIT_ENV)
        repo.git.rev_parse("--git-dir")
        repo.git.fsck("--connectivity-only", "--no-dangling", "--no-progress")
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


def _init_cache(path: Path, source: str) -> git.Repo:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".init-", dir=path.parent))
    repo = git.Repo.init(tmp, bare=True)
    repo.git.update_environment(**GIT_ENV)
    repo.create_remote(REMOTE, source)
    with repo.config_writer() as cfg:
        cfg.set_value(f'remote "{REMOTE}"', "promisor", "true")
        cfg.set_value(f'remote "{REMOTE}"', "partialclonefilter", "blob:none")
        cfg.set_value("extensions", "partialClone", REMOTE)
        cfg.set_value("core", "repositoryformatversion", "1")
        cfg.set_value("gc", "auto", "0")
    tmp.rename(path)
    return _repo(path)  # with GIT_ENV: no prompt, and the token only through the helper


def _remote_refs(repo: git.Repo, source: str) -> dict[str, str]:
    try:
        out = repo.git.ls_remote("--", source)
    except GitCommandError as exc:
        raise _git_error(exc, source, "cannot read") from None
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    return refs


def _pick_ref(refs: dict[str, str], branch: str) -> str | None:
    """A branch head, or for a plain local clone its remote-tracking twin."""
    for name in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        if name in refs:
            return name
    return None


def sync_source(source: str, cache_dir: Path, branches: Sequence[str]) -> Path:
    """Bring the cached clone of `source` up to date for `branches`; return its path.

    Only commits and trees are fetched here (blobs come later, in one batch). When the
    remote's heads equal the cache's, nothing is fetched at all.
    """
    _refuse_unsafe(source)
    path = cache_path(cache_dir, source)
    repo = _open_cache(path) or _init_cache(path, source)
    _point_remote(repo, source)
    refs = _remote_refs(repo, source)
    refspecs = []
    for branch in branches:
        ref = _pick_ref(refs, branch)
        if ref is None:
            raise SourceError(f"branch {branch!r} not found in {public_source(source)!r}")
        local = f"refs/remotes/{REMOTE}/{branch}"
        if _local_sha(repo, local) != refs[ref]:
            refspecs.append(f"+{ref}:{local}")
    if refspecs:
        try:
            repo.git.fetch(
                "--filter=blob:none",
                "--no-tags",
                "--no-write-fetch-head",
                "--quiet",
                REMOTE,
                *refspecs,
                kill_after_timeout=FETCH_TIMEOUT_S,
            )
        except GitCommandError as exc:
            raise _git_error(exc, source, "cannot fetch from") from None
    return path



def _refuse_unsafe(source: str) -> None:
    """The edge's own check, whoever the caller: raw `repo.git.fetch` calls are not guarded by GitPython.

    The fetches name the remote, so its URL is what must be safe; it is set only through
    GitPython's guarded `create_remote`/`set_url`, after this check.
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


def _local_sha(repo: git.Repo, ref: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", ref)
    except GitCommandError:
        return None


def branch_head(repo_path: Path, branch: str) -> CommitRef:
    repo = _repo(repo_path)
    commit = repo.commit(f"refs/remotes/{REMOTE}/{branch}")
    return CommitRef(commit.hexsha, commit.committed_datetime.astimezone(UTC))


def list_folder_commits(
    repo_path: Path,
    branch: str,
    folder: str,
    after: str | None = None,
    since: datetime | None = None,
) -> list[CommitRef]:
    """First-parent commits that touched `folder`, oldest first, after `after` if given.

    When `after` is no longer on the branch (history rewritten), only the newest such
    commit is returned: it is compared with the last snapshot, whatever came between.
    """
    repo = _repo(repo_path)
    ref = f"refs/remotes/{REMOTE}/{branch}"
    args = ["--first-parent", "--format=%H %ct", "--no-renames"]
    rewritten = bool(after) and not _is_ancestor(repo, after, ref)
    if after and not rewritten:
        args.append(f"^{after}")
    out = repo.git.log(*args, ref, "--", folder.rstrip("/"))
    commits = []
    for line in reversed(out.splitlines()):
        sha, ts = line.split()
        at = datetime.fromtimestamp(int(ts), UTC)
        if since is None or at >= since:
            commits.append(CommitRef(sha, at))
    return commits[-1:] if rewritten else commits


def _is_ancestor(repo: git.Repo, ancestor: str, ref: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", ancestor, ref)
        return True
    except GitCommandError:
        return False


def _repo(repo_path: Path) -> git.Repo:
    repo = git.Repo(repo_path)
    repo.git.update_environment(**GIT_ENV)
    return repo


def _folder_entries(repo: git.Repo, commit: str, folder: str) -> list[tuple[int, str, str]]:
    """(mode, blob, path) of the files directly in `folder` (no `-l`: sizes need blobs)."""
    out = repo.git.ls_tree("-z", "--full-tree", commit, "--", folder)
    entries = []
    for record in out.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, oid = meta.split()
        if kind == "blob":
            entries.append((int(mode, 8), oid, path))
    return entries


def _folder_tree(repo: git.Repo, commit: str, folder: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{commit}:{folder.rstrip('/')}")
    except GitCommandError:
        return None


def prefetch_blobs(repo_path: Path, trees: Iterable[str], oids: Iterable[str]) -> int:
    """Fetch the missing blobs among `oids` (found under `trees`) in one request.

    `git cat-file --batch` would fetch each missing blob in its own round trip. Returns
    how many blobs were fetched.
    """
    repo = _repo(repo_path)
    wanted = set(oids)
    tips = sorted(set(trees))
    if not wanted or not tips:
        return 0
    out = repo.git.rev_list("--objects", "--missing=print", "--no-object-names", "--stdin", istream=_as_stream(tips))
    missing = sorted({line[1:] for line in out.splitlines() if line.startswith("?")} & wanted)
    if missing:
        try:
            repo.git.execute(
                [
                    "git",
                    "-c",
                    "fetch.negotiationAlgorithm=noop",
                    "fetch",
                    REMOTE,
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--recurse-submodules=no",
                    "--filter=blob:none",
                    "--stdin",
                ],
                istream=_as_stream(missing),
                kill_after_timeout=FETCH_TIMEOUT_S,
            )
        except GitCommandError as exc:
            raise _git_error(exc, public_source(repo.remote(REMOTE).url), "cannot fetch cards from") from None
    return len(missing)


def _as_stream(lines: Sequence[str]) -> BinaryIO:
    """Object ids for git's `--stdin`; a file, since GitPython streams it to the process."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's git call
    stream.write(("\n".join(lines) + "\n").encode())
    stream.seek(0)
    return stream


def iter_folder_snapshots(
    repo_path: Path,
    folder: str,
    commits: Sequence[CommitRef],
    max_bytes: int,
) -> Iterator[FolderSnapshot]:
    """Yield the card folder at each commit; blobs are prefetched in one batch, read once.

    A file over `max_bytes` is listed with `data=None` so the caller can report it
    without holding it in memory.
    """
    repo = _repo(repo_path)
    listings = [(commit, _folder_entries(repo, commit.sha, folder)) for commit in commits]
    wanted = {oid for _, entries in listings for _, oid, _ in entries}
    trees = [_folder_tree(repo, commit.sha, folder) for commit, _ in listings]
    prefetch_blobs(repo_path, [t for t in trees if t], wanted)
    sizes: dict[str, int] = {}
    cache: dict[str, bytes | None] = {}
    for commit, entries in listings:
        files = []
        for mode, oid, path in entries:
            if oid not in cache:
                sizes[oid] = repo.odb.info(bytes.fromhex(oid)).size
                cache[oid] = repo.odb.stream(bytes.fromhex(oid)).read() if sizes[oid] <= max_bytes else None
            files.append(CardFile(path=path, blob=oid, mode=mode, size=sizes[oid], data=cache[oid]))
        yield FolderSnapshot(commit=commit, files=tuple(files))
