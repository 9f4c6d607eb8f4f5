"""The real docs history (../shared/corpus/box-ai-docs.bundle): values checked by hand against the Markdown."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from flows.catalog import catalog_flow

pytestmark = pytest.mark.usefixtures("prefect_harness")

MINI = "box-ai/ai-models/azure-openai-gpt-4-1-mini-model-card"
SCOUT = "box-ai/ai-models/ibm-llama-4-scout-model-card"
VISION = "box-ai/ai-models/ibm-llama-3-2-90b-vision-instruct-model-card"
GROK_MINI = "box-ai/ai-models/xai-grok-3-mini-beta-model-card"
FLASH_LITE = "box-ai/ai-models/google-gemini-2-0-flash-lite-preview-02-05"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory, request):
    from tests.conftest import BUNDLE

    if not BUNDLE.exists():
        pytest.skip(f"the real docs history is not here ({BUNDLE} is absent: ../shared ships with CI only)")
    request.getfixturevalue("prefect_harness")
    out = tmp_path_factory.mktemp("bundle") / "catalog"
    catalog_flow(source=str(BUNDLE), out=str(out), cache_dir=str(out.parent / "cache"))
    models = pl.read_parquet(out / "models.parquet")
    return out, {(r["card_id"], r["locale"]): r for r in models.to_dicts()}


def test_every_card_of_both_locales_is_present(catalog, check_outputs):
    out, rows = catalog
    check_outputs(out, "models,findings,state")
    locales = [locale for _, locale in rows]
    assert locales.count("en") == 23
    assert locales.count("ja") == 23
    assert (FLASH_LITE, "en") in rows  # a card whose file name does not end in -model-card


@pytest.mark.parametrize(
    ("card_id", "locale", "column", "expected"),
    [
        (MINI, "en", "api_name", "azure__openai__gpt_4.1_mini"),
        (MINI, "en", "input_context_tokens", 1_000_000),  # **1m tokens**
        (MINI, "en", "max_output_tokens", 32_000),
        (MINI, "en", "throughput_tps_low", 87.5),
        (MINI, "en", "release_date", date(2025, 4, 14)),  # April 14th, 2025
        (MINI, "en", "knowledge_cutoff_precision", "month"),  # May 2024
        (MINI, "en", "default_for", ["Box AI for Box Hubs", "Box AI for Docs", "Box AI for Box Notes Q&A"]),
        (SCOUT, "ja", "input_context_tokens", 10_000_000),  # 1,000万
        (SCOUT, "ja", "max_output_tokens", None),  # 指定なし
        (SCOUT, "ja", "max_output_tokens_raw", "指定なし"),
        (SCOUT, "ja", "open_source", True),  # はい
        (SCOUT, "ja", "ip_infringement_protection", False),  # いいえ
        (GROK_MINI, "ja", "input_context_tokens", 131_000),  # 131,000トークン
        (GROK_MINI, "ja", "knowledge_cutoff", None),  # 不明
        (GROK_MINI, "ja", "category", "standard"),  # 標準 on the card ...
        (GROK_MINI, "ja", "tier", "premium"),  # ... プレミアム on the tile
        (GROK_MINI, "ja", "availability", ["beta"]),
        (GROK_MINI, "ja", "access_level", "customer_enabled"),
        (VISION, "en", "api_name", "ibm__llama__3_2_90b_vision_instruct"),
        (VISION, "en", "tile_api_name", "ibm__llama_3_2_90b_vision_instruct"),  # matched by its link
        (FLASH_LITE, "en", "release_date_precision", "day"),  # February 5th 2025
    ],
)
def test_values_checked_by_hand(catalog, card_id, locale, column, expected):
    _, rows = catalog
    assert rows[(card_id, locale)][column] == expected


def test_disagreements_in_the_real_docs_are_findings(catalog):
    out, _ = catalog
    findings = pl.read_parquet(out / "findings.parquet")
    found = {(r["locale"], r["card_id"], r["code"]) for r in findings.to_dicts()}
    assert ("en", VISION, "tile-title-mismatch") in found
    assert ("ja", GROK_MINI, "tier-mismatch") in found
    assert ("en", "box-ai/ai-models/aws-claude-4-sonnet-model-card", "duplicate-label") in found
    assert findings.filter(pl.col("severity") == "error").is_empty()


# -- translation lag of the whole history --------------------------------------------------------

O3 = "box-ai/ai-models/openai-gpt-o3-model-card"
PRO_PREVIEW = "box-ai/ai-models/google-gemini-2-5-pro-preview-model-card"
GPT_4O_0513 = "box-ai/ai-models/azure-openai-gpt-4o-2024-05-13-model-card"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, request):
    from tests.conftest import BUNDLE

    if not BUNDLE.exists():
        pytest.skip(f"the real docs history is not here ({BUNDLE} is absent: ../shared ships with CI only)")
    request.getfixturevalue("prefect_harness")
    out = tmp_path_factory.mktemp("backfill") / "catalog"
    summary = catalog_flow(source=str(BUNDLE), out=str(out), cache_dir=str(out.parent / "cache"), mode="backfill")
    return out, summary


# Checked by hand in a clone of the bundle: `git log --first-parent --format='%h %cI %s' origin/main --
# content/guides/box-ai/ai-models/<file>` and the same on origin/jp under guides/box-ai/ai-models/, then
# `git show <sha>:<path>/index.md` on both sides of each commit to see the pill appear. Times are %cI in UTC.
HAND_CHECKED = [
    # openai-gpt-o3-model-card.md added on main at d8620e4 (2025-07-10T15:51:53+02:00, "Fixed broken
    # links (#767)"), on jp at bf2f4ad (2025-07-14T19:34:14Z, "Moji: Update translations").
    (O3, "missing_in_ja", None, "2025-07-10T13:51:53Z", "2025-07-14T19:34:14Z"),
    # The google__gemini_2_5_pro_preview tile's "Available" pill became "Deprecated" on main at e4ed87c
    # (2025-07-25T16:08:42+02:00, "Add Gemini 2.5 pro (#777)"); jp's tile still said 利用可能 at
    # bf2f4ad and said 廃止 at 07c1398 (2025-07-28T15:33:56Z), the next jp commit touching the folder.
    (PRO_PREVIEW, "value_differs", "availability", "2025-07-25T14:08:42Z", "2025-07-28T15:33:56Z"),
    # The azure_openai__gpt_4o_2024_05_13 tile got its "Chat" pill on main at 99b5e25
    # (2024-12-09T17:45:51+01:00, "Fix AI model list (#650)"); jp's tile had no チャット pill at 799fc38
    # and had it at a0bc503 (2024-12-16T12:33:55-08:00), seven days later.
    (GPT_4O_0513, "value_differs", "capabilities", "2024-12-09T16:45:51Z", "2024-12-16T20:33:55Z"),
]


@pytest.mark.parametrize(("card_id", "kind", "field", "since", "until"), HAND_CHECKED)
def test_translation_lags_checked_by_hand(backfilled, card_id, kind, field, since, until):
    out, _ = backfilled
    lag = pl.read_parquet(out / "translation_lag.parquet")
    rows = lag.filter(pl.col("card_id") == card_id, pl.col("kind") == kind, pl.col("since") == utc(since))
    if field is not None:
        rows = rows.filter(pl.col("field") == field)
    (row,) = rows.to_dicts()
    assert row["until"] == utc(until) and not row["is_open"]
    assert row["lag_days"] == pytest.approx((utc(until) - utc(since)).total_seconds() / 86_400)


def test_translation_lag_values_as_the_docs_show_them(backfilled):
    out, _ = backfilled
    lag = pl.read_parquet(out / "translation_lag.parquet")
    (o3,) = lag.filter(pl.col("card_id") == O3).to_dicts()
    assert o3["api_name"] == "openai__gpt_o3" and o3["ja_value"] is None
    assert json.loads(o3["en_value"])["api_name"] == "openai__gpt_o3"
    (pro,) = lag.filter(pl.col("card_id") == PRO_PREVIEW, pl.col("field") == "availability").to_dicts()
    assert (pro["en_value"], pro["ja_value"]) == ('["deprecated"]', '["available"]')
    (gpt,) = lag.filter(pl.col("card_id") == GPT_4O_0513, pl.col("field") == "capabilities").to_dicts()
    assert (gpt["en_value"], gpt["ja_value"]) == ('["chat"]', "[]")


def test_a_backfill_writes_the_contracts_lag_table(backfilled, check_outputs):
    out, summary = backfilled
    check_outputs(out, "models,changes,versions,findings,state,lag")
    lag = pl.read_parquet(out / "translation_lag.parquet")
    assert len(json.loads((out / "translation_lag.json").read_text())) == lag.height > 0
    assert summary["lag"]["open"] == lag["is_open"].sum() and summary["lag"]["reason"] is None
    assert "open translation lag" in summary["line"]
