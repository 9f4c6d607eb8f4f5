"""Rewrite the real HEAD cards and index in other real-world forms, and check they read the same.

Why: the parser's word lists were grown from the forms the docs happened to use. The test
must not share them, or it would only check the lists against themselves. So the real HEAD
of both locales is read once unmodified (the baseline: what each cell means), then rewritten
from those typed values in forms taken from public conventions (`tests/open_world_forms.py`),
and read again. Every rewritten cell must read as its baseline, except where the contract
says a form changes the value (a vague date is only year-certain; a range fills both ends;
a new compliance pill is listed as written); those expectations are computed here by the
contract's rule, never asked of the parser.

Each variant gives every card a different, seeded mix of rewrites: a row gets either a new
label or a new value (never both, so a failure names one form); a tile gets at most one
availability rewrite plus, on some tiles, compliance pills styled alike. Variants are added
until every form that fits some real value has been used.
"""

from __future__ import annotations

import datetime
import random
import re
import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from extract.card_folder import ParsedFolder
from extract.card_markdown import parse_card
from extract.index_tiles import parse_index
from extract.sources import LOCALES
from tests import open_world_forms as F
from transform.normalize import normalize_snapshot

LANG = {"en": "en", "ja": "ja"}  # the language each locale's rewrites are written in
MIN_VARIANTS, MAX_VARIANTS = 3, 12
LABEL_SHARE = 0.3  # rows that get a new label instead of a new value
TEXT_LABEL_SHARE = 0.5  # text rows (names, provider) have no value forms: only their label changes
COMPLIANCE_STYLE = "#d6ecff"  # a colour no HEAD pill uses: the compliance group's own
DEPRECATION_STYLE = "#999999"  # the colour deprecation pills had in the docs' history
AT = datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC)

# The details labels the HEAD cards use: facts of the real docs, checked against the baseline run
# by test_the_generator_reads_the_head_as_the_pipeline_does.
HEAD_LABELS: dict[str, str] = {
    "Model name": "model_name",
    "Model category": "category",
    "API model name": "api_name",
    "Hosting layer": "hosting_layer",
    "Model provider": "provider",
    "Release date": "release_date",
    "Knowledge cutoff date": "knowledge_cutoff",
    "Input context window": "input_context_tokens",
    "Maximum output tokens": "max_output_tokens",
    "Empirical throughput": "throughput",
    "Open source": "open_source",
    "IP infringement protection": "ip_infringement_protection",
    "モデル名": "model_name",
    "モデルのカテゴリ": "category",
    "APIモデル名": "api_name",
    "ホスティングレイヤー": "hosting_layer",
    "モデルプロバイダ": "provider",
    "リリース日": "release_date",
    "ナレッジカットオフ日": "knowledge_cutoff",
    "入力コンテキストウィンドウ": "input_context_tokens",
    "出力トークンの最大数": "max_output_tokens",
    "経験に基づいたスループット": "throughput",
    "オープンソース": "open_source",
    "知的財産侵害からの保護": "ip_infringement_protection",
}
# The availability pills of the HEAD index, by what they mean.
HEAD_AVAILABILITY = {"Available": "available", "Preview": "preview", "Beta": "beta"} | {
    "利用可能": "available",
    "プレビュー": "preview",
    "ベータ": "beta",
}
TEXT_FIELDS = ("model_name", "api_name", "hosting_layer", "provider")
DATE_FIELDS = ("release_date", "knowledge_cutoff")
TOKEN_FIELDS = ("input_context_tokens", "max_output_tokens")
BOOL_FIELDS = ("open_source", "ip_infringement_protection")
CARD_FIELDS = (*TEXT_FIELDS, "category", *DATE_FIELDS, *TOKEN_FIELDS, "throughput", *BOOL_FIELDS)
PILL_FIELDS = (
    "tile_api_name",
    "access_level",
    "availability",
    "deprecated_on",
    "tier",
    "capabilities",
    "compliance",
    "default_for",
)
SET_FIELDS = ("availability", "capabilities", "compliance", "default_for")


