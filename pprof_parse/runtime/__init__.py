"""Go runtime diagnostics: GC traces, MemStats, runtime/metrics, Prometheus, goroutine dumps, leaks.

The public names of the runtime-diagnostics part of :mod:`pprof_parse`
(re-exported at the package top level)::

    gctrace      read_gctrace, read_scavtrace, read_pacertrace, parse_gctrace -> GCTrace
    MemStats     read_memstats, read_gc_pauses, load_memstats
    metrics      read_runtime_metrics, read_runtime_histograms, histogram_quantiles,
                 read_prometheus, prometheus_histograms, prometheus_series
    goroutines   read_goroutines, goroutines_from_profile, goroutine_frames, group_goroutines,
                 infer_state
    leaks        find_leaks, leak_timeseries
    traces       read_trace -> Trace (Go 1.22-1.27 execution traces: events, stacks, transitions,
                 regions, tasks, logs, metrics, ranges, delay profiles); TraceFormatError,
                 TraceVersionError
    GC analysis  pause_percentiles, gc_frequency, heap_vs_goal, gc_cpu_share, compare_runs, stack_runs,
                 gctrace_wall_time
    sample data  load_capture(root) (the bundled sample capture is gopherlab's data)
    errors       RuntimeFormatError(PprofParseError, ValueError), from pprof_parse.errors

Every reader takes its input as pandas' readers do: a ``str`` or path-like is a
path, bytes and open files (text or binary) are content, and the keyword-only
``text=`` takes a ``str`` of content (:mod:`.inputs` states the rules, the size
limit and the errors).  Bad option values raise :class:`~pprof_parse.errors.OptionError`.

Modules: inputs.py (the argument rules and bounded loading every reader shares),
options.py (option checks), gctrace.py, memstats.py, metrics.py, goroutines.py, gc.py
(GC analysis), leaks.py, trace/ (execution traces).  This package builds on ``pprof_parse.errors``, ``read.source``,
``read.numbers``, ``read.memstats_trailer`` (the heap text's MemStats trailer, shared with
the profile reader) and :func:`pprof_parse.read_profile` (goroutine profiles); the profile
pipeline does not import it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pprof_parse.errors import RuntimeFormatError

from pprof_parse.runtime.gc import (
    compare_runs, gc_cpu_share, gc_frequency, gctrace_wall_time, heap_vs_goal, pause_percentiles, stack_runs,
)
from pprof_parse.runtime.gctrace import GCTrace, parse_gctrace, read_gctrace, read_pacertrace, read_scavtrace
from pprof_parse.runtime.goroutines import (
    goroutine_frames, goroutines_from_profile, group_goroutines, infer_state, read_goroutines,
)
from pprof_parse.runtime.leaks import find_leaks, leak_timeseries
from pprof_parse.runtime.memstats import load_memstats, read_gc_pauses, read_memstats
from pprof_parse.runtime.trace import Trace, TraceFormatError, TraceVersionError, read_trace
from pprof_parse.runtime.metrics import (
    histogram_quantiles, prometheus_histograms, prometheus_series, read_prometheus, read_runtime_histograms,
    read_runtime_metrics,
)

__all__ = [
    "compare_runs",
    "find_leaks",
    "gc_cpu_share",
    "gc_frequency",
    "GCTrace",
    "gctrace_wall_time",
    "goroutine_frames",
    "goroutines_from_profile",
    "group_goroutines",
    "heap_vs_goal",
    "histogram_quantiles",
    "infer_state",
    "leak_timeseries",
    "load_capture",
    "load_memstats",
    "parse_gctrace",
    "pause_percentiles",
    "prometheus_histograms",
    "prometheus_series",
    "read_gc_pauses",
    "read_gctrace",
    "read_goroutines",
    "read_memstats",
    "read_pacertrace",
    "read_prometheus",
    "read_runtime_histograms",
    "read_runtime_metrics",
    "read_scavtrace",
    "read_trace",
    "RuntimeFormatError",
    "stack_runs",
    "Trace",
    "TraceFormatError",
    "TraceVersionError",
]


def load_capture(root) -> dict:
    """Paths and times of a capture written by ``examples/leakserver/capture.py``.

    Parameters
    ----------
    root : str or os.PathLike
        The capture directory (holding ``manifest.json``).  The sample capture
        bundled with gopherlab is ``gopherlab/data/runtime/leakserver``: pass
        ``Path(gopherlab.reports.bundled.sample_path("runtime/leakserver/manifest.json")).parent``
        (pprof_parse does not reach into the packages above it).

    Returns
    -------
    dict
        ``times`` (list of float, seconds since the server started, one per
        snapshot), ``gctrace`` (Path), one list of Paths per snapshot kind
        (``goroutine.debug2``, ``goroutine.debug1``, ``goroutine``,
        ``goroutineleak``, ``heap.debug1``, ``vars``), ``gc_runs`` (label ->
        Path of the ``gctrace-*.log`` files present), ``extra`` (label -> Path of
        ``panic.txt``/``sigquit.txt`` if present), ``root`` (Path) and
        ``manifest`` (the raw dict).

    Raises
    ------
    OSError
        ``root/manifest.json`` cannot be read.
    json.JSONDecodeError (a ValueError)
        The manifest is not JSON.
    """
    r = Path(root)
    man = json.loads((r / "manifest.json").read_text())
    out: dict = {"root": r, "manifest": man, "times": [s["t"] for s in man["snapshots"]],
                 "gctrace": r / man["gctrace"]}
    for s in man["snapshots"]:
        for k, f in s["files"].items():
            out.setdefault(k, []).append(r / f)
    out["gc_runs"] = {p.stem.removeprefix("gctrace-"): p for p in sorted(r.glob("gctrace-*.log"))}
    out["extra"] = {p.stem: p for p in (r / "panic.txt", r / "sigquit.txt") if p.exists()}
    return out
