"""Errors and warnings raised by :mod:`pprof_parse`.

Every error the package raises on bad input is a subclass of
:class:`PprofParseError`; those about input data also subclass
:class:`ValueError`, so a generic ``except ValueError`` catches them::

    PprofParseError(Exception)
    ├── ProfileFormatError(ValueError)        the bytes are not a profile: bad gzip,
    │   │                                     truncated or malformed protobuf, not text
    │   ├── EmptyProfileError                 empty input (pprof: "empty input file")
    │   ├── ConcatenatedProfileError          two profiles glued together
    │   └── InputLimitError                   past a size limit (``max_inflated_bytes``): the file,
    │       │                                 stream or bytes, or more messages than the size allows
    │       └── InflateLimitError             gzip inflates past the configured limit
    ├── InvalidProfileError(ValueError)       decodes, but breaks pprof's CheckValid rules:
    │                                         reserved id 0, duplicate ids, dangling
    │                                         references, value count vs sample types
    ├── SampleTypeError(ValueError, KeyError) unknown sample index / sample type name
    ├── OptionError(ValueError)               a bad analysis option (granularity, regex)
    ├── RuntimeFormatError(ValueError)        gctrace, goroutine dump, MemStats or metrics text
    │   │                                     that is not in the runtime's format (file:line),
    │   │                                     or a runtime reader's path that cannot be read
    │   └── TraceFormatError                  an execution trace Go's parser refuses (byte offset)
    │       └── TraceVersionError             a trace format version not read (Go < 1.22, unknown)
    ├── StoreError(ValueError)                a profile store that cannot be opened or read
    │   │                                     (pprof_parse.store.errors): a table file, the manifest
    │   └── EngineUnavailableError(NotImplementedError)  engine="dask" without dask installed
    └── PgoProfileError(ValueError)           a profile go build -pgo would refuse or ignore
                                              (no CPU sample type, no start lines; pprof_parse.store.pgo)

    PprofParseWarning(UserWarning)            something in the input was skipped or repaired

Arguments that are not data: a bad option value is an :class:`OptionError`; a
wrong kind of argument (a reader given neither a source nor ``text=``, or both,
or an object that is no path, bytes or file) is Python's :class:`TypeError`.

Internal signals, caught inside the package and never raised to a caller, are
defined beside the code that raises them: ``read.numbers.Unfit`` (a number that
does not fit its int64/float64 column), ``proto.wire.VarintError`` and
``WireError``, ``read._tokens.NotTokens``, ``read.proto._TopLevelError``,
``read.proto_reference._WireRuleError`` and ``cli._UsageError``.

Messages follow pprof's: a stage prefix, what is wrong, and where (file name,
byte offset, id or line number).
"""

from __future__ import annotations

import sys
import warnings

__all__ = [
    "PprofParseError",
    "ProfileFormatError",
    "EmptyProfileError",
    "ConcatenatedProfileError",
    "InputLimitError",
    "InflateLimitError",
    "InvalidProfileError",
    "SampleTypeError",
    "OptionError",
    "RuntimeFormatError",
    "PprofParseWarning",
]


class PprofParseError(Exception):
    """Base class of every error :mod:`pprof_parse` raises on purpose."""


class ProfileFormatError(PprofParseError, ValueError):
    """The input is not a profile this package can decode (gzip, protobuf or text).

    ``source`` names the input (a path, or ``"<bytes>"``) and ``offset`` the byte
    offset of the problem when it is known.
    """

    def __init__(self, message: str, *, source: str | None = None, offset: int | None = None):
        where = []
        if source:
            where.append(source)
        if offset is not None:
            where.append(f"byte offset {offset}")
        super().__init__(f"{': '.join(where)}: {message}" if where else message)
        self.source = source
        self.offset = offset
        self.reason = message  # the message without its source and offset


class EmptyProfileError(ProfileFormatError):
    """The input holds no data at all (pprof: ``empty input file``)."""


class ConcatenatedProfileError(ProfileFormatError):
    """Two profiles were concatenated (pprof: ``concatenated profiles detected``)."""


class InputLimitError(ProfileFormatError):
    """The input passes a limit that bounds the time and memory of reading it.

    The file, stream or bytes are longer than ``max_inflated_bytes``, or the
    profile holds more messages (string table entries, samples, locations...)
    than that size allows. ``read_profile(..., max_inflated_bytes=None)`` lifts
    the limits; the message says which one was passed.
    """


class InflateLimitError(InputLimitError):
    """Inflating the gzip stream would exceed ``max_inflated_bytes`` (a gzip bomb guard)."""


class InvalidProfileError(PprofParseError, ValueError):
    """The profile decodes but violates pprof's ``CheckValid`` rules.

    The message names the field and the offending id (for example
    ``multiple locations with same id: 7`` or ``sample #3 has 1 values vs. 2 types``).
    """


class SampleTypeError(PprofParseError, ValueError, KeyError):
    """An unknown sample index or sample type name (pprof's ``SampleIndexByName``)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class OptionError(PprofParseError, ValueError):
    """An analysis option is invalid (unknown granularity, bad regular expression, ...)."""


class RuntimeFormatError(PprofParseError, ValueError):
    """Input is not (or not entirely) in the Go runtime format the reader expects.

    The message names the source (file name or ``<bytes>``) and, where it
    applies, the 1-based line number.
    """

    def __init__(self, msg: str, *, source: str = "<input>", line: int | None = None):
        self.source = source
        self.line = line
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {msg}")


class PprofParseWarning(UserWarning):
    """Part of the input was skipped or repaired; the message says what and where."""


def warn(message: str, category: type[Warning] = PprofParseWarning) -> None:
    """Issue ``category(message)`` attributed to the first caller outside pprof_parse.

    The warning points at the user's line (the call of ``read_profile``, ``top``,
    ``read_gctrace``...) however deep in the package it is raised, so no call site
    counts stack frames (Python 3.12's ``skip_file_prefixes``, for 3.11).
    """
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in _OWN_PACKAGES:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


_OWN_PACKAGES = ("pprof_parse", "gopherlab_common")

