"""The SCD2 view: one row per version of a card, advanced snapshot by snapshot.

A version changes only when a compared field changes, so it moves exactly where the
changes log has a row; the two can never disagree.
"""

from __future__ import annotations

from datetime import datetime

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
