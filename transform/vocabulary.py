"""Every English and Japanese word the catalog recognises, in one place.

Translations lag behind the English docs, so each entry lists both languages and
is used whatever the locale. Keys are compared after `fold_label` (NFKC, casefold,
whitespace folded, trailing colon dropped).
"""

from __future__ import annotations

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
    "model_name": (
        "name",
        "model",
        "display name",
        "model display name",
        "モデル",
        "名前",
        "モデルの名前",
        "名称",
        "表示名",
    ),
    "api_name": ("api", "id", "identifier", "model id", "model identifier", "model string", "モデルid", "識別子"),
    "category": ("tier", "model tier", "ティア", "区分"),
    "hosting_layer": ("hosting", "host", "ホスティング", "ホスト"),
    "provider": ("vendor", "developer", "developed by", "made by", "maker", "creator", "company"),
    "release_date": ("release", "released", "launch", "launched", "ga", "ga date", "available since"),
    "open_source": ("open-source", "open source model", "oss", "オープンソースモデル"),
    "knowledge_cutoff": ("training data", "trained on data up to", "学習データ"),
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
# so "Not specified; similar models reach ..." is null too.
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
    "standard": ("standard", "標準", "スタンダード"),
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
# Before the low end of a range that names its high end too: "from 117 to 244".
RANGE_OPENING_WORDS: tuple[str, ...] = ("from",)
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
    "1st half",
    "2nd half",
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
    "1st quarter",
    "2nd quarter",
    "3rd quarter",
    "4th quarter",
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
# JIS X 0301's era initials, written with dots: "R6.5.13", "H31.04.30".
JAPANESE_ERA_INITIALS: dict[str, str] = {"R": "令和", "H": "平成", "S": "昭和"}
# Dates outside these years are typos or overflow, not a model's date (date32 holds far more).
DATE_YEARS: tuple[int, int] = (1900, 2200)

# Tile pills, read by their text (pill colours changed over the history).
AVAILABILITY_PILLS: dict[str, tuple[str, ...]] = {
    "available": ("available", "利用可能"),
    "preview": ("preview", "プレビュー"),
    "beta": ("beta", "ベータ"),
    # "廃止日: <date>" is the deprecation's date; the longer words go first, so no stray 日 is left.
    "deprecated": ("deprecated", "廃止", "非推奨", "retired", "提供終了", "廃止日", "非推奨日", "提供終了日"),
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


# =====================================================================================
# Open-world pill reading (transform/pills.py): pills the exact words above do not read.
# A pill read by a synonym, a head word, a programme family or its markup is reported
# (`pill-by-*` findings), so a word found often there is a candidate for the lists above;
# a listed compliance programme is read silently, like an exact word.
# =====================================================================================

# Whole pills meaning the same as a known pill word ("GA" = Available). Read as the value
# with a `pill-by-synonym` finding. Deprecation synonyms may carry a date, as
# "Deprecated on ..." does. "Legacy" is left out on purpose: a legacy model may be fully
# available; "Coming soon" and "Not available" too, since they deny availability.
PILL_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "availability": {
        "available": (
            "ga",
            "general availability",
            "released",
            "一般提供",
            "一般公開",
            "提供中",
            "提供開始",
            "正式リリース",
            "正式版",
            "正式提供",
            "使用可能",
            "利用できます",
        ),
        "preview": (
            "early access",
            "early adopter",
            "technical preview",
            "tech preview",
            "developer preview",
            "早期アクセス",
            "先行提供",
            "先行リリース",
            "試用版",
        ),
        "beta": ("experimental", "実験的", "試験運用", "試験的", "試験提供", "試験版"),
        "deprecated": (
            "deprecation",
            "deprecation date",
            "deprecating",
            "sunset",
            "sunsets",
            "sunsetting",
            "sunset date",
            "retiring",
            "retires",
            "retirement",
            "retirement date",
            "end of life",
            "end-of-life",
            "eol",
            "end of support",
            "discontinued",
            "discontinuation",
            "no longer supported",
            "廃止日",
            "廃止済み",
            "サポート終了",
            "サポート終了日",
            "終了日",
            "提供終了日",
            "販売終了",
            "終了",
        ),
    },
    "tier": {
        "standard": ("std",),
        "premium": (),
    },
    "capabilities": {
        "chat": ("conversational", "chat completion", "chat completions", "会話", "対話"),
        "embeddings": ("エンベディング", "エンベッディング", "embed", "vector embeddings", "ベクトル化"),
    },
}

