"""The goroutine leak report: inputs, verdict, table, growth chart and stacks of goroutine dumps over time.

The analysis is :func:`pprof_parse.find_leaks` (one row per goroutine group, suspects first);
this module picks inputs, words the verdict and draws. Growth is per minute when the snapshots
have times, per snapshot when only their order is known (``attrs["time_basis"] == "order"``),
and not measurable from a single snapshot (``attrs["growth_measurable"]`` False).
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.errors import OptionError
from pprof_parse.figures import short_name

from .bundled import sample_path
from .render import show_table

# imported on first use: plotly on the first figure, IPython and ipywidgets in a kernel only
go = LazyModule("plotly.graph_objects")
ipd = LazyModule("IPython.display")
W = LazyModule("ipywidgets")

__all__ = ["SUSPECT_COLUMNS", "SUSPECT_FORMATS", "growth_figure", "leak_explorer", "leak_inputs", "show_stacks",
           "show_suspects", "show_verdict", "suspects_frame", "verdict"]

_RUNTIME = "runtime/leakserver"


def _timestamp(v) -> pd.Timestamp:
    try:
        return pd.Timestamp(v)
    except (TypeError, ValueError):
        raise OptionError(f"times: {str(v)[:40]!r} is neither a number of seconds nor a timestamp") from None


def _seconds(values: list) -> list[float]:
    """Times as seconds: numbers stay, RFC 3339 timestamps become seconds since the first one."""
    out: list[float] = []
    stamps = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            stamps.append(_timestamp(v))
    if stamps and out:
        raise OptionError("times mixes numbers and timestamps")
    if stamps:
        t0 = stamps[0]
        return [(s - t0).total_seconds() for s in stamps]
    return out


def leak_inputs(snapshots: list[str], times: list, interval: float) -> tuple[list[str], list[float] | None]:
    """Resolve the leak notebook's inputs: ``(paths, times)`` for :func:`pprof_parse.find_leaks`.

    Empty ``snapshots``: the bundled capture (four ``debug=2`` dumps of a server leaking
    goroutines in four ways, plus its ``goroutineleak`` profiles, with capture times).
    ``times`` (seconds or RFC 3339) or ``interval`` (seconds between snapshots) give
    times when the files carry none (copied files lose their mtime).

    Returns
    -------
    tuple of (list of str, list of float or None)
        The paths and their times in seconds (None when the files must speak for themselves:
        their mtimes, else their order).

    Raises
    ------
    pprof_parse.OptionError (a ValueError)
        ``times`` has a different length from ``snapshots``, mixes numbers and
        timestamps, or holds a value that is neither (the error
        :func:`pprof_parse.find_leaks` raises for bad times).
    FileNotFoundError
        A bundled sample is missing from the installation.
    """
    if not snapshots:
        man = json.loads(Path(sample_path(f"{_RUNTIME}/manifest.json")).read_text())
        snaps = man["snapshots"]
        paths = [sample_path(f"{_RUNTIME}/{s['files']['goroutine.debug2']}") for s in snaps]
        paths += [sample_path(f"{_RUNTIME}/{s['files']['goroutineleak']}") for s in snaps if "goroutineleak" in s["files"]]
        t = [float(s["t"]) for s in snaps]
        return paths, t + t[: len(paths) - len(t)]
    if times:
        t = _seconds(list(times))
        if len(t) != len(snapshots):
            raise OptionError(f"times: {len(t)} times for {len(snapshots)} snapshots")
        return list(snapshots), t
    if interval and interval > 0:
        return list(snapshots), [i * float(interval) for i in range(len(snapshots))]
    return list(snapshots), None


#: columns of :func:`pprof_parse.find_leaks`' frame the ranked table shows, in order
SUSPECT_COLUMNS = ["suspect", "top_function", "state", "created_by", "first", "last", "peak",
                   "growth_per_min", "leak_profile", "reason"]


def _rate(v) -> str:
    return "" if v is None or pd.isna(v) else f"{v:+.1f}"


#: cell formats of :func:`suspects_frame` (a growth that cannot be measured is an empty cell, not "+nan")
SUSPECT_FORMATS = {"growth_per_min": _rate, "growth_per_snapshot": _rate}


def suspects_frame(leaks: pd.DataFrame) -> pd.DataFrame:
    """The ranked groups table of a :func:`pprof_parse.find_leaks` frame.

    Returns
    -------
    pandas.DataFrame
        The :data:`SUSPECT_COLUMNS` present, in that order, one row per group as ``leaks``
        orders them; ``suspect`` becomes ``"LEAK?"`` or ``""`` (str). ``growth_per_min``
        (goroutines per minute) when the snapshots have times, ``growth_per_snapshot`` in its
        place when only their order is known, neither (and no ``first``) with a single
        snapshot. Format with :data:`SUSPECT_FORMATS`.

    Raises
    ------
    KeyError
        ``leaks`` has no ``suspect`` column.
    """
    cols = [c for c in SUSPECT_COLUMNS if c in leaks]
    if not leaks.attrs.get("growth_measurable", True):
        cols = [c for c in cols if c not in ("first", "growth_per_min")]
    elif leaks.attrs.get("time_basis") == "order":
        cols = [("growth_per_snapshot" if c == "growth_per_min" else c) for c in cols]
    df = leaks[cols].copy()
    df["suspect"] = np.where(df["suspect"], "LEAK?", "")
    return df


def show_suspects(leaks: pd.DataFrame, n: int) -> None:
    """Display the first ``n`` rows of :func:`suspects_frame` (escaped), with a caption counting groups."""
    show_table(suspects_frame(leaks), caption=f"Goroutine groups, suspects first ({min(n, len(leaks))} of {len(leaks)})",
               max_rows=n, left=True, formats=SUSPECT_FORMATS)


def verdict(leaks: pd.DataFrame) -> dict:
    """Machine-readable summary of :func:`pprof_parse.find_leaks`' result.

    Returns
    -------
    dict
        ``suspects`` (int), ``leaked_goroutines`` (int: the suspects' goroutines in the last
        snapshot), ``state`` (``"bad"``: suspects; ``"good"``: none, growth measured;
        ``"unknown"``: none, but a single snapshot cannot show growth), ``growth_measurable``,
        ``time_basis`` (``"times"`` or ``"order"``) and the ``verdict`` sentence, which says when
        growth could not be measured (one snapshot) or was measured per snapshot (no times).
    """
    s = leaks[leaks["suspect"]]
    measurable = bool(leaks.attrs.get("growth_measurable", True))
    basis = leaks.attrs.get("time_basis", "times")
    if len(s):
        text = f"{len(s)} suspected goroutine leak(s), {int(s['last'].sum())} goroutines in the last snapshot"
        state = "bad"
    elif measurable:
        text = "no goroutine leak suspected"
        state = "good"
    else:
        text = ("no leak evidence in this one snapshot (no goroutine blocked forever by construction, no "
                "goroutineleak profile hit, no large group blocked for minutes)")
        if len(leaks):
            big = leaks.sort_values("last", ascending=False, kind="stable").iloc[0]
            text += f"; largest group: {int(big['last'])} goroutines in {big['state']} at {big['top_function']}"
        state = "unknown"
    if not measurable:
        text += ". Growth cannot be measured from one snapshot: take two or more over time"
    elif basis == "order":
        text += (" (snapshot times unknown: growth measured per snapshot, in the order given; "
                 "pass --times or --interval for a rate per minute)")
    return {"suspects": int(len(s)), "leaked_goroutines": int(s["last"].sum()) if len(s) else 0,
            "state": state, "growth_measurable": measurable, "time_basis": basis, "verdict": text}


def show_verdict(v: dict) -> None:
    """Display :func:`verdict`'s sentence (escaped) in a box: red border for suspects, green for none."""
    cls = {"bad": "gl-bad", "good": "gl-good"}.get(v.get("state", "bad" if v["suspects"] else "good"), "")
    ipd.display(ipd.HTML(f"<p class='gl-verdict {cls}'>{html.escape(v['verdict'])}</p>"))


