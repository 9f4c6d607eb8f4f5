"""Read the `<Tile>` grid of the AI models index page.

The page mixes Markdown (section headings) with JSX-like HTML (the tiles). The
English page writes each tile compactly, the Japanese one spreads every tag and
text over blank-line-separated lines, which Markdown splits into many blocks. So
the HTML is read by BeautifulSoup over the whole body and the headings by
markdown-it, and the two are joined by line number.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from markdown_it import MarkdownIt

from extract.card_markdown import normalize_newlines, split_front_matter, strip_markup

__all__ = ["Tile", "parse_index"]

_MD = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Tile:
    title: str
    href: str | None
    description: str
    section: str | None
    pills: tuple[str, ...]
    line: int


def parse_index(text: str) -> list[Tile]:
    """Every tile in document order, each placed under the nearest `##`/`###` heading above it."""
    text = normalize_newlines(text)
    try:
        _, body, offset = split_front_matter(text)
    except ValueError:
        body, offset = text, 0  # an unclosed front matter hides no tiles; read the whole page
    heading_lines, heading_texts = _section_headings(body)

    tiles: list[Tile] = []
    soup = BeautifulSoup(body, "html.parser")
    for tag in soup.find_all("tile"):
        body_line = tag.sourceline or 1
        # Headings are 0-based line starts; a heading counts when it starts before the tile's line.
        pos = bisect.bisect_left(heading_lines, body_line - 1)
        href = tag.get("href")
        tiles.append(
            Tile(
                title=_fold(str(tag.get("title") or "")),
                href=str(href).strip() if href is not None else None,
                description=strip_markup(_fold(_own_text(tag))),
                section=heading_texts[pos - 1] if pos > 0 else None,
                pills=tuple(_pills(tag)),
                line=offset + body_line,
            )
        )
    return tiles


def _section_headings(body: str) -> tuple[list[int], list[str]]:
    """Top-level h2/h3 headings as parallel lists of start line (0-based) and trimmed source text."""
    tokens = _MD.parse(body, {})
    lines: list[int] = []
    texts: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and tok.level == 0 and tok.map:
            lines.append(tok.map[0])
            texts.append(tokens[i + 1].content.strip())
    return lines, texts


def _owned_by(node: Tag | NavigableString, tile: Tag, skip: tuple[str, ...]) -> bool:
    """True when no `skip` element lies between node and its tile (so nested tiles keep their own text)."""
    parent = node.parent
    while parent is not None and parent is not tile:
        if parent.name in skip:
            return False
        parent = parent.parent
    return parent is tile


def _own_text(tile: Tag) -> str:
    parts = [
        str(s)
        for s in tile.find_all(string=True)
        # Subclasses are comments, CDATA, doctypes: not visible text.
        if type(s) is NavigableString and _owned_by(s, tile, ("strong", "tile"))
    ]
    return "".join(parts)


def _pills(tile: Tag) -> list[str]:
    pills = []
    for strong in tile.find_all("strong"):
        if not _owned_by(strong, tile, ("strong", "tile")):
            continue  # a nested <strong> is part of its outer pill; a nested tile's pills are its own
        text = _fold(strong.get_text())
        if text:
            pills.append(text)
    return pills


def _fold(text: str) -> str:
    return " ".join(text.split())
