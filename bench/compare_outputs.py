"""Do two checkouts of model-catalog write the same catalog of the real docs history?

Runs the console command of each checkout on the shared bundle in two ways, a full
`backfill` and an incremental history (a backfill up to a mid-history commit, then `run`
on the whole history), and compares every Parquet and JSON file of the two output
folders row by row, ignoring what differs between any two runs (run ids, detection and
check times) and the alert ids, whose scheme may differ between versions.

    .venv/bin/python bench/compare_outputs.py --old ../base --new . [--work /tmp/compare]

Prints one line per difference and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT.parent / "shared" / "corpus" / "box-ai-docs.bundle"
# Differ between any two runs, or between versions by design.
VOLATILE = {"run_id", "detected_at", "checked_at", "alert_id", "announced_at", "last_attempt_at", "delivered_at"}
# A commit of each branch about halfway through the bundle's history: the incremental run starts there.
MIDWAY = {"main": 30, "jp": 33}


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def cli(checkout: Path, *args: str, work: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "PREFECT_HOME": str(work / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600",  # older versions keep Prefect's 20 s
    }
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=checkout, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{checkout}: model-catalog {' '.join(args)} failed:\n{done.stderr[-2000:]}")


def midway_source(work: Path) -> Path:
    """A clone of the bundle whose branches stop halfway, as the docs stood some months ago."""
    repo = work / "midway"
    git("clone", "-q", "--mirror", str(BUNDLE), str(repo), cwd=work)
    for branch, depth in MIDWAY.items():
        commits = git("rev-list", "--first-parent", "--reverse", branch, cwd=repo).splitlines()
        git("update-ref", f"refs/heads/{branch}", commits[depth], cwd=repo)
    return repo


def build(checkout: Path, work: Path) -> dict[str, Path]:
    """The two catalogs of one checkout: `backfill` and `incremental`."""
    work.mkdir(parents=True)
    outs = {"backfill": work / "backfill", "incremental": work / "incremental"}
    cli(
        checkout,
        "backfill",
        "--source",
        str(BUNDLE),
        "--out",
        str(outs["backfill"]),
        "--cache-dir",
        str(work / "c1"),
        work=work,
    )
    midway = midway_source(work)
    common = ("--out", str(outs["incremental"]), "--cache-dir", str(work / "c2"))
    cli(checkout, "backfill", "--source", str(midway), *common, work=work)
    shutil.rmtree(midway)
    git("clone", "-q", "--mirror", str(BUNDLE), str(midway), cwd=work)  # the same path: the whole history now
    cli(checkout, "run", "--source", str(midway), *common, work=work)
    return outs


def load(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    data = json.loads(path.read_text(encoding="utf-8"))
    return [data] if isinstance(data, dict) else data


def columns(data: list[dict]) -> set[str]:
    return set().union(*(row.keys() for row in data)) if data else set()


def rows(data: list[dict], keep: set[str]) -> list[str]:
    """Rows of the `keep` columns but the volatile ones, in a stable order; nested values as JSON text."""
    cleaned = []
    for row in data:
        row = {k: v for k, v in row.items() if k in keep and k not in VOLATILE}
        if "locales" in row:  # state.json: the sources differ between the two folders' runs
            row["locales"] = {k: {f: x for f, x in v.items() if f != "source"} for k, v in row["locales"].items()}
        cleaned.append(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False))
    return sorted(cleaned)


def published(out: Path) -> Path:
    """The catalog a reader sees: the version `current` points at, or the folder of the older flat layout."""
    current = out / "current"
    return current.resolve() if current.is_symlink() else out


def files(out: Path) -> set[str]:
    """The catalog's tables; each version's own bookkeeping (its name, MANIFEST.json) is not content."""
    return {
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.suffix in (".parquet", ".json")
        and p.name != "MANIFEST.json"
        and not any(part.startswith(".") or part == "versions" for part in p.relative_to(out).parts)
    }


def compare(old: Path, new: Path) -> tuple[list[str], list[str]]:
    """Differences, and notes: a column the new version adds is a note (the contract allows it), not a difference."""
    problems, notes = [], []
    old, new = published(old), published(new)
    old_files, new_files = files(old), files(new)
    for name in sorted(old_files - new_files):
        problems.append(f"{name}: only in the old catalog")
    for name in sorted(new_files - old_files):
        if name != "translation_lag.parquet" and name != "translation_lag.json":  # a table the new version adds
            problems.append(f"{name}: only in the new catalog")
    for name in sorted(old_files & new_files):
        old_data, new_data = load(old / name), load(new / name)
        shared = columns(old_data) & columns(new_data)
        notes += [f"{name}: the new version adds `{c}`" for c in sorted(columns(new_data) - columns(old_data))]
        problems += [f"{name}: the new version drops `{c}`" for c in sorted(columns(old_data) - columns(new_data))]
        a, b = rows(old_data, shared), rows(new_data, shared)
        if a != b:
            gone, came = sorted(set(a) - set(b)), sorted(set(b) - set(a))
            problems.append(
                f"{name}: {len(gone)} rows only in old, {len(came)} only in new; first: {(gone or came)[0][:300]}"
            )
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="checkout of the version to compare against")
    parser.add_argument("--new", type=Path, default=ROOT, help="checkout of the version under test (default: this one)")
    parser.add_argument("--work", type=Path, default=None, help="where the catalogs are built (default: a temp folder)")
    args = parser.parse_args(argv)
    if not BUNDLE.exists():
        raise SystemExit(f"the shared bundle is not here: {BUNDLE}")
    work = args.work or Path(tempfile.mkdtemp(prefix="model-catalog-compare-"))
    old, new = build(args.old.resolve(), work / "old"), build(args.new.resolve(), work / "new")
    problems, notes = [], []
    for kind in old:
        found, noted = compare(old[kind], new[kind])
        problems += [f"{kind}: {p}" for p in found]
        notes += [f"{kind}: {n}" for n in noted]
    for line in [*notes, *problems]:
        print(line)
    print(f"{len(problems)} differences ({work})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
