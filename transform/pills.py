"""What a tile's pills (its `<strong>` labels) say about a model.

Pills are read open-world, strongest evidence first: the exact words of the vocabulary;
a known compliance programme; a known word with modifiers around it or a synonym of one;
and, within one index version, the markup the pill shares with pills already placed
(colours changed over the history, so a style means something only inside its own
version). Every placement beyond the exact words is an `Inference`, which the caller
reports; a pill no evidence places is handed back in `unknown`.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from transform.tables import PILL_BY_COMPLIANCE_FAMILY, PILL_BY_HEAD_WORD, PILL_BY_MARKUP, PILL_BY_SYNONYM
from transform.units import UnparsedValue, fold_text, parse_date, phrase_pattern
from transform.vocabulary import (
    AVAILABILITY_PILLS,
    CAPABILITY_PILLS,
    COMPLIANCE_PROGRAMMES,
    COMPLIANCE_SUFFIXES,
    DEFAULT_FOR_PREFIXES,
    DEFAULT_FOR_SUFFIXES,
    DEPRECATION_DATE_FILLERS,
    PILL_DATE_FILLERS,
    PILL_MODIFIERS,
    PILL_SYNONYMS,
    TIER_PILLS,
)

BY_SYNONYM = PILL_BY_SYNONYM
BY_HEAD_WORD = PILL_BY_HEAD_WORD
BY_COMPLIANCE_FAMILY = PILL_BY_COMPLIANCE_FAMILY
BY_MARKUP = PILL_BY_MARKUP

# Longer pills are read by their exact words only: open-world reading is for labels.
_MAX_OPEN_WORLD_CHARS = 80


@dataclass(frozen=True)
class Inference:
    """A pill placed by evidence weaker than an exact word: reported so the vocabulary can grow."""

    code: str
    pill: str
    slot: str
    value: str
    evidence: str

    def message(self) -> str:
        where = "compliance" if self.slot == "compliance" else f"{self.slot} {self.value!r}"
        return f"Tile pill {self.pill!r} is read as {where} by {self.evidence}."


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
    inferred: tuple[Inference, ...] = ()
    # Unknown pills styled like one enum slot's pills: (pill, slot). Markup gives no value.
    styled_like: tuple[tuple[str, str], ...] = ()


ENUM_GROUPS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "availability": AVAILABILITY_PILLS,
    "tier": TIER_PILLS,
    "capabilities": CAPABILITY_PILLS,
}
# Slot names double as PillFacts field names.
_EXACT: dict[str, tuple[str, str]] = {
    fold_text(word): (slot, value)
    for slot, groups in ENUM_GROUPS.items()
    for value, words in groups.items()
    for word in words
}

Fact = tuple[str, object]
Reading = tuple[tuple[Fact, ...], Inference | None]


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


# Head words and synonyms -----------------------------------------------------------------


def _spaced(folded: str) -> str:
    """Punctuation read as spacing: "Preview (limited)" = "preview limited", "end-of-life" = "end of life"."""
    return " ".join(re.sub(r"[^\w]+", " ", folded).replace("_", " ").split())


def _phrases(words: Iterable[str]) -> str:
    return phrase_pattern(_spaced(fold_text(w)) for w in words if w.strip())


def _head_word_pattern(slot: str, value: str) -> re.Pattern[str]:
    """Modifiers, then the known word or a synonym, then modifiers; the whole pill."""
    terms = (*ENUM_GROUPS[slot][value], *PILL_SYNONYMS.get(slot, {}).get(value, ()))
    modifiers = PILL_MODIFIERS.get(slot, {}).get(value, ())
    around = _phrases(modifiers) if modifiers else "(?!)"
    return re.compile(rf"(?P<before>(?:{around} ?)*)(?P<term>{_phrases(terms)})(?P<after>(?: ?{around})*)")


_HEAD_WORDS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (slot, value, _head_word_pattern(slot, value))
    for slot, groups in ENUM_GROUPS.items()
    for value in groups
    if value != "deprecated"  # read with its date, below
)
_SYNONYMS: frozenset[str] = frozenset(
    _spaced(fold_text(word)) for groups in PILL_SYNONYMS.values() for words in groups.values() for word in words
)


def _by_head_word(folded: str, written: str) -> Reading | None:
    """One known word or synonym with only its own modifiers around it; two values read is none."""
    spaced = _spaced(folded)
    found = []
    for slot, value, pattern in _HEAD_WORDS:
        match = pattern.fullmatch(spaced)
        if match is not None:
            found.append((slot, value, match))
    if len(found) != 1:
        return None
    slot, value, match = found[0]
    term = match["term"]
    if term in _SYNONYMS:
        inference = Inference(BY_SYNONYM, written, slot, value, f"the synonym {term!r}")
    else:
        inference = Inference(BY_HEAD_WORD, written, slot, value, f"its head word {term!r}")
    return ((slot, value),), inference


# Deprecation, with or without a date -----------------------------------------------------

_DEPRECATED_RE = re.compile(phrase_pattern(AVAILABILITY_PILLS["deprecated"]))
_DEPRECATED_SYNONYM_RE = re.compile(
    phrase_pattern(PILL_SYNONYMS["availability"]["deprecated"]).replace(r"\ ", "[ -]").replace(r"\-", "[ -]")
)
_PUNCT = r"[:;,、。\[\]【】「」\-–—]"  # brackets come off only as a pair (`_strip`)
_FILLER = phrase_pattern((*DEPRECATION_DATE_FILLERS, *PILL_DATE_FILLERS))
_MODIFIER = phrase_pattern(PILL_MODIFIERS["availability"]["deprecated"])


def _edges(words: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:(?:{words}|{_PUNCT}) ?)+|(?: ?(?:{words}|{_PUNCT}))+$")


_DATE_FILLERS_RE = _edges(_FILLER)
_DATE_FILLERS_AND_MODIFIERS_RE = _edges(f"{_FILLER}|{_MODIFIER}")


def _day(text: str) -> tuple[datetime.date | None, bool]:
    """(the day a text states, whether it states a date at all)."""
    try:
        parsed = parse_date(text)
    except UnparsedValue:
        return None, False
    if parsed is None:
        return None, False
    return (parsed[0] if parsed[1] == "day" else None), True


def _strip(pattern: re.Pattern[str], text: str) -> str:
    """Words and punctuation off both ends, and a bracket pair around all of what is left.

    A bracket at one end alone stays: "2025/5/6(火)" keeps its weekday for `parse_date`.
    """
    previous = None
    while previous != text:
        previous, text = text, pattern.sub("", text).strip()
        if text.startswith("(") and text.endswith(")") and "(" not in text[1:-1]:
            text = text[1:-1].strip()
    return text


_DEPRECATED: Fact = ("availability", "deprecated")


def _deprecation(folded: str, written: str) -> Reading | None:
    """Facts of a pill naming a deprecation; its date must be a day, else the pill is reported.

    A known word counts wherever it stands, as it always has. A synonym ("Retiring", "EOL")
    counts only when what is left is its modifiers or a date, so "Sunset Boulevard" is no
    deprecation.
    """
    match = _DEPRECATED_RE.search(folded)
    if match is not None:
        rest, inference = _DEPRECATED_RE.sub(" ", folded).strip(), None
    else:
        match = _DEPRECATED_SYNONYM_RE.search(folded)
        if match is None:
            return None
        rest = (folded[: match.start()] + " " + folded[match.end() :]).strip()
        inference = Inference(BY_SYNONYM, written, "availability", "deprecated", f"the synonym {match.group()!r}")
    left = _strip(_DATE_FILLERS_RE, rest)
    reading = _dated(left, inference)
    if reading is not None:
        return reading
    loose = _strip(_DATE_FILLERS_AND_MODIFIERS_RE, rest)
    if loose != left:
        head = Inference(BY_HEAD_WORD, written, "availability", "deprecated", f"its head word {match.group()!r}")
        reading = _dated(loose, inference or head)
        if reading is not None:
            return reading
    if inference is not None and not _day(left)[1]:
        return None  # a synonym with other words around it: no deprecation pill
    return (_DEPRECATED, ("unknown", written)), inference


def _dated(left: str, inference: Inference | None) -> Reading | None:
    """A deprecation when what is left of the pill is nothing or a day."""
    if not left:
        return (_DEPRECATED,), inference
    day, _ = _day(left)
    return ((_DEPRECATED, ("deprecated_on", day)), inference) if day is not None else None


# Compliance programmes -------------------------------------------------------------------

_CJK = r"\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f"


def programme_form(text: str) -> str:
    """A programme name as comparable words: case, width, punctuation and spacing folded.

    "FedRAMP-High" and "fedramp high", "SOC2 Type II" and "SOC 2 type II", "IL5" and "IL 5",
    "ISO/IEC 27001:2022" and "iso iec 27001 2022" each fold alike.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("+", " plus ").replace("&", " and ")
    folded = re.sub(r"[^\w]+", " ", folded).replace("_", " ")
    folded = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", folded)
    folded = re.sub(rf"(?<=[a-z0-9])(?=[{_CJK}])|(?<=[{_CJK}])(?=[a-z0-9])", " ", folded)
    return " ".join(folded.split())


