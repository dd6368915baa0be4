"""The benchmark comparison report: two ``go test -bench`` outputs compared as benchstat does, with a CI verdict.

Statistics are :mod:`gobench`'s (benchstat v2: medians, 95 % confidence intervals,
Mann-Whitney U, ``~`` when not significant); the regression rule is the one
``gopherlab compare`` gates on (significant, in the bad direction, beyond a threshold in
percent; the bad direction comes from the unit or the inputs' ``Unit … better=`` lines).
"""
from __future__ import annotations

import html
import re
import warnings

import numpy as np
import pandas as pd

import gobench
from gopherlab_common.lazy import LazyModule
from gobench.compare import run_benchstat
from gobench.errors import OptionError
from gobench.gate import regressions
from gobench.units import class_of, common_scale
from pprof_parse.figures import PLAIN_TICKS, axis_unit

from .bundled import sample_path
from .render import show_table as _show_table

# imported on first use: plotly on the first figure, IPython and ipywidgets in a kernel only
go = LazyModule("plotly.graph_objects")
ipd = LazyModule("IPython.display")
W = LazyModule("ipywidgets")

__all__ = ["UNIT_LABELS", "bench_explorer", "bench_inputs", "compare", "delta_figure", "distribution_figure",
           "show_benchstat_text", "show_table", "show_verdict", "table_frame", "verdict"]

#: dropdown labels of the common units (others are shown as they are)
UNIT_LABELS = {"sec/op": "time/op", "B/op": "bytes/op", "allocs/op": "allocs/op", "B/s": "throughput"}


def bench_inputs(old_path: str, new_path: str) -> tuple[str, str]:
    """Resolve the notebook's inputs to ``(old, new)`` paths; both empty means the bundled
    ``bench/old.txt`` / ``bench/new.txt`` (a real ``go test -bench -count=6`` of
    ``examples/benchdemo`` before and after a change). The files are not opened here.

    Raises
    ------
    gobench.errors.OptionError
        Only one of the two is given (a ``ValueError``).
    FileNotFoundError
        The bundled sample is missing.
    """
    if bool(old_path) != bool(new_path):
        raise OptionError("give both OLD and NEW benchmark files (or neither for the bundled sample)")
    if not old_path:
        return sample_path("bench/old.txt"), sample_path("bench/new.txt")
    return old_path, new_path


