"""Packaging: a plain (non-editable) ``pip install .`` must carry every package, the notebooks and the data."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts)
        for top in ("pprof_parse", "gobench", "gopherlab")
        for p in (REPO / top).rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "gopherlab.notebooks" in listed


def test_notebooks_ship_as_package_data():
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert cfg["package-dir"]["gopherlab.notebooks"] == "notebooks"
    assert list((REPO / "notebooks").glob("*.ipynb")), "no notebooks to ship"
