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
* :func:`format_value`, :func:`axis_unit`, :data:`PLAIN_TICKS`, :func:`short_name` -- sample
  values in human units, axis scaling, plotly tick settings, short Go symbol names.

Figures need plotly (a dependency of the package; importing this module imports it).

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
from .present.tree import call_tree, diff_tree

__all__ = [
    "PLAIN_TICKS",
    "axis_unit",
    "call_tree",
    "diff_flame_figure",
    "diff_tree",
    "flame_figure",
    "flame_views_figure",
    "format_value",
    "short_name",
]
