"""Flame graphs as plotly figures, drawn from the call-tree frames of :mod:`.tree`.

Public through :mod:`pprof_parse.figures` (import them from there; this module may move).

* :func:`flame_figure` -- a plotly icicle of :func:`~.tree.call_tree` (root on top,
  callees below, width = total); click a frame to zoom in.
* :func:`flame_views_figure` -- several trees (e.g. one per sample type) in one
  figure with a dropdown, so a static HTML reader can switch views without Python.
* :func:`diff_flame_figure` -- a :func:`~.tree.diff_tree` coloured by delta
  (red = grew, blue = shrank, white = unchanged).

Every profile string is HTML-escaped before it reaches plotly (labels and hover
text are rendered by plotly's pseudo-HTML text engine).
"""

from __future__ import annotations

import html

import numpy as np
from gopherlab_common.lazy import LazyModule, pd  # pandas on first use

go = LazyModule("plotly.graph_objects")  # on the first figure: importing the module stays cheap

from ..errors import OptionError
from .flame_index import META_KEY, embeddable, search_index

_SCALES = {
    "bytes": [(1 << 40, "TB"), (1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "kB"), (1, "B")],
    "nanoseconds": [(3600e9, "h"), (60e9, "min"), (1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1, "ns")],
    "count": [(1e9, "G"), (1e6, "M"), (1e3, "k"), (1, "")],
}


def format_value(value: float, unit: str) -> str:
    """A sample value with a human unit: ``format_value(3 << 20, "bytes") == "3.00 MB"``.

    ``bytes`` step by 1024 (``B``, ``kB``, ``MB``, ``GB``, ``TB``, pprof's labels),
    ``nanoseconds`` by 1000 up to ``s`` then ``min`` and ``h``, ``count`` by 1000 (``k``,
    ``M``, ``G``); the largest step not above |value| is used, with two decimals; values below
    1 kB, 1 µs or 1 k are whole numbers with thousands separators. Units other than these are
    printed as ``"<value> <unit>"`` (rounded to a whole number).

    Raises
    ------
    TypeError, ValueError
        ``value`` is not a number.
    """
    v = float(value)
    scales = _SCALES.get(unit)
    if scales is None:
        return f"{v:,.0f} {unit}".strip()
    a = abs(v)
    for factor, suffix in scales:
        if a >= factor:
            if factor == 1:
                return f"{v:,.0f} {suffix}".strip() if unit != "count" else f"{v:,.0f}"
            return f"{v / factor:.2f} {suffix}".strip()
    return f"{v:,.0f} {scales[-1][1]}".strip()


_BYTES = [(1, "B"), (1 << 10, "KiB"), (1 << 20, "MiB"), (1 << 30, "GiB"), (1 << 40, "TiB")]
_NS = [(1, "ns"), (1e3, "µs"), (1e6, "ms"), (1e9, "s")]
_SEC = [(1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1, "s")]
_AXIS_UNITS = {"bytes": _BYTES, "B": _BYTES, "nanoseconds": _NS, "ns": _NS, "seconds": _SEC, "sec": _SEC, "s": _SEC}

#: plotly axis/colour-bar settings that show plain numbers: plotly's default ``exponentformat``
#: ("B") writes 8e9 as "8B" (billion), which next to a byte unit reads as 8 bytes.
PLAIN_TICKS = {"exponentformat": "none", "separatethousands": True}


def axis_unit(values, unit: str) -> tuple[float, str]:
    """The scale for an axis or colour bar showing ``values`` measured in ``unit``.

    Returns ``(factor, label)`` (float, str): plot ``values / factor`` and name the axis ``label``. Bytes
    scale by powers of 1024 (``B``, ``KiB``, ``MiB``, ``GiB``, ``TiB``), nanoseconds and seconds
    by powers of 1000 (``ns``, ``µs``, ``ms``, ``s``), keeping a per-operation suffix
    (``sec/op`` -> ``µs/op``); the largest step not above max(|values|) is chosen. Other units
    (``count``, ``allocs/op``) are returned as ``(1.0, unit)``; NaN and ±inf values are
    ignored. Use with :data:`PLAIN_TICKS`.
    """
    base, sep, rest = unit.partition("/")
    steps = _AXIS_UNITS.get(base)
    if steps is None:
        return 1.0, unit
    arr = np.abs(np.asarray(values, dtype="float64"))
    arr = arr[np.isfinite(arr)]
    top = float(arr.max()) if arr.size else 0.0
    factor, label = steps[0] if steps is not _SEC else (1.0, "s")
    if top > 0:
        for f, lab in steps:
            if top >= f:
                factor, label = f, lab
    return float(factor), label + (sep + rest if sep else "")


def short_name(name: str) -> str:
    """The part of a Go symbol after its import path: ``github.com/a/b.(*T).M`` -> ``b.(*T).M``."""
    head, sep, tail = name.rpartition("/")
    return tail if sep and tail else name


