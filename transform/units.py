"""Normalizers for model-card table cells (markup already removed).

Every parser returns None for a cell that says there is no value, the normalized value
for one it understands, and raises UnparsedValue otherwise: guessing would put a wrong
figure in the catalog, while an exception becomes a finding the docs team can fix.
All word lists come from transform.vocabulary, in both languages.
"""

from __future__ import annotations

import datetime
import math
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Generic, Literal, TypeVar

from transform.vocabulary import (
    APPROXIMATE_WORDS,
    CATEGORY_WORDS,
    DATE_CONNECTOR_WORDS,
    DATE_YEARS,
    FALSE_WORDS,
    FIRST_ERA_YEAR_WORDS,
    JA_BIG_UNITS,
    JA_SMALL_UNITS,
    JAPANESE_ERA_INITIALS,
    JAPANESE_ERAS,
    KANJI_DIGITS,
    MONTHS,
    NULL_WORDS,
    OTHER_MODEL_PHRASES,
    PART_OF_WORDS,
    RANGE_FROM_WORDS,
    RANGE_OPENING_WORDS,
    RANGE_SEPARATORS,
    RANGE_UNTIL_WORDS,
    SUB_YEAR_PERIODS,
    THROUGHPUT_PREFIX_WORDS,
    THROUGHPUT_SUFFIX_WORDS,
    TOKEN_PREFIX_WORDS,
    TOKEN_SUFFIX_WORDS,
    TOKEN_UNITS,
    TRUE_WORDS,
    WEEKDAY_MARKS,
    WEEKDAYS,
)

# The cell parsers are pure and cells repeat across cards and snapshots ("128k tokens", "Yes"),
# so each distinct text is read once; results are immutable.
_MEMO = 4096

Precision = Literal["day", "month", "year"]
# Finest first: "one level coarser" is the next entry.
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")
# The models columns are int64 and float64: a figure beyond them is not a value we can store.
INT64_MAX = 2**63 - 1

_V = TypeVar("_V")
_LATIN = frozenset(string.ascii_lowercase + string.digits)
# Digit groups are capped so no cell can build an absurd number (or trip int's digit limit).
# Groups are split by commas or by spaces (NFKC has made thin and no-break spaces plain),
# one kind per figure; the decimal point is a dot (a full-width one after NFKC).
_NUMBER = r"\d{1,3}(?:,\d{3}){1,6}(?:\.\d{1,6})?|\d{1,3}(?: \d{3}){1,6}(?:\.\d{1,6})?|\d{1,18}(?:\.\d{1,6})?"


class UnparsedValue(ValueError):
    """A cell holds something that is neither a value nor a null word; the caller reports it."""

    def __init__(self, text: str, kind: str) -> None:
        # Both in args so the exception survives pickling between processes.
        super().__init__(text, kind)
        self.text = text
        self.kind = kind

    def __str__(self) -> str:
        return f"cannot read a {self.kind} from {self.text!r}"


def _ascii_digit(char: str) -> str:
    return str(unicodedata.decimal(char)) if char.isdecimal() else char


