"""What a tile's pills (its `<strong>` labels) say about a model.

Pills are read by their text in either language, since their colours changed over the
history. A pill that means nothing known is handed back in `unknown` so the caller can
report it rather than drop it silently.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from transform.units import UnparsedValue, fold_text, parse_date, phrase_pattern
from transform.vocabulary import (
    AVAILABILITY_PILLS,
    CAPABILITY_PILLS,
    COMPLIANCE_PATTERN,
    DEFAULT_FOR_PREFIXES,
    DEFAULT_FOR_SUFFIXES,
    DEPRECATION_DATE_FILLERS,
    TIER_PILLS,
)


@dataclass(frozen=True)
class PillFacts:
    availability: tuple[str, ...]
    deprecated_on: datetime.date | None
    tier: str | None
    capabilities: tuple[str, ...]
    compliance: tuple[str, ...]
    default_for: tuple[str, ...]
    badges: tuple[str, ...]
    unknown: tuple[str, ...]


# Slot names double as PillFacts field names.
_EXACT: dict[str, tuple[str, str]] = {
    fold_text(word): (slot, value)
    for slot, groups in (
        ("availability", AVAILABILITY_PILLS),
        ("tier", TIER_PILLS),
        ("capabilities", CAPABILITY_PILLS),
    )
    for value, words in groups.items()
    for word in words
}
_DEPRECATED_RE = re.compile(phrase_pattern(AVAILABILITY_PILLS["deprecated"]))
_FILLER = phrase_pattern(DEPRECATION_DATE_FILLERS)
_DATE_FILLERS_RE = re.compile(rf"^(?:{_FILLER} ?)+|(?: ?{_FILLER})+$")

Fact = tuple[str, object]


def _default_for(written: str) -> str | None:
    """X of "Default for X" / "Xのデフォルト", with X's case kept."""
    text = unicodedata.normalize("NFKC", written)
    folded = text.casefold()
    for prefix in (fold_text(p) + " " for p in DEFAULT_FOR_PREFIXES):
        if folded.startswith(prefix):
            return text[len(prefix) :].strip() or None
    for suffix in (fold_text(s) for s in DEFAULT_FOR_SUFFIXES):
        if folded.endswith(suffix):
            return text[: -len(suffix)].strip() or None
    return None


def _deprecation(folded: str, written: str) -> list[Fact] | None:
    """Facts of a pill naming a deprecation; its date must be a day, else the pill is reported."""
    if not _DEPRECATED_RE.search(folded):
        return None
    rest = _DATE_FILLERS_RE.sub("", _DEPRECATED_RE.sub(" ", folded).strip()).strip()
    if not rest:
        return [("availability", "deprecated")]
    try:
        parsed = parse_date(rest)
    except UnparsedValue:
        parsed = None
    if parsed is None or parsed[1] != "day":
        return [("availability", "deprecated"), ("unknown", written)]
    return [("availability", "deprecated"), ("deprecated_on", parsed[0])]


def _read_pill(written: str) -> list[Fact]:
    """The facts one pill states; a pill matching nothing is a single `unknown` fact."""
    folded = fold_text(written)
    if folded in _EXACT:
        return [_EXACT[folded]]
    target = _default_for(written)
    if target is not None:
        return [("default_for", target)]
    if COMPLIANCE_PATTERN.match(folded):
        return [("compliance", written)]
    return _deprecation(folded, written) or [("unknown", written)]


@dataclass
class _Collected:
    """Facts in order of first appearance; a second, different single value is reported."""

    lists: dict[str, list[object]] = field(default_factory=dict)
    single: dict[str, object] = field(default_factory=dict)

    def add(self, slot: str, value: object, written: str) -> None:
        if slot in ("tier", "deprecated_on"):
            if self.single.setdefault(slot, value) != value:
                self.add("unknown", written, written)
            return
        values = self.lists.setdefault(slot, [])
        if value not in values:
            values.append(value)

    def tuple_of(self, slot: str) -> tuple[str, ...]:
        return tuple(str(value) for value in self.lists.get(slot, ()))


def classify_pills(pills: Sequence[str]) -> PillFacts:
    """Sort a tile's pills into the models columns they fill."""
    badges = tuple(written for written in (" ".join(pill.split()) for pill in pills) if written)
    collected = _Collected()
    for written in badges:
        for slot, value in _read_pill(written):
            collected.add(slot, value, written)
    deprecated_on = collected.single.get("deprecated_on")
    tier = collected.single.get("tier")
    return PillFacts(
        availability=collected.tuple_of("availability"),
        deprecated_on=deprecated_on if isinstance(deprecated_on, datetime.date) else None,
        tier=tier if isinstance(tier, str) else None,
        capabilities=collected.tuple_of("capabilities"),
        compliance=collected.tuple_of("compliance"),
        default_for=collected.tuple_of("default_for"),
        badges=badges,
        unknown=collected.tuple_of("unknown"),
    )