# -- reading the real HEAD ----------------------------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def head_folders(bundle: Path, work: Path) -> dict[str, dict[str, str]]:
    """File name -> text of each locale's card folder at its branch head."""
    bare = work / "bundle.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(bare)], check=True, capture_output=True)
    folders = {}
    for locale, stream in LOCALES.items():
        names = git(bare, "ls-tree", "--name-only", f"{stream.branch}:{stream.cards_folder}").split()
        folders[locale] = {
            name: git(bare, "show", f"{stream.branch}:{stream.cards_folder}{name}")
            for name in names
            if name.endswith(".md")
        }
    return folders


def normalize_folder(locale: str, files: dict[str, str]) -> tuple[dict[str, dict], list[tuple[str | None, str]]]:
    """The models rows (by card id) and (card id, message) findings of one folder, read in-process."""
    stream = LOCALES[locale]
    cards = tuple(
        (stream.cards_folder + name, parse_card(text, stream.cards_folder + name))
        for name, text in sorted(files.items())
        if name != "index.md"
    )
    index = parse_index(files["index.md"]) if "index.md" in files else None
    folder = ParsedFolder(cards, stream.cards_folder + "index.md" if index is not None else None, index)
    rows, findings = normalize_snapshot(stream, "0" * 40, AT, folder)
    return {row["card_id"]: row for row in rows}, [(f.card_id, f.message) for f in findings]


def card_id_of(name: str) -> str:
    return "box-ai/ai-models/" + name.removesuffix(".md")


# -- the details table as Markdown lines ----------------------------------------------------------------
@dataclass(frozen=True)
class TableRow:
    line: int
    label: str  # plain text
    value: str  # plain text
    bold: bool


def plain(cell: str) -> str:
    return cell.replace("**", "").replace("`", "").strip()


def details_rows(text: str) -> list[TableRow]:
    """Data rows of the first Markdown table (every HEAD card's details table is its first)."""
    rows: list[TableRow] = []
    lines = text.split("\n")
    in_table = False
    for number, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            if in_table:
                break
            continue
        if not in_table:
            in_table = True
            continue  # the header row
        cells = line.split("|")
        if set(cells[1].strip()) <= set("-: "):
            continue  # the separator row
        rows.append(TableRow(number, plain(cells[1]), plain(cells[2]), cells[2].strip().startswith("**")))
    return rows


def replace_cell(text: str, row: TableRow, column: int, new: str) -> str:
    """The card text with one cell of `row` (1 = label, 2 = value) replaced, bold kept on values."""
    lines = text.split("\n")
    cells = lines[row.line].split("|")
    cells[column] = f" **{new}** " if column == 2 and row.bold else f" {new} "
    lines[row.line] = "|".join(cells)
    return "\n".join(lines)


# -- the index's tiles and pills --------------------------------------------------------------------------
TILE = re.compile(r"<Tile\b[^>]*?\btitle=\"([^\"]*)\"[^>]*>(.*?)</Tile>", re.S)
PILL = re.compile(r"<strong style=\"background-color: (#[0-9a-fA-F]+)\">(\s*)(.*?)(\s*)</strong>", re.S)


@dataclass
class TileEdit:
    """What to do to one tile: replace pill texts (by position), add pills (text, style)."""

    replace: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # index -> (text, style)
    add: list[tuple[str, str]] = field(default_factory=list)


def tile_pills(index_text: str) -> dict[str, list[str]]:
    """Tile title -> its pill texts, whitespace folded."""
    return {
        tile.group(1): [" ".join(p.group(3).split()) for p in PILL.finditer(tile.group(2))]
        for tile in TILE.finditer(index_text)
    }


