import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transform.pills import PillFacts, classify_pills

NOTHING = PillFacts(
    availability=(),
    deprecated_on=None,
    tier=None,
    capabilities=(),
    compliance=(),
    default_for=(),
    badges=(),
    unknown=(),
)


def facts(pills, **fields):
    """The expected facts: badges are the pills whitespace-folded, everything else as given."""
    badges = tuple(" ".join(p.split()) for p in pills if p.strip())
    return PillFacts(**{**NOTHING.__dict__, "badges": badges, **fields})


@pytest.mark.parametrize(
    ("pills", "expected"),
    [
        (["Available"], {"availability": ("available",)}),
        (["利用可能"], {"availability": ("available",)}),
        (["Preview"], {"availability": ("preview",)}),
        (["プレビュー"], {"availability": ("preview",)}),
        (["Beta"], {"availability": ("beta",)}),
        (["ベータ"], {"availability": ("beta",)}),
        (["Deprecated"], {"availability": ("deprecated",)}),
        (["廃止"], {"availability": ("deprecated",)}),
        (["非推奨"], {"availability": ("deprecated",)}),
        (["Premium"], {"tier": "premium"}),
        (["プレミアム"], {"tier": "premium"}),
        (["Standard"], {"tier": "standard"}),
        (["標準"], {"tier": "standard"}),
        (["Chat"], {"capabilities": ("chat",)}),
        (["チャット"], {"capabilities": ("chat",)}),
        (["Embeddings"], {"capabilities": ("embeddings",)}),
        (["埋め込み"], {"capabilities": ("embeddings",)}),
        (["FedRAMP Moderate"], {"compliance": ("FedRAMP Moderate",)}),
        (["ISMAP"], {"compliance": ("ISMAP",)}),
        (["Default for Box AI for Docs"], {"default_for": ("Box AI for Docs",)}),
        (["Box AI for Hubsのデフォルト"], {"default_for": ("Box AI for Hubs",)}),
        (["Box AI for NotesのQ&Aのデフォルト"], {"default_for": ("Box AI for NotesのQ&A",)}),
    ],
)
def test_single_pill(pills, expected):
    assert classify_pills(pills) == facts(pills, **expected)


@pytest.mark.parametrize(
    ("pill", "day"),
    [
        ("Deprecated on 2025-01-09", datetime.date(2025, 1, 9)),
        ("deprecated   on\n 2025-01-09", datetime.date(2025, 1, 9)),
        ("Deprecated on January 9th, 2025", datetime.date(2025, 1, 9)),
        ("日本時間2025年1月9日に廃止", datetime.date(2025, 1, 9)),
        ("２０２５年１月９日に廃止", datetime.date(2025, 1, 9)),
        ("廃止日: 2025年01月09日", datetime.date(2025, 1, 9)),
        ("2025/1/9(木)に廃止", datetime.date(2025, 1, 9)),
        ("Deprecated on January 9, 2025 (US time)", datetime.date(2025, 1, 9)),
        ("非推奨（2025年1月9日）", datetime.date(2025, 1, 9)),
    ],
)
def test_deprecation_date(pill, day):
    assert classify_pills([pill]) == facts([pill], availability=("deprecated",), deprecated_on=day)


@pytest.mark.parametrize("pill", ["Deprecated on May 2025", "Deprecated soon-ish", "2025年中頃に廃止"])
def test_deprecation_without_a_day_is_reported(pill):
    assert classify_pills([pill]) == facts([pill], availability=("deprecated",), unknown=(pill,))


@pytest.mark.parametrize("pill", ["Default for", "Sparkly", "新機能", "Available soon", "のデフォルト"])
def test_unknown_pill(pill):
    assert classify_pills([pill]) == facts([pill], unknown=(pill,))


def test_real_english_tile():
    pills = ["Chat", "Available", "Premium", "Default for Box AI for Docs", "FedRAMP\n   Moderate"]
    assert classify_pills(pills) == PillFacts(
        availability=("available",),
        deprecated_on=None,
        tier="premium",
        capabilities=("chat",),
        compliance=("FedRAMP Moderate",),
        default_for=("Box AI for Docs",),
        badges=("Chat", "Available", "Premium", "Default for Box AI for Docs", "FedRAMP Moderate"),
        unknown=(),
    )


def test_real_japanese_tile():
    pills = ["チャット", "廃止", "日本時間2025年1月9日に廃止", "標準", "ISMAP", "Box AI Extractのデフォルト"]
    assert classify_pills(pills) == PillFacts(
        availability=("deprecated",),
        deprecated_on=datetime.date(2025, 1, 9),
        tier="standard",
        capabilities=("chat",),
        compliance=("ISMAP",),
        default_for=("Box AI Extract",),
        badges=tuple(pills),
        unknown=(),
    )