def compare(old: str, new: str, *, alpha: float = 0.05, threshold_pct: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """benchstat of old vs new, and its per-benchmark verdicts.

    Parameters
    ----------
    old, new : str
        Paths of ``go test -bench`` outputs (several runs per benchmark).
    alpha : float
        Significance level of the Mann-Whitney U test (benchstat's ``-alpha``).
    threshold_pct : float
        A significant change in the bad direction beyond this many percent is a
        ``regression``; negative values count as 0.

    Returns
    -------
    (table, rows) : tuple of pandas.DataFrame
        ``table``: the :func:`gobench.benchstat` frame of ``{"old": old, "new": new}``, one row
        per benchmark, unit and column (``old``/``new``) plus geomean rows (``is_geomean``);
        ``center``/``lo``/``hi`` (float64) in the unit's base (``sec/op`` in seconds),
        ``delta_pct`` (float64 percent), ``p`` (float64), ``significant``, benchstat's cell
        texts ``range``, ``delta`` and ``note`` (str). ``rows``: the ``new`` cells of
        ``table`` without geomeans, index 0..n-1, the same columns plus ``better``
        (``"lower"``/``"higher"``) and ``verdict`` (str: ``regression``, ``within threshold``,
        ``improvement``, ``unchanged``, ``~`` not significant, ``?`` no delta); ``delta_pct``
        is ±inf when the old median is 0. The bad direction comes from the unit, or the
        inputs' ``Unit … better=`` metadata, which wins.

    Raises
    ------
    gobench.GobenchError
        An input cannot be read or holds no benchmark (its subclasses name the cause).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gobench.benchstat({"old": old, "new": new}, alpha=alpha)
    rows = regressions(table, None, max(threshold_pct, 0.0))  # the inputs' Unit better= metadata wins
    return table, rows.reset_index(drop=True)


def verdict(rows: pd.DataFrame, threshold_pct: float) -> dict:
    """The comparison's machine-readable outcome (what ``gopherlab report bench`` exits on).

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`compare`'s ``rows`` (uses ``row``, ``unit``, ``delta``, ``verdict``).
    threshold_pct : float
        The CI threshold in percent; negative means no gate.

    Returns
    -------
    dict
        ``regressions`` (list of ``"row unit delta"`` str; empty when there is no gate, so
        nothing fails), ``regressions_found`` (the same list whatever the gate),
        ``improvements`` (int), ``verdict`` (one sentence: regressions, improvements and
        changes within noise counted) and ``threshold_pct``.
    """
    reg = rows[rows["verdict"] == "regression"]
    imp = rows[rows["verdict"] == "improvement"]
    gate = threshold_pct >= 0
    items = [f"{r.row} {r.unit} {r.delta}" for r in reg.itertuples()]
    if reg.empty:
        text = f"No significant regression{f' beyond {threshold_pct:g}%' if gate else ''}"
    else:
        text = f"PERFORMANCE REGRESSED: {len(reg)} significant regression(s)" + (f" beyond {threshold_pct:g}%" if gate else "")
    text += f"; {len(imp)} improvement(s), {int((rows['verdict'] == '~').sum())} within noise (~)."
    return {"regressions": items if gate else [], "regressions_found": items, "improvements": int(len(imp)),
            "verdict": text, "threshold_pct": threshold_pct}


def show_verdict(v: dict) -> None:
    """Display :func:`verdict`'s sentence and up to 20 regressions (escaped) in a box: red border
    when a significant regression was found, green otherwise."""
    cls = "gl-bad" if v["regressions_found"] else "gl-good"
    items = "".join(f"<li>{html.escape(s)}</li>" for s in v["regressions_found"][:20])
    ipd.display(ipd.HTML(f"<div class='gl-verdict {cls}'>{html.escape(v['verdict'])}"
                 + (f"<ul>{items}</ul>" if items else "") + "</div>"))


def show_benchstat_text(old: str, new: str, *, alpha: float = 0.05) -> None:
    """Display benchstat's own text output (byte-identical to ``benchstat old=OLD new=NEW``), escaped
    in a ``<pre>``.

    Raises
    ------
    gobench.GobenchError
        An input cannot be read (benchstat's message), or ``alpha`` is outside [0, 1].
    """
    out, err = run_benchstat([f"old={old}", f"new={new}"], alpha=alpha)
    ipd.display(ipd.HTML(f"<pre class='gl-stack' style='border-color:#888'>{html.escape(out)}</pre>"))


def _row_cells(values: list, unit: str) -> list[str]:
    """benchstat's cell numbers for one row: every value with the row's common scale
    (benchunit.CommonScale over the row, as benchstat's text table), without the unit, which the
    table's unit column gives; missing values are empty cells."""
    ok = [v for v in values if v is not None and not pd.isna(v)]
    if not ok:
        return ["" for _ in values]
    sc = common_scale(ok, class_of(unit))
    return ["" if v is None or pd.isna(v) else sc.format(float(v)) for v in values]


def table_frame(rows: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The report's comparison table, cell for cell as ``benchstat old=OLD new=NEW`` prints it.

    Returns
    -------
    DataFrame
        ``benchmark``, ``unit``, ``old`` and ``new`` (``"2463.5n ± 146%"``: median scaled with
        the row's common prefix, the unit only in ``unit``), ``delta`` (``"-84.47%"`` or ``"~"``),
        ``p / n`` (``"p=0.002 n=6"``, then benchstat's footnotes such as ``all samples are
        equal``), ``verdict``; one geomean row per unit last, its ``old`` and
        ``new`` each scaled on their own as benchstat does, empty (with benchstat's note in
        ``p / n``) where benchstat prints no geomean (summaries <= 0).
    """
    old = table[(table["column"] == "old") & ~table["is_geomean"]].set_index(["row", "unit"])
    out = []
    for r in rows.itertuples():
        o = old.loc[(r.row, r.unit)] if (r.row, r.unit) in old.index else None
        oc, nc = _row_cells([None if o is None else o["center"], r.center], r.unit)
        out.append({
            "benchmark": r.row, "unit": r.unit,
            "old": f"{oc} ± {o['range']}" if o is not None and oc else "",
            "new": f"{nc} ± {r.range}" if nc else "",
            "delta": r.delta, "verdict": r.verdict,
            "p / n": "; ".join(["" if pd.isna(r.note) else r.note] + list(getattr(r, "warnings", None) or [])).strip("; "),
        })
    geo = table[table["is_geomean"]]
    for (tab, unit), g in geo.groupby(["table", "unit"], sort=False):
        go_ = g[g["column"] == "old"]
        gn = g[g["column"] == "new"]
        cells = []
        for part in (go_, gn):
            v = part["center"].iloc[0] if len(part) else None
            cells.append(_row_cells([v], unit)[0])
        delta = gn["delta"].iloc[0] if len(gn) and isinstance(gn["delta"].iloc[0], str) else ""
        notes = sorted({w for ws in g["warnings"] for w in (ws or [])})
        out.append({"benchmark": "geomean", "unit": unit, "old": cells[0], "new": cells[1], "delta": delta,
                    "p / n": "; ".join(notes), "verdict": ""})
    return pd.DataFrame(out, columns=["benchmark", "unit", "old", "new", "delta", "p / n", "verdict"])


def show_table(rows: pd.DataFrame, table: pd.DataFrame) -> None:
    """Display :func:`table_frame` ``(rows, table)`` (escaped, left-aligned): one line per benchmark and
    unit -- old ± range, new ± range, delta (``~`` when not significant), p and n, verdict --
    geomean rows last."""
    _show_table(table_frame(rows, table), caption="benchstat: median ± 95% CI in the row's unit, delta vs old "
          "(~ = not significant)", left=True)


def delta_figure(rows: pd.DataFrame):
    """Horizontal bars of the percent change of the median per benchmark, one precomputed view per
    unit (dropdown, labels from :data:`UNIT_LABELS`).

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`compare`'s ``rows`` (uses ``row``, ``unit``, ``delta_pct``, ``verdict``, ``note``).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per unit; x: % change of new vs old (NaN and ±inf drawn as 0); colour
        by verdict: red significant regression, orange within the threshold, green
        improvement, grey ``~`` (within noise).
    """
    units = list(dict.fromkeys(rows["unit"]))
    colors = {"regression": "#b2182b", "within threshold": "#ef8a62", "improvement": "#1a9850",
              "unchanged": "#999999", "~": "#bbbbbb", "?": "#bbbbbb"}
    fig = go.Figure()
    for i, u in enumerate(units):
        r = rows[rows["unit"] == u].iloc[::-1]
        d = r["delta_pct"].astype(float).replace([np.inf, -np.inf], np.nan).fillna(0.0)
        fig.add_trace(go.Bar(
            x=d, y=[html.escape(x) for x in r["row"]], orientation="h", visible=i == 0, name=html.escape(u),
            marker_color=[colors.get(v, "#bbbbbb") for v in r["verdict"]],
            customdata=np.array([[html.escape(str(v)), html.escape(str(n))] for v, n in zip(r["verdict"], r["note"])],
                                dtype=object),
            hovertemplate="%{y}: %{x:+.2f}%<br>%{customdata[0]} (%{customdata[1]})<extra></extra>"))
    buttons = [dict(label=html.escape(UNIT_LABELS.get(u, u)), method="update",
                    args=[{"visible": [j == i for j in range(len(units))]},
                          {"title.text": html.escape(f"Change vs old: {u}")}]) for i, u in enumerate(units)]
    fig.update_layout(title=html.escape(f"Change vs old: {units[0]}" if units else "Change vs old"),
                      xaxis_title="% change (new vs old median)", height=max(350, 28 * rows["row"].nunique() + 150),
                      updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.15, yanchor="top")]
                      if len(units) > 1 else [], showlegend=False)
    fig.add_vline(x=0, line_color="#444")
    return fig


def distribution_figure(old: str, new: str):
    """Every measured value, old vs new, per benchmark (box + points), one view per unit (dropdown).

    Values are scaled per unit by :func:`pprof_parse.figures.axis_unit` (``sec/op`` shown
    in ns/µs/ms/s per op, ``B/op`` in KiB/MiB per op) with plain tick numbers, never plotly's
    SI suffixes; the axis title names the unit shown; the axis is logarithmic when every value
    of the unit is positive.

    Returns
    -------
    plotly.graph_objects.Figure
        Two box traces (``old`` grey, ``new`` blue) per unit.

    Raises
    ------
    gobench.GobenchError
        An input cannot be read (:func:`gobench.read_bench`).
    """
    raw = gobench.read_bench({"old": old, "new": new})
    units = list(dict.fromkeys(raw["unit"]))
    fig = go.Figure()
    n_per = 2
    shown = {}
    for i, u in enumerate(units):
        r = raw[raw["unit"] == u]
        factor, shown[u] = axis_unit(r["value"].to_numpy(dtype="float64"), u)
        for lab, color in (("old", "#7f7f7f"), ("new", "#1f77b4")):
            part = r[r["label"] == lab]
            fig.add_trace(go.Box(x=part["value"].to_numpy(dtype="float64") / factor,
                                 y=[html.escape(x) for x in part["fullname"]], name=lab,
                                 orientation="h", boxpoints="all", jitter=0.3, marker_color=color,
                                 visible=i == 0, legendgroup=lab, showlegend=True))
    logs = {u: "log" if (raw.loc[raw["unit"] == u, "value"] > 0).all() else "linear" for u in units}
    buttons = [dict(label=html.escape(UNIT_LABELS.get(u, u)), method="update",
                    args=[{"visible": [j // n_per == i for j in range(len(fig.data))]},
                          {"xaxis.title.text": html.escape(shown[u]), "xaxis.type": logs[u]}]) for i, u in enumerate(units)]
    fig.update_layout(title="All runs: old vs new", boxmode="group", xaxis_title=html.escape(shown[units[0]]) if units else "",
                      xaxis_type=logs[units[0]] if units else "linear",
                      height=max(400, 40 * raw["fullname"].nunique() + 150),
                      updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.12, yanchor="top")]
                      if len(units) > 1 else [])
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def bench_explorer(old: str, new: str, rows: pd.DataFrame) -> None:
    """Display ipywidgets controls (unit, a regex on the benchmark name; an invalid regex shows every
    benchmark) redrawing :func:`delta_figure` of :func:`compare`'s ``rows``. Needs ipywidgets and a
    live kernel; ``old`` and ``new`` are the compared paths."""
    units = list(dict.fromkeys(rows["unit"]))
    unit_w = W.Dropdown(options=units, value=units[0] if units else None, description="unit")
    rx_w = W.Text(value="", placeholder="regex on benchmark name", description="benchmarks")
    out = W.Output()

    def refresh(_=None):
        with out:
            out.clear_output(wait=True)
            sel = rows[rows["unit"] == unit_w.value]
            if rx_w.value:
                try:
                    sel = sel[sel["row"].str.contains(rx_w.value, regex=True)]
                except re.error:
                    pass
            if len(sel):
                delta_figure(sel).show()

    unit_w.observe(refresh, names="value")
    rx_w.observe(refresh, names="value")
    refresh()
    ipd.display(W.VBox([W.HBox([unit_w, rx_w]), out]))
