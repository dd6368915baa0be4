"""The allocation hot spots report: a pprof heap or allocs profile as tables, a ranking chart,
a flame graph, the hot source lines and the sandwich (callers and callees) of the top functions,
a breakdown by one label and, given an earlier profile, what changed.

The numbers are :mod:`pprof_parse`'s (``Profile.top`` is ``go tool pprof -top``;
``Profile.list`` is ``-list``; ``Profile.sandwich`` agrees with ``-peek``; ``Profile.by_label`` sums as
``-tags``; ``tagroot=`` is ``-tagroot``; :func:`pprof_parse.delta_table` is ``-diff_base``); flame graphs
and call trees are :mod:`pprof_parse.figures`. Values are in the sample type's unit (``bytes`` for ``*_space``,
``count`` for ``*_objects``); percentages are of the whole profile's total, as pprof prints them.
"""
from __future__ import annotations

import html
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import LazyModule
from pprof_parse.figures import PLAIN_TICKS, axis_unit, call_tree, flame_figure, format_value, short_name
from pprof_parse.present.listing import listing_html
from pprof_parse.present.sandwich import Sandwich, SandwichIndex
from pprof_parse.present.sandwich_figure import sandwiches_figure
from pprof_parse.present.top import report_total
from pprof_parse.present.derived_view import view_index_at
from pprof_parse.present.slot_paths import SlotPaths
from pprof_parse.present.view_index import ViewIndex

from .bundled import sample_path
from .render import format_percent, show_table, show_text

# imported on first use: plotly on the first figure, IPython and ipywidgets in a kernel only
go = LazyModule("plotly.graph_objects")
ipd = LazyModule("IPython.display")
W = LazyModule("ipywidgets")

__all__ = ["allocation_explorer", "allocation_inputs", "allocation_view", "function_delta", "hot_lines",
           "hot_lines_html", "label_keys", "label_view", "profile_overview", "regex_ok", "show_allocation_view",
           "show_delta", "show_hot_lines", "show_label_view", "show_sandwiches", "show_top", "top_bar_views",
           "top_sandwiches", "top_table"]

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


# ---- hot lines: go tool pprof -list of the top functions ------------------------------------------


def hot_lines(profile, sample_index=None, *, functions: int = 5, source_path=None, trim_path=None) -> pd.DataFrame:
    """The source lines that cost in the top ``functions`` functions by flat, as ``go tool pprof -list``.

    The functions are the first rows of :func:`top_table` (``functions`` granularity, by flat,
    pprof's order) with a nonzero flat; their lines are :meth:`pprof_parse.Profile.list` of a regex
    naming exactly them (``^(?:name|name…)$``, each name escaped).

    Parameters
    ----------
    profile : pprof_parse.Profile
    sample_index : int or str, optional
        Sample type (pprof's rules; default the profile's default).
    functions : int
        How many top functions to list.
    source_path, trim_path : str or list of str, optional
        Where the source files are (pprof's ``-source_path``, ``os.pathsep``-separated, default
        the current directory) and prefixes to cut from recorded names (``-trim_path``);
        ``""`` means unset. The standard library is found through ``go env GOROOT`` and
        dependencies in the module cache when a Go toolchain is installed.

    Returns
    -------
    pandas.DataFrame
        ``Profile.list``'s frame: ``function``, ``file`` (object), ``line``, ``flat``, ``cum``
        (int64, the sample type's unit), ``source`` (string; ``<NA>`` when the file is not
        found -- then its name is in ``attrs["missing_sources"]``: a note, not an error). Its
        ``attrs`` plus ``ranked``: the listed functions, hottest first. With no costing
        function, no rows and ``ranked`` empty.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample_index``.
    """
    top = profile.top(sample_index)
    ranked = [str(n) for n, f in zip(top["name"], top["flat"]) if f != 0][:max(functions, 0)]
    if not ranked:
        st = profile.sample_types[profile.sample_index(sample_index)]
        df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (("function", object), ("file", object), ("line", "int64"),
                                                              ("flat", "int64"), ("cum", "int64"),
                                                              ("source", "string"))})
        df.attrs.update({"sample_type": st.type, "unit": st.unit, "total": top.attrs.get("total", 0),
                         "functions": [], "missing_sources": [], "no_source_info": [], "source_files": {},
                         "ranked": []})
        return df
    regex = "^(?:" + "|".join(re.escape(n) for n in ranked) + ")$"  # Go's RE2 takes Python's escapes
    df = profile.list(regex, sample_index=sample_index, source_path=source_path or None, trim_path=trim_path or None)
    df.attrs["ranked"] = ranked
    return df


