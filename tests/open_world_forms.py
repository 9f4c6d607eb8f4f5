"""Ways people write the model cards' values, labels and pills, taken from public conventions.

This table is deliberately independent of the catalog's own word lists (nothing here is
imported from `transform`): it is what the open-world test rewrites real cards with, so
it must describe how dates, numbers and labels are written in the world, not how the
parser happens to read them. Each family names where its forms come from.

A form is a `str.format` template over the fields of one value (see `date_fields`,
`token_fields`, `throughput_fields`); a form whose fields a value lacks (a day-only
template for a month date, `{m}M` for 128,000) does not apply to that value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Form:
    """One way of writing a value. `vague` dates are only year-certain; `fullwidth` widens digits."""

    family: str
    lang: str  # "en" or "ja": the language the form is written in
    template: str
    vague: bool = False
    fullwidth: bool = False
    needs: str = ""  # dates: "day" or "month", the precision the template states
    # vague dates: the precision still certain. An approximate day ("about June 20") is still
    # in its month; an approximate month, a part of a year or a quarter only in its year.
    certain: str = "year"


# -- dates ------------------------------------------------------------------------------------------
# Month and weekday names: Unicode CLDR (gregorian calendar, `en` and `ja`, wide and abbreviated).
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The AP Stylebook abbreviates Jan., Feb., Aug., Sept., Oct., Nov., Dec. and spells out the rest.
AP_MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_WEEKDAYS_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
JA_WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
# Japanese eras (CLDR `japanese` calendar; initials as in JIS X 0301:2019): name, initial, first day.
ERAS = (("令和", "R", datetime.date(2019, 5, 1)), ("平成", "H", datetime.date(1989, 1, 8)))


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _era(first_day: datetime.date) -> tuple[str, str, int]:
    for name, initial, start in ERAS:
        if first_day >= start:
            return name, initial, first_day.year - start.year + 1
    raise ValueError(f"{first_day} is before the Heisei era")


def date_fields(value: datetime.date, precision: str) -> dict[str, Any]:
    """Template fields of a date stated at `precision` ("day" or "month")."""
    month = value.month
    # The era of a month is the era of its last day (May 2019 is Reiwa 1), of a day that day's.
    last = value if precision == "day" else (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    era, initial, era_year = _era(last - datetime.timedelta(days=1) if precision != "day" else last)
    fields: dict[str, Any] = {
        "y": value.year,
        "m": month,
        "mm": f"{month:02d}",
        "MMMM": EN_MONTHS[month - 1],
        "MMM": EN_MONTHS_ABBR[month - 1],
        "AP": AP_MONTHS[month - 1],
        "q": (month - 1) // 3 + 1,
        "qth": ("1st", "2nd", "3rd", "4th")[(month - 1) // 3],
        "part_en": "early" if month <= 4 else "mid" if month <= 8 else "late",
        "part_ja": "初め" if month <= 4 else "半ば" if month <= 8 else "後半",
        "half": 1 if month <= 6 else 2,
        "half_ja": "上半期" if month <= 6 else "下半期",
        "era": era,
        "G": initial,
        "ey": "元" if era_year == 1 else era_year,
        "eyy": f"{era_year:02d}",
        "eyn": era_year,
    }
    if precision == "day":
        weekday = value.weekday()
        fields |= {
            "d": value.day,
            "dd": f"{value.day:02d}",
            "ord": _ordinal(value.day),
            "EEEE": EN_WEEKDAYS[weekday],
            "EEE": EN_WEEKDAYS_ABBR[weekday],
            "E": JA_WEEKDAYS[weekday],
        }
    return fields


DAY, MONTH = "day", "month"
DATE_FORMS: tuple[Form, ...] = (
    # CLDR `en` dateFormats long/medium, `en-GB` long/medium, ISO 8601 extended format.
    Form("date style", "en", "{MMMM} {d}, {y}", needs=DAY),
    Form("date style", "en", "{MMM} {d}, {y}", needs=DAY),
    Form("date style", "en", "{d} {MMMM} {y}", needs=DAY),
    Form("date style", "en", "{d} {MMM} {y}", needs=DAY),
    Form("date style", "en", "{y}-{mm}-{dd}", needs=DAY),
    # AP Stylebook month abbreviations; British ordinal styles (Oxford/Guardian style guides).
    Form("date style", "en", "{AP} {d}, {y}", needs=DAY),
    Form("date style", "en", "{ord} {MMMM} {y}", needs=DAY),
    Form("date style", "en", "the {ord} of {MMMM}, {y}", needs=DAY),
    Form("date style", "en", "{MMMM} {d} {y}", needs=DAY),
    # CLDR `en` month formats: yMMMM, yMMM, and the ISO 8601 calendar month.
    Form("date style", "en", "{MMM} {y}", needs=MONTH),
    Form("date style", "en", "{MMMM}, {y}", needs=MONTH),
    Form("date style", "en", "{AP} {y}", needs=MONTH),
    Form("date style", "en", "{y}-{mm}", needs=MONTH),
    # CLDR `ja` dateFormats medium/short (y/MM/dd) and yMd; yM / yMM month skeletons.
    Form("date style", "ja", "{y}/{mm}/{dd}", needs=DAY),
    Form("date style", "ja", "{y}/{m}/{d}", needs=DAY),
    Form("date style", "ja", "{y}年{mm}月{dd}日", needs=DAY),
    Form("date style", "ja", "{y}/{m}", needs=MONTH),
    Form("date style", "ja", "{y}/{mm}", needs=MONTH),
    Form("date style", "ja", "{y}年 {m}月", needs=MONTH),
    # CLDR `en` full date and yMMMEd; `ja` full date (y年M月d日EEEE) and yMMMEd (y年M月d日(E)),
    # and the full-width parentheses Japanese business writing puts around the weekday.
    Form("weekday", "en", "{EEEE}, {MMMM} {d}, {y}", needs=DAY),
    Form("weekday", "en", "{EEE}, {MMM} {d}, {y}", needs=DAY),
    Form("weekday", "en", "{EEEE} {d} {MMMM} {y}", needs=DAY),
    Form("weekday", "ja", "{y}年{m}月{d}日({E})", needs=DAY),
    Form("weekday", "ja", "{y}年{m}月{d}日（{E}）", needs=DAY),
    Form("weekday", "ja", "{y}年{m}月{d}日{E}曜日", needs=DAY),
    Form("weekday", "ja", "{y}/{m}/{d}({E})", needs=DAY),
    # CLDR `japanese` calendar (GGGGy年M月d日, era year 1 written 元), JIS X 0301:2019 era initials.
    Form("era", "ja", "{era}{ey}年{m}月{d}日", needs=DAY),
    Form("era", "ja", "{era}{ey}年{m}月", needs=MONTH),
    Form("era", "ja", "{G}{eyy}.{mm}.{dd}", needs=DAY),
    Form("era", "ja", "{G}{eyn}.{m}.{d}", needs=DAY),
    Form("era", "ja", "{y}年（{era}{ey}年）{m}月{d}日", needs=DAY),
    Form("era", "ja", "{era}{ey}年（{y}年）{m}月", needs=MONTH),
    # Full-width digits: the Unicode Halfwidth and Fullwidth Forms block (U+FF10-FF19), which
    # Japanese text (JIS X 0208 digits) often uses for numbers inside sentences.
    Form("full-width", "ja", "{y}年{m}月{d}日", fullwidth=True, needs=DAY),
    Form("full-width", "ja", "{y}年{m}月", fullwidth=True, needs=MONTH),
    Form("full-width", "ja", "{era}{eyn}年{m}月{d}日", fullwidth=True, needs=DAY),
    Form("full-width", "ja", "{y}/{mm}/{dd}", fullwidth=True, needs=DAY),
    # Remarks in parentheses after the value (the docs' own 日本時間 usage, US time / GA notes).
    Form("remark", "en", "{MMMM} {d}, {y} (US time)", needs=DAY),
    Form("remark", "en", "{MMMM} {y} (training data)", needs=MONTH),
    Form("remark", "ja", "{y}年{m}月{d}日（米国時間）", needs=DAY),
    Form("remark", "ja", "{y}年{m}月（学習データ）", needs=MONTH),
    # Approximation: English hedges (Merriam-Webster: around, about, circa/c., approximately),
    # parts of a year, CLDR quarter formats (yQQQ "Q2 2025", yQQQQ "2nd quarter 2025", ja
    # "2025年第2四半期"), Japanese 頃/ごろ/前後/初め/半ば/後半/上半期 (NHK and newspaper style guides).
    Form("approximation", "en", "around {MMMM} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "circa {MMMM} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "c. {MMM} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "approximately {MMMM} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "{MMMM} {y} (approx.)", vague=True, needs=MONTH),
    Form("approximation", "en", "about {MMMM} {d}, {y}", vague=True, needs=DAY, certain=MONTH),
    Form("approximation", "en", "{part_en} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "Q{q} {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "{qth} quarter {y}", vague=True, needs=MONTH),
    Form("approximation", "en", "H{half} {y}", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年{m}月頃", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年{m}月ごろ", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年{m}月前後", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年{m}月{d}日頃", vague=True, needs=DAY, certain=MONTH),
    Form("approximation", "ja", "{y}年{part_ja}", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年第{q}四半期", vague=True, needs=MONTH),
    Form("approximation", "ja", "{y}年{half_ja}", vague=True, needs=MONTH),
    Form("approximation", "ja", "およそ{y}年{m}月", vague=True, needs=MONTH),
)


# -- token counts -----------------------------------------------------------------------------------
def _figure(value: float) -> str:
    """A decimal without a trailing `.0` (12.8, 128, 0.5)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _si_grouped(n: int) -> str:
    """SI Brochure (9th ed., 5.4.4) digit grouping: a thin space between groups of three."""
    return f"{n:,}".replace(",", "\u2009")


