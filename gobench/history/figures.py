"""The band chart of a benchmark's history (as the Go performance dashboard draws it).

* :func:`history_bands` – per commit, the median of its runs and the median's
  confidence interval (benchstat's), also as percent change from a baseline commit;
* :func:`history_figure` – those as a line inside a shaded band, with the change
  points of :func:`gobench.history.change_points` marked (red: regression, green:
  improvement; dashed when the change did not persist).

Names and commits from the input go through
:func:`gobench.present.markdown.escape_plot_text` before plotly sees them.
"""
from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import LazyModule, pd

from ..errors import OptionError
from ..present.markdown import escape_plot_text as _esc
from ..present.plots import NOT_SIGNIFICANT, SIGNIFICANT_BETTER, SIGNIFICANT_WORSE
from ..stats._options import check_level
from ..stats.batch import medians_and_cis
from ..units import tidy_unit
from .changepoints import change_points

go = LazyModule("plotly.graph_objects")

__all__ = ["history_bands", "history_figure", "BAND_COLUMNS"]

#: The columns of :func:`history_bands`, in order.
BAND_COLUMNS = ("commit", "order", "n", "center", "lo", "hi", "center_pct", "lo_pct", "hi_pct")


def _one_series(history, name: str, unit: str | None, pkg: str | None):
    """The rows of one (pkg, benchmark, unit) and the unit chosen."""
    rows = history[history["fullname"] == name]
    if pkg is not None and "pkg" in rows.columns:
        rows = rows[rows["pkg"] == pkg]
    if rows.empty:
        have = sorted(history["fullname"].unique().tolist())
        raise OptionError(f"no benchmark {name!r}{f' in {pkg!r}' if pkg else ''} in the history "
                          f"(it has {have[:8]}{'…' if len(have) > 8 else ''})")
    units = list(dict.fromkeys(rows["unit"].tolist()))
    unit = tidy_unit(unit)[0] if unit is not None else ("sec/op" if "sec/op" in units else units[0])
    if unit not in units:
        raise OptionError(f"{name!r} has no {unit!r} values (it has {units})")
    if "pkg" in rows.columns and pkg is None and rows["pkg"].nunique(dropna=False) > 1:
        raise OptionError(f"{name!r} is in several packages {sorted(map(str, rows['pkg'].unique()))}: pass pkg=")
    return rows[(rows["unit"] == unit) & rows["value"].notna()], unit


def history_bands(history, name: str, unit: str | None = None, *, baseline: str | None = None,
                  confidence: float = 0.95, pkg: str | None = None):
    """Per commit, the median of one benchmark's runs and its confidence interval.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`gobench.read_history`'s frame.
    name : str
        The full benchmark name (``fullname``, as benchstat prints it).
    unit : str, optional
        Tidied or not (``ns/op`` means ``sec/op``); default ``sec/op`` if the
        benchmark has it, else its first unit.
    baseline : str, optional
        The commit the percentages are measured from (default: the first commit).
    confidence : float, default 0.95
        Level of the median's interval (benchstat's ``-confidence``).
    pkg : str, optional
        The package, when the name is in more than one.

    Returns
    -------
    pandas.DataFrame
        One row per commit with runs, in commit order: ``commit``, ``order``,
        ``n`` (runs), ``center`` (R8 median), ``lo``/``hi`` (the interval; NaN
        where the commit has too few runs for it: fewer than 6 at 95 %), and
        ``center_pct``/``lo_pct``/``hi_pct``: the same as percent change from the
        baseline's median (NaN when that median is 0).  ``attrs``: ``unit``,
        ``baseline``, ``confidence``.

    Raises
    ------
    gobench.errors.OptionError
        No such benchmark, unit, package or baseline commit; ``confidence`` not in [0, 1];
        a name in several packages without ``pkg``.
    """
    check_level("confidence", confidence)
    rows, unit = _one_series(history, name, unit, pkg)
    rows = rows.sort_values(["order", "value"], kind="stable")
    order = rows["order"].to_numpy(np.int64)
    starts = np.flatnonzero(np.diff(order, prepend=-1) != 0)
    counts = np.diff(np.append(starts, len(order)))
    center, lo, hi = medians_and_cis(rows["value"].to_numpy(np.float64), starts, counts, confidence)
    lo, hi = np.where(np.isfinite(lo), lo, np.nan), np.where(np.isfinite(hi), hi, np.nan)
    commits = rows["commit"].to_numpy(object)[starts]
    base = commits[0] if baseline is None else baseline
    if base not in set(commits.tolist()):
        raise OptionError(f"baseline {baseline!r} is not a commit with {name!r} {unit} runs")
    ref = center[commits.tolist().index(base)]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = [(v / ref - 1) * 100 if ref != 0 else np.full(len(v), np.nan) for v in (center, lo, hi)]
    df = pd.DataFrame(dict(zip(BAND_COLUMNS, (commits, order[starts], counts, center, lo, hi, *pct))))
    df.attrs.update(unit=unit, baseline=base, confidence=confidence)
    return df