def hot_lines_html(df: pd.DataFrame, *, max_lines: int = 10) -> str:
    """A :func:`hot_lines` frame as HTML: a note naming the source files not found (their rows show
    the costs without text) and the functions without source information, then pprof's
    weblist-style listing (:func:`pprof_parse.present.listing.listing_html`: hottest functions
    first, each function's lines by cost, at most ``max_lines`` each, shaded by cost). Every
    profile string is escaped; inline CSS only (no script, no network)."""
    notes = []
    if not df.attrs.get("ranked") and not len(df):
        notes.append("No function has a nonzero flat value in this sample type: no lines to list.")
    missing = df.attrs.get("missing_sources", [])
    if missing:
        notes.append(f"Source not found for {', '.join(missing)}: those lines show their costs without the text. "
                     "Give the directories holding the sources as source_path (pprof's -source_path) "
                     "or the prefix to cut as trim_path.")
    if df.attrs.get("no_source_info"):
        notes.append(f"No source information (no file name recorded) for {', '.join(df.attrs['no_source_info'])}.")
    body = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
    return body + (listing_html(df, hot_first=True, max_lines=max_lines) if len(df) else "")


def show_hot_lines(df: pd.DataFrame, *, max_lines: int = 10) -> None:
    """Display :func:`hot_lines_html` ``(df, max_lines=max_lines)`` in the running notebook."""
    ipd.display(ipd.HTML(hot_lines_html(df, max_lines=max_lines)))


# ---- sandwich: callers and callees of the top functions ----------------------------------------


def top_sandwiches(profile, sample_index=None, *, functions: int = 3, granularity: str = "functions",
                   max_nodes: int | None = 1500) -> list[Sandwich]:
    """The sandwiches (callers above, callees below) of the top ``functions`` nodes by flat.

    The nodes are the first rows of :func:`top_table` (pprof's order) with a nonzero flat, as
    :func:`hot_lines` picks them; each is :meth:`pprof_parse.Profile.sandwich` of that node
    (flat and cum equal to ``Profile.peek``'s, trees pruned as the flame graph is).

    Parameters
    ----------
    profile : pprof_parse.Profile
    sample_index : int or str, optional
        Sample type (pprof's rules; default the profile's default).
    functions : int
        How many top nodes.
    granularity : {"functions", "filefunctions", "files", "lines"}
    max_nodes : int, optional
        Frames kept in each tree (``Profile.sandwich``'s pruning; paths below 0.5 % of the
        function's cum merge into ``other``).

    Returns
    -------
    list of Sandwich
        Hottest first; empty when no node has a nonzero flat.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample_index``.
    pprof_parse.OptionError
        Unknown granularity.
    """
    si = profile.sample_index(sample_index)
    top = profile.top(si, granularity=granularity)
    ranked = [str(n) for n, f in zip(top["name"], top["flat"]) if f != 0][:max(functions, 0)]
    if not ranked:
        return []
    index = SandwichIndex(profile.data, si, total=report_total(profile.data, si), granularity=granularity)
    return [index.sandwich(index.named(name), max_nodes=max_nodes) for name in ranked]


def show_sandwiches(sandwiches: list[Sandwich], *, height: int = 700) -> None:
    """Display :func:`top_sandwiches` in the running notebook: one figure, a dropdown choosing the
    function (:func:`pprof_parse.present.sandwich_figure.sandwiches_figure`; static HTML, no
    kernel needed), or a note when there is none."""
    if not sandwiches:
        show_text("No function has a nonzero flat value in this sample type: no sandwich to draw.")
        return
    sandwiches_figure(sandwiches, height=height).show()


# ---- labels: a breakdown by one label key and the flame graph split by it ------------------------


def label_keys(profile) -> list[str]:
    """The label keys the profile's samples carry, string and numeric (``pprof.Do`` labels such as
    ``phase``; Go heap profiles' numeric ``bytes``, the allocation size), sorted."""
    data = profile.data
    keys = set(np.unique(data.label_key).tolist()) | set(np.unique(data.numlabel_key).tolist())
    return sorted({data.strings[int(k)] for k in keys})


