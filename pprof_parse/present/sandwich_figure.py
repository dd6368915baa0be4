"""The sandwich view as a plotly figure: callers as an inverted icicle above, callees below.

Draws a :class:`~pprof_parse.present.sandwich.Sandwich` with the flame graph's icicle code
(:mod:`.flame`): the same labels (short names), hover text (full name, total with its share
of the function's cum, self) and HTML escaping of every profile string.
:func:`sandwiches_figure` puts several functions' sandwiches in one figure with a dropdown
(for static HTML reports: switching runs in the page, no kernel).
"""

from __future__ import annotations

import html

import numpy as np
from gopherlab_common.lazy import LazyModule

from ..errors import OptionError
from .flame import _check_tree, _hover, _icicle_trace, format_value
from .sandwich import Sandwich

plotly_subplots = LazyModule("plotly.subplots")

#: the gap between the two icicles, as a fraction of the figure's plotting height
MIDDLE_GAP = 0.1


def sandwich_title(sw: Sandwich) -> str:
    """The figure's title (escaped): the function's name, its flat and cum in human units with
    their share of the report total, and which of several matches it is."""
    flat = f"{format_value(sw.flat, sw.unit)} ({sw.flat_pct:.2f}%)"
    cum = f"{format_value(sw.cum, sw.unit)} ({sw.cum_pct:.2f}%)"
    more = f" · match 1 of {len(sw.matches)}" if len(sw.matches) > 1 else ""
    return (f"<b>{html.escape(sw.name, quote=True)}</b>{more}<br>"
            f"<sup>{html.escape(sw.sample_type)}: flat {html.escape(flat)} · cum {html.escape(cum)}</sup>")


def sandwich_figure(sw: Sandwich, *, title: str | None = None, maxdepth: int | None = None,
                    height: int = 700):
    """A plotly figure of one function's sandwich.

    Parameters
    ----------
    sw : Sandwich
        From :meth:`pprof_parse.Profile.sandwich` (or
        :meth:`~pprof_parse.present.sandwich.SandwichIndex.sandwich`).
    title : str, optional
        Figure title (escaped). Default: the function's name with flat and cum (units as
        :func:`~pprof_parse.present.flame.format_value`, shares of the report total).
    maxdepth : int, optional
        Levels of each icicle drawn at once (plotly ``maxdepth``); click a frame to zoom.
    height : int
        Figure height in pixels (both icicles share it).

    Returns
    -------
    plotly.graph_objects.Figure
        Two icicle traces: ``callers`` in the upper half, root (the function) at the
        bottom and the outermost callers at the top; ``callees`` in the lower half, root on
        top. Widths are path totals; hover shows each frame's total with its share of the
        function's cum (pprof's ``calls%`` on the first level) and its self value.

    Raises
    ------
    OptionError
        ``sw`` is not a Sandwich, or its trees are not call-tree frames.
    """
    if not isinstance(sw, Sandwich):
        raise OptionError(f"sandwich_figure takes a Sandwich (Profile.sandwich), not {type(sw).__name__}")
    fig = _two_rows()
    _add_sandwich(fig, sw, maxdepth=maxdepth, visible=True)
    fig.update_layout(title=html.escape(title) if title is not None else sandwich_title(sw), height=height,
                      annotations=_annotations(sw), margin=dict(t=80, l=10, r=10, b=10))
    return fig


def sandwiches_figure(sandwiches, *, maxdepth: int | None = None, height: int = 700):
    """Several functions' sandwiches in one figure, a dropdown choosing which one is shown.

    For static HTML reports: every sandwich is precomputed as two traces and the dropdown only
    flips their visibility (and the title and the callers/callees notes), so no Python runs
    in the page.

    Parameters
    ----------
    sandwiches : sequence of Sandwich
        From :meth:`pprof_parse.Profile.sandwich`; the first is shown. Dropdown entries are
        the functions' names (escaped).
    maxdepth, height
        As :func:`sandwich_figure`.

    Returns
    -------
    plotly.graph_objects.Figure
        Two icicle traces per sandwich (``callers`` then ``callees``, as :func:`sandwich_figure`),
        those of the first visible; a dropdown when there are two or more sandwiches.

    Raises
    ------
    OptionError
        No sandwich, an item that is not a Sandwich, or trees that are not call-tree frames.
    """
    sandwiches = list(sandwiches)
    if not sandwiches:
        raise OptionError("sandwiches_figure needs at least one Sandwich")
    for sw in sandwiches:
        if not isinstance(sw, Sandwich):
            raise OptionError(f"sandwiches_figure takes Sandwich objects (Profile.sandwich), not {type(sw).__name__}")
    fig = _two_rows()
    for i, sw in enumerate(sandwiches):
        _add_sandwich(fig, sw, maxdepth=maxdepth, visible=i == 0)
    n = len(sandwiches)
    buttons = [dict(label=html.escape(sw.name, quote=True), method="update",
                    args=[{"visible": [j // 2 == i for j in range(2 * n)]},
                          {"title.text": sandwich_title(sw), "annotations": _annotations(sw)}])
               for i, sw in enumerate(sandwiches)]
    fig.update_layout(title=sandwich_title(sandwiches[0]), height=height, annotations=_annotations(sandwiches[0]),
                      margin=dict(t=80, l=10, r=10, b=10),
                      updatemenus=[dict(buttons=buttons, direction="down", x=1.0, xanchor="right", y=1.12,
                                        yanchor="top", showactive=True)] if n > 1 else [])
    return fig


def _two_rows():
    """An empty figure with the two plotting domains: callers above, callees below."""
    return plotly_subplots.make_subplots(rows=2, cols=1, specs=[[{"type": "domain"}], [{"type": "domain"}]],
                                         vertical_spacing=MIDDLE_GAP)


def _add_sandwich(fig, sw: Sandwich, *, maxdepth: int | None, visible: bool) -> None:
    """Add ``sw``'s two icicles: ``callers`` (inverted) in the upper row, ``callees`` in the lower."""
    for tree in (sw.callers, sw.callees):
        _check_tree(tree, ["id", "parent", "name", "self", "total"])
    for row, (tree, relation) in enumerate(((sw.callers, "callers"), (sw.callees, "callees")), start=1):
        trace = _icicle_trace(tree, values=np.abs(tree["total"].to_numpy()), hover=_hover(tree, sw.unit),
                              name=relation, maxdepth=maxdepth, visible=visible)
        if relation == "callers":
            trace.update(tiling=dict(orientation="v", flip="y"))  # root at the bottom: an inverted icicle
        fig.add_trace(trace, row=row, col=1)


def _annotations(sw: Sandwich) -> list[dict]:
    """The notes naming the two halves, at the gap between them (the function's name escaped)."""
    name = html.escape(sw.name, quote=True)
    return [dict(text=f"▲ callers of {name}", x=0, xref="paper", xanchor="left", y=0.5 + MIDDLE_GAP / 2,
                 yref="paper", yanchor="top", showarrow=False),
            dict(text=f"▼ callees of {name}", x=0, xref="paper", xanchor="left", y=0.5 - MIDDLE_GAP / 2,
                 yref="paper", yanchor="bottom", showarrow=False)]
