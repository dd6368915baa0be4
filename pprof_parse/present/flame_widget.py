"""A live flame graph in JupyterLab whose frames open the sandwich view of their function.

:func:`flame_sandwich_widget` shows :func:`~pprof_parse.present.flame.flame_figure` in an
anywidget whose view (``flame_sandwich.js``) draws it with plotly.js; a click on a frame draws,
below it, the :func:`~pprof_parse.present.sandwich_figure.sandwich_figure` of the frame's
function (callers above, callees below; numbers as ``Profile.peek``). The kernel does the work,
so this needs a live kernel with ipywidgets and anywidget; an exported HTML page has no kernel to
answer the click (use :func:`~pprof_parse.present.flame.flame_figure` there).

Why not plotly's ``FigureWidget``: it reports clicks and hovers through one synced attribute,
and while an earlier message to the kernel is unanswered, JupyterLab's widget manager keeps only
the last value of an attribute. A click during a busy kernel (the previous sandwich being drawn)
followed by a hover was lost: seen in tests/browser/test_flame_sandwich_lab.py (plotly saw both
clicks, the kernel received the first only). Its view also drew a figure sent after the widget
opened now and then not at all. Here clicks travel as custom messages, which are sent one by one,
and the view redraws whatever the kernel last set.

anywidget gives a model 2 s from its creation to load its module, then rejects the model's
readiness and drops every later message from the kernel (anywidget 0.11); the view still draws
once its module is in. With plotly.js inside the module, that happened on a loaded machine (the
page took the clicks, the kernel answered them, the view never changed: 7 of 38 runs of the lab
test's busy-kernel case). The module is now a few kB and plotly.js is a synced attribute the view
loads when it first draws.
"""

from __future__ import annotations

import functools
import html
from importlib import resources

from gopherlab_common.lazy import LazyModule

from ..analyze.sample_index import resolve_sample_index
from .flame import flame_figure
from .sandwich import Sandwich, SandwichIndex
from .sandwich_figure import sandwich_figure
from .top import report_total
from .tree import OTHER_NAME, call_tree

# imported on first use: the widgets exist in a kernel only
anywidget = LazyModule("anywidget")
traitlets = LazyModule("traitlets")
plotly_offline = LazyModule("plotly.offline")

HINT = "Click a frame to see its function's callers (above) and callees (below)."

#: the custom message the view sends for a click on a frame (``row``: the call tree's row)
FRAME_CLICK = "frame_click"


def _view_module() -> str:
    """The view's ES module (``flame_sandwich.js``, a few kB; plotly.js travels apart in ``_plotly_js``)."""
    return resources.files(__package__).joinpath("flame_sandwich.js").read_text(encoding="utf-8")


@functools.cache
def _widget_class():
    """The anywidget class of the view (made once, on first use: anywidget is imported then)."""

    class FlameSandwichView(anywidget.AnyWidget):
        """The widget model: the flame graph, the status line and the sandwich (see flame_sandwich.js)."""

        _esm = traitlets.Unicode(_view_module()).tag(sync=True)
        _plotly_js = traitlets.Unicode(plotly_offline.get_plotlyjs()).tag(sync=True)  # plotly.js, loaded by the view
        flame = traitlets.Unicode("").tag(sync=True)  # plotly figure JSON
        status = traitlets.Unicode("").tag(sync=True)  # one line of escaped HTML
        sandwich = traitlets.Unicode("").tag(sync=True)  # plotly figure JSON, "" for none

    return FlameSandwichView


class FlameSandwich:
    """The flame graph widget and its click handler; :attr:`widget` is what a notebook shows.

    Made by :func:`flame_sandwich_widget` (see there for the parameters). Attributes:
    ``tree`` (the flame graph's :func:`~pprof_parse.present.tree.call_tree` frame),
    ``flame`` (its ``plotly.graph_objects.Figure``), ``sandwich`` (the figure of the last sandwich
    drawn; None before the first click and after a click on the root or ``other``),
    ``last`` (that :class:`~pprof_parse.present.sandwich.Sandwich`, or None), ``status`` (the
    status line's HTML), ``widget`` (the anywidget the notebook shows; its synced ``flame``,
    ``status`` and ``sandwich`` hold the same, figures as JSON).
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
        self.flame = flame_figure(self.tree, height=height)
        self.sandwich = None
        self.last: Sandwich | None = None
        self.widget = _widget_class()(flame=self.flame.to_json(), status=html.escape(HINT), sandwich="")
        self.widget.on_msg(self._message)

    @property
    def status(self) -> str:
        """The status line below the flame graph (HTML)."""
        return self.widget.status

    def _message(self, widget, content, buffers) -> None:
        """A custom message from the view: ``{"event": "frame_click", "row": N}`` draws row N's sandwich."""
        if not isinstance(content, dict) or content.get("event") != FRAME_CLICK:
            return
        row = content.get("row")
        if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < len(self.tree):
            self.on_frame_click(row)

    def on_frame_click(self, row: int) -> Sandwich | None:
        """Draw the sandwich of the function of tree row ``row`` below the flame graph.

        Returns the Sandwich, or None for the root and ``other`` frames (they are not
        functions: the status line says so and the previous sandwich is removed).
        """
        name = str(self.tree["name"].iloc[row])
        if row == 0 or name == OTHER_NAME:
            self._show(None, None, html.escape(f"{'The root' if row == 0 else 'other'} is not a function. {HINT}"))
            return None
        sw = self.index.sandwich(self.index.named(name), **self._prune)
        self._show(sw, sandwich_figure(sw, height=self._sandwich_height),
                   f"Sandwich of <b>{html.escape(name, quote=True)}</b> (click another frame to change it).")
        return sw

    def _show(self, sw: Sandwich | None, fig, status_html: str) -> None:
        """Set the sandwich and the status line (HTML), in the kernel and in the view (one message)."""
        self.last, self.sandwich = sw, fig
        with self.widget.hold_sync():
            self.widget.sandwich = fig.to_json() if fig is not None else ""
            self.widget.status = status_html


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
    anywidget.AnyWidget
        Shows the flame graph, a status line, and after a click the sandwich figure of the
        clicked frame's function (numbers equal ``Profile.peek`` of that node; percentages of
        the whole profile). Needs a live kernel: clicks are answered there.

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
