"""git's plumbing formats, parsed from literal bytes: no git process runs here."""

from __future__ import annotations

import pytest

from extract.git_objects import (
    MODE_SYMLINK,
    MODE_TREE,
    BatchObject,
    missing_objects,
    parse_batch,
    parse_batch_check,
    parse_log,
    parse_ls_remote,
    parse_refs,
    path_ends_before,
    subtree,
    tree_entries,
)

A = "a" * 40
B = "b" * 40
C = "c" * 40


def tree_body(*entries: tuple[str, bytes, str]) -> bytes:
    """A tree object's body as git writes it: `<mode> <name>\\0<20 raw bytes>` per entry."""
    return b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(oid) for mode, name, oid in entries)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", []),
        (tree_body(("100644", b"a.md", A)), [(0o100644, "a.md", A)]),
        (
            tree_body(("40000", b"images", B), ("120000", b"link.md", C), ("160000", b"sub", A)),
            [(MODE_TREE, "images", B), (MODE_SYMLINK, "link.md", C), (0o160000, "sub", A)],
        ),
        (tree_body(("100644", "モデル カード.md".encode(), A)), [(0o100644, "モデル カード.md", A)]),
        (tree_body(("100644", b"\xff-not-utf8.md", A)), [(0o100644, "\udcff-not-utf8.md", A)]),
        (tree_body(("100644", b"--upload-pack=x.md", A)), [(0o100644, "--upload-pack=x.md", A)]),
    ],
    ids=["empty", "one-file", "folder-link-submodule", "unicode-space", "not-utf8", "dashes"],
)
def test_tree_entries(body, expected):
    assert tree_entries(body) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("images", B), ("link.md", None), ("a.md", None), ("absent", None)],
)
def test_subtree_is_only_a_folder_of_that_name(name, expected):
    entries = [(0o100644, "a.md", A), (MODE_TREE, "images", B), (MODE_SYMLINK, "link.md", C)]
    assert subtree(entries, name) == expected


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (b"", []),
        (f"{A} blob 5\nhello\n".encode(), [BatchObject(A, "blob", b"hello")]),
        (f"{A} blob 0\n\n{B} tree 3\n\x00\n\n\n".encode(), [BatchObject(A, "blob"), BatchObject(B, "tree", b"\0\n\n")]),
        (
            f"{A}:guides/ai models missing\n{B} blob 2\nhi\n".encode(),
            [BatchObject(f"{A}:guides/ai models", "missing"), BatchObject(B, "blob", b"hi")],
        ),
        (f"{A[:7]} ambiguous\n".encode(), [BatchObject(A[:7], "missing")]),
    ],
    ids=["empty", "one-blob", "empty-blob-and-body-with-newlines", "missing-path-with-space", "ambiguous"],
)
def test_parse_batch(out, expected):
    assert parse_batch(out) == expected


def test_parse_batch_check():
    out = f"{A} blob 52428807\n{B} tree 0\n{C} missing\n"
    assert parse_batch_check(out) == [(A, "blob", 52_428_807), (B, "tree", 0), (C, "missing", 0)]


@pytest.mark.parametrize(
    ("out", "expected"),
    [("", set()), (f"{A}\n?{B}\n{C}\n?{C}\n", {B, C}), (f"?{A}\r\n", {A})],
)
def test_missing_objects(out, expected):
    assert missing_objects(out) == expected


def test_parse_ls_remote_keeps_every_ref_and_skips_other_lines():
    out = f"{A}\tHEAD\n{B}\trefs/heads/main\n{C}\trefs/remotes/origin/jp\nwarning: nothing\n"
    assert parse_ls_remote(out) == {"HEAD": A, "refs/heads/main": B, "refs/remotes/origin/jp": C}


def test_parse_refs_reads_commit_times_and_none_where_git_prints_none():
    out = f"{A} 1736503200 refs/remotes/origin/main\n{B}  refs/model-catalog/folders/0123\n"
    assert parse_refs(out) == {
        "refs/remotes/origin/main": (A, 1736503200),
        "refs/model-catalog/folders/0123": (B, None),
    }


def test_parse_log_keeps_git_order():
    assert parse_log(f"{A} 200\n{B} 100\n\n") == [(A, "200"), (B, "100")]


ROOT = tree_body(("40000", b"guides", A))
GUIDES = tree_body(("40000", b"ai-models", B), ("100644", b"page.md", C))
NO_FOLDER = tree_body(("100644", b"page.md", C))
FILE_NAMED_LIKE_IT = tree_body(("100644", b"ai-models", C))


PATH = ["guides", "ai-models"]


@pytest.mark.parametrize(
    ("trees", "absent"),
    [
        ([BatchObject("r", "tree", NO_FOLDER), BatchObject("-", "missing")], True),
        ([BatchObject("r", "tree", ROOT), BatchObject(A, "tree", NO_FOLDER)], True),
        ([BatchObject("r", "tree", ROOT), BatchObject(A, "tree", FILE_NAMED_LIKE_IT)], True),
        ([BatchObject("r", "tree", ROOT), BatchObject(A, "missing")], False),
        ([BatchObject("r", "missing"), BatchObject(A, "missing")], False),
        ([BatchObject("r", "tree", ROOT), BatchObject(A, "tree", GUIDES)], False),
    ],
    ids=["no-top-folder", "no-folder", "a-file-of-its-name", "middle-tree-lost", "root-lost", "folder-tree-lost"],
)
def test_path_ends_before_tells_an_absent_folder_from_a_lost_tree(trees, absent):
    """The root and `guides` as `cat-file` gave them for `<commit>:guides/ai-models`, answered "missing"."""
    assert path_ends_before(PATH, trees) is absent
