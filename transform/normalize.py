"""Parsed cards and tiles of one snapshot -> typed `models` rows and findings.

Labels are recognised in either language whatever the locale, since translations lag.
A value the normalizers do not understand becomes null plus a finding, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from extract.card_folder import ParsedFolder
from extract.card_markdown import CardParseError, ParsedCard
from extract.index_tiles import Tile
from extract.sources import LocaleStream
from transform import units
from transform.labels import read_label
from transform.pills import MarkupEvidence, learn_markup
from transform.tables import ERROR, LABEL_BY_SYNONYM, RAW_FIELDS, Finding, finding
from transform.tiles import match_tiles, tile_columns

# A tile's models columns and its (code, message) pill problems.
TileColumns = tuple[dict[str, Any], tuple[tuple[str, str], ...]]
TEXT_FIELDS = ("api_name", "model_name", "hosting_layer", "provider")
_RAW_COLUMNS = tuple((field, f"{field}_raw") for field in RAW_FIELDS)


def card_id_for(path: str, guides_root: str) -> str:
    """The card path below the guides root, without `.md`: the same in every locale."""
    relative = path.removeprefix(guides_root) if path.startswith(guides_root) else path.rpartition("/")[2]
    return relative.removesuffix(".md")


def details_rows(card: ParsedCard) -> tuple[tuple[str, str], ...]:
    """The details table: the first with a known label (a card may gain other tables), else the first.

    A known wording beats a label read by meaning, so a benchmark table with a "Speed"
    column does not win over the details table below it.
    """
    for placed in (_exact, _recognised):
        for rows in card.tables:
            if any(placed(label) for label, _ in rows):
                return rows
    return card.tables[0] if card.tables else ()


def _exact(label: str) -> bool:
    return read_label(label).how == "exact"


def _recognised(label: str) -> bool:
    return read_label(label).field is not None


def split_rows(rows: tuple[tuple[str, str], ...]) -> tuple[dict[str, str], list[dict[str, str]], list[tuple[str, str]]]:
    """Known labels -> first value; others -> `extra`; (code, message) problems with the labels.

    A label read by meaning fills its field only where no known label does (that one is
    the card's own wording for it); otherwise it stays in `extra`. Either way it is reported.
    """
    readings = [(label, value, read_label(label)) for label, value in rows]
    exact_fields = {reading.field for _, _, reading in readings if reading.how == "exact"}
    known: dict[str, str] = {}
    extra: list[dict[str, str]] = []
    problems: list[tuple[str, str]] = []
    for label, value, reading in readings:
        field = reading.field
        if field is None:
            extra.append({"key": label, "value": value})
            if reading.how == "held":
                problems.append(
                    (
                        "label-remark-unread",
                        f"Label {label!r} reads as {reading.looks_like}, but its remark may change the value;"
                        " kept in extra.",
                    )
                )
        elif reading.inferred and (field in exact_fields or field in known):
            extra.append({"key": label, "value": value})
            problems.append(
                ("duplicate-label", f"Label {label!r} also reads as {field}, which another label fills; kept in extra.")
            )
        elif field in known:
            problems.append(("duplicate-label", f"Label {label!r} repeats in the details table; the first row counts."))
        else:
            known[field] = value
            if reading.inferred:
                problems.append(
                    (LABEL_BY_SYNONYM, f"Label {label!r} is not a known label; read as {field} by its meaning.")
                )
    return known, extra, problems


def _typed(raw: str | None, parse: Callable[[str], Any], what: str, problems: list[str]) -> Any:
    if raw is None:
        return None
    try:
        return parse(raw)
    except units.UnparsedValue:
        problems.append(f"{what} value {raw!r} is not understood; stored as null.")
        return None


def normalize_card(card: ParsedCard) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Card columns of a models row, and (code, message) problems with the card."""
    known, extra, problems = split_rows(details_rows(card))
    unparsed: list[str] = []
    row: dict[str, Any] = {
        field: (None if known.get(field) is None or units.is_null_value(known[field]) else known[field])
        for field in TEXT_FIELDS
    }
    row["title"] = card.title
    row["description"] = card.description
    row["category"] = _typed(known.get("category"), units.parse_category, "Model category", unparsed)
    for field, what in (("release_date", "Release date"), ("knowledge_cutoff", "Knowledge cutoff")):
        parsed = _typed(known.get(field), units.parse_date, what, unparsed)
        row[field], row[f"{field}_precision"] = parsed if parsed else (None, None)
    for field, what in (("input_context_tokens", "Input context window"), ("max_output_tokens", "Maximum output")):
        row[field] = _typed(known.get(field), units.parse_tokens, what, unparsed)
    low_high = _typed(known.get("throughput"), units.parse_throughput, "Throughput", unparsed)
    row["throughput_tps_low"], row["throughput_tps_high"] = low_high if low_high else (None, None)
    for field, what in (("open_source", "Open source"), ("ip_infringement_protection", "IP protection")):
        row[field] = _typed(known.get(field), units.parse_bool, what, unparsed)
    row["docs_urls"] = list(card.docs_urls)
    row["rank"] = card.rank
    row["extra"] = extra
    for field, column in _RAW_COLUMNS:
        row[column] = known.get(field)
    problems += [("unparsed-value", message) for message in unparsed]
    if row["api_name"] is None:
        problems.append(("missing-api-name", "The card has no API model name; its tile cannot be matched by title."))
    if card.title is None:
        problems.append(("missing-title", "The card has no `#` title."))
    if card.rank is None and card.rank_raw is not None:
        problems.append(("invalid-rank", f"Front matter rank {card.rank_raw!r} is not a whole number."))
    return row, problems


class NormalizeError(Exception):
    """A card whose normalization raised; the text names the original exception briefly."""


def _briefly(error: Exception) -> str:
    """The exception's type and the start of its text, on one line."""
    if isinstance(error, NormalizeError):
        return str(error)
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


class NormalizeCache:
    """Normalized cards and tile columns of one replay: most are unchanged from one snapshot to the next.

    A card blob parsed once is one ParsedCard in every snapshot (and a re-wrapped card parses
    to an equal one); an unchanged index is the same Tile objects. Equal cards normalize alike,
    so each is normalized once. Results are shared between snapshots: nobody may mutate them.
    """

    def __init__(self) -> None:
        self._cards: dict[ParsedCard, tuple[dict[str, Any], list[tuple[str, str]]] | str] = {}
        self._markup: dict[int, tuple[list[Tile], MarkupEvidence]] = {}
        self._tiles: dict[tuple[int, int], tuple[Tile, MarkupEvidence | None, TileColumns]] = {}

    def card(self, card: ParsedCard) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The card's row and problems; a card that failed once raises NormalizeError again, at no cost.

        Only the failure's text is kept: a kept exception would drag its traceback along.
        """
        result = self._cards.get(card)
        if result is None:
            try:
                result = normalize_card(card)
            except Exception as error:  # the caller turns it into the card's finding
                result = _briefly(error)
            self._cards[card] = result
        if isinstance(result, str):
            raise NormalizeError(result)
        return result

    def markup(self, tiles: list[Tile]) -> MarkupEvidence:
        """What pill markup means in this index version, learned once per version (its tile list)."""
        hit = self._markup.get(id(tiles))  # the entry holds the list, so its id stays its own
        if hit is None or hit[0] is not tiles:
            hit = self._markup[id(tiles)] = (tiles, learn_markup(tiles))
        return hit[1]

    def tile(self, tile: Tile | None, evidence: MarkupEvidence | None = None) -> TileColumns:
        if tile is None:
            return tile_columns(None)
        key = (id(tile), id(evidence))  # by identity: the entry holds both, so their ids stay their own
        hit = self._tiles.get(key)
        if hit is None or hit[0] is not tile or hit[1] is not evidence:
            hit = self._tiles[key] = (tile, evidence, tile_columns(tile, evidence))
        return hit[2]


def normalize_snapshot(
    stream: LocaleStream,
    commit: str,
    committed_at: datetime,
    folder: ParsedFolder,
    *,
    cache: NormalizeCache | None = None,
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """All models rows of one locale at one commit, and the findings of that snapshot.

    `cache` remembers normalized cards and tiles across the snapshots of one replay.
    """
    locale = stream.locale
    cache = cache if cache is not None else NormalizeCache()

    def report(code: str, message: str, card_id: str | None, path: str | None, severity: str = "warning"):
        findings.append(
            finding(code, message, locale=locale, commit=commit, card_id=card_id, path=path, severity=severity)
        )

    findings: list[Finding] = []
    rows: dict[str, dict[str, Any]] = {}
    paths: dict[str, str] = {}
    for path, parsed in folder.cards:
        card_id = card_id_for(path, stream.guides_root)
        if isinstance(parsed, CardParseError):
            report(parsed.code, f"Card cannot be read: {parsed.reason}", card_id, path, ERROR)
            continue
        try:
            row, problems = cache.card(parsed)
        except Exception as error:  # one card must never fail the run
            report("normalize-failed", f"Card cannot be normalized: {_briefly(error)}", card_id, path, ERROR)
            continue
        for code, message in problems:
            report(code, message, card_id, path)
        rows[card_id] = row
        paths[card_id] = path

    tiles = folder.index
    placed: dict[str, Any] = {}
    evidence: MarkupEvidence | None = None
    if folder.index_path is None:
        report("index-missing", "The folder has no index.md; tile columns are empty.", None, None)
    elif isinstance(tiles, CardParseError):
        report(tiles.code, f"Index cannot be read: {tiles.reason}", None, folder.index_path, ERROR)
    else:
        api_names = {card_id: row["api_name"] for card_id, row in rows.items()}
        try:
            evidence = cache.markup(tiles)
        except Exception as error:  # pills are still read by their words
            report(
                "index-normalize-failed",
                f"Pill markup cannot be learned: {_briefly(error)}",
                None,
                folder.index_path,
                ERROR,
            )
        try:
            matches = match_tiles(api_names, tiles)
        except Exception as error:  # the cards still count, without their tiles
            report(
                "index-normalize-failed", f"Tiles cannot be matched: {_briefly(error)}", None, folder.index_path, ERROR
            )
        else:
            for match in matches:
                for code, message in match.problems:
                    report(code, message, match.card_id, folder.index_path)
                if match.card_id is not None:
                    placed[match.card_id] = match.tile
            for card_id in rows:
                if card_id not in placed:
                    report("card-without-tile", "The card has no tile in the index.", card_id, paths[card_id])

    models = []
    for card_id in sorted(rows):
        row = rows[card_id]
        try:
            columns, pill_problems = cache.tile(placed.get(card_id), evidence)
        except Exception as error:  # the card keeps its row, without tile columns
            report(
                "tile-normalize-failed", f"Tile cannot be read: {_briefly(error)}", card_id, folder.index_path, ERROR
            )
            columns, pill_problems = cache.tile(None)
        for code, message in pill_problems:
            report(code, message, card_id, folder.index_path)
        if columns["tier"] and row["category"] and columns["tier"] != row["category"]:
            report(
                "tier-mismatch",
                f"The tile says {columns['tier']}, the card says {row['category']}.",
                card_id,
                paths[card_id],
            )
        models.append(
            {
                "card_id": card_id,
                "locale": locale,
                **row,
                **columns,
                "source_commit": commit,
                "source_path": paths[card_id],
                "committed_at": committed_at,
            }
        )
    return models, findings
