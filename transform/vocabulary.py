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

# Labels read by meaning (transform/labels.py), for wordings FIELD_LABELS does not list.
# Whole labels that mean a field (after any safe remark in parentheses is dropped):
LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "model_name": ("name", "model", "display name", "model display name", "モデル", "名前", "名称", "表示名"),
    "api_name": ("api", "id", "identifier", "model id", "model identifier", "model string", "モデルid", "識別子"),
    "category": ("tier", "model tier", "ティア", "区分"),
    "hosting_layer": ("hosting", "host", "ホスティング", "ホスト"),
    "provider": ("vendor", "developer", "developed by", "made by", "maker", "creator", "company"),
    "release_date": ("release", "released", "launch", "launched", "ga", "ga date", "available since"),
    "open_source": ("open-source", "open source model", "オープンソースモデル"),
}
# Keyword rules, tried in order: a rule places a label when, for every group, one of its
# words is in the label, and none of its `unless` words is. The order settles the
# ambiguous ones: "Output tokens per second" is a speed before it is an output limit,
# "Hosting provider" a hosting layer before a provider, "API model name" an API name
# before a model name; a label matching input and output words matches neither.
LabelRule = tuple[str, tuple[tuple[str, ...], ...], tuple[str, ...]]
_LIMIT_WORDS = ("max", "maximum", "limit", "length", "size", "tokens", "token", "window")
_LIMIT_WORDS_JA = ("最大", "上限", "トークン", "長", "サイズ", "ウィンドウ")
LABEL_RULES: tuple[LabelRule, ...] = (
    (
        "throughput",
        (
            (
                "throughput",
                "speed",
                "tokens per second",
                "tokens/s",
                "tokens/sec",
                "tok/s",
                "tps",
                "per second",
                "スループット",
                "速度",
                "毎秒",
                "秒間",
                "/秒",
            ),
        ),
        ("latency", "レイテンシ"),
    ),
    ("knowledge_cutoff", (("cutoff", "cut-off", "cut off", "カットオフ"),), ()),
    (
        "knowledge_cutoff",
        (
            ("knowledge", "training data", "ナレッジ", "知識", "学習データ", "トレーニングデータ"),
            ("date", "as of", "through", "until", "日", "時点", "期限", "まで"),
        ),
        (),
    ),
    (
        "max_output_tokens",
        (("output", "completion", "出力", "生成"), (*_LIMIT_WORDS, *_LIMIT_WORDS_JA)),
        ("input", "context", "入力", "コンテキスト"),
    ),
    ("input_context_tokens", (("context", "コンテキスト"),), ("output", "出力")),
    (
        "input_context_tokens",
        (("input", "入力"), (*_LIMIT_WORDS, *_LIMIT_WORDS_JA)),
        ("output", "出力"),
    ),
    (
        "ip_infringement_protection",
        (("indemnification", "indemnity", "infringement", "ip protection", "知的財産", "補償"),),
        (),
    ),
    ("hosting_layer", (("hosting", "hosted", "cloud", "ホスティング", "ホスト", "クラウド"),), ()),
    (
        "provider",
        (
            (
                "provider",
                "vendor",
                "developer",
                "developed by",
                "maker",
                "creator",
                "publisher",
                "提供元",
                "開発元",
                "開発者",
                "開発会社",
                "提供者",
                "プロバイダ",
                "ベンダー",
                "メーカー",
            ),
        ),
        (),
    ),
    (
        "release_date",
        (
            (
                "release",
                "released",
                "launch",
                "launched",
                "availability date",
                "available since",
                "ga date",
                "リリース",
                "公開",
                "発表",
                "提供開始",
                "発売",
            ),
        ),
        ("notes", "note", "status", "stage", "channel", "version", "ノート", "ステータス", "バージョン"),
    ),
    (
        "api_name",
        (
            ("api", "id", "identifier", "識別子"),
            ("name", "id", "identifier", "model", "string", "名", "モデル", "識別子"),
        ),
        (),
    ),
    ("category", (("category", "tier", "カテゴリ", "区分", "ティア"),), ()),
    ("open_source", (("open source", "open-source", "オープンソース"),), ("license", "licence", "ライセンス")),
    ("model_name", (("model name", "モデル名"),), ()),
)
# A remark in a label's parentheses is dropped ("Input context window (tokens)") unless it
# could change the value: a figure, a multiplier ("(K tokens)", "（千トークン）") or an
# approximation word. Such a label is kept in `extra` and reported, not guessed.
LABEL_REMARK_HOLD_WORDS: tuple[str, ...] = (
    "k",
    "thousand",
    "thousands",
    "m",
    "mn",
    "million",
    "millions",
    "b",
    "bn",
    "billion",
    "billions",
    "千",
    "万",
    "百万",
    "億",
)

# A value that says there is no value. Compared against the folded value's start,
# so "Not specified, similar models offer ..." is null too.
NULL_WORDS: tuple[str, ...] = (
    "not specified",
    "not applicable",
    "not provided",
    "not available",
    "not disclosed",
    "unspecified",
    "not publicly disclosed",
    "not announced",
    "not published",
    "undisclosed",
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
    "未公開",
    "未発表",
    "記載なし",
    "情報なし",
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
    "他モデル",
    "同等のモデル",
    "同様のモデル",
)

