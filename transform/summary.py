"""The run's one summary line and counts, for the flow's log and for callers (CLI, tests).

Kept apart from `history` so that a run with nothing new can report without loading Polars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from output.tables import CHANGE_KINDS

if TYPE_CHECKING:
    from transform.history import LocaleHistory


def summarize(histories: Sequence[LocaleHistory], locales: Sequence[str], out: str, parsed: int) -> dict[str, Any]:
    """`locales` are the ones the run looked at; those without a history had no new commit."""
    by_locale = {h.locale: h for h in histories}
    parts = []
    for locale in locales:
        history = by_locale.get(locale)
        if history is None:
            parts.append(f"{locale}: no new commit")
        else:
            cards = 0 if history.models is None else history.models.height
            parts.append(f"{locale}: {cards} cards")
    changes = {kind: sum(int((h.changes["change"] == kind).sum()) for h in histories) for kind in CHANGE_KINDS}
    findings = sum(len(h.findings) for h in histories)
    line = (
        f"{', '.join(parts)}, {changes['added']} added, {changes['removed']} removed, "
        f"{changes['modified']} modified fields, {findings} findings, {parsed} files parsed -> {out}"
    )
    return {
        "line": line,
        "changes": changes,
        "findings": findings,
        "parsed": parsed,
        "locales": [h.locale for h in histories],
    }