def growth_figure(leaks: pd.DataFrame, *, top: int = 15):
    """Goroutines per group over time (:func:`pprof_parse.leak_timeseries` of the ``top`` groups);
    suspects solid and marked ⚠, the rest dotted. A dropdown switches between "suspects" and
    "all groups" (both precomputed; "suspects" shows every group when there is none).

    Returns
    -------
    plotly.graph_objects.Figure
        x: seconds since the first snapshot, or the snapshot's position when times are
        unknown; y: goroutines.
    """
    ts = pprof_parse.leak_timeseries(leaks, top=top)
    fig = go.Figure()
    suspect_mask = []
    for g, part in ts.groupby("group", sort=False):
        sus = bool(part["suspect"].iloc[0])
        fn = str(part["top_function"].iloc[0])
        label = html.escape(short_name(fn))[:50]
        fig.add_trace(go.Scatter(
            x=part["t"], y=part["count"], mode="lines+markers", name=("⚠ " if sus else "") + label,
            line=dict(width=3 if sus else 1, dash=None if sus else "dot"),
            hovertemplate=html.escape(fn) + ("<br>%{y} goroutines in snapshot %{x}<extra></extra>"
                                             if leaks.attrs.get("time_basis") == "order"
                                             else "<br>%{y} goroutines at %{x:.1f} s<extra></extra>")))
        suspect_mask.append(sus)
    if not any(suspect_mask):
        suspect_mask = [True] * len(suspect_mask)
    for tr, m in zip(fig.data, suspect_mask):
        tr.visible = m
    buttons = [dict(label="suspects", method="update", args=[{"visible": suspect_mask}]),
               dict(label="all groups", method="update", args=[{"visible": [True] * len(fig.data)}])]
    by_order = leaks.attrs.get("time_basis") == "order"
    fig.update_layout(title="Goroutines per group over time",
                      xaxis_title="snapshot (times unknown)" if by_order else "seconds since the first snapshot",
                      yaxis_title="goroutines", height=440,
                      updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.15, yanchor="top")])
    return fig


