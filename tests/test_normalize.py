"""Card rows, labels in either language, tile matching and findings, on cards written for the tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from extract.card_folder import ParsedFolder
from extract.card_markdown import CardParseError, parse_card
from extract.index_tiles import Tile, parse_index
from extract.sources import LOCALES
from tests.docs_repo import card_href, card_md, index_md, tile_md
from transform.labels import field_for_label
from transform.normalize import NormalizeCache, card_id_for, details_rows, normalize_card, normalize_snapshot
from transform.tables import MODELS, to_table

AT = datetime(2025, 1, 1, tzinfo=UTC)


def row_of(text: str) -> tuple[dict, list[tuple[str, str]]]:
    return normalize_card(parse_card(text))


@pytest.mark.parametrize(
    ("cells", "column", "expected"),
    [
        ({"input_context_tokens": "**1m tokens**"}, "input_context_tokens", 1_000_000),
        ({"input_context_tokens": "**100万トークン**"}, "input_context_tokens", 1_000_000),
        ({"input_context_tokens": "1,000万"}, "input_context_tokens", 10_000_000),
        ({"input_context_tokens": "**128,000トークン**"}, "input_context_tokens", 128_000),
        ({"input_context_tokens": ""}, "input_context_tokens", None),
        ({"input_context_tokens": ""}, "input_context_tokens_raw", ""),
        ({"max_output_tokens": "**Not applicable**"}, "max_output_tokens_raw", "Not applicable"),
        ({"max_output_tokens": "**該当なし**"}, "max_output_tokens", None),
        ({"throughput": "Estimated between 163 - 300"}, "throughput_tps_low", 163.0),
        ({"throughput": "Estimated between 163 - 300"}, "throughput_tps_high", 300.0),
        (
            {"throughput": "**Not specified; similar models reach up to 90 tokens a second**"},
            "throughput_tps_high",
            None,
        ),
        ({"throughput": "指定なし、類似のモデルは毎秒最大90トークン程度"}, "throughput_tps_low", None),
        ({"release_date": "**2025年4月14日**"}, "release_date", date(2025, 4, 14)),
        ({"release_date": "**May 2024**"}, "release_date_precision", "month"),
        ({"knowledge_cutoff": "**middle of 2021**"}, "knowledge_cutoff", date(2021, 1, 1)),
        ({"knowledge_cutoff": "**2021年中頃**"}, "knowledge_cutoff_precision", "year"),
        ({"release_date": "**TBD**"}, "release_date", None),
        ({"open_source": "**はい**"}, "open_source", True),
        ({"open_source": "**No**"}, "open_source", False),
        ({"category": "プレミアム"}, "category", "premium"),
        ({"category": "**Standard**"}, "category_raw", "Standard"),
        ({"model_name": "`Acme` **X** [1.5][docs]"}, "model_name", "Acme X 1.5"),
        ({"provider": "**Not specified**"}, "provider", None),
    ],
)
def test_card_values_are_typed(cells, column, expected):
    row, _ = row_of(card_md("acme__x", **cells))
    assert row[column] == expected


def test_labels_are_recognised_in_either_language_whatever_the_locale():
    english_labels_ja_values = card_md("acme__x", input_context_tokens="**128,000トークン**", open_source="**いいえ**")
    ja_card = card_md("acme__x", locale="ja", input_context_tokens="**128k tokens**", open_source="**No**")
    for text in (english_labels_ja_values, ja_card):
        row, problems = row_of(text)
        assert (row["input_context_tokens"], row["open_source"]) == (128_000, False)
        assert problems == []


def test_context_length_is_the_older_label_for_the_input_window():
    row, _ = row_of(card_md("acme__x", input_context_tokens=None, **{"Context length": "**10m**"}))
    assert row["input_context_tokens"] == 10_000_000
    assert row["extra"] == []


def test_details_table_is_the_first_table_with_a_known_label():
    text = (
        "# Acme X\n\nIntro.\n\n| Benchmark | Score |\n|---|---|\n| speed | 9 |\n\n"
        "| Item | Value |\n|---|---|\n| API model name | `acme__x` |\n"
    )
    assert details_rows(parse_card(text)) == (("API model name", "acme__x"),)


def test_a_card_with_only_an_unknown_table_keeps_that_table():
    text = "# Acme X\n\nIntro.\n\n| Key | Value |\n|---|---|\n| colour | blue |\n"
    assert details_rows(parse_card(text)) == (("colour", "blue"),)


def test_unknown_labels_go_to_extra_and_repeats_are_findings():
    text = card_md("acme__x", **{"Supported regions": "**US, EU**", "Model name ": "**Other**"})
    row, problems = row_of(text)
    assert row["extra"] == [{"key": "Supported regions", "value": "US, EU"}]
    assert row["model_name"] == "acme__x"
    assert [code for code, _ in problems] == ["duplicate-label"]


def test_a_value_nobody_understands_is_null_plus_a_finding():
    row, problems = row_of(card_md("acme__x", release_date="**sometime soon-ish**"))
    assert row["release_date"] is None and row["release_date_raw"] == "sometime soon-ish"
    assert [code for code, _ in problems] == ["unparsed-value"]


@pytest.mark.parametrize(
    ("path", "locale", "expected"),
    [
        ("content/guides/box-ai/ai-models/x-model-card.md", "en", "box-ai/ai-models/x-model-card"),
        ("guides/box-ai/ai-models/x-model-card.md", "ja", "box-ai/ai-models/x-model-card"),
    ],
)
def test_card_id_is_the_same_in_every_locale(path, locale, expected):
    assert card_id_for(path, LOCALES[locale].guides_root) == expected


def snapshot(cards: dict[str, str], index: str | None, locale: str = "en"):
    folder = LOCALES[locale].cards_folder
    parsed = tuple((folder + name, parse_card(text)) for name, text in cards.items())
    tiles: list[Tile] | None = parse_index(index) if index is not None else None
    rows, findings = normalize_snapshot(
        LOCALES[locale], "c0ffee", AT, ParsedFolder(parsed, folder + "index.md" if index else None, tiles)
    )
    to_table(rows, MODELS)  # every row fits the contract schema
    return {r["api_name"]: r for r in rows}, [(f.code, f.card_id) for f in findings]


def test_tile_matched_by_title_ignoring_case_dots_and_dashes():
    rows, findings = snapshot(
        {"x-model-card.md": card_md("Acme__X_4.1-mini")},
        index_md(
            {
                "Core Box AI Models": [
                    tile_md(
                        "acme__x_4_1_mini",
                        card_href("x-model-card"),
                        "X.",
                        ["Chat", "Available", "Standard", "FedRAMP Moderate"],
                    )
                ]
            }
        ),
    )
    row = rows["Acme__X_4.1-mini"]
    assert row["tile_api_name"] == "acme__x_4_1_mini"
    assert row["compliance"] == ["FedRAMP Moderate"]
    assert findings == []


def test_tile_with_a_misspelled_title_falls_back_to_its_link():
    rows, findings = snapshot(
        {"x-model-card.md": card_md("acme__x_v2")},
        index_md({"Models": [tile_md("acme__x_2", card_href("x-model-card"), "X.", ["Chat"])]}),
    )
    assert rows["acme__x_v2"]["tile_api_name"] == "acme__x_2"
    assert findings == [("tile-title-mismatch", "box-ai/ai-models/x-model-card")]


def test_tile_without_card_and_card_without_tile_are_findings():
    rows, findings = snapshot(
        {"x-model-card.md": card_md("acme__x")},
        index_md({"Models": [tile_md("acme__ghost", card_href("ghost-model-card"), "Gone.", ["Chat"])]}),
    )
    assert rows["acme__x"]["tile_api_name"] is None and rows["acme__x"]["badges"] == []
    assert sorted(code for code, _ in findings) == ["card-without-tile", "tile-without-card"]


def test_deprecation_pill_in_japanese_gives_the_date():
    rows, _ = snapshot(
        {"x-model-card.md": card_md("acme__x", locale="ja")},
        index_md(
            {
                "廃止されたモデル": [
                    tile_md(
                        "acme__x",
                        card_href("x-model-card"),
                        "古いモデル。",
                        ["日本時間2025年1月9日に廃止"],
                        spaced=True,
                    )
                ]
            },
            spaced=True,
        ),
        locale="ja",
    )
    row = rows["acme__x"]
    assert row["availability"] == ["deprecated"]
    assert row["deprecated_on"] == date(2025, 1, 9)
    assert row["index_section"] == "廃止されたモデル" and row["access_level"] is None


def test_unreadable_card_is_an_error_finding_and_left_out():
    folder = LOCALES["en"].cards_folder
    error = CardParseError(folder + "bad.md", "abc", "details-table-missing", "has no details table")
    parsed = ((folder + "bad.md", error), (folder + "x-model-card.md", parse_card(card_md("acme__x"))))
    rows, findings = normalize_snapshot(LOCALES["en"], "c0ffee", AT, ParsedFolder(parsed, None, None))
    assert [r["api_name"] for r in rows] == ["acme__x"]
    assert [(f.code, f.severity, f.card_id) for f in findings] == [
        ("details-table-missing", "error", "box-ai/ai-models/bad"),
        ("index-missing", "warning", None),
    ]


# -- no single card can crash a run ------------------------------------------------------------


def test_a_token_count_beyond_int64_is_null_plus_a_finding_and_the_row_fits_the_schema():
    """`999,999,999,999,999m tokens` once raised OverflowError when the models table was built."""
    rows, findings = snapshot(
        {"x-model-card.md": card_md("acme__x", input_context_tokens="**999,999,999,999,999m tokens**")}, None
    )
    row = rows["acme__x"]
    assert row["input_context_tokens"] is None
    assert row["input_context_tokens_raw"] == "999,999,999,999,999m tokens"
    assert ("unparsed-value", "box-ai/ai-models/x-model-card") in findings


def test_a_card_whose_normalization_fails_is_an_error_finding_and_left_out():
    """A card in a shape no parser produces (a value that is not text) must not end the run."""
    folder = LOCALES["en"].cards_folder
    broken = dataclasses.replace(parse_card(card_md("acme__bad")), tables=((("Input context window", 128_000),),))
    parsed = ((folder + "bad.md", broken), (folder + "x-model-card.md", parse_card(card_md("acme__x"))))
    cache = NormalizeCache()
    for _ in range(2):  # the second snapshot gets the failure from the cache, with the same finding
        rows, findings = normalize_snapshot(LOCALES["en"], "c0ffee", AT, ParsedFolder(parsed, None, None), cache=cache)
        assert [r["api_name"] for r in rows] == ["acme__x"]
        failed = [f for f in findings if f.code == "normalize-failed"]
        assert [(f.severity, f.card_id) for f in failed] == [("error", "box-ai/ai-models/bad")]
        assert failed[0].message.startswith("Card cannot be normalized: TypeError: ")
        to_table(rows, MODELS)


def test_a_tile_whose_columns_fail_is_an_error_finding_and_the_card_keeps_its_row():
    folder = LOCALES["en"].cards_folder
    parsed = ((folder + "x-model-card.md", parse_card(card_md("acme__x"))),)
    tile = Tile("acme__x", card_href("x-model-card"), "X.", "Models", None, 1)  # pills that are not a tuple
    rows, findings = normalize_snapshot(LOCALES["en"], "c0ffee", AT, ParsedFolder(parsed, folder + "index.md", [tile]))
    assert [r["api_name"] for r in rows] == ["acme__x"] and rows[0]["tile_api_name"] is None
    # The index's markup cannot be learned from it either; its other tiles would still be read by their words.
    assert [(f.code, f.severity) for f in findings] == [
        ("index-normalize-failed", "error"),
        ("tile-normalize-failed", "error"),
    ]


# -- labels by meaning -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "field", "inferred"),
    [
        ("Input context window", "input_context_tokens", False),
        ("入力コンテキストウィンドウ", "input_context_tokens", False),
        ("Input context window:", "input_context_tokens", False),
        ("Input context window (tokens)", "input_context_tokens", True),
        ("Context window (tokens)", "input_context_tokens", True),
        ("最大出力トークン数（トークン）", "max_output_tokens", True),
        ("Release date (GA)", "release_date", True),
        ("リリース日（日本時間）", "release_date", True),
        ("Release date*", "release_date", True),
        ("Max output", "max_output_tokens", True),
        ("Output token limit", "max_output_tokens", True),
        ("Maximum output length", "max_output_tokens", True),
        ("出力上限", "max_output_tokens", True),
        ("最大出力", "max_output_tokens", True),
        ("Context size", "input_context_tokens", True),
        ("Context window size", "input_context_tokens", True),
        ("Max input tokens", "input_context_tokens", True),
        ("コンテキストサイズ", "input_context_tokens", True),
        ("Knowledge cut-off", "knowledge_cutoff", True),
        ("Training data cutoff", "knowledge_cutoff", True),
        ("Training cutoff", "knowledge_cutoff", True),
        ("学習データのカットオフ", "knowledge_cutoff", True),
        ("知識のカットオフ", "knowledge_cutoff", True),
        ("Launch date", "release_date", True),
        ("Released", "release_date", True),
        ("Release", "release_date", True),
        ("公開日", "release_date", True),
        ("発表日", "release_date", True),
        ("Vendor", "provider", True),
        ("Developer", "provider", True),
        ("提供元", "provider", True),
        ("開発元", "provider", True),
        ("Hosted by", "hosting_layer", True),
        ("Hosting", "hosting_layer", True),
        ("Hosting provider", "hosting_layer", True),  # hosting before provider
        ("Cloud provider", "hosting_layer", True),
        ("Model ID", "api_name", True),
        ("モデルID", "api_name", True),
        ("API identifier", "api_name", True),
        ("API name", "api_name", False),
        ("API model name", "api_name", False),  # not the model name
        ("Model name", "model_name", False),
        ("Throughput (tokens/s)", "throughput", True),
        ("Speed", "throughput", True),
        ("Output tokens per second", "throughput", True),  # a speed, not an output limit
        ("IP indemnification", "ip_infringement_protection", True),
        ("Category", "category", False),
        ("Tier", "category", True),
        # nothing known, or too ambiguous to place: stays in extra
        ("Open weights", None, False),  # a weaker claim than open source
        ("Open source license", None, False),
        ("Max tokens", None, False),  # input or output?
        ("Input/output tokens", None, False),
        ("Release notes", None, False),
        ("Latency", None, False),
        ("Supported regions", None, False),
        ("対応リージョン", None, False),
        ("Training data (up to)", "knowledge_cutoff", True),
        ("モデルの名前", "model_name", True),
        ("OSS", "open_source", True),
        ("出力トークンの最大数（1リクエストあたり）", "max_output_tokens", True),
        # a remark that could change the value holds the label back
        ("Max output (in 1000s)", None, False),
        ("Context window (K tokens)", None, False),
        ("最大出力トークン数（千トークン）", None, False),
        ("Release date (estimated)", None, False),
    ],
)
def test_field_for_label(label, field, inferred):
    assert field_for_label(label) == (field, inferred)


@pytest.mark.parametrize(
    ("label", "value", "column", "expected"),
    [
        ("Max output", "**8k tokens**", "max_output_tokens", 8_000),
        ("出力上限", "8,000トークン", "max_output_tokens", 8_000),
        ("Training data cutoff", "June 2024", "knowledge_cutoff", date(2024, 6, 1)),
        ("知識のカットオフ", "2024年6月", "knowledge_cutoff", date(2024, 6, 1)),
        ("Throughput (tokens/s)", "163 - 300", "throughput_tps_high", 300.0),
        ("提供元", "Example AI", "provider", "Example AI"),
    ],
)
def test_a_label_read_by_meaning_fills_its_field_and_is_reported(label, value, column, expected):
    field = field_for_label(label)[0]
    row, problems = row_of(card_md("acme__x", **{field: None, label: value}))
    assert row[column] == expected
    assert row["extra"] == []
    assert [code for code, _ in problems] == ["label-by-synonym"]
    assert label in problems[0][1] and field in problems[0][1]


def test_a_known_label_beats_one_read_by_meaning_which_stays_in_extra():
    row, problems = row_of(card_md("acme__x", **{"Launch date": "May 2025"}))
    assert row["release_date"] == date(2025, 4, 14)  # the card's own "Release date"
    assert row["extra"] == [{"key": "Launch date", "value": "May 2025"}]
    assert [code for code, _ in problems] == ["duplicate-label"]


def test_a_label_whose_remark_could_change_the_value_stays_in_extra_and_is_reported():
    row, problems = row_of(card_md("acme__x", input_context_tokens=None, **{"Context window (K tokens)": "128"}))
    assert row["input_context_tokens"] is None
    assert row["extra"] == [{"key": "Context window (K tokens)", "value": "128"}]
    assert [code for code, _ in problems] == ["label-remark-unread"]


def test_a_known_label_picks_the_details_table_before_a_label_read_by_meaning():
    text = (
        "# Acme X\n\nIntro.\n\n| Benchmark | Speed |\n|---|---|\n| Speed | 9 |\n\n"
        "| Item | Value |\n|---|---|\n| API model name | `acme__x` |\n"
    )
    assert details_rows(parse_card(text)) == (("API model name", "acme__x"),)
    only_synonyms = (
        "# Acme X\n\nIntro.\n\n| Key | Value |\n|---|---|\n| colour | blue |\n\n"
        "| Key | Value |\n|---|---|\n| Vendor | Acme |\n"
    )
    assert details_rows(parse_card(only_synonyms)) == (("Vendor", "Acme"),)


def test_compliance_pills_land_in_compliance_and_inferences_are_findings():
    colours = {"FedRAMP High": "#d4e8ff", "Acme Shield": "#d4e8ff", "Limited preview": "#fffbf3"}
    pills = ["Chat model", "Limited preview", "Premium", "FedRAMP High", "DOD IL5", "HIPAA準拠", "Acme Shield"]
    rows, findings = snapshot(
        {"x-model-card.md": card_md("acme__x", category="Premium")},
        index_md({"Models": [tile_md("acme__x", card_href("x-model-card"), "X.", pills, colours=colours)]}),
    )
    row = rows["acme__x"]
    assert row["compliance"] == ["FedRAMP High", "DOD IL5", "HIPAA準拠", "Acme Shield"]
    assert (row["availability"], row["capabilities"], row["tier"]) == (["preview"], ["chat"], "premium")
    assert row["badges"] == pills
    assert findings == [
        ("pill-by-head-word", "box-ai/ai-models/x-model-card"),
        ("pill-by-head-word", "box-ai/ai-models/x-model-card"),
        ("pill-by-markup", "box-ai/ai-models/x-model-card"),
    ]


def test_japanese_pills_through_a_snapshot():
    pills = ["チャット", "パブリックプレビュー", "スタンダード", "ISMAP", "FedRAMP High認証", "2025年1月9日に廃止予定"]
    rows, findings = snapshot(
        {"x-model-card.md": card_md("acme__x", locale="ja")},
        index_md(
            {"モデル": [tile_md("acme__x", card_href("x-model-card"), "モデル。", pills, spaced=True)]}, spaced=True
        ),
        locale="ja",
    )
    row = rows["acme__x"]
    assert row["compliance"] == ["ISMAP", "FedRAMP High認証"]
    assert (row["availability"], row["deprecated_on"], row["tier"]) == (
        ["preview", "deprecated"],
        date(2025, 1, 9),
        "standard",
    )
    assert [code for code, _ in findings] == ["pill-by-head-word", "pill-by-head-word"]


def test_markup_learned_in_one_index_version_is_never_used_in_another():
    from transform.normalize import NormalizeCache

    folder = LOCALES["en"].cards_folder
    cards = ((folder + "x-model-card.md", parse_card(card_md("acme__x"))),)
    colours = {"FedRAMP High": "#d4e8ff", "Acme Shield": "#d4e8ff"}
    older = index_md(
        {"Models": [tile_md("acme__x", card_href("x-model-card"), "X.", ["FedRAMP High"], colours=colours)]}
    )
    newer = index_md(
        {"Models": [tile_md("acme__x", card_href("x-model-card"), "X.", ["Acme Shield"], colours=colours)]}
    )
    cache = NormalizeCache()
    results = []
    for index in (older, newer):
        rows, findings = normalize_snapshot(
            LOCALES["en"], "c0ffee", AT, ParsedFolder(cards, folder + "index.md", parse_index(index)), cache=cache
        )
        results.append((rows[0]["compliance"], [f.code for f in findings]))
    assert results == [(["FedRAMP High"], []), ([], ["unknown-pill"])]


def test_markup_evidence_is_learned_once_per_index_version():
    from transform.normalize import NormalizeCache

    folder = LOCALES["en"].cards_folder
    cards = ((folder + "x-model-card.md", parse_card(card_md("acme__x"))),)
    tiles = parse_index(index_md({"Models": [tile_md("acme__x", card_href("x-model-card"), "X.", ["Chat"])]}))
    cache = NormalizeCache()
    for _ in range(3):
        normalize_snapshot(LOCALES["en"], "c0ffee", AT, ParsedFolder(cards, folder + "index.md", tiles), cache=cache)
    assert cache.markup(tiles) is cache.markup(tiles)
    assert cache.markup(list(tiles)) is not cache.markup(tiles)  # another version (list) learns its own