def edit_index(index_text: str, edits: dict[str, TileEdit]) -> str:
    """Apply the edits to the tiles they name, keeping each tile's own layout."""
    out, last = [], 0
    for tile in TILE.finditer(index_text):
        edit = edits.get(tile.group(1))
        if edit is None:
            continue
        body_start = tile.start(2)
        body = tile.group(2)
        pills = list(PILL.finditer(body))
        parts, pos = [], 0
        for n, pill in enumerate(pills):
            if n in edit.replace:
                text, style = edit.replace[n]
                parts.append(body[pos : pill.start()])
                parts.append(_pill(style or pill.group(1), pill.group(2), text, pill.group(4)))
                pos = pill.end()
        if edit.add and pills:
            tail = pills[-1]
            parts.append(body[pos : tail.end()])
            gap = body[pills[-2].end() : tail.start()] if len(pills) > 1 else "\n"
            for text, style in edit.add:
                parts.append(gap + _pill(style, tail.group(2), text, tail.group(4)))
            pos = tail.end()
        parts.append(body[pos:])
        out.append(index_text[last:body_start] + "".join(parts))
        last = tile.end(2)
    out.append(index_text[last:])
    return "".join(out)


def _pill(style: str, before: str, text: str, after: str) -> str:
    return f'<strong style="background-color: {style}">{before}{text}{after}</strong>'


# -- forms and values ---------------------------------------------------------------------------------------
def widen(text: str) -> str:
    return text.translate(F.FULLWIDTH)


def render(form: F.Form, fields: dict[str, Any]) -> str | None:
    """The form written for a value, or None where the form does not fit it."""
    try:
        text = form.template.format(**fields)
    except KeyError:
        return None
    return widen(text) if form.fullwidth else text


def date_forms(precision: str, lang: str) -> list[F.Form]:
    """Forms that state the date at its own precision, or vaguely at a coarser one."""
    order = {"day": 0, "month": 1}
    return [
        form
        for form in F.DATE_FORMS
        if form.lang == lang and (form.needs == precision or (form.vague and order[form.needs] >= order[precision]))
    ]


def expected_date(value: datetime.date, precision: str, form: F.Form) -> tuple[datetime.date, str]:
    """The contract: a vague date is stored at the coarsest precision that is certainly true."""
    if not form.vague:
        return value, precision
    if form.certain == "month":
        return value.replace(day=1), "month"
    return datetime.date(value.year, 1, 1), "year"


def range_high(low: float) -> float:
    """A deterministic top end for a single HEAD figure turned into a range."""
    return round(low * 2 + 10, 1)


# -- cases ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One rewritten cell or tile column and what it must read as."""

    variant: int
    locale: str
    card_id: str
    column: str  # a CARD_FIELDS / PILL_FIELDS name
    family: str
    form: str  # the template (or label) used
    written: str  # the text as written into the card or pill
    expected: Any
    label: str | None = None  # for label cases: the new label


@dataclass(frozen=True)
class Outcome:
    case: Case
    got: Any
    status: str  # right, wrong, lost (null or raw, with a finding naming it), silent (lost, no finding)

    def expected_text(self) -> str:
        value = self.case.expected
        return repr(sorted(value)) if isinstance(value, set) else repr(value)


class Planner:
    """Hands out forms round-robin per (kind, language), so every form gets used across variants."""

    def __init__(self) -> None:
        self.turns: dict[tuple[str, str], int] = defaultdict(int)
        self.used: set[tuple[str, str, str]] = set()  # (kind, lang, template)

    def pick(self, kind: str, lang: str, forms: Sequence[Any], fits: Callable[[Any], bool]) -> Any | None:
        """The next form of `forms` (in turn) that fits the value; None if none does."""
        if not forms:
            return None
        start = self.turns[(kind, lang)]
        for step in range(len(forms)):
            form = forms[(start + step) % len(forms)]
            if fits(form):
                self.turns[(kind, lang)] = start + step + 1
                self.used.add((kind, lang, _key(form)))
                return form
        return None


