"""Each notebook as a JupyterLab user runs it: defaults, widgets on, no error output."""
from __future__ import annotations

import papermill as pm
import pytest

from gopherlab import report
from gopherlab.reports.bundled import notebook_file

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", list(report.KINDS))
def test_notebook_runs_interactively(kind, tmp_path):
    nb = pm.execute_notebook(str(notebook_file(report.KINDS[kind][0])), str(tmp_path / "out.ipynb"),
                             kernel_name="python3", progress_bar=False, execution_timeout=90)
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, [(e.ename, e.evalue) for e in errors]
    explorers = [c for c in code if "widgets" in c.metadata.get("tags", [])]
    if not explorers:  # the history, profiles and trace notebooks have no widget explorer
        assert any(o.get("data") for c in code for o in c.outputs)  # but show what they found
        return
    # the explorer cell (last) displayed its widgets
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in explorers[-1].outputs)
    assert nb.metadata.get("widgets")  # widget state saved for JupyterLab
