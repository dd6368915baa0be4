"""A plotly ``FigureWidget`` whose widget model is created holding its figure.

plotly's ``BaseFigureWidget.__init__`` opens the widget's comm first (ipywidgets'
``Widget.__init__`` sends ``comm_open`` with the widget's state) and only then sets the
figure: the ``comm_open`` state has ``_widget_data == []`` and ``_widget_layout == {}``, the
traces and layout follow in two "update" messages (seen in JupyterLab's kernel messages;
plotly 7.1, ipywidgets 8.1, anywidget 0.11). plotly's view draws the model's figure once,
when the view is made, and does nothing when ``_widget_data`` changes later (its
``do_data`` is empty). In JupyterLab 4.6 a figure that reached the frontend after its
``comm_open`` was now and then not drawn: the flame graph came out empty in 1 run of 10 to
2 of 5 (tests/browser/test_flame_sandwich_lab.py), a FigureWidget filled by ``add_traces``
and a layout change after construction in 4 of 5 on a loaded machine; the frontend path
that drops it was not found (a widget-state snapshot the widget manager takes while a cell
runs is one candidate).

:func:`figure_widget` opens the comm after the figure is set: the widget is not among the
kernel's widgets before, and its ``comm_open`` carries the figure. Callers that need the
figure drawn reliably make a new widget rather than change one.
"""

from __future__ import annotations

import functools

from gopherlab_common.lazy import LazyModule

# imported on first use: the widgets exist in a kernel only
go = LazyModule("plotly.graph_objects")


@functools.cache
def _whole_figure_widget_class():
    """The FigureWidget subclass that defers ``open`` to the end of its constructor (made once)."""

    class WholeFigureWidget(go.FigureWidget):
        """A FigureWidget whose ``comm_open`` carries its figure (see the module docstring)."""

        _opening_deferred = False

        def __init__(self, figure):
            self._opening_deferred = True  # ipywidgets' Widget.__init__ calls open(): not yet
            try:
                super().__init__(figure)
            finally:
                self._opening_deferred = False
            self.open()

        def open(self):
            if not self._opening_deferred:
                super().open()

    return WholeFigureWidget


def figure_widget(figure=None):
    """A plotly ``FigureWidget`` of ``figure`` whose first message to the frontend holds it.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure or dict, optional
        What ``go.FigureWidget(figure)`` accepts (None: an empty figure).

    Returns
    -------
    plotly.graph_objects.FigureWidget
        A subclass instance; behaves as ``go.FigureWidget(figure)`` (same traces, layout,
        callbacks, messages after construction). Its ``comm_open`` state carries
        ``_widget_data`` and ``_widget_layout`` (why: the module docstring).

    Raises
    ------
    ImportError
        plotly's FigureWidget needs ipywidgets and anywidget.
    ValueError
        As ``go.FigureWidget`` for an invalid figure.
    """
    return _whole_figure_widget_class()(figure)
