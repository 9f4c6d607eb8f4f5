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
