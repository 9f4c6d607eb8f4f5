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
        ("Not specified, similar models offer up to 100 tokens per second", True),
        ("指定なし。類似のモデルでは1秒あたり最大100トークンを提供", True),
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
        ("Not specified, similar models offer up to 100 tokens per second", None),
        ("指定なし", None),
        ("指定なし。類似のモデルでは1秒あたり最大100トークンを提供", None),
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
