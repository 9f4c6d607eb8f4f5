"""What a run shows people in Prefect: the catalog per locale, the run's changes, where the files are.

Pure rendering of catalog tables into artifact content (rows, Markdown, keys); the flow
publishes them. Values are written as a reader says them (`200k`, `2025-04`, `chat, embeddings`),
not as stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transform.lag import open_lags

DOCS_SITE = "https://developer.box.com"
DOCS_PREFIX = {"en": "", "ja": "/ja"}  # the site serves the Japanese guides under /ja
TABLE_COLUMNS = (
    ("model_name", "model"),
    ("api_name", "API name"),
    ("provider", "provider"),
    ("category", "category"),
    ("availability", "availability"),
    ("input_context_tokens", "context window"),
    ("max_output_tokens", "max output"),
    ("release_date", "released"),
    ("knowledge_cutoff", "knowledge cutoff"),
    ("compliance", "compliance"),
)
CHANGE_ROWS = 200  # modified fields listed in the Markdown before "… and N more"

_WEB_HOSTS = {"github.com": "{base}/commit/{sha}", "gitlab.com": "{base}/-/commit/{sha}"}


def artifact_key(catalog: str, what: str) -> str:
    """`model-catalog-<8 hex of the catalog location>-<what>`: runs writing different catalogs never share a key."""
    digest = hashlib.sha256(catalog.encode()).hexdigest()[:8]
    return f"model-catalog-{digest}-{what}"


def commit_link(source: str) -> Callable[[str], str]:
    """A commit as Markdown: linked where the source has a known web host, else its short hash."""
    match = re.fullmatch(r"https://([^/@]+)/(.+?)(?:\.git)?/?", source)
    template = _WEB_HOSTS.get(match.group(1).lower()) if match else None
    if match is None or template is None:
        return lambda sha: f"`{sha[:10]}`"
    base = f"https://{match.group(1)}/{match.group(2)}"
    return lambda sha: f"[`{sha[:10]}`]({template.format(base=base, sha=sha)})"


def docs_page(locale: str, card_id: str) -> str:
    return f"{DOCS_SITE}{DOCS_PREFIX.get(locale, '')}/guides/{card_id}/"


def tokens_text(count: int) -> str:
    """200000 -> 200k, 1000000 -> 1M, 1047576 -> 1.05M."""
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if count >= size:
            return f"{round(count / size, 2):g}{unit}"
    return str(count)


def date_text(value: date | str | None, precision: str | None) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {"year": text[:4], "month": text[:7]}.get(precision or "day", text)


def readable(field: str, value: Any, precision: str | None = None) -> str:
    """One value of `field` as a reader writes it; empty for null."""
    if value is None:
        return ""
    if field.endswith("_tokens") and isinstance(value, int) and not isinstance(value, bool):
        return tokens_text(value)
    if isinstance(value, (date, datetime)) or field in ("release_date", "knowledge_cutoff", "deprecated_on"):
        return date_text(value, precision)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(readable(field, item) for item in value)
    return str(value)


def change_value(field: str | None, text: str | None) -> str:
    """A `changes` old/new value (JSON text) made readable."""
    if text is None:
        return "null"
    return readable(field or "", json.loads(text)) or '""'


def catalog_rows(models: pa.Table, locale: str) -> list[dict[str, str]]:
    """The locale's current models, one readable row each, linked to its docs page."""
    rows = models.filter(pc.equal(models.column("locale"), locale)).to_pylist()
    out = []
    for row in sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["card_id"])):
        cells = {}
        for column, title in TABLE_COLUMNS:
            cells[title] = readable(column, row[column], row.get(f"{column}_precision"))
        cells["docs"] = docs_page(locale, row["card_id"])
        out.append(cells)
    return out


def _cell(text: str) -> str:
    text = text if len(text) <= 120 else text[:119] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _names(models: pa.Table) -> dict[tuple[str, str], str]:
    return {
        (row["locale"], row["card_id"]): row["model_name"] or row["api_name"] or row["card_id"]
        for row in models.select(["locale", "card_id", "model_name", "api_name"]).to_pylist()
    }


