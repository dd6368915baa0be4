"""The GC pause trends report: inputs and figures for ``GODEBUG=gctrace=1`` logs and MemStats snapshots.

The analysis is :mod:`pprof_parse`'s (:func:`pprof_parse.stack_runs`,
:func:`pprof_parse.pause_percentiles`, :func:`pprof_parse.heap_vs_goal`, ...); this module
only picks inputs and draws. Figures take the frame :func:`pprof_parse.stack_runs` returns
(one row per GC cycle, runs told apart by the categorical ``label``; times in seconds since
each run's start, pauses in ms, heap sizes in MiB). Views a static-HTML reader toggles
(percentile, run) are precomputed plotly traces switched by dropdowns; every axis shows
plain numbers in the unit its title names. A frame that is not :func:`pprof_parse.stack_runs`'
(no categorical ``label``, a missing column) raises ``AttributeError`` or ``KeyError``.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.figures import PLAIN_TICKS

from .bundled import sample_path

# imported on first use: plotly on the first figure, IPython and ipywidgets in a kernel only
go = LazyModule("plotly.graph_objects")
px = LazyModule("plotly.express")
plotly_subplots = LazyModule("plotly.subplots")
ipd = LazyModule("IPython.display")
W = LazyModule("ipywidgets")

__all__ = ["SAMPLE_RUNS", "auto_window", "gc_explorer", "gc_inputs", "gc_rate_figure", "heap_goal_figure",
           "memstats_figure", "pause_ecdf_figure", "pause_percentile_figure"]

#: the bundled sample runs: label -> gctrace log under ``runtime/leakserver``
SAMPLE_RUNS = {"GOGC=100": "gctrace-gogc100.log", "GOGC=50": "gctrace-gogc50.log",
               "GOMEMLIMIT=24MiB": "gctrace-gomemlimit24.log"}
_RUNTIME = "runtime/leakserver"


# bytes of an input gc_inputs reads to tell MemStats from gctrace
_SNIFF_BYTES = 200_000


def _head(path: Path) -> bytes:
    """The first ``_SNIFF_BYTES`` of a regular file; b"" for anything else (not opened:
    opening a FIFO waits for a writer)."""
    if not path.is_file():
        return b""
    with open(path, "rb") as f:
        return f.read(_SNIFF_BYTES)


def gc_inputs(inputs: list[str]) -> tuple[dict[str, str], list[str], list[float] | None]:
    """Split the GC notebook's inputs into ``(runs, memstats, times)``.

    ``runs`` maps a label (file stem) to a ``GODEBUG=gctrace=1`` log; ``memstats``
    lists heap ``debug=1`` dumps and expvar ``/debug/vars`` JSON files (``.json``
    or a ``# runtime.MemStats`` trailer), in the given order. Empty ``inputs``:
    the bundled sample (three runs of one program under GOGC=100, GOGC=50 and
    GOMEMLIMIT=24MiB, and four expvar snapshots with their capture times).

    A file counts as MemStats when it ends in ``.json``, starts with ``heap profile:``
    (the heap ``debug=1`` text, whose trailer is at its end) or its first
    200,000 bytes hold ``# runtime.MemStats``; every other input is a gctrace log
    labelled by its stem (``'`` appended to repeated stems). Only those first bytes are
    read here, and only from a regular file: a directory, device or FIFO goes to the
    gctrace reader, which refuses it.

    Returns
    -------
    tuple of (dict of str to str, list of str, list of float or None)
        ``runs``, ``memstats`` paths and their ``times`` in seconds (None: take them from
        the files, see :func:`pprof_parse.read_memstats`).

    Raises
    ------
    OSError
        An input cannot be read.
    FileNotFoundError
        A bundled sample is missing from the installation.
    """
    if not inputs:
        runs = {label: sample_path(f"{_RUNTIME}/{f}") for label, f in SAMPLE_RUNS.items()}
        man = json.loads(Path(sample_path(f"{_RUNTIME}/manifest.json")).read_text())
        ms = [sample_path(f"{_RUNTIME}/{s['files']['vars']}") for s in man["snapshots"]]
        return runs, ms, [float(s["t"]) for s in man["snapshots"]]
    runs: dict[str, str] = {}
    ms: list[str] = []
    for p in inputs:
        path = Path(p)
        head = _head(path)
        if path.suffix == ".json" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"heap profile:") \
                or b"# runtime.MemStats" in head:
            ms.append(str(path))
        else:
            label = path.stem
            while label in runs:
                label += "'"
            runs[label] = str(path)
    return runs, ms, None


def auto_window(stacked: pd.DataFrame, n: int = 20) -> float:
    """A window width giving about ``n`` windows over the longest run.

    Parameters
    ----------
    stacked : pandas.DataFrame
        :func:`pprof_parse.stack_runs` frame (uses ``label`` and ``start_s``, seconds).
    n : int
        Windows wanted over the longest run.

    Returns
    -------
    float
        Seconds, rounded to 1, 2 or 5 times a power of ten; at least 0.001.
    """
    span = float(stacked.groupby("label", observed=True)["start_s"].agg(lambda s: s.max() - s.min()).max() or 1.0)
    raw = max(span / n, 1e-3)
    mag = 10 ** np.floor(np.log10(raw))
    return float(min((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), default=raw))


def _plain_ticks(fig):
    """Axes show plain numbers in the unit their title names (ms, MiB, %): plotly's default tick
    suffixes would print 0.0001 ms as "100µ" and 8e9 as "8B" (billion)."""
    fig.update_xaxes(**PLAIN_TICKS)
    fig.update_yaxes(**PLAIN_TICKS)
    return fig


def pause_percentile_figure(stacked: pd.DataFrame, *, window: float):
    """Pause percentiles per time window, one line per run; a dropdown picks p50, p90, p99 (shown
    on open) or max.

    Parameters
    ----------
    stacked : pandas.DataFrame
        :func:`pprof_parse.stack_runs` frame (categorical ``label``).
    window : float
        Window width in seconds (:func:`pprof_parse.pause_percentiles`).

    Returns
    -------
    plotly.graph_objects.Figure
        x: window start (s since the run's start); y: pause in ms (both STW phases);
        hover: the window's cycle count.
    """
    qs = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    labels = list(stacked["label"].cat.categories)
    fig = go.Figure()
    for qi, (qname, q) in enumerate(qs.items()):
        for label in labels:
            c = stacked[stacked["label"] == label]
            if c.empty:
                continue
            pp = pprof_parse.pause_percentiles(c, window=window, q=(q,))
            col = f"p{100 * q:g}_ms"
            fig.add_trace(go.Scatter(x=pp["window_start_s"], y=pp[col], mode="lines+markers",
                                     name=html.escape(str(label)), visible=qi == 2, legendgroup=str(label),
                                     customdata=pp["cycles"],
                                     hovertemplate=f"%{{y:.3f}} ms ({qname}, %{{customdata}} cycles)<extra>"
                                                   f"{html.escape(str(label))}</extra>"))
    per_q = len(fig.data) // len(qs) if qs else 0
    buttons = [dict(label=qname, method="update",
                    args=[{"visible": [i // per_q == qi for i in range(len(fig.data))]},
                          {"title.text": f"GC pause {qname} per {window:g} s window"}])
               for qi, qname in enumerate(qs)]
    fig.update_layout(title=f"GC pause p99 per {window:g} s window", xaxis_title="seconds since start",
                      yaxis_title="pause (ms, both STW phases)", height=420,
                      updatemenus=[dict(buttons=buttons, active=2, x=1.0, xanchor="right", y=1.18, yanchor="top")])
    return _plain_ticks(fig)


def pause_ecdf_figure(stacked: pd.DataFrame):
    """Cumulative distribution of every cycle's pause (``pause_ms``, ms; log axis when all > 0),
    one curve per run of a :func:`pprof_parse.stack_runs` frame; returns a plotly Figure."""
    df = stacked[["label", "pause_ms"]].copy()
    df["label"] = df["label"].astype(str).map(html.escape)
    fig = px.ecdf(df, x="pause_ms", color="label", markers=True, log_x=bool((df["pause_ms"] > 0).all()),
                  labels={"pause_ms": "pause (ms)", "label": "run"})
    fig.update_layout(title="Distribution of GC pauses", height=380, yaxis_title="fraction of cycles")
    return _plain_ticks(fig)


def heap_goal_figure(stacked: pd.DataFrame):
    """Live heap, heap at the end of marking and the heap goal per cycle (MiB, from
    :func:`pprof_parse.heap_vs_goal`), red crosses on cycles that overshot the goal; a dropdown
    picks the run of a :func:`pprof_parse.stack_runs` frame. Returns a plotly Figure
    (x: seconds since the run's start)."""
    labels = list(stacked["label"].cat.categories)
    fig = go.Figure()
    series = [("heap_live_mb", "live heap", "#1f77b4", None), ("heap_end_mb", "heap at mark end", "#ff7f0e", None),
              ("heap_goal_mb", "heap goal", "#2ca02c", "dash")]
    for li, label in enumerate(labels):
        c = stacked[stacked["label"] == label]
        hv = pprof_parse.heap_vs_goal(c)
        for col, name, color, dash in series:
            fig.add_trace(go.Scatter(x=hv["start_s"], y=hv[col], mode="lines+markers", name=name,
                                     line=dict(color=color, dash=dash), visible=li == 0,
                                     hovertemplate=f"{name}: %{{y}} MiB<extra></extra>"))
        over = hv[hv["overshoot"]]
        fig.add_trace(go.Scatter(x=over["start_s"], y=over["heap_end_mb"], mode="markers", name="over goal",
                                 marker=dict(color="#d62728", size=11, symbol="x"), visible=li == 0))
    per = len(series) + 1
    buttons = [dict(label=html.escape(str(label)), method="update",
                    args=[{"visible": [i // per == li for i in range(len(fig.data))]},
                          {"title.text": html.escape(f"Heap vs goal: {label}")}])
               for li, label in enumerate(labels)]
    fig.update_layout(title=html.escape(f"Heap vs goal: {labels[0]}"), xaxis_title="seconds since start",
                      yaxis_title="MiB", height=420,
                      updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.18, yanchor="top")]
                      if len(labels) > 1 else [])
    return _plain_ticks(fig)


def gc_rate_figure(stacked: pd.DataFrame, *, window: float):
    """GC cycles per second (:func:`pprof_parse.gc_frequency`) and the share of CPU spent in GC in
    percent (:func:`pprof_parse.gc_cpu_share`) per ``window`` seconds, one line per run of a
    :func:`pprof_parse.stack_runs` frame; two stacked subplots sharing the x axis (seconds since
    the run's start). Returns a plotly Figure."""
    fig = plotly_subplots.make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                                        subplot_titles=("GC cycles per second", "GC share of CPU (%)"))
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    for i, label in enumerate(stacked["label"].cat.categories):
        c = stacked[stacked["label"] == label]
        if c.empty:
            continue
        color = palette[i % len(palette)]
        name = html.escape(str(label))
        f = pprof_parse.gc_frequency(c, window=window)
        s = pprof_parse.gc_cpu_share(c, window=window)
        fig.add_trace(go.Scatter(x=f["window_start_s"], y=f["per_s"], name=name, legendgroup=name,
                                 line=dict(color=color)), row=1, col=1)
        fig.add_trace(go.Scatter(x=s["window_start_s"], y=100 * s["share"], name=name, legendgroup=name,
                                 showlegend=False, line=dict(color=color)), row=2, col=1)
    fig.update_layout(height=520, title=f"GC frequency and CPU per {window:g} s window")
    fig.update_xaxes(title_text="seconds since start", row=2, col=1)
    return _plain_ticks(fig)


def memstats_figure(ms: pd.DataFrame):
    """MemStats over time: ``HeapAlloc``, ``HeapInuse``, ``NextGC`` (the goal) and ``Sys`` (from
    the OS) in MiB against ``t`` (seconds), from a :func:`pprof_parse.read_memstats` frame; a
    column that is missing or all NA is left out. Returns a plotly Figure."""
    fig = go.Figure()
    for col, name in (("HeapAlloc", "HeapAlloc"), ("HeapInuse", "HeapInuse"), ("NextGC", "NextGC (goal)"),
                      ("Sys", "Sys (from OS)")):
        if col in ms and ms[col].notna().any():
            fig.add_trace(go.Scatter(x=ms["t"], y=ms[col].astype("float64") / (1 << 20), mode="lines+markers",
                                     name=name, hovertemplate=f"{name}: %{{y:.1f}} MiB<extra></extra>"))
    fig.update_layout(title="MemStats snapshots", xaxis_title="seconds", yaxis_title="MiB", height=380)
    return _plain_ticks(fig)


def gc_explorer(stacked: pd.DataFrame, *, window: float) -> None:
    """Display ipywidgets controls (runs, window width in seconds) redrawing
    :func:`pause_percentile_figure` and :func:`heap_goal_figure` of a
    :func:`pprof_parse.stack_runs` frame. Needs ipywidgets and a live kernel."""
    labels = [str(x) for x in stacked["label"].cat.categories]
    run_w = W.SelectMultiple(options=labels, value=tuple(labels), description="runs")
    win_w = W.FloatLogSlider(value=window, base=10, min=-2, max=3, step=0.1, description="window s")
    out = W.Output()

    def refresh(_=None):
        with out:
            out.clear_output(wait=True)
            sel = stacked[stacked["label"].astype(str).isin(run_w.value)].copy()
            if sel.empty:
                return
            sel["label"] = sel["label"].cat.remove_unused_categories()
            pause_percentile_figure(sel, window=win_w.value).show()
            heap_goal_figure(sel).show()

    run_w.observe(refresh, names="value")
    win_w.observe(refresh, names="value")
    refresh()
    ipd.display(W.VBox([W.HBox([run_w, win_w]), out]))
