"""The sandwich view as a plotly figure: callers as an inverted icicle above, callees below.

Draws a :class:`~pprof_parse.present.sandwich.Sandwich` with the flame graph's icicle code
(:mod:`.flame`): the same labels (short names), hover text (full name, total with its share
of the function's cum, self) and HTML escaping of every profile string.
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
    for tree in (sw.callers, sw.callees):
        _check_tree(tree, ["id", "parent", "name", "self", "total"])
    fig = plotly_subplots.make_subplots(rows=2, cols=1, specs=[[{"type": "domain"}], [{"type": "domain"}]],
                                        vertical_spacing=MIDDLE_GAP)
    for row, (tree, relation) in enumerate(((sw.callers, "callers"), (sw.callees, "callees")), start=1):
        trace = _icicle_trace(tree, values=np.abs(tree["total"].to_numpy()), hover=_hover(tree, sw.unit),
                              name=relation, maxdepth=maxdepth)
        if relation == "callers":
            trace.update(tiling=dict(orientation="v", flip="y"))  # root at the bottom: an inverted icicle
        fig.add_trace(trace, row=row, col=1)
    name = html.escape(sw.name, quote=True)
    fig.add_annotation(text=f"▲ callers of {name}", x=0, xref="paper", xanchor="left",
                       y=0.5 + MIDDLE_GAP / 2, yref="paper", yanchor="top", showarrow=False)
    fig.add_annotation(text=f"▼ callees of {name}", x=0, xref="paper", xanchor="left",
                       y=0.5 - MIDDLE_GAP / 2, yref="paper", yanchor="bottom", showarrow=False)
    fig.update_layout(title=html.escape(title) if title is not None else sandwich_title(sw), height=height,
                      margin=dict(t=80, l=10, r=10, b=10))
    return fig