def _key(form: Any) -> str:
    return form.template if isinstance(form, F.Form) else str(form)


def all_forms() -> list[tuple[str, str, str, str]]:
    """(kind, lang, template, family) of every form in the table, for the coverage check."""
    out = []
    for kind, forms in (
        ("date", F.DATE_FORMS),
        ("tokens", F.TOKEN_FORMS),
        ("throughput", F.THROUGHPUT_FORMS),
        ("none", F.NONE_FORMS),
        ("true", F.TRUE_FORMS),
        ("false", F.FALSE_FORMS),
        ("standard", F.STANDARD_FORMS),
        ("premium", F.PREMIUM_FORMS),
        ("deprecation", F.DEPRECATION_FORMS),
    ):
        out += [(kind, f.lang, f.template, f.family) for f in forms]
    for fld, by_lang in F.LABEL_SYNONYMS.items():
        for lang, labels in by_lang.items():
            out += [(f"label:{fld}", lang, label, "label synonym") for label in labels]
    for fld, by_lang in F.LABEL_REMARKS.items():
        for lang, remark in by_lang.items():
            out += [(f"label:{fld}", lang, "{label}" + remark, "label remark")]
    for meaning, by_lang in F.AVAILABILITY_MODIFIERS.items():
        for lang, words in by_lang.items():
            out += [(f"pill:{meaning}", lang, w, "availability modifier") for w in words]
    for lang, names in F.COMPLIANCE_PROGRAMMES.items():
        out += [("compliance", lang, name, "compliance") for name in names]
    return out