def test_lists_are_deduplicated_in_order_of_first_appearance():
    pills = ["Preview", "Chat", "Available", "preview", "プレビュー", "Embeddings", "チャット"]
    result = classify_pills(pills)
    assert result.availability == ("preview", "available")
    assert result.capabilities == ("chat", "embeddings")
    assert result.badges == tuple(pills)


@pytest.mark.parametrize(
    ("pills", "tier", "unknown"),
    [
        (["Premium", "プレミアム"], "premium", ()),
        (["Standard", "Premium"], "standard", ("Premium",)),
        (["標準", "プレミアム"], "standard", ("プレミアム",)),
    ],
)
def test_a_second_different_tier_is_reported(pills, tier, unknown):
    result = classify_pills(pills)
    assert (result.tier, result.unknown) == (tier, unknown)


def test_a_second_different_deprecation_date_is_reported():
    pills = ["Deprecated on 2025-01-09", "日本時間2025年1月9日に廃止", "Deprecated on 2025-02-01"]
    result = classify_pills(pills)
    assert result.deprecated_on == datetime.date(2025, 1, 9)
    assert result.unknown == ("Deprecated on 2025-02-01",)


def test_blank_pills_are_not_badges():
    assert classify_pills(["  ", "\n", "Chat"]) == facts(["Chat"], capabilities=("chat",))


def test_no_pills():
    assert classify_pills([]) == NOTHING


@given(st.lists(st.text(max_size=30), max_size=6))
def test_any_pills_are_accounted_for(pills):
    result = classify_pills(pills)
    assert result.badges == tuple(" ".join(p.split()) for p in pills if p.split())
    assert set(result.unknown) <= set(result.badges)


# Open-world reading ----------------------------------------------------------------------

from extract.index_tiles import parse_index  # noqa: E402
from tests.docs_repo import card_href, index_md, tile_md  # noqa: E402
from transform.pills import (  # noqa: E402
    BY_COMPLIANCE_FAMILY,
    BY_HEAD_WORD,
    BY_MARKUP,
    BY_SYNONYM,
    learn_markup,
    programme_form,
    read_pill,
)
from transform.tiles import tile_columns  # noqa: E402


def reading(pill):
    """(facts, inference code) of one pill by its text."""
    facts, inference = read_pill(pill)
    return facts, inference.code if inference else None


@pytest.mark.parametrize(
    ("pill", "slot", "value"),
    [
        ("Limited preview", "availability", "preview"),
        ("Public preview", "availability", "preview"),
        ("Private preview", "availability", "preview"),
        ("Preview (limited)", "availability", "preview"),
        ("Now in preview", "availability", "preview"),
        ("Available in public preview", "availability", "preview"),
        ("プレビューで利用可能", "availability", "preview"),
        ("To be deprecated", "availability", "deprecated"),
        ("提供終了予定", "availability", "deprecated"),
        ("Tier: Premium", "tier", "premium"),
        ("Now available", "availability", "available"),
        ("Generally available", "availability", "available"),
        ("Available now", "availability", "available"),
        ("Beta version", "availability", "beta"),
        ("Open beta", "availability", "beta"),
        ("Closed Beta", "availability", "beta"),
        ("限定プレビュー", "availability", "preview"),
        ("パブリックプレビュー", "availability", "preview"),
        ("プレビュー版", "availability", "preview"),
        ("ベータ版", "availability", "beta"),
        ("オープンベータ", "availability", "beta"),
        ("利用可能になりました", "availability", "available"),
        ("一般利用可能", "availability", "available"),
        ("廃止予定", "availability", "deprecated"),
        ("Deprecated soon", "availability", "deprecated"),
        ("まもなく廃止", "availability", "deprecated"),
        ("Premium tier", "tier", "premium"),
        ("Standard model", "tier", "standard"),
        ("標準モデル", "tier", "standard"),
        ("プレミアムモデル", "tier", "premium"),
        ("Chat model", "capabilities", "chat"),
        ("Text embeddings", "capabilities", "embeddings"),
        ("Embedding model", "capabilities", "embeddings"),
        ("チャットモデル", "capabilities", "chat"),
        ("テキスト埋め込み", "capabilities", "embeddings"),
    ],
)
def test_head_word_with_modifiers(pill, slot, value):
    assert reading(pill) == (((slot, value),), BY_HEAD_WORD)


