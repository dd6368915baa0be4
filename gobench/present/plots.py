"""Plotly figures benchstat cannot draw.

* :func:`samples_figure` – per unit, every benchmark's samples (one strip of
  points per input, old beside new) with the median and its confidence
  interval as benchstat computes them.
* :func:`delta_figure` – per unit, each benchmark's change against the
  baseline column, with an interval and the significance verdict: red for a
  significant change for the worse, green for the better, grey for ``~``.

Text taken from the input (benchmark names, labels, units, notes) is HTML-escaped
with :func:`gobench.present.markdown.escape_plot_text` before it reaches plotly,
which renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``) in label and hover
text: trace ``x``/``y`` categories hold the escaped text.
"""
from __future__ import annotations

import math

import numpy as np

from gopherlab_common.lazy import LazyModule

from ..errors import OptionError
from ..units import better_direction
from ..stats.summary import summarize
from .markdown import escape_plot_text as _esc

#: plotly is imported on the first figure drawn (``import gobench`` stays light)
go = LazyModule("plotly.graph_objects")

__all__ = ["samples_figure", "samples_figures", "delta_figure", "SIGNIFICANT_WORSE",
           "SIGNIFICANT_BETTER", "NOT_SIGNIFICANT"]

SIGNIFICANT_WORSE = "#d62728"
SIGNIFICANT_BETTER = "#2ca02c"
NOT_SIGNIFICANT = "#9e9e9e"
_PALETTE = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def _check_columns(frame, needed, func: str, expected: str) -> None:
    missing = [c for c in needed if c not in getattr(frame, "columns", ())]
    if missing:
        raise OptionError(f"{func}: expected {expected}; missing column(s) {', '.join(map(repr, missing))}")


def samples_figure(bench, unit: str, *, confidence: float = 0.95, row: str = "fullname",
                   col: str = "label") -> go.Figure:
    """Samples of one unit: a strip per (benchmark, input) with the median CI.

    Parameters
    ----------
    bench : pandas.DataFrame
        A :func:`gobench.read_bench` frame (columns ``value``, ``unit`` and the
        *row*/*col* columns).
    unit : str
        Tidied unit to plot (``"sec/op"``, ``"B/s"``…).
    confidence : float, default 0.95
        Level of the median's confidence interval (benchstat's ``-confidence``).
    row, col : str
        Columns naming the benchmarks (x axis) and the inputs (one colour each).

    Returns
    -------
    plotly.graph_objects.Figure
        Per input: a ``Box`` trace showing every sample (``boxpoints="all"``),
        and a ``Scatter`` trace of medians with asymmetric error bars to the CI
        bounds (infinite bounds are clipped to the sample range and the point is
        drawn hollow).  Traces of one input share a legend group.

    Raises
    ------
    OptionError
        *unit* is not among the frame's units, or *row*/*col* is not a column.
    """
    _check_columns(bench, ("value", "unit", row, col), "samples_figure", "a gobench.read_bench frame")
    if not (bench["unit"] == unit).any():
        raise OptionError(f"samples_figure: no samples in unit {unit!r}; the frame's units: "
                          f"{', '.join(map(repr, dict.fromkeys(bench['unit'])))}")
    d = bench[bench["unit"] == unit]
    # names, labels and units come from the input: plotly reads HTML in label text
    d = d.assign(**{row: [_esc(x) for x in d[row]], col: [_esc(x) for x in d[col]]})
    rows = list(dict.fromkeys(d[row]))
    cols = list(dict.fromkeys(d[col]))
    fig = go.Figure()
    for i, c in enumerate(cols):
        color = _PALETTE[i % len(_PALETTE)]
        dc = d[d[col] == c]
        fig.add_trace(go.Box(x=dc[row], y=dc["value"], name=str(c), legendgroup=str(c),
                             offsetgroup=str(c), boxpoints="all", jitter=0.4, pointpos=0,
                             fillcolor="rgba(0,0,0,0)", line=dict(color=color, width=1),
                             marker=dict(color=color, size=4), hoverinfo="y"))
        xs, med, up, down, hollow = [], [], [], [], []
        for r in rows:
            vals = sorted(dc.loc[dc[row] == r, "value"].tolist())
            if not vals:
                continue
            s = summarize(vals, "nothing", confidence)
            lo = s.lo if math.isfinite(s.lo) else vals[0]
            hi = s.hi if math.isfinite(s.hi) else vals[-1]
            xs.append(r)
            med.append(s.center)
            up.append(hi - s.center)
            down.append(s.center - lo)
            hollow.append(not (math.isfinite(s.lo) and math.isfinite(s.hi)))
        fig.add_trace(go.Scatter(
            x=xs, y=med, mode="markers", name=f"{c} median ± CI", legendgroup=str(c),
            offsetgroup=str(c), showlegend=False,
            marker=dict(color=color, size=10, symbol=["diamond-open" if h else "diamond"
                                                       for h in hollow]),
            error_y=dict(type="data", symmetric=False, array=up, arrayminus=down,
                         color=color, thickness=2, width=6)))
    fig.update_layout(boxmode="group", scattermode="group",
                      title=_esc(f"{unit}: samples, median and {confidence:.0%} CI"),
                      yaxis_title=_esc(unit), xaxis_title=_esc(row), template="plotly_white")
    return fig


