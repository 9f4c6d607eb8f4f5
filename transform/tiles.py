"""Which tile belongs to which card, and what a tile says about its model.

Tiles are hand-edited and drift from their cards: a title spelled differently from the
API name, a link to another model's card. The title decides when it matches an API
name; otherwise the link does. Every disagreement is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from extract.index_tiles import Tile
from transform.pills import MarkupEvidence, PillFacts, classify_pills
from transform.vocabulary import ACCESS_LEVEL_WORDS, fold_label


def match_key(name: str) -> str:
    """API names compare case-insensitively with `.` and `-` read as `_`."""
    return name.strip().casefold().replace(".", "_").replace("-", "_")


def card_id_from_href(href: str | None) -> str | None:
    """`/guides/box-ai/ai-models/x-model-card/#top` -> `box-ai/ai-models/x-model-card`."""
    if not href:
        return None
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", href.strip(), flags=re.I)
    path = path.split("#", 1)[0].split("?", 1)[0].strip("/")
    parts = path.split("/")
    if "guides" in parts:
        parts = parts[parts.index("guides") + 1 :]
    card_id = "/".join(p for p in parts if p)
    return card_id.removesuffix(".md") or None


@dataclass(frozen=True)
class TileMatch:
    """A tile placed on a card (`card_id`) or on none, with what went wrong."""

    tile: Tile
    card_id: str | None
    problems: tuple[tuple[str, str], ...]  # (code, message)


def match_tiles(api_names: Mapping[str, str | None], tiles: Sequence[Tile]) -> list[TileMatch]:
    """Place each tile on a card: by title first, then by link.

    `api_names` maps card_id to the card's API name. A second tile for a card that
    already has one is reported and not used.
    """
    by_key: dict[str, list[str]] = {}
    for card_id, api_name in api_names.items():
        if api_name:
            by_key.setdefault(match_key(api_name), []).append(card_id)
    taken: set[str] = set()
    matches = []
    for tile in tiles:
        by_title = by_key.get(match_key(tile.title), [])
        linked = card_id_from_href(tile.href)
        linked = linked if linked in api_names else None
        problems: list[tuple[str, str]] = []
        if len(by_title) == 1:
            card_id = by_title[0]
            if tile.href and linked != card_id:
                problems.append(
                    (
                        "tile-href-mismatch",
                        f"Tile {tile.title!r} links to {tile.href!r}, not to its own card {card_id}.",
                    )
                )
        elif linked is not None:
            card_id = linked
            problems.append(
                (
                    "tile-title-mismatch",
                    f"Tile title {tile.title!r} matches no card's API name; placed on {card_id} by its link.",
                )
            )
        else:
            card_id = None
            problems.append(("tile-without-card", f"Tile {tile.title!r} (link {tile.href!r}) matches no card."))
        if card_id is not None and card_id in taken:
            problems.append(("duplicate-tile", f"Tile {tile.title!r} is a second tile for {card_id}; ignored."))
            card_id = None
        if card_id is not None:
            taken.add(card_id)
        matches.append(TileMatch(tile, card_id, tuple(problems)))
    return matches


def access_level(section: str | None) -> str | None:
    if not section:
        return None
    folded = fold_label(section)
    for level, words in ACCESS_LEVEL_WORDS.items():
        if any(word in folded for word in words):
            return level
    return None


EMPTY_TILE_COLUMNS: dict[str, Any] = {
    "tile_api_name": None,
    "tile_description": None,
    "index_section": None,
    "access_level": None,
    "availability": [],
    "deprecated_on": None,
    "tier": None,
    "capabilities": [],
    "compliance": [],
    "default_for": [],
    "badges": [],
}


def tile_columns(
    tile: Tile | None, evidence: MarkupEvidence | None = None
) -> tuple[dict[str, Any], tuple[tuple[str, str], ...]]:
    """The models columns a tile fills, and (code, message) for each pill not read by exact words.

    `evidence` is `learn_markup` of the index version the tile is in; without it no pill
    is placed by its markup.
    """
    if tile is None:
        return dict(EMPTY_TILE_COLUMNS), ()
    facts = classify_pills(tile.pills, tile.pill_markup, evidence)
    columns = {
        "tile_api_name": tile.title,
        "tile_description": tile.description,
        "index_section": tile.section,
        "access_level": access_level(tile.section),
        "availability": list(facts.availability),
        "deprecated_on": facts.deprecated_on,
        "tier": facts.tier,
        "capabilities": list(facts.capabilities),
        "compliance": list(facts.compliance),
        "default_for": list(facts.default_for),
        "badges": list(facts.badges),
    }
    return columns, pill_problems(facts)


def pill_problems(facts: PillFacts) -> tuple[tuple[str, str], ...]:
    """Each inferred placement, then each pill no evidence places (`unknown-pill`)."""
    problems = [(inference.code, inference.message()) for inference in facts.inferred]
    styled_like = dict(facts.styled_like)
    for pill in facts.unknown:
        message = f"Tile pill {pill!r} is not a known status, tier or capability."
        if pill in styled_like:
            slot = styled_like[pill]
            message = message[:-1] + f"; it is styled like this index's {slot} pills, but markup gives no value."
        problems.append(("unknown-pill", message))
    return tuple(problems)
