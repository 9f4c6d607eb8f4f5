"""Tile-grid parsing for the compact English layout and the blank-line-separated Japanese layout."""

from __future__ import annotations

import pytest

from extract.index_tiles import Tile, parse_index

# The real page has a whitespace-only line after the front matter.
EN_INDEX = (
    "---\nrank: 1\nalias_paths:\n  - guides/box-ai/supported-models\n---\n  \n"
    + """\
# Supported models

Intro text.

## Access levels

### Core models

Built in.

## Core Box AI Models

Models below.

<TileGrid rows="2">
    <Tile type="gpt" title="example__nova_2" href="/guides/box-ai/ai-models/example-nova-2-model-card">
      A compact model for
      quick answers.
      <div>
        <strong style="background-color: #e8e8e8">Default for Box AI for Docs</strong>
        <strong style="background-color: #e8e8e8">Chat</strong>
        <strong style="background-color: #e1ffe7">Available</strong>
      </div>
    </Tile>
		<Tile type="palm" title="example__bison_32k" href="/guides/box-ai/ai-models/example-bison-32-card">
			An enhanced **text-bison** model with `32k` context.
			<div>
			<strong style="background-color: #e8e8e8">Chat</strong>
				<strong style="background-color: #f8d59b">Premium</strong>
			</div>
		</Tile>
</TileGrid>

## Customer-enabled models

<TileGrid rows="2">
    <Tile type="model" title="example__grok_beta" href="/guides/box-ai/ai-models/example-grok-card">
      A model for Q&A and extraction.
      <div>
        <strong style="background-color: #f0e2ff">Beta</strong>
      </div>
    </Tile>
</TileGrid>

### Deprecated models

<TileGrid rows="2">
    <Tile type="model" title="example__old" href="/guides/box-ai/ai-models/example-old-model-card">
      An older model.
      <div>
        <strong style="background-color: #e8e8e8">Embeddings</strong>
        <strong style="background-color: #ffd4d4">Deprecated on
          2025-01-09</strong>
      </div>
    </Tile>
</TileGrid>

[ask]: e://post_ai_ask
"""
)

# The same tiles, laid out the way the Japanese translation tooling writes them.
JA_LAYOUT_INDEX = """\
---
rank: 1
alias_paths:
  - guides/box-ai/supported-models
category_id: box-ai
is_index: true
---
# Supported models

Intro text.

## Access levels

### Core models

Built in.

## Core Box AI Models

Models below.

<TileGrid rows="2">

<Tile type="gpt" title="example__nova_2" href="/guides/box-ai/ai-models/example-nova-2-model-card">

A compact model for quick answers.

<div>

<strong style="background-color: #e8e8e8">

Default for Box AI for Docs

</strong>

<strong style="background-color: #e8e8e8">

Chat

</strong>

<strong style="background-color: #e1ffe7">

Available

</strong>

</div>

</Tile>

<Tile type="palm" title="example__bison_32k" href="/guides/box-ai/ai-models/example-bison-32-card">

An enhanced **text-bison** model with `32k` context.

<div>

<strong style="background-color: #e8e8e8">

Chat

</strong>

<strong style="background-color: #f8d59b">

Premium

</strong>

</div>

</Tile>

</TileGrid>

## Customer-enabled models

<TileGrid rows="2">

<Tile type="model" title="example__grok_beta" href="/guides/box-ai/ai-models/example-grok-card">

A model for Q&A and extraction.

<div>

<strong style="background-color: #f0e2ff">

Beta

</strong>

</div>

</Tile>

</TileGrid>

### Deprecated models

<TileGrid rows="2">

<Tile type="model" title="example__old" href="/guides/box-ai/ai-models/example-old-model-card">

An older model.

<div>

<strong style="background-color: #e8e8e8">

Embeddings

</strong>

<strong style="background-color: #ffd4d4">

Deprecated on
2025-01-09

</strong>

</div>

</Tile>

</TileGrid>

[ask]: e://post_ai_ask
"""

