"""The allocation hot spots report: a pprof heap or allocs profile as tables, a ranking chart,
a flame graph and, given an earlier profile, what changed.

The numbers are :mod:`pprof_parse`'s (``Profile.top`` is ``go tool pprof -top``;
:func:`pprof_parse.delta_table` is ``-diff_base``); flame graphs and call trees are
:mod:`pprof_parse.figures`. Values are in the sample type's unit (``bytes`` for ``*_space``,
``count`` for ``*_objects``); percentages are of the whole profile's total, as pprof prints them.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.figures import PLAIN_TICKS, axis_unit, call_tree, flame_figure, format_value, short_name

from .bundled import sample_path
from .render import format_percent, show_table, show_text

# imported on first use: plotly on the first figure, IPython and ipywidgets in a kernel only
go = LazyModule("plotly.graph_objects")
ipd = LazyModule("IPython.display")
W = LazyModule("ipywidgets")

__all__ = ["allocation_explorer", "allocation_inputs", "allocation_view", "function_delta", "profile_overview",
           "regex_ok", "show_allocation_view", "show_delta", "show_top", "top_bar_views", "top_table"]

#: the columns of a ``Profile.top`` frame that :func:`show_top` displays, in order
_TOP_COLUMNS = ["name", "flat", "flat_pct", "sum_pct", "cum", "cum_pct"]


def allocation_inputs(profile_path: str, base_path: str) -> tuple[str, str | None, str | None]:
    """Resolve the notebook's input paths to ``(profile, diff_new, diff_base)``.

    An empty ``profile_path`` means the bundled ``profiles/allocs.pb.gz``; then, without a
    ``base_path``, the diff section compares the bundled ``heap.pb.gz`` with the earlier
    ``heap-early.pb.gz``. A ``base_path`` makes the diff ``profile`` against ``base``. With a
    user profile and no base there is no diff: ``diff_new`` and ``diff_base`` are None.

    Returns
    -------
    tuple of (str, str or None, str or None)
        Paths; the files are not opened here.

    Raises
    ------
    FileNotFoundError
        A bundled sample is missing from the installation.
    """
    if not profile_path:
        profile_path = sample_path("profiles/allocs.pb.gz")
        if not base_path:
            return profile_path, sample_path("profiles/heap.pb.gz"), sample_path("profiles/heap-early.pb.gz")
    if base_path:
        return profile_path, profile_path, base_path
    return profile_path, None, None


def top_table(profile, sample_index=None, *, cum: bool = False, granularity: str = "functions",
              focus: str = "", ignore: str = "") -> pd.DataFrame:
    """:meth:`pprof_parse.Profile.top` with pprof's ``-focus``/``-ignore`` regexes, where ``""`` means unset.

    Returns
    -------
    pandas.DataFrame
        ``Profile.top``'s frame: ``name`` (object), ``flat``/``cum`` (int64, sample unit),
        ``flat_pct``/``sum_pct``/``cum_pct`` (float64, percent of the whole profile); sorted by
        ``flat`` (or ``cum`` with ``cum=True``); ``attrs`` ``unit`` and ``total``.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample_index``.
    pprof_parse.OptionError
        Unknown ``granularity`` or an invalid regex.
    """
    return profile.top(sample_index, cum=cum, granularity=granularity, focus=focus or None, ignore=ignore or None)


def show_top(df: pd.DataFrame, n: int, *, caption: str) -> None:
    """Display the first ``n`` rows of a :func:`top_table` frame with values in human units
    (:func:`pprof_parse.figures.format_value` of ``attrs["unit"]``) and the profile total in the caption.

    Raises
    ------
    KeyError
        ``df`` lacks one of the columns ``name``, ``flat``, ``flat_pct``, ``sum_pct``, ``cum``, ``cum_pct``.
    """
    unit = df.attrs.get("unit", "")
    fv = lambda v: format_value(v, unit)  # noqa: E731
    show_table(df[_TOP_COLUMNS], formats={"flat": fv, "cum": fv, "flat_pct": format_percent, "sum_pct": format_percent,
                                         "cum_pct": format_percent},
               caption=f"{caption} — total {format_value(df.attrs.get('total', 0), unit)}", max_rows=n)


def top_bar_views(profile, *, top_n: int = 20, granularity: str = "functions", sample_types=None, first=None):
    """Bar chart of the top-N functions (flat and cum), one precomputed view per sample type and
    sort order, switched with a dropdown (works in static HTML).

    Parameters
    ----------
    profile : pprof_parse.Profile
    top_n : int
        Bars per view.
    granularity : str
        pprof's granularity (``functions``, ``filefunctions``, ``files``, ``lines``).
    sample_types : list of str, optional
        Views to build; default every sample type of the profile.
    first : str or int, optional
        The view shown on open (a sample type name or index; default the profile's default
        sample type), so the chart matches the tables above it.

    Returns
    -------
    plotly.graph_objects.Figure
        Two bar traces (red ``flat``, blue ``cum``) per view. The x axis is in the sample type's
        unit scaled by :func:`pprof_parse.figures.axis_unit` (bytes as KiB/MiB/GiB, ns as µs/ms/s;
        plain numbers, no SI suffix); its title names the sample type and unit.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``first`` or ``sample_types`` entry.
    """
    types = [t.type for t in profile.sample_types] if sample_types is None else list(sample_types)
    lead = profile.sample_types[profile.sample_index(first)].type
    if lead in types:
        types = [lead] + [t for t in types if t != lead]
    fig = go.Figure()
    buttons = []
    n_views = len(types) * 2
    axis_titles = []
    for i, (st, cum) in enumerate((st, cum) for st in types for cum in (False, True)):
        df = profile.top(st, cum=cum, granularity=granularity).head(top_n).iloc[::-1]
        unit = df.attrs["unit"]
        factor, label = axis_unit(np.concatenate([df["flat"].to_numpy(), df["cum"].to_numpy()]), unit)
        names = [html.escape(n) for n in df["name"]]
        labels = [html.escape(short_name(n))[:60] for n in df["name"]]
        vis = i == 0
        for col, color in (("flat", "#d62728"), ("cum", "#1f77b4")):
            fig.add_trace(go.Bar(
                x=df[col].to_numpy(dtype="float64") / factor, y=labels, orientation="h", name=col,
                marker_color=color, visible=vis,
                customdata=np.array([[n, format_value(v, unit)] for n, v in zip(names, df[col])], dtype=object),
                hovertemplate="%{customdata[0]}<br>" + col + " %{customdata[1]}<extra></extra>"))
        vis_mask = [j // 2 == i for j in range(n_views * 2)]
        view = f"{st} by {'cum' if cum else 'flat'}"
        axis_titles.append(html.escape(f"{st} ({label})"))
        buttons.append(dict(label=html.escape(view), method="update",
                            args=[{"visible": vis_mask}, {"title.text": html.escape(f"Top {top_n}: {view}"),
                                                          "xaxis.title.text": axis_titles[-1]}]))
    fig.update_layout(
        title=html.escape(f"Top {top_n}: {types[0]} by flat"), barmode="group", height=max(400, 22 * top_n + 150),
        xaxis_title=axis_titles[0], margin=dict(l=10, r=10, t=80, b=40),
        updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.15, yanchor="top")],
        legend=dict(orientation="h", y=-0.1),
    )
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def function_delta(new, base, sample_index=None, *, granularity: str = "functions") -> pd.DataFrame:
    """Per-function change of the flat value between two profiles, for display.

    Returns
    -------
    pandas.DataFrame
        ``name`` (object), ``base``, ``new``, ``delta`` (int64 flat values in the sample
        unit, delta = new - base), ``delta_pct`` (float64 percent of ``base``; NaN when the
        function is absent from the base), sorted by |delta|; functions with delta 0 dropped.
        Computed by :func:`pprof_parse.delta_table` (pprof's ``-diff_base`` numbers);
        ``attrs["unit"]`` is the sample unit.

    Raises
    ------
    pprof_parse.SampleTypeError
        The sample type is missing from either profile.
    """
    st = new.sample_types[new.sample_index(sample_index)].type
    d = pprof_parse.delta_table(new, base, st, granularity=granularity)
    attrs = dict(d.attrs)
    out = d.reset_index()
    out = out[out["delta"] != 0].reset_index(drop=True)
    out["delta_pct"] = out["delta_pct"].astype("float64").replace([np.inf, -np.inf], np.nan)
    out = out[["name", "base", "new", "delta", "delta_pct"]]
    out.attrs.update(attrs)
    out.attrs.setdefault("unit", new.sample_types[new.sample_index(st)].unit)
    return out


def show_delta(df: pd.DataFrame, n: int, *, caption: str) -> None:
    """Display the first ``n`` rows of a :func:`function_delta` frame: values in human units, signed
    deltas, ``delta_pct`` as ``+12.3%`` or ``new`` for functions absent from the base."""
    unit = df.attrs.get("unit", "")
    fv = lambda v: format_value(v, unit)  # noqa: E731
    fd = lambda v: ("+" if v > 0 else "") + format_value(v, unit)  # noqa: E731
    show_table(df, formats={"base": fv, "new": fv, "delta": fd,
                            "delta_pct": lambda v: "new" if pd.isna(v) else f"{v:+.1f}%"}, left=False,
               caption=caption, max_rows=n)


def regex_ok(pattern: str) -> bool:
    """True when ``pattern`` compiles as a Python regular expression (the explorer checks user input
    before filtering, so a half-typed pattern shows a message instead of raising)."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def profile_overview(profile) -> pd.DataFrame:
    """What a profile is, as a two-column table.

    Returns
    -------
    pandas.DataFrame
        Columns ``field`` and ``value`` (both str): ``file``, ``sample types`` (``type (unit)``
        list), ``samples``, one ``total <type>`` row per sample type (human units), then
        ``collected``, ``duration`` and ``period`` when the profile records them.
    """
    rows = [("file", Path(str(profile.source)).name),
            ("sample types", ", ".join(f"{t.type} ({t.unit})" for t in profile.sample_types)),
            ("samples", f"{len(profile):,}")]
    for t in profile.sample_types:
        rows.append((f"total {t.type}", format_value(profile.total(t.type), t.unit)))
    if profile.time is not None:
        rows.append(("collected", str(profile.time)))
    if profile.duration is not None:
        rows.append(("duration", str(profile.duration)))
    if profile.period:
        rows.append(("period", f"{profile.period:,} {profile.period_type.unit}"))
    return pd.DataFrame(rows, columns=["field", "value"])


# ---- live exploration (JupyterLab only: Python callbacks do not run in exported HTML) ----------


def allocation_view(profile, *, sample, granularity: str = "functions", focus: str = "", ignore: str = "",
                    top_n: int = 20, max_nodes: int = 1500) -> dict:
    """What :func:`allocation_explorer` shows for one setting of its controls (its callback).

    Percentages are of the whole profile, as ``go tool pprof -top -focus=…`` and
    :meth:`pprof_parse.Profile.top` give them (pprof computes the total before filtering), in
    the table and in the flame graph's hover; only the rows and frames are limited to the
    samples ``focus``/``ignore`` keep.

    Returns
    -------
    dict
        ``error`` (str or None: an invalid regex), ``message`` (matching samples, or ""),
        ``top`` (:func:`top_table` frame with ``focus``/``ignore``), ``caption``, ``figure``
        (:func:`pprof_parse.figures.flame_figure` of the kept samples) and ``top_n``. With an
        ``error`` the other entries are empty (None or "").

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample``.
    """
    bad = [v for v in (focus, ignore) if v and not regex_ok(v)]
    if bad:
        return {"error": f"invalid regex {bad[0]!r}", "message": "", "top": None, "caption": "", "figure": None,
                "top_n": top_n}
    top = top_table(profile, sample, granularity=granularity, focus=focus, ignore=ignore)
    prof = profile.filter(focus=focus or None, ignore=ignore or None) if (focus or ignore) else profile
    message = f"{len(prof)} of {len(profile)} samples match; percentages are of the whole profile" \
        if (focus or ignore) else ""
    tree = call_tree(prof, sample, granularity=granularity, max_nodes=max_nodes)
    fig = flame_figure(tree, title=f"{sample} call tree ({granularity})", percent_of=top.attrs.get("total"))
    return {"error": None, "message": message, "top": top, "figure": fig, "top_n": top_n,
            "caption": f"{sample} by flat ({granularity})"}


def show_allocation_view(view: dict) -> None:
    """Display :func:`allocation_view`'s result: its error, or its message, top table and flame graph."""
    if view["error"]:
        show_text(view["error"])
        return
    if view["message"]:
        show_text(view["message"])
    show_top(view["top"], view["top_n"], caption=view["caption"])
    view["figure"].show()


def allocation_explorer(profile, *, sample_index=None, granularity: str = "functions", top_n: int = 20,
                        max_nodes: int = 1500) -> None:
    """Display ipywidgets controls -- sample type, granularity, focus and ignore regexes (pprof's
    ``-focus``/``-ignore``), top N -- driving a top table and a flame graph of ``profile``
    (:func:`allocation_view`). Needs ipywidgets and a live kernel.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample_index``.
    """
    types = [t.type for t in profile.sample_types]
    st_w = W.Dropdown(options=types, value=types[profile.sample_index(sample_index or None)], description="sample")
    gran_w = W.Dropdown(options=["functions", "filefunctions", "files", "lines"], value=granularity,
                        description="granularity")
    focus_w = W.Text(value="", placeholder="regex, e.g. json|bytes", description="focus")
    ignore_w = W.Text(value="", placeholder="regex, e.g. runtime", description="ignore")
    n_w = W.IntSlider(value=top_n, min=5, max=100, step=5, description="top N")
    out = W.Output()

    def refresh(_=None):
        with out:
            out.clear_output(wait=True)
            show_allocation_view(allocation_view(profile, sample=st_w.value, granularity=gran_w.value,
                                                 focus=focus_w.value, ignore=ignore_w.value, top_n=n_w.value,
                                                 max_nodes=max_nodes))

    for w in (st_w, gran_w, focus_w, ignore_w, n_w):
        w.observe(refresh, names="value")
    refresh()
    ipd.display(W.VBox([W.HBox([st_w, gran_w, n_w]), W.HBox([focus_w, ignore_w]), out]))
