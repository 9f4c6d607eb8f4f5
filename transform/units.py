"""Normalizers for model-card table cells (markup already removed).

Every parser returns None for a cell that says there is no value, the normalized value
for one it understands, and raises UnparsedValue otherwise: guessing would put a wrong
figure in the catalog, while an exception becomes a finding the docs team can fix.
All word lists come from transform.vocabulary, in both languages.
"""

from __future__ import annotations

import datetime
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from transform.vocabulary import (
    APPROXIMATE_WORDS,
    CATEGORY_WORDS,
    DATE_CONNECTOR_WORDS,
    FALSE_WORDS,
    MONTHS,
    NULL_WORDS,
    OTHER_MODEL_PHRASES,
    PART_OF_WORDS,
    RANGE_SEPARATORS,
    SUB_YEAR_PERIODS,
    THROUGHPUT_PREFIX_WORDS,
    THROUGHPUT_SUFFIX_WORDS,
    TOKEN_PREFIX_WORDS,
    TOKEN_SUFFIX_WORDS,
    TOKEN_UNITS,
    TRUE_WORDS,
)

Precision = Literal["day", "month", "year"]
# Finest first: "one level coarser" is the next entry.
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")

_V = TypeVar("_V")
_LATIN = frozenset(string.ascii_lowercase + string.digits)
# Digit groups are capped so no cell can build an absurd number (or trip int's digit limit).
_NUMBER = r"\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,6})?|\d{1,18}(?:\.\d{1,6})?"


class UnparsedValue(ValueError):
    """A cell holds something that is neither a value nor a null word; the caller reports it."""

    def __init__(self, text: str, kind: str) -> None:
        # Both in args so the exception survives pickling between processes.
        super().__init__(text, kind)
        self.text = text
        self.kind = kind

    def __str__(self) -> str:
        return f"cannot read a {self.kind} from {self.text!r}"