def token_fields(n: int) -> dict[str, Any]:
    """Template fields of a whole number of tokens; a multiple is present only where it is exact."""
    fields: dict[str, Any] = {"n": n, "ng": f"{n:,}", "si": _si_grouped(n)}
    if n % 1000 == 0:
        fields["k"] = _figure(n / 1000)
        if n >= 10_000:
            fields["man"] = _figure(n / 10_000)  # 万 = 10^4 (12.8万)
        elif n < 10_000:
            fields["sen"] = n // 1000  # 千 = 10^3 (8千)
    if n >= 1_000_000 and n % 100_000 == 0:
        fields["M"] = _figure(n / 1_000_000)
    if n >= 10_000 and n % 10_000:
        fields["man_i"], fields["man_rest"] = n // 10_000, f"{n % 10_000:,}"  # 12万8,000
    return fields


TOKEN_FORMS: tuple[Form, ...] = (
    # Unit spellings: SI prefixes k/M as written on vendor model pages (OpenAI "128K", Google
    # "1M"), spelled-out numbers (Chicago Manual of Style 9.8), Japanese 万/千 numerals with
    # トークン (Agency for Cultural Affairs 「公用文作成の考え方」 2022: 万 with Arabic digits).
    Form("unit", "en", "{ng} tokens"),
    Form("unit", "en", "{n} tokens"),
    Form("unit", "en", "{k}K tokens"),
    Form("unit", "en", "{k}K"),
    Form("unit", "en", "{k} K tokens"),
    Form("unit", "en", "{k}k token"),
    Form("unit", "en", "{k} thousand tokens"),
    Form("unit", "en", "{M}M tokens"),
    Form("unit", "en", "{M} million tokens"),
    Form("unit", "en", "{ng}"),
    Form("unit", "en", "{si} tokens"),
    Form("unit", "ja", "{n}トークン"),
    Form("unit", "ja", "{ng} トークン"),
    Form("unit", "ja", "{man}万トークン"),
    Form("unit", "ja", "{man}万"),
    Form("unit", "ja", "{man_i}万{man_rest}トークン"),
    Form("unit", "ja", "{sen}千トークン"),
    Form("unit", "ja", "{k}Kトークン"),
    Form("unit", "ja", "{M}Mトークン"),
    # Approximation and bound words (en hedges; ja 約/およそ/程度/最大/まで, newspaper style guides).
    Form("approximation", "en", "about {k}k tokens"),
    Form("approximation", "en", "approximately {ng} tokens"),
    Form("approximation", "en", "~{k}K tokens"),
    Form("approximation", "en", "up to {ng} tokens"),
    Form("approximation", "ja", "約{ng}トークン"),
    Form("approximation", "ja", "およそ{man}万トークン"),
    Form("approximation", "ja", "{ng}トークン程度"),
    Form("approximation", "ja", "最大{ng}トークン"),
    Form("approximation", "ja", "{ng}トークンまで"),
    # Full-width digits and separators (Unicode Halfwidth and Fullwidth Forms).
    Form("full-width", "ja", "{ng}トークン", fullwidth=True),
    Form("full-width", "ja", "{man}万トークン", fullwidth=True),
    Form("full-width", "ja", "{n}", fullwidth=True),
    # Remarks in parentheses.
    Form("remark", "en", "{k}k tokens (input)"),
    Form("remark", "en", "{ng} tokens (per request)"),
    Form("remark", "ja", "{ng}トークン（入力）"),
    Form("remark", "ja", "{ng}トークン（1リクエストあたり）"),
)


