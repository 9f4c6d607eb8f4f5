"""Every English and Japanese word the catalog recognises, in one place.

Translations lag behind the English docs, so each entry lists both languages and
is used whatever the locale. Keys are compared after `fold_label` (NFKC, casefold,
whitespace folded, trailing colon dropped).
"""

from __future__ import annotations

import re
import unicodedata

# Table labels -> the models column they fill. "Context length" is an older label
# for the input context window.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "model_name": ("model name", "モデル名"),
    "category": ("model category", "category", "モデルのカテゴリ", "モデルカテゴリ", "カテゴリ"),
    "api_name": ("api model name", "api name", "apiモデル名", "api名"),
    "hosting_layer": ("hosting layer", "ホスティングレイヤー", "ホスティングレイヤ"),
    "provider": (
        "model provider",
        "provider",
        "モデルプロバイダ",
        "モデルプロバイダー",
        "プロバイダ",
        "プロバイダー",
    ),
    "release_date": ("release date", "リリース日"),
    "knowledge_cutoff": (
        "knowledge cutoff date",
        "knowledge cutoff",
        "ナレッジカットオフ日",
        "ナレッジカットオフ",
    ),
    "input_context_tokens": (
        "input context window",
        "context length",
        "context window",
        "入力コンテキストウィンドウ",
        "コンテキストウィンドウ",
        "コンテキスト長",
    ),
    "max_output_tokens": (
        "maximum output tokens",
        "max output tokens",
        "出力トークンの最大数",
        "最大出力トークン数",
        "最大出力トークン",
    ),
    "throughput": ("empirical throughput", "throughput", "経験に基づいたスループット", "スループット"),
    "open_source": ("open source", "オープンソース"),
    "ip_infringement_protection": ("ip infringement protection", "知的財産侵害からの保護"),
}

# A value that says there is no value. Compared against the folded value's start,
# so "Not specified, similar models offer ..." is null too.
NULL_WORDS: tuple[str, ...] = (
    "not specified",
    "not applicable",
    "not provided",
    "not available",
    "not disclosed",
    "unspecified",
    "unknown",
    "tbd",
    "tba",
    "n/a",
    "na",
    "none",
    "-",
    "—",
    "–",
    "指定なし",
    "該当なし",
    "不明",
    "未定",
    "非公開",
    "なし",
)

# Phrases that mark a figure as describing other models, not this one.
OTHER_MODEL_PHRASES: tuple[str, ...] = (
    "similar model",
    "other model",
    "comparable model",
    "類似のモデル",
    "類似モデル",
    "他のモデル",
)

TRUE_WORDS: tuple[str, ...] = ("yes", "true", "はい")
FALSE_WORDS: tuple[str, ...] = ("no", "false", "いいえ")

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "standard": ("standard", "標準"),
    "premium": ("premium", "プレミアム"),
}

# Token units: multiplier by unit word.
TOKEN_UNITS: dict[str, int] = {
    "k": 1_000,
    "thousand": 1_000,
    "千": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "百万": 1_000_000,
    "万": 10_000,
    "b": 1_000_000_000,
    "billion": 1_000_000_000,
    "億": 100_000_000,
    "千万": 10_000_000,
}
# Words allowed around a token count: "up to 128k tokens", "最大128,000トークン".
TOKEN_PREFIX_WORDS: tuple[str, ...] = (
    "up to",
    "maximum",
    "max",
    "最大",
    "about",
    "approximately",
    "approx",
    "around",
    "estimated",
    "~",
    "約",
)
TOKEN_SUFFIX_WORDS: tuple[str, ...] = ("tokens", "token", "トークン")
# Words allowed around a throughput figure or range. "up to" / 最大 are left out on
# purpose: a bound is not a figure, so it must not fill both ends.
THROUGHPUT_PREFIX_WORDS: tuple[str, ...] = (
    "estimated",
    "est.",
    "approximately",
    "approx.",
    "approx",
    "about",
    "around",
    "roughly",
    "~",
    "≈",
    "between",
    "推定",
    "約",
    "1秒あたり",
    "毎秒",
)
THROUGHPUT_SUFFIX_WORDS: tuple[str, ...] = (
    "tokens per second",
    "tokens/second",
    "tokens/sec",
    "tokens/s",
    "token/s",
    "tok/s",
    "t/s",
    "tps",
    "per second",
    "/s",
    "tokens",
    "トークン/秒",
    "トークン毎秒",
    "トークン",
    "程度",
)
# Between the two ends of a range: "163 - 300", "163〜300", "between 163 and 300".
RANGE_SEPARATORS: tuple[str, ...] = ("-", "–", "—", "~", "〜", "to", "and", "から")

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

