"""gopherlab: a Jupyter workbench for the performance data Go programs produce.

The libraries are :mod:`pprof_parse` (pprof profiles, goroutine dumps, GC
traces) and :mod:`gobench` (Go benchmark results and benchstat). This package
holds the ``gopherlab`` command, the report runner, the report layer the notebooks
call (:mod:`gopherlab.reports`), the notebook magics (``%load_ext gopherlab``) and
the bundled sample data.
"""

from gopherlab_common.lazy import LazyModule

__version__ = "0.1.0"

# imported on the first %load_ext: ``import gopherlab`` stays cheap (no pprof_parse, no IPython)
_magics = LazyModule("gopherlab.magics")


def load_ipython_extension(ipython) -> None:
    """``%load_ext gopherlab``: register the ``%pprof`` line magic and the ``%%gobench`` cell magic in *ipython*
    (see :mod:`gopherlab.magics`)."""
    _magics.load_ipython_extension(ipython)
