import datetime
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transform.units import (
    UnparsedValue,
    fold_text,
    is_null_value,
    parse_bool,
    parse_category,
    parse_date,
    parse_throughput,
    parse_tokens,
)

D = datetime.date
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("   ", True),
        ("Not specified", True),
        ("Not applicable", True),
        ("Not provided", True),
        ("unknown", True),
        ("TBD", True),
        ("N/A", True),
        ("Ｎ／Ａ", True),
        ("na", True),
        ("-", True),
        ("—", True),
        ("指定なし", True),
        ("該当なし", True),
        ("不明", True),
        ("Not specified; similar models reach up to 90 tokens a second", True),
        ("指定なし、類似のモデルは毎秒最大90トークン程度", True),
        ("up to 100 tokens per second, like other models", True),
        ("類似モデルでは128k", True),
        ("name", False),
        ("national", False),
        ("nonetheless", False),
        ("-5", False),
        ("128k", False),
        ("No", False),
        ("いいえ", False),
        ("2025年4月14日", False),
    ],
)
def test_is_null_value(text, expected):
    assert is_null_value(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1m tokens", 1_000_000),
        ("10m", 10_000_000),
        ("128k", 128_000),
        ("128k tokens", 128_000),
        ("131k tokens", 131_000),
        ("128 K Tokens", 128_000),
        ("1.5m", 1_500_000),
        ("2 million tokens", 2_000_000),
        ("128,000", 128_000),
        ("1,000", 1_000),
        ("up to 128k tokens", 128_000),
        ("１２８k", 128_000),
        ("１２８ｋ", 128_000),
        ("100万トークン", 1_000_000),
        ("1,000万", 10_000_000),
        ("128,000トークン", 128_000),
        ("最大128,000トークン", 128_000),
        ("１２８，０００トークン", 128_000),
        ("1千万", 10_000_000),
        ("1億", 100_000_000),
        ("", None),
        ("Not specified", None),
        ("Not applicable", None),
        ("指定なし", None),
        ("該当なし", None),
    ],
)
def test_parse_tokens(text, expected):
    assert parse_tokens(text) == expected


@pytest.mark.parametrize(
    "text",
    ["lots", "soon-ish", "128kb", "1,5m", "12,34", "1.2345k", "たくさん", "128ギガ"],
)
def test_parse_tokens_rejects(text):
    with pytest.raises(UnparsedValue, match="token"):
        parse_tokens(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("87.5", (87.5, 87.5)),
        ("1,000", (1000.0, 1000.0)),
        ("1000", (1000.0, 1000.0)),
        ("Estimated between 163 - 300", (163.0, 300.0)),
        ("163–300", (163.0, 300.0)),
        ("between 163 and 300", (163.0, 300.0)),
        ("163 to 300 tokens per second", (163.0, 300.0)),
        ("~120 tokens/s", (120.0, 120.0)),
        ("approximately 45.5 tps", (45.5, 45.5)),
        ("１６３〜３００", (163.0, 300.0)),
        ("163〜300", (163.0, 300.0)),
        ("163から300トークン/秒", (163.0, 300.0)),
        ("約87.5", (87.5, 87.5)),
        ("毎秒100トークン", (100.0, 100.0)),
        ("", None),
        ("N/A", None),
        ("Not specified", None),
        ("Not specified; similar models reach up to 90 tokens a second", None),
        ("指定なし", None),
        ("指定なし、類似のモデルは毎秒最大90トークン程度", None),
    ],
)
def test_parse_throughput(text, expected):
    assert parse_throughput(text) == expected