def history_figure(history, name: str, unit: str | None = None, *, baseline: str | None = None,
                   changes=None, alpha: float = 0.05, pkg: str | None = None, noise_pct: float | None = None):
    """One benchmark's history as a band chart: change from the baseline, the median's
    interval as a band, change points marked.

    Parameters
    ----------
    history, name, unit, baseline, pkg
        As for :func:`history_bands` (the band is at confidence ``1 - alpha``).
    changes : pandas.DataFrame, optional
        :func:`gobench.history.change_points`'s frame; default: computed here
        with *alpha* (for this unit).  Its rows for this benchmark are marked.
    alpha : float, default 0.05
        As for :func:`~gobench.history.change_points`.
    noise_pct : float, optional
        The benchmark's noise when it is too noisy to judge
        (:func:`gobench.history.regressions.regression_table`' ``noise_pct`` of a ``noisy`` row):
        the band is drawn grey and the title says ``noisy: ±x%``.

    Returns
    -------
    plotly.graph_objects.Figure
        x: the commits in order; y: percent change from the baseline's median
        (the values themselves, in the unit, when that median is 0: no percentage
        exists, e.g. ``B/op`` of a benchmark that allocated nothing).  Traces: the band's upper and lower edge (``hi``, ``lo``: filled between),
        the median (``median``), and one marker trace per change direction
        (``regression``, ``improvement``) at the first commit of the new level,
        with a vertical line there (dashed when the change did not persist).

    Raises
    ------
    gobench.errors.OptionError
        As :func:`history_bands`, and an ``alpha`` outside (0, 1].
    """
    check_level("alpha", alpha)
    bands = history_bands(history, name, unit, baseline=baseline, confidence=1 - alpha, pkg=pkg)
    unit = bands.attrs["unit"]
    if changes is None:
        changes = change_points(history, unit=unit, alpha=alpha)
    mine = changes[(changes["name"] == name) & (changes["unit"] == unit)]
    if pkg is not None and "pkg" in mine.columns:
        mine = mine[mine["pkg"] == pkg]
    x = [_esc(str(c)) for c in bands["commit"]]
    base = _esc(str(bands.attrs["baseline"]))
    y = "_pct" if np.isfinite(bands["center_pct"].to_numpy(np.float64)).any() else ""
    fig = go.Figure()
    _band_traces(fig, x, bands, NOISY_BAND if noise_pct is not None else BAND, y)
    _change_marks(fig, x, bands, mine, y)
    noisy = "" if noise_pct is None else f" · noisy: ±{noise_pct:.0f}% per commit"
    fig.update_layout(title=f"{_esc(name)} · {_esc(unit)}{noisy}", xaxis_title="commit",
                      yaxis_title=f"% change from {base}" if y else f"{_esc(unit)} (the median at {base} is 0)",
                      hovermode="x unified")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=x)
    return fig


#: The band's fill: blue, grey for a benchmark too noisy to judge.
BAND, NOISY_BAND = "rgba(31,119,180,0.2)", "rgba(128,128,128,0.3)"


def _band_traces(fig, x, bands, fill: str, y: str) -> None:
    """The band (``hi``/``lo`` filled between) and the median; *y* ``"_pct"`` draws the
    percentage columns, ``""`` the values."""
    hover = [f"median {c:.4g} [{lo:.4g}, {hi:.4g}], n={n}" for c, lo, hi, n in
             zip(bands["center"], bands["lo"], bands["hi"], bands["n"])]
    fig.add_trace(go.Scatter(x=x, y=bands["hi" + y], name="hi", mode="lines", line=dict(width=0),
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=bands["lo" + y], name="lo", mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor=fill, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=bands["center" + y], name="median", mode="lines+markers",
                             line=dict(color="#1f77b4"), text=hover,
                             hovertemplate=("%{y:.2f}%" if y else "%{y:.4g}") + "<br>%{text}"))


def _change_marks(fig, x, bands, mine, y: str) -> None:
    pct = dict(zip(bands["commit"], bands["center" + y]))
    for direction, color in (("regression", SIGNIFICANT_WORSE), ("improvement", SIGNIFICANT_BETTER)):
        rows = mine[mine["direction"] == direction]
        if rows.empty:
            continue
        xs = [_esc(str(c)) for c in rows["commit"]]
        fig.add_trace(go.Scatter(x=xs, y=[pct.get(c, np.nan) for c in rows["commit"]], mode="markers",
                                 name=direction, marker=dict(color=color, size=12, symbol="diamond"),
                                 text=[f"{d:+.2f}% (p={p:.3g}){'' if k else ', not persisting'}"
                                       for d, p, k in zip(rows["delta_pct"], rows["p"], rows["persisting"])],
                                 hovertemplate="%{text}"))
        for cx, keep in zip(xs, rows["persisting"]):
            fig.add_vline(x=cx, line=dict(color=color if keep else NOT_SIGNIFICANT,
                                          dash="solid" if keep else "dash", width=1))
