"""The real docs history (../shared/corpus/box-ai-docs.bundle): values checked by hand against the Markdown."""

from __future__ import annotations

from datetime import date

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