# -- rewriting one variant ----------------------------------------------------------------------------------------
class VariantWriter:
    """Rewrites both locales' HEAD folders for one variant, recording the cases it creates."""

    def __init__(self, variant: int, head: dict[str, dict[str, str]], baseline: dict[str, dict[str, dict]]) -> None:
        self.variant = variant
        self.head = head
        self.baseline = baseline
        self.rng = random.Random(f"open-world-{variant}")
        self.cases: list[Case] = []

    def write(self, planner: Planner) -> dict[str, dict[str, str]]:
        folders = {}
        for locale in LOCALES:
            files = dict(self.head[locale])
            names = sorted(n for n in files if n != "index.md")
            self.rng.shuffle(names)  # the turn order differs per variant, so cards get different mixes
            for name in names:
                files[name] = self.card(locale, name, files[name], planner)
            files["index.md"] = self.index(locale, files["index.md"], planner)
            folders[locale] = files
        return folders

    # cards
    def card(self, locale: str, name: str, text: str, planner: Planner) -> str:
        card_id = card_id_of(name)
        row = self.baseline[locale][card_id]
        rows = details_rows(text)
        counts = defaultdict(int)
        for r in rows:
            counts[HEAD_LABELS.get(r.label)] += 1
        seen: set[str] = set()
        for r in rows:
            fld = HEAD_LABELS.get(r.label)
            if fld is None or fld in seen:
                continue  # a repeated label: only its first row counts, leave both alone
            seen.add(fld)
            share = TEXT_LABEL_SHARE if fld in TEXT_FIELDS else LABEL_SHARE
            if counts[fld] == 1 and self.rng.random() < share:
                text = self.label(locale, card_id, fld, r, text, row, planner)
            elif fld not in TEXT_FIELDS:
                text = self.value(locale, card_id, fld, r, text, row, planner)
        return text

    def label(self, locale: str, card_id: str, fld: str, r: TableRow, text: str, row: dict, planner: Planner) -> str:
        lang = LANG[locale]
        choices = [*F.LABEL_SYNONYMS[fld][lang], "{label}" + F.LABEL_REMARKS[fld][lang]]
        choice = planner.pick(f"label:{fld}", lang, choices, lambda _: True)
        new = choice.format(label=r.label)
        family = "label remark" if "{label}" in choice else "label synonym"
        self.cases.append(Case(self.variant, locale, card_id, fld, family, choice, r.value, typed(row, fld), label=new))
        return replace_cell(text, r, 1, new)

    def value(self, locale: str, card_id: str, fld: str, r: TableRow, text: str, row: dict, planner: Planner) -> str:
        lang = LANG[locale]
        base = typed(row, fld)
        kind, forms, fields, expect = value_plan(fld, base, lang)
        if kind is None:
            return text  # a baseline value the parser did not read: nothing to compare with
        form = planner.pick(kind, lang, forms, lambda f: render(f, fields(f)) is not None)
        if form is None:
            return text
        written = render(form, fields(form))
        self.cases.append(Case(self.variant, locale, card_id, fld, form.family, form.template, written, expect(form)))
        return replace_cell(text, r, 2, written)

    # index
    def index(self, locale: str, text: str, planner: Planner) -> str:
        lang = LANG[locale]
        by_title = {row["tile_api_name"]: row for row in self.baseline[locale].values() if row["tile_api_name"]}
        pills = tile_pills(text)
        titles = sorted(t for t in pills if t in by_title)
        self.rng.shuffle(titles)
        edits: dict[str, TileEdit] = {}
        anchors = 0
        for n, title in enumerate(titles):
            row, edit = by_title[title], TileEdit()
            self.availability(locale, lang, row, pills[title], edit, planner, deprecate=n % 7 == 3)
            if n % 3 == 0:
                anchors += self.compliance(locale, lang, row, edit, planner, anchor=anchors < 2)
            if edit.replace or edit.add:
                edits[title] = edit
        return edit_index(text, edits)

    def availability(
        self, locale: str, lang: str, row: dict, pills: list[str], edit: TileEdit, planner: Planner, *, deprecate: bool
    ) -> None:
        """One availability pill per tile: a launch-stage modifier, or (some tiles) a deprecation pill."""
        spots = [(n, HEAD_AVAILABILITY[p]) for n, p in enumerate(pills) if p in HEAD_AVAILABILITY]
        if not spots:
            return
        base = set(row["availability"])
        if deprecate and any(meaning == "available" for _, meaning in spots):
            n = next(n for n, meaning in spots if meaning == "available")
            on = datetime.date(2025, 1, 9) + datetime.timedelta(days=53 * self.variant + 11 * n)
            days = [f for f in date_forms("day", lang) if not f.vague]
            day = planner.pick("deprecation-date", lang, days, lambda _: True)
            shape = planner.pick("deprecation", lang, _lang(F.DEPRECATION_FORMS, lang), lambda _: True)
            written = shape.template.format(date=render(day, F.date_fields(on, "day")))
            edit.replace[n] = (written, DEPRECATION_STYLE)
            family = f"deprecation date / {day.family}"
            form = f"{shape.template} / {day.template}"
            new = (base - {"available"}) | {"deprecated"}
            self.cases.append(Case(self.variant, locale, row["card_id"], "availability", family, form, written, new))
            self.cases.append(Case(self.variant, locale, row["card_id"], "deprecated_on", family, form, written, on))
            return
        rare = [spot for spot in spots if spot[1] != "available"]
        if not rare and self.rng.random() < 0.5:
            return  # "Available" is on nearly every tile: rewrite half of them
        n, meaning = rare[self.variant % len(rare)] if rare else spots[0]
        word = planner.pick(f"pill:{meaning}", lang, F.AVAILABILITY_MODIFIERS[meaning][lang], lambda _: True)
        edit.replace[n] = (word, None)
        self.cases.append(
            Case(self.variant, locale, row["card_id"], "availability", "availability modifier", word, word, base)
        )

    def compliance(self, locale: str, lang: str, row: dict, edit: TileEdit, planner: Planner, *, anchor: bool) -> int:
        """A new programme pill in the compliance style, after the group's anchor on the first tiles."""
        names = F.COMPLIANCE_PROGRAMMES[lang]
        name = planner.pick("compliance", lang, names, lambda _: True)
        added = [F.COMPLIANCE_ANCHORS[lang], name] if anchor else [name]
        edit.add += [(text, COMPLIANCE_STYLE) for text in added]
        expected = set(row["compliance"]) | set(added)
        self.cases.append(
            Case(self.variant, locale, row["card_id"], "compliance", "compliance", name, " + ".join(added), expected)
        )
        return int(anchor)


