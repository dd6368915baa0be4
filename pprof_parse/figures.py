"""Flame graphs and call trees of a profile, and the unit helpers every workbench figure shares.

The public home of the present stage's figures (the modules under :mod:`pprof_parse.present`
are the implementation and may move):

* :func:`call_tree` -- one row per distinct call path of one sample type (the frame a flame
  graph draws), pruned for plotting;
* :func:`diff_tree` -- the call trees of two profiles merged path by path, with signed deltas;
* :func:`flame_figure` -- a plotly icicle (root on top) of a :func:`call_tree`;
* :func:`flame_views_figure` -- several trees in one figure, switched by a dropdown (works in
  static HTML);
* :func:`diff_flame_figure` -- a :func:`diff_tree` coloured by delta (red grew, blue shrank);
* search in a flame graph drawn with ``flame_figure(tree, search=profile)``,
  ``flame_views_figure(trees, search=profile)`` or :func:`flame_search_figure`: :func:`flame_html` /
  :func:`write_flame_html` (a page with a search box: a regex paints the matching frames and shows
  the matched share, equal to ``Profile.top(focus=regex)``, computed in the browser),
  :func:`flame_search_script` (the same box for a notebook renderer's ``post_script``),
  :func:`flame_search_widget` (the box as ipywidgets, in JupyterLab);
* :func:`sandwich_figure` -- one function's callers (an inverted icicle above) and callees (below),
  from :meth:`pprof_parse.Profile.sandwich`; :func:`flame_sandwich_widget` -- in JupyterLab, a
  flame graph whose frames, clicked, draw their function's sandwich below it;
* :func:`format_value`, :func:`axis_unit`, :data:`PLAIN_TICKS`, :func:`short_name` -- sample
  values in human units, axis scaling, plotly tick settings, short Go symbol names.

Figures need plotly (a dependency of the package), imported when the first figure is made.

>>> import pprof_parse
>>> from pprof_parse.figures import call_tree, flame_figure           # doctest: +SKIP
>>> prof = pprof_parse.read_profile("heap.pb.gz")                     # doctest: +SKIP
>>> flame_figure(call_tree(prof, "alloc_space")).show()               # doctest: +SKIP
"""

from .present.flame import (
    PLAIN_TICKS,
    axis_unit,
    diff_flame_figure,
    flame_figure,
    flame_views_figure,
    format_value,
    short_name,
)
from .present.flame_search import (flame_html, flame_search_figure, flame_search_script, flame_search_widget,
                                   write_flame_html)
from .present.flame_widget import flame_sandwich_widget
from .present.sandwich_figure import sandwich_figure
from .present.tree import call_tree, diff_tree

__all__ = [
    "PLAIN_TICKS",
    "axis_unit",
    "call_tree",
    "diff_flame_figure",
    "diff_tree",
    "flame_figure",
    "flame_html",
    "flame_sandwich_widget",
    "flame_search_figure",
    "flame_search_script",
    "flame_search_widget",
    "flame_views_figure",
    "format_value",
    "sandwich_figure",
    "short_name",
    "write_flame_html",
]