@pytest.mark.parametrize(
    ("pill", "slot", "value"),
    [
        ("GA", "availability", "available"),
        ("General availability", "availability", "available"),
        ("一般提供", "availability", "available"),
        ("提供中", "availability", "available"),
        ("Early access", "availability", "preview"),
        ("Limited early access", "availability", "preview"),
        ("早期アクセス", "availability", "preview"),
        ("Experimental", "availability", "beta"),
        ("実験的", "availability", "beta"),
        ("Sunset", "availability", "deprecated"),
        ("Retiring", "availability", "deprecated"),
        ("Retiring soon", "availability", "deprecated"),
        ("Scheduled for deprecation", "availability", "deprecated"),
        ("End of life", "availability", "deprecated"),
        ("End-of-life", "availability", "deprecated"),
        ("EOL", "availability", "deprecated"),
        ("サポート終了", "availability", "deprecated"),
        ("Std", "tier", "standard"),
        ("エンベディング", "capabilities", "embeddings"),
        ("Chat completions", "capabilities", "chat"),
    ],
)
def test_synonym(pill, slot, value):
    assert reading(pill) == (((slot, value),), BY_SYNONYM)


@pytest.mark.parametrize(
    ("pill", "code"),
    [
        ("Deprecated on 2025-01-09", None),
        ("Deprecated: Jan 9, 2025", None),
        ("非推奨（2025年1月9日）", None),
        ("廃止 2025/01/09", None),
        ("Deprecation date: 2025-01-09", BY_SYNONYM),
        ("Retiring 2025-01-09", BY_SYNONYM),
        ("EOL: January 9, 2025", BY_SYNONYM),
        ("Sunset after 2025-01-09", BY_SYNONYM),
        ("サポート終了日 2025年1月9日", BY_SYNONYM),
        ("2025年1月9日に廃止予定", BY_HEAD_WORD),
        ("2025年1月9日をもって提供終了", None),
        ("Deprecating on 2025-01-09", BY_SYNONYM),
        ("Scheduled deprecation on 2025-01-09", BY_SYNONYM),
    ],
)
def test_deprecation_date_in_more_forms(pill, code):
    facts, found = reading(pill)
    assert facts == (("availability", "deprecated"), ("deprecated_on", datetime.date(2025, 1, 9)))
    assert found == code


@pytest.mark.parametrize(
    "pill",
    [
        "Available soon",
        "Coming soon",
        "Not available",
        "Preview ended",
        "まもなく利用可能",
        "利用不可",
        "Legacy",  # a legacy model may still be available
        "Sunset Boulevard",  # a synonym among other words is no deprecation
        "Multimodal",
        "Preview beta",  # two values: neither
        "Available in FedRAMP",
        "Limited",
        "x" * 90 + " preview",  # long text is no label
    ],
)
def test_what_no_rule_reads_stays_unknown(pill):
    assert reading(pill) == ((("unknown", pill),), None)


def test_a_synonym_with_a_vague_date_is_read_and_its_date_reported():
    assert reading("Sunset in May 2025") == (
        (("availability", "deprecated"), ("unknown", "Sunset in May 2025")),
        BY_SYNONYM,
    )


@pytest.mark.parametrize(
    "pill",
    [
        "FedRAMP High",
        "FedRAMP-High",
        "fedramp   high",
        "ＦｅｄＲＡＭＰ Ｍｏｄｅｒａｔｅ",
        "FedRAMP LI-SaaS",
        "FedRAMP 20x Low",
        "DoD IL2",
        "DOD IL5",
        "DoD SRG IL4",
        "IL 5",
        "IL6",
        "StateRAMP Moderate",
        "GovRAMP",
        "GovRAMP Low+ Provisionally Authorized",
        "StateRAMP Core",
        "TX-RAMP Level 2",
        "CJIS",
        "ITAR",
        "IRS 1075",
        "NIST SP 800-171",
        "NIST 800-53 Rev 5",
        "CMMC Level 2",
        "CMMC 2.0 Level 3",
        "FIPS 140-3",
        "FIPS 140-2 Level 1",
        "HIPAA",
        "HIPAA & HITECH",
        "HITRUST r2",
        "FERPA",
        "CCPA",
        "Section 508",
        "VPAT",
        "ISMAP",
        "ISMAP-LIU",
        "C5:2020 Type 2",
        "IRAP PROTECTED",
        "ENS Alta",
        "ENS High",
        "HDS",
        "SecNumCloud",
        "G-Cloud 14",
        "Cyber Essentials Plus",
        "Cyber Essentials+",
        "MTCS Level 3",
        "K-ISMS",
        "ISMS-P",
        "PDPA",
        "APPI",
        "PIPEDA",
        "LGPD",
        "GDPR",
        "DORA",
        "NIS2",
        "EU Cloud Code of Conduct",
        "CSA STAR Level 2",
        "TISAX AL3",
        "FISC",
        "ISO27001",
        "ISO/IEC 27001:2022",
        "ISO 27017, ISO 27018",
        "ISO/IEC 42001",
        "SOC2 Type II",
        "SOC 1 Type 2",
        "SOC 3",
        "PCI DSS Level 1",
        "PCI-DSS v4.0",
        "GxP",
        "21 CFR Part 11",
        # Japanese suffixes and names
        "HIPAA準拠",
        "FedRAMP High認証",
        "ISO 27001認証取得済み",
        "SOC 2 Type 2 に準拠",
        "ISMAP登録済み",
        "プライバシーマーク取得",
        "個人情報保護法に対応",
        "3省2ガイドライン準拠",
        # English suffixes
        "SOC 2 Type II certified",
        "HIPAA compliant",
        "FIPS 140-2 validated",
    ],
)
def test_listed_compliance_programmes_are_read_as_written(pill):
    assert reading(pill) == ((("compliance", pill),), None)