def _label_value(value, label_unit: str) -> str:
    """A ``by_label`` value for display: the text, the number with its label unit, or
    ``(not labelled)`` for the samples without the key."""
    if pd.isna(value):
        return "(not labelled)"
    if label_unit and not isinstance(value, str):
        return format_value(value, label_unit)
    return str(value)


def label_view(profile, *, sample, label_key: str = "", granularity: str = "functions",
               max_nodes: int = 1500, total: int | None = None) -> dict:
    """The label explorer for one label key: a breakdown table and a flame graph split by the key.

    Parameters
    ----------
    profile : pprof_parse.Profile
    sample : int or str
        Sample type.
    label_key : str
        A label key (:func:`label_keys`); ``""`` for none.
    granularity, max_nodes
        As for :func:`pprof_parse.figures.call_tree`.
    total : int, optional
        The denominator of ``share`` and of the flame graph's hover percentages; default the
        profile's own total (the explorer passes the whole profile's for focused samples).

    Returns
    -------
    dict
        ``message`` (str): with no labels in the profile, says so; with no ``label_key`` or an
        unknown one, lists the keys; else "". ``table``: :meth:`pprof_parse.Profile.by_label`
        (``value``, ``flat`` int64 in the sample unit, ``share`` float64 of ``total``) or None.
        ``figure``: the flame graph of ``call_tree(tagroot=label_key)`` (pprof's ``-tagroot``: the
        values as root frames; ``<unknown>`` for samples without the key) or None. ``key``.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample``.
    """
    keys = label_keys(profile)
    out = {"message": "", "table": None, "figure": None, "key": label_key}
    if not keys:
        out["message"] = ("This profile has no labels (pprof.Do / pprof.SetGoroutineLabels add them to CPU "
                          "and goroutine profiles).")
    elif label_key not in keys:
        lead = f"No label {label_key!r} in this profile; its" if label_key else "This profile's"
        out["message"] = f"{lead} label keys: {', '.join(keys)}. Set label_key to one of them for a breakdown."
    if out["message"]:
        return out
    table = profile.by_label(label_key, sample_index=sample)
    if total is not None:
        table["share"] = table["flat"] / total if total else 0.0
    tree = call_tree(profile, sample, granularity=granularity, max_nodes=max_nodes, tagroot=label_key)
    out["table"] = table
    out["figure"] = flame_figure(tree, title=f"{table.attrs['sample_type']} by label {label_key} ({granularity})",
                                 percent_of=total)
    return out


def show_label_view(view: dict, n: int = 20) -> None:
    """Display :func:`label_view`'s result: its message, or the first ``n`` rows of its table (values
    in human units, shares in percent) and its flame graph."""
    _show_label_table(view, n)
    if view["figure"] is not None:
        view["figure"].show()


def _show_label_table(view: dict, n: int) -> None:
    """A :func:`label_view`'s message, or the first ``n`` rows of its table in human units."""
    if view["message"]:
        show_text(view["message"])
        return
    table = view["table"]
    unit, label_unit = table.attrs.get("unit", ""), table.attrs.get("label_unit", "")
    show_table(table, formats={"value": lambda v: _label_value(v, label_unit),
                               "flat": lambda v: format_value(v, unit),
                               "share": lambda v: format_percent(100 * v)},
               caption=f"{table.attrs.get('sample_type', '')} by label {view['key']}", max_rows=n)


# ---- live exploration (JupyterLab only: Python callbacks do not run in exported HTML) ----------


def allocation_view(profile, *, sample, granularity: str = "functions", focus: str = "", ignore: str = "",
                    label_key: str = "", top_n: int = 20, max_nodes: int = 1500) -> dict:
    """What :func:`allocation_explorer` shows for one setting of its controls (its callback).

    Percentages are of the whole profile, as ``go tool pprof -top -focus=…`` and
    :meth:`pprof_parse.Profile.top` give them (pprof computes the total before filtering), in
    the table, the label breakdown and the flame graph's hover; only the rows and frames are
    limited to the samples ``focus``/``ignore`` keep.

    Returns
    -------
    dict
        ``error`` (str or None: an invalid regex), ``message`` (matching samples, or ""),
        ``top`` (:func:`top_table` frame with ``focus``/``ignore``), ``caption``, ``figure``
        (:func:`pprof_parse.figures.flame_figure` of the kept samples; with a ``label_key`` the
        profile carries, split by its values at the root: pprof's ``-tagroot``), ``labels``
        (with ``label_key``: :func:`label_view` of the kept samples, else None) and ``top_n``.
        With an ``error`` the other entries are empty (None or "").

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample``.
    """
    error = _regex_error(focus, ignore)
    if error:
        return _error_view(error, top_n)
    top = top_table(profile, sample, granularity=granularity, focus=focus, ignore=ignore)
    prof = profile.filter(focus=focus or None, ignore=ignore or None) if (focus or ignore) else profile
    total = top.attrs.get("total")
    labels = label_view(prof, sample=sample, label_key=label_key, granularity=granularity, max_nodes=max_nodes,
                        total=total) if label_key else None
    # with a label, the flame graph split by it stands in for the plain one
    tree = None if labels is not None and labels["figure"] is not None else \
        call_tree(prof, sample, granularity=granularity, max_nodes=max_nodes)
    return _view(top, tree, labels, n_kept=len(prof) if (focus or ignore) else None, n_samples=len(profile),
                 sample=sample, granularity=granularity, top_n=top_n)


