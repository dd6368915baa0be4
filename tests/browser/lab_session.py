"""Steps every JupyterLab test takes: write a notebook, open it in the page, run all its cells."""
from __future__ import annotations

import json
from pathlib import Path

#: true once the open notebook's kernel is idle
IDLE = "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells ``cells`` (no outputs) for the python3 kernel."""
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {}, "outputs": [],
                     "source": src} for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def open_and_run_all(page, base: str, token: str, name: str) -> None:
    """Open notebook ``name`` (relative to the lab's root) and run all its cells once its kernel is idle."""
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
    page.wait_for_function(IDLE, timeout=90_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