def _alternation(words: Iterable[str]) -> str:
    forms = sorted({programme_form(w) for w in words if programme_form(w)}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w) for w in forms) + ")"


_YEAR = r"(?:19|20)[0-9]{2}"


def _programme_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a listed name with listed qualifiers, the whole pill; a listed name leading the pill)."""
    exact = []
    for names, qualifiers in COMPLIANCE_PROGRAMMES:
        listed = [q for q in qualifiers if q]
        qualifier = f"(?:{_alternation(listed)}|{_YEAR})" if listed else _YEAR
        repeat = "*" if "" in qualifiers else "+"
        exact.append(rf"{_alternation(names)}(?: {qualifier}){repeat}")
    every_name = _alternation(name for names, _ in COMPLIANCE_PROGRAMMES for name in names)
    return re.compile("|".join(f"(?:{e})" for e in exact)), re.compile(rf"(?P<family>{every_name})(?: |$)")


_PROGRAMME_RE, _PROGRAMME_FAMILY_RE = _programme_patterns()
_PROGRAMME_NAMES = {programme_form(name): name for names, _ in COMPLIANCE_PROGRAMMES for name in names}
_SUFFIXES = sorted({programme_form(s) for s in COMPLIANCE_SUFFIXES}, key=lambda s: -len(s))
_LIST_SEPARATOR_RE = re.compile(r"\s*(?:[,、;&・]|\s/\s|\sand\s|\sおよび\s?|及び)\s*")


def _listed(form: str) -> bool:
    """A listed programme, as is or once suffixes go: "hipaa 準拠", "soc 2 type 2 certified".

    Tried as is first, as a suffix word may be a listed status ("GovRAMP Authorized").
    """
    while form:
        if _PROGRAMME_RE.fullmatch(form):
            return True
        for suffix in _SUFFIXES:
            head = form[: -len(suffix)]
            if form.endswith(suffix) and (head.endswith(" ") or re.match(rf"[{_CJK}]", suffix)):
                form = head.strip()
                break
        else:
            return False
    return False


def _programme(written: str) -> Reading | None:
    """Compliance by the programme table: a listed name (or a list of them), else its family."""
    parts = [programme_form(part) for part in _LIST_SEPARATOR_RE.split(fold_text(written))]
    if all(_listed(part) for part in parts):
        return (("compliance", written),), None
    family = _PROGRAMME_FAMILY_RE.match(parts[0])
    if family is None:
        return None
    evidence = f"the programme family {_PROGRAMME_NAMES[family['family']]!r}"
    return (("compliance", written),), Inference(BY_COMPLIANCE_FAMILY, written, "compliance", written, evidence)


# One pill by its text --------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def read_pill(written: str) -> Reading:
    """The facts one pill's text states, and how they were inferred if not by exact words.

    A pill matching nothing is a single `unknown` fact. Cached: pills repeat in every tile
    and every index version of a backfill.
    """
    folded = fold_text(written)
    if folded in _EXACT:
        return (_EXACT[folded],), None
    target = _default_for(written)
    if target is not None:
        return (("default_for", target),), None
    if len(folded) > _MAX_OPEN_WORLD_CHARS:
        reading = _deprecation(folded, written)
    else:
        reading = (
            _programme(written)
            or _deprecation(folded, written)
            or _by_head_word(folded, written)
            or _with_remark(folded, written)
        )
    return reading or ((("unknown", written),), None)


_REMARK_RE = re.compile(r"(?P<core>[^()]+?) ?\((?P<remark>[^()]+)\)")


def _with_remark(folded: str, written: str) -> Reading | None:
    """ "Generally Available (GA)", "一般提供（GA）": a remark that says the same as the pill."""
    match = _REMARK_RE.fullmatch(folded)
    if match is None:
        return None
    core, core_inference = read_pill(match["core"])
    remark, _ = read_pill(match["remark"])
    if any(slot == "unknown" for slot, _ in core) or set(core) != set(remark):
        return None
    slot, value = core[0]
    why = f"{match['core']!r}, which its remark {match['remark']!r} repeats"
    return core, Inference(core_inference.code if core_inference else BY_SYNONYM, written, slot, str(value), why)


# Markup within one index version ---------------------------------------------------------

# The slot a fact fills, for markup: a deprecation date is part of the availability pill.
_FACT_SLOT = {"deprecated_on": "availability"}


@dataclass(frozen=True)
class MarkupEvidence:
    """Per markup signature of one index version: the slots its text-placed pills fill."""

    slots: Mapping[str, frozenset[str]]
    examples: Mapping[str, tuple[str, ...]]  # a few of those pills, for messages

    def slot_of(self, signature: str) -> str | None:
        """The one slot a signature's known pills fill; none if they fill several or none."""
        slots = self.slots.get(signature, frozenset())
        return next(iter(slots)) if len(slots) == 1 else None