def _regex_error(focus: str, ignore: str) -> str | None:
    """The explorer's message for the first of ``focus``, ``ignore`` that is not a valid regex, else None."""
    bad = [v for v in (focus, ignore) if v and not regex_ok(v)]
    return f"invalid regex {bad[0]!r}" if bad else None


def _error_view(error: str, top_n: int) -> dict:
    return {"error": error, "message": "", "top": None, "caption": "", "figure": None, "labels": None,
            "top_n": top_n}


def _view(top: pd.DataFrame, tree: pd.DataFrame | None, labels: dict | None, *, n_kept: int | None, n_samples: int,
          sample, granularity: str, top_n: int) -> dict:
    """:func:`allocation_view`'s dict from its parts; ``n_kept`` is None without focus/ignore, and
    ``tree`` None when the labels' flame graph is shown."""
    message = "" if n_kept is None else f"{n_kept} of {n_samples} samples match; percentages are of the whole profile"
    if tree is None:
        fig = labels["figure"]
    else:
        fig = flame_figure(tree, title=f"{sample} call tree ({granularity})", percent_of=top.attrs.get("total"))
    return {"error": None, "message": message, "top": top, "figure": fig, "labels": labels, "top_n": top_n,
            "caption": f"{sample} by flat ({granularity})"}


def show_allocation_view(view: dict) -> None:
    """Display :func:`allocation_view`'s result: its error, or its message, top table, label
    breakdown (with a label key) and flame graph."""
    if view["error"]:
        show_text(view["error"])
        return
    if view["message"]:
        show_text(view["message"])
    show_top(view["top"], view["top_n"], caption=view["caption"])
    if view.get("labels") is not None:
        _show_label_table(view["labels"], view["top_n"])
    view["figure"].show()


#: what an explorer keeps: the views of its most recent control settings (each a top table and
#: a pruned flame graph), the indexes of every granularity (derived from the slot-level call
#: paths, a few MB each), and the kept-sample masks of its most recent regexes
_VIEW_CACHE_SIZE = 16
_INDEX_CACHE_SIZE = 5
_MASK_CACHE_SIZE = 8


def _remember(cache: OrderedDict, key, make, size: int):
    """``cache[key]``, made by ``make()`` when missing; the ``size`` most recently used entries are kept."""
    if key in cache:
        cache.move_to_end(key)
    else:
        cache[key] = make()
        if len(cache) > size:
            cache.popitem(last=False)
    return cache[key]


