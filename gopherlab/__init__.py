"""gopherlab: a Jupyter workbench for the performance data Go programs produce.

The libraries are :mod:`pprof_parse` (pprof profiles, goroutine dumps, GC
traces) and :mod:`gobench` (Go benchmark results and benchstat). This package
holds the ``gopherlab`` command, the report runner, the report layer the notebooks
call (:mod:`gopherlab.reports`) and the bundled sample data.
"""

__version__ = "0.1.0"
