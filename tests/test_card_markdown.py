"""Card parsing against small hand-written cards shaped like the real English and Japanese ones."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.card_markdown import (
    MAX_CARD_BYTES,
    CardParseError,
    ParsedCard,
    decode_card,
    parse_card,
    split_front_matter,
)
from extract.index_tiles import strip_markup
from tests import reference_card_markdown as reference

EN_CARD = """\
---
rank: 7
related_guides:
  - box-ai/ai-tutorials/ask-questions
  - box-ai/ai-agents/get-agent-default-config
---
# Example Cloud Nova 2

**Example Cloud Nova 2** is a compact model
for *quick* answers.

<Message type='warning'>
  This model is in a test phase.
</Message>

## Model details

| Item  | Value | Description |
|-----------|----------|----------|
|Model name|**Nova 2**| The name of the model. |
| Model category | Standard | The category of the model. |
|API model name|`example__nova_2`| Used in the [Box AI API for model overrides][overrides]. |
|Hosting layer| **Example Cloud** | See the [hosting page](https://cloud.example.com/hosting). |
|Release date|**April 14th, 2025** | The release date.|
|Input context window || The number of tokens.|
|Maximum output tokens |**32k tokens** |Tokens per request.|
|Empirical throughput| Fast \\| cheap | Tokens per second.|
|Open source | **No** | See [the notes][missing-ref].|

## Additional documentation

For details, see [official Nova docs][nova-docs], <https://status.example.com/>,
[the same docs again](https://docs.example.com/nova), the [overrides guide][overrides]
and the [ask endpoint](e://post_ai_ask).

[nova-docs]: https://docs.example.com/nova
[overrides]: g://box-ai/ai-agents/ai-agent-overrides
[unused]: https://unused.example.com/
"""

EN_EXPECTED = ParsedCard(
    rank=7,
    rank_raw="7",
    title="Example Cloud Nova 2",
    description="Example Cloud Nova 2 is a compact model for quick answers.",
    tables=(
        (
            ("Model name", "Nova 2"),
            ("Model category", "Standard"),
            ("API model name", "example__nova_2"),
            ("Hosting layer", "Example Cloud"),
            ("Release date", "April 14th, 2025"),
            ("Input context window", ""),
            ("Maximum output tokens", "32k tokens"),
            ("Empirical throughput", "Fast | cheap"),
            ("Open source", "No"),
        ),
    ),
    docs_urls=(
        "https://cloud.example.com/hosting",
        "https://docs.example.com/nova",
        "https://status.example.com/",
    ),
)

# Japanese layout: translated labels, padded columns, blank-line-separated notice before the intro.
JA_CARD = """\
---
rank: 3
related_guides:
  - box-ai/ai-tutorials/ask-questions
id: box-ai/ai-models/example-nova-2-model-card
source_url: >-
  https://github.example.com/docs/blob/main/example-nova-2-model-card.md
fullyTranslated: true
---
# Example Cloud Nova 2

<Message type="warning">

このモデルはテスト中です。

</Message>

**Example Cloud Nova 2**は、
短い回答向けの小型モデルです。

## モデルの詳細

| 項目            | 値                     | 説明                      |
| ------------- | --------------------- | ----------------------- |
| モデル名          | **Nova 2**            | モデルの名前。                 |
| モデルのカテゴリ      | プレミアム                 | モデルのカテゴリ。               |
| APIモデル名       | `example__nova_2`     | [モデルの上書き][overrides]に使用。 |
| リリース日         | **2025年4月14日**        | モデルのリリース日。              |
| 入力コンテキストウィンドウ | **100万トークン**          | トークン数。                  |
| 出力トークンの最大数    | **32,000トークン**        | トークン数。                  |
| オープンソース       | **いいえ**               | 公開されているかどうか。            |

## その他のドキュメント

詳細については、[Nova の公式ドキュメント][nova-docs]を参照してください。

[nova-docs]: https://docs.example.com/nova

[overrides]: g://box-ai/ai-agents/ai-agent-overrides
"""

JA_EXPECTED = ParsedCard(
    rank=3,
    rank_raw="3",
    title="Example Cloud Nova 2",
    description="Example Cloud Nova 2は、 短い回答向けの小型モデルです。",
    tables=(
        (
            ("モデル名", "Nova 2"),
            ("モデルのカテゴリ", "プレミアム"),
            ("APIモデル名", "example__nova_2"),
            ("リリース日", "2025年4月14日"),
            ("入力コンテキストウィンドウ", "100万トークン"),
            ("出力トークンの最大数", "32,000トークン"),
            ("オープンソース", "いいえ"),
        ),
    ),
    docs_urls=("https://docs.example.com/nova",),
)

# A translated card that still carries the English labels and values, under a sub-heading intro.
JA_ENGLISH_LABELS_CARD = """\
---
rank: 12
fullyTranslated: true
---
# Example Embed 3

## 概要

**Example Embed 3**は埋め込みモデルです。

## モデルの詳細

| 項目                    | Value                 | 説明                     |
| --------------------- | --------------------- | ---------------------- |
| Model name            | **Example Embed 3**   | The name of the model. |
| API model name        | `example__embed_3`    | The API name.          |
| Input context window  |                       | The number of tokens.  |
| Maximum output tokens | **Not applicable**    | Tokens per request.    |
| Open source           | **いいえ**               | Public or not.         |
"""

JA_ENGLISH_LABELS_EXPECTED = ParsedCard(
    rank=12,
    rank_raw="12",
    title="Example Embed 3",
    description="Example Embed 3は埋め込みモデルです。",
    tables=(
        (
            ("Model name", "Example Embed 3"),
            ("API model name", "example__embed_3"),
            ("Input context window", ""),
            ("Maximum output tokens", "Not applicable"),
            ("Open source", "いいえ"),
        ),
    ),
    docs_urls=(),
)

NO_FRONT_MATTER_CARD = """\
# Bare Model

Intro with a hard break\\
and a [link](HTTPS://Upper.Example.com/x).

| Item | Value |
|---|---|
| Model name | Bare |
| API model name | `bare__model` |
"""

NO_FRONT_MATTER_EXPECTED = ParsedCard(
    rank=None,
    rank_raw=None,
    title="Bare Model",
    description="Intro with a hard break and a link.",
    tables=((("Model name", "Bare"), ("API model name", "bare__model")),),
    docs_urls=("HTTPS://Upper.Example.com/x",),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(EN_CARD, EN_EXPECTED, id="en-compact"),
        pytest.param(JA_CARD, JA_EXPECTED, id="ja-padded"),
        pytest.param(JA_ENGLISH_LABELS_CARD, JA_ENGLISH_LABELS_EXPECTED, id="ja-english-labels"),
        pytest.param(NO_FRONT_MATTER_CARD, NO_FRONT_MATTER_EXPECTED, id="no-front-matter"),
    ],
)
def test_parse_card_exact(text: str, expected: ParsedCard) -> None:
    assert parse_card(text, "cards/x.md", "abc123") == expected


def test_crlf_and_bom_do_not_change_the_result() -> None:
    assert parse_card("\ufeff" + EN_CARD.replace("\n", "\r\n")) == EN_EXPECTED


@pytest.mark.parametrize(
    ("rank_yaml", "rank", "rank_raw"),
    [
        ("rank: 5", 5, "5"),
        ("rank: '12'", 12, "12"),
        ("rank: ' -4 '", -4, "-4"),
        ("rank: first", None, "first"),
        ("rank: 1.5", None, "1.5"),
        ("rank: true", None, "True"),
        ("rank: 99999999999999999999", None, "99999999999999999999"),
        ("rank:", None, None),
        ("title: no rank here", None, None),
    ],
)
def test_rank(rank_yaml: str, rank: int | None, rank_raw: str | None) -> None:
    card = parse_card(f"---\n{rank_yaml}\n---\n| a | b |\n|---|---|\n| x | y |\n")
    assert (card.rank, card.rank_raw) == (rank, rank_raw)


def test_empty_front_matter_is_no_rank() -> None:
    card = parse_card("---\n---\n# T\n\n| a | b |\n|---|---|\n")
    assert (card.rank, card.rank_raw, card.title, card.tables) == (None, None, "T", ((),))


ALIAS_BOMB = """\
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
rank: 1
"""


@pytest.mark.parametrize(
    ("front", "reason_part"),
    [
        pytest.param("rank: [1, 2\n", "not valid YAML", id="broken-yaml"),
        pytest.param("rank: 1\n  bad: indent\n", "not valid YAML", id="bad-indent"),
        pytest.param(ALIAS_BOMB, "anchors and aliases are not allowed", id="alias-bomb"),
        pytest.param("base: &base 1\nrank: *base\n", "anchors and aliases are not allowed", id="single-alias"),
        pytest.param("- 1\n- 2\n", "is a list, not a mapping", id="list"),
        pytest.param("just words\n", "is a str, not a mapping", id="scalar"),
        pytest.param("when: 2025-02-30\n", "cannot be loaded", id="impossible-date"),
        pytest.param("x: !!python/object:os.system ls\n", "not valid YAML", id="unsafe-tag"),
    ],
)
def test_front_matter_invalid(front: str, reason_part: str) -> None:
    text = f"---\n{front}---\n# T\n\n| a | b |\n|---|---|\n| x | y |\n"
    with pytest.raises(CardParseError) as info:
        parse_card(text, "ai-models/bad.md", "deadbeef")
    err = info.value
    assert (err.code, err.path, err.blob) == ("front-matter-invalid", "ai-models/bad.md", "deadbeef")
    assert reason_part in err.reason
    assert str(err) == f"ai-models/bad.md: {err.reason}"
    assert "\n" not in str(err)


def test_unclosed_front_matter_is_invalid() -> None:
    with pytest.raises(CardParseError) as info:
        parse_card("---\nrank: 1\n# T\n\n| a | b |\n|---|---|\n")
    assert info.value.code == "front-matter-invalid"


def test_missing_table() -> None:
    with pytest.raises(CardParseError) as info:
        parse_card("---\nrank: 1\n---\n# T\n\nNo details here.\n\n- a list | not a table\n", "c.md", "b1")
    assert info.value.code == "details-table-missing"
    assert str(info.value) == "c.md: card has no Markdown table of model details"


def test_error_survives_pickling() -> None:
    err = CardParseError("p.md", "b", "binary", "some reason")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.path, copy.blob, copy.code, copy.reason, str(copy)) == (
        "p.md",
        "b",
        "binary",
        "some reason",
        "p.md: some reason",
    )


def test_description_skips_headings_and_html_until_the_table() -> None:
    text = "# T\n\n<div>\n\nInside a wrapper.\n\n</div>\n\n## Overview\n\nThe *real* intro.\n\n|a|b|\n|-|-|\n"
    assert parse_card(text).description == "The real intro."
    assert parse_card("# T\n\n## Model details\n\n|a|b|\n|-|-|\n\nAfter the table.\n").description is None


def test_title_is_first_h1_and_a_row_can_be_short() -> None:
    text = "## Not the title\n\n# The `x` Title\n\n# Second\n\n| only |\n|---|\n| one |\n"
    card = parse_card(text)
    assert (card.title, card.tables) == ("The x Title", ((("one", ""),),))


def test_every_table_is_read_in_order() -> None:
    text = "# T\n\n| a | b |\n|---|---|\n| k1 | v1 |\n\n| c | d |\n|---|---|\n| k2 | v2 |\n"
    assert parse_card(text).tables == ((("k1", "v1"),), (("k2", "v2"),))


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("**GPT-4.1 mini**", "GPT-4.1 mini"),
        ("`azure__openai__gpt_4.1_mini`", "azure__openai__gpt_4.1_mini"),
        ("An enhanced **text-bison** model", "An enhanced text-bison model"),
        ("see [the docs](https://example.com/d)", "see the docs"),
        ("see [the docs][undefined-ref] now", "see the docs now"),
        ("[**bold** ref][nope]", "bold ref"),
        ("`list[0][1]` stays", "list[0][1] stays"),
        ("  spaced\n  over\tlines  ", "spaced over lines"),
        ("*em* and _em_ and snake_case_name", "em and em and snake_case_name"),
        ("<https://example.com/a>", "https://example.com/a"),
        ("a <br> b", "a <br> b"),
        ("Fish &amp; chips \\*not em\\*", "Fish & chips *not em*"),
        ("", ""),
    ],
)
def test_strip_markup(markdown: str, plain: str) -> None:
    assert strip_markup(markdown) == plain


def test_split_front_matter_counts_lines() -> None:
    assert split_front_matter("---\na: 1\nb: 2\n---\n# T\n") == ("a: 1\nb: 2", "# T\n", 4)
    assert split_front_matter("# T\n---\n") == (None, "# T\n---\n", 0)


# --- decode_card -----------------------------------------------------------------------------


def test_decode_card_plain_and_bom() -> None:
    assert decode_card("# モデル\n".encode()) == "# モデル\n"
    assert decode_card(b"\xef\xbb\xbf# T\n") == "# T\n"


def test_decode_card_accepts_exactly_the_limit() -> None:
    assert len(decode_card(b"a" * MAX_CARD_BYTES)) == MAX_CARD_BYTES


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"a" * (MAX_CARD_BYTES + 1), "too-large", id="too-large"),
        pytest.param(b"# T\x00\x01\x02", "binary", id="nul-bytes"),
        pytest.param("# Modèle\n".encode("latin-1"), "not-utf8", id="latin-1"),
        pytest.param("# モデル\n".encode("shift_jis"), "not-utf8", id="shift-jis"),
        pytest.param(b"\x00" * (MAX_CARD_BYTES + 1), "too-large", id="size-checked-first"),
    ],
)
def test_decode_card_refuses(data: bytes, code: str) -> None:
    with pytest.raises(CardParseError) as info:
        decode_card(data, "ai-models/x.md", "f00d")
    assert (info.value.code, info.value.path, info.value.blob) == (code, "ai-models/x.md", "f00d")
    assert str(info.value).startswith("ai-models/x.md: ")


# The compiled parser must read as the markdown-it one it replaced, on any input, not only on
# the cards we wrote (tests/test_card_parser_equivalence.py proves it on every real card).
def _texts(*pieces: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=30).map("".join)


# The two part ways on a few bracket forms no card writes: `[ref](` (a defined ref, then an
# unclosed paren) is a link and text by the CommonMark spec, which pulldown-cmark follows and
# markdown-it-py does not; `[ref]\[ref]` is one link to pulldown-cmark, a link and text to the spec.
# Nor do they agree on stray brackets around a link (`[ref][[ref]]`). So escapes, parentheses and
# stray brackets stay out of the comparison; whole links stay in, and the written cards cover the rest.
_NO_ESCAPES = _texts(*"ab 1\n.:-|!<>&*_`/", "http://x.io", "&amp;", "[ref]", "<https://a.io>", "[x][ref]")


def _line(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


@given(_NO_ESCAPES, st.lists(st.tuples(_NO_ESCAPES, _NO_ESCAPES), min_size=1, max_size=4))
def test_a_card_reads_as_with_the_markdown_it_parser_it_replaced(paragraph, cells):
    rows = "\n".join(f"| {_line(label) or 'Model name'} | {_line(value)} |" for label, value in cells)
    card = f"# {_line(paragraph)}\n\n{paragraph}\n\n| Item | Value |\n|--|--|\n{rows}\n\n[ref]: https://ref.example\n"
    assert _reading(parse_card, card) == _reading(reference.parse_card, card)


def _reading(parser, card: str) -> ParsedCard | str:
    try:
        return parser(card)
    except CardParseError as exc:  # a paragraph of ``` fences the table away, for both
        return exc.code


# Without HTML of its own, a card is read from pulldown-cmark's HTML instead of its events. Both
# are one parse, so here nothing stays out: escapes, brackets, entities, lists, quotes, code, images.
_BODY_PIECES = (
    *"ab 1\n.:-|!>&*_`/\\()[]#~\t=\"'",
    *("\n\n", "\n- ", "\n1. ", "\n> ", "\n    ", "\n```\n", "\n# ", "\n## ", "\n---\n", "  \n", "\u3000"),
    *("http://x.io", "](https://a.io/é q)", "&amp;", "&lt;", "&quot;", "&#x27;", "&copy", "[ref]", "[x][nope]"),
    *("![alt `c`](i.png)", "**b**", "`co [d][e]`", "é"),
    *("\n| Item | Value |\n|--|:-:|\n", "\n| a | b |", "| `x` | **y** |\n", "|", "\n\n[ref]: https://ref.example\n"),
)


@given(st.lists(st.sampled_from(_BODY_PIECES), max_size=60).map("".join))
def test_a_body_reads_the_same_from_html_and_from_events(body):
    from extract.card_markdown import _PARSER, _read_events, _read_html

    from_html = _read_html(_PARSER.html(body))
    if from_html is None:  # an image: its alt text is read from events
        assert "![" in body
    else:
        assert from_html == _read_events(body)


def test_a_body_with_html_of_its_own_is_read_from_events():
    from extract.card_markdown import _read_body, _read_events

    body = "# T\n\n<Message>\n\nA notice.\n\n</Message>\n\nIntro <b>bold</b>.\n\n| a | b |\n|--|--|\n| x | <br> y |\n"
    assert _read_body(body) == _read_events(body)
    assert _read_body(body).blocks[1] == ("html", "<Message>\n")