def changes_markdown(
    changes: Sequence[Mapping[str, Any]], models: pa.Table, link: Callable[[str], str], *, title: str
) -> str:
    """Every change of the run, whatever the alert filter: models added and removed, fields old -> new."""
    names = _names(models)
    counts = {kind: sum(r["change"] == kind for r in changes) for kind in ("added", "removed", "modified")}
    lines = [f"# {title}", ""]
    if not changes:
        return "\n".join([*lines, "Nothing changed in this run."]) + "\n"
    lines.append(
        f"{counts['added']} added, {counts['removed']} removed, "
        f"{counts['modified']} modified field{'' if counts['modified'] == 1 else 's'}."
    )
    for kind in ("added", "removed"):
        rows = [r for r in changes if r["change"] == kind]
        if rows:
            lines += ["", f"## {kind.capitalize()}", "", "| locale | model | API name | commit |", "|---|---|---|---|"]
            for r in rows:
                name = names.get((r["locale"], r["card_id"]), r["api_name"] or r["card_id"])
                model = f"[{_cell(name)}]({docs_page(r['locale'], r['card_id'])})" if kind == "added" else _cell(name)
                lines.append(f"| {r['locale']} | {model} | `{_cell(r['api_name'] or '')}` | {link(r['to_commit'])} |")
    modified = [r for r in changes if r["change"] == "modified"]
    if modified:
        lines += ["", "## Modified", "", "| locale | model | field | old → new | commit |", "|---|---|---|---|---|"]
        for r in modified[:CHANGE_ROWS]:
            name = names.get((r["locale"], r["card_id"]), r["api_name"] or r["card_id"])
            old, new = change_value(r["field"], r["old_value"]), change_value(r["field"], r["new_value"])
            lines.append(
                f"| {r['locale']} | [{_cell(name)}]({docs_page(r['locale'], r['card_id'])}) | {r['field']} | "
                f"{_cell(old)} → {_cell(new)} | {link(r['to_commit'])} |"
            )
        if len(modified) > CHANGE_ROWS:
            lines.append(f"\n… and {len(modified) - CHANGE_ROWS} more modified fields in `changes.parquet`.")
    return "\n".join(lines) + "\n"


def replay_summary_markdown(
    changes: Sequence[Mapping[str, Any]], models: pa.Table, locales: Iterable[str], *, title: str
) -> str:
    """A baseline or backfill: how many models, and which stretch of history the changes cover."""
    lines = [f"# {title}", ""]
    for locale in locales:
        count = int(pc.sum(pc.equal(models.column("locale"), locale)).as_py() or 0)
        rows = [r for r in changes if r["locale"] == locale]
        line = f"- **{locale}**: {count} model{'' if count == 1 else 's'}"
        if rows:
            first = min(r["committed_at"] for r in rows)
            last = max(r["committed_at"] for r in rows)
            line += f"; {len(rows)} change{'' if len(rows) == 1 else 's'} replayed, {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def run_changes(changes: pa.Table, run_id: str) -> list[dict[str, Any]]:
    """The change rows this run recorded."""
    return changes.filter(pc.equal(changes.column("run_id"), run_id)).to_pylist()


def lag_markdown(lag: pa.Table, *, limit: int = 50) -> str:
    """Open translation lags, the oldest first: where a Japanese reader should double-check."""
    rows = open_lags(lag).to_pylist()
    if not rows:
        return ""
    lines = [
        "",
        f"## Translation lag: {len(rows)} open",
        "",
        "| card | what | en → ja | for |",
        "|---|---|---|---|",
    ]
    for r in rows[:limit]:
        what = r["field"] or r["kind"].replace("_", " ")
        values = f"{_cell(r['en_value'] or 'absent')} → {_cell(r['ja_value'] or 'absent')}"
        lines.append(f"| {_cell(r['api_name'] or r['card_id'])} | {what} | {values} | {r['lag_days']:.1f} days |")
    if len(rows) > limit:
        lines.append(f"\n… and {len(rows) - limit} more in `translation_lag.parquet`.")
    return "\n".join(lines) + "\n"