# -- throughput -------------------------------------------------------------------------------------
def throughput_fields(low: float, high: float | None = None) -> dict[str, Any]:
    """Template fields of a tokens-per-second figure, or of a range when `high` is given."""
    fields: dict[str, Any] = {"x": _figure(low), "xg": f"{low:,.6f}".rstrip("0").rstrip(".")}
    if high is not None:
        fields |= {"y": _figure(high), "yg": f"{high:,.6f}".rstrip("0").rstrip(".")}
    return fields


THROUGHPUT_FORMS: tuple[Form, ...] = (
    # Unit spellings: "tokens per second", tokens/s, tok/s, TPS (as on public LLM benchmark pages),
    # ja 毎秒/1秒あたり/秒間/トークン/秒.
    Form("unit", "en", "{x} tokens per second"),
    Form("unit", "en", "{x} tokens/second"),
    Form("unit", "en", "{x} tokens/s"),
    Form("unit", "en", "{x} tok/s"),
    Form("unit", "en", "{x} TPS"),
    Form("unit", "en", "{xg} tokens per second"),
    Form("unit", "ja", "{x}トークン/秒"),
    Form("unit", "ja", "毎秒{x}トークン"),
    Form("unit", "ja", "1秒あたり{x}トークン"),
    Form("unit", "ja", "秒間{x}トークン"),
    Form("unit", "ja", "{x} tokens/s"),
    # Approximation words (en about/approximately/around/~/≈/estimated; ja 約/およそ/前後/程度/推定).
    Form("approximation", "en", "about {x}"),
    Form("approximation", "en", "approximately {x} tokens per second"),
    Form("approximation", "en", "~{x} tokens/s"),
    Form("approximation", "en", "≈{x}"),
    Form("approximation", "en", "around {x} tokens/second"),
    Form("approximation", "en", "Estimated {x}"),
    Form("approximation", "ja", "約{x}"),
    Form("approximation", "ja", "およそ{x}トークン/秒"),
    Form("approximation", "ja", "{x}前後"),
    Form("approximation", "ja", "{x}トークン/秒程度"),
    Form("approximation", "ja", "推定{x}"),
    # Range marks: CLDR `en` range pattern {0}–{1} (en dash), the hyphen and tilde people type,
    # "to"/"between ... and"; CLDR `ja` range pattern {0}～{1} (U+FF5E), the wave dash 〜
    # (U+301C, JIS X 0208) and から.
    Form("range", "en", "{x}–{y}"),
    Form("range", "en", "{x} – {y} tokens/s"),
    Form("range", "en", "{x}-{y}"),
    Form("range", "en", "{x} to {y} tokens per second"),
    Form("range", "en", "between {x} and {y}"),
    Form("range", "en", "from {x} to {y} tok/s"),
    Form("range", "en", "{x}~{y}"),
    Form("range", "en", "approximately {x}–{y}"),
    Form("range", "ja", "{x}～{y}"),
    Form("range", "ja", "{x}〜{y}トークン/秒"),
    Form("range", "ja", "{x}~{y}"),
    Form("range", "ja", "{x}から{y}"),
    Form("range", "ja", "毎秒{x}～{y}トークン"),
    Form("range", "ja", "およそ{x}～{y}"),
    Form("range", "ja", "約{x}〜{y}トークン/秒"),
    # Full-width digits, decimal point and range.
    Form("full-width", "ja", "{x}", fullwidth=True),
    Form("full-width", "ja", "{x}トークン/秒", fullwidth=True),
    Form("full-width", "ja", "{x}～{y}", fullwidth=True),
    # Remarks in parentheses.
    Form("remark", "en", "{x} (measured)"),
    Form("remark", "en", "{x} tokens/s (median)"),
    Form("remark", "ja", "{x}（実測値）"),
    Form("remark", "ja", "{x}トークン/秒（中央値）"),
)


