"""Fixtures for the runtime-diagnostics tests.

``sample_capture`` is the committed capture in gopherlab/data/runtime/leakserver
(real output of examples/leakserver).  ``fresh_capture`` runs the capture
script into a temp dir (needs Go; used by tests marked ``go``), once per session.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "gopherlab/data/runtime/leakserver"
LEAKSERVER = ROOT / "examples/leakserver"


def _load_capture_module():
    spec = importlib.util.spec_from_file_location("leakserver_capture", LEAKSERVER / "capture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def capture_module():
    """examples/leakserver/capture.py as a module (a fixture: ``from conftest import`` in a test
    finds whichever conftest.py was imported last, e.g. the trace tests')."""
    return _load_capture_module()


class Capture:
    def __init__(self, root: Path):
        self.root = root
        self.manifest = json.loads((root / "manifest.json").read_text())

    def path(self, snap: int, key: str) -> Path:
        return self.root / self.manifest["snapshots"][snap]["files"][key]

    def paths(self, key: str) -> list[Path]:
        return [self.root / s["files"][key] for s in self.manifest["snapshots"]]

    @property
    def times(self) -> list[float]:
        return [s["t"] for s in self.manifest["snapshots"]]

    @property
    def gctrace(self) -> Path:
        return self.root / self.manifest["gctrace"]


@pytest.fixture(scope="session")
def sample_capture() -> Capture:
    if not (SAMPLE / "manifest.json").exists():
        pytest.skip("sample capture not present")
    return Capture(SAMPLE)


def _have_go() -> bool:
    return (Path(sys.executable).parent / "go").exists() or shutil.which("go") is not None


@pytest.fixture(scope="session")
def leakserver_binary(tmp_path_factory) -> Path:
    if not _have_go():
        pytest.skip("Go toolchain not installed")
    return _load_capture_module().build(tmp_path_factory.mktemp("leakserver-bin"))


@pytest.fixture(scope="session")
def fresh_capture(tmp_path_factory, leakserver_binary) -> Capture:
    out = tmp_path_factory.mktemp("capture")
    _load_capture_module().capture(out, snapshots=4, interval=1.5, first=1.0, binary=leakserver_binary)
    return Capture(out)
