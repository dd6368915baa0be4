"""The READMEs say what runs: every ```python block runs, from the repository root, in a fresh
interpreter; every command the README lists exists; the performance table is ``benchmarks/figures.py``'s."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gopherlab.cli import COMMANDS

REPO = Path(__file__).resolve().parents[1]
READMES = ("README.md", "gobench/README.md")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def _blocks(lang: str) -> list[tuple[str, str]]:
    """``(README:line, code)`` of every fenced block of ``lang`` in :data:`READMES`."""
    out = []
    for name in READMES:
        text = (REPO / name).read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            if m.group(1) == lang:
                out.append((f"{name}:{text.count(chr(10), 0, m.start()) + 1}", m.group(2)))
    return out


PYTHON_BLOCKS = _blocks("python")


def test_both_readmes_have_python_examples():
    assert {where.split(":")[0] for where, _ in PYTHON_BLOCKS} == set(READMES)


@pytest.mark.parametrize("where,code", PYTHON_BLOCKS, ids=[w for w, _ in PYTHON_BLOCKS])
def test_python_example_runs(where, code):
    """As a reader would run it: a fresh interpreter of the venv, in the repository root, the venv's
    commands (``gopherlab``) on PATH."""
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"{where}:\n{proc.stderr[-3000:]}"


def test_listed_commands_exist():
    """Each ``gopherlab X`` in the README's commands block is a sub-command of the CLI."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("Commands:", 1)[1].split("```", 2)[1]
    listed = re.findall(r"^gopherlab (\w+)", block, re.M)
    assert "notebooks" in listed
    assert set(listed) <= set(COMMANDS), set(listed) - set(COMMANDS)


def test_readme_mentions_notebooks_then_jupyter_lab():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"gopherlab notebooks (\S+).*?\njupyter lab (\S+)", text, re.S)
    assert m and m.group(1) == m.group(2)


def test_performance_table_is_the_scripts_output():
    spec = importlib.util.spec_from_file_location("figures", REPO / "benchmarks" / "figures.py")
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    rows = figures.load()["rows"]
    assert all(r["date"] and r["machine"]["nproc"] and r["machine"]["cpu"] for r in rows)
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert figures.table(rows) in text, "paste `python benchmarks/figures.py` into README.md's Performance section"
    section = text.split("## Performance", 1)[1].split("\n## ", 1)[0]
    assert section.count("\n| ") == len(rows) + 1, "one table: the figures' rows and its header"