# -- no value, yes/no, category -----------------------------------------------------------------------
# Words for "no value": W3C/WCAG tables and the Chicago Manual of Style (an em dash for no data),
# public spec sheets (Not disclosed, Undisclosed, TBA, N/A), ja 非公開/未公開/未定/－ (full-width
# hyphen-minus in Japanese tables).
NONE_FORMS: tuple[Form, ...] = (
    Form("no value", "en", "Not disclosed"),
    Form("no value", "en", "Undisclosed"),
    Form("no value", "en", "TBA"),
    Form("no value", "en", "n/a"),
    Form("no value", "en", "—"),
    Form("no value", "ja", "非公開"),
    Form("no value", "ja", "未公開"),
    Form("no value", "ja", "未定"),
    Form("no value", "ja", "－"),
)
TRUE_FORMS: tuple[Form, ...] = (
    Form("yes/no", "en", "yes"),
    Form("yes/no", "en", "YES"),
    Form("remark", "en", "Yes (see license)"),
    Form("yes/no", "ja", "はい。"),
    Form("remark", "ja", "はい（ライセンスを参照）"),
)
FALSE_FORMS: tuple[Form, ...] = (
    Form("yes/no", "en", "no"),
    Form("yes/no", "en", "NO"),
    Form("yes/no", "en", "No."),
    Form("remark", "en", "No (proprietary)"),
    Form("yes/no", "ja", "いいえ。"),
    Form("remark", "ja", "いいえ（独自モデル）"),
)
# Category words: the docs' own tiers as people vary them (case, "tier"/"model" heads), and the
# katakana loanword スタンダード that Japanese product pages use beside 標準.
STANDARD_FORMS: tuple[Form, ...] = (
    Form("category", "en", "standard"),
    Form("category", "en", "STANDARD"),
    Form("category", "en", "Standard tier"),
    Form("remark", "en", "Standard (see tiers)"),
    Form("category", "ja", "スタンダード"),
    Form("category", "ja", "標準モデル"),
    Form("remark", "ja", "標準（Standard）"),
)
PREMIUM_FORMS: tuple[Form, ...] = (
    Form("category", "en", "premium"),
    Form("category", "en", "Premium tier"),
    Form("category", "en", "Premium model"),
    Form("remark", "en", "Premium (see tiers)"),
    Form("category", "ja", "プレミアムモデル"),
    Form("category", "ja", "プレミアム（Premium）"),
)