@pytest.mark.parametrize(
    "pill",
    ["FedRAMP Rev5 Agency Pilot", "DoD IL7", "ISO 99999", "SOC for Supply Chain", "ISMAP クラウド", "PCI Something"],
)
def test_a_programme_family_with_an_unlisted_level_is_read_and_reported(pill):
    assert reading(pill) == ((("compliance", pill),), BY_COMPLIANCE_FAMILY)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("FedRAMP-High", "fedramp high"),
        ("SOC2 Type II", "soc 2 type ii"),
        ("ISO/IEC 27001:2022", "iso iec 27001 2022"),
        ("IL5", "il 5"),
        ("Cyber Essentials+", "cyber essentials plus"),
        ("ＨＩＰＡＡ準拠", "hipaa 準拠"),
    ],
)
def test_programme_names_fold_case_width_hyphens_and_spacing(a, b):
    assert programme_form(a) == b


@pytest.mark.parametrize("pill", ["Ensemble", "Early bird", "Socket", "Isometric", "Dodge"])
def test_programme_names_match_whole_words_only(pill):
    assert reading(pill) == ((("unknown", pill),), None)


def test_inferred_placements_are_listed_once_and_lists_stay_deduplicated():
    result = classify_pills(["GA", "Available", "GA", "Limited preview", "DoD IL5"])
    assert result.availability == ("available", "preview")
    assert result.compliance == ("DoD IL5",)
    assert [(i.code, i.pill, i.slot, i.value) for i in result.inferred] == [
        (BY_SYNONYM, "GA", "availability", "available"),
        (BY_HEAD_WORD, "Limited preview", "availability", "preview"),
    ]
    assert result.inferred[0].message() == "Tile pill 'GA' is read as availability 'available' by the synonym 'ga'."


def test_an_inferred_tier_that_conflicts_is_reported_not_inferred():
    result = classify_pills(["Standard", "Premium tier"])
    assert (result.tier, result.unknown, result.inferred) == ("standard", ("Premium tier",), ())


# Markup within one index version ---------------------------------------------------------

FEDRAMP_BLUE = "#d4e8ff"
STATUS_GREEN = "#e1ffe7"


def one_index(*tiles_pills, colours):
    """Tiles of one index version, each with its pills, coloured by `colours` (default grey)."""
    tiles = [
        tile_md(f"acme__m{i}", card_href(f"m{i}-model-card"), "A model.", list(pills), colours=colours)
        for i, pills in enumerate(tiles_pills)
    ]
    return parse_index(index_md({"Models": tiles}))


def pills_of(tiles, evidence):
    """(compliance, unknown pills, codes) of the last tile, read with the given evidence."""
    columns, problems = tile_columns(tiles[-1], evidence)
    return columns["compliance"], [code for code, _ in problems]


def test_a_new_programme_styled_like_a_compliance_pill_joins_compliance():
    colours = {"FedRAMP High": FEDRAMP_BLUE, "Acme Shield": FEDRAMP_BLUE, "Available": STATUS_GREEN}
    tiles = one_index(["Chat", "Available", "FedRAMP High"], ["Chat", "Available", "Acme Shield"], colours=colours)
    evidence = learn_markup(tiles)
    columns, problems = tile_columns(tiles[-1], evidence)
    assert columns["compliance"] == ["Acme Shield"]
    assert columns["badges"] == ["Chat", "Available", "Acme Shield"]
    assert problems == (
        (
            BY_MARKUP,
            "Tile pill 'Acme Shield' is read as compliance by its markup, "
            "that of this index's compliance pills ('FedRAMP High').",
        ),
    )


