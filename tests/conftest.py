from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BUNDLE = SHARED / "corpus" / "box-ai-docs.bundle"
CHECKER = SHARED / "tools" / "check_outputs.py"


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server and database for every flow test."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def bundle() -> Path:
    if not BUNDLE.exists():
        pytest.skip(f"the real docs history is not here ({BUNDLE} is absent: ../shared ships with CI only)")
    return BUNDLE


@pytest.fixture
def bundle_clone(tmp_path: Path, bundle: Path) -> Path:
    """A bare clone of the real docs history, for tests that read its blobs with git."""
    repo = tmp_path / "docs.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(bundle), str(repo)], check=True)
    return repo


@pytest.fixture
def check_outputs():
    """Run the contract's shape checker on an output folder; return its report."""
    if not CHECKER.exists():
        pytest.skip(f"the contract checker is not here ({CHECKER} is absent: ../shared ships with CI only)")

    def check(out: Path, tables: str = "models,changes,versions,findings,state") -> str:
        result = subprocess.run(
            [sys.executable, str(CHECKER), str(out), "--tables", tables], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    return check
