"""Present stage: tables, text and figures built from analysed profiles.

Internal layout; it imports ``analyze`` and ``model`` (never ``read`` or the facade). The
public names are :class:`pprof_parse.Profile`'s methods and :mod:`pprof_parse.figures`
(flame graphs, call trees and their unit helpers).
"""
