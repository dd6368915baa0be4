"""The report layer: what the workbench notebooks call, as a documented public API.

The notebooks in :mod:`gopherlab.notebooks` are templates: ``gopherlab notebooks DIR`` copies them
for users to edit, so every name they use is public and pinned (``tests/test_public_api.py``).
They stay thin: inputs, analysis calls and figures live here, tested with plain pytest.

==================================  ======================================================
module                              what it holds
==================================  ======================================================
:mod:`gopherlab.reports.render`     notebook setup (offline plotly renderer, table CSS),
                                    escaped HTML tables and text, the result a notebook
                                    publishes for ``gopherlab report``
:mod:`gopherlab.reports.bundled`    paths of the bundled sample data and notebooks
:mod:`gopherlab.reports.allocations`  the allocation hot spots notebook (pprof heap/allocs
                                    profiles): top tables, ranking chart, function deltas,
                                    the live explorer
:mod:`gopherlab.reports.gc`         the GC pause trends notebook (gctrace logs, MemStats)
:mod:`gopherlab.reports.leaks`      the goroutine leak notebook (goroutine dumps over time)
:mod:`gopherlab.reports.bench`      the benchmark comparison notebook (benchstat, CI verdict)
:mod:`gopherlab.reports.history`    the benchmark history notebook (change points, regressions
                                    table, band charts, CI verdict, PR comment)
:mod:`gopherlab.reports.trace`      the execution trace notebook (scheduler latency over time and
                                    by goroutine group, GC stop-the-world per cycle, blocking by
                                    reason with flame graphs, slowest regions)
:mod:`gopherlab.reports.profiles`   the profiles over time notebook (a profile store or many
                                    profile files: function share over time and its step,
                                    changes between two windows, breakdown by label)
==================================  ======================================================

The analyses are the libraries' (:mod:`pprof_parse`, :mod:`gobench`); flame graphs and call
trees are :mod:`pprof_parse.figures`. These modules pick inputs, draw, and escape: every
profile, function or benchmark string reaching HTML or a plotly label goes through
:func:`html.escape`. ``show_*`` functions display in the running IPython kernel and return
None; ``*_figure`` functions return a :class:`plotly.graph_objects.Figure`. Views a reader
of the exported HTML toggles are precomputed plotly traces switched by dropdowns; the
``*_explorer`` functions need ipywidgets and a live kernel (JupyterLab).

>>> from gopherlab.reports import allocations, render       # doctest: +SKIP
>>> render.setup_notebook()                                 # doctest: +SKIP
"""

#: MIME type under which a notebook publishes its machine-readable result
#: (:func:`gopherlab.reports.render.emit_result`); ``gopherlab report`` reads it back.
RESULT_MIME = "application/vnd.gopherlab.result+json"

__all__ = ["RESULT_MIME", "allocations", "bench", "bundled", "gc", "history", "leaks", "profiles", "render", "trace"]
