"""The layers import one way, flows -> output -> transform -> extract, at module level or inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

RANK = {"extract": 0, "transform": 1, "output": 2, "flows": 3}


def imports_up(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if RANK.get(name.split(".")[0], -1) > RANK[package]:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(RANK))
def test_no_import_points_up_a_layer(package):
    assert imports_up(package) == []


def test_prefect_is_imported_by_flows_only():
    users = []
    for package in ("extract", "transform", "output"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "prefect" in {n.split(".")[0] for n in _imported(path)}:
                users.append(str(path.relative_to(ROOT)))
    assert users == []


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_check_itself_sees_an_import_up_a_layer(tmp_path, monkeypatch):
    (tmp_path / "extract").mkdir()
    (tmp_path / "extract" / "bad.py").write_text("def f():\n    from transform.tables import MODELS\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)

    assert imports_up("extract") == ["extract/bad.py:2 imports transform.tables"]
