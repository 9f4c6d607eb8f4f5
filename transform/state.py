"""`state.json`: where each locale's catalog stands, as one typed value with a version.

The file is written by every run and read first by the next, so a wrong shape is refused
with the reason, never read half-way with defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

STATE_VERSION = 2  # 1: the same fields without `version` (read as they are)


class StateError(ValueError):
    """`state.json` does not have the shape this version writes; the message says where."""


@dataclass(frozen=True)
class LocaleState:
    """A locale as the last run left it.

    `commit` is the branch head the run caught up with; `snapshot_commit` the newest commit
    that touched the card folder, whose snapshot is the current catalog (None: no card yet).
    """

    source: str  # public form: no credentials
    branch: str
    commit: str
    committed_at: datetime
    snapshot_commit: str | None


@dataclass(frozen=True)
class CatalogState:
    locales: Mapping[str, LocaleState] = field(default_factory=dict)
    checked_at: datetime | None = None
    version: int = STATE_VERSION

    def locale(self, name: str) -> LocaleState | None:
        return self.locales.get(name)

    def with_locales(self, updates: Mapping[str, LocaleState], checked_at: datetime) -> CatalogState:
        return replace(self, locales={**self.locales, **updates}, checked_at=checked_at, version=STATE_VERSION)


def _timestamp(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise StateError(f"{where} is not a timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise StateError(f"{where} is not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise StateError(f"{where} has no time zone: {value!r}")
    return parsed.astimezone(UTC)


def _text(data: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise StateError(f"{where}.{key} is missing or not text")
    return value


def state_from_json(data: Any) -> CatalogState:
    """The typed state of a parsed `state.json`; StateError names the first thing out of shape."""
    if not isinstance(data, dict):
        raise StateError(f"the top level is a {type(data).__name__}, not an object")
    version = data.get("version", 1)
    if version not in (1, STATE_VERSION):
        raise StateError(f"version {version!r} is not one this program reads (1 or {STATE_VERSION})")
    locales = data.get("locales")
    if not isinstance(locales, dict):
        raise StateError("`locales` is missing or not an object")
    read: dict[str, LocaleState] = {}
    for name, entry in locales.items():
        where = f"locales.{name}"
        if not isinstance(entry, dict):
            raise StateError(f"{where} is not an object")
        read[name] = LocaleState(
            source=_text(entry, "source", where),
            branch=_text(entry, "branch", where),
            commit=_text(entry, "commit", where),
            committed_at=_timestamp(entry.get("committed_at"), f"{where}.committed_at"),
            snapshot_commit=_text(entry, "snapshot_commit", where, optional=True),
        )
    checked = data.get("checked_at")
    checked_at = _timestamp(checked, "checked_at") if checked is not None else None
    return CatalogState(locales=read, checked_at=checked_at, version=STATE_VERSION)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def state_to_json(state: CatalogState) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "locales": {
            name: {
                "source": entry.source,
                "branch": entry.branch,
                "commit": entry.commit,
                "committed_at": _iso(entry.committed_at),
                "snapshot_commit": entry.snapshot_commit,
            }
            for name, entry in sorted(state.locales.items())
        },
        "checked_at": _iso(state.checked_at) if state.checked_at else None,
    }