def _esc(values) -> list[str]:
    return [html.escape(str(v), quote=True) for v in values]


def _check_tree(tree: pd.DataFrame, cols: list[str]) -> None:
    missing = [c for c in cols if c not in tree.columns]
    if missing:
        raise OptionError(f"tree frame lacks column(s) {missing}; build it with call_tree()/diff_tree()")


def _icicle_trace(tree: pd.DataFrame, *, values: np.ndarray, hover: list[str], colors=None, name: str = "",
                  visible: bool = True, maxdepth: int | None = None, meta=None, **marker) -> go.Icicle:
    ids = tree["id"].astype(str).to_numpy()
    parents = np.where(tree["parent"].to_numpy() >= 0, tree["parent"].astype(str).to_numpy(), "")
    labels = _esc(short_name(n) for n in tree["name"])
    m = dict(marker)
    if colors is not None:
        m["colors"] = colors
    return go.Icicle(
        ids=ids, parents=parents, labels=labels, values=values, branchvalues="total",
        customdata=np.array(hover, dtype=object), hovertemplate="%{customdata}<extra></extra>",
        textinfo="label", tiling=dict(orientation="v"), name=name, visible=visible,
        maxdepth=maxdepth if maxdepth else -1, marker=m, sort=False, meta=meta,
    )


def _search_meta(tree: pd.DataFrame, search) -> dict | None:
    """The trace ``meta`` carrying the tree's search index (:mod:`.flame_index`), or None."""
    return None if search is None else {META_KEY: embeddable(search_index(search, tree))}


def _hover(tree: pd.DataFrame, unit: str, percent_of: float | None = None) -> list[str]:
    root = float(percent_of) if percent_of else (float(abs(tree["total"].iloc[0])) or 1.0)
    names = _esc(tree["name"])
    return [f"<b>{n}</b><br>total {format_value(t, unit)} ({100 * t / root:.2f}%)<br>self {format_value(s, unit)}"
            for n, t, s in zip(names, tree["total"].to_numpy(), tree["self"].to_numpy())]


def flame_figure(tree: pd.DataFrame, *, title: str | None = None, maxdepth: int | None = None,
                 height: int = 600, percent_of: float | None = None, search=None) -> go.Figure:
    """A plotly icicle flame graph of a call tree.

    Parameters
    ----------
    tree : pandas.DataFrame
        From :func:`pprof_parse.figures.call_tree` (columns ``id``,
        ``parent``, ``name``, ``self``, ``total``; ``attrs`` ``unit`` and
        ``sample_type`` used for hover text and title).
    title : str, optional
        Figure title (escaped); default ``"<sample_type> call tree"``.
    maxdepth : int, optional
        Levels drawn at once (plotly ``maxdepth``); clicking a frame zooms in.
    height : int
        Figure height in pixels.
    percent_of : float, optional
        Total the hover percentages are of (in the tree's unit). Default the
        root's total; pass the whole profile's total (``Profile.top(...).attrs
        ["total"]``) for a tree of focused samples, as pprof does.
    search : pprof_parse.Profile, optional
        The profile ``tree`` was built from: the trace's ``meta`` then carries the tree's
        search index (:func:`~pprof_parse.present.flame_index.search_index`), which the
        page's search box (``flame_search.flame_html``/``write_flame_html``, the reports) and
        ``flame_search.flame_search_widget`` use. Building it walks every sample once
        (~0.07 s on the workload profiles, ~10 s on a 200k-sample CPU profile). The tree's
        options come from its ``attrs`` (``sample_type``, ``granularity``; ``noinlines``,
        ``tagroot``, ``tagleaf`` when recorded, else the defaults): for a tree built with
        those, ``flame_search.flame_search_figure`` passes them itself.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``icicle`` trace; widths are path totals, labels the short
        function names, hover the full name, total, share of ``percent_of``
        and self.

    Raises
    ------
    OptionError
        ``tree`` is not a call-tree frame; with ``search``, ``tree`` was not drawn from that
        profile (its rows' totals differ from the profile's samples).
    """
    _check_tree(tree, ["id", "parent", "name", "self", "total"])
    unit = tree.attrs.get("unit", "")
    fig = go.Figure(_icicle_trace(tree, values=np.abs(tree["total"].to_numpy()),
                                  hover=_hover(tree, unit, percent_of), maxdepth=maxdepth,
                                  meta=_search_meta(tree, search)))
    t = title if title is not None else f"{tree.attrs.get('sample_type', '')} call tree"
    fig.update_layout(title=html.escape(t), height=height, margin=dict(t=60, l=10, r=10, b=10))
    return fig