def fold_text(text: str) -> str:
    """Width, case and spacing vary between edits and translations; compare the folded form."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def phrase_pattern(phrases: Iterable[str], *, left_bound: bool = True, right_bound: bool = True) -> str:
    """Regex alternation of folded phrases, longest first, never matching inside a Latin word.

    Bounds apply only at Latin ends ("na" must not match "name"); Japanese has no spaces
    between words, so its phrases match anywhere.
    """
    parts = []
    for phrase in sorted({fold_text(p) for p in phrases}, key=lambda p: (-len(p), p)):
        part = re.escape(phrase)
        if left_bound and phrase[0] in _LATIN:
            part = r"(?<![a-z0-9])" + part
        if right_bound and phrase[-1] in _LATIN:
            part += r"(?![a-z0-9])"
        parts.append(part)
    return "(?:" + "|".join(parts) + ")"


def _index(groups: Mapping[_V, Iterable[str]]) -> dict[str, _V]:
    return {fold_text(word): key for key, words in groups.items() for word in words}


class _Lexicon(Generic[_V]):
    """Folded words and the value each stands for, matched as the cell's leading word.

    Leading, so "No (weights closed)" still reads as No.
    """

    def __init__(self, groups: Mapping[_V, Iterable[str]]) -> None:
        self.index = _index(groups)
        self.pattern = re.compile(phrase_pattern(self.index))

    def leading(self, folded: str) -> _V | None:
        match = self.pattern.match(folded)
        return None if match is None else self.index[match.group()]


# Every null word must end a word, so "-5" is a figure while "-" alone is null.
_NULL_RE = re.compile(phrase_pattern(NULL_WORDS) + r"(?![a-z0-9])")
# Open on the right so plurals match: "similar models", "other models".
_OTHER_MODEL_RE = re.compile(phrase_pattern(OTHER_MODEL_PHRASES, right_bound=False))


def is_null_value(text: str) -> bool:
    """True for a cell that says there is no value, or whose figure is about other models."""
    folded = fold_text(text)
    return not folded or bool(_NULL_RE.match(folded) or _OTHER_MODEL_RE.search(folded))


_ASIDE_RE = re.compile(r"\(([^()]*)\)")
_ASIDE_KEEP_RE = re.compile(phrase_pattern(APPROXIMATE_WORDS))


def drop_asides(folded: str) -> str:
    """Remove a parenthetical remark ("June 2024 (training data)") unless it says the value is approximate.

    "January 2025 (estimated)" keeps "estimated", so the date is stored at the precision
    that is still certain.
    """

    def aside(match: re.Match[str]) -> str:
        inner = match.group(1)
        return f" {inner} " if _ASIDE_KEEP_RE.search(inner) else " "

    return " ".join(_ASIDE_RE.sub(aside, folded).split())


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", ""))


# Token counts ------------------------------------------------------------------------

_UNIT_INDEX = {fold_text(unit): multiplier for unit, multiplier in TOKEN_UNITS.items()}
_TOKENS_RE = re.compile(
    rf"(?:{phrase_pattern(TOKEN_PREFIX_WORDS)} ?)*"
    rf"(?P<number>{_NUMBER}) ?(?P<unit>{phrase_pattern(_UNIT_INDEX, left_bound=False)})?"
    rf"(?: ?{phrase_pattern(TOKEN_SUFFIX_WORDS)})*"
)


def parse_tokens(text: str) -> int | None:
    """Whole tokens from "128k", "1,000万", "最大128,000トークン"; units per TOKEN_UNITS."""
    if is_null_value(text):
        return None
    match = _TOKENS_RE.fullmatch(drop_asides(fold_text(text)))
    if match is None:
        raise UnparsedValue(text, "token count")
    tokens = _decimal(match["number"]) * _UNIT_INDEX.get(match["unit"] or "", 1)
    if tokens != tokens.to_integral_value():
        raise UnparsedValue(text, "whole token count")
    return int(tokens)


# Throughput --------------------------------------------------------------------------

_THROUGHPUT_RE = re.compile(
    rf"(?:{phrase_pattern(THROUGHPUT_PREFIX_WORDS)} ?)*"
    rf"(?P<low>{_NUMBER})(?: ?{phrase_pattern(RANGE_SEPARATORS)} ?(?P<high>{_NUMBER}))?"
    rf"(?: ?{phrase_pattern(THROUGHPUT_SUFFIX_WORDS)})*"
)


def parse_throughput(text: str) -> tuple[float, float] | None:
    """(low, high) tokens per second; a single figure is both ends of its own range."""
    if is_null_value(text):
        return None
    match = _THROUGHPUT_RE.fullmatch(drop_asides(fold_text(text)))
    if match is None:
        raise UnparsedValue(text, "throughput")
    low = float(_decimal(match["low"]))
    high = float(_decimal(match["high"] or match["low"]))
    if low > high:
        raise UnparsedValue(text, "throughput range (low end above high end)")
    return low, high


# Dates -------------------------------------------------------------------------------

_QUALIFIER_KINDS: dict[str, str] = {
    **_index({"period": SUB_YEAR_PERIODS}),
    **_index({"approximate": APPROXIMATE_WORDS}),
    **_index({"part": PART_OF_WORDS}),
}
_QUALIFIER_RE = re.compile(phrase_pattern(_QUALIFIER_KINDS))
_CONNECTOR_RE = re.compile(phrase_pattern(DATE_CONNECTOR_WORDS))
_MONTH = rf"(?P<month_name>{phrase_pattern(MONTHS)})"
_DATE_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(form)
    for form in (
        r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?",
        r"(?P<year>\d{4}) ?年(?: ?(?P<month>\d{1,2}) ?月(?: ?(?P<day>\d{1,2}) ?日)?)?",
        rf"{_MONTH} (?P<day>\d{{1,2}}) (?P<year>\d{{4}})",
        rf"(?P<day>\d{{1,2}}) {_MONTH} (?P<year>\d{{4}})",
        rf"(?P<year>\d{{4}}) {_MONTH}(?: (?P<day>\d{{1,2}}))?",
        rf"{_MONTH} (?P<year>\d{{4}})",
        r"(?P<year>\d{4})",
    )
)


def _strip_qualifiers(folded: str) -> tuple[str, set[str]]:
    """The date without its vague words, and which kinds of vagueness were there."""
    kinds: set[str] = set()

    def drop(match: re.Match[str]) -> str:
        kinds.add(_QUALIFIER_KINDS[match.group()])
        return " "

    return _QUALIFIER_RE.sub(drop, folded), kinds


def _clean_date(text: str) -> str:
    """Drop what carries no date information: connectors, ordinals, commas, abbreviation dots."""
    text = _CONNECTOR_RE.sub(" ", text)
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)(?![a-z])", "", text)
    text = re.sub(r"(?<=[a-z])\.", "", text)
    text = re.sub(r"[(),]", " ", text)
    return " ".join(text.split()).strip(" -.")


def _read_date(text: str) -> tuple[datetime.date, Precision] | None:
    """The date a cleaned cell states, at the precision it states, or None if no form fits."""
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        parts = match.groupdict()
        month_name, month, day = parts.get("month_name"), parts.get("month"), parts.get("day")
        month_number = MONTHS[month_name] if month_name else int(month or 1)
        precision: Precision = "day" if day else "month" if month_name or month else "year"
        return datetime.date(int(match["year"]), month_number, int(day or 1)), precision
    return None


def _certain_precision(stated: Precision, kinds: set[str]) -> Precision:
    """The finest precision a vague date still certainly has."""
    if "period" in kinds:
        return "year"
    if "approximate" in kinds:
        return PRECISIONS[min(PRECISIONS.index(stated) + 1, len(PRECISIONS) - 1)]
    return stated


def _truncate(date: datetime.date, precision: Precision) -> datetime.date:
    """First day of the period the precision names."""
    if precision == "year":
        return date.replace(month=1, day=1)
    return date.replace(day=1) if precision == "month" else date


def parse_date(text: str) -> tuple[datetime.date, Precision] | None:
    """(first day of the stated period, precision); a vague date keeps only what is certain."""
    if is_null_value(text):
        return None
    core, kinds = _strip_qualifiers(drop_asides(fold_text(text)))
    try:
        stated = _read_date(_clean_date(core))
    except ValueError as error:  # a real form with an impossible day, e.g. February 30
        raise UnparsedValue(text, "date") from error
    if stated is None:
        raise UnparsedValue(text, "date")
    precision = _certain_precision(stated[1], kinds)
    return _truncate(stated[0], precision), precision


# Yes/no and category -----------------------------------------------------------------

_BOOLS: _Lexicon[bool] = _Lexicon({True: TRUE_WORDS, False: FALSE_WORDS})
_CATEGORIES: _Lexicon[str] = _Lexicon(CATEGORY_WORDS)


def parse_bool(text: str) -> bool | None:
    """Yes/はい is True and No/いいえ is False, read from the leading word."""
    if is_null_value(text):
        return None
    value = _BOOLS.leading(fold_text(text))
    if value is None:
        raise UnparsedValue(text, "yes/no")
    return value


def parse_category(text: str) -> str | None:
    """`standard` or `premium`, whichever language the cell is written in."""
    if is_null_value(text):
        return None
    value = _CATEGORIES.leading(fold_text(text))
    if value is None:
        raise UnparsedValue(text, "model category")
    return value
