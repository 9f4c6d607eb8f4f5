"""Read the `<Tile>` grid of the AI models index page.

The page mixes Markdown (section headings) with JSX-like HTML (the tiles). The
English page writes each tile compactly, the Japanese one spreads every tag and
text over blank-line-separated lines, which Markdown splits into many blocks. So
the HTML is read over the whole body and the headings by pulldown-cmark (through
pyromark, as cards are), and the two are joined by line number.

The HTML is read as a stream of stdlib parser events against a stack of open
elements, not as a tree: a backfill reads every index version, and only a tile's
attributes, own text and pills are needed. The stack keeps the rules of the
BeautifulSoup tree it replaced, so real pages read the same, but it is linear however
tiles nest and rejects no markup. A heading keeps its source text, markup and all, as
markdown-it gave it before.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pyromark

from extract.card_markdown import fold_whitespace, inline_text, normalize_newlines, split_front_matter

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["Tile", "parse_index", "plain_text", "strip_markup"]

_HEADINGS = pyromark.Options.ENABLE_TABLES  # the card parser's options: the same block structure
_SECTION_LEVELS = frozenset({"H2", "H3"})
# A tile's text is read as one inline run by markdown-it: pulldown-cmark has no inline-only mode,
# and a text starting `1.` or `#` must not turn into a list or a heading. A text with none of the
# characters that start an inline rule of its commonmark preset (NUL it replaces) is plain as it is.
_INLINE_MARKUP = re.compile(r"[\\`*_\[<&\x00]")

# Elements that never hold content, and those whose text is not page text (HTML's void
# elements and BeautifulSoup's string containers, which the tile values were first read with).
_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr", "image", "img",
        "input", "isindex", "keygen", "link", "menuitem", "meta", "nextid", "param", "source", "spacer", "track",
        "wbr",
    }
)  # fmt: skip
_HIDDEN = frozenset({"rt", "rp", "script", "style", "template"})
# `html.unescape` turns `&#` and thousands of digits into an int, which Python refuses (ValueError)
# past 4,300 digits. Over 7 digits the value is either past U+10FFFF (read as U+FFFD) or padded.
_LONG_CHARREF = re.compile(r"&#([0-9]{8,})")


@dataclass(frozen=True)
class Tile:
    title: str
    href: str | None
    description: str
    section: str | None
    pills: tuple[str, ...]
    line: int
    # Parallel to `pills`: each pill's markup signature (see `_markup_signature`), so transform can
    # learn which slot a style stands for within one index version.
    pill_markup: tuple[str, ...] = ()


def parse_index(text: str) -> list[Tile]:
    """Every tile in document order, each placed under the nearest `##`/`###` heading above it."""
    text = normalize_newlines(text)
    try:
        _, body, offset = split_front_matter(text)
    except ValueError:
        body, offset = text, 0  # an unclosed front matter hides no tiles; read the whole page
    reader = _TileReader()
    reader.feed(_LONG_CHARREF.sub(_short_charref, body))
    reader.close()
    heading_lines, heading_texts = _section_headings(body) if reader.tiles else ([], [])
    tiles: list[Tile] = []
    for tile in reader.tiles:
        # Headings are 0-based line starts; a heading counts when it starts before the tile's line.
        pos = bisect.bisect_left(heading_lines, tile.line - 1)
        pills = [(fold_whitespace("".join(reader.pill_text[p.start : p.end])), p.markup) for p in tile.pills]
        pills = [(text, markup) for text, markup in pills if text]
        tiles.append(
            Tile(
                title=fold_whitespace(tile.title),
                href=tile.href.strip() if tile.href is not None else None,
                description=strip_markup(fold_whitespace("".join(tile.text))),
                section=heading_texts[pos - 1] if pos > 0 else None,
                pills=tuple(text for text, _ in pills),
                line=offset + tile.line,
                pill_markup=tuple(markup for _, markup in pills),
            )
        )
    return tiles


def plain_text(inline: Token) -> str:
    """Text of an inline token with Markdown markup dropped and whitespace folded."""
    pieces: list[str] = []
    codes: list[str] = []
    for child in inline.children or ():
        kind = child.type
        if kind in ("text", "text_special"):
            pieces.append(child.content.replace("\x00", ""))
        elif kind == "code_inline":
            pieces.append(f"\x00{len(codes)}\x00")
            codes.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(" ")
        elif kind == "html_inline":
            pieces.append(child.content)
        elif kind == "image":
            pieces.append(plain_text(child))
    return inline_text(pieces, codes)


def strip_markup(text: str) -> str:
    """Plain text of one string read as inline Markdown."""
    if not _INLINE_MARKUP.search(text):
        return fold_whitespace(text)
    tokens = _inline_parser().parseInline(text, {})
    return plain_text(tokens[0]) if tokens else ""


@functools.cache
def _inline_parser() -> MarkdownIt:
    """markdown-it, loaded by the first tile text that holds markup."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _section_headings(body: str) -> tuple[list[int], list[str]]:
    """Top-level h2/h3 headings as parallel lists of start line (0-based) and trimmed source text.

    pulldown-cmark says where the headings are; the text is cut from each heading's source by
    CommonMark's rules, markup and all, as markdown-it's `content` was (pulldown-cmark keeps a
    closing `##` before a tab, which the spec drops).
    """
    data = body.encode()
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer(b"\n", data))
    lines: list[int] = []
    texts: list[str] = []
    depth = 0  # open blocks (and inline spans) around an event: a section heading is at depth 0
    for event, span in pyromark.events_with_range(body, options=_HEADINGS):
        if type(event) is not dict:
            continue
        if "Start" in event:
            tag = event["Start"]
            if depth == 0 and type(tag) is dict and "Heading" in tag:
                level = tag["Heading"]["level"]
                if level in _SECTION_LEVELS:
                    lines.append(bisect.bisect_right(line_starts, span["start"]) - 1)
                    source = data[span["start"] : span["end"]].decode()
                    texts.append(_heading_text(source, int(level[1])).replace("\x00", "\ufffd"))
            depth += 1
        elif "End" in event:
            depth -= 1
    return lines, texts


