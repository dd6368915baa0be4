"""The set-up scripts: ``./run`` installs once per pyproject.toml and is quiet after that; ``.ci/run`` runs
the README's test command; git ignores what Jupyter leaves behind.

``./run`` is exercised on a copy of itself next to a stand-in venv whose ``bin/python`` only records how
it was called, so the tests see exactly which pip installs a call makes without installing anything.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$(dirname "$0")/../calls.log"
"""
FAKE_GOPHERLAB = """#!/usr/bin/env bash
echo "gopherlab $*" >> "$(dirname "$0")/../calls.log"
"""


@pytest.fixture
def checkout(tmp_path):
    """A folder with the real ``run`` and pyproject.toml and a stand-in ``.venv``."""
    shutil.copy2(REPO / "run", tmp_path / "run")
    shutil.copy2(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name, text in (("python", FAKE_PYTHON), ("gopherlab", FAKE_GOPHERLAB)):
        (bin_ / name).write_text(text)
        (bin_ / name).chmod(0o755)
    return tmp_path


def _run(checkout: Path, *args: str) -> tuple[list[str], str]:
    """``./run ARGS`` in ``checkout``: the stand-in venv's calls during it, and what it printed."""
    log = checkout / ".venv" / "calls.log"
    log.write_text("")
    proc = subprocess.run(["bash", str(checkout / "run"), *args], cwd=checkout, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return log.read_text().splitlines(), proc.stdout + proc.stderr


def _installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("python -m pip install")]


def test_run_installs_once_per_pyproject(checkout):
    calls, _ = _run(checkout, "reports", "-j", "1")
    assert _installs(calls) == ["python -m pip install --quiet --upgrade pip", "python -m pip install --quiet -e ."]
    assert calls[-1] == "gopherlab report all -o reports -j 1"

    calls, out = _run(checkout, "reports")  # the second call: no pip, nothing printed by the set-up
    assert _installs(calls) == [] and calls == ["gopherlab report all -o reports"]
    assert out == ""

    calls, _ = _run(checkout, "tests", "-x")  # needs the dev extras: one install, then never again
    assert _installs(calls)[-1] == "python -m pip install --quiet -e .[dev]"
    assert calls[-1] == "python -m pytest -q -x"
    for cmd in ("tests", "reports"):  # a [dev] install serves `reports` too
        calls, _ = _run(checkout, cmd)
        assert _installs(calls) == [], cmd

    with open(checkout / "pyproject.toml", "a") as f:  # a changed pyproject installs again
        f.write("\n# changed\n")
    calls, _ = _run(checkout, "tests")
    assert _installs(calls)[-1] == "python -m pip install --quiet -e .[dev]"
    calls, _ = _run(checkout, "tests")
    assert _installs(calls) == []


def test_failed_install_is_not_recorded(checkout):
    """A pip failure leaves no stamp: the next call tries again."""
    py = checkout / ".venv" / "bin" / "python"
    py.write_text(FAKE_PYTHON + 'case "$*" in *"install --quiet -e"*) exit 1;; esac\n')
    proc = subprocess.run(["bash", str(checkout / "run"), "reports"], cwd=checkout, capture_output=True, timeout=60)
    assert proc.returncode == 1
    py.write_text(FAKE_PYTHON)
    calls, _ = _run(checkout, "reports")
    assert _installs(calls)[-1] == "python -m pip install --quiet -e ."


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert "./run tests" in ci
    assert "./run tests" in (REPO / "README.md").read_text()


def test_gitignore_covers_jupyter_checkpoints(tmp_path):
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    probe = "notebooks/.ipynb_checkpoints/allocation_hotspots-checkpoint.ipynb"
    proc = subprocess.run(["git", "check-ignore", "-q", "--no-index", probe], cwd=REPO, timeout=60)
    assert proc.returncode == 0, f"{probe} is not ignored by .gitignore"
