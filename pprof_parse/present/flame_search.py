"""Search in a flame graph: a text box in exported HTML (client-side) and a widget in JupyterLab.

A flame figure drawn with ``flame_figure(tree, search=profile)`` carries, in its trace's
``meta``, the search index of :mod:`.flame_index`. In a page, ``flame_search.js`` (package
data; :func:`flame_search_script` hands it to plotly) adds a text box above the figure: typing a
regex paints the matching frames orange and the others grey, and shows ``matched: VALUE (PCT% of
total)`` -- the total of the samples pprof's ``-focus=REGEX`` keeps, computed in the browser
from the index exactly as :func:`~.flame_index.search_matches` computes it (so equal to
``Profile.top(focus=REGEX)["flat"].sum()``), the percentage of pprof's total. The exact value
is also in the output's ``data-value`` attribute. Nothing runs in a kernel and nothing is
loaded from the network. With several traces (:func:`~.flame.flame_views_figure`), the box
searches the visible one and follows the dropdown.

Regex dialect in the browser: Go's (RE2) patterns are compiled as JavaScript ``RegExp`` after
rewriting the RE2 spellings ordinary patterns use -- a leading ``(?i)``/``(?s)``/``(?m)``
flag group becomes ``RegExp`` flags, ``\\A`` becomes ``^``, ``\\z`` becomes ``$``, POSIX classes
``[[:alpha:]]`` their ranges, ``\\Q...\\E`` an escaped literal. What Go refuses and JavaScript
would accept (look-around ``(?=``, ``(?!``, ``(?<=``, ``(?<!``, back-references ``\\1``,
``\\k<name>``, ``\\C``) is refused with a message, as pprof refuses it. Still different: a flag
group after the start (``main\\.(?i)json``) and ``(?U)`` are refused in the browser (Go accepts
them); Unicode classes (``\\pL``) work through JavaScript's ``u`` mode, tried first, then plain
mode (where ``.`` is one UTF-16 unit, not one code point). Any pattern the browser cannot
compile shows ``invalid regex: ...`` under the box; no script error reaches the page.

Live in JupyterLab the page's script does not run (JupyterLab draws plotly itself):
:func:`flame_search_widget` is the same box as ipywidgets, the share computed by
``Profile.top(focus=...)`` in the kernel.
"""

from __future__ import annotations

import html
from importlib import resources

import numpy as np
from gopherlab_common.lazy import LazyModule

from ..errors import OptionError
from .flame import flame_figure, format_value
from .flame_index import META_KEY, embeddable, matched_total, search_index, search_matches
from .tree import call_tree

go = LazyModule("plotly.graph_objects")
pio = LazyModule("plotly.io")
widgets = LazyModule("ipywidgets")

__all__ = ["META_KEY", "SEARCH_SCRIPT", "flame_html", "flame_search_figure", "flame_search_script",
           "flame_search_widget", "has_search_index", "matched_total", "script_source", "search_index",
           "search_matches", "write_flame_html"]

#: The browser side: package data next to this module.
SEARCH_SCRIPT = "flame_search.js"


# ---- the browser side ----------------------------------------------------------------------------


def script_source() -> str:
    """The text of ``flame_search.js`` (package data)."""
    return resources.files(__package__).joinpath(SEARCH_SCRIPT).read_text(encoding="utf-8")


def has_search_index(fig) -> bool:
    """Whether a trace of ``fig`` (a plotly Figure or its dict) carries a search index."""
    data = fig.get("data", []) if isinstance(fig, dict) else [{"meta": t.meta} for t in fig.data]
    return any(isinstance(t.get("meta"), dict) and META_KEY in t["meta"] for t in data)


def flame_search_script(fig=None) -> str | None:
    """plotly's ``post_script`` adding a search box above every flame trace that carries an index.

    Pass it to ``fig.to_html``/``fig.write_html`` (``post_script=...``) or from a notebook
    renderer's ``to_mimebundle``; plotly replaces ``{plot_id}`` by the figure's ``<div>`` id
    and runs the code after ``Plotly.newPlot``. No network access.

    Parameters
    ----------
    fig : plotly Figure or dict, optional
        When given, None is returned for a figure without a search index (so a renderer adds
        the ~12 kB script only to the figures that use it).

    Returns
    -------
    str or None
    """
    if fig is not None and not has_search_index(fig):
        return None
    return script_source() + "\ngopherlabFlameSearch(document.getElementById('{plot_id}'));\n"


def _with_search_script(kwargs: dict) -> dict:
    extra = kwargs.pop("post_script", None)
    scripts = [flame_search_script()] + ([] if extra is None else [extra] if isinstance(extra, str) else list(extra))
    return {**kwargs, "post_script": scripts}


def flame_html(fig, **kwargs) -> str:
    """``plotly.io.to_html(fig, **kwargs)`` with the search box's script (:func:`flame_search_script`)
    added to any ``post_script`` given. Defaults as plotly's (``include_plotlyjs=True``: the page
    needs no network)."""
    return pio.to_html(fig, **_with_search_script(kwargs))


