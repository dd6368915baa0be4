"""Start-up tuning for the report kernels (the notebooks' code is :mod:`gopherlab.reports`)."""
from __future__ import annotations

from ._process import tune_report_kernel


def skip_slow_optional_imports() -> None:
    """In a kernel started by the ``gopherlab report`` command, its start-up tuning
    (:func:`gopherlab._process.tune_report_kernel`: jsonschema's optional IRI grammar is
    not built); in any other process (a user's JupyterLab kernel, a script) nothing."""
    tune_report_kernel()
