"""Git's plumbing output as data: `cat-file` batches, tree bodies, `rev-list`, `for-each-ref` and `log` lines.

Pure parsing, no git process and no I/O, so every format is tested on literal bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MODE_TREE = 0o040000
MODE_SYMLINK = 0o120000
MODE_SUBMODULE = 0o160000
NOT_FILES = (MODE_TREE, MODE_SUBMODULE)  # subfolders and submodules are not card files
Entry = tuple[int, str, str]  # a tree entry: (mode, name, oid)


@dataclass(frozen=True)
class BatchObject:
    """One answer of `cat-file --batch`: `name` is the object id, or the input as given when `kind` is "missing"."""

    name: str
    kind: str
    body: bytes = b""


def parse_batch(out: bytes) -> list[BatchObject]:
    """`cat-file --batch` output, one object per input line, in input order.

    A header is `<oid> <type> <size>` followed by the body and a newline, or `<input> missing`
    (also `ambiguous`) on its own; an input such as `<commit>:<path>` may hold spaces.
    """
    objects = []
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("utf-8", "surrogateescape")
        rest, _, last = header.rpartition(" ")
        if not last.isdigit():  # "missing", "ambiguous", "dangling", ...
            objects.append(BatchObject(rest, "missing"))
            pos = end + 1
            continue
        oid, _, kind = rest.partition(" ")
        size = int(last)
        objects.append(BatchObject(oid, kind, out[end + 1 : end + 1 + size]))
        pos = end + 1 + size + 1
    return objects


def parse_batch_check(out: str) -> list[tuple[str, str, int]]:
    """`cat-file --batch-check` lines as (oid, kind, size); a missing object as (input, "missing", 0)."""
    rows = []
    for line in out.splitlines():
        rest, _, last = line.rpartition(" ")
        if last.isdigit():
            oid, _, kind = rest.partition(" ")
            rows.append((oid, kind, int(last)))
        else:
            rows.append((rest, "missing", 0))
    return rows


def tree_entries(body: bytes) -> list[Entry]:
    """A tree object's body: `<octal mode> <name>\\0<20-byte id>` repeated; names need not be UTF-8."""
    entries = []
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        name = body[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries.append((int(body[pos:space], 8), name, body[nul + 1 : nul + 21].hex()))
        pos = nul + 21
    return entries


def subtree(entries: list[Entry], name: str) -> str | None:
    """The id of the subfolder `name`, or None when there is none (absent, or a file of that name)."""
    return next((oid for mode, entry, oid in entries if entry == name and mode == MODE_TREE), None)


def path_ends_before(parts: Sequence[str], trees: Sequence[BatchObject]) -> bool:
    """True when a tree on a path has no entry for the next part: the folder is absent at that commit.

    `trees`: the root and each tree down to the folder's parent, as `cat-file --batch` answered.
    False when one of them, or the folder's own tree, is not in the cache (then it is damaged).
    """
    for part, tree in zip(parts, trees, strict=True):
        if tree.kind != "tree":
            return False
        if subtree(tree_entries(tree.body), part) is None:
            return True
    return False


def missing_objects(rev_list_out: str) -> set[str]:
    """Ids that `rev-list --missing=print` reported as absent (`?<oid>` lines)."""
    return {line[1:].strip() for line in rev_list_out.splitlines() if line.startswith("?")}


def parse_ls_remote(out: str) -> dict[str, str]:
    """`ls-remote` lines `<oid>\\t<refname>` as refname -> oid."""
    refs = {}
    for line in out.splitlines():
        sha, tab, name = line.partition("\t")
        if tab:
            refs[name] = sha
    return refs


def parse_refs(out: str) -> dict[str, tuple[str, int | None]]:
    """`for-each-ref --format='%(objectname) %(committerdate:unix) %(refname)'` as refname -> (oid, commit time).

    The time is None where the ref does not name a commit (git prints nothing for it).
    """
    refs: dict[str, tuple[str, int | None]] = {}
    for line in out.splitlines():
        sha, _, rest = line.partition(" ")
        when, _, name = rest.partition(" ")
        if name:
            refs[name] = (sha, int(when) if when.isdigit() else None)
    return refs


def parse_log(out: str) -> list[tuple[str, str]]:
    """`log --format='%H %X'` lines as (commit, X), in the order git printed them (newest first)."""
    return [(sha, value) for sha, _, value in (line.partition(" ") for line in out.splitlines() if line)]
