"""Tiny real docs repositories for tests: cards we write ourselves, committed on both branches."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from extract.sources import LOCALES

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`model-catalog ARGS` as a user runs it: a fresh process, its own Prefect ephemeral server."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Wait for the run; if it was killed, end whatever it started and left behind (its own session)."""
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode < 0:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, err


def imported_packages(importtime_stderr: str) -> set[str]:
    """Top-level packages a process imported, from its `-X importtime` / PYTHONPROFILEIMPORTTIME lines."""
    lines = (line for line in importtime_stderr.splitlines() if line.startswith("import time:"))
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}


EN_LABELS = {
    "model_name": "Model name",
    "category": "Model category",
    "api_name": "API model name",
    "hosting_layer": "Hosting layer",
    "provider": "Model provider",
    "release_date": "Release date",
    "knowledge_cutoff": "Knowledge cutoff date",
    "input_context_tokens": "Input context window",
    "max_output_tokens": "Maximum output tokens",
    "throughput": "Empirical throughput",
    "open_source": "Open source",
}
JA_LABELS = {
    "model_name": "モデル名",
    "category": "モデルのカテゴリ",
    "api_name": "APIモデル名",
    "hosting_layer": "ホスティングレイヤー",
    "provider": "モデルプロバイダ",
    "release_date": "リリース日",
    "knowledge_cutoff": "ナレッジカットオフ日",
    "input_context_tokens": "入力コンテキストウィンドウ",
    "max_output_tokens": "出力トークンの最大数",
    "throughput": "経験に基づいたスループット",
    "open_source": "オープンソース",
}


def card_md(
    api_name: str,
    *,
    title: str | None = None,
    locale: str = "en",
    rank: int = 1,
    summary: str = "A test model for unit tests.",
    url: str = "https://example.com/docs/model",
    **values: str,
) -> str:
    """A model card in the docs' shape; `values` override table cells by field name."""
    cells = {
        "model_name": f"**{title or api_name}**",
        "category": "Standard",
        "api_name": f"`{api_name}`",
        "hosting_layer": "**Example Cloud**",
        "provider": "**Example AI**",
        "release_date": "**April 14th, 2025**",
        "knowledge_cutoff": "**May 2024**",
        "input_context_tokens": "**128k tokens**",
        "max_output_tokens": "**8k tokens**",
        "throughput": "**87.5**",
        "open_source": "**No**",
    }
    cells.update(values)
    labels = JA_LABELS if locale == "ja" else EN_LABELS
    head = "| 項目 | 値 | 説明 |" if locale == "ja" else "| Item | Value | Description |"
    rows = "\n".join(f"| {labels.get(k, k)} | {v} | - |" for k, v in cells.items() if v is not None)
    details = "## モデルの詳細" if locale == "ja" else "## Model details"
    more = "## その他のドキュメント" if locale == "ja" else "## Additional documentation"
    return (
        f"---\nrank: {rank}\n---\n# {title or api_name}\n\n{summary}\n\n{details}\n\n{head}\n|---|---|---|\n{rows}\n\n"
        f"{more}\n\nSee [the docs][docs].\n\n[docs]: {url}\n[overrides]: g://box-ai/ai-agents/overrides\n"
    )


def tile_md(
    api_name: str,
    href: str,
    text: str,
    pills: list[str],
    *,
    spaced: bool = False,
    colours: dict[str, str] | None = None,
) -> str:
    """One `<Tile>`; `spaced` puts every tag on its own line with blank lines, as the ja index does.

    `colours` gives a pill its own background colour (the default is the index's grey).
    """

    def strong(pill: str, gap: str) -> str:
        colour = (colours or {}).get(pill, "#e8e8e8")
        return f'<strong style="background-color: {colour}">{gap}{pill}{gap}</strong>'

    if spaced:
        strongs = "\n\n".join(strong(p, "\n\n") for p in pills)
        return (
            f'<Tile type="model" title="{api_name}" href="{href}">\n\n{text}\n\n<div>\n\n{strongs}\n\n</div>\n\n</Tile>'
        )
    strongs = "\n".join(f"    {strong(p, '')}" for p in pills)
    return f'  <Tile type="model" title="{api_name}" href="{href}">\n  {text}\n  <div>\n{strongs}\n  </div>\n  </Tile>'


