"""VersionLog on tiny literal snapshots: the SCD2 view moves exactly where changes are."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from tests.test_diff import ALPHA, BETA, card
from transform.diff import diff_rows
from transform.tables import MODELS, VERSIONS, to_frame
from transform.versions import VersionLog

T0 = datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
T1 = datetime(2025, 2, 1, 10, 0, tzinfo=UTC)
T2 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
T3 = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)


def snapshot(commit: str, at: datetime, *rows: dict[str, Any]) -> pl.DataFrame:
    return to_frame([dict(r, source_commit=commit, committed_at=at) for r in rows], MODELS)


def empty_versions() -> pl.DataFrame:
    return to_frame([], VERSIONS)


def step(versions: pl.DataFrame, old: pl.DataFrame | None, new: pl.DataFrame, at: datetime) -> pl.DataFrame:
    """One replay step, as replay takes it: diff, then advance, then the frame."""
    rows = new.to_dicts()
    log = VersionLog(versions)
    log.advance(rows, diff_rows(old.to_dicts() if old is not None else [], rows), at)
    return log.frame()


def version(row: dict[str, Any], commit: str, valid_from: datetime, valid_to: datetime | None) -> dict[str, Any]:
    return dict(
        row,
        source_commit=commit,
        committed_at=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
        is_current=valid_to is None,
    )


def versions_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return to_frame(rows, VERSIONS)


def ordered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("locale", "card_id", "valid_from")


def test_first_snapshot_opens_one_current_version_per_card():
    s0 = snapshot("c0", T0, card(ALPHA), card(BETA, api_name="acme__beta"))

    versions = step(empty_versions(), None, s0, T0)

    expected = versions_frame(
        version(card(ALPHA), "c0", T0, None), version(card(BETA, api_name="acme__beta"), "c0", T0, None)
    )
    assert_frame_equal(ordered(versions), expected)


def test_modification_closes_one_version_and_opens_the_next_at_the_replacing_time():
    s0 = snapshot("c0", T0, card(ALPHA), card(BETA, api_name="acme__beta"))
    s1 = snapshot("c1", T1, card(ALPHA, input_context_tokens=200_000), card(BETA, api_name="acme__beta"))
    versions = step(empty_versions(), None, s0, T0)

    versions = step(versions, s0, s1, T1)

    expected = versions_frame(
        version(card(ALPHA), "c0", T0, T1),
        version(card(ALPHA, input_context_tokens=200_000), "c1", T1, None),
        version(card(BETA, api_name="acme__beta"), "c0", T0, None),
    )
    assert_frame_equal(ordered(versions), expected)


def test_removal_closes_the_version_and_readding_opens_a_new_one():
    s0 = snapshot("c0", T0, card(ALPHA), card(BETA, api_name="acme__beta"))
    s1 = snapshot("c1", T1, card(ALPHA))
    s2 = snapshot("c2", T2, card(ALPHA), card(BETA, api_name="acme__beta", rank=3))
    versions = step(empty_versions(), None, s0, T0)

    versions = step(versions, s0, s1, T1)
    assert_frame_equal(
        ordered(versions),
        versions_frame(version(card(ALPHA), "c0", T0, None), version(card(BETA, api_name="acme__beta"), "c0", T0, T1)),
    )

    versions = step(versions, s1, s2, T2)
    assert_frame_equal(
        ordered(versions),
        versions_frame(
            version(card(ALPHA), "c0", T0, None),
            version(card(BETA, api_name="acme__beta"), "c0", T0, T1),
            version(card(BETA, api_name="acme__beta", rank=3), "c2", T2, None),
        ),
    )


def test_snapshot_without_compared_changes_keeps_versions_as_they_are():
    s0 = snapshot("c0", T0, card(ALPHA))
    s1 = snapshot(
        "c1", T1, card(ALPHA, input_context_tokens_raw="**128,000 tokens**", badges=["Standard", "Preview", "Chat"])
    )
    versions = step(empty_versions(), None, s0, T0)

    after = step(versions, s0, s1, T1)

    assert_frame_equal(after, versions)


def test_only_the_changed_locale_moves():
    s0 = snapshot("c0", T0, card(ALPHA, locale="en"))
    ja = snapshot("j0", T0, card(ALPHA, locale="ja"))
    versions = pl.concat([step(empty_versions(), None, s0, T0), step(empty_versions(), None, ja, T0)])
    s1 = snapshot("c1", T1, card(ALPHA, locale="en", tier="premium"))

    versions = step(versions, s0, s1, T1)

    assert ordered(versions).select("locale", "valid_from", "valid_to", "is_current").rows() == [
        ("en", T0, T1, False),
        ("en", T1, None, True),
        ("ja", T0, None, True),
    ]


def test_three_modifications_chain_without_gaps():
    rows = [card(ALPHA, rank=n) for n in range(4)]
    times = [T0, T1, T2, T3]
    versions, old = empty_versions(), None
    for n, (row, at) in enumerate(zip(rows, times, strict=True)):
        new = snapshot(f"c{n}", at, row)
        versions, old = step(versions, old, new, at), new

    chain = ordered(versions).select("valid_from", "valid_to", "is_current", "rank").rows()
    assert chain == [(T0, T1, False, 0), (T1, T2, False, 1), (T2, T3, False, 2), (T3, None, True, 3)]
    assert versions.filter(pl.col("is_current")).height == 1


def test_a_snapshot_dated_before_the_last_version_moves_at_that_version_instead():
    """Commit times need not grow along a branch, and a rewound branch goes back: versions never overlap."""
    s0 = snapshot("c0", T0, card(ALPHA))
    s2 = snapshot("c2", T2, card(ALPHA, rank=2))
    s1 = snapshot("c1", T1, card(ALPHA, rank=1))  # replayed after c2, dated before it
    versions = step(step(empty_versions(), None, s0, T0), s0, s2, T2)

    versions = step(versions, s2, s1, T1)

    chain = ordered(versions).select("valid_from", "valid_to", "is_current", "rank").rows()
    assert chain == [(T0, T2, False, 1), (T2, T2, False, 2), (T2, None, True, 1)]


def test_several_steps_in_one_log_equal_one_log_per_step():
    snapshots = [snapshot(f"c{n}", at, card(ALPHA, rank=n)) for n, at in enumerate((T0, T1, T2, T3))]
    log, old = VersionLog(empty_versions()), []
    for new, at in zip(snapshots, (T0, T1, T2, T3), strict=True):
        rows = new.to_dicts()
        log.advance(rows, diff_rows(old, rows), at)
        old = rows
    stepwise, previous = empty_versions(), None
    for new, at in zip(snapshots, (T0, T1, T2, T3), strict=True):
        stepwise, previous = step(stepwise, previous, new, at), new

    assert_frame_equal(ordered(log.frame()), ordered(stepwise))