HREF = "/guides/box-ai/ai-models/"
EXPECTED_WITHOUT_LINES = [
    (
        "example__nova_2",
        HREF + "example-nova-2-model-card",
        "A compact model for quick answers.",
        "Core Box AI Models",
        ("Default for Box AI for Docs", "Chat", "Available"),
    ),
    (
        "example__bison_32k",
        HREF + "example-bison-32-card",
        "An enhanced text-bison model with 32k context.",
        "Core Box AI Models",
        ("Chat", "Premium"),
    ),
    (
        "example__grok_beta",
        HREF + "example-grok-card",
        "A model for Q&A and extraction.",
        "Customer-enabled models",
        ("Beta",),
    ),
    (
        "example__old",
        HREF + "example-old-model-card",
        "An older model.",
        "Deprecated models",
        ("Embeddings", "Deprecated on 2025-01-09"),
    ),
]


def _without_lines(tiles: list[Tile]) -> list[tuple[object, ...]]:
    return [(t.title, t.href, t.description, t.section, t.pills) for t in tiles]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param(EN_INDEX, [22, 31, 43, 54], id="en-compact"),
        pytest.param(JA_LAYOUT_INDEX, [24, 52, 80, 102], id="ja-blank-lines"),
    ],
)
def test_both_layouts_parse_to_the_same_tiles(text: str, lines: list[int]) -> None:
    tiles = parse_index(text)
    assert _without_lines(tiles) == EXPECTED_WITHOUT_LINES
    assert [t.line for t in tiles] == lines
    source_lines = text.split("\n")
    assert all(source_lines[t.line - 1].lstrip().startswith("<Tile ") for t in tiles)


def test_crlf_keeps_lines_and_values() -> None:
    assert parse_index(EN_INDEX.replace("\n", "\r\n")) == parse_index(EN_INDEX)


JA_INDEX = """\
---
rank: 1
---
# サポートされているAIモデル

<TileGrid rows="2">

<Tile type="gpt" title="example__before_sections" href="/x">

見出しの前のタイル。

</Tile>

</TileGrid>

## Box AIのコアモデル

<TileGrid rows="2">

<Tile type="gpt" title="example__nova_2" href="/guides/box-ai/ai-models/example-nova-2-model-card">

短い回答向けの
小型モデル。

<div>

<strong style="background-color: #e8e8e8">

Box AI for Documentsのデフォルト

</strong>

<strong style="background-color: #e8e8e8">

チャット

</strong>

<strong style="background-color: #e1ffe7">

利用可能

</strong>

</div>

</Tile>

</TileGrid>

## 顧客希望で有効化できるモデル

<TileGrid rows="2">

<Tile type="model" title="example__grok_beta">

<!-- 翻訳メモ -->
企業向けのモデル。

<div>

<strong style="background-color: #f0e2ff">

ベータ

</strong>

</div>

</Tile>

</TileGrid>
"""


GREY = "div[]>strong[style=background-color:#e8e8e8]"


def test_japanese_index() -> None:
    assert parse_index(JA_INDEX) == [
        Tile("example__before_sections", "/x", "見出しの前のタイル。", None, (), 8),
        Tile(
            title="example__nova_2",
            href=HREF + "example-nova-2-model-card",
            description="短い回答向けの 小型モデル。",
            section="Box AIのコアモデル",
            pills=("Box AI for Documentsのデフォルト", "チャット", "利用可能"),
            line=20,
            pill_markup=(GREY, GREY, "div[]>strong[style=background-color:#e1ffe7]"),
        ),
        Tile(
            title="example__grok_beta",
            href=None,
            description="企業向けのモデル。",
            section="顧客希望で有効化できるモデル",
            pills=("ベータ",),
            line=55,
            pill_markup=("div[]>strong[style=background-color:#f0e2ff]",),
        ),
    ]


