"""The index page's markdown-it readers as they were, kept only to prove the compiled ones read the same."""

from __future__ import annotations

from markdown_it import MarkdownIt

from extract.index_tiles import plain_text

# Headings keep their source text (`tok.content`), which the block parser fills in.
_BLOCKS = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
_INLINE = MarkdownIt("commonmark")


def section_headings(body: str) -> tuple[list[int], list[str]]:
    tokens = _BLOCKS.parse(body, {})
    lines: list[int] = []
    texts: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and tok.level == 0 and tok.map:
            lines.append(tok.map[0])
            texts.append(tokens[i + 1].content.strip())
    return lines, texts


def strip_markup(text: str) -> str:
    tokens = _INLINE.parseInline(text, {})
    return plain_text(tokens[0]) if tokens else ""
