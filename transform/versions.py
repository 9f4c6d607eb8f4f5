"""The SCD2 view: one row per version of a card, advanced snapshot by snapshot.

A version changes only when a compared field changes, so it moves exactly where the
changes log has a row; the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl

from transform.tables import KEY, VERSIONS, to_frame

_Key = tuple[Any, ...]


class VersionLog:
    """Versions advanced row by row over a replay's many small snapshots; one frame at the end.

    The versions a replay opens stay Python rows until `frame`; the starting frame's rows
    only learn when (if ever) they were closed. A card's versions never overlap and never
    run backwards: a snapshot dated before the card's last version boundary (commit times
    along a branch need not grow, and a rewritten branch goes back) moves it at that boundary.
    """

    def __init__(self, start: pl.DataFrame) -> None:
        self._start = start
        self._start_current: dict[_Key, list[int]] = {}
        self._boundary: dict[_Key, datetime] = {}  # each card's latest valid_from or valid_to
        for i, (*key, valid_from, valid_to, is_current) in enumerate(
            start.select(*KEY, "valid_from", "valid_to", "is_current").iter_rows()
        ):
            card = tuple(key)
            if is_current:
                self._start_current.setdefault(card, []).append(i)
            self._push_boundary(card, valid_from)
            self._push_boundary(card, valid_to)
        self._closed: dict[int, datetime] = {}  # starting row -> its valid_to
        self._rows: list[dict[str, Any]] = []
        self._current: dict[_Key, list[dict[str, Any]]] = {}

    def _push_boundary(self, key: _Key, at: datetime | None) -> None:
        if at is not None and (key not in self._boundary or at > self._boundary[key]):
            self._boundary[key] = at

    def _at(self, key: _Key, committed_at: datetime) -> datetime:
        boundary = self._boundary.get(key)
        return committed_at if boundary is None or committed_at >= boundary else boundary

    def advance(
        self, snapshot: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]], committed_at: datetime
    ) -> None:
        """Close the versions that `changes` replaced or removed and open the new ones from `snapshot`."""
        if not changes:
            return
        touched = {tuple(c[k] for k in KEY) for c in changes if c["change"] != "added"}
        opened = {tuple(c[k] for k in KEY) for c in changes if c["change"] != "removed"}
        moved = {key: self._at(key, committed_at) for key in touched | opened}
        for key in touched:  # a null in a key matches here, as in `is_in`
            for i in self._start_current.pop(key, ()):
                self._closed[i] = moved[key]
            for version in self._current.pop(key, ()):
                version["valid_to"], version["is_current"] = moved[key], False
        for row in snapshot:
            key = tuple(row.get(k) for k in KEY)
            if key in opened and None not in key:  # but not in a join
                version = {**row, "valid_from": moved[key], "valid_to": None, "is_current": True}
                self._rows.append(version)
                self._current.setdefault(key, []).append(version)
        for key, at in moved.items():
            self._push_boundary(key, at)

    def frame(self) -> pl.DataFrame:
        start = self._start
        if self._closed:
            closed = pl.Series([self._closed.get(i) for i in range(start.height)], dtype=start.schema["valid_to"])
            start = start.with_columns(
                pl.when(closed.is_not_null()).then(closed).otherwise(pl.col("valid_to")).alias("valid_to"),
                pl.when(closed.is_not_null()).then(False).otherwise(pl.col("is_current")).alias("is_current"),
            )
        if not self._rows:
            return start
        return pl.concat([start, to_frame(self._rows, VERSIONS).select(start.columns)], how="vertical_relaxed")
