"""Packaging: a plain (non-editable) ``pip install .`` must carry every package, the notebooks and the data,
and building it must give setuptools nothing to warn about (every ``./run`` used to print ~140 lines of
"Package 'gopherlab.data.bench' is absent from the `packages` configuration")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("gopherlab_common", "pprof_parse", "gobench", "gopherlab")


def _setuptools_cfg() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def _data_files(top: Path):
    """Files under ``top`` that ship as package data (not Python modules, docs or build litter)."""
    for p in sorted(top.rglob("*")):
        if p.is_file() and p.suffix not in {".py", ".pyc", ".md"} and "__pycache__" not in p.parts:
            yield p


def test_every_package_is_listed_in_pyproject():
    listed = set(_setuptools_cfg()["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for top in SHIPPED
        for p in (REPO / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "gopherlab.notebooks" in listed


def test_every_folder_holding_data_is_a_listed_package():
    """setuptools (>= 62.3) warns for every folder of package data that is not itself a listed package."""
    cfg = _setuptools_cfg()
    listed = set(cfg["packages"])
    folders = {".".join(p.parent.relative_to(REPO).parts) for top in SHIPPED for p in _data_files(REPO / top)}
    assert folders, "no package data found"
    assert folders - listed == set(), "list these data folders in [tool.setuptools] packages"
    assert folders <= set(cfg["package-data"]), "give each data folder its package-data patterns"


def test_notebooks_ship_as_package_data():
    cfg = _setuptools_cfg()
    assert cfg["package-dir"]["gopherlab.notebooks"] == "notebooks"
    assert list((REPO / "notebooks").glob("*.ipynb")), "no notebooks to ship"


def _modern_setuptools() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77  # pyproject's build-system requirement


@pytest.mark.skipif(not _modern_setuptools(), reason="needs setuptools>=77 (the build-system requirement)")
def test_wheel_builds_quietly_with_every_file(tmp_path):
    """Build the wheel from a copy of the sources with setuptools' PEP 517 backend (as pip does,
    without build isolation): no warning on stderr, and every notebook and data file inside."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for top in (*SHIPPED, "notebooks"):
        shutil.copytree(REPO / top, src / top, ignore=ignore)
    out = tmp_path / "wheel"
    code = f"from setuptools import build_meta; print(build_meta.build_wheel({str(out)!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # else distutils says so
    proc = subprocess.run([sys.executable, "-c", code], cwd=src, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    noisy = [ln for ln in proc.stderr.splitlines() if "warn" in ln.lower() or "absent" in ln]
    assert noisy == [], "\n".join(noisy[:20])
    names = set(zipfile.ZipFile(out / proc.stdout.split()[-1]).namelist())
    want = {f"gopherlab/notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")}
    want |= {p.relative_to(REPO).as_posix() for top in SHIPPED for p in _data_files(REPO / top)}
    assert want - names == set()
