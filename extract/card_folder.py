"""Card discovery and parsing of one folder snapshot, each distinct blob parsed once.

A backfill sees the same card version at many commits; caching by blob id makes its
cost grow with the number of distinct card versions, not commits times cards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.card_markdown import MAX_CARD_BYTES, CardParseError, ParsedCard, decode_card, parse_card
from extract.git_source import CardFile
from extract.index_tiles import Tile, parse_index

INDEX_NAME = "index.md"
# The real index is at most 17 kB with 236 `<` and 22 tiles, never a tile inside a tile. Reading
# it is linear, so these bounds do not guard time: an index far beyond the real one would turn
# into thousands of tiles and findings, and a tile inside a tile is a missing `</Tile>` whose
# pills hold every tile below it.
MAX_INDEX_TAGS = 2_000
MAX_TILE_NESTING = 8
_TILE_TAG = re.compile(r"<(/?)tile\b", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedFolder:
    """The cards and the tile index of one folder at one commit."""

    cards: tuple[tuple[str, ParsedCard | CardParseError], ...]
    index_path: str | None
    index: list[Tile] | CardParseError | None


@dataclass
class BlobParser:
    """Parses card and index blobs, remembering results by (kind, blob id)."""

    cards: dict[str, ParsedCard | CardParseError] = field(default_factory=dict)
    indexes: dict[str, list[Tile] | CardParseError] = field(default_factory=dict)
    parsed: int = 0

    def card(self, file: CardFile) -> ParsedCard | CardParseError:
        if file.blob not in self.cards:
            self.parsed += 1
            self.cards[file.blob] = _parse_card_file(file)
        return _at_path(self.cards[file.blob], file.path)

    def index(self, file: CardFile) -> list[Tile] | CardParseError:
        if file.blob not in self.indexes:
            self.parsed += 1
            self.indexes[file.blob] = _parse_index_file(file)
        return _at_path(self.indexes[file.blob], file.path)


def _at_path(result, path: str):
    """A cached error names the path it was first seen at; report the current one."""
    if isinstance(result, CardParseError) and result.path != path:
        return CardParseError(path, result.blob, result.code, result.reason)
    return result


def _read_text(file: CardFile) -> str:
    if file.is_symlink:
        raise CardParseError(file.path, file.blob, "symlink", "is a symbolic link, which is not followed")
    if file.data is None:
        raise CardParseError(
            file.path, file.blob, "too-large", f"is {file.size} bytes, over the {MAX_CARD_BYTES}-byte bound"
        )
    return decode_card(file.data, file.path, file.blob)


def _parse_card_file(file: CardFile) -> ParsedCard | CardParseError:
    try:
        return parse_card(_read_text(file), file.path, file.blob)
    except CardParseError as exc:
        return exc
    except RecursionError:
        return CardParseError(file.path, file.blob, "too-deep", "nests Markdown too deeply to parse")


def _parse_index_file(file: CardFile) -> list[Tile] | CardParseError:
    try:
        text = _read_text(file)
        _check_index_shape(text, file)
        return parse_index(text)
    except CardParseError as exc:
        return exc
    except RecursionError:
        return CardParseError(file.path, file.blob, "too-deep", "nests markup too deeply to parse")


def _check_index_shape(text: str, file: CardFile) -> None:
    tags = text.count("<")
    if tags > MAX_INDEX_TAGS:
        raise CardParseError(
            file.path, file.blob, "index-too-complex", f"has {tags} '<' (tags), over the {MAX_INDEX_TAGS} bound"
        )
    depth = 0
    for match in _TILE_TAG.finditer(text):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        if depth > MAX_TILE_NESTING:
            raise CardParseError(
                file.path,
                file.blob,
                "index-too-complex",
                f"nests tiles more than {MAX_TILE_NESTING} deep (missing </Tile>?)",
            )


def is_card_path(path: str) -> bool:
    """The contract's discovery rule: every `*.md` directly in the folder but the index."""
    name = _name(path)
    return name.endswith(".md") and name != INDEX_NAME


def _name(path: str) -> str:
    """A git path's last part (git paths are always `/`-separated)."""
    return path.rpartition("/")[2]


def parse_folder(files: Sequence[CardFile], parser: BlobParser) -> ParsedFolder:
    cards = tuple((f.path, parser.card(f)) for f in sorted(files, key=lambda f: f.path) if is_card_path(f.path))
    index_file = next((f for f in files if _name(f.path) == INDEX_NAME), None)
    if index_file is None:
        return ParsedFolder(cards, None, None)
    return ParsedFolder(cards, index_file.path, parser.index(index_file))
