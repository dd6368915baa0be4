"""The execution trace report: scheduler latency over time, GC stop-the-world, blocking, slow regions.

The analyses are :mod:`pprof_parse.runtime.trace.analysis`'s (scheduler latency,
blocking by reason, the ``go tool trace -pprof=KIND`` delay profiles, GC cycles, region
latency); this module reads the traces named in the notebook's parameters, keeps only
aggregates (the traces themselves are dropped once analysed, so many large files fit in
memory one at a time), and draws. Every figure is aggregated -- time buckets, one bar per GC
cycle, one row per region type, pruned flame graphs -- so the HTML stays small whatever
the trace's size: never one plotly point per event.

The bundled sample (``gopherlab/data/runtime/trace/tracegen.trace``, ~240 KB) is a 60 ms
run of ``examples/tracegen`` (channel ping-pong, mutex and WaitGroup waits, syscalls,
loopback TCP, user tasks and regions, forced GCs). Regenerate it with::

    cd examples/tracegen && go build -o /tmp/tracegen . && \\
        /tmp/tracegen -duration 60ms -o ../../gopherlab/data/runtime/trace/tracegen.trace
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.figures import PLAIN_TICKS, call_tree, flame_views_figure
from pprof_parse.runtime.trace import analysis, read_trace

from .bundled import expand_inputs
from .render import html_table

go = LazyModule("plotly.graph_objects")
ipd = LazyModule("IPython.display")

__all__ = ["SAMPLE_TRACE", "TraceAnalysis", "analyze", "blocking_figure", "delay_flame_figure", "gc_figure",
           "sched_latency_figure", "show_groups", "show_regions", "show_slowest", "show_summary", "trace_inputs"]

#: The bundled sample trace, relative to ``gopherlab/data``.
SAMPLE_TRACE = "runtime/trace/tracegen.trace"
_MS = 1e6  # ns per ms


def trace_inputs(paths) -> list[str]:
    """The trace files named: paths and glob patterns expanded, in the order given.

    Parameters
    ----------
    paths : str or list of str
        Trace files or glob patterns (``**`` allowed; matches sorted). Empty: the bundled
        sample (:data:`SAMPLE_TRACE`).

    Returns
    -------
    list of str

    Raises
    ------
    FileNotFoundError
        A file that does not exist or a pattern that matches nothing (named).
    """
    return expand_inputs(paths, [SAMPLE_TRACE])


@dataclass
class TraceAnalysis:
    """The aggregates of one or more traces (what :func:`analyze` returns).

    Attributes
    ----------
    files : list of str
    summary : DataFrame
        One row per file: ``file``, ``go`` (header version), ``events``, ``duration_ms``,
        ``goroutines``, ``gc_cycles``, ``stw_ms`` (GC stop-the-world total), ``sched_p99_us``,
        ``sched_max_us`` (scheduler latency, µs).
    latency : DataFrame
        :func:`~pprof_parse.runtime.trace.analysis.latency_over_time` per file, with ``file``.
    groups : DataFrame
        :func:`~pprof_parse.runtime.trace.analysis.latency_by_group` of all files together.
    blocking : DataFrame
        :func:`~pprof_parse.runtime.trace.analysis.blocking_by_reason` summed over files
        (``reason``, ``count``, ``total_ns``, ``max_ns``).
    gc : DataFrame
        :func:`~pprof_parse.runtime.trace.analysis.gc_cycles` per file, with ``file`` and
        ``offset_ms`` (cycle start, ms since the file's first event).
    regions : DataFrame
        :func:`~pprof_parse.runtime.trace.analysis.region_latency` of all regions together.
    slowest : DataFrame
        The regions lasting at least the threshold, longest first (at most ``top_n``):
        :func:`~pprof_parse.runtime.trace.analysis.find_rare`'s columns.
    profiles : dict
        kind (sched, sync, net, syscall) -> the files' delay profiles merged
        (:func:`pprof_parse.merge`).
    threshold_ns : int
    """

    files: list[str]
    summary: pd.DataFrame
    latency: pd.DataFrame
    groups: pd.DataFrame
    blocking: pd.DataFrame
    gc: pd.DataFrame
    regions: pd.DataFrame
    slowest: pd.DataFrame
    profiles: dict = field(default_factory=dict)
    threshold_ns: int = 0


def _one(path: str, threshold_ns: int, buckets: int) -> dict:
    """The aggregates of one trace (the Trace itself is not kept)."""
    tr = read_trace(path)
    lat = analysis.sched_latency(tr)
    done = lat.loc[lat["end"] >= 0, "latency_ns"]
    origin = lat.attrs["origin"]
    gc = analysis.gc_cycles(tr)
    name = os.path.basename(path)
    summary = {"file": name, "go": f"1.{tr.version}", "events": len(tr),
               "duration_ms": (int(tr.events["time"].iloc[-1]) - origin) / _MS,
               "goroutines": int(tr.transitions.loc[tr.transitions["resource"] == "goroutine", "id"].nunique()),
               "gc_cycles": len(gc), "stw_ms": gc["stw_ns"].sum() / _MS,
               "sched_p99_us": float(done.quantile(0.99, interpolation="higher")) / 1e3 if len(done) else np.nan,
               "sched_max_us": float(done.max()) / 1e3 if len(done) else np.nan}
    return {
        "summary": summary,
        "latency": analysis.latency_over_time(lat, buckets=buckets).assign(file=name),
        "lat": lat[["group", "g", "end", "latency_ns"]].assign(g=lambda d: d["g"].astype(str) + "@" + name),
        "blocking": analysis.blocking_by_reason(tr),
        "gc": gc.assign(file=name, offset_ms=(gc["start"] - origin) / _MS),
        "regions": tr.regions.dropna(subset=["duration"]),
        "slowest": analysis.rare_events(tr, threshold_ns=threshold_ns, kind="region", file=name),
        "profiles": analysis.delay_profiles(tr),
    }


def analyze(paths, *, threshold_ms: float = 1.0, buckets: int = 60, top_n: int = 20) -> TraceAnalysis:
    """Read every trace and keep the report's aggregates.

    Parameters
    ----------
    paths : str or list of str
        As :func:`trace_inputs` (empty: the bundled sample).
    threshold_ms : float
        Regions lasting at least this long (ms) are listed in ``slowest``.
    buckets : int
        Time buckets of the scheduler latency chart, per file.
    top_n : int
        Rows of ``slowest``.

    Returns
    -------
    TraceAnalysis

    Raises
    ------
    FileNotFoundError
        From :func:`trace_inputs`.
    TraceFormatError, TraceVersionError
        A file that is not a readable Go 1.22+ execution trace.
    """
    files = trace_inputs(paths)
    threshold_ns = int(round(threshold_ms * _MS))
    parts = [_one(p, threshold_ns, buckets) for p in files]
    lat = pd.concat([p["lat"] for p in parts], ignore_index=True)
    lat.attrs["origin"] = 0
    regions = pd.concat([p["regions"] for p in parts], ignore_index=True)
    blocking = (pd.concat([p["blocking"] for p in parts]).groupby("reason", sort=False)
                .agg(count=("count", "sum"), total_ns=("total_ns", "sum"), max_ns=("max_ns", "max"))
                .sort_values("total_ns", ascending=False).reset_index())
    slowest = pd.concat([p["slowest"] for p in parts], ignore_index=True)
    slowest = slowest.sort_values("duration_ns", ascending=False, kind="stable").head(top_n).reset_index(drop=True)
    profiles = {k: pprof_parse.merge([p["profiles"][k] for p in parts]) if len(parts) > 1 else parts[0]["profiles"][k]
                for k in parts[0]["profiles"]}
    return TraceAnalysis(
        files=files, summary=pd.DataFrame([p["summary"] for p in parts]),
        latency=pd.concat([p["latency"] for p in parts], ignore_index=True),
        groups=analysis.latency_by_group(lat),
        blocking=blocking, gc=pd.concat([p["gc"] for p in parts], ignore_index=True),
        regions=analysis.region_latency(regions), slowest=slowest,
        profiles=profiles, threshold_ns=threshold_ns)


# ---- figures -------------------------------------------------------------------------------------

def sched_latency_figure(a: TraceAnalysis):
    """Scheduler latency over time: p50, p99 and max per time bucket (µs, log scale) against ms
    since each trace's start; one set of lines per file."""
    fig = go.Figure()
    for name, d in a.latency.groupby("file", sort=False):
        x = d["bucket_start_ns"] / _MS
        for col, dash in (("p50_ns", "dot"), ("p99_ns", "solid"), ("max_ns", "dash")):
            label = html.escape(f"{col[:-3]} {name}" if len(a.files) > 1 else col[:-3])
            fig.add_trace(go.Scatter(x=x, y=d[col] / 1e3, mode="lines+markers", name=label,
                                     line={"dash": dash}, hovertemplate="%{y:.1f} µs at %{x:.1f} ms<extra></extra>"))
    fig.update_layout(title="Scheduler latency (runnable → running) over time", height=420,
                      xaxis_title="time since trace start (ms)", yaxis_title="latency (µs)", yaxis_type="log")
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def gc_figure(a: TraceAnalysis):
    """GC stop-the-world per cycle: sweep and mark termination pauses stacked (ms), and mark
    assist time (ms), one bar group per cycle at its start."""
    fig = go.Figure()
    text = [html.escape(f) for f in a.gc["file"]]
    for col, label in (("sweep_term_ns", "STW sweep termination"), ("mark_term_ns", "STW mark termination"),
                       ("assist_ns", "mark assist")):
        fig.add_trace(go.Bar(x=a.gc["offset_ms"], y=a.gc[col] / _MS, name=label, customdata=text,
                             hovertemplate="%{y:.3f} ms at %{x:.1f} ms (%{customdata})<extra></extra>"))
    fig.update_layout(title="GC stop-the-world and assist time per cycle", barmode="stack", height=380,
                      xaxis_title="cycle start, time since trace start (ms)", yaxis_title="ms")
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def blocking_figure(a: TraceAnalysis):
    """Time goroutines spent blocked, per reason (ms, summed over goroutines), largest on top."""
    b = a.blocking.iloc[::-1]
    fig = go.Figure(go.Bar(x=b["total_ns"] / _MS, y=[html.escape(r) for r in b["reason"]], orientation="h",
                           customdata=b["count"], hovertemplate="%{x:.2f} ms in %{customdata} waits<extra></extra>"))
    fig.update_layout(title="Blocked time by reason (goroutine-ms)", height=max(260, 28 * len(b) + 120),
                      xaxis_title="ms", margin={"l": 220})
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def delay_flame_figure(a: TraceAnalysis, *, max_nodes: int = 400):
    """The delay profiles (``go tool trace -pprof=KIND``) as flame graphs, one per kind with
    any delay, switched by a dropdown; None when no goroutine waited."""
    titles = {"sched": "scheduler wait (sched)", "sync": "sync / channels (sync)", "net": "network (net)",
              "syscall": "syscalls (syscall)"}
    trees = {titles[k]: call_tree(p, "delay", max_nodes=max_nodes)
             for k, p in a.profiles.items() if p.total("delay") > 0}
    if not trees:
        return None
    return flame_views_figure(trees, title="Where goroutines waited (delay, by stack)", height=560)


# ---- tables --------------------------------------------------------------------------------------

def _ms(v) -> str:
    return f"{v / _MS:.3f}"


def show_summary(a: TraceAnalysis) -> None:
    """Display one row per trace file (:attr:`TraceAnalysis.summary`)."""
    fmt = {"duration_ms": "{:.1f}".format, "stw_ms": "{:.3f}".format, "sched_p99_us": "{:.1f}".format,
           "sched_max_us": "{:.1f}".format}
    ipd.display(ipd.HTML(html_table(a.summary, formats=fmt, caption="Traces")))


def show_groups(a: TraceAnalysis, top_n: int = 15) -> None:
    """Display scheduler latency per goroutine group (start function), largest total first (ms)."""
    cols = {"total_ns": _ms, "p50_ns": _ms, "p90_ns": _ms, "p99_ns": _ms, "max_ns": _ms}
    ipd.display(ipd.HTML(html_table(a.groups, formats=cols, max_rows=top_n,
                                    caption="Scheduler latency by goroutine group (ms)")))


def show_regions(a: TraceAnalysis) -> None:
    """Display the latency distribution of each region type (ms), slowest p99 first."""
    if a.regions.empty:
        ipd.display(ipd.HTML("<p>No user regions (<code>trace.WithRegion</code>) in these traces.</p>"))
        return
    cols = {"total_ns": _ms, "p50_ns": _ms, "p90_ns": _ms, "p99_ns": _ms, "max_ns": _ms}
    ipd.display(ipd.HTML(html_table(a.regions, formats=cols, caption="Region latency (ms)")))


def show_slowest(a: TraceAnalysis) -> None:
    """Display the regions that lasted at least the threshold, longest first, with their stacks."""
    if a.slowest.empty:
        ipd.display(ipd.HTML(f"<p>No region lasted {a.threshold_ns / _MS:g} ms or more.</p>"))
        return
    view = a.slowest.assign(file=[Path(f).name for f in a.slowest["file"]])[
        ["file", "name", "g", "duration_ns", "stack_text"]]
    ipd.display(ipd.HTML(html_table(view, formats={"duration_ns": _ms}, left=True,
                                    caption=f"Regions of {a.threshold_ns / _MS:g} ms or more (duration in ms)")))
