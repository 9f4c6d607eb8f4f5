"""The planning rules on literal states and commit lists: which locales move, from where, what is replayed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extract.git_source import CommitRef, FolderLog
from transform.plan import PlanError, plan_replay, plan_run, run_request
from transform.state import CatalogState, LocaleState

T = [datetime(2025, 1, d, 10, tzinfo=UTC) for d in range(1, 10)]
C = [CommitRef(f"{n:040x}", T[n]) for n in range(9)]
HEADS = {"en": C[5], "ja": C[6]}


def stored(**commits: CommitRef) -> CatalogState:
    return CatalogState(
        locales={
            locale: LocaleState("https://example.com/docs.git", "main", ref.sha, ref.committed_at, ref.sha)
            for locale, ref in commits.items()
        }
    )


@pytest.mark.parametrize(
    ("state", "mode", "alert_baseline", "expected"),
    [
        pytest.param(
            stored(),
            "run",
            False,
            [("en", None, False, True, True), ("ja", None, False, True, True)],
            id="first-run-is-a-baseline",
        ),
        pytest.param(
            stored(),
            "run",
            True,
            [("en", None, False, True, False), ("ja", None, False, True, False)],
            id="baseline-that-alerts",
        ),
        pytest.param(stored(en=C[5], ja=C[6]), "run", False, [], id="nothing-moved"),
        pytest.param(stored(en=C[3], ja=C[6]), "run", False, [("en", C[3].sha, False, False, False)], id="one-moved"),
        pytest.param(
            stored(en=C[5]), "run", False, [("ja", None, False, True, True)], id="a-new-locale-is-its-own-baseline"
        ),
        pytest.param(
            stored(en=C[5], ja=C[6]),
            "backfill",
            False,
            [("en", None, True, False, True), ("ja", None, True, False, True)],
            id="backfill-replays-everything",
        ),
        pytest.param(
            stored(en=C[5], ja=C[6]),
            "backfill",
            True,
            [("en", None, True, False, False), ("ja", None, True, False, False)],
            id="backfill-that-alerts",
        ),
    ],
)
def test_plan_run(state, mode, alert_baseline, expected):
    plans = plan_run(state, HEADS, run_request(mode, None, alert_baseline=alert_baseline))

    assert [(p.locale, p.after, p.fresh, p.baseline, p.quiet) for p in plans] == expected
    assert all(p.head == HEADS[p.locale] for p in plans)


def test_plan_run_reads_only_the_locales_asked_for():
    plans = plan_run(stored(), HEADS, run_request("run", ["ja"]))

    assert [p.locale for p in plans] == ["ja"]


@pytest.mark.parametrize(
    ("mode", "locales", "since", "message"),
    [
        ("backfil", None, None, "mode 'backfil' is not one of run, backfill"),
        ("run", ["fr"], None, "locale 'fr' is not one of en, ja"),
        ("run", None, T[0], "`since` applies to a backfill only"),
    ],
)
def test_a_request_that_cannot_run_is_refused(mode, locales, since, message):
    with pytest.raises(PlanError, match=message.replace("`", ".")):
        run_request(mode, locales, since)


def one_plan(state: CatalogState, mode: str = "run"):
    [plan] = plan_run(state, {"en": C[5]}, run_request(mode, ["en"]))
    return plan


@pytest.mark.parametrize(
    ("state", "mode", "log", "since", "expected"),
    [
        pytest.param(stored(en=C[1]), "run", C[2:6], None, C[2:6], id="every-new-commit"),
        pytest.param(stored(), "run", C[0:6], None, C[5:6], id="baseline-takes-the-newest"),
        pytest.param(stored(), "run", [], None, [], id="baseline-of-an-empty-folder"),
        pytest.param(stored(en=C[1]), "backfill", C[0:6], T[3], C[3:6], id="since-trims-a-backfill"),
        pytest.param(
            stored(en=C[1]),
            "backfill",
            C[0:6],
            datetime(2026, 1, 1, tzinfo=UTC),
            C[5:6],
            id="nothing-since-keeps-the-catalog-as-it-stood",
        ),
    ],
)
def test_plan_replay(state, mode, log, since, expected):
    replay = plan_replay(one_plan(state, mode), FolderLog(list(log), rewritten=False), since)

    assert list(replay.commits) == list(expected)
    assert replay.findings == ()


def test_a_rewritten_branch_compares_the_newest_snapshot_dated_no_earlier_than_the_stored_catalog():
    """The stored catalog was built to C[7]; the branch was rewound to C[5], whose snapshot is C[4]."""
    state = stored(en=C[7])

    replay = plan_replay(one_plan(state), FolderLog([C[4]], rewritten=True))

    assert [c.sha for c in replay.commits] == [C[4].sha]
    assert [c.committed_at for c in replay.commits] == [T[7]]  # not T[4]: versions stay in order
    [finding] = replay.findings
    assert (finding.code, finding.severity, finding.locale, finding.source_commit) == (
        "history-rewritten",
        "warning",
        "en",
        C[5].sha,
    )
    assert C[7].sha in finding.message and C[5].sha in finding.message


def test_a_rewritten_branch_with_a_later_head_dates_the_changes_at_the_head():
    state = stored(en=C[2])
    [plan] = plan_run(state, {"en": C[8]}, run_request("run", ["en"]))

    replay = plan_replay(plan, FolderLog([C[6]], rewritten=True))

    assert [c.committed_at for c in replay.commits] == [T[8]]
