"""pprof_parse: everything the Go runtime emits for diagnosis, as pandas DataFrames.

The profile pipeline reads top to bottom; each layer imports only the layers below it
(checked from the source by ``tests/test_layering.py``)::

    read_profile (reader.py)   Profile (profile.py)   merge/diff/delta_table (compare.py)   the facade
    present/   top, peek/traces/tags tables, -top text, call trees, flame figures, proto writer
    analyze/   sample index, filters and RE2 regexes, pruning, nodes and flat/cum, merging
    read/      bytes -> model: source and gzip, profile.proto, debug=1 text, legacy CPU, demangling
    model/     ProfileData (columnar numpy arrays), its string table and sample grouping

``runtime/`` (gctrace, MemStats, runtime/metrics, goroutine dumps, leaks) stands beside the
facade and uses it for goroutine profiles; ``store/`` (:class:`ProfileStore`: many profiles in
Parquet tables, queried with DuckDB or Dask; :func:`pgo`) sits above the facade; :mod:`pprof_parse.figures` is the public home of
the figures; :mod:`pprof_parse.errors` is the error tree every layer raises from. Terms are pprof's.

>>> import pprof_parse
>>> prof = pprof_parse.read_profile("heap.pb.gz")            # doctest: +SKIP
>>> prof.top("alloc_space", granularity="lines").head()      # doctest: +SKIP
"""

from .errors import (
    ConcatenatedProfileError,
    EmptyProfileError,
    InflateLimitError,
    InputLimitError,
    InvalidProfileError,
    OptionError,
    PprofParseError,
    PprofParseWarning,
    ProfileFormatError,
    SampleTypeError,
)
from .compare import delta_table, diff, merge
from .model.data import ValueType
from .profile import Profile
from .reader import read_profile
from .store import EngineUnavailableError, IngestResult, PgoProfileError, ProfileStore, StoreError, pgo
from . import runtime as _runtime
from .runtime import *  # noqa: F401,F403  (GC traces, MemStats, metrics, goroutines, leaks)

__all__ = [
    "ConcatenatedProfileError",
    "EmptyProfileError",
    "InflateLimitError",
    "InputLimitError",
    "InvalidProfileError",
    "OptionError",
    "PprofParseError",
    "PprofParseWarning",
    "Profile",
    "ProfileFormatError",
    "SampleTypeError",
    "ValueType",
    "delta_table",
    "diff",
    "merge",
    "read_profile",
    "EngineUnavailableError",
    "IngestResult",
    "PgoProfileError",
    "ProfileStore",
    "StoreError",
    "pgo",
    *_runtime.__all__,
]
