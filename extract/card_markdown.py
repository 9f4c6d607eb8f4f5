"""Parse one AI model card (Markdown with YAML front matter) into its raw parts.

Pure functions only: the caller reads the bytes and decides what a failure means.
Values come back "as written, markup removed"; interpreting them (dates, token
counts, labels in either language) is the transform layer's job. The body is read by
pulldown-cmark (compiled CommonMark with GFM tables, via pyromark): from its HTML when the
card holds no HTML of its own, so every tag in that HTML is the parser's, else in one pass
over its events. Both readings are the same parse, and give the same answer.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import pyromark
import yaml
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent

__all__ = [
    "MAX_CARD_BYTES",
    "CardParseError",
    "ParsedCard",
    "decode_card",
    "fold_whitespace",
    "inline_text",
    "normalize_newlines",
    "parse_card",
    "split_card",
    "split_front_matter",
]

# Real cards are at most ~16 kB; 16x that bounds what a corrupt or hostile blob can cost.
MAX_CARD_BYTES = 256_000

# CommonMark with GFM tables, as pulldown-cmark (compiled) reads it; no other extension.
_PARSER = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INT_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
# CommonMark leaves `[text][ref]` with an undefined ref as literal text.
_UNRESOLVED_REF = re.compile(r"\[([^\[\]]*)\]\[[^\[\]]*\]")
# Code spans are hidden behind NUL-delimited indexes while unresolved refs are reduced,
# so brackets inside code survive; a card holds no NUL (`decode_card` refuses it).
_CODE_SLOT = re.compile(r"\x00(\d+)\x00")
_HTML_OPEN = re.compile(r"<([A-Za-z][\w-]*)\b[^<>]*?(?<!/)>")
_HTML_CLOSE = re.compile(r"</([A-Za-z][\w-]*)\s*>")
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
# A link destination is percent-encoded as CommonMark renderers do: these stay, and `%XX` escapes.
_URL_UNSAFE = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9;/?:@&=+$,\-_.!~*'()#%]+")
# Blocks inside which a block is not top level.
_CONTAINERS = frozenset({"BlockQuote", "List", "Item", "FootnoteDefinition", "DefinitionList"})
# pulldown-cmark's HTML for a card without HTML of its own: every `<` is a tag it wrote, text
# and attributes are escaped, and a link's href is already percent-encoded (a subset of ours).
# Its writer starts each block on a new line; a table row is one line.
_HTML_TOP_BLOCK = re.compile(r"\n<()(h1|p|table)>")
_HTML_ANY_BLOCK = re.compile(r"<(/?)(h1|p|table|blockquote|ul|ol|li)\b[^>]*>")
# A body row's first two cells; a cell's content runs to its `</td>` (unrolled, so linear).
_HTML_CELL = r"<td[^>]*>([^<]*(?:<(?!/td>)[^<]*)*)</td>"
_HTML_ROW = re.compile(rf"\n<tr>{_HTML_CELL}(?:{_HTML_CELL})?")
_HTML_HREF = re.compile(r'<a href="([^"]*)"')
_HTML_CODE = re.compile(r"<code>(.*?)</code>", re.S)
_HTML_TAG = re.compile(r"<[^>]*>")
_MEMO = 4096


class CardParseError(Exception):
    """A card that cannot be read; carries a stable `code` so callers can report a finding."""

    def __init__(self, path: str, blob: str, code: str, reason: str) -> None:
        # args mirror the signature so the error survives pickling between worker processes.
        super().__init__(path, blob, code, reason)
        self.path = path
        self.blob = blob
        self.code = code
        self.reason = fold_whitespace(reason)

    def __str__(self) -> str:
        return f"{self.path or '<card>'}: {self.reason}"


@dataclass(frozen=True)
class ParsedCard:
    rank: int | None
    rank_raw: str | None
    title: str | None
    description: str | None
    # (label, value) body rows of every table in document order; which one holds the
    # model's details is a question of meaning, answered in transform.
    tables: tuple[tuple[tuple[str, str], ...], ...]
    docs_urls: tuple[str, ...]


def decode_card(data: bytes, path: str = "", blob: str = "") -> str:
    """Bytes to text, refusing anything that is not plausibly a Markdown card."""
    if len(data) > MAX_CARD_BYTES:
        raise CardParseError(
            path, blob, "too-large", f"card is {len(data)} bytes, more than the {MAX_CARD_BYTES} allowed"
        )
    if b"\x00" in data:
        raise CardParseError(path, blob, "binary", "card contains NUL bytes, so it is not a text file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise CardParseError(
            path, blob, "not-utf8", f"card is not valid UTF-8 (bad byte at offset {exc.start})"
        ) from None


def normalize_newlines(text: str) -> str:
    """CommonMark's line endings, so line numbers agree with the index reader's."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, number of lines before the body).

    Raises ValueError when a leading `---` is never closed. Expects normalised newlines.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text, 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 1
    raise ValueError("front matter starts with '---' but is never closed")