@pytest.mark.parametrize(
    "text", ["fast", "soon-ish", "300 - 163", "up to 100", "最大100", "163 - 300 - 400", "とても速い"]
)
def test_parse_throughput_rejects(text):
    with pytest.raises(UnparsedValue, match="throughput"):
        parse_throughput(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("April 14th, 2025", (D(2025, 4, 14), "day")),
        ("April 17th 2025", (D(2025, 4, 17), "day")),
        ("May 22nd 2025", (D(2025, 5, 22), "day")),
        ("February 24, 2025", (D(2025, 2, 24), "day")),
        ("April 14 2025", (D(2025, 4, 14), "day")),
        ("14 April 2025", (D(2025, 4, 14), "day")),
        ("14th of April, 2025", (D(2025, 4, 14), "day")),
        ("2025-04-14", (D(2025, 4, 14), "day")),
        ("2025/04/14", (D(2025, 4, 14), "day")),
        ("2025年4月14日", (D(2025, 4, 14), "day")),
        ("２０２５年４月１４日", (D(2025, 4, 14), "day")),
        ("2025 年 4 月 14 日", (D(2025, 4, 14), "day")),
        ("May 2024", (D(2024, 5, 1), "month")),
        ("Sept 2021", (D(2021, 9, 1), "month")),
        ("Sept. 2021", (D(2021, 9, 1), "month")),
        ("2024-05", (D(2024, 5, 1), "month")),
        ("2024年5月", (D(2024, 5, 1), "month")),
        ("2023", (D(2023, 1, 1), "year")),
        ("2023年", (D(2023, 1, 1), "year")),
        # part-of qualifiers keep the stated unit
        ("middle of 2021", (D(2021, 1, 1), "year")),
        ("mid-2021", (D(2021, 1, 1), "year")),
        ("the end of 2023", (D(2023, 1, 1), "year")),
        ("2021年中頃", (D(2021, 1, 1), "year")),
        ("2023年末", (D(2023, 1, 1), "year")),
        ("early May 2024", (D(2024, 5, 1), "month")),
        ("late May 2024", (D(2024, 5, 1), "month")),
        ("2024年5月下旬", (D(2024, 5, 1), "month")),
        ("2024年5月上旬", (D(2024, 5, 1), "month")),
        # approximate qualifiers make the next coarser unit the certain one
        ("around May 2024", (D(2024, 1, 1), "year")),
        ("~May 2024", (D(2024, 1, 1), "year")),
        ("2024年5月頃", (D(2024, 1, 1), "year")),
        ("2024年5月ごろ", (D(2024, 1, 1), "year")),
        ("around April 14, 2025", (D(2025, 4, 1), "month")),
        ("2025年4月14日頃", (D(2025, 4, 1), "month")),
        ("around 2023", (D(2023, 1, 1), "year")),
        # quarters, halves and seasons: only the year is certain
        ("Q3 2024", (D(2024, 1, 1), "year")),
        ("2024 Q3", (D(2024, 1, 1), "year")),
        ("summer 2024", (D(2024, 1, 1), "year")),
        ("first half of 2024", (D(2024, 1, 1), "year")),
        ("2024年第3四半期", (D(2024, 1, 1), "year")),
        ("2024年上半期", (D(2024, 1, 1), "year")),
        ("", None),
        ("TBD", None),
        ("unknown", None),
        ("Not applicable", None),
        ("不明", None),
        ("該当なし", None),
        ("指定なし", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "soon-ish",
        "lots",
        "87.5",
        "February 30, 2025",
        "2025-02-30",
        "2025年2月30日",
        "2025年13月",
        "Smarch 2024",
        "early",
        "2024年のいつか",
        "April 14",
        "25",
    ],
)
def test_parse_date_rejects(text):
    with pytest.raises(UnparsedValue, match="date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", True),
        ("yes", True),
        ("TRUE", True),
        ("Yes, under the Box AI terms", True),
        ("はい", True),
        ("はい（Box AI規約による）", True),
        ("No", False),
        ("No (weights closed)", False),
        ("false", False),
        ("いいえ", False),
        ("いいえ。重みは非公開", False),
        ("", None),
        ("Not specified", None),
        ("N/A", None),
        ("指定なし", None),
        ("該当なし", None),
    ],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["Maybe", "nope", "yesterday", "Partially", "たぶん", "一部"])