NO_MARKUP_EVIDENCE = MarkupEvidence({}, {})


class PilledTile(Protocol):
    """What markup learning needs of a tile (`extract.index_tiles.Tile` is one)."""

    @property
    def pills(self) -> tuple[str, ...]: ...

    @property
    def pill_markup(self) -> tuple[str, ...]: ...


def learn_markup(tiles: Iterable[PilledTile]) -> MarkupEvidence:
    """What each pill style stands for in ONE index version, learned from pills placed by text.

    Computed once per index version from that version's tiles: styles of other versions
    mean nothing here.
    """
    slots: dict[str, set[str]] = {}
    examples: dict[str, list[str]] = {}
    for tile in tiles:
        if len(tile.pill_markup) != len(tile.pills):
            continue
        for pill, signature in zip(tile.pills, tile.pill_markup, strict=True):
            written = " ".join(pill.split())
            if not written:
                continue
            facts, _ = read_pill(written)
            filled = {_FACT_SLOT.get(slot, slot) for slot, _ in facts if slot != "unknown"}
            if filled:
                slots.setdefault(signature, set()).update(filled)
                seen = examples.setdefault(signature, [])
                if written not in seen and len(seen) < 3:
                    seen.append(written)
    return MarkupEvidence(
        {signature: frozenset(found) for signature, found in slots.items()},
        {signature: tuple(found) for signature, found in examples.items()},
    )


