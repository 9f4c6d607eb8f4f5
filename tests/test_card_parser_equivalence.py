"""The compiled card parser reads every card the real docs history ever held as the markdown-it one did."""

from __future__ import annotations

import subprocess
from pathlib import Path

from extract.card_folder import is_card_path
from extract.card_markdown import CardParseError, ParsedCard, decode_card, parse_card
from extract.sources import LOCALES
from tests import reference_card_markdown as reference


def card_blobs(repo: Path) -> dict[str, str]:
    """Every distinct blob ever written to a card path of either locale's folder, with one of its paths."""
    blobs: dict[str, str] = {}
    for stream in LOCALES.values():
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--format=", "--raw", "--no-abbrev", "--no-renames", stream.branch,
             "--", stream.cards_folder],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        for line in log.splitlines():
            meta, path = line.split("\t", 1)
            blob = meta.split()[3]
            directly_in_folder = "/" not in path.removeprefix(stream.cards_folder)
            if directly_in_folder and is_card_path(path) and blob.strip("0"):
                blobs.setdefault(blob, path)
    return blobs


def read_blobs(repo: Path, blobs: list[str]) -> list[bytes]:
    batch = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"], input="\n".join(blobs).encode() + b"\n",
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    out, at = [], 0
    for _ in blobs:
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        out.append(batch[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1
    return out


def read_as(parser, text: str, path: str, blob: str) -> ParsedCard | tuple[str, str]:
    try:
        return parser(text, path, blob)
    except CardParseError as exc:
        return ("error", exc.code)


def test_every_real_card_reads_as_with_the_markdown_it_parser(bundle_clone: Path):
    blobs = card_blobs(bundle_clone)
    differ, parsed = [], 0
    for (blob, path), data in zip(blobs.items(), read_blobs(bundle_clone, list(blobs)), strict=True):
        text = decode_card(data, path, blob)
        new, old = read_as(parse_card, text, path, blob), read_as(reference.parse_card, text, path, blob)
        parsed += isinstance(new, ParsedCard)
        if new != old:
            differ.append(f"{path} @ {blob[:12]}: {new} != {old}")

    assert len(blobs) > 300 and parsed > 300  # both locales' whole history, not an empty listing
    assert not differ, "\n".join(differ[:5])


def test_every_real_card_without_html_reads_the_same_from_html_and_from_events(bundle_clone: Path):
    from extract.card_markdown import _PARSER, _read_events, _read_html, split_card

    blobs = card_blobs(bundle_clone)
    differ, read = [], 0
    for (blob, path), data in zip(blobs.items(), read_blobs(bundle_clone, list(blobs)), strict=True):
        try:
            body = split_card(decode_card(data, path, blob), path, blob)[0]
        except CardParseError:
            continue
        if "<" in body:
            continue
        from_html = _read_html(_PARSER.html(body))
        read += from_html is not None
        if from_html != _read_events(body):
            differ.append(f"{path} @ {blob[:12]}")

    assert read > 300  # most real cards hold no HTML, so this path reads most of the history
    assert not differ, "\n".join(differ[:5])