def test_nearest_heading_wins_whether_h2_or_h3() -> None:
    text = (
        "# Title\n\n## Models\n\n### Deprecated\n\n<Tile title='a'>A</Tile>\n\n"
        "## Back to h2\n\n<Tile title='b'>B</Tile>\n\n#### Too deep\n\n<Tile title='c'>C</Tile>\n"
    )
    tiles = parse_index(text)
    assert [(t.title, t.section, t.line) for t in tiles] == [
        ("a", "Deprecated", 7),
        ("b", "Back to h2", 11),
        ("c", "Back to h2", 15),
    ]


def test_heading_markup_is_kept_as_written() -> None:
    tiles = parse_index("##   Core **Box** models   \n\n<Tile title=' t1 '>text</Tile>\n")
    assert [(t.title, t.section) for t in tiles] == [("t1", "Core **Box** models")]


def test_nested_strong_and_unclosed_tile_do_not_leak() -> None:
    text = (
        "## S\n\n"
        "<Tile title='outer'>Outer text <div><strong>Pill <strong>inner</strong></strong></div>\n"
        "<Tile title='inner-tile'>Inner text <strong>Own pill</strong></Tile>\n"
    )
    outer, inner = parse_index(text)
    assert (outer.description, outer.pills) == ("Outer text", ("Pill inner",))
    assert (inner.description, inner.pills, inner.line) == ("Inner text", ("Own pill",), 4)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\nrank: 1\n---\n# Supported models\n\n## Core\n\nNo tiles yet.\n",
        "## Core\n\n<TileGrid rows='2'>\n</TileGrid>\n\n<div><strong>Not a tile</strong></div>\n",
    ],
)
def test_index_without_tiles(text: str) -> None:
    assert parse_index(text) == []


def test_unclosed_front_matter_reads_whole_page() -> None:
    tiles = parse_index("---\nrank: 1\n## Core\n\n<Tile title='t'>x</Tile>\n")
    assert [(t.title, t.section, t.line) for t in tiles] == [("t", "Core", 5)]


def _one_line(text: str) -> list[tuple[object, ...]]:
    return [(t.title, t.href, t.description, t.pills) for t in parse_index(text)]


@pytest.mark.parametrize(
    ("text", "tiles"),
    [
        pytest.param(
            "<TILE Title='a'>A<br>B<img src=z></br>C</TILE>", [("a", None, "ABC", ())], id="any-case-and-void-elements"
        ),
        pytest.param(
            "<Tile title='a'><div>A <strong>p</div> after</Tile>",
            [("a", None, "A after", ("p",))],
            id="an-end-tag-closes-what-is-open-inside",
        ),
        pytest.param("<Tile title='a'>A</strong></div></p> B</Tile>", [("a", None, "A B", ())], id="stray-end-tags"),
        pytest.param(
            "<Tile title='a'>A<script>x<Tile title='no'></script><style>s</style>"
            "<template>t<Tile title='t'>u</Tile></template><rt>r</rt> B</Tile>",
            [("a", None, "A B", ()), ("t", None, "", ())],
            id="script-style-template-text-is-not-text",
        ),
        pytest.param(
            "<Tile title='a'>A <!-- c --><!DOCTYPE html><?pi?><strong>p<![CDATA[ c]]></strong><![CDATA[d]]> B</Tile>",
            [("a", None, "A B", ("p c",))],
            id="comments-and-declarations-are-not-text-cdata-is-pill-text",
        ),
        pytest.param(
            '<Tile title="Q&amp;A" href=" /x?a=1&amp;b=2 ">Q&amp;A &lt;b&gt; &#65;&#x42;</Tile>',
            [("Q&A", "/x?a=1&b=2", "Q&A <b> AB", ())],
            id="character-references",
        ),
        pytest.param(
            "<Tile title='a' title='b' href>x</Tile>", [("b", "", "x", ())], id="repeated-and-empty-attributes"
        ),
        pytest.param(
            "<Tile title='outer'>O <strong>pill <Tile title='inner'>I <strong>own</strong></Tile> end</strong>"
            " after</Tile>",
            [("outer", None, "O after", ("pill I own end",)), ("inner", None, "I", ("own",))],
            id="a-pill-holds-a-tile-nested-in-it",
        ),
        pytest.param(
            "<Tile title='a'/>text<Tile title='b'>B", [("a", None, "", ()), ("b", None, "B", ())], id="self-closed-tile"
        ),
    ],
)
def test_html_is_read_the_way_the_tree_it_replaced_read_it(text: str, tiles: list[tuple[object, ...]]) -> None:
    """Cases checked against the BeautifulSoup (html.parser) reading that came before."""
    assert _one_line(text) == tiles