def flame_views_figure(trees: dict[str, pd.DataFrame], *, title: str = "Call tree", maxdepth: int | None = None,
                       height: int = 600, search=None) -> go.Figure:
    """Several call trees in one figure with a dropdown to switch between them.

    Use it for the views a reader of a static HTML report must toggle (sample
    type, granularity): every view is precomputed as a trace; the dropdown
    only flips visibility, so no Python runs in the browser.

    Parameters
    ----------
    trees : dict of str to pandas.DataFrame
        Label shown in the dropdown -> call-tree frame. The first is visible.
    title, maxdepth, height
        As :func:`flame_figure`.
    search : pprof_parse.Profile, optional
        The profile every tree was built from: each trace carries its tree's search index
        (as :func:`flame_figure`); the page's search box follows the dropdown.

    Returns
    -------
    plotly.graph_objects.Figure
        One icicle trace per tree (hover as :func:`flame_figure`'s, percentages of each
        tree's root), the first visible; a dropdown when there are two or more.

    Raises
    ------
    OptionError
        ``trees`` is empty or a value is not a call-tree frame (or, with ``search``, not one of
        that profile).
    """
    if not trees:
        raise OptionError("flame_views_figure needs at least one tree")
    fig = go.Figure()
    labels = list(trees)
    for i, (label, tree) in enumerate(trees.items()):
        _check_tree(tree, ["id", "parent", "name", "self", "total"])
        fig.add_trace(_icicle_trace(tree, values=np.abs(tree["total"].to_numpy()),
                                    hover=_hover(tree, tree.attrs.get("unit", "")), name=html.escape(label),
                                    visible=i == 0, maxdepth=maxdepth, meta=_search_meta(tree, search)))
    buttons = [dict(label=html.escape(lab), method="update",
                    args=[{"visible": [j == i for j in range(len(labels))]},
                          {"title.text": html.escape(f"{title}: {lab}")}])
               for i, lab in enumerate(labels)]
    fig.update_layout(
        title=html.escape(f"{title}: {labels[0]}"), height=height, margin=dict(t=80, l=10, r=10, b=10),
        updatemenus=[dict(buttons=buttons, direction="down", x=1.0, xanchor="right", y=1.12, yanchor="top",
                          showactive=True)] if len(labels) > 1 else [],
    )
    return fig


def diff_flame_figure(tree: pd.DataFrame, *, width: str = "new", title: str | None = None,
                      maxdepth: int | None = None, height: int = 600) -> go.Figure:
    """A differential flame graph: frames coloured by how much their path grew or shrank.

    Parameters
    ----------
    tree : pandas.DataFrame
        From :func:`pprof_parse.figures.diff_tree` (columns ``new``,
        ``base``, ``delta``, ``self_delta``).
    width : {"new", "both"}
        Frame widths: the new profile's totals (the differential flame graph
        convention; paths that vanished are not drawn, see the delta table), or
        ``new + base`` so shrunk and vanished paths stay visible.
    title, maxdepth, height
        As :func:`flame_figure`.

    Returns
    -------
    plotly.graph_objects.Figure
        One icicle trace; colour = ``delta`` on a diverging scale centred on 0
        (red grew, blue shrank), in the unit :func:`axis_unit` picks (the colour
        bar's title names it, e.g. ``Δ MiB``); hover shows base -> new and the change.

    Raises
    ------
    OptionError
        Not a diff-tree frame, or an unknown ``width``.
    """
    _check_tree(tree, ["id", "parent", "name", "new", "base", "delta"])
    if width not in ("new", "both"):
        raise OptionError(f"width {width!r} must be 'new' or 'both'")
    unit = tree.attrs.get("unit", "")
    new, base, delta = (tree[c].to_numpy() for c in ("new", "base", "delta"))
    values = np.abs(new) if width == "new" else np.abs(new) + np.abs(base)
    names = _esc(tree["name"])
    hover = []
    for n, b, v, d in zip(names, base, new, delta):
        pct = f" ({100 * d / b:+.1f}%)" if b else (" (new)" if v else "")
        hover.append(f"<b>{n}</b><br>{format_value(b, unit)} → {format_value(v, unit)}<br>"
                     f"change {'+' if d > 0 else ''}{format_value(d, unit)}{pct}")
    lim = float(np.abs(delta[1:]).max()) if len(delta) > 1 and np.abs(delta[1:]).max() > 0 else 1.0
    factor, label = axis_unit([lim], unit)  # the colour bar in the data's unit (MiB, ms), not SI "B"
    lim_s = lim / factor
    colors = np.clip(delta / factor, -lim_s, lim_s)
    fig = go.Figure(_icicle_trace(tree, values=values, hover=hover, colors=colors, maxdepth=maxdepth,
                                  colorscale=[[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]],
                                  cmin=-lim_s, cmax=lim_s, cmid=0, showscale=True,
                                  colorbar=dict(title=html.escape(f"Δ {label}"), **PLAIN_TICKS)))
    t = title if title is not None else f"{tree.attrs.get('sample_type', '')}: change by call path (red grew, blue shrank)"
    fig.update_layout(title=html.escape(t), height=height, margin=dict(t=60, l=10, r=10, b=10))
    return fig