def typed(row: dict, fld: str) -> Any:
    """A row's typed value of one card field (dates with precision, throughput as both ends)."""
    if fld in DATE_FIELDS:
        return (row[fld], row[f"{fld}_precision"])
    if fld == "throughput":
        return (row["throughput_tps_low"], row["throughput_tps_high"])
    return row[fld]


def value_plan(fld: str, base: Any, lang: str):
    """(kind, forms, fields of a form, expected of a form) for rewriting a baseline value."""
    if base is None or base == (None, None):
        return "none", _lang(F.NONE_FORMS, lang), lambda f: {}, lambda f: base
    if fld in DATE_FIELDS:
        value, precision = base
        if precision not in ("day", "month"):
            return None, (), None, None
        return (
            "date",
            date_forms(precision, lang),
            lambda f: F.date_fields(value, precision),
            lambda f: expected_date(value, precision, f),
        )
    if fld in TOKEN_FIELDS:
        return "tokens", _lang(F.TOKEN_FORMS, lang), lambda f: F.token_fields(base), lambda f: base
    if fld == "throughput":
        low, high = base
        if low != high:
            return None, (), None, None

        def fields(f: F.Form) -> dict[str, Any]:
            return F.throughput_fields(low, range_high(low) if "{y" in f.template else None)

        return (
            "throughput",
            _lang(F.THROUGHPUT_FORMS, lang),
            fields,
            lambda f: (low, range_high(low)) if "{y" in f.template else (low, low),
        )
    if fld in BOOL_FIELDS:
        forms = F.TRUE_FORMS if base else F.FALSE_FORMS
        return ("true" if base else "false"), _lang(forms, lang), lambda f: {}, lambda f: base
    if fld == "category":
        forms = F.STANDARD_FORMS if base == "standard" else F.PREMIUM_FORMS
        return base, _lang(forms, lang), lambda f: {}, lambda f: base
    return None, (), None, None


def _lang(forms: Iterable[F.Form], lang: str) -> list[F.Form]:
    return [f for f in forms if f.lang == lang]


# -- judging -----------------------------------------------------------------------------------------------------
def judge(case: Case, row: dict | None, findings: list[tuple[str | None, str]]) -> Outcome:
    """Right, wrong, or lost (null/raw) with or without a finding that names the written text."""
    if row is None:
        return Outcome(case, None, "silent" if not _named(case, findings) else "lost")
    if case.label is not None:
        got = typed(row, case.column)
        in_extra = any(e["key"] == case.label for e in row["extra"] or [])
        if got == case.expected and not in_extra:
            return Outcome(case, got, "right")
        status = "wrong" if _is_wrong(case.expected, got) else "lost"
        return Outcome(case, (got, "in extra" if in_extra else "not in extra"), _reported(status, case, findings))
    got = typed(row, case.column) if case.column in CARD_FIELDS else row[case.column]
    if case.column in SET_FIELDS:
        got_set = set(got or [])
        if got_set == case.expected:
            return Outcome(case, sorted(got_set), "right")
        status = "wrong" if got_set - case.expected else "lost"
        missing = case.expected - got_set
        named = case if case.column != "compliance" else replace(case, written=" + ".join(sorted(missing)))
        return Outcome(case, sorted(got_set), _reported(status, named, findings))
    if got == case.expected:
        return Outcome(case, got, "right")
    return Outcome(case, got, _reported("wrong" if _is_wrong(case.expected, got) else "lost", case, findings))