# Words that may sit around a known pill word (or a synonym) without changing what it says:
# "Limited preview", "Now available", "ベータ版", "利用可能になりました". Read as the value
# with a `pill-by-head-word` finding. A modifier belongs to one value only: "soon" keeps
# "Retiring soon" a deprecation but must not make "Available soon" available.
PILL_MODIFIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "availability": {
        "available": (
            "now",
            "generally",
            "general",
            "fully",
            "widely",
            "currently",
            "一般",
            "になりました",
            "となりました",
            "です",
            "中",
            "済み",
        ),
        "preview": (
            "available",
            "で利用可能",
            "で提供",
            "として提供",
            "limited",
            "public",
            "private",
            "open",
            "closed",
            "early",
            "technical",
            "tech",
            "developer",
            "now",
            "in",
            "version",
            "release",
            "feature",
            "model",
            "限定",
            "パブリック",
            "プライベート",
            "公開",
            "一般",
            "版",
            "中",
            "提供中",
            "機能",
            "モデル",
        ),
        "beta": (
            "available",
            "で利用可能",
            "で提供",
            "として提供",
            "open",
            "closed",
            "public",
            "private",
            "limited",
            "now",
            "in",
            "version",
            "release",
            "feature",
            "model",
            "オープン",
            "クローズド",
            "パブリック",
            "プライベート",
            "限定",
            "公開",
            "版",
            "中",
            "提供中",
            "機能",
            "モデル",
        ),
        "deprecated": (
            "soon",
            "scheduled",
            "planned",
            "model",
            "version",
            "will be",
            "to be",
            "being",
            "for",
            "予定",
            "済み",
            "まもなく",
            "近日",
            "モデル",
        ),
    },
    "tier": {
        "standard": ("tier", "model", "plan", "ティア", "モデル", "プラン", "層"),
        "premium": ("tier", "model", "plan", "ティア", "モデル", "プラン", "層"),
    },
    "capabilities": {
        "chat": ("model", "text", "completion", "completions", "ai", "モデル", "テキスト"),
        "embeddings": ("model", "text", "vector", "モデル", "テキスト", "ベクトル"),
    },
}

# More words around a deprecation pill's date: "Deprecation date: 2025-01-09",
# "Retiring after 2025-01-09", "2025年1月9日以降廃止".
PILL_DATE_FILLERS: tuple[str, ...] = (
    "after",
    "starting",
    "beginning",
    "date",
    "以降",
    "付け",
    "付",
    "で",
    "をもって",
    "をもちまして",
)