def inline_text(pieces: list[str], codes: list[str]) -> str:
    """One inline run's text, its code spans as `\\x00<i>\\x00` slots: refs reduced, whitespace folded."""
    joined = "".join(pieces)
    if "][" in joined:
        joined = _UNRESOLVED_REF.sub(r"\1", joined)
    if codes:
        joined = _CODE_SLOT.sub(lambda m: codes[int(m.group(1))], joined)
    return fold_whitespace(joined)


def parse_card(text: str, path: str = "", blob: str = "") -> ParsedCard:
    """Everything later stages need from one card, still as written: interpretation belongs to transform."""
    body, rank, rank_raw = split_card(text, path, blob)
    read = _read_body(body)
    if not read.tables:
        raise CardParseError(path, blob, "details-table-missing", "card has no Markdown table of model details")
    title, description = _title_and_description(read.blocks)
    return ParsedCard(
        rank=rank,
        rank_raw=rank_raw,
        title=title,
        description=description,
        tables=tuple(read.tables),
        docs_urls=tuple(read.links),
    )


def split_card(text: str, path: str = "", blob: str = "") -> tuple[str, int | None, str | None]:
    """The card's Markdown body, and the rank its front matter gives (as a number, and as written)."""
    text = normalize_newlines(text)
    try:
        front, body, _ = split_front_matter(text)
    except ValueError as exc:
        raise CardParseError(path, blob, "front-matter-invalid", str(exc)) from None
    rank, rank_raw = _rank(_load_front_matter(front, path, blob))
    return body, rank, rank_raw


@dataclass
class _Body:
    """What one pass over a card body's events collects."""

    # top-level blocks the title and description are chosen from: ("h1" | "p", text), ("html", source), ("table", "")
    blocks: list[tuple[str, str]]
    tables: list[tuple[tuple[str, str], ...]]
    links: dict[str, None]  # http(s) link destinations anywhere, first seen first


def _read_body(body: str) -> _Body:
    """A card without HTML of its own is read from pulldown-cmark's HTML by C-level regexes, not event by event."""
    if "<" not in body:
        read = _read_html(_PARSER.html(body))
        if read is not None:
            return read
    return _read_events(body)


def _read_html(out: str) -> _Body | None:
    """The same reading as `_read_events`, from the HTML of a body that holds no `<`; None for an image.

    An image's alt text is flattened in HTML (code spans lose their markers), so events read it.
    """
    if "<img" in out:
        return None
    read = _Body([], [], {})
    out = "\n" + out
    nested = "<li>" in out or "<blockquote>" in out
    depth = 0  # open block quotes, lists and items; without any, every block is top level
    for tag in (_HTML_ANY_BLOCK if nested else _HTML_TOP_BLOCK).finditer(out):
        closing, name = tag.groups()
        if name in ("blockquote", "ul", "ol", "li"):
            depth += -1 if closing else 1
        elif closing or depth:
            continue
        elif name == "table":
            read.blocks.append(("table", ""))
        else:
            content = out[tag.end() : out.find(f"</{name}>", tag.end())]
            read.blocks.append(("h1" if name == "h1" else "p", _html_inline(content)))
    start = out.find("<table>")
    while start != -1:
        head_end = out.find("</thead>", start)
        end = out.find("</table>", head_end)
        rows = _HTML_ROW.findall(out, head_end, end)
        read.tables.append(tuple((_html_inline(a), _html_inline(b) if b else "") for a, b in rows))
        start = out.find("<table>", end)
    for href in _HTML_HREF.findall(out):
        url = _URL_UNSAFE.sub(_percent_encode, html.unescape(href))
        if url[:8].lower().startswith(("http://", "https://")):
            read.links.setdefault(url, None)
    return read


