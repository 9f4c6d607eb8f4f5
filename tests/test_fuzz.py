"""Hypothesis on the parsers and normalizers: any input gives a value or the project's own error.

tests/test_units.py covers each normalizer on its own cell; here the same properties are
checked through a whole card, where markup (bold, code, links) and table layout come in.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extract.card_folder import BlobParser, ParsedFolder, parse_folder
from extract.card_markdown import CardParseError, ParsedCard, decode_card, parse_card
from extract.git_source import MODE_SYMLINK, CardFile
from extract.index_tiles import Tile, parse_index
from extract.sources import LOCALES
from tests.docs_repo import EN_LABELS, JA_LABELS, card_md, index_md, tile_md
from transform.normalize import normalize_card, normalize_snapshot
from transform.tables import FINDINGS, MODELS, records_table, to_table

AT = datetime(2025, 1, 1, tzinfo=UTC)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of real Markdown, YAML and tile HTML, so generated text reaches the parsers' deep paths.
PIECES = [
    "---\n", "rank: ", "rank: 1\n", "&a ", "*a", "[1, [2]]", "? ", "!!python/object ", "\n", "\r\n", "\r", " ", "\t",
    "# ", "## ", "| ", " |", "|---|---|\n", "| Item | Value |\n", "| API model name | `x__y` |\n", "**", "`", "``",
    "[", "]", "(", ")", "[docs][d]", "[d]: https://example.com\n", "<", ">", "</", "<!--", "-->", "<![", "<?", "&amp;",
    "&#", "<Tile title=\"a\" href=\"/x\">", "</Tile>", "<strong>", "</strong>", "<div>", "</div>", "<Message>",
    "\x00", "\ufeff", "\u200b", "１２８", "万", "トークン", "は", "-", ":", "\\", "'", '"', "~", "_", "{", "}",
]  # fmt: skip
SOUP = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
CARD = card_md("acme__alpha", title="Acme Alpha")
INDEX = index_md({"Models": [tile_md("acme__alpha", "/guides/box-ai/ai-models/alpha", "Alpha.", ["Chat", "Beta"])]})


def _mutate(base: str):
    """The real shape with generated text spliced in somewhere."""
    return st.builds(
        lambda at, cut, insert: base[:at] + insert + base[at + cut :],
        st.integers(0, len(base)),
        st.integers(0, 40),
        st.one_of(SOUP, st.text(max_size=20)),
    )


TEXT = st.one_of(st.text(max_size=400), SOUP, _mutate(CARD), _mutate(INDEX))


@FAST
@given(text=TEXT)
def test_parse_card_gives_a_card_or_a_card_parse_error(text):
    try:
        card = parse_card(text, "c.md", "blob")
    except CardParseError as error:
        assert error.path == "c.md" and error.code and "\n" not in error.reason
    else:
        assert isinstance(card, ParsedCard)
        assert all(isinstance(label, str) and isinstance(value, str) for rows in card.tables for label, value in rows)


@FAST
@given(text=TEXT)
def test_index_gives_tiles_or_a_card_parse_error_at_the_pipeline_boundary(text):
    """`BlobParser.index` is how the pipeline reads an index; whatever the text, it never raises."""
    file = CardFile("f/index.md", "blob", 0o100644, len(text.encode()), text.encode())
    result = BlobParser().index(file)
    assert isinstance(result, CardParseError) or all(isinstance(tile, Tile) for tile in result)


@FAST
@given(text=TEXT)
@example(text="Intro <![ text")  # BeautifulSoup, which first read the tiles, rejected this
@example(text="<Tile>&#" + "1" * 5_000 + ";</Tile>")  # html.unescape raised ValueError on this
def test_parse_index_itself_gives_tiles_on_any_text(text):
    tiles = parse_index(text)
    assert isinstance(tiles, list) and all(isinstance(tile, Tile) for tile in tiles)


@FAST
@given(
    data=st.one_of(
        st.binary(max_size=400), TEXT.map(str.encode), st.builds(bytes.__add__, st.binary(), TEXT.map(str.encode))
    )
)
def test_decode_card_gives_text_or_a_card_parse_error(data):
    try:
        text = decode_card(data, "c.md", "blob")
    except CardParseError as error:
        assert error.code in {"binary", "not-utf8", "too-large"}
    else:
        assert text == data.decode("utf-8").removeprefix("\ufeff")


@FAST
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(["a.md", "b c.md", "モデル.md", "index.md", "notes.txt", "-x.md"]),
            st.one_of(st.binary(max_size=200), TEXT.map(str.encode)),
            st.sampled_from([0o100644, 0o100755, MODE_SYMLINK]),
        ),
        max_size=5,
        unique_by=lambda f: f[0],
    )
)
def test_a_folder_of_anything_parses_without_raising(files):
    folder = [CardFile(f"f/{name}", f"blob{i}", mode, len(data), data) for i, (name, data, mode) in enumerate(files)]
    parsed = parse_folder(folder, BlobParser())
    assert [path for path, _ in parsed.cards] == sorted(
        f.path for f in folder if f.path.endswith(".md") and not f.path.endswith("/index.md")
    )
    for _, card in parsed.cards:
        assert isinstance(card, ParsedCard | CardParseError)


# -- a formatted card and its reformatted twin normalize the same ---------------------------

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
VALUES = {
    "category": ["Standard", "Premium", "標準", "プレミアム"],
    "release_date": ["April 14th, 2025", "2025年4月14日", "May 2024", "2024年5月", "2023", "middle of 2021"],
    "knowledge_cutoff": ["May 2024", "2023年12月", "February 24, 2025", "Not specified", "不明"],
    "input_context_tokens": ["128k tokens", "1m tokens", "100万トークン", "128,000トークン", "1,000万", "N/A"],
    "max_output_tokens": ["8k tokens", "32,768 tokens", "8,192トークン", "Not applicable", "該当なし"],
    "throughput": ["87.5", "Estimated between 163 - 300", "163 to 300 tokens per second", "TBD"],
    "open_source": ["Yes", "No", "はい", "いいえ"],
}
TYPED = [
    "category", "release_date", "release_date_precision", "knowledge_cutoff", "knowledge_cutoff_precision",
    "input_context_tokens", "max_output_tokens", "throughput_tps_low", "throughput_tps_high", "open_source",
    "api_name", "model_name", "title", "description", "docs_urls", "rank",
]  # fmt: skip


def _twin(value: str, style: str, spaces: int) -> str:
    pad = " " * spaces
    if style == "bold":
        value = f"**{value}**"
    elif style == "code":
        value = f"`{value}`"
    elif style == "full-width":
        value = value.translate(FULL_WIDTH)
    return pad + value.replace(" ", " " * (spaces + 1)) + pad


@FAST
@given(
    data=st.data(),
    style=st.sampled_from(["bold", "code", "full-width", "plain"]),
    spaces=st.integers(0, 3),
    locale=st.sampled_from(["en", "ja"]),
)
def test_reformatted_card_normalizes_to_the_same_row(data, style, spaces, locale):
    values = {field: data.draw(st.sampled_from(choices), label=field) for field, choices in VALUES.items()}
    twin_values = {field: _twin(value, style, spaces) for field, value in values.items()}
    plain, plain_problems = normalize_card(parse_card(card_md("acme__alpha", locale=locale, **values)))
    twin, twin_problems = normalize_card(parse_card(card_md("acme__alpha", locale=locale, **twin_values)))
    assert {k: twin[k] for k in TYPED} == {k: plain[k] for k in TYPED}
    assert [code for code, _ in twin_problems] == [code for code, _ in plain_problems]


# -- whole cards of random labels and values: nothing escapes, every value fits its column ---

LABELS = sorted(
    {
        *EN_LABELS.values(),
        *JA_LABELS.values(),
        "IP infringement protection",
        "Context length",
        "Max output",
        "Output token limit",
        "Speed",
        "Release date (GA)",
        "Context window (K tokens)",
        "Vendor",
        "Model ID",
        "提供元",
        "公開日",
        "出力上限",
        "Supported regions",
    }
)
EXTREME_VALUES = [
    "999,999,999,999,999m tokens",
    "9,223,372,036,854,775,807",
    "9,223,372,036,854,775,808",
    "999999999999999999b",
    "999,999兆",
    "999999999999999999.999999 tokens/s",
    "999,999,999,999,999,999 - 999,999,999,999,999,999",
    "1e308",
    "NaN",
    "inf",
    "0001-01-01",
    "9999-12-31",
    "10000年1月1日",
    "令和99年",
    "平成元年1月1日",
    "05/06/2024",
    "Thursday, June 21, 2024",
    "12万8千トークン",
    "およそ163～300",
    "-1",
    "0",
]
CELL = st.one_of(
    st.sampled_from([value for values in VALUES.values() for value in values] + EXTREME_VALUES),
    # no lone surrogates: cards are decoded as strict UTF-8
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|\\\n\r`"), max_size=30),
    st.builds(
        str.__add__, st.sampled_from(EXTREME_VALUES), st.text(alphabet="0123456789,.万千kKmM年月日 -~〜", max_size=8)
    ),
)
LABEL = st.one_of(st.sampled_from(LABELS), st.text(alphabet="abcXYZ ()（）出力日", max_size=12))
TABLE = st.lists(st.tuples(LABEL, CELL), min_size=1, max_size=14)


def _card(rows: list[tuple[str, str]]) -> str:
    body = "\n".join(f"| {label} | {value} |" for label, value in rows)
    return f"---\nrank: 1\n---\n# Acme X\n\nA model.\n\n| Item | Value |\n|---|---|\n{body}\n"


def assert_fits(row: dict) -> None:
    """Every typed value is inside its column's type and meaning, beyond what Arrow itself checks."""
    for tokens in (row["input_context_tokens"], row["max_output_tokens"]):
        assert tokens is None or (type(tokens) is int and 0 <= tokens < 2**63)
    low, high = row["throughput_tps_low"], row["throughput_tps_high"]
    assert (low is None) == (high is None)
    assert low is None or (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high)
    for column in ("release_date", "knowledge_cutoff"):
        assert row[column] is None or 1900 <= row[column].year <= 2200
        assert (row[column] is None) == (row[f"{column}_precision"] is None)
        assert row[f"{column}_precision"] in (None, "day", "month", "year")


@FAST
@given(rows=TABLE, locale=st.sampled_from(["en", "ja"]))
@example(rows=[("Input context window", "**999,999,999,999,999m tokens**")], locale="en")
def test_no_card_of_random_labels_and_values_escapes_or_overflows_its_columns(rows, locale):
    try:
        card = parse_card(_card(rows), "c.md", "blob")
    except CardParseError:
        return
    normalize_card(card)  # no exception even before the run's own guard
    folder = LOCALES[locale].cards_folder
    models, findings = normalize_snapshot(
        LOCALES[locale], "c0ffee", AT, ParsedFolder(((folder + "x-model-card.md", card),), None, None)
    )
    assert len(models) == 1 and "normalize-failed" not in {f.code for f in findings}
    assert to_table(models, MODELS).num_rows == 1  # Arrow refuses anything beyond int64 or not a date
    assert records_table(findings, FINDINGS).num_rows == len(findings)
    assert_fits(models[0])