# Compliance programmes, compared after folding case, width, punctuation and spacing
# ("FedRAMP-High" = "fedramp high", "SOC2 Type II" = "SOC 2 Type II", "IL5" = "IL 5").
# Each entry: (names of the programme, qualifiers that may follow a name in any number:
# levels, types, versions). "" in the qualifiers: the bare name is a programme on its own.
# A pill that is a listed name with listed qualifiers is read silently; a pill that starts
# with a name and goes on otherwise ("FedRAMP Rev5 Agency") is read as compliance with a
# `pill-by-compliance-family` finding. A 4-digit year may follow anything ("ISO 27001:2022").
_LEVELS_1_TO_5 = ("level 1", "level 2", "level 3", "level 4", "level 5", "l1", "l2", "l3", "l4", "l5")
_TYPES = ("type 1", "type 2", "type i", "type ii", "type1", "type2")
COMPLIANCE_PROGRAMMES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # United States: federal
    (
        ("FedRAMP",),
        (
            "",
            "low",
            "moderate",
            "high",
            "li-saas",
            "low impact saas",
            "tailored",
            "20x",
            "ready",
            "authorized",
            "in process",
            "agency",
            "jab",
            "ato",
            "p-ato",
            "rev 4",
            "rev 5",
            "baseline",
            "impact",
            "impact level",
        ),
    ),
    (("DoD SRG", "DoD CC SRG", "DoD Cloud Computing SRG", "SRG"), ("", "il2", "il4", "il5", "il6")),
    (
        ("DoD", "DISA"),
        ("il2", "il4", "il5", "il6", "impact level 2", "impact level 4", "impact level 5", "impact level 6"),
    ),
    (("IL2", "IL4", "IL5", "IL6", "Impact Level 2", "Impact Level 4", "Impact Level 5", "Impact Level 6"), ("",)),
    (("CMMC", "CMMC 2.0"), ("", *_LEVELS_1_TO_5[:3], *_LEVELS_1_TO_5[5:8])),
    (("CJIS",), ("",)),
    (("ITAR",), ("",)),
    (("EAR", "Export Administration Regulations"), ("",)),
    (("IRS 1075", "IRS Publication 1075", "IRS Pub 1075", "Publication 1075"), ("",)),
    (("FISMA",), ("", "low", "moderate", "high")),
    (
        ("NIST", "NIST SP"),
        (
            "800-53",
            "800-171",
            "800-172",
            "csf",
            "cybersecurity framework",
            "ai rmf",
            "rev 4",
            "rev 5",
            "low",
            "moderate",
            "high",
        ),
    ),
    (("NIST 800-53", "NIST 800-171", "NIST CSF", "NIST AI RMF", "SP 800-53", "SP 800-171"), ("", "rev 4", "rev 5")),
    (("DFARS", "DFARS 252.204-7012"), ("",)),
    (("FIPS",), ("140-2", "140-3", "199", "200", "validated", "level 1", "level 2", "level 3")),
    (("FIPS 140-2", "FIPS 140-3", "FIPS 140"), ("", *_LEVELS_1_TO_5[:4])),
    (("HIPAA",), ("", "baa", "hitech")),
    (("HITECH",), ("",)),
    (("HITRUST", "HITRUST CSF"), ("", "r2", "i1", "e1", "csf")),
    (("MARS-E",), ("",)),
    (("FERPA",), ("",)),
    (("COPPA",), ("",)),
    (("GLBA", "Gramm-Leach-Bliley"), ("",)),
    (("SOX", "Sarbanes-Oxley", "J-SOX"), ("",)),
    (("FFIEC",), ("",)),
    (("Section 508", "VPAT", "WCAG"), ("", "2.0", "2.1", "2.2", "a", "aa", "aaa")),
    (("HECVAT",), ("", "lite", "full")),
    # United States: states
    (("CCPA", "CPRA"), ("",)),
    (
        ("StateRAMP", "GovRAMP"),
        (
            "",
            "low",
            "moderate",
            "high",
            "low+",
            "core",
            "ready",
            "authorized",
            "provisional",
            "provisionally authorized",
            "progressing",
            "security snapshot",
            "snapshot",
            "active",
            "in process",
        ),
    ),
    (("TX-RAMP", "TXRAMP"), ("", "level 1", "level 2", "provisional", "certified")),
    (("AZ-RAMP", "AZRAMP"), ("",)),
    (("NYDFS", "23 NYCRR 500"), ("",)),
    # International
    (
        ("ISMAP", "ISMAP-LIU", "政府情報システムのためのセキュリティ評価制度"),
        ("", "liu", "low impact use", "cloud service list", "クラウドサービスリスト"),
    ),
    (("C5", "BSI C5"), ("", *_TYPES)),
    (("AIC4", "BSI AIC4"), ("",)),
    (("IRAP",), ("", "protected", "official", "secret", "top secret")),
    (
        ("ENS", "Esquema Nacional de Seguridad"),
        ("", "high", "medium", "basic", "alta", "media", "básica", "basica", "alto", "medio", "bajo"),
    ),
    (("HDS",), ("",)),
    (("SecNumCloud",), ("",)),
    (("G-Cloud",), ("", "12", "13", "14", "15")),
    (("Cyber Essentials",), ("", "plus")),
    (("MTCS", "MTCS SS 584", "SS 584"), ("", "level 1", "level 2", "level 3", "tier 1", "tier 2", "tier 3")),
    (("OSPAR",), ("",)),
    (("MAS TRM",), ("",)),
    (("K-ISMS", "ISMS-P", "KISMS"), ("",)),
    (("CSAP",), ("", "low", "medium", "high")),
    (("PDPA",), ("",)),
    (("APPI", "個人情報保護法"), ("",)),
    (("PIPEDA",), ("",)),
    (("Protected B", "CCCS Medium", "CCCS"), ("", "medium", "protected b")),
    (("LGPD",), ("",)),
    (("GDPR", "UK GDPR"), ("",)),
    (("DORA",), ("",)),
    (("NIS2", "NIS 2"), ("", "directive")),
    (("EU AI Act",), ("",)),
    (("EU Cloud CoC", "EU Cloud Code of Conduct"), ("", "level 1", "level 2", "level 3")),
    (("EU-US DPF", "Data Privacy Framework", "DPF", "Privacy Shield"), ("",)),
    (("APEC CBPR", "CBPR", "APEC PRP"), ("",)),
    (("CSA STAR",), ("", "level 1", "level 2", "level 3", "self-assessment", "certification", "attestation")),
    (("TISAX",), ("", "al1", "al2", "al3", "assessment level 2", "assessment level 3")),
    (("FISC", "FISC安全対策基準"), ("",)),
    (("3省2ガイドライン", "医療情報ガイドライン"), ("",)),
    (("Pマーク", "プライバシーマーク", "PrivacyMark", "Privacy Mark", "JIS Q 15001"), ("",)),
    (("JIS Q 27001", "JIS Q 27017"), ("",)),
    (("ISMS",), ("", "クラウドセキュリティ")),
    (("CSマーク", "CS Mark"), ("", "gold", "silver", "ゴールド", "シルバー")),
    (("MLPS", "等保"), ("", "2.0", "level 3", "三级")),
    (("NEN 7510",), ("",)),
    (("APRA CPS 234", "CPS 234"), ("",)),
    (("FINMA",), ("",)),
    (("MeitY",), ("", "empanelled", "empanelment")),
    (("NZISM",), ("",)),
    # Industry and ISO families
    (
        ("ISO", "ISO/IEC", "ISO IEC", "IEC"),
        (
            "27001",
            "27002",
            "27017",
            "27018",
            "27701",
            "9001",
            "14001",
            "20000-1",
            "22301",
            "42001",
            "27799",
            "13485",
            "50001",
        ),
    ),
    (("ISO 27001", "ISO 27017", "ISO 27018", "ISO 27701", "ISO 9001", "ISO 22301", "ISO 42001"), ("",)),
    (("SOC", "AICPA SOC"), ("1", "2", "3", "2+", "2 plus", *_TYPES, "for cybersecurity")),
    (("SOC 1", "SOC 2", "SOC 3", "SOC 2+", "SOC1", "SOC2", "SOC3"), ("", *_TYPES, "hipaa", "plus", "+")),
    (("SSAE 18", "SSAE 16", "ISAE 3402", "ISAE 3000"), ("", *_TYPES)),
    (
        ("PCI", "PCI DSS", "PCI-DSS", "PCI 3DS", "PCI PIN"),
        ("", "dss", *_LEVELS_1_TO_5[:4], "v3.2.1", "v4.0", "v4.0.1", "3.2.1", "4.0", "4.0.1", "service provider"),
    ),
    (("SWIFT CSP",), ("",)),
    (("GxP", "GMP", "GLP"), ("",)),
    (("21 CFR Part 11", "FDA 21 CFR Part 11", "CFR Part 11", "EU Annex 11", "Annex 11"), ("",)),
)
# Suffixes that only say the programme is met: "HIPAA準拠", "FedRAMP High認証", "SOC 2 certified".
COMPLIANCE_SUFFIXES: tuple[str, ...] = (
    "準拠",
    "に準拠",
    "対応",
    "に対応",
    "適合",
    "認証",
    "認定",
    "認可",
    "取得",
    "取得済み",
    "登録",
    "登録済み",
    "済み",
    "済",
    "compliant",
    "compliance",
    "certified",
    "certification",
    "authorized",
    "authorised",
    "authorization",
    "accredited",
    "accreditation",
    "validated",
    "attested",
    "attestation",
    "aligned",
    "approved",
    "registered",
    "report",
    "ready",
)
