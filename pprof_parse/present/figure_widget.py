"""A plotly ``FigureWidget`` whose widget model is created holding its figure.

plotly's ``BaseFigureWidget.__init__`` opens the widget's comm first (ipywidgets'
``Widget.__init__`` sends ``comm_open`` with the widget's state) and only then sets the
figure: the ``comm_open`` state has ``_widget_data == []`` and ``_widget_layout == {}``, the
traces and layout follow in two "update" messages (seen in JupyterLab's kernel messages;
plotly 6-7, ipywidgets 8). For that moment the kernel holds an open widget without its
figure, and JupyterLab's widget manager may take the kernel's widget states then: when it
connects to a kernel it asks for every widget's state (``request_states``, or
``comm_info`` then ``request_state`` per widget) and creates or resets its models from the
answer; with comms on kernel subshells (JupyterLab 4.6's default) that answer is made while
the cell still runs. plotly's view draws ``_widget_data`` once, when it is rendered, and does
nothing when that trait changes later (its ``do_data`` is empty), so a model set from such a
state shows an empty figure for good.

:func:`figure_widget` opens the comm after the figure is set: the widget is not among the
kernel's widgets before, and every state the kernel sends of it holds the figure.
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
