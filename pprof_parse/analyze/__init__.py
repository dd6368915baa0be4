"""Analyze stage: pprof's analysis on the columnar model (``ProfileData`` in, ``ProfileData`` or arrays out).

Sample index, granularity and nodes, flat/cum, filters with Go (RE2) regular expressions,
tag filters, pruning, units, merging and subtracting. It imports only :mod:`pprof_parse.model`
(and :mod:`pprof_parse.errors`): never ``read``, ``present`` or the :class:`~pprof_parse.Profile` facade.
"""
