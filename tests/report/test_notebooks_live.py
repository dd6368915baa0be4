"""Each notebook as a JupyterLab user runs it: defaults, widgets on, no error output."""
from __future__ import annotations

import papermill as pm
import pytest

from gopherlab import report
from gopherlab.reports.bundled import notebook_file

pytestmark = [pytest.mark.slow, pytest.mark.interactive]


@pytest.mark.parametrize("kind", list(report.KINDS))
def test_notebook_runs_interactively(kind, tmp_path):
    nb = pm.execute_notebook(str(notebook_file(report.KINDS[kind][0])), str(tmp_path / "out.ipynb"),
                             kernel_name="python3", progress_bar=False, execution_timeout=90)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # the explorer cell (last) displayed its widgets
    last = [c for c in nb.cells if "widgets" in c.metadata.get("tags", []) and c.cell_type == "code"][-1]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in last.outputs)
    assert nb.metadata.get("widgets")  # widget state saved for JupyterLab
