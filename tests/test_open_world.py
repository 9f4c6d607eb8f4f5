"""The real HEAD cards and index, rewritten in real-world forms, must read as the unmodified HEAD.

See tests/open_world.py for why and how. Variant 0 goes end to end through the CLI (git
repository, backfill, Parquet); the other variants through the pure transform path. Every
mismatch is listed in one assertion message: variant, locale, card, column, the form's
family and template, the text written, what it must read as and what it read as.
`python -m tests.open_world` prints the same failures grouped by form.
"""

from __future__ import annotations

import ast
import datetime
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from extract.card_markdown import parse_card
from extract.sources import LOCALES
from tests import open_world as ow
from tests import open_world_forms as F
from tests.docs_repo import card_md, cli, make_docs_repo
from transform.normalize import normalize_card


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> ow.OpenWorld:
    from tests.conftest import BUNDLE  # the `bundle` fixture's file; a module fixture cannot take it

    if not BUNDLE.exists():
        pytest.skip(f"the real docs history is not here ({BUNDLE} is absent: ../shared ships with CI only)")
    return ow.generate(ow.head_folders(BUNDLE, tmp_path_factory.mktemp("head")))


@pytest.fixture(scope="module")
def cli_out(world, tmp_path_factory) -> Path:
    """Variant 0 as a docs repository (one commit per branch), read by `model-catalog backfill`."""
    tmp = tmp_path_factory.mktemp("cli")
    repo = make_docs_repo(tmp)
    for locale, files in world.variants[0].items():
        for name, text in files.items():
            repo.write(locale, name, text)
        repo.commit(locale, f"Rewritten HEAD ({locale})", "2025-09-01T10:00:00+00:00")
    out = tmp / "out"
    result = cli("backfill", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(tmp / "cache"), cwd=tmp)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def cli_read(cli_out) -> dict[str, tuple[dict[str, dict], list[tuple[str | None, str]]]]:
    """Models rows by card id and (card id, message) findings of each locale, from the CLI's files."""
    out = cli_out
    models = pq.read_table(out / "models.parquet").to_pylist()
    findings = pq.read_table(out / "findings.parquet").to_pylist()
    return {
        locale: (
            {row["card_id"]: row for row in models if row["locale"] == locale},
            [(f["card_id"], f["message"]) for f in findings if f["locale"] == locale],
        )
        for locale in LOCALES
    }


@pytest.fixture(scope="module")
def judged(world, cli_read) -> tuple[list[ow.Outcome], list[str]]:
    """Outcomes of every case (variant 0 from the CLI's output), and untouched columns that changed."""
    outcomes, problems = [], []
    for variant, folders in enumerate(world.variants):
        for locale, files in folders.items():
            rows, findings = cli_read[locale] if variant == 0 else ow.normalize_folder(locale, files)
            outcomes += ow.outcomes_for(world, variant, locale, rows, findings)
            problems += ow.collateral(variant, locale, world.baseline[locale], rows, world.cases)
    return outcomes, problems


def listing(outcomes: list[ow.Outcome], title: str) -> str:
    lines = [ow.describe(o) for o in outcomes]
    return f"{len(lines)} {title}:\n" + "\n".join(lines)


# -- the generator reads the real docs right -----------------------------------------------------------------
def test_the_generator_reads_the_head_as_the_pipeline_does(world):
    """Its labels, cells and pills are the ones the baseline run read, so its rewrites hit real cells."""
    problems = []
    for locale, files in world.head.items():
        for name, text in files.items():
            if name == "index.md":
                assert ow.edit_index(text, {}) == text
                continue
            row = world.baseline[locale][ow.card_id_of(name)]
            seen = set()
            for r in ow.details_rows(text):
                fld = ow.HEAD_LABELS.get(r.label)
                if fld is None:
                    problems.append(f"{locale} {name}: label {r.label!r} unknown to the generator")
                elif fld not in seen and fld not in ow.TEXT_FIELDS:
                    raw = row[f"{fld}_raw"]
                    if raw != r.value:
                        problems.append(f"{locale} {name} {fld}: generator reads {r.value!r}, pipeline {raw!r}")
                seen.add(fld)
                assert ow.replace_cell(text, r, 2, r.value).count("\n") == text.count("\n")
        by_title = {row["tile_api_name"]: row for row in world.baseline[locale].values() if row["tile_api_name"]}
        for title, pills in ow.tile_pills(files["index.md"]).items():
            meant = {ow.HEAD_AVAILABILITY[p] for p in pills if p in ow.HEAD_AVAILABILITY}
            if title in by_title and meant != set(by_title[title]["availability"]):
                problems.append(f"{locale} tile {title}: generator reads {meant}, pipeline {by_title[title]}")
    assert not problems, "\n".join(problems)


def test_every_family_is_rewritten_in_both_languages(world):
    """Each family of the form table is used in en and ja, and every form that fits a real value is used."""
    table = {(family, lang) for _, lang, _, family in ow.all_forms()}
    used = {(c.family.split(" / ")[0], ow.LANG[c.locale]) for c in world.cases}
    assert table <= used, f"never used: {sorted(table - used)}"
    unused = ow.fitting_forms(world.baseline) - world.planner.used
    assert not unused, f"forms that fit a real value but were never written: {sorted(unused)}"
    labels = {(c.column, c.locale) for c in world.cases if c.label}
    assert {(fld, locale) for fld in F.LABEL_SYNONYMS for locale in LOCALES} <= labels


