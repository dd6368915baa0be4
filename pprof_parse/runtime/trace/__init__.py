"""Go execution traces (Go 1.22-1.27) as DataFrames: :func:`read_trace` -> :class:`Trace`.

Modules, bottom to top: ``spec`` (the event table), ``errors``, ``wire`` (header,
batches, generations and their string/stack/CPU-sample tables), ``decode`` (event
batches to columns, numpy), ``gosort`` (Go's sort, for the ordering's ties), ``order`` (Go's ordering state machine), ``tables``
(trace-wide string pool and stack table), ``events`` (the events table), ``model``
(``read_trace``, ``Trace``).
"""

from pprof_parse.runtime.trace.errors import TraceFormatError, TraceVersionError
from pprof_parse.runtime.trace.model import Trace, read_trace

__all__ = ["Trace", "TraceFormatError", "TraceVersionError", "read_trace"]