def samples_figures(bench, **kw) -> dict[str, go.Figure]:
    """:func:`samples_figure` for every unit of *bench*, keyed by unit."""
    return {u: samples_figure(bench, u, **kw) for u in dict.fromkeys(bench["unit"])}


def delta_figure(comparison, unit: str | None = None, *, better: dict[str, str] | None = None
                 ) -> go.Figure:
    """Changes against the baseline with their interval and significance.

    Parameters
    ----------
    comparison : pandas.DataFrame
        A :func:`gobench.benchstat` frame.
    unit : str, optional
        Only this unit (default: all units, one subplot row each is not drawn:
        benchmarks are labelled ``row [unit]``).
    better : dict, optional
        ``unit → "higher"|"lower"``; defaults to the frame's ``attrs["better"]``
        (the inputs' ``Unit … better=`` metadata), then
        :func:`gobench.units.better_direction`'s rule by unit.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal ``Scatter`` trace per verdict (``worse``, ``better``,
        ``~``), x = delta in percent, with error bars spanning
        ``lo_new/hi_base − 1`` to ``hi_new/lo_base − 1`` (the ratio of the two
        medians' confidence intervals: conservative; benchstat has no interval for
        the delta).  Non-significant changes are grey.

    Raises
    ------
    OptionError
        *comparison* is not a :func:`gobench.benchstat` frame, or *unit* is not
        among its units.
    """
    _check_columns(comparison, ("is_geomean", "baseline", "unit"), "delta_figure", "a gobench.benchstat frame")
    if unit is not None and not (comparison["unit"] == unit).any():
        raise OptionError(f"delta_figure: no rows in unit {unit!r}; the frame's units: "
                          f"{', '.join(map(repr, dict.fromkeys(comparison['unit'])))}")
    better = better if better is not None else comparison.attrs.get("better", {})
    df = comparison[~comparison.is_geomean & comparison.baseline.notna()]
    if unit is not None:
        df = df[df.unit == unit]
    base = comparison[~comparison.is_geomean & comparison.baseline.isna()]
    base_ci = {(r.table, r.row): (r.lo, r.hi) for r in base.itertuples()}
    groups = {"worse": ([], [], [], [], []), "better": ([], [], [], [], []),
              "~": ([], [], [], [], [])}
    for r in df.itertuples():
        if r.delta_pct is None or not np.isfinite(r.delta_pct):
            continue
        blo, bhi = base_ci.get((r.table, r.row), (math.nan, math.nan))
        lo = (r.lo / bhi - 1) * 100 if bhi and math.isfinite(bhi) and math.isfinite(r.lo) else r.delta_pct
        hi = (r.hi / blo - 1) * 100 if blo and math.isfinite(blo) and math.isfinite(r.hi) else r.delta_pct
        if not r.significant:
            key = "~"
        else:
            b = better_direction(r.unit, better.get(r.unit))
            key = "worse" if (r.delta_pct > 0) == (b == "lower") and r.delta_pct != 0 else "better"
        label = _esc(f"{r.row} [{r.unit}]" + (f" ({r.column})" if df.column.nunique() > 1 else ""))
        g = groups[key]
        g[0].append(r.delta_pct)
        g[1].append(label)
        g[2].append(max(hi - r.delta_pct, 0))
        g[3].append(max(r.delta_pct - lo, 0))
        g[4].append(_esc(r.note or ""))
    fig = go.Figure()
    colors = {"worse": SIGNIFICANT_WORSE, "better": SIGNIFICANT_BETTER, "~": NOT_SIGNIFICANT}
    names = {"worse": "significant, worse", "better": "significant, better", "~": "~ (not significant)"}
    for key, (x, y, up, down, notes) in groups.items():
        if not x:
            continue
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name=names[key],
                                 marker=dict(color=colors[key], size=9), text=notes,
                                 hovertemplate="%{y}: %{x:+.2f}%% %{text}<extra></extra>",
                                 error_x=dict(type="data", symmetric=False, array=up,
                                              arrayminus=down, color=colors[key])))
    fig.add_vline(x=0, line_color="black", line_width=1)
    fig.update_layout(title="change vs baseline (median), interval from the medians' CIs",
                      xaxis_title="delta %", template="plotly_white",
                      height=max(300, 22 * len(df) + 120))
    return fig