def test_parse_bool_rejects(text):
    with pytest.raises(UnparsedValue, match="yes/no"):
        parse_bool(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Standard", "standard"),
        ("STANDARD", "standard"),
        ("Premium", "premium"),
        ("premium", "premium"),
        ("標準", "standard"),
        ("スタンダード", "standard"),
        ("プレミアム", "premium"),
        ("", None),
        ("Not specified", None),
        ("不明", None),
    ],
)
def test_parse_category(text, expected):
    assert parse_category(text) == expected


@pytest.mark.parametrize("text", ["Deluxe", "Standardized", "高級"])
def test_parse_category_rejects(text):
    with pytest.raises(UnparsedValue, match="category"):
        parse_category(text)


def test_unparsed_value_names_the_text_and_survives_pickling():
    with pytest.raises(UnparsedValue) as caught:
        parse_tokens("lots")
    assert "'lots'" in str(caught.value)
    assert caught.value.text == "lots"
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.text, copy.kind, str(copy)) == (caught.value.text, caught.value.kind, str(caught.value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  Not\n  Specified ", "not specified"), ("１２８Ｋ", "128k"), ("Ｎ／Ａ", "n/a")],
)
def test_fold_text(text, expected):
    assert fold_text(text) == expected


# Properties ---------------------------------------------------------------------------

PARSERS = [parse_tokens, parse_throughput, parse_date, parse_bool, parse_category]
VALID = {
    parse_tokens: ["1m tokens", "100万トークン", "1,000万", "128,000トークン", "128k", "up to 131k tokens"],
    parse_throughput: ["87.5", "1,000", "Estimated between 163 - 300", "163 to 300 tokens per second"],
    parse_date: [
        "April 14th, 2025",
        "February 24, 2025",
        "2025年4月14日",
        "May 2024",
        "2024年5月",
        "2023",
        "middle of 2021",
        "2021年中頃",
        "around May 2024",
        "2025-04-14",
    ],
    parse_bool: ["Yes", "No (weights closed)", "はい", "いいえ"],
    parse_category: ["Standard", "Premium", "標準", "プレミアム"],
}
WELL_FORMED = {
    parse_tokens: lambda r: type(r) is int and r >= 0,
    parse_throughput: lambda r: type(r) is tuple and 0 <= r[0] <= r[1] < float("inf"),
    parse_date: lambda r: type(r[0]) is D and r[1] in ("day", "month", "year"),
    parse_bool: lambda r: type(r) is bool,
    parse_category: lambda r: r in ("standard", "premium"),
}
NEAR_VALUES = st.sampled_from([value for values in VALID.values() for value in values])
TEXT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789,.-~〜年月日万kKmM tokens Q3 mid of", max_size=30),
    st.builds(lambda a, b: a + b, NEAR_VALUES, st.text(max_size=8)),
    st.builds(lambda a, b: a + b, st.text(max_size=8), NEAR_VALUES),
)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@given(text=TEXT)
def test_parsers_return_a_value_or_raise_unparsed_value(parse, text):
    try:
        result = parse(text)
    except UnparsedValue as error:
        assert error.text == text
    else:
        assert result is None if is_null_value(text) else WELL_FORMED[parse](result)


def _reformat(text: str, spaces: int) -> str:
    """The same value typed differently: padded, spaces widened, digits full-width."""
    padding = " " * spaces
    return padding + text.replace(" ", " " * (spaces + 1)).translate(FULL_WIDTH_DIGITS) + "\n" + padding


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@given(data=st.data(), spaces=st.integers(min_value=0, max_value=3))
def test_reformatted_twin_reads_the_same(parse, data, spaces):
    text = data.draw(st.sampled_from(VALID[parse]))
    assert parse(_reformat(text, spaces)) == parse(text) is not None


@given(number=st.integers(min_value=1, max_value=999), unit=st.sampled_from(["k", "m", "万"]))
def test_token_units_multiply(number, unit):
    multiplier = {"k": 1_000, "m": 1_000_000, "万": 10_000}[unit]
    assert parse_tokens(f"{number}{unit}") == number * multiplier
    assert parse_tokens(f"{number:,}{unit} tokens".translate(FULL_WIDTH_DIGITS)) == number * multiplier