def test_the_same_pill_where_compliance_pills_look_different_stays_unknown():
    colours = {"FedRAMP High": FEDRAMP_BLUE, "Acme Shield": "#ffeedd", "Available": STATUS_GREEN}
    tiles = one_index(["Chat", "Available", "FedRAMP High"], ["Chat", "Available", "Acme Shield"], colours=colours)
    assert pills_of(tiles, learn_markup(tiles)) == ([], ["unknown-pill"])


def test_a_colour_shared_by_two_slots_places_nothing():
    # As in the real index, where "Chat" shares its grey with the "Default for ..." pills.
    colours = {"FedRAMP High": FEDRAMP_BLUE, "Premium": FEDRAMP_BLUE, "Acme Shield": FEDRAMP_BLUE}
    tiles = one_index(["Chat", "Premium", "FedRAMP High"], ["Chat", "Acme Shield"], colours=colours)
    assert learn_markup(tiles).slot_of(tiles[0].pill_markup[2]) is None
    assert pills_of(tiles, learn_markup(tiles)) == ([], ["unknown-pill"])


def test_markup_alone_gives_no_enum_value_but_says_what_the_pill_looks_like():
    colours = {"Available": STATUS_GREEN, "Preview": STATUS_GREEN, "Shipping": STATUS_GREEN}
    tiles = one_index(["Chat", "Available"], ["Preview"], ["Chat", "Shipping"], colours=colours)
    columns, problems = tile_columns(tiles[-1], learn_markup(tiles))
    assert columns["availability"] == []
    assert problems == (
        (
            "unknown-pill",
            "Tile pill 'Shipping' is not a known status, tier or capability; "
            "it is styled like this index's availability pills, but markup gives no value.",
        ),
    )


def test_no_evidence_no_markup_reading():
    colours = {"FedRAMP High": FEDRAMP_BLUE, "Acme Shield": FEDRAMP_BLUE}
    tiles = one_index(["FedRAMP High"], ["Acme Shield"], colours=colours)
    assert pills_of(tiles, None) == ([], ["unknown-pill"])


def test_evidence_is_learned_from_pills_placed_by_text_only():
    # Two unknown pills styled alike teach nothing: neither is placed by its text.
    colours = {"Acme Shield": FEDRAMP_BLUE, "Acme Guard": FEDRAMP_BLUE}
    tiles = one_index(["Acme Shield"], ["Acme Guard"], colours=colours)
    assert learn_markup(tiles).slots == {}
    assert pills_of(tiles, learn_markup(tiles)) == ([], ["unknown-pill"])


def test_deprecation_dates_teach_the_availability_slot():
    colours = {"Deprecated on 2025-01-09": "#999999", "Retired": "#999999"}
    tiles = one_index(["Deprecated on 2025-01-09"], ["Retired"], colours=colours)
    assert learn_markup(tiles).slot_of(tiles[0].pill_markup[0]) == "availability"


@given(
    st.lists(st.tuples(st.text(max_size=30), st.sampled_from(["a", "b", "c"])), max_size=6),
    st.lists(st.tuples(st.sampled_from(["FedRAMP High", "Chat", "Available", "Acme"]), st.sampled_from("abc"))),
)
def test_any_pills_with_markup_are_accounted_for(pills, known):
    class _Tile:
        def __init__(self, pairs):
            self.pills = tuple(p for p, _ in pairs)
            self.pill_markup = tuple(m for _, m in pairs)

    evidence = learn_markup([_Tile(known), _Tile(pills)])
    result = classify_pills([p for p, _ in pills], [m for _, m in pills], evidence)
    assert result.badges == tuple(" ".join(p.split()) for p, _ in pills if p.split())
    assert set(result.unknown) <= set(result.badges)
    assert {i.pill for i in result.inferred} <= set(result.badges)
    assert set(result.availability) <= {"available", "preview", "beta", "deprecated"}
    assert set(result.capabilities) <= {"chat", "embeddings"} and result.tier in (None, "standard", "premium")


@pytest.mark.parametrize(
    ("pill", "value"),
    [("Generally Available (GA)", "available"), ("一般提供（GA）", "available"), ("Available (GA)", "available")],
)
def test_a_remark_that_repeats_the_pill_is_read_with_it(pill, value):
    found = classify_pills([pill])
    assert (found.availability, found.unknown) == ((value,), ())
    assert [i.slot for i in found.inferred] == ["availability"]


def test_a_remark_that_says_something_else_leaves_the_pill_unknown():
    assert classify_pills(["Preview (GA)"]).unknown == ("Preview (GA)",)