def show_stacks(leaks: pd.DataFrame, n: int = 5) -> None:
    """Display the representative stacks (leaf first) of the first ``n`` suspects of a
    :func:`pprof_parse.find_leaks` frame, with state, count, creator, pprof labels and why each was
    flagged, escaped; "No suspects." when there is none."""
    s = leaks[leaks["suspect"]].head(n)
    if s.empty:
        ipd.display(ipd.HTML("<p>No suspects.</p>"))
        return
    parts = []
    for _, r in s.iterrows():
        stack = "\n".join(f"  {f}" for f in r["stack"])
        created = r.get("created_by")
        labels = r.get("labels") or {}
        lab = ", ".join(f"{k}={v}" for k, v in labels.items()) if isinstance(labels, dict) else str(labels)
        text = (f"{r['top_function']}  [{r['state']}]  {r['last']} goroutines\n{stack}\n"
                + (f"created by {created}\n" if isinstance(created, str) and created else "")
                + (f"labels: {lab}\n" if lab else "") + f"why: {r['reason']}")
        parts.append(f"<pre class='gl-stack'>{html.escape(text)}</pre>")
    ipd.display(ipd.HTML("".join(parts)))


def leak_explorer(snapshots: list[str], times, *, top: int = 15) -> None:
    """Display ipywidgets controls (minimum increase, a regex on the top function, number of groups)
    redrawing :func:`show_suspects` and :func:`growth_figure` of
    ``pprof_parse.find_leaks(snapshots, times=times, ...)``. Needs ipywidgets and a live kernel."""
    inc_w = W.IntSlider(value=3, min=1, max=50, description="min increase")
    rx_w = W.Text(value="", placeholder="regex on top function", description="function")
    n_w = W.IntSlider(value=top, min=3, max=50, description="groups")
    out = W.Output()

    def refresh(_=None):
        with out:
            out.clear_output(wait=True)
            lk = pprof_parse.find_leaks(snapshots, times=times, min_increase=inc_w.value)
            if rx_w.value:
                try:
                    lk = lk[lk["top_function"].str.contains(rx_w.value, regex=True)]
                except re.error:
                    pass
            show_suspects(lk, n_w.value)
            growth_figure(lk, top=n_w.value).show()

    for w in (inc_w, rx_w, n_w):
        w.observe(refresh, names="value")
    refresh()
    ipd.display(W.VBox([W.HBox([inc_w, rx_w, n_w]), out]))
