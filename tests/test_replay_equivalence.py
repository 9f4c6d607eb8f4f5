"""The row path of diff and versions (what replay runs) against the Polars path, on random snapshots.

Replay compares a snapshot's few cards as Python rows; large frames go column-wise through
Polars. Both must give the same change rows in the same order, and the same versions, or
the change log would depend on how many cards a snapshot has.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from extract.card_folder import ParsedFolder
from extract.card_markdown import parse_card
from extract.git_source import CommitRef
from extract.index_tiles import parse_index
from extract.sources import LOCALES
from output.tables import CHANGES, MODELS, to_frame
from tests.docs_repo import card_href, card_md, index_md, tile_md
from tests.test_diff import card
from transform.diff import META, diff_frames, diff_rows, diff_snapshots
from transform.history import LocaleHistory, replay_rows
from transform.normalize import normalize_snapshot
from transform.versions import advance_versions, empty_versions

T0 = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])

TEXTS = st.sampled_from([None, "", "a", "a b", "b", 'say "hi"', "back\\slash", "tab\there", "日本語"])
ITEMS = st.sampled_from([None, "a", "a b", "b", 'q"uote', "ü"])
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "api_name": st.sampled_from([None, "acme__alpha", "acme__beta", "a.b"]),
    "title": TEXTS,
    "description": TEXTS,
    "tier": TEXTS,
    "release_date": st.sampled_from([None, date(2025, 4, 14), date(2024, 12, 31)]),
    "deprecated_on": st.sampled_from([None, date(2025, 4, 14)]),
    "input_context_tokens": st.sampled_from([None, 0, 1, 128_000, -5]),
    "rank": st.sampled_from([None, 0, 1, 2]),
    "throughput_tps_low": st.sampled_from([None, 0.0, -0.0, 1.5, 87.5, math.nan, math.inf, 1e20]),
    "throughput_tps_high": st.sampled_from([None, 0.0, -0.0, 100.0, math.nan]),
    "open_source": st.sampled_from([None, True, False]),
    "docs_urls": st.none() | st.lists(ITEMS, max_size=3),
    "badges": st.none() | st.lists(ITEMS, max_size=3),  # a set field: order and repeats do not count
    "capabilities": st.none() | st.lists(ITEMS, max_size=3),
    "extra": st.none()
    | st.lists(st.fixed_dictionaries({"key": ITEMS, "value": st.sampled_from([None, "US", "EU", "x\ny"])}), max_size=3),
    # not compared: a change here alone is no change
    "source_path": st.sampled_from(["p/a.md", "p/b.md"]),
    "input_context_tokens_raw": TEXTS,
}
KEYS = st.tuples(
    st.sampled_from(["box-ai/a", "box-ai/b", "box-ai/c", "box-ai/a-b", None]),
    st.sampled_from(["en", "en", "en", "ja", None]),
)


@st.composite
def template(draw) -> dict[str, Any]:
    """A models row: a typical card with some columns drawn, under a (possibly null) key."""
    card_id, locale = draw(KEYS)
    fields = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True, max_size=6))
    return card(card_id=card_id, locale=locale, **{f: draw(VALUES[f]) for f in fields})


@st.composite
def snapshot(draw, pool: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows drawn from `pool` (so values are shared, as replay's cached cards are), some edited; keys may repeat."""
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = draw(st.sampled_from(pool))
        edits = draw(st.lists(st.sampled_from(sorted(VALUES)), unique=True, max_size=2))
        rows.append(dict(row, **{f: draw(VALUES[f]) for f in edits}) if edits else row)
    return rows


@st.composite
def history(draw) -> list[list[dict[str, Any]]]:
    pool = draw(st.lists(template(), min_size=1, max_size=5))
    return draw(st.lists(snapshot(pool), min_size=1, max_size=5))


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return to_frame(rows, MODELS)


CORNERS = [  # too rare to leave to chance
    [[card(throughput_tps_low=0.0)], [card(throughput_tps_low=-0.0)], [card(throughput_tps_low=0.0)]],
    [[card(throughput_tps_low=math.nan)], [card(throughput_tps_low=math.nan)], [card(throughput_tps_low=1.5)]],
    [[card(badges=["b", "a", "b"], docs_urls=["b", "a"])], [card(badges=["a", "b"], docs_urls=["a", "b"])]],
    [[card(rank=1), card(rank=2, api_name="x")], [card(rank=3, title="t"), card(rank=1, api_name="y")], []],
    [[card(card_id=None), card(locale=None, rank=1)], [card(card_id=None, rank=2), card(locale=None)]],
]


@SETTINGS
@given(history())
@example(CORNERS[0])
@example(CORNERS[1])
@example(CORNERS[2])
@example(CORNERS[3])
@example(CORNERS[4])
def test_row_diff_gives_the_polars_diff(snapshots):
    for old, new in zip([[], *snapshots], snapshots, strict=False):
        expected = diff_frames(frame(old), frame(new))
        rows = diff_rows(old, new)  # as replay calls it: rows as normalized, values shared
        assert_frame_equal(to_frame(rows, CHANGES).select(expected.columns), expected)
        assert diff_rows(frame(old).to_dicts(), frame(new).to_dicts()) == rows  # as diff_snapshots calls it

        meta = {"from_commit": "c0", "to_commit": "c1", "committed_at": T0, "detected_at": NOW, "run_id": "r"}
        public = diff_snapshots(frame(old), frame(new), **meta)
        polars = expected.join(to_frame([meta], CHANGES).select(*META), how="cross").select(CHANGES.names)
        assert_frame_equal(public, polars)