@pytest.mark.parametrize(
    ("text", "tiles"),
    [
        # BeautifulSoup rejected `<![` followed by anything but a known keyword (ParserRejectedMarkup).
        pytest.param(
            "## S\n\nIntro <![ if ]> x\n\n<Tile title='a'>A</Tile>\n",
            [("a", None, "A", ())],
            id="unknown-marked-section",
        ),
        pytest.param("Intro <![ text\n", [], id="unfinished-marked-section"),
        # `&#` and thousands of digits made html.unescape raise ValueError (Python's int digit limit).
        pytest.param(
            '<Tile title="&#00000000065;">&#' + "9" * 5_000 + ";</Tile>", [("A", None, "\ufffd", ())], id="long-charref"
        ),
        # A comment or tag left open runs to the end of the page, as in HTML5 (not reread as text).
        pytest.param("<Tile title='a'>A <!-- open <Tile title='b'>B</Tile>", [("a", None, "A", ())], id="open-comment"),
        pytest.param("<Tile title='a'>A <b c='d", [("a", None, "A", ())], id="open-tag"),
        pytest.param("<a " * 20_000 + "<Tile title='a'>A</Tile>", [], id="thousands-of-open-tags"),
    ],
)
def test_markup_that_used_to_fail_or_crawl(text: str, tiles: list[tuple[object, ...]]) -> None:
    assert _one_line(text) == tiles


def test_tiles_nested_thousands_deep_each_keep_their_own_text() -> None:
    tiles = parse_index("<Tile title='t'>x <strong>p</strong>" * 5_000)
    assert len(tiles) == 5_000
    assert all((t.description, t.pills) == ("x", ("p",)) for t in tiles)


@pytest.mark.parametrize(
    ("strong", "signature"),
    [
        pytest.param(
            '<div><strong style="background-color: #E8E8E8">p</strong></div>',
            "div[]>strong[style=background-color:#e8e8e8]",
            id="case-and-spacing-folded",
        ),
        pytest.param(
            "<div><strong style='color:red;  background-color:#fff;'>p</strong></div>",
            "div[]>strong[style=background-color:#fff;color:red]",
            id="style-declarations-sorted",
        ),
        pytest.param(
            '<span class="pill  Compliance" data-x="1"><STRONG>p</STRONG></span>',
            "span[class=compliance pill,data-x=1]>strong[]",
            id="wrapper-attributes-count-class-names-sorted",
        ),
        pytest.param("<strong title='x' hidden>p</strong>", "tile[]>strong[hidden,title=x]", id="tile-wrapper-by-name"),
    ],
)
def test_each_pill_carries_its_markup_signature(strong: str, signature: str) -> None:
    (tile,) = parse_index(f"<Tile title='t' href='/guides/x'>{strong}</Tile>")
    assert (tile.pills, tile.pill_markup) == (("p",), (signature,))


def test_markup_runs_parallel_to_pills_and_skips_empty_ones() -> None:
    (tile,) = parse_index(
        "<Tile title='t'><div><strong style='a:1'>A</strong><strong style='b:2'> </strong>"
        "<strong style='c:3'>C</strong></div></Tile>"
    )
    assert tile.pills == ("A", "C")
    assert tile.pill_markup == ("div[]>strong[style=a:1]", "div[]>strong[style=c:3]")


def test_both_layouts_give_the_same_markup() -> None:
    assert [t.pill_markup for t in parse_index(EN_INDEX)] == [t.pill_markup for t in parse_index(JA_LAYOUT_INDEX)]
    assert parse_index(EN_INDEX)[0].pill_markup == (GREY, GREY, "div[]>strong[style=background-color:#e1ffe7]")