# -- the rewritten docs read as the baseline ----------------------------------------------------------------------
def test_the_fast_path_reads_variant_0_as_the_cli_does(world, cli_read):
    """The in-process reading stands for the CLI's on every other variant: on variant 0 they must agree."""
    differ = []
    for locale, files in world.variants[0].items():
        rows, _ = ow.normalize_folder(locale, files)
        cli_rows, _ = cli_read[locale]
        assert set(rows) == set(cli_rows)
        for card_id, row in rows.items():
            for fld in (*ow.CARD_FIELDS, *ow.PILL_FIELDS):
                if ow._comparable(row, fld) != ow._comparable(cli_rows[card_id], fld):
                    differ.append(f"{locale} {card_id} {fld}: {row!r} vs {cli_rows[card_id]!r}")
    assert not differ, "\n".join(differ)


def test_the_rewritten_docs_give_outputs_of_the_contract_shape(cli_out, check_outputs):
    check_outputs(cli_out, "models,findings,state")


def test_every_rewritten_cell_reads_as_the_baseline(judged):
    outcomes, collateral = judged
    bad = [o for o in outcomes if o.status != "right"]
    statuses = Counter(o.status for o in outcomes)
    message = listing(bad, f"of {len(outcomes)} rewritten cells not read as the baseline {dict(statuses)}")
    if collateral:
        message += f"\n{len(collateral)} untouched columns changed:\n" + "\n".join(collateral)
    assert not bad and not collateral, message


def test_nothing_is_silently_lost(judged):
    """A rewritten value is read right, or kept null/raw with a finding that names it; never read wrong."""
    outcomes, _ = judged
    bad = [o for o in outcomes if o.status in ("wrong", "silent")]
    assert not bad, listing(bad, f"of {len(outcomes)} rewritten cells read wrong or lost without a finding")


# -- the form table over values the docs do not have (Hypothesis) ---------------------------------------------------
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # every example reads all forms: report, do not shrink
    suppress_health_check=[HealthCheck.too_slow],
)


def read_cell(fld: str, lang: str, written: str):
    """The typed value and problems of one cell in a card written for the test (en or ja labels)."""
    row, problems = normalize_card(parse_card(card_md("acme__x", locale=lang, **{fld: f"**{written}**"})))
    return ow.typed(row, fld), problems


def misread(fld: str, forms, fields, expect, value_text: str) -> list[str]:
    """Forms whose reading is wrong, or null without a problem naming it."""
    out = []
    for form in forms:
        written = ow.render(form, fields(form))
        if written is None:
            continue
        got, problems = read_cell(fld, form.lang, written)
        want = expect(form)
        if got == want:
            continue
        if ow._is_wrong(want, got):
            out.append(f"{value_text} {form.family} {form.template!r} {written!r}: expected {want!r}, got {got!r}")
        elif not any(ow.quotes(message, written) for _, message in problems):
            out.append(f"{value_text} {form.family} {form.template!r} {written!r}: null without a finding")
    return out


DATES = st.dates(datetime.date(1989, 2, 1), datetime.date(2035, 12, 31))


@EXAMPLES
@given(DATES, st.sampled_from(["day", "month"]))
def test_date_forms_are_never_read_wrong(value, precision):
    """Any date (both eras, both precisions) in every date form: right, or null with a finding."""
    if precision == "month":
        value = value.replace(day=1)
    forms = [f for lang in ("en", "ja") for f in ow.date_forms(precision, lang)]
    bad = misread(
        "release_date",
        forms,
        lambda f: F.date_fields(value, precision),
        lambda f: ow.expected_date(value, precision, f),
        f"{value} ({precision})",
    )
    assert not bad, "\n".join(bad)


@EXAMPLES
@given(st.one_of(st.integers(1, 10_000).map(lambda k: k * 1000), st.integers(1, 50_000_000)))
def test_token_forms_are_never_read_wrong(n):
    bad = misread("input_context_tokens", F.TOKEN_FORMS, lambda f: F.token_fields(n), lambda f: n, str(n))
    assert not bad, "\n".join(bad)


@EXAMPLES
@given(st.integers(1, 50_000).map(lambda tenths: tenths / 10))
def test_throughput_forms_are_never_read_wrong(low):
    high = ow.range_high(low)

    def fields(form: F.Form):
        return F.throughput_fields(low, high if "{y" in form.template else None)

    def expect(form: F.Form):
        return (low, high) if "{y" in form.template else (low, low)

    bad = misread("throughput", F.THROUGHPUT_FORMS, fields, expect, str(low))
    assert not bad, "\n".join(bad)


def test_the_form_table_is_standalone():
    """The rewrite vocabulary must not come from the parser it tests: no word list is imported."""
    for path in (Path(F.__file__), Path(ow.__file__), Path(__file__)):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not [n for n in names if "vocabulary" in n], f"{path.name} imports {names}"
