"""Table labels -> the models field they fill, by their exact wording first, then by meaning.

Writers reword labels ("Max output", "Release date (GA)", "提供元") faster than anyone
updates a list, so a label no list names is read by keyword rules (vocabulary.LABEL_RULES).
A label placed that way is reported, so a wrong reading is visible and the word can be
added to the lists; a label that means nothing known stays in `extra`, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from typing import Literal

from transform.units import fold_text, phrase_pattern
from transform.vocabulary import (
    APPROXIMATE_WORDS,
    LABEL_REMARK_HOLD_WORDS,
    LABEL_RULES,
    LABEL_SYNONYMS,
    fold_label,
    label_fields,
)

# How a label was read: `exact` is a FIELD_LABELS wording; `remark` the same once a remark in
# parentheses (or a footnote mark `*`) is dropped; `synonym` a LABEL_SYNONYMS wording; `rule` a LABEL_RULES keyword;
# `held` looks like a field but has a remark that could change the value; `unknown` none.
How = Literal["exact", "remark", "synonym", "rule", "held", "unknown"]

EXACT = label_fields()
_SYNONYMS = {fold_label(word): field for field, words in LABEL_SYNONYMS.items() for word in words}
_RULES = tuple(
    (
        field,
        tuple(re.compile(phrase_pattern(group)) for group in groups),
        re.compile(phrase_pattern(unless)) if unless else None,
    )
    for field, groups, unless in LABEL_RULES
)
_REMARK_RE = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
# A figure in a remark may scale the value ("(in 1000s)"); a lone 1 only counts ("1リクエストあたり").
_REMARK_HOLD_RE = re.compile(r"\d{2,}|[02-9]|" + phrase_pattern((*LABEL_REMARK_HOLD_WORDS, *APPROXIMATE_WORDS)))


@dataclass(frozen=True)
class LabelReading:
    field: str | None
    how: How
    looks_like: str | None = None  # the field a `held` label would fill
    # Placed by a rule rather than an exact known label: worth a finding. Set once, read per row.
    inferred: bool = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inferred", self.field is not None and self.how != "exact")


def _by_rule(folded: str) -> str | None:
    for field, groups, unless in _RULES:
        if all(group.search(folded) for group in groups) and not (unless and unless.search(folded)):
            return field
    return None


def _by_meaning(folded: str) -> tuple[str | None, How]:
    """The field of a label without remarks: a known wording, a synonym, then the rules."""
    if folded in EXACT:
        return EXACT[folded], "remark"
    if folded in _SYNONYMS:
        return _SYNONYMS[folded], "synonym"
    field = _by_rule(folded)
    return (field, "rule") if field else (None, "unknown")


@lru_cache(maxsize=4096)
def read_label(label: str) -> LabelReading:
    """How a table label reads: which field, and whether a rule (not a known wording) placed it."""
    folded = fold_label(label)
    if folded in EXACT:
        return LabelReading(EXACT[folded], "exact")
    remarks = _REMARK_RE.findall(folded)
    core = fold_label(_REMARK_RE.sub(" ", folded).replace("*", " "))
    field, how = _by_meaning(fold_text(core))
    if field is not None and any(_REMARK_HOLD_RE.search(remark) for remark in remarks):
        return LabelReading(None, "held", field)
    return LabelReading(field, how)


def field_for_label(label: str) -> tuple[str | None, bool]:
    """(field or None, inferred): inferred when a rule rather than an exact known label placed it."""
    reading = read_label(label)
    return reading.field, reading.inferred
