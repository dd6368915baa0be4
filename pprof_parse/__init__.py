"""pprof_parse: everything the Go runtime emits for diagnosis, as pandas DataFrames.

Pipeline: ``read`` (bytes -> columnar model) -> ``model`` (:class:`Profile`)
-> ``analyze`` (sample index, granularity, flat/cum, filters) -> ``present``
(top tables, trees, figures). Terms are pprof's.

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
from .analyze.merge import delta_table, diff, merge
from .model.data import ValueType
from .model.profile import Profile
from .read.profile_reader import read_profile
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
    *_runtime.__all__,
]