def _is_wrong(expected: Any, got: Any) -> bool:
    """A value stated that is not the cell's: a different figure, or a date finer or elsewhere."""
    if isinstance(got, tuple):
        if len(got) == 2 and isinstance(got[0], datetime.date) and isinstance(expected, tuple):
            return not _coarser_and_true(expected, got)
        return any(g is not None and g != e for g, e in zip(got, expected or (None, None), strict=True))
    return got is not None and got != expected


def _coarser_and_true(expected: tuple, got: tuple) -> bool:
    """A date kept at a coarser precision that still holds is information lost, not a wrong value."""
    order = {"day": 0, "month": 1, "year": 2}
    (want, want_p), (have, have_p) = expected, got
    if want is None or have_p not in order or want_p not in order or order[have_p] <= order[want_p]:
        return False
    truncated = want.replace(day=1) if have_p == "month" else want.replace(month=1, day=1)
    return truncated == have


def _reported(status: str, case: Case, findings: list[tuple[str | None, str]]) -> str:
    if status == "wrong":
        return "wrong"
    return "lost" if _named(case, findings) else "silent"


def _named(case: Case, findings: list[tuple[str | None, str]]) -> bool:
    """A finding of the card (or of the index) whose message quotes the rewritten text."""
    texts = [case.label] if case.label else case.written.split(" + ")
    return any(
        card_id in (case.card_id, None) and all(quotes(message, text) for text in texts)
        for card_id, message in findings
    )


def quotes(message: str, text: str) -> bool:
    """The message names the text: as written, escaped by repr, width-folded or whitespace-folded."""
    variants = {text, repr(text)[1:-1], " ".join(text.split())}
    variants |= {unicodedata.normalize("NFKC", v) for v in variants}
    folded = unicodedata.normalize("NFKC", message)
    return any(v and (v in message or v in folded) for v in variants)


def collateral(
    variant: int, locale: str, base_rows: dict[str, dict], rows: dict[str, dict], cases: Iterable[Case]
) -> list[str]:
    """Columns no rewrite touched that changed anyway (a rewrite must not leak into other columns)."""
    touched = {(c.card_id, c.column) for c in cases if c.variant == variant and c.locale == locale}
    problems = [f"v{variant} {locale} {cid}: card missing" for cid in base_rows if cid not in rows]
    for card_id, base in base_rows.items():
        row = rows.get(card_id)
        if row is None:
            continue
        for fld in (*CARD_FIELDS, *PILL_FIELDS):
            if (card_id, fld) in touched:
                continue
            a, b = _comparable(base, fld), _comparable(row, fld)
            if a != b:
                problems.append(f"v{variant} {locale} {card_id} {fld}: untouched, expected {a!r}, got {b!r}")
    return problems


def _comparable(row: dict, fld: str) -> Any:
    value = typed(row, fld) if fld in CARD_FIELDS else row[fld]
    return sorted(value or []) if fld in SET_FIELDS else value


# -- the whole run ---------------------------------------------------------------------------------------------
@dataclass
class OpenWorld:
    head: dict[str, dict[str, str]]
    baseline: dict[str, dict[str, dict]]
    variants: list[dict[str, dict[str, str]]]
    cases: list[Case]
    planner: Planner


def generate(head: dict[str, dict[str, str]]) -> OpenWorld:
    """Baseline of the unmodified HEAD, then variants until every fitting form was used."""
    baseline = {locale: normalize_folder(locale, files)[0] for locale, files in head.items()}
    planner, variants, cases = Planner(), [], []
    fitting = fitting_forms(baseline)
    while len(variants) < MIN_VARIANTS or (len(variants) < MAX_VARIANTS and not fitting <= planner.used):
        writer = VariantWriter(len(variants), head, baseline)
        variants.append(writer.write(planner))
        cases += writer.cases
    return OpenWorld(head, baseline, variants, cases, planner)