# -- labels -------------------------------------------------------------------------------------------
# Label wording of public model pages: OpenAI ("Context window", "Max output tokens", "Knowledge
# cutoff"), Anthropic ("Training data cutoff", "Max output"), Google Vertex AI / Gemini API ("Input
# token limit", "Output token limit", "Release date"), AWS Bedrock ("Model ID", "Provider"), Azure
# OpenAI ("Training data (up to)"), and the Japanese editions of those pages; plus remarks in
# parentheses after the docs' own labels.
LABEL_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "model_name": {"en": ("Name", "Display name"), "ja": ("モデルの名前", "名称")},
    "category": {"en": ("Category", "Model tier"), "ja": ("カテゴリ", "モデルカテゴリ")},
    "api_name": {"en": ("API name", "Model ID"), "ja": ("API名", "モデルID")},
    "hosting_layer": {"en": ("Hosting provider", "Hosted by"), "ja": ("ホスティング", "ホスト")},
    "provider": {"en": ("Provider", "Model developer"), "ja": ("プロバイダ", "提供元")},
    "release_date": {"en": ("Launch date", "Date released"), "ja": ("公開日", "提供開始日")},
    "knowledge_cutoff": {
        "en": ("Training data cutoff", "Knowledge cutoff", "Training data (up to)"),
        "ja": ("知識のカットオフ", "学習データのカットオフ日"),
    },
    "input_context_tokens": {
        "en": ("Context window", "Max input tokens", "Input token limit"),
        "ja": ("コンテキストウィンドウ", "最大入力トークン数"),
    },
    "max_output_tokens": {
        "en": ("Max output tokens", "Output token limit", "Max output"),
        "ja": ("最大出力トークン数", "出力トークンの上限"),
    },
    "throughput": {"en": ("Throughput", "Output speed", "Tokens per second"), "ja": ("スループット", "出力速度")},
    "open_source": {"en": ("Open-source", "Open source model"), "ja": ("オープンソースモデル", "OSS")},
    "ip_infringement_protection": {
        "en": ("IP indemnity", "IP indemnification"),
        "ja": ("知的財産権の補償", "知的財産の保護"),
    },
}
LABEL_REMARKS: dict[str, dict[str, str]] = {
    "model_name": {"en": " (display)", "ja": "（表示名）"},
    "category": {"en": " (tier)", "ja": "（ティア）"},
    "api_name": {"en": " (for overrides)", "ja": "（上書き用）"},
    "hosting_layer": {"en": " (cloud)", "ja": "（クラウド）"},
    "provider": {"en": " (developer)", "ja": "（開発元）"},
    "release_date": {"en": " (GA)", "ja": "（一般提供）"},
    "knowledge_cutoff": {"en": " (training data)", "ja": "（学習データ）"},
    "input_context_tokens": {"en": " (tokens)", "ja": "（トークン数）"},
    "max_output_tokens": {"en": " (per request)", "ja": "（1リクエストあたり）"},
    "throughput": {"en": " (tokens/second)", "ja": "（トークン/秒）"},
    "open_source": {"en": " (weights and code)", "ja": "（OSS）"},
    "ip_infringement_protection": {"en": " (indemnity)", "ja": "（補償）"},
}