class _AllocationExplorer:
    """The explorer's controls, output and refresh callback.

    A change of sample type, focus or ignore redraws from a :class:`~pprof_parse.present.view_index.ViewIndex`
    of the current granularity: what ``top`` and ``call_tree`` compute that does not depend on the
    weights is computed once per granularity, and each view is then a few weighted counts (equal to
    :func:`allocation_view`'s; on the 190k-sample benchmark profile a new sample type or focus
    takes 65-90 ms of CPU instead of 1.6 s; a new granularity about 0.13 s: its index is derived from
    the profile's slot-level call paths, built once with the explorer). A
    label key goes through :func:`allocation_view` (trees split by labels are not indexed), and so
    does every setting under ``GOPHERLAB_ENGINE=reference``. Views are kept per setting of the
    controls (the 16 most recent): going back to a setting redraws without recomputing, and top N
    only changes how many rows are shown. The regex boxes fire on Enter or when they lose focus,
    not on every keystroke.
    """

    def __init__(self, profile, *, sample_index=None, granularity: str = "functions", top_n: int = 20,
                 max_nodes: int = 1500):
        self.profile, self.max_nodes = profile, max_nodes
        self.views: OrderedDict[tuple, dict] = OrderedDict()
        self.indexes: OrderedDict[str, ViewIndex] = OrderedDict()
        self.slot_paths: SlotPaths | None = None  # the call paths every granularity's index derives from
        self.masks: OrderedDict[tuple, np.ndarray] = OrderedDict()
        types = [t.type for t in profile.sample_types]
        self.sample = W.Dropdown(options=types, value=types[profile.sample_index(sample_index or None)],
                                 description="sample")
        self.granularity = W.Dropdown(options=["functions", "filefunctions", "files", "lines"], value=granularity,
                                      description="granularity")
        self.focus = W.Text(value="", placeholder="regex, e.g. json|bytes", description="focus",
                            continuous_update=False)
        self.ignore = W.Text(value="", placeholder="regex, e.g. runtime", description="ignore",
                             continuous_update=False)
        self.label = W.Dropdown(options=[("(none)", "")] + [(k, k) for k in label_keys(profile)], value="",
                                description="label")
        self.top_n = W.IntSlider(value=top_n, min=5, max=100, step=5, description="top N", continuous_update=False)
        self.output = W.Output()
        self.box = W.VBox([W.HBox([self.sample, self.granularity, self.top_n]),
                           W.HBox([self.focus, self.ignore, self.label]), self.output])
        for w in (self.sample, self.granularity, self.focus, self.ignore, self.label, self.top_n):
            w.observe(self.refresh, names="value")

    def view(self) -> dict:
        """:func:`allocation_view` of the controls' current values (from the cache when it holds them)."""
        key = (self.sample.value, self.granularity.value, self.focus.value, self.ignore.value, self.label.value)
        return dict(_remember(self.views, key, lambda: self._compute(*key), _VIEW_CACHE_SIZE), top_n=self.top_n.value)

    def _compute(self, sample, granularity: str, focus: str, ignore: str, label_key: str) -> dict:
        """The view of one setting: from the sample index, or (a label key; ``GOPHERLAB_ENGINE=reference``)
        :func:`allocation_view`, the library's plain path the index is tested equal to."""
        if label_key or reference_engine():
            return allocation_view(self.profile, sample=sample, granularity=granularity, focus=focus, ignore=ignore,
                                   label_key=label_key, max_nodes=self.max_nodes)
        error = _regex_error(focus, ignore)
        if error:
            return _error_view(error, 0)
        if self.slot_paths is None:
            self.slot_paths = SlotPaths(self.profile.data)
        index = _remember(self.indexes, granularity, lambda: view_index_at(self.slot_paths, granularity),
                          _INDEX_CACHE_SIZE)
        kept = _remember(self.masks, (focus, ignore), lambda: index.kept(focus or None, ignore or None),
                         _MASK_CACHE_SIZE) if (focus or ignore) else None
        return _view(index.top(sample, kept), index.call_tree(sample, kept, max_nodes=self.max_nodes), None,
                     n_kept=None if kept is None else int(kept.sum()), n_samples=len(self.profile), sample=sample,
                     granularity=granularity, top_n=0)

    def refresh(self, _change=None) -> None:
        """Redraw the output for the controls' current values (the widgets' callback)."""
        with self.output:
            self.output.clear_output(wait=True)
            show_allocation_view(self.view())


def allocation_explorer(profile, *, sample_index=None, granularity: str = "functions", top_n: int = 20,
                        max_nodes: int = 1500) -> None:
    """Display ipywidgets controls -- sample type, granularity, focus and ignore regexes (pprof's
    ``-focus``/``-ignore``), a label key (the profile's :func:`label_keys`: a by-label table and
    the flame graph split by the label, pprof's ``-tagroot``), top N -- driving a top table and a
    flame graph of ``profile`` (:func:`allocation_view`). Views already shown are kept (the
    16 most recent settings), so switching back redraws at once. Needs
    ipywidgets and a live kernel.

    Raises
    ------
    pprof_parse.SampleTypeError
        Unknown ``sample_index``.
    """
    explorer = _AllocationExplorer(profile, sample_index=sample_index, granularity=granularity, top_n=top_n,
                                   max_nodes=max_nodes)
    explorer.refresh()
    ipd.display(explorer.box)
