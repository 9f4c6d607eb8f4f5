"""The index page's headings and tile text read as with markdown-it, on the real history and on generated pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from extract.card_folder import INDEX_NAME
from extract.card_markdown import normalize_newlines, split_front_matter
from extract.index_tiles import _section_headings, parse_index, strip_markup
from extract.sources import LOCALES
from tests import reference_index_tiles as reference
from tests.test_card_parser_equivalence import read_blobs

MANY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def index_blobs(repo: Path) -> list[str]:
    """Every distinct blob ever written to either locale's index page."""
    blobs: dict[str, None] = {}
    for stream in LOCALES.values():
        path = stream.cards_folder.rstrip("/") + "/" + INDEX_NAME
        log = subprocess.run(
            ["git", "-C", str(repo), "log", "--format=", "--raw", "--no-abbrev", "--no-renames", stream.branch,
             "--", path],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        for line in log.splitlines():
            blob = line.split("\t", 1)[0].split()[3]
            if blob.strip("0"):
                blobs.setdefault(blob)
    return list(blobs)


def body_of(text: str) -> str:
    """What `parse_index` hands the heading reader."""
    text = normalize_newlines(text)
    try:
        return split_front_matter(text)[1]
    except ValueError:
        return text


def test_every_real_index_page_has_the_headings_and_tile_text_markdown_it_gave(bundle_clone: Path):
    blobs = index_blobs(bundle_clone)
    differ, headings, texts = [], 0, 0
    for blob, data in zip(blobs, read_blobs(bundle_clone, blobs), strict=True):
        text = data.decode("utf-8", errors="replace")
        body = body_of(text)
        new, old = _section_headings(body), reference.section_headings(body)
        headings += len(old[0])
        if new != old:
            differ.append(f"{blob[:12]}: headings {new} != {old}")
        for tile in parse_index(text):
            texts += 1
            if tile.description != reference.strip_markup(tile.description):
                differ.append(f"{blob[:12]}: {tile.title!r} description")

    assert len(blobs) > 50 and headings > 100 and texts > 500  # both locales' whole history
    assert not differ, "\n".join(differ[:5])


# Block starts, inline markup and the HTML tiles around the headings of a real index page.
PIECES = [
    "## ", "### ", "# ", "#### ", "##", "###", " #", " ##", "\n", "\n\n", "   ", "    ", "\t", "---", "===",
    "- ", "1. ", "> ", "```", "~~~", "| a |", "|---|", "<div>", "</div>", "<Tile title=\"t\">", "</Tile>", "<!--",
    "-->", "*", "**", "_", "`", "\\", "\\#", "&amp;", "&#35;", "[a](b)", "[a]", "![i](s)", "<b>", "Core", "モデル", "x",
    "\x00", "\r",
]  # fmt: skip
PAGE = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
# Where the parsers really differ: a line holding `|` over a row of `-`s (and `|`, `:`). markdown-it
# tries tables before headings and makes one of an ATX heading's line or a setext heading's text;
# pulldown-cmark, which already reads the cards, reads the heading, as the GFM spec does.
TABLE_OR_HEADING = re.compile(r"^[^\n]*\|[^\n]*\n {0,3}[-|: \t]*-[-|: \t]*$", re.MULTILINE)


@MANY
@given(body=PAGE)
@example(body="## \\#a\n## a ##\n##\n   ## x\nt\n   u  \n---\n> ## q\n- i\n\n  ### l\n```\n## no\n```\n")
def test_generated_pages_have_the_headings_markdown_it_gives(body):
    body = normalize_newlines(body)
    assume(not TABLE_OR_HEADING.search(body))
    assert _section_headings(body) == reference.section_headings(body)


@MANY
@given(text=st.one_of(st.text(max_size=80), PAGE))
@example(text="plain words  and\tspace")
@example(text="a\x00b")
def test_tile_text_reads_as_markdown_it_reads_it(text):
    assert strip_markup(text) == reference.strip_markup(text)