# -- pills --------------------------------------------------------------------------------------------
# Launch-stage wording: Google Cloud product launch stages (Preview, Private Preview, General
# Availability), Microsoft Azure preview terms (public/private preview), public betas, and the
# Japanese editions of those pages (一般提供 (GA), パブリック プレビュー, ベータ版).
AVAILABILITY_MODIFIERS: dict[str, dict[str, tuple[str, ...]]] = {
    "available": {"en": ("Generally available", "Generally Available (GA)"), "ja": ("一般提供", "一般提供（GA）")},
    "preview": {
        "en": ("Limited preview", "Public preview", "Private preview", "Preview (limited)"),
        "ja": ("限定プレビュー", "パブリックプレビュー", "プライベートプレビュー"),
    },
    "beta": {"en": ("Public beta", "Open beta", "Limited beta"), "ja": ("パブリックベータ", "ベータ版", "限定ベータ")},
}
# Compliance programmes a cloud service is assessed against, with their levels: FedRAMP (Low,
# Moderate, High), DISA Cloud Computing SRG impact levels (IL2/4/5/6), HITRUST CSF (e1/i1/r2),
# Texas TX-RAMP (Level 1/2), GovRAMP (formerly StateRAMP), ISO/IEC 27001/27017/27018/42001,
# AICPA SOC 2 Type II, HIPAA, PCI DSS, Australia's IRAP, Germany's BSI C5, the FBI's CJIS; Japan's
# ISMAP and ISMAP-LIU, FISC安全対策基準 (financial), 3省2ガイドライン (medical information),
# プライバシーマーク (JIPDEC). The first of each language is named in the contract; it anchors
# the group that the others, styled alike on the same index, join.
COMPLIANCE_ANCHORS = {"en": "FedRAMP Moderate", "ja": "ISMAP"}
COMPLIANCE_PROGRAMMES: dict[str, tuple[str, ...]] = {
    "en": (
        "DoD IL5",
        "HITRUST r2",
        "TX-RAMP Level 2",
        "ISO/IEC 27018",
        "FedRAMP High",
        "DoD IL4",
        "GovRAMP Moderate",
        "SOC 2 Type II",
        "ISO/IEC 42001",
        "HIPAA",
        "PCI DSS Level 1",
        "IRAP PROTECTED",
        "BSI C5",
        "CJIS",
    ),
    "ja": (
        "ISMAP-LIU",
        "FISC安全対策基準",
        "3省2ガイドライン",
        "プライバシーマーク",
        "ISO/IEC 27017",
        "ISO/IEC 27018",
        "SOC 2 Type 2",
        "HITRUST r2",
    ),
}
# Deprecation pills around a date (the docs' own "Deprecated on" / 日本時間…に廃止 shapes, with
# the date written in any of the day forms above).
DEPRECATION_FORMS: tuple[Form, ...] = (
    Form("deprecation date", "en", "Deprecated on {date}"),
    Form("deprecation date", "en", "Deprecated: {date}"),
    Form("deprecation date", "en", "Deprecated as of {date}"),
    Form("deprecation date", "ja", "{date}に廃止"),
    Form("deprecation date", "ja", "日本時間{date}に廃止"),
    Form("deprecation date", "ja", "廃止日: {date}"),
)

FULLWIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789,."})