@lru_cache(maxsize=_MEMO)
def _html_inline(fragment: str) -> str:
    """One inline run's text from its HTML, code spans as slots, as `inline_text` reads events.

    Memoized: cells repeat across cards and across a backfill's versions of one card.
    """
    codes: list[str] = []
    if "<code>" in fragment:

        def slot(match: re.Match[str]) -> str:
            codes.append(html.unescape(match.group(1)))
            return f"\x00{len(codes) - 1}\x00"

        fragment = _HTML_CODE.sub(slot, fragment)
    if "<" in fragment:
        fragment = _HTML_TAG.sub("", fragment.replace("<br />", " "))
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return inline_text([fragment], codes)


def _read_events(body: str) -> _Body:
    """One pass over pulldown-cmark's events; the commonest (text, a table cell's start and end) are tested first."""
    read = _Body([], [], {})
    containers = 0  # open block quotes, lists and items
    pieces: list[str] = []  # the inline run being read
    codes: list[str] = []
    run: str | None = None  # what the run is: "h1", "p", "html", "cell", or None for runs nobody reads
    rows: list[tuple[str, str]] = []
    cells: list[str] = []
    in_head = False
    for event in _PARSER.events(body):
        if type(event) is str:  # SoftBreak, HardBreak, Rule
            if event != "Rule":
                pieces.append(" ")
            continue
        text = event.get("Text")
        if text is not None:
            pieces.append(text)
            continue
        start = event.get("Start")
        if start is not None:
            if start == "TableCell":
                pieces, codes, run = [], [], "cell"
            elif start == "TableRow":
                cells = []
            elif type(start) is str:
                if start == "Paragraph":
                    pieces, codes, run = [], [], ("p" if containers == 0 else None)
                elif start == "HtmlBlock":
                    pieces, codes, run = [], [], ("html" if containers == 0 else None)
                elif start == "TableHead":
                    in_head = True
                elif start in _CONTAINERS:
                    containers += 1
            else:
                [(name, attrs)] = start.items()
                if name == "Link":
                    url = _URL_UNSAFE.sub(_percent_encode, attrs["dest_url"])
                    if url[:8].lower().startswith(("http://", "https://")):
                        read.links.setdefault(url, None)
                elif name == "Heading":
                    pieces, codes = [], []
                    run = "h1" if containers == 0 and attrs["level"] == "H1" else None
                elif name == "Table":
                    rows = []
                    if containers == 0:
                        read.blocks.append(("table", ""))
                elif name in _CONTAINERS:
                    containers += 1
            continue
        end = event.get("End")
        if end is not None:
            if end == "TableCell":
                if not in_head:
                    cells.append(inline_text(pieces, codes))
            elif end == "TableRow":
                cells += ["", ""]
                rows.append((cells[0], cells[1]))
            elif end == "Paragraph" or (type(end) is dict and "Heading" in end):
                if run == "p" or run == "h1":
                    read.blocks.append((run, inline_text(pieces, codes)))
                run = None
            elif end == "HtmlBlock":
                if run == "html":
                    read.blocks.append(("html", "".join(pieces)))
                run = None
            elif end == "TableHead":
                in_head = False
            elif end == "Table":
                read.tables.append(tuple(rows))
            elif (end if type(end) is str else next(iter(end))) in _CONTAINERS:
                containers -= 1
            continue
        code = event.get("Code")
        if code is not None:
            pieces.append(f"\x00{len(codes)}\x00")
            codes.append(code)
            continue
        html = event.get("InlineHtml")
        if html is None and run == "html":
            html = event.get("Html")
        if html is not None:
            pieces.append(html)
    return read