def fold_text(text: str) -> str:
    """Width, case, spacing and digit script vary between edits and translations; compare the folded form.

    NFKC makes full-width digits, commas, dots and spaces plain; any other Unicode decimal
    digit (Arabic-Indic, Devanagari, ...) becomes its ASCII digit.
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = "".join(map(_ascii_digit, text))
    return " ".join(text.casefold().split())


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


@lru_cache(maxsize=_MEMO)
def is_null_value(text: str) -> bool:
    """True for a cell that says there is no value, or whose figure is about other models."""
    folded = fold_text(text)
    return not folded or bool(_NULL_RE.match(folded) or _OTHER_MODEL_RE.search(folded))


# Round and square brackets (NFKC has made full-width ones plain) and Japanese lenticular ones.
_ASIDE_RE = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
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
    return Decimal(number.replace(",", "").replace(" ", ""))


def _words(phrases: Iterable[str]) -> str:
    """Any number of the phrases, each followed by an optional space."""
    return rf"(?:{phrase_pattern(phrases)} ?)*"


def _trailing_words(phrases: Iterable[str]) -> str:
    """Any number of the phrases, each after an optional space (or a hyphen: "128,000-token")."""
    return rf"(?:[ -]?{phrase_pattern(phrases)})*"


# Token counts ------------------------------------------------------------------------

_UNIT_INDEX = {fold_text(unit): multiplier for unit, multiplier in TOKEN_UNITS.items()}
_KANJI_DIGIT_RUN = "[" + "".join(KANJI_DIGITS) + "]{1,4}"
_JA_UNIT = "[" + "".join((*JA_SMALL_UNITS, *JA_BIG_UNITS)) + "]"
# A Japanese numeral has at least one unit: "100万", "12万8000", "12万8千", "百万", "1,000万".
_JA_NUMBER = rf"(?:(?:{_NUMBER}|{_KANJI_DIGIT_RUN}) ?)?{_JA_UNIT}(?: ?(?:{_NUMBER}|{_KANJI_DIGIT_RUN}|{_JA_UNIT}))*"
_TOKENS_RE = re.compile(
    _words(TOKEN_PREFIX_WORDS)
    + rf"(?:(?P<ja>{_JA_NUMBER})|(?P<number>{_NUMBER})(?: ?(?P<unit>{phrase_pattern(_UNIT_INDEX, left_bound=False)}))?)"
    + _trailing_words(TOKEN_SUFFIX_WORDS)
)
_JA_PART_RE = re.compile(rf"{_NUMBER}|{_KANJI_DIGIT_RUN}|{_JA_UNIT}")


def _kanji_or_number(part: str) -> Decimal:
    if part[0] in KANJI_DIGITS:
        return Decimal("".join(str(KANJI_DIGITS[d]) for d in part))
    return _decimal(part)


def japanese_number(text: str) -> Decimal:
    """A Japanese numeral: "12万8000" = 128,000, "1,000万" = 10,000,000, "百万" = 1,000,000.

    A big unit (万, 億) closes a group and must be smaller than the one before; a small unit
    (十, 百, 千) scales the digit before it within its group. What follows a unit is less than
    that unit, so "12万20000" is refused rather than guessed.
    """
    total = group = Decimal(0)
    number: Decimal | None = None
    last_big = last_small = None
    for part in _JA_PART_RE.findall(text.replace(" ", "")):
        if part in JA_BIG_UNITS:
            unit = JA_BIG_UNITS[part]
            value = group + (number or 0)
            if (last_big is not None and unit >= last_big) or value == 0:
                raise ValueError(text)
            total, group, number, last_big, last_small = total + value * unit, Decimal(0), None, unit, None
        elif part in JA_SMALL_UNITS:
            unit = JA_SMALL_UNITS[part]
            term = (Decimal(1) if number is None else number) * unit
            if last_small is not None and (unit >= last_small or term >= last_small):
                raise ValueError(text)
            group, number, last_small = group + term, None, unit
        elif number is not None:
            raise ValueError(text)  # two figures side by side
        else:
            number = _kanji_or_number(part)
            if last_small is not None and number >= last_small:
                raise ValueError(text)
    rest = group + (number or 0)
    if last_big is not None and rest >= last_big:
        raise ValueError(text)
    return total + rest


@lru_cache(maxsize=_MEMO)
def parse_tokens(text: str) -> int | None:
    """Whole tokens from "128k", "1.05 million", "1,000万", "12万8千トークン", "最大128,000トークン".

    Units per TOKEN_UNITS and the Japanese numerals; a count beyond int64 is not a value.
    """
    if is_null_value(text):
        return None
    match = _TOKENS_RE.fullmatch(drop_asides(fold_text(text)))
    if match is None:
        raise UnparsedValue(text, "token count")
    if match["ja"]:
        try:
            tokens = japanese_number(match["ja"])
        except ValueError as error:
            raise UnparsedValue(text, "token count (Japanese numeral out of order)") from error
    else:
        tokens = _decimal(match["number"]) * _UNIT_INDEX.get(match["unit"] or "", 1)
    if tokens != tokens.to_integral_value():
        raise UnparsedValue(text, "whole token count")
    if tokens > INT64_MAX:
        raise UnparsedValue(text, "token count (beyond a 64-bit integer)")
    return int(tokens)


# Throughput --------------------------------------------------------------------------

_THROUGHPUT_RE = re.compile(
    rf"(?:(?P<opening>{phrase_pattern(RANGE_OPENING_WORDS)}) )?"
    + _words(THROUGHPUT_PREFIX_WORDS)
    + rf"(?P<low>{_NUMBER})(?: ?{phrase_pattern(THROUGHPUT_SUFFIX_WORDS)})*"
    + rf"(?: ?(?P<separator>{phrase_pattern(RANGE_SEPARATORS)}) ?{_words(THROUGHPUT_PREFIX_WORDS)}(?P<high>{_NUMBER}))?"
    + rf"(?: ?(?:(?P<until>{phrase_pattern(RANGE_UNTIL_WORDS)})|{phrase_pattern(THROUGHPUT_SUFFIX_WORDS)}))*"
)
_RANGE_FROM = {fold_text(word) for word in RANGE_FROM_WORDS}


@lru_cache(maxsize=_MEMO)
def parse_throughput(text: str) -> tuple[float, float] | None:
    """(low, high) tokens per second; a single figure is both ends of its own range.

    Approximation words and units may stand before or after ("およそ163～300", "163-300前後",
    "approx. 160–300 tokens/s"); a bound ("up to 300", "最大300", "300まで") is not a figure.
    """
    if is_null_value(text):
        return None
    match = _THROUGHPUT_RE.fullmatch(drop_asides(fold_text(text)))
    if match is None:
        raise UnparsedValue(text, "throughput")
    if match["until"] and match["separator"] not in _RANGE_FROM:
        raise UnparsedValue(text, "throughput (a bound, not a figure)")
    if match["opening"] and not match["high"]:
        raise UnparsedValue(text, "throughput (a bound, not a figure)")  # "from 117" alone
    low = float(_decimal(match["low"]))
    high = float(_decimal(match["high"] or match["low"]))
    if low > high:
        raise UnparsedValue(text, "throughput range (low end above high end)")
    if not math.isfinite(high):
        raise UnparsedValue(text, "throughput (beyond a 64-bit float)")
    return low, high


# Dates -------------------------------------------------------------------------------

_QUALIFIER_KINDS: dict[str, str] = {
    **_index({"period": SUB_YEAR_PERIODS}),
    **_index({"approximate": APPROXIMATE_WORDS}),
    **_index({"part": PART_OF_WORDS}),
}
_QUALIFIER_RE = re.compile(phrase_pattern(_QUALIFIER_KINDS))
_CONNECTOR_RE = re.compile(phrase_pattern(DATE_CONNECTOR_WORDS))
_WEEKDAY_INDEX = {fold_text(name): number for name, number in WEEKDAYS.items()}
_WEEKDAY_RE = re.compile(phrase_pattern(_WEEKDAY_INDEX) + rf"|\((?P<mark>[{WEEKDAY_MARKS}])(?:曜日?)?\)")
_ERA_INDEX = {fold_text(name): era for name, era in JAPANESE_ERAS.items()}
_ERA_INITIALS = {fold_text(initial): _ERA_INDEX[fold_text(name)] for initial, name in JAPANESE_ERA_INITIALS.items()}
_KANJI_NUMERAL_RE = re.compile("([" + "".join((*KANJI_DIGITS, *JA_SMALL_UNITS)) + "]+)(?=[年月日])")
_MONTH = rf"(?P<month_name>{phrase_pattern(MONTHS)})"
_ERA = rf"(?P<era>{phrase_pattern(_ERA_INDEX)}) ?(?P<era_year>\d{{1,2}}|{phrase_pattern(FIRST_ERA_YEAR_WORDS)})"
_DATE_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(form)
    for form in (
        # ISO and its cousins, one separator throughout: 2024-06-20, 2024/06/20, 2024.06.20, 2024-06
        r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?:(?P=sep)(?P<day>\d{1,2}))?",
        # day and month before the year, in either order: 20/06/2024, 06/20/2024
        r"(?P<first>\d{1,2})(?P<sep>[-/.])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})",
        r"(?P<month>\d{1,2})[-/.](?P<year>\d{4})",
        # JIS X 0301: R6.5.13
        rf"(?P<era>{phrase_pattern(_ERA_INITIALS, right_bound=False)})(?P<era_year>\d{{1,2}})"
        r"\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})",
        rf"(?:{_ERA}|(?P<year>\d{{4}})) ?年(?: ?(?P<month>\d{{1,2}}) ?月(?: ?(?P<day>\d{{1,2}}) ?日)?)?",
        rf"{_MONTH} (?P<day>\d{{1,2}}) (?P<year>\d{{4}})",
        rf"(?P<day>\d{{1,2}}) {_MONTH} (?P<year>\d{{4}})",
        rf"(?P<year>\d{{4}}) {_MONTH}(?: (?P<day>\d{{1,2}}))?",
        rf"{_MONTH} (?P<year>\d{{4}})",
        r"(?P<year>\d{4})",
    )
)


def _take_weekdays(folded: str) -> tuple[str, set[int]]:
    """The text without weekday names ("Thursday", "木曜日", "(木)"), and the weekdays it named."""
    named: set[int] = set()

    def take(match: re.Match[str]) -> str:
        mark = match["mark"]
        named.add(WEEKDAY_MARKS.index(mark) if mark else _WEEKDAY_INDEX[match.group()])
        return " "

    return _WEEKDAY_RE.sub(take, folded), named


def _strip_qualifiers(folded: str) -> tuple[str, set[str]]:
    """The date without its vague words, and which kinds of vagueness were there."""
    kinds: set[str] = set()

    def drop(match: re.Match[str]) -> str:
        kinds.add(_QUALIFIER_KINDS[match.group()])
        return " "

    return _QUALIFIER_RE.sub(drop, folded), kinds


def _kanji_numeral(match: re.Match[str]) -> str:
    """A kanji numeral before 年, 月 or 日 as ASCII digits: 二〇二四 digit by digit, 二十 by its units."""
    numeral = match.group(1)
    if any(unit in numeral for unit in JA_SMALL_UNITS):
        return str(japanese_number(numeral))
    return "".join(str(KANJI_DIGITS[digit]) for digit in numeral)


def _clean_date(text: str) -> str:
    """Drop what carries no date information: connectors, ordinals, commas, abbreviation dots.

    A hyphen between a month name and a figure is a space: "20-Jun-2024".
    """
    text = _CONNECTOR_RE.sub(" ", text)
    text = _KANJI_NUMERAL_RE.sub(_kanji_numeral, text)
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)(?![a-z])", "", text)
    text = re.sub(r"(?<=[a-z])\.", "", text)
    text = re.sub(r"(?<=[a-z])-(?=\d)|(?<=\d)-(?=[a-z])", " ", text)
    text = re.sub(r"[(),]", " ", text)
    return " ".join(text.split()).strip(" -.")


def _day_and_month(first: int, second: int, text: str) -> tuple[int, int]:
    """Day and month of "20/06/2024" or "06/20/2024": only when the order cannot matter.

    Both orders are written; "05/06/2024" could be May 6 or June 5, so it is refused
    rather than guessed (and no month is certain either).
    """
    if first == second or second > 12:
        return second, first
    if first > 12:
        return first, second
    raise UnparsedValue(text, "date (day and month could be either way round)")


_FIRST_ERA_YEAR = {fold_text(word) for word in FIRST_ERA_YEAR_WORDS}


def _era(parts: dict[str, str | None]) -> tuple[int, tuple[int, int, int], tuple[int, int, int] | None]:
    era = parts["era"] or ""
    return _ERA_INDEX.get(era) or _ERA_INITIALS[era]


def _year(parts: dict[str, str | None]) -> int:
    """The Western year, from an era year where one is given (令和6年 is 2024)."""
    if not parts.get("era"):
        return int(parts["year"] or 0)
    offset = _era(parts)[0]
    era_year = parts["era_year"] or ""
    return offset + (1 if era_year in _FIRST_ERA_YEAR else int(era_year))


def _period_end(start: datetime.date, precision: Precision) -> datetime.date:
    if precision == "year":
        return start.replace(month=12, day=31)
    if precision == "month":
        following = start.replace(day=28) + datetime.timedelta(days=4)
        return following - datetime.timedelta(days=following.day)
    return start


def _check_era(parts: dict[str, str | None], start: datetime.date, precision: Precision, text: str) -> None:
    """A period outside its era (令和元年4月 is before Reiwa began) is refused, like any impossible date."""
    if not parts.get("era"):
        return
    _, first, last = _era(parts)
    if _period_end(start, precision) < datetime.date(*first) or (last and start > datetime.date(*last)):
        raise UnparsedValue(text, "date (outside its Japanese era)")


def _read_date(text: str, original: str) -> tuple[datetime.date, Precision] | None:
    """The date a cleaned cell states, at the precision it states, or None if no form fits."""
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("first"):
            day_number, month_number = _day_and_month(int(parts["first"]), int(parts["second"]), original)
            parts["day"], parts["month"] = str(day_number), str(month_number)
        month_name, month, day = parts.get("month_name"), parts.get("month"), parts.get("day")
        month_number = MONTHS[month_name] if month_name else int(month or 1)
        precision: Precision = "day" if day else "month" if month_name or month else "year"
        year = _year(parts)
        if not DATE_YEARS[0] <= year <= DATE_YEARS[1]:
            raise UnparsedValue(original, f"date (year outside {DATE_YEARS[0]}-{DATE_YEARS[1]})")
        stated = datetime.date(year, month_number, int(day or 1))
        _check_era(parts, stated, precision, original)
        return stated, precision
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


@lru_cache(maxsize=_MEMO)
def parse_date(text: str) -> tuple[datetime.date, Precision] | None:
    """(first day of the stated period, precision); a vague date keeps only what is certain.

    A weekday must agree with the day it names; years outside DATE_YEARS are refused.
    """
    if is_null_value(text):
        return None
    folded, weekdays = _take_weekdays(fold_text(text))
    core, kinds = _strip_qualifiers(drop_asides(folded))
    try:
        stated = _read_date(_clean_date(core), text)
    except UnparsedValue:
        raise  # already says why
    except ValueError as error:  # a real form with an impossible day, e.g. February 30
        raise UnparsedValue(text, "date") from error
    if stated is None:
        raise UnparsedValue(text, "date")
    if weekdays and (stated[1] != "day" or weekdays != {stated[0].weekday()}):
        raise UnparsedValue(text, "date (the weekday does not match the day)")
    precision = _certain_precision(stated[1], kinds)
    return _truncate(stated[0], precision), precision


# Yes/no and category -----------------------------------------------------------------

_BOOLS: _Lexicon[bool] = _Lexicon({True: TRUE_WORDS, False: FALSE_WORDS})
_CATEGORIES: _Lexicon[str] = _Lexicon(CATEGORY_WORDS)


@lru_cache(maxsize=_MEMO)
def parse_bool(text: str) -> bool | None:
    """Yes/はい is True and No/いいえ is False, read from the leading word."""
    if is_null_value(text):
        return None
    value = _BOOLS.leading(fold_text(text))
    if value is None:
        raise UnparsedValue(text, "yes/no")
    return value


@lru_cache(maxsize=_MEMO)
def parse_category(text: str) -> str | None:
    """`standard` or `premium`, whichever language the cell is written in."""
    if is_null_value(text):
        return None
    value = _CATEGORIES.leading(fold_text(text))
    if value is None:
        raise UnparsedValue(text, "model category")
    return value
