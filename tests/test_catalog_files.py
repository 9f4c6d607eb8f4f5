"""Reading an output folder: every file checked against its schema and against the others; backfill repairs."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import polars as pl
import pyarrow.compute as pc
import pytest

from flows.catalog import catalog_flow
from output.catalog_files import load_catalog, save_catalog
from output.store import OutputError, OutputStore, Transaction
from tests.docs_repo import card_md, make_docs_repo, seed_two_models
from transform.catalog import Catalog, inconsistencies, lag_of
from transform.state import CatalogState, StateError, state_from_json, state_to_json

pytestmark = pytest.mark.usefixtures("prefect_harness")

BEFORE_LAG = ("state.json", "changes.parquet", "models.parquet", "model_versions.parquet", "findings.parquet")
BETA = "box-ai/ai-models/beta-model-card"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A docs repository and the catalog a first run made of it."""
    root = tmp_path_factory.mktemp("built")
    repo = make_docs_repo(root)
    seed_two_models(repo)
    out = root / "out"
    catalog_flow(source=str(repo.path), out=str(out), cache_dir=str(root / "cache"))
    return repo.path, out


@pytest.fixture
def out(built, tmp_path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(built[1], copy, symlinks=True)
    return copy


def test_a_catalog_reads_back_as_it_was_written(out, tmp_path):
    store = OutputStore(out)
    catalog = load_catalog(store)

    again = tmp_path / "again"
    save_catalog(OutputStore(again), Catalog(), catalog, {})

    reread = load_catalog(OutputStore(again))
    assert reread.state == catalog.state
    assert reread.models.equals(catalog.models) and reread.changes.equals(catalog.changes)
    assert reread.versions.equals(catalog.versions) and reread.findings.equals(catalog.findings)
    assert reread.lag.equals(catalog.lag) and reread.outbox == catalog.outbox


def test_a_folder_written_before_translation_lag_reads_with_it_recomputed(out, tmp_path):
    catalog = load_catalog(OutputStore(out))
    ja_beta = pc.and_(pc.equal(catalog.versions["locale"], "ja"), pc.equal(catalog.versions["card_id"], BETA))
    versions = catalog.versions.filter(pc.invert(ja_beta))  # ja has not translated beta yet
    lagging = replace(catalog, versions=versions, lag=lag_of(versions, catalog.state))
    assert lagging.lag.column("kind").to_pylist() == ["missing_in_ja"]
    written = tmp_path / "written"
    save_catalog(OutputStore(written), Catalog(), lagging, {})
    assert (written / "translation_lag.parquet").exists() and (written / "translation_lag.json").exists()
    older = OutputStore(tmp_path / "older")
    txn = Transaction()
    for name in (*BEFORE_LAG, "alerts/outbox.parquet"):
        txn.files[name] = (written / name).read_bytes()
    older.commit(txn)

    reread = load_catalog(older)

    assert reread.lag.equals(lagging.lag)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[]", "the top level is a list, not an object"),
        ('{"locales": []}', "`locales` is missing or not an object"),
        ('{"locales": {"en": {"source": "x", "branch": "main"}}}', "locales.en.commit is missing or not text"),
        ('{"version": 9, "locales": {}}', "version 9 is not one this program reads"),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_state_file_of_the_wrong_shape_is_refused_in_one_line(out, text, reason):
    (out / "state.json").resolve().write_text(text)

    with pytest.raises(OutputError) as info:
        load_catalog(OutputStore(out))

    message = str(info.value)
    assert "state.json is damaged" in message and reason in message
    assert "model-catalog backfill" in message and "\n" not in message


@pytest.mark.parametrize("gone", ["state.json", "changes.parquet", "models.parquet", "model_versions.parquet"])
def test_files_that_disagree_are_refused_never_papered_over(out, tmp_path, gone):
    """A deleted state.json used to restart the catalog: every card `added` again, real changes lost."""
    partial = OutputStore(tmp_path / "partial")
    txn = Transaction()
    for name in BEFORE_LAG:
        if name != gone:
            txn.files[name] = (out / name).read_bytes()
    partial.commit(txn)

    with pytest.raises(OutputError, match=f"is inconsistent: .*not {gone.removesuffix('.parquet')}.*backfill"):
        load_catalog(partial)


def test_a_file_deleted_from_its_published_version_is_damage(out):
    (out / "changes.parquet").resolve().unlink()

    with pytest.raises(OutputError, match=r"changes\.parquet is damaged \(missing from its version\).*backfill"):
        load_catalog(OutputStore(out))


def test_rows_of_a_locale_the_state_does_not_list_are_refused(out):
    state = json.loads((out / "state.json").read_text())
    del state["locales"]["ja"]
    (out / "state.json").resolve().write_text(json.dumps(state))

    with pytest.raises(OutputError, match=r"models holds rows of locale 'ja', which state\.json does not list"):
        load_catalog(OutputStore(out))


def test_a_backfill_rebuilds_a_damaged_folder_from_git_alone(built, out, check_outputs):
    source, pristine = built
    (out / "state.json").resolve().unlink()
    changes = (out / "changes.parquet").resolve()
    changes.write_bytes(changes.read_bytes()[:100])

    catalog_flow(source=str(source), out=str(out), cache_dir=str(out.parent / "cache"), mode="backfill")

    check_outputs(out)
    assert (
        pl.read_parquet(out / "changes.parquet").sort("locale", "card_id").select("locale", "card_id", "change").rows()
        == pl.read_parquet(pristine / "changes.parquet")
        .sort("locale", "card_id")
        .select("locale", "card_id", "change")
        .rows()
    )


def test_a_one_locale_backfill_does_not_paper_over_a_damaged_folder(built, out):
    (out / "state.json").resolve().unlink()

    with pytest.raises(
        OutputError,
        match=r"rebuild the catalog from git \(every locale: a backfill of en keeps the rest\)",
    ):
        catalog_flow(
            source=str(built[0]), out=str(out), cache_dir=str(out.parent / "cache"), mode="backfill", locales=["en"]
        )


def test_after_the_repair_a_run_records_only_the_new_commit(built, out):
    source, _ = built
    (out / "state.json").resolve().unlink()
    clone = out.parent / "docs"
    subprocess.run(["git", "clone", "-q", "--branch", "main", str(source), str(clone)], check=True)
    card = clone / "content/guides/box-ai/ai-models/alpha-model-card.md"
    card.write_text(card_md("acme__alpha", title="Acme Alpha", input_context_tokens="256k"))
    subprocess.run(["git", "-C", str(clone), "commit", "-qam", "Alpha: 256k"], check=True)
    cache = str(out.parent / "cache")

    catalog_flow(source=str(clone), out=str(out), cache_dir=cache, mode="backfill")
    summary = catalog_flow(source=str(clone), out=str(out), cache_dir=cache)
    assert summary["changes"] == {"added": 0, "removed": 0, "modified": 0}
    changes = pl.read_parquet(out / "changes.parquet").filter(pl.col("change") == "modified")
    assert changes.select("card_id", "field", "new_value").rows() == [
        ("box-ai/ai-models/alpha-model-card", "input_context_tokens", "256000")
    ]


# -- the pure parts ---------------------------------------------------------------------------------


def test_state_round_trips_and_reads_the_first_version():
    first = {
        "locales": {
            "en": {
                "source": "https://example.com/docs.git",
                "branch": "main",
                "commit": "a" * 40,
                "committed_at": "2025-01-10T10:00:00Z",
                "snapshot_commit": None,
            }
        },
        "checked_at": "2025-01-11T00:00:00Z",
    }
    state = state_from_json(first)

    assert state.locale("en").snapshot_commit is None and state.version == 2
    assert state_from_json(state_to_json(state)) == state
    assert state_to_json(state)["version"] == 2
    with pytest.raises(StateError, match="committed_at has no time zone"):
        state_from_json({"locales": {"en": {**first["locales"]["en"], "committed_at": "2025-01-10T10:00:00"}}})


def test_an_empty_folder_is_consistent_and_a_partial_one_is_not():
    assert inconsistencies(Catalog(), set()) == []
    assert inconsistencies(Catalog(), {"models", "changes", "model_versions", "findings", "state.json"}) == []
    assert inconsistencies(Catalog(state=CatalogState()), {"changes"}) == [
        "it holds changes but not findings, model_versions, models, state.json"
    ]
