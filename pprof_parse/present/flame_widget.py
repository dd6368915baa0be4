"""A live flame graph in JupyterLab whose frames open the sandwich view of their function.

:func:`flame_sandwich_widget` shows :func:`~pprof_parse.present.flame.flame_figure` as a
plotly ``FigureWidget``; a click on a frame draws, below it, the
:func:`~pprof_parse.present.sandwich_figure.sandwich_figure` of the frame's function
(callers above, callees below; numbers as ``Profile.peek``). The kernel does the work, so
this needs a live kernel with ipywidgets and anywidget (plotly's ``FigureWidget``); an
exported HTML page shows the flame graph without the click.
"""

from __future__ import annotations

import html

from gopherlab_common.lazy import LazyModule

from ..analyze.sample_index import resolve_sample_index
from .figure_widget import figure_widget
from .flame import flame_figure
from .sandwich import Sandwich, SandwichIndex
from .sandwich_figure import sandwich_figure
from .top import report_total
from .tree import OTHER_NAME, call_tree

# imported on first use: the widgets exist in a kernel only
W = LazyModule("ipywidgets")

HINT = "Click a frame to see its function's callers (above) and callees (below)."


class FlameSandwich:
    """The flame graph widget and its click handler; :attr:`widget` is what a notebook shows.

    Made by :func:`flame_sandwich_widget` (see there for the parameters). Attributes:
    ``tree`` (the flame graph's :func:`~pprof_parse.present.tree.call_tree` frame),
    ``flame`` (its ``FigureWidget``), ``status`` (an ``ipywidgets.HTML`` line),
    ``sandwich`` (the sandwich's ``FigureWidget``: a new one per click, the previous one
    closed; None before the first click and after a click on the root or ``other``),
    ``widget`` (the ``ipywidgets.VBox``: flame, status, then the sandwich once a frame
    was clicked), ``last`` (the last :class:`~pprof_parse.present.sandwich.Sandwich` drawn, or None).

    Each FigureWidget is made holding its figure (:func:`~pprof_parse.present.figure_widget.figure_widget`)
    and never changed after: in JupyterLab, figures sent to a FigureWidget after it opened
    were now and then not drawn (the flame graph, then the sandwich, came out empty).
    """

    def __init__(self, profile, sample_index=None, *, granularity: str = "functions", noinlines: bool = False,
                 min_fraction: float = 0.005, max_nodes: int | None = 3000, height: int = 600,
                 sandwich_height: int = 700):
        data = profile.data
        si = resolve_sample_index(data, sample_index)
        self.tree = call_tree(profile, si, min_fraction=min_fraction, max_nodes=max_nodes,
                              granularity=granularity, noinlines=noinlines)
        self.index = SandwichIndex(data, si, total=report_total(data, si), granularity=granularity,
                                   noinlines=noinlines)
        self._prune = dict(min_fraction=min_fraction, max_nodes=max_nodes)
        self._sandwich_height = sandwich_height
        self.flame = figure_widget(flame_figure(self.tree, height=height))
        self.flame.data[0].on_click(self._clicked)
        self.status = W.HTML(value=html.escape(HINT))
        self.sandwich = None
        self.widget = W.VBox([self.flame, self.status])
        self.last: Sandwich | None = None

    def _clicked(self, trace, points, state) -> None:
        """plotly's click callback: the clicked frame is ``points.point_inds[0]`` (a tree row)."""
        if points.point_inds:
            self.on_frame_click(int(points.point_inds[0]))

    def on_frame_click(self, row: int) -> Sandwich | None:
        """Draw the sandwich of the function of tree row ``row`` below the flame graph.

        Returns the Sandwich, or None for the root and ``other`` frames (they are not
        functions: the status line says so and the previous sandwich is removed).
        """
        name = str(self.tree["name"].iloc[row])
        if row == 0 or name == OTHER_NAME:
            self.status.value = html.escape(f"{'The root' if row == 0 else 'other'} is not a function. {HINT}")
            self._show_sandwich(None)
            self.last = None
            return None
        sw = self.index.sandwich(self.index.named(name), **self._prune)
        self.status.value = f"Sandwich of <b>{html.escape(name, quote=True)}</b> (click another frame to change it)."
        self._show_sandwich(figure_widget(sandwich_figure(sw, height=self._sandwich_height)))
        self.last = sw
        return sw

    def _show_sandwich(self, widget) -> None:
        """Put ``widget`` (or nothing, for None) below the flame graph and close the previous sandwich."""
        previous, self.sandwich = self.sandwich, widget
        self.widget.children = (self.flame, self.status) + ((widget,) if widget is not None else ())
        if previous is not None:
            previous.close()  # its comm and frontend model: one open sandwich at a time


def flame_sandwich_widget(profile, sample_index=None, *, granularity: str = "functions", noinlines: bool = False,
                          min_fraction: float = 0.005, max_nodes: int | None = 3000, height: int = 600,
                          sandwich_height: int = 700):
    """A flame graph whose frames, clicked, show their function's sandwich below it.

    Parameters
    ----------
    profile : pprof_parse.Profile
        The profile (apply filters first with ``Profile.filter``).
    sample_index : int or str, optional
        Sample type (position or name, pprof's rules; default as ``Profile.top``).
    granularity : {"functions", "filefunctions", "files", "lines", "addresses"}
    noinlines : bool
        As :func:`~pprof_parse.present.tree.call_tree`.
    min_fraction, max_nodes
        Pruning of the flame graph and of each sandwich tree, as
        :func:`~pprof_parse.present.tree.call_tree`.
    height, sandwich_height : int
        Heights of the flame graph and of the sandwich figure, in pixels.

    Returns
    -------
    ipywidgets.VBox
        The flame graph (a plotly ``FigureWidget``), a status line, and after a click the
        sandwich figure of the clicked frame's function (numbers equal ``Profile.peek`` of
        that node; percentages of the whole profile).

    Raises
    ------
    SampleTypeError
        Unknown sample index.
    OptionError
        Unknown granularity, bad pruning options.
    ImportError
        ipywidgets or anywidget is not installed.
    """
    return FlameSandwich(profile, sample_index, granularity=granularity, noinlines=noinlines,
                         min_fraction=min_fraction, max_nodes=max_nodes, height=height,
                         sandwich_height=sandwich_height).widget