def _percent_encode(match: re.Match[str]) -> str:
    return quote(match.group(), safe="")


def _title_and_description(blocks: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    """The first top-level h1, and the first top-level paragraph after it outside any HTML wrapper.

    Sub-headings and HTML blocks are skipped; a paragraph inside a wrapper such as a
    blank-line-separated `<Message>` is a notice, not the description. The first table
    ends the search: text after it is not the card's introduction.
    """
    at = next((i for i, (kind, _) in enumerate(blocks) if kind == "h1"), None)
    title = (blocks[at][1] or None) if at is not None else None
    html_depth = 0
    for kind, content in blocks[0 if at is None else at + 1 :]:
        if kind == "html":
            html_depth = max(0, html_depth + _html_balance(content))
        elif kind == "table":
            return title, None
        elif kind == "p" and html_depth == 0:
            return title, content or None
    return title, None


class _AliasRefused(ComposerError):
    pass


_CLoader = getattr(yaml, "CSafeLoader", None)

if _CLoader is not None:

    class _FrontMatterLoader(Composer, _CLoader):  # type: ignore[valid-type,misc]
        """libyaml parses; the pure-Python composer sits on top so aliases can be refused before use."""

        def __init__(self, stream: str) -> None:
            _CLoader.__init__(self, stream)
            Composer.__init__(self)

        def compose_node(self, parent: Any, index: Any) -> Any:
            _refuse_anchor(self.peek_event())
            return Composer.compose_node(self, parent, index)

else:  # pragma: no cover - PyYAML built without libyaml

    class _FrontMatterLoader(yaml.SafeLoader):  # type: ignore[no-redef]
        def compose_node(self, parent: Any, index: Any) -> Any:
            _refuse_anchor(self.peek_event())
            return super().compose_node(parent, index)


def _refuse_anchor(event: Any) -> None:
    # Anchors/aliases are never needed in card front matter, and refusing them outright means an
    # alias bomb cannot grow into a huge structure anywhere downstream.
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        raise _AliasRefused(None, None, "YAML anchors and aliases are not allowed", event.start_mark)


def _load_front_matter(front: str | None, path: str, blob: str) -> dict[Any, Any]:
    if front is None:
        return {}
    try:
        # An anchor needs `&` and an alias `*`: without either, libyaml composes alone, much faster.
        loader = _FrontMatterLoader if _CLoader is None or "&" in front or "*" in front else _CLoader
        data = yaml.load(front, Loader=loader)  # safe constructor, aliases refused
    except yaml.MarkedYAMLError as exc:
        where = f" at line {exc.problem_mark.line + 2}" if exc.problem_mark is not None else ""
        raise CardParseError(
            path, blob, "front-matter-invalid", f"front matter is not valid YAML: {exc.problem}{where}"
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # The safe constructor can still fail on values (e.g. an impossible date) or deep nesting.
        detail = f"{type(exc).__name__}: {exc}"[:200]
        raise CardParseError(path, blob, "front-matter-invalid", f"front matter cannot be loaded ({detail})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardParseError(
            path, blob, "front-matter-invalid", f"front matter is a {type(data).__name__}, not a mapping"
        )
    return data


def _rank(meta: dict[Any, Any]) -> tuple[int | None, str | None]:
    raw = meta.get("rank")
    if raw is None:
        return None, None
    text = raw.strip() if isinstance(raw, str) else str(raw)
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _INT_TEXT.fullmatch(text) and len(text) <= 20:
        value = int(text)
    if value is not None and not _INT64_MIN <= value <= _INT64_MAX:
        value = None  # the catalog stores rank as int64
    return value, text


def _html_balance(block: str) -> int:
    opened = sum(1 for m in _HTML_OPEN.finditer(block) if m.group(1).lower() not in _VOID_TAGS)
    return opened - len(_HTML_CLOSE.findall(block))


def fold_whitespace(text: str) -> str:
    """Runs of any Unicode whitespace as one space, none at the ends: how a cell or a tile reads."""
    return " ".join(text.split())