def fitting_forms(baseline: dict[str, dict[str, dict]]) -> set[tuple[str, str, str]]:
    """(kind, lang, template) of the forms that fit at least one HEAD value (the coverage goal)."""
    goal = set()
    for locale, rows in baseline.items():
        lang = LANG[locale]
        for row in rows.values():
            for fld in CARD_FIELDS:
                if fld in TEXT_FIELDS:
                    continue
                kind, forms, fields, _ = value_plan(fld, typed(row, fld), lang)
                goal |= {(kind, lang, f.template) for f in forms if kind and render(f, fields(f)) is not None}
    return goal


def outcomes_for(
    world: OpenWorld, variant: int, locale: str, rows: dict[str, dict], findings: list[tuple[str | None, str]]
) -> list[Outcome]:
    return [
        judge(case, rows.get(case.card_id), findings)
        for case in world.cases
        if case.variant == variant and case.locale == locale
    ]


def describe(outcome: Outcome) -> str:
    c = outcome.case
    shown = f"label {c.label!r}" if c.label else repr(c.written)
    return (
        f"[{outcome.status}] v{c.variant} {c.locale} {c.card_id.rsplit('/', 1)[-1]} {c.column} "
        f"({c.family}: {c.form!r}) {shown}: expected {c.expected!r}, got {outcome.got!r}"
    )


def failing_forms(outcomes: Iterable[Outcome]) -> dict[str, list[str]]:
    """Family (locale) -> one line per form with failures: how many of its cases failed, how, an example."""
    by_form: dict[tuple[str, str, str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        c = o.case
        by_form[(f"{c.family} ({c.locale})", _kind(c.column), c.form, c.column if c.label else "")].append(o)
    grouped: dict[str, list[str]] = defaultdict(list)
    for (family, kind, form, _), cases in sorted(by_form.items()):
        bad = [o for o in cases if o.status != "right"]
        if not bad:
            continue
        statuses = "/".join(sorted({o.status for o in bad}))
        example = bad[0]
        shown = f"label {example.case.label!r}" if example.case.label else repr(example.case.written)
        grouped[family].append(
            f"{kind} {form!r}: {len(bad)}/{len(cases)} {statuses}; e.g. {shown} -> {example.got!r}"
            f" (expected {example.expected_text()})"
        )
    return dict(grouped)


def _kind(column: str) -> str:
    return {"release_date": "date", "knowledge_cutoff": "date", "input_context_tokens": "tokens"}.get(
        column, "tokens" if column == "max_output_tokens" else column
    )


def judge_in_process(world: OpenWorld) -> tuple[list[Outcome], list[str]]:
    """Every variant read through the pure transform path: outcomes, and collateral changes."""
    outcomes, problems = [], []
    for variant, folders in enumerate(world.variants):
        for locale, files in folders.items():
            rows, findings = normalize_folder(locale, files)
            outcomes += outcomes_for(world, variant, locale, rows, findings)
            problems += collateral(variant, locale, world.baseline[locale], rows, world.cases)
    return outcomes, problems


def main(bundle: str) -> None:
    """`python -m tests.open_world BUNDLE`: the failing forms by family, for checking parser work."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        world = generate(head_folders(Path(bundle), Path(tmp)))
    outcomes, problems = judge_in_process(world)
    bad = [o for o in outcomes if o.status != "right"]
    counts = defaultdict(int)
    for o in outcomes:
        counts[o.status] += 1
    print(f"{len(world.variants)} variants, {len(outcomes)} cases: {dict(counts)}")
    for family, lines in failing_forms(bad).items():
        print(f"\n{family}:")
        for line in lines:
            print(f"  {line}")
    if problems:
        print("\ncollateral:")
        print("\n".join(f"  {p}" for p in problems))


if __name__ == "__main__":
    import sys

    from tests.conftest import BUNDLE

    main(sys.argv[1] if len(sys.argv) > 1 else str(BUNDLE))