TRUE_WORDS: tuple[str, ...] = ("yes", "true", "はい")
FALSE_WORDS: tuple[str, ...] = ("no", "false", "いいえ")

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "standard": ("standard", "標準"),
    "premium": ("premium", "プレミアム"),
}

# Token units written after a figure: multiplier by unit word ("128k", "1.05 million").
# Japanese numerals (万, 億, 千, "12万8000") are read with JA_BIG_UNITS / JA_SMALL_UNITS.
TOKEN_UNITS: dict[str, int] = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
# Japanese numerals: a big unit closes a group of up to four digits ("12万8000" = 128,000),
# a small unit a digit inside one ("8千" = 8,000). Kanji digits are read too ("百万", "十二万").
JA_BIG_UNITS: dict[str, int] = {"万": 10**4, "億": 10**8, "兆": 10**12}
JA_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1_000}
KANJI_DIGITS: dict[str, int] = {digit: number for number, digit in enumerate("〇一二三四五六七八九")}

# Words that say a figure is approximate: allowed before or after a token count or a
# throughput; in a date they make the next coarser unit the certain one (APPROXIMATE_WORDS).
FIGURE_APPROXIMATE_WORDS: tuple[str, ...] = (
    "estimated",
    "est.",
    "approximately",
    "approx.",
    "approx",
    "about",
    "around",
    "roughly",
    "circa",
    "ca.",
    "~",
    "≈",
    "推定",
    "約",
    "およそ",
    "おおよそ",
    "程度",
    "前後",
    "くらい",
    "ぐらい",
    "ほど",
)
# Words allowed around a token count: "up to 128k tokens", "最大128,000トークン". A bound
# is the figure of a window or a limit, so "up to" is fine here.
TOKEN_PREFIX_WORDS: tuple[str, ...] = (
    "up to",
    "maximum",
    "max.",
    "max",
    "最大",
    "最大で",
    "上限",
    *FIGURE_APPROXIMATE_WORDS,
)
TOKEN_SUFFIX_WORDS: tuple[str, ...] = ("tokens", "token", "tok", "トークン", "まで", *FIGURE_APPROXIMATE_WORDS)
# Words allowed around a throughput figure or range. "up to" / 最大 are left out on
# purpose: a bound is not a figure, so it must not fill both ends.
THROUGHPUT_PREFIX_WORDS: tuple[str, ...] = (
    *FIGURE_APPROXIMATE_WORDS,
    "between",
    "1秒あたり",
    "1秒間あたり",
    "1秒間に",
    "秒間",
    "毎秒",
)
THROUGHPUT_SUFFIX_WORDS: tuple[str, ...] = (
    "tokens per second",
    "tokens a second",
    "tokens per sec",
    "tokens/second",
    "tokens/sec",
    "tokens/s",
    "token/s",
    "tok/sec",
    "tok/s",
    "t/s",
    "tps",
    "per second",
    "/sec",
    "/s",
    "tokens",
    "トークン/秒",
    "トークン/s",
    "トークン毎秒",
    "トークン",
    *FIGURE_APPROXIMATE_WORDS,
)
# Between the two ends of a range: "163 - 300", "163〜300", "between 163 and 300": every
# dash and wave the two languages type (NFKC has already made ～ a ~).
RANGE_SEPARATORS: tuple[str, ...] = ("-", "‐", "‒", "–", "—", "―", "−", "~", "〜", "to", "and", "から")
# Closes a range opened with から ("163から300まで"); after any other mark it would make a bound.
RANGE_UNTIL_WORDS: tuple[str, ...] = ("まで",)
RANGE_FROM_WORDS: tuple[str, ...] = ("から",)

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
    "始め",
    "はじめ",
    "初頭",
    "半ば",
    "なかば",
    "中ごろ",
    "終わり",
    "末",
)
APPROXIMATE_WORDS: tuple[str, ...] = (
    *FIGURE_APPROXIMATE_WORDS,
    "expected",
    "planned",
    "tentative",
    "c.",
    "予定",
    "予想",
    "見込み",
    "頃",
    "ごろ",
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
# Weekdays add nothing to a day but must agree with it: "Thursday, June 20, 2024",
# "2024年6月20日（木）". Monday is 0, as in datetime.date.weekday().
WEEKDAYS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon", "月曜日", "月曜"),
            ("tuesday", "tue", "tues", "火曜日", "火曜"),
            ("wednesday", "wed", "水曜日", "水曜"),
            ("thursday", "thu", "thur", "thurs", "木曜日", "木曜"),
            ("friday", "fri", "金曜日", "金曜"),
            ("saturday", "sat", "土曜日", "土曜"),
            ("sunday", "sun", "日曜日", "日曜"),
        )
    )
    for name in names
}
# A Japanese weekday in parentheses is one character: （木）.
WEEKDAY_MARKS = "月火水木金土日"
# Japanese eras: Western year = offset + era year (元年 is year 1), and the era's first and last day.
JAPANESE_ERAS: dict[str, tuple[int, tuple[int, int, int], tuple[int, int, int] | None]] = {
    "令和": (2018, (2019, 5, 1), None),
    "平成": (1988, (1989, 1, 8), (2019, 4, 30)),
    "昭和": (1925, (1926, 12, 25), (1989, 1, 7)),
}
FIRST_ERA_YEAR_WORDS: tuple[str, ...] = ("元",)
# Dates outside these years are typos or overflow, not a model's date (date32 holds far more).
DATE_YEARS: tuple[int, int] = (1900, 2200)

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