def _by_markup(
    written: str, signature: str | None, evidence: MarkupEvidence | None
) -> tuple[Reading | None, str | None]:
    """(compliance by markup, or the enum slot an unknown pill is only styled like)."""
    if signature is None or evidence is None:
        return None, None
    slot = evidence.slot_of(signature)
    if slot is None:
        return None, None
    if slot != "compliance":
        return None, slot  # an enum slot needs a value, which markup cannot give
    like = ", ".join(repr(e) for e in evidence.examples.get(signature, ()))
    inference = Inference(
        BY_MARKUP, written, "compliance", written, f"its markup, that of this index's compliance pills ({like})"
    )
    return ((("compliance", written),), inference), None


# A tile's pills --------------------------------------------------------------------------


@dataclass
class _Collected:
    """Facts in order of first appearance; a second, different single value is reported."""

    lists: dict[str, list[object]] = field(default_factory=dict)
    single: dict[str, object] = field(default_factory=dict)

    def add(self, slot: str, value: object, written: str) -> bool:
        """Whether the fact was taken (a conflicting single value is not)."""
        if slot in ("tier", "deprecated_on"):
            if self.single.setdefault(slot, value) != value:
                self.add("unknown", written, written)
                return False
            return True
        values = self.lists.setdefault(slot, [])
        if value not in values:
            values.append(value)
        return True

    def tuple_of(self, slot: str) -> tuple[str, ...]:
        return tuple(str(value) for value in self.lists.get(slot, ()))


def classify_pills(
    pills: Sequence[str],
    markup: Sequence[str] = (),
    evidence: MarkupEvidence | None = None,
) -> PillFacts:
    """Sort a tile's pills into the models columns they fill.

    `markup` runs parallel to `pills`; with `evidence` learned from the same index version
    (`learn_markup`), a pill no text places may join compliance by its markup.
    """
    signatures = list(markup) if len(markup) == len(pills) else [None] * len(pills)
    written_pills = [(" ".join(pill.split()), signature) for pill, signature in zip(pills, signatures, strict=True)]
    written_pills = [(written, signature) for written, signature in written_pills if written]
    collected = _Collected()
    inferred: list[Inference] = []
    styled_like: list[tuple[str, str]] = []
    for written, signature in written_pills:
        facts, inference = read_pill(written)
        if facts == (("unknown", written),):
            by_markup, like = _by_markup(written, signature, evidence)
            if by_markup is not None:
                facts, inference = by_markup
            elif like is not None:
                styled_like.append((written, like))
        taken = [collected.add(slot, value, written) for slot, value in facts]
        if inference is not None and all(taken) and inference not in inferred:
            inferred.append(inference)
    deprecated_on = collected.single.get("deprecated_on")
    tier = collected.single.get("tier")
    return PillFacts(
        availability=collected.tuple_of("availability"),
        deprecated_on=deprecated_on if isinstance(deprecated_on, datetime.date) else None,
        tier=tier if isinstance(tier, str) else None,
        capabilities=collected.tuple_of("capabilities"),
        compliance=collected.tuple_of("compliance"),
        default_for=collected.tuple_of("default_for"),
        badges=tuple(written for written, _ in written_pills),
        unknown=collected.tuple_of("unknown"),
        inferred=tuple(inferred),
        styled_like=tuple(dict.fromkeys(styled_like)),
    )
