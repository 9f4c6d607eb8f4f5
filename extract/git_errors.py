"""What a failed git command means, in one line for the user, and whether a retry can help.

The flow retries a sync only on `TransientSyncError`; this module is the one place that
decides which failures those are. Everything else a retry cannot fix fails at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from extract.sources import SourceError, public_source, redact


class TransientSyncError(SourceError):
    """A sync failure worth retrying (network, remote hang-up, a local source that vanished)."""


class CacheError(SourceError):
    """The cache folder cannot be used (a file in its place, a full or read-only disk, held too long).

    Not retried: the user must free space or point `--cache-dir` elsewhere.
    """


class IncompleteSource(SourceError):
    """The source cannot give a whole history (a shallow or partial clone): no retry or fresh cache helps."""


class CacheDamaged(SourceError):
    """The cached clone lacks what it should hold; the sync rebuilds it, a reader asks for the next run."""


# A retry cannot fix these: the name resolves nowhere, the repository or the credential is
# wrong. Checked first, since git wraps some of them in words that also mark transient ones
# ("unable to access ...: Could not resolve host").
_PERMANENT = re.compile(
    r"could not resolve host|name or service not known|nodename nor servname"
    r"|returned error: 4(?!08|29)\d\d|authentication failed|could not read (?:username|password)"
    r"|repository .*not found|permission denied|host key verification failed"
)
_TRANSIENT = (
    "connection refused",
    "failed to connect",
    "connection timed out",
    "timed out",
    "operation too slow",
    "rpc failed",
    "early eof",
    "remote end hung up",
    "unable to access",
    "connection reset",
    "temporary failure",
    "http 5",
    "returned error: 5",
    "returned error: 408",
    "returned error: 429",
)
# Said by git around the real reason; never the reason itself.
_GENERIC_LINES = ("fatal: could not read from remote repository", "please make sure", "and the repository exists")
# A source that is itself a partial or damaged clone cannot send what it lacks (said by its upload-pack).
_INCOMPLETE_SOURCE = re.compile(
    r"^remote: .*from promisor remote|possible repository corruption on the remote side", re.M
)
_NO_SPACE = "no space left on device"


def is_transient(stderr: str, source: str) -> bool:
    """True when a retry may succeed: the network or the remote failed, not the request."""
    text = stderr.lower()
    if _PERMANENT.search(text):
        return False
    if "does not appear to be a git repository" in text:
        # Only a local source that vanished (an unmounted share) may come back; an existing
        # directory that is not a repository, or a remote's answer, will not.
        local = local_path(source)
        return local is not None and not local.exists()
    return any(hint in text for hint in _TRANSIENT)


def git_error(stderr: str, source: str, what: str, *, cache: Path | None = None) -> SourceError:
    """One line: git's first real reason, redacted, as the error class that says whether a retry helps.

    `cache`: the cache folder the command wrote to, named when the disk under it is full.
    """
    text = stderr.strip().removeprefix("stderr:").strip().strip("'")
    lower = text.lower()
    public = public_source(source)
    if cache is not None and _NO_SPACE in lower:
        return cache_unusable(cache, "no space left on device")
    if _INCOMPLETE_SOURCE.search(lower):
        return IncompleteSource(
            f"source {public!r} lacks objects of its own history (a partial or damaged clone): "
            "fetch them there (`git fetch --refetch`) or use a full clone"
        )
    message = f"{what} {public!r}: {first_reason(text)}"
    return TransientSyncError(message) if is_transient(text, source) else SourceError(message)


def first_reason(stderr: str) -> str:
    """The first line of git's stderr that says why (a `fatal:` or `error:` one where there is), redacted."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.lower().startswith(_GENERIC_LINES)] or lines
    useful = [ln for ln in lines if ln.lower().startswith(("fatal", "error"))] or lines
    return redact(useful[0] if useful else "git failed").strip("' ")


def shallow_source(source: str) -> IncompleteSource:
    return IncompleteSource(
        f"source {public_source(source)!r} is a shallow clone: its history is cut short; "
        "run `git fetch --unshallow` there, or use a full clone"
    )


def cache_unusable(cache: Path, reason: str) -> CacheError:
    return CacheError(f"cannot use the cache folder '{cache}': {reason}; fix it or pass another --cache-dir")


def os_reason(exc: OSError) -> str:
    """`[Errno 28] No space left on device: '/x'` -> `no space left on device`."""
    return (exc.strerror or str(exc)).lower()


def local_path(source: str) -> Path | None:
    if source.startswith("file://"):
        return Path(unquote(urlsplit(source).path))
    return Path(source) if source.startswith("/") else None