def index_md(sections: dict[str, list[str]], *, spaced: bool = False) -> str:
    """An index with a `<TileGrid>` of the given tiles under each `##` section heading."""
    gap = "\n\n" if spaced else "\n"
    parts = ["---\nrank: 1\n---\n# Supported AI models\n\nIntro text.\n"]
    for heading, tiles in sections.items():
        parts.append(f'## {heading}\n\n<TileGrid rows="2">{gap}{gap.join(tiles)}{gap}</TileGrid>\n')
    return "\n".join(parts)


def card_href(name: str) -> str:
    return f"/guides/box-ai/ai-models/{name}"


@dataclass
class DocsRepo:
    """A real git repository with the docs' two branches; commit with explicit dates."""

    path: Path
    files: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"en": {}, "ja": {}})
    started: set[str] = field(default_factory=set)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        ).stdout.strip()

    def folder(self, locale: str) -> str:
        return LOCALES[locale].cards_folder

    def write(self, locale: str, name: str, text: str | bytes) -> None:
        self.files[locale][name] = text.encode() if isinstance(text, str) else text

    def remove(self, locale: str, name: str) -> None:
        del self.files[locale][name]

    def rename(self, locale: str, old: str, new: str) -> None:
        self.files[locale][new] = self.files[locale].pop(old)

    def commit(self, locale: str, message: str, when: str | datetime) -> str:
        """Replace the branch's card folder with `files[locale]` and commit it."""
        branch = LOCALES[locale].branch
        if branch in self.started:
            self.git("checkout", "-q", branch)
        else:
            self.git("checkout", "-q", "--orphan", branch)
            self.git("rm", "-rq", "--cached", "--ignore-unmatch", ".")
            self.git("clean", "-fdqx")
            self.started.add(branch)
        folder = self.path / self.folder(locale)
        if folder.exists():
            for child in folder.iterdir():
                if child.is_symlink() or child.is_file():
                    child.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in self.files[locale].items():
            (folder / name).write_bytes(data)
        self.git("add", "-A", self.folder(locale))
        stamp = when.isoformat() if isinstance(when, datetime) else when
        self.git(
            "commit", "-q", "--allow-empty", "-m", message, env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        )
        return self.git("rev-parse", "HEAD")

    def commit_other(self, locale: str, message: str, when: str) -> str:
        """A commit that touches only a file outside the card folder."""
        branch = LOCALES[locale].branch
        self.git("checkout", "-q", branch)
        (self.path / "README.md").write_text(f"{message}\n")
        self.git("add", "README.md")
        self.git("commit", "-q", "-m", message, env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
        return self.git("rev-parse", "HEAD")


def make_docs_repo(tmp_path: Path) -> DocsRepo:
    path = tmp_path / "docs"
    path.mkdir()
    repo = DocsRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Docs Writer")
    repo.git("config", "user.email", "docs@example.com")
    repo.git("config", "commit.gpgsign", "false")
    return repo


def seed_two_models(repo: DocsRepo, when: str = "2025-01-10T10:00:00+00:00") -> None:
    """Both locales with two cards and an index: the baseline most tests start from."""
    for locale in ("en", "ja"):
        spaced = locale == "ja"
        repo.write(locale, "alpha-model-card.md", card_md("acme__alpha", title="Acme Alpha", locale=locale))
        repo.write(
            locale,
            "beta-model-card.md",
            card_md(
                "acme__beta_1_5",
                title="Acme Beta",
                locale=locale,
                category="Premium",
                input_context_tokens="**1m tokens**",
            ),
        )
        repo.write(
            locale,
            "index.md",
            index_md(
                {
                    "Core Box AI Models": [
                        tile_md(
                            "acme__alpha",
                            card_href("alpha-model-card"),
                            "A small model.",
                            ["Chat", "Available", "Standard"],
                            spaced=spaced,
                        ),
                        tile_md(
                            "acme__beta_1_5",
                            card_href("beta-model-card"),
                            "A big model.",
                            ["Chat", "Preview", "Premium"],
                            spaced=spaced,
                        ),
                    ]
                },
                spaced=spaced,
            ),
        )
        repo.commit(locale, f"Add models ({locale})", when)
