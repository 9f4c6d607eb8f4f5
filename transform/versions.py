"""The SCD2 view: one row per version of a card, advanced snapshot by snapshot.

A version changes only when a compared field changes, so it moves exactly where the
changes log has a row; the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl

from output.tables import KEY, VERSIONS, to_frame


def empty_versions() -> pl.DataFrame:
    return to_frame([], VERSIONS)


def advance_versions(
    versions: pl.DataFrame, snapshot: pl.DataFrame, changes: pl.DataFrame, committed_at: datetime
) -> pl.DataFrame:
    """Close the versions that `changes` replaced or removed and open the new ones."""
    if changes.is_empty():
        return versions
    touched = changes.filter(pl.col("change") != "added").select(KEY).unique()
    opened = changes.filter(pl.col("change") != "removed").select(KEY).unique()
    is_touched = pl.struct(KEY).is_in(touched.select(pl.struct(KEY)).to_series().implode())
    closed = versions.with_columns(
        pl.when(pl.col("is_current") & is_touched)
        .then(pl.lit(committed_at))
        .otherwise(pl.col("valid_to"))
        .cast(versions.schema["valid_to"])
        .alias("valid_to"),
        pl.when(pl.col("is_current") & is_touched).then(False).otherwise(pl.col("is_current")).alias("is_current"),
    )
    fresh = snapshot.join(opened, on=list(KEY), how="semi").with_columns(
        pl.lit(committed_at).cast(versions.schema["valid_from"]).alias("valid_from"),
        pl.lit(None).cast(versions.schema["valid_to"]).alias("valid_to"),
        pl.lit(True).alias("is_current"),
    )
    return pl.concat([closed, fresh.select(versions.columns)], how="vertical_relaxed")


class VersionLog:
    """`advance_versions` row by row, for a replay's many small snapshots: one frame at the end.

    The versions a replay opens stay Python rows until `frame`; the starting frame's rows
    only learn when (if ever) they were closed.
    """

    def __init__(self, start: pl.DataFrame) -> None:
        self._start = start
        self._start_current: dict[tuple[Any, ...], list[int]] = {}
        for i, (*key, is_current) in enumerate(start.select(*KEY, "is_current").iter_rows()):
            if is_current:
                self._start_current.setdefault(tuple(key), []).append(i)
        self._closed: dict[int, datetime] = {}  # starting row -> its valid_to
        self._rows: list[dict[str, Any]] = []
        self._current: dict[tuple[Any, ...], list[dict[str, Any]]] = {}

    def advance(
        self, snapshot: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]], committed_at: datetime
    ) -> None:
        """Close the versions that `changes` replaced or removed and open the new ones from `snapshot`."""
        if not changes:
            return
        touched = {tuple(c[k] for k in KEY) for c in changes if c["change"] != "added"}
        opened = {tuple(c[k] for k in KEY) for c in changes if c["change"] != "removed"}
        for key in touched:  # a null in a key matches here, as in `is_in`
            for i in self._start_current.pop(key, ()):
                self._closed[i] = committed_at
            for version in self._current.pop(key, ()):
                version["valid_to"], version["is_current"] = committed_at, False
        for row in snapshot:
            key = tuple(row.get(k) for k in KEY)
            if key in opened and None not in key:  # but not in a join
                version = {**row, "valid_from": committed_at, "valid_to": None, "is_current": True}
                self._rows.append(version)
                self._current.setdefault(key, []).append(version)

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