def frame_replay(start: LocaleHistory, snapshots, at: list[datetime]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The replay loop on frames, as it was: Polars diff, then `advance_versions`."""
    old, versions, commit, changes = start.models, start.versions, start.commit, []
    for n, (rows, when) in enumerate(zip(snapshots, at, strict=True)):
        new = frame(rows)
        meta = {"from_commit": commit, "to_commit": f"c{n}", "committed_at": when, "detected_at": NOW, "run_id": "r"}
        body = diff_frames(new.clear() if old is None else old, new)
        delta = body.join(to_frame([meta], CHANGES).select(*META), how="cross").select(CHANGES.names)
        versions = advance_versions(versions, new, delta, when)
        changes.append(delta)
        old, commit = new, f"c{n}"
    return pl.concat([to_frame([], CHANGES), *changes]), versions


@SETTINGS
@given(history(), st.integers(0, 5))
@example(CORNERS[0], 1)
@example(CORNERS[3], 2)
@example(CORNERS[4], 1)
def test_replay_rows_give_the_frame_replay(snapshots, split):
    """A backfill, and the same history as two runs (the second continuing from the first's versions)."""
    at = [T0 + timedelta(days=n) for n in range(len(snapshots))]
    refs = [CommitRef(f"c{n}", when) for n, when in enumerate(at)]
    empty = LocaleHistory("en", None, None, empty_versions())

    full = replay_rows(empty, list(zip(refs, snapshots, strict=True)), detected_at=NOW, run_id="r")
    changes, versions = frame_replay(empty, snapshots, at)
    assert_frame_equal(full.changes, changes)
    assert_frame_equal(full.versions, versions)
    assert list(full.snapshots) == [r.sha for r in refs]
    for ref, rows in zip(refs, snapshots, strict=True):
        assert_frame_equal(pl.from_arrow(full.snapshots[ref.sha]), frame(rows))
    assert_frame_equal(full.models, frame(snapshots[-1]))

    split = min(split, len(snapshots))
    first = replay_rows(empty, list(zip(refs[:split], snapshots[:split], strict=True)), detected_at=NOW, run_id="r")
    start = LocaleHistory("en", first.models, first.commit, first.versions)
    second = replay_rows(start, list(zip(refs[split:], snapshots[split:], strict=True)), detected_at=NOW, run_id="r")
    assert_frame_equal(pl.concat([first.changes, second.changes]), full.changes)
    assert_frame_equal(second.versions, full.versions)


def test_normalized_rows_are_already_what_a_frame_holds():
    """Replay diffs rows as normalized, frames diff them as Arrow converted them: they must be the same values."""
    cards = {
        "alpha-model-card.md": card_md("acme__alpha", title="Acme Alpha", throughput="Estimated between 163 - 300"),
        "beta-model-card.md": card_md("acme__beta", open_source="Yes", Region="US", knowledge_cutoff="Not specified"),
    }
    tiles = [
        tile_md("acme__alpha", card_href("alpha-model-card"), "Small.", ["Chat", "Available", "Standard", "FedRAMP"]),
        tile_md("acme__beta", card_href("beta-model-card"), "Old.", ["Deprecated on January 9, 2025", "Premium"]),
    ]
    folder = LOCALES["en"].cards_folder
    parsed = ParsedFolder(
        tuple((folder + name, parse_card(text)) for name, text in cards.items()),
        folder + "index.md",
        parse_index(index_md({"Core Box AI Models": tiles})),
    )
    rows, _ = normalize_snapshot(LOCALES["en"], "c0ffee", T0, parsed)

    converted = frame(rows).to_dicts()
    assert converted == rows
    assert [{k: type(v) for k, v in row.items()} for row in converted] == [
        {k: type(v) for k, v in row.items()} for row in rows
    ]
    assert {type(rows[0][f]) for f in ("throughput_tps_low", "release_date", "input_context_tokens")} == {
        float,
        date,
        int,
    }


def test_normalize_cache_changes_nothing_over_the_real_history(bundle, tmp_path):
    """Every snapshot of both locales, normalized with the replay's shared cache and afresh."""
    from extract import git_source
    from extract.card_folder import BlobParser, parse_folder
    from extract.card_markdown import MAX_CARD_BYTES
    from transform.normalize import NormalizeCache

    streams = list(LOCALES.values())
    repo = git_source.sync_source(
        str(bundle), tmp_path, [s.branch for s in streams], {s.branch: s.cards_folder for s in streams}
    )
    parser = BlobParser()
    for stream in streams:
        shared = NormalizeCache()
        commits = git_source.list_folder_commits(repo, stream.branch, stream.cards_folder).commits
        for snap in git_source.iter_folder_snapshots(repo, stream.cards_folder, commits, MAX_CARD_BYTES):
            folder = parse_folder(snap.files, parser)
            at = snap.commit.committed_at
            cached = normalize_snapshot(stream, snap.commit.sha, at, folder, cache=shared)
            assert cached == normalize_snapshot(stream, snap.commit.sha, at, folder, cache=NormalizeCache())
        assert len(commits) > 20  # the whole history was walked
