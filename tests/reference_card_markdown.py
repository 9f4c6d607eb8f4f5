"""The card parser as it was on markdown-it-py, kept only to prove the compiled one reads the same.

Front matter and rank are shared with `extract.card_markdown`; this is the body reader it
replaced, unchanged but for names: block tokens first, inline runs parsed on demand.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from extract.card_markdown import (
    CardParseError,
    ParsedCard,
    _html_balance,
    split_card,
)
from extract.index_tiles import plain_text

_BLOCKS = MarkdownIt("commonmark").enable("table").disable("inline")
# Every character that starts an inline rule of the commonmark preset other than plain text.
_MARKUP = re.compile(r"[\\`*_\[<&]")


class _InlineText:
    def __init__(self, env: dict[str, Any]) -> None:
        self.env = env

    def children(self, inline: Token) -> list[Token]:
        if inline.content and not inline.children:
            inline.children = []
            _BLOCKS.inline.parse(inline.content, _BLOCKS, self.env, inline.children)
        return inline.children or []

    def plain(self, inline: Token) -> str:
        if not _MARKUP.search(inline.content):
            return " ".join(inline.content.split())
        self.children(inline)
        return plain_text(inline)


def parse_card(text: str, path: str = "", blob: str = "") -> ParsedCard:
    body, rank, rank_raw = split_card(text, path, blob)
    env: dict[str, Any] = {}
    tokens = _BLOCKS.parse(body, env)
    text_of = _InlineText(env)
    title, after_title = _title(tokens, text_of)
    tables = _tables(tokens, text_of)
    if not tables:
        raise CardParseError(path, blob, "details-table-missing", "card has no Markdown table of model details")
    return ParsedCard(
        rank=rank,
        rank_raw=rank_raw,
        title=title,
        description=_description(tokens, after_title, text_of),
        tables=tables,
        docs_urls=_external_links(tokens, text_of),
    )


def _title(tokens: list[Token], text: _InlineText) -> tuple[str | None, int]:
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and tok.level == 0:
            return (text.plain(tokens[i + 1]) or None), i + 3
    return None, 0


def _description(tokens: list[Token], start: int, text: _InlineText) -> str | None:
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


def _tables(tokens: list[Token], text: _InlineText) -> tuple[tuple[tuple[str, str], ...], ...]:
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
            continue
        for child in text.children(tok):
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.lower().startswith(("http://", "https://")):
                    seen.setdefault(href, None)
    return tuple(seen)
