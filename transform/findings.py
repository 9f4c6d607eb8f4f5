"""Data-quality findings: one readable sentence each, with a stable code to filter on."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    locale: str
    card_id: str | None
    source_path: str | None
    severity: str
    code: str
    message: str
    source_commit: str | None

    def as_row(self) -> dict[str, str | None]:
        return asdict(self)


def finding(
    code: str,
    message: str,
    *,
    locale: str,
    commit: str | None,
    card_id: str | None = None,
    path: str | None = None,
    severity: str = WARNING,
) -> Finding:
    return Finding(locale, card_id, path, severity, code, message, commit)