# Qualifiers that place a date inside the stated unit ("middle of 2021"): the unit
# itself stays certain. Qualifiers that only approximate it ("around May 2024") make
# the next coarser unit the certain one.
PART_OF_WORDS: tuple[str, ...] = (
    "early",
    "mid",
    "middle",
    "late",
    "end",
    "beginning",
    "start",
    "first half",
    "second half",
    "上旬",
    "中旬",
    "下旬",
    "初旬",
    "中頃",
    "前半",
    "後半",
    "初め",
    "初頭",
    "末",
)
APPROXIMATE_WORDS: tuple[str, ...] = (
    "estimated",
    "expected",
    "est.",
    "推定",
    "予定",
    "around",
    "about",
    "approximately",
    "approx",
    "circa",
    "ca.",
    "~",
    "頃",
    "ごろ",
    "約",
)
# Periods finer than a year that are not a month: only the year is certain.
SUB_YEAR_PERIODS: tuple[str, ...] = (
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "first quarter",
    "second quarter",
    "third quarter",
    "fourth quarter",
    "quarter",
    "第1四半期",
    "第2四半期",
    "第3四半期",
    "第4四半期",
    "四半期",
    "上半期",
    "下半期",
    "summer",
    "winter",
    "spring",
    "fall",
    "autumn",
)
# Words that only join a date's parts ("the middle of 2021", "2024年の初め").
DATE_CONNECTOR_WORDS: tuple[str, ...] = ("of", "the", "in", "on", "by", "の")

# Tile pills, read by their text (pill colours changed over the history).
AVAILABILITY_PILLS: dict[str, tuple[str, ...]] = {
    "available": ("available", "利用可能"),
    "preview": ("preview", "プレビュー"),
    "beta": ("beta", "ベータ"),
    "deprecated": ("deprecated", "廃止", "非推奨", "retired", "提供終了"),
}
TIER_PILLS: dict[str, tuple[str, ...]] = CATEGORY_WORDS
CAPABILITY_PILLS: dict[str, tuple[str, ...]] = {
    "chat": ("chat", "チャット"),
    "embeddings": ("embeddings", "embedding", "埋め込み"),
}
# Around the date of a deprecation pill once its deprecation word is gone:
# "Deprecated on 2025-01-09", "日本時間2025年1月9日に廃止".
DEPRECATION_DATE_FILLERS: tuple[str, ...] = (
    "日本時間",
    "jst",
    "utc",
    "as of",
    "effective",
    "from",
    "に",
    "より",
    "から",
)
DEFAULT_FOR_PREFIXES: tuple[str, ...] = ("default for ",)
DEFAULT_FOR_SUFFIXES: tuple[str, ...] = ("のデフォルト", "のデフォルトモデル")
# Compliance programmes, matched as words at the start of a pill.
COMPLIANCE_PATTERN = re.compile(
    r"^(fedramp|ismap|hipaa|gxp|soc ?[123]|iso ?\d|irap|c5|pci|gdpr|itar|cjis|stateramp|tisax|k-isms|ens)\b",
)

# Index sections -> access level.
ACCESS_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "core": ("core", "コア"),
    "customer_enabled": ("customer-enabled", "customer enabled", "顧客"),
}


def fold_label(text: str) -> str:
    """Fold a label or value for comparison: width, case and spacing differ across edits."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = " ".join(folded.split())
    return folded.rstrip(":：").strip()


def label_fields() -> dict[str, str]:
    """Map each folded label to its field name."""
    return {fold_label(label): field for field, labels in FIELD_LABELS.items() for label in labels}
