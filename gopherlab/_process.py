"""Process-level tuning of the ``gopherlab`` executable's one-shot commands.

:func:`before` and :func:`exit` are called by :func:`gopherlab.cli.run` only,
that is in the process of the ``gopherlab`` executable; :func:`tune_report_kernel`
acts only in the Jupyter kernels that process starts for ``gopherlab report``.
Importing or calling ``pprof_parse``, ``gobench`` or ``gopherlab`` anywhere else
(``gobench.cli.benchstat_main([...])`` or ``gopherlab.cli.main([...])``
in-process included) changes nothing of the caller's process.

A tuning stays only while it gains at least 5 % of its command's wall time,
measured with and without it as whole processes in interleaved rounds. Unless
said otherwise the figures are ``gopherlab benchstat`` on case B of
``benchmarks/bench_gobench.py`` (2 files x 1,000 benchmarks x 100 runs), 25
rounds, median of the per-round ratios, on a 2-core machine at load 8-12 (so
noisy; CPU-time ratios quoted too), 2026-12-05. Measured and dropped: pausing
the garbage collector (wall x0.98 without: no gain), glibc ``mallopt`` keeping
freed memory (x1.03 wall, x1.02 CPU), a forked child scanning the second file
(x0.99 wall), dropping each input once parsed (x1.06 wall, but only possible
through the library's API).
"""
from __future__ import annotations

import os
import sys

__all__ = ["FAST_EXIT", "REPORT_KERNEL_MARK", "before", "exit", "tune_report_kernel"]

#: Commands whose process ends with ``os._exit`` once its output is flushed: the
#: interpreter's teardown of numpy's (and pandas') modules does nothing they need.
#: Without it ``benchstat`` takes x1.065 wall (x1.04 CPU); ``top`` on the bundled
#: ``heap.pb.gz`` x1.20 wall (x1.20 CPU; 15 rounds, load 6-9). ``compare`` runs the same
#: reading and tables as ``benchstat``.
FAST_EXIT = frozenset({"benchstat", "compare", "top"})

#: Commands that do no linear algebra: OpenBLAS (loaded by ``import numpy``) starts one
#: thread per core unless ``OPENBLAS_NUM_THREADS`` says otherwise. Without the setting
#: ``benchstat`` takes x1.065 wall (x1.06 CPU). A value the user set is kept.
ONE_BLAS_THREAD = frozenset({"benchstat", "compare"})

#: Set in the ``gopherlab report`` process's environment; the kernels it starts inherit
#: it, and :func:`tune_report_kernel` acts only where it is set.
REPORT_KERNEL_MARK = "GOPHERLAB_REPORT_KERNEL"


def before(command: str) -> None:
    """Tune this process (the ``gopherlab`` executable's) for ``gopherlab <command>``,
    before the command's modules are imported."""
    if command in ONE_BLAS_THREAD:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if command == "report":
        os.environ[REPORT_KERNEL_MARK] = "1"
        _skip_iri_grammar()


def exit(command: str, status: int):
    """End the process with *status*: ``os._exit`` after flushing stdout and stderr for
    the :data:`FAST_EXIT` commands, ``sys.exit`` otherwise."""
    if command in FAST_EXIT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # e.g. `gopherlab top x | head`
            pass
        os._exit(status)
    sys.exit(status)


def tune_report_kernel() -> None:
    """In a kernel started by ``gopherlab report`` (the environment holds
    :data:`REPORT_KERNEL_MARK`), the same start-up tuning as the command's process;
    anywhere else (a user's JupyterLab kernel, a script) nothing."""
    if os.environ.get(REPORT_KERNEL_MARK) == "1":
        _skip_iri_grammar()


def _skip_iri_grammar() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax``.

    ``import plotly.io`` (in a kernel) and papermill/nbconvert (in the command) import
    nbformat, which imports jsonschema at module level whatever validator it is told
    to use (fastjsonschema by default); jsonschema's ``_format`` module then imports
    ``rfc3987_syntax`` for its optional ``iri`` format checker, and that module builds
    an Earley parser of RFC 3987's grammar with lark at import. No validator or
    format-checker choice avoids the import, and nothing here validates IRIs. Where the
    package is installed (``jsonschema[format-nongpl]``, which jupyter_server pulls in)
    this saves about 3.2 s of CPU per process at load ~7 (``import papermill,
    nbconvert``: 8.8 s wall without it, 2.4 s with; a kernel's ``import plotly.io`` and
    first ``pio.renderers``: 7.7 s and 1.2 s; 5 interleaved rounds each; 1.4 s per
    process on a quiet machine). ``gopherlab report leaks`` on the sample data (command
    and kernel), 3 interleaved pairs: 23.8-26.7 s without it, 11.2-14.2 s with it.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