def _heading_text(source: str, level: int) -> str:
    """A heading's text from its source: a setext heading's lines above the underline, or an ATX
    heading's line without its opening `#`s and closing sequence."""
    source = source.rstrip("\n")
    above, setext, _ = source.rpartition("\n")
    if setext:
        return above.strip()
    line = source.lstrip(" ")[level:]
    end = len(line.rstrip(" \t"))
    hashes = len(line[:end].rstrip("#"))
    if hashes > 0 and line[hashes - 1] in " \t":
        end = hashes
    return line[:end].strip()


@dataclass
class _Pill:
    """A `<strong>`: its text is `pill_text[start:end]`, which includes everything nested in it."""

    start: int
    markup: str
    end: int = -1


@dataclass
class _OpenTile:
    title: str
    href: str | None
    line: int
    text: list[str] = field(default_factory=list)
    pills: list[_Pill] = field(default_factory=list)


class _TileReader(HTMLParser):
    """Collects tiles from parser events; each event costs O(1) amortized, whatever the nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tiles: list[_OpenTile] = []
        self.pill_text: list[str] = []  # every piece of text a pill may hold, in document order
        # Open elements: name, the tile or pill it opens, and its attributes (a pill's wrapper is in its markup).
        self._stack: list[tuple[str, _OpenTile | _Pill | None, list[tuple[str, str | None]]]] = []
        self._open: dict[str, int] = {}  # open elements by name, so an unmatched end tag costs nothing
        self._owners: list[_OpenTile | _Pill] = []  # open tiles and pills: the innermost owns the text
        self._hidden = 0  # open elements whose text is not page text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        item: _OpenTile | _Pill | None = None
        if tag == "tile":
            values = {name: value or "" for name, value in attrs}  # the last of a repeated attribute wins
            item = _OpenTile(values.get("title", ""), values.get("href"), self.getpos()[0])
            self.tiles.append(item)
        elif tag == "strong":
            item = _Pill(len(self.pill_text), _markup_signature(tag, attrs, self._stack[-1] if self._stack else None))
            owner = self._owners[-1] if self._owners else None
            if isinstance(owner, _OpenTile):
                owner.pills.append(item)  # a <strong> inside a pill is part of that pill
        if item is not None:
            self._owners.append(item)
        if tag in _HIDDEN:
            self._hidden += 1
        self._stack.append((tag, item, attrs))
        self._open[tag] = self._open.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if not self._open.get(tag):
            return  # closes nothing that is open
        while True:
            name, item, _ = self._stack.pop()
            self._open[name] -= 1
            if item is not None:
                self._owners.pop()
                if isinstance(item, _Pill):
                    item.end = len(self.pill_text)
            if name in _HIDDEN:
                self._hidden -= 1
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.pill_text.append(data)
        if self._owners and isinstance(owner := self._owners[-1], _OpenTile):
            owner.text.append(data)

    def unknown_decl(self, data: str) -> None:
        # CDATA is pill text but not a tile's own text, as it was when read through BeautifulSoup.
        if data[:6].upper() == "CDATA[":
            self.pill_text.append(data[6:])

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        # The stdlib raises AssertionError on `<![` not followed by a known keyword; browsers
        # read it as a bogus comment up to the next `>`.
        position = self.getpos()
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            self.lineno, self.offset = position
            return self.parse_bogus_comment(i, report)

    def close(self) -> None:
        rest = self.rawdata  # what `feed` left: text, or the first tag/comment/declaration that never ends
        if len(rest) > 1 and rest[0] == "<" and not self.cdata_elem:
            # Python < 3.11.13 rereads such a construct as text and retries every later `<` up to the
            # end of the page, which is quadratic (CVE-2025-6069). Like HTML5 and later Pythons, let it
            # run to the end instead: an unfinished tag is dropped, an unfinished CDATA is still text.
            if rest.startswith("<![CDATA["):
                self.unknown_decl(rest[3:])
            elif rest == "</":
                self.handle_data(rest)
            self.rawdata = ""
        super().close()
        for _, item, _ in self._stack:
            if isinstance(item, _Pill):
                item.end = len(self.pill_text)  # an unclosed pill runs to the end of the page


def _markup_signature(
    tag: str,
    attrs: list[tuple[str, str | None]],
    wrapper: tuple[str, _OpenTile | _Pill | None, list[tuple[str, str | None]]] | None,
) -> str:
    """`div>strong[style=background-color:#e8e8e8]`: what styles a pill, written any way.

    Attributes are sorted, case folded and stripped of whitespace; style declarations and
    class names are sorted too. The wrapper counts (a style may sit on it), but a tile's own
    attributes (title, link) would make every pill unique, so a tile wrapper counts by name.
    """
    own = _attribute_signature(attrs)
    if wrapper is None:
        return f"{tag}[{own}]"
    name, item, wrapper_attrs = wrapper
    outer = "" if isinstance(item, _OpenTile) else _attribute_signature(wrapper_attrs)
    return f"{name}[{outer}]>{tag}[{own}]"


def _attribute_signature(attrs: list[tuple[str, str | None]]) -> str:
    values = {name.casefold(): value for name, value in attrs}  # the last of a repeated attribute wins
    parts = []
    for name, value in sorted(values.items()):
        if value is None:
            parts.append(name)
            continue
        folded = value.casefold()
        if name == "style":
            folded = ";".join(sorted(d for d in ("".join(d.split()) for d in folded.split(";")) if d))
        elif name == "class":
            folded = " ".join(sorted(set(folded.split())))
        else:
            folded = "".join(folded.split())
        parts.append(f"{name}={folded}")
    return ",".join(parts)


def _short_charref(match: re.Match[str]) -> str:
    digits = match[1].lstrip("0") or "0"
    return "&#" + (digits if len(digits) <= 7 else "1114112")
