"""Model stage, the bottom of the pipeline: the decoded profile as numpy columns.

:mod:`.data` (``ProfileData``, ``ValueType``), :mod:`.strings` (a string table as it is
built), :mod:`.grouping` (pprof's sample key). It imports nothing else of pprof_parse
but :mod:`pprof_parse.errors`; the DataFrame views users hold are :class:`pprof_parse.Profile`'s.
"""