@given(day=st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31)))
def test_dates_in_every_form_agree(day):
    forms = [
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
        f"{day.isoformat()}",
        f"{day.year}年{day.month}月{day.day}日",
    ]
    assert {parse_date(form) for form in forms} == {(day, "day")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("128k (input)", 128_000),
        ("約100万トークン", 1_000_000),
        ("about 200k tokens", 200_000),
        ("1m tokens (2m in preview)", 1_000_000),
    ],
)
def test_tokens_ignore_asides_and_approximations(text, expected):
    assert parse_tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 2024 (training data)", (datetime.date(2024, 6, 1), "month")),
        ("January 2025 (estimated)", (datetime.date(2025, 1, 1), "year")),
        ("2025年1月（推定）", (datetime.date(2025, 1, 1), "year")),
        ("Expected August 7, 2025", (datetime.date(2025, 8, 1), "month")),
    ],
)
def test_dates_drop_remarks_but_not_their_vagueness(text, expected):
    assert parse_date(text) == expected


# Values in the forms readers write (issue 10) ---------------------------------------------

FW = "０１２３４５６７８９"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # digits of any width or script, and every digit group separator
        ("１２８，０００", 128_000),
        ("١٢٨k", 128_000),  # Arabic-Indic digits
        ("१२८k tokens", 128_000),  # Devanagari digits
        ("128 000 tokens", 128_000),
        ("128\u2009000 tokens", 128_000),  # thin space
        ("128\u00a0000", 128_000),  # no-break space
        ("128\u202f000", 128_000),  # narrow no-break space
        ("1．5m", 1_500_000),  # full-width decimal point
        # English units and words
        ("128K tokens", 128_000),
        ("128 thousand", 128_000),
        ("128 thousand tokens", 128_000),
        ("128,000-token", 128_000),
        ("128k-token", 128_000),
        ("1M", 1_000_000),
        ("1 million", 1_000_000),
        ("1.05M", 1_050_000),
        ("2 billion tokens", 2_000_000_000),
        ("max. 128k tokens", 128_000),
        ("Max 128k", 128_000),
        ("maximum 32,000 tokens", 32_000),
        ("roughly 200k tokens", 200_000),
        ("128k tokens (estimated)", 128_000),
        # Japanese numerals
        ("12万8000", 128_000),
        ("12万8000トークン", 128_000),
        ("12万8千トークン", 128_000),
        ("１２万８千トークン", 128_000),
        ("128千", 128_000),
        ("百万", 1_000_000),
        ("百万トークン", 1_000_000),
        ("十二万八千", 128_000),
        ("1億2000万", 120_000_000),
        ("1.5万", 15_000),
        ("3千5百", 3_500),
        ("最大で12万8000トークン", 128_000),
        ("およそ100万トークン", 1_000_000),
        ("100万トークン程度", 1_000_000),
        ("約100万トークン前後", 1_000_000),
        ("128kトークンまで", 128_000),
        ("上限128,000トークン", 128_000),
        ("128,000トークン（推定）", 128_000),
        # the largest count an int64 column holds
        ("9,223,372,036,854,775,807", 2**63 - 1),
    ],
)
def test_parse_tokens_in_the_forms_readers_write(text, expected):
    assert parse_tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("200k+", "a lower bound: the window is larger by an unknown amount"),
        ("more than 200k", "a lower bound"),
        ("200k以上", "a lower bound"),
        ("1'000", "apostrophes are not digit separators here"),
        ("1,000 000", "one kind of separator per figure"),
        ("12万20000", "what follows 万 must be below 万"),
        ("1千20百", "small units must fall"),
        ("万", "a unit without a figure"),
        ("万12万", "big units must fall"),
        ("999,999,999,999,999m tokens", "beyond int64"),
        ("9,223,372,036,854,775,808", "beyond int64"),
        ("99,999,999兆", "beyond int64"),
        ("1.5 tokens", "not whole"),
    ],
)
def test_parse_tokens_refuses_what_is_not_one_figure(text, why):
    with pytest.raises(UnparsedValue, match="token"):
        parse_tokens(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the Japanese cells that once came out null, and their cousins
        ("およそ163～300", (163.0, 300.0)),
        ("from 117 to 244 tok/s", (117.0, 244.0)),
        ("from 117 tok/s to 244 tok/s", (117.0, 244.0)),
        ("163～300程度", (163.0, 300.0)),
        ("約163〜300トークン/秒", (163.0, 300.0)),
        ("163-300前後", (163.0, 300.0)),
        ("163〜300くらい", (163.0, 300.0)),
        ("約163～300ほど", (163.0, 300.0)),
        ("163～300（推定）", (163.0, 300.0)),
        ("１６３～３００トークン／秒", (163.0, 300.0)),
        ("163から300まで", (163.0, 300.0)),
        ("秒間163〜300トークン", (163.0, 300.0)),
        ("1秒あたり約163トークン", (163.0, 163.0)),
        ("毎秒163トークン程度", (163.0, 163.0)),
        # English
        ("about 160 to 300", (160.0, 300.0)),
        ("163 - 300 (estimated)", (163.0, 300.0)),
        ("approx. 160–300 tokens/s", (160.0, 300.0)),
        ("roughly 150", (150.0, 150.0)),
        ("163—300 tok/s", (163.0, 300.0)),
        ("163‐300", (163.0, 300.0)),  # U+2010 hyphen
        ("163−300", (163.0, 300.0)),  # U+2212 minus
        ("163 tokens/s to 300 tokens/s", (163.0, 300.0)),
        ("between about 163 and about 300 tokens per second", (163.0, 300.0)),
        ("1 000 tok/s", (1000.0, 1000.0)),
        ("~120 tokens/sec", (120.0, 120.0)),
        ("45.5 tokens a second", (45.5, 45.5)),
    ],
)
def test_parse_throughput_in_the_forms_readers_write(text, expected):
    assert parse_throughput(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "up to 300",  # a bound, not a figure: it must not fill both ends
        "max 300 tokens/s",
        "最大300トークン/秒",
        "300まで",  # まで closes only a range opened with から
        "163〜300まで",
        "200+",
        "300以上",
        "163 - 300 tokens/s - 400",
        "163 - - 300",
    ],
)
def test_parse_throughput_refuses_bounds_and_nonsense(text):
    with pytest.raises(UnparsedValue, match="throughput"):
        parse_throughput(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English, day precision
        ("Apr. 14, 2025", (D(2025, 4, 14), "day")),
        ("20-Jun-2024", (D(2024, 6, 20), "day")),
        ("Thursday, June 20, 2024", (D(2024, 6, 20), "day")),
        ("Thu 20 Jun 2024", (D(2024, 6, 20), "day")),
        ("2024-06-20", (D(2024, 6, 20), "day")),
        ("2024/06/20", (D(2024, 6, 20), "day")),
        ("2024.06.20", (D(2024, 6, 20), "day")),
        ("2024-06-20 (GA)", (D(2024, 6, 20), "day")),
        # numeric day and month: only when the order cannot matter
        ("20/06/2024", (D(2024, 6, 20), "day")),
        ("06/20/2024", (D(2024, 6, 20), "day")),
        ("20.06.2024", (D(2024, 6, 20), "day")),
        ("05/05/2024", (D(2024, 5, 5), "day")),
        # month precision
        ("June 2024", (D(2024, 6, 1), "month")),
        ("Jun 2024", (D(2024, 6, 1), "month")),
        ("2024-06", (D(2024, 6, 1), "month")),
        ("2024/6", (D(2024, 6, 1), "month")),
        ("06/2024", (D(2024, 6, 1), "month")),
        # vague: the coarsest precision that is certainly true
        ("Q2 2024", (D(2024, 1, 1), "year")),
        ("mid-2024", (D(2024, 1, 1), "year")),
        ("early 2025", (D(2025, 1, 1), "year")),
        ("late 2024", (D(2024, 1, 1), "year")),
        ("circa 2023", (D(2023, 1, 1), "year")),
        ("ca. 2023", (D(2023, 1, 1), "year")),
        ("c. 2023", (D(2023, 1, 1), "year")),
        ("~2023", (D(2023, 1, 1), "year")),
        ("2025 (estimated)", (D(2025, 1, 1), "year")),
        ("approx. June 2024", (D(2024, 1, 1), "year")),
        # Japanese
        ("2025年4月14日", (D(2025, 4, 14), "day")),
        ("2025年4月14日（月）", (D(2025, 4, 14), "day")),
        ("２０２４年６月２０日（木）", (D(2024, 6, 20), "day")),
        ("2024年6月20日木曜日", (D(2024, 6, 20), "day")),
        ("令和6年6月20日", (D(2024, 6, 20), "day")),
        # JIS X 0301 era initials
        ("R6.6.20", (D(2024, 6, 20), "day")),
        ("R06.06.20", (D(2024, 6, 20), "day")),
        ("H31.4.30", (D(2019, 4, 30), "day")),
        # ordinal quarters and halves: only the year is certain
        ("4th quarter 2024", (D(2024, 1, 1), "year")),
        ("the 2nd half of 2024", (D(2024, 1, 1), "year")),
        ("令和元年5月1日", (D(2019, 5, 1), "day")),
        ("平成31年4月30日", (D(2019, 4, 30), "day")),
        ("平成元年", (D(1989, 1, 1), "year")),
        ("二〇二四年六月二十日", (D(2024, 6, 20), "day")),
        ("令和六年", (D(2024, 1, 1), "year")),
        ("2025年4月", (D(2025, 4, 1), "month")),
        ("2025年", (D(2025, 1, 1), "year")),
        ("2024年半ば", (D(2024, 1, 1), "year")),
        ("2024年初め", (D(2024, 1, 1), "year")),
        ("2024年6月頃", (D(2024, 1, 1), "year")),
        ("2024年6月前後", (D(2024, 1, 1), "year")),
        ("2024年6月予定", (D(2024, 1, 1), "year")),
        ("2024年6月下旬", (D(2024, 6, 1), "month")),
    ],
)
def test_parse_date_in_the_forms_readers_write(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("05/06/2024", "May 6 or June 5"),
        ("5/6/2024", "May 6 or June 5"),
        ("Friday, June 20, 2024", "June 20, 2024 was a Thursday"),
        ("2024年6月20日（金）", "June 20, 2024 was a Thursday"),
        ("Thursday, June 2024", "a weekday names a day"),
        ("令和元年4月", "Reiwa began on May 1, 2019"),
        ("平成32年", "Heisei ended in 2019"),
        ("1800", "outside 1900-2200"),
        ("10000年1月1日", "outside 1900-2200"),
        ("0001-01-01", "outside 1900-2200"),
        ("2024-06/20", "mixed separators"),
        ("June 24", "no year"),
        ("2024年度", "a fiscal year is not a calendar year"),
        ("〜2024年", "until 2024 is a bound"),
    ],
)
def test_parse_date_refuses_what_it_cannot_be_sure_of(text, why):
    with pytest.raises(UnparsedValue, match="date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not publicly disclosed", True),
        ("Undisclosed", True),
        ("未公開", True),
        ("記載なし", True),
        ("他モデルでは最大100トークン/秒", True),
        ("同等のモデルで約163〜300", True),
    ],
)
def test_more_null_words_and_figures_about_other_models(text, expected):
    assert is_null_value(text) is expected
    assert parse_throughput(text) is None


@given(number=st.integers(min_value=1, max_value=9_999), digits=st.sampled_from(["0123456789", FW, "٠١٢٣٤٥٦٧٨٩"]))
def test_japanese_man_groups_read_like_the_figure(number, digits):
    """`N万M` is N*10,000 + M for every M below 10,000, in any digit script."""
    script = str.maketrans("0123456789", digits)
    for rest in (0, 8, 800, 8_000):
        text = f"{number}万{rest}" if rest else f"{number}万"
        assert parse_tokens(text.translate(script) + "トークン") == number * 10_000 + rest