def write_flame_html(fig, file, **kwargs) -> None:
    """``plotly.io.write_html(fig, file, **kwargs)`` with the search box (see :func:`flame_html`)."""
    pio.write_html(fig, file, **_with_search_script(kwargs))


def flame_search_figure(profile, sample_index: int | str | None = None, *, granularity: str = "functions",
                        noinlines: bool = False, min_fraction: float = 0.005, max_nodes: int | None = 3000,
                        tagroot: str | list[str] | None = None, tagleaf: str | list[str] | None = None,
                        title: str | None = None, height: int = 600):
    """The profile's flame graph with its search index: ``call_tree`` then ``flame_figure``.

    Parameters
    ----------
    profile : pprof_parse.Profile
    sample_index, granularity, noinlines, min_fraction, max_nodes, tagroot, tagleaf
        As :func:`~.tree.call_tree` (the index is built with the same options).
    title, height
        As :func:`~.flame.flame_figure`.

    Returns
    -------
    plotly.graph_objects.Figure
        One icicle trace whose ``meta`` carries the search index; show it with
        :func:`flame_html` / :func:`write_flame_html` (search box in the page) or
        :func:`flame_search_widget` (JupyterLab).

    Raises
    ------
    SampleTypeError
        Unknown sample index.
    OptionError
        As :func:`~.tree.call_tree`.
    """
    tree = call_tree(profile, sample_index, granularity=granularity, noinlines=noinlines, min_fraction=min_fraction,
                     max_nodes=max_nodes, tagroot=tagroot, tagleaf=tagleaf)
    fig = flame_figure(tree, title=title, height=height)
    fig.data[0].meta = {META_KEY: embeddable(search_index(profile, tree, noinlines=noinlines, tagroot=tagroot,
                                                          tagleaf=tagleaf))}
    return fig


# ---- live in JupyterLab ---------------------------------------------------------------------------

_HIT, _DIM = "#e6550d", "#e3e3e3"


def flame_search_widget(profile, fig, *, trace: int = 0):
    """An ipywidgets search box over a flame figure, for a live kernel.

    Parameters
    ----------
    profile : pprof_parse.Profile
        The profile the figure was drawn from.
    fig : plotly.graph_objects.Figure
        A flame figure whose trace ``trace`` carries a search index
        (``flame_figure(tree, search=profile)``).
    trace : int
        Which trace the box searches.

    Returns
    -------
    ipywidgets.VBox
        ``[Text, HTML, FigureWidget]``. Typing a Go regex restyles the figure (matching frames
        orange, the others grey; empty: the original colours) and shows ``matched: VALUE (PCT%
        of total)``, VALUE being ``profile.top(sample_type, focus=regex, tagroot=..., tagleaf=...)
        ["flat"].sum()`` (the tree's sample type and label frames); an
        invalid regex shows pprof's message. The callback is ``box.on_search(regex)`` (also
        run by the Text's ``value``, on Enter). The figure widget's trace no longer carries the
        index (``box.index`` holds it).

    Raises
    ------
    OptionError
        The trace has no search index.
    """
    fw = go.FigureWidget(fig)
    meta = fw.data[trace].meta
    if not isinstance(meta, dict) or META_KEY not in meta:
        raise OptionError("the figure's trace has no search index: draw it with flame_figure(tree, search=profile)")
    index = meta[META_KEY]
    # the index stays in Python: plotly.js would copy it with the trace on every repaint
    fw.data[trace].meta = {k: v for k, v in meta.items() if k != META_KEY} or None
    original = fw.data[trace].marker.colors
    # one search per Enter (or leaving the box): each runs Profile.top(focus=...), ~1 s on 200k samples
    text = widgets.Text(value="", placeholder="search frames (Go regex, as -focus), Enter", description="search",
                        continuous_update=False)
    label = widgets.HTML(value="")

    def on_search(regex: str) -> None:
        if not regex:
            fw.data[trace].marker.colors = original
            label.value = ""
            return
        try:
            top = profile.top(index["sample_type"], focus=regex, tagroot=index.get("tagroot"),
                              tagleaf=index.get("tagleaf"))
        except OptionError as e:
            label.value = f"<span class='gl-search-error'>{html.escape(str(e))}</span>"
            return
        rows = search_matches(index, regex)["rows"]
        value = int(top["flat"].sum())
        total = top.attrs["total"]
        pct = abs(value) / total * 100 if total else 0.0
        fw.data[trace].marker.colors = np.where(rows, _HIT, _DIM).tolist()
        label.value = html.escape(f"matched: {format_value(value, index['unit'])} ({pct:.2f}% of total)")

    text.observe(lambda change: on_search(change["new"]), names="value")
    box = widgets.VBox([text, label, fw])
    box.on_search = on_search
    box.index = index
    return box

