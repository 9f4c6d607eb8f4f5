"""Parse one AI model card (Markdown with YAML front matter) into its raw parts.

Pure functions only: the caller reads the bytes and decides what a failure means.
Values come back "as written, markup removed"; interpreting them (dates, token
counts, labels in either language) is the transform layer's job.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from yaml.composer import Composer, ComposerError
from yaml.events import AliasEvent

__all__ = [
    "MAX_CARD_BYTES",
    "CardParseError",
    "ParsedCard",
    "decode_card",
    "normalize_newlines",
    "parse_card",
    "plain_text",
    "split_front_matter",
    "strip_markup",
]

# Real cards are at most ~16 kB. Markdown parsing is slightly worse than linear on hostile
# text (a card of 250 kB of `[` takes ~3 s, of 1 MB ~16 s), so the bound is 16x the largest
# real card: a corrupt or hostile blob cannot cost more than a few seconds.
MAX_CARD_BYTES = 256_000

_MD = MarkdownIt("commonmark").enable("table")
# Cards are parsed block by block and only the inline text a card's fields need is parsed
# afterwards: a card has ~40 inline runs (mostly table cells) and few carry any markup.
_BLOCKS = MarkdownIt("commonmark").enable("table").disable("inline")
# Every character that starts an inline rule of the commonmark preset other than plain
# text and line breaks; a run without any of them reads as its own folded text.
_MARKUP = re.compile(r"[\\`*_\[<&]")

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INT_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
# markdown-it leaves `[text][ref]` with an undefined ref as literal text.
_UNRESOLVED_REF = re.compile(r"\[([^\[\]]*)\]\[[^\[\]]*\]")
# Code spans are hidden behind NUL-delimited indexes while unresolved refs are reduced,
# so brackets inside code survive; markdown-it never emits NUL (it maps it to U+FFFD).
_CODE_SLOT = re.compile(r"\x00(\d+)\x00")
_HTML_OPEN = re.compile(r"<([A-Za-z][\w-]*)\b[^<>]*?(?<!/)>")
_HTML_CLOSE = re.compile(r"</([A-Za-z][\w-]*)\s*>")
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class CardParseError(Exception):
    """A card that cannot be read; carries a stable `code` so callers can report a finding."""

    def __init__(self, path: str, blob: str, code: str, reason: str) -> None:
        # args mirror the signature so the error survives pickling between worker processes.
        super().__init__(path, blob, code, reason)
        self.path = path
        self.blob = blob
        self.code = code
        self.reason = _fold(reason)

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
    """Match markdown-it's own normalisation so our line numbers agree with its token maps."""
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
    joined = _UNRESOLVED_REF.sub(r"\1", "".join(pieces))
    return _fold(_CODE_SLOT.sub(lambda m: codes[int(m.group(1))], joined))


def strip_markup(text: str) -> str:
    """Plain text of one string read as inline Markdown (for values found outside a card table)."""
    tokens = _MD.parseInline(text, {})
    return plain_text(tokens[0]) if tokens else ""


def parse_card(text: str, path: str = "", blob: str = "") -> ParsedCard:
    """Everything later stages need from one card, still as written: interpretation belongs to transform."""
    text = normalize_newlines(text)
    try:
        front, body, _ = split_front_matter(text)
    except ValueError as exc:
        raise CardParseError(path, blob, "front-matter-invalid", str(exc)) from None
    rank, rank_raw = _rank(_load_front_matter(front, path, blob))

    env: dict[str, Any] = {}  # link reference definitions, for the inline runs parsed later
    tokens = _BLOCKS.parse(body, env)
    text = _InlineText(env)
    title, after_title = _title(tokens, text)
    tables = _tables(tokens, text)
    if not tables:
        raise CardParseError(path, blob, "details-table-missing", "card has no Markdown table of model details")
    return ParsedCard(
        rank=rank,
        rank_raw=rank_raw,
        title=title,
        description=_description(tokens, after_title, text),
        tables=tables,
        docs_urls=_external_links(tokens, text),
    )


class _InlineText:
    """Inline parsing on demand for the runs of one card, sharing its reference definitions."""

    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env

    def children(self, inline: Token) -> list[Token]:
        # Core's `text_join` does not run on runs parsed here, so escapes and entities stay
        # `text_special` tokens; `plain_text` reads those as text.
        if inline.content and not inline.children:
            inline.children = []
            _BLOCKS.inline.parse(inline.content, _BLOCKS, self.env, inline.children)
        return inline.children or []

    def plain(self, inline: Token) -> str:
        """`plain_text` of the run; one without markup characters needs no inline parse."""
        if not _MARKUP.search(inline.content):
            return _fold(inline.content)
        self.children(inline)
        return plain_text(inline)


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
        data = yaml.load(front, Loader=_FrontMatterLoader)  # safe constructor, aliases refused
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


def _title(tokens: list[Token], text: _InlineText) -> tuple[str | None, int]:
    """First top-level h1 and the index just past it (0 when there is none)."""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.level == 0:
            inline = tokens[i + 1]
            return (text.plain(inline) or None), i + 3
    return None, 0


def _description(tokens: list[Token], start: int, text: _InlineText) -> str | None:
    """First top-level paragraph after the title that sits outside any HTML wrapper.

    Sub-headings and HTML blocks are skipped; a paragraph inside a wrapper such as a
    blank-line-separated `<Message>` is a notice, not the description. The details table
    ends the search: text after it is not the card's introduction.
    """
    html_depth = 0
    for i in range(start, len(tokens)):
        tok = tokens[i]
        if tok.level != 0:
            continue
        if tok.type == "html_block":
            html_depth = max(0, html_depth + _html_balance(tok.content))
        elif tok.type == "table_open":
            return None
        elif tok.type == "paragraph_open" and html_depth == 0:
            return text.plain(tokens[i + 1]) or None
    return None


def _html_balance(block: str) -> int:
    opened = sum(1 for m in _HTML_OPEN.finditer(block) if m.group(1).lower() not in _VOID_TAGS)
    return opened - len(_HTML_CLOSE.findall(block))


def _tables(tokens: list[Token], text: _InlineText) -> tuple[tuple[tuple[str, str], ...], ...]:
    """(label, value) of each body row, for every table in document order."""
    tables: list[tuple[tuple[str, str], ...]] = []
    rows: list[tuple[str, str]] = []
    cells: list[str] = []
    in_body = False
    for tok in tokens:
        if tok.type == "table_open":
            rows, in_body = [], False
        elif tok.type == "table_close":
            tables.append(tuple(rows))
        elif tok.type == "tbody_open":
            in_body = True
        elif tok.type == "tr_open":
            cells = []
        elif tok.type == "inline" and in_body:
            cells.append(text.plain(tok))
        elif tok.type == "tr_close" and in_body:
            cells += ["", ""]
            rows.append((cells[0], cells[1]))
    return tuple(tables)


def _external_links(tokens: list[Token], text: _InlineText) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tok in tokens:
        if tok.type != "inline" or not ("[" in tok.content or "<" in tok.content):
            continue  # a link needs `[` (inline or reference link) or `<` (autolink)
        for child in text.children(tok):
            if child.type != "link_open":
                continue
            href = str(child.attrGet("href") or "")
            if href.lower().startswith(("http://", "https://")):
                seen.setdefault(href, None)
    return tuple(seen)


def _fold(text: str) -> str:
    return " ".join(text.split())
