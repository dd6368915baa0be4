"""Typed errors and warnings of :mod:`gobench`.

Every error the package raises on bad input is a subclass of :class:`ValueError`,
so ``except ValueError`` catches them all; none of them is ever a raw traceback
from a parser internals.  Hierarchy::

    ValueError
    └── GobenchError                      base of everything below
        ├── BenchSyntaxError              one malformed line of benchmark text
        │   │                              (file, line, msg; printed "file:line: msg")
        │   └── UnitMetadataError         a ``Unit`` line that conflicts or is malformed
        ├── BenchEncodingError            input that is not UTF-8 text we can decode
        │                                  (e.g. UTF-16 without BOM that does not decode)
        ├── QuerySyntaxError              bad -filter / -table / -row / -col / -ignore
        │                                  expression (query, offset, msg)
        ├── BenchstatFormatError          a saved benchstat report we cannot parse
        ├── BenchstatError                what benchstat reports as ``benchstat: <message>``
        │                                  (bad flag value, unreadable file) in the commands
        ├── SamplesEqualError             benchmath's ErrSamplesEqual: every value of both
        │                                  samples is equal, so the U test is undefined
        └── UsageError                    bad command-line flags or option values
            └── OptionError               a bad option value passed to the API
                                           (assume, confidence, alpha, an empty key)

    UserWarning
    └── BenchFormatWarning                emitted once per read with all skipped lines

A wrong kind of argument -- a reader given both a source and ``text=``, or neither,
or an object that is no path, bytes or file -- is Python's :class:`TypeError`, and a
path that cannot be opened is the :class:`OSError` ``open`` raises (its message says
how to pass text instead: a ``str`` is always a path, as in pandas).

Malformed benchmark lines are *not* raised: like benchfmt, the readers keep them as
:class:`BenchSyntaxError` records (``df.attrs["errors"]``) and emit one
:class:`BenchFormatWarning` summarising them.
"""
from __future__ import annotations

import unicodedata

__all__ = [
    "GobenchError",
    "BenchSyntaxError",
    "UnitMetadataError",
    "BenchEncodingError",
    "QuerySyntaxError",
    "BenchstatFormatError",
    "BenchstatError",
    "SamplesEqualError",
    "UsageError",
    "OptionError",
    "BenchFormatWarning",
]


class GobenchError(ValueError):
    """Base class of every error raised by :mod:`gobench` for bad input."""


class BenchSyntaxError(GobenchError):
    """A malformed line in Go benchmark text.

    Parameters
    ----------
    file : str
        The file name (or label) the line came from.
    line : int
        1-based line number.
    msg : str
        benchfmt's message, e.g. ``"missing units"``.

    Notes
    -----
    ``str(err)`` is ``"file:line: msg"``, exactly what benchstat prints on stderr.
    """

    def __init__(self, file: str, line: int, msg: str):
        self.file, self.line, self.msg = file, line, msg
        super().__init__(f"{file}:{line}: {msg}")

    def __reduce__(self):
        return (type(self), (self.file, self.line, self.msg))


class UnitMetadataError(BenchSyntaxError):
    """A ``Unit`` metadata line that re-declares a key with a different value, or is malformed."""


class BenchEncodingError(GobenchError):
    """Input bytes that cannot be decoded as benchmark text (e.g. undecodable UTF-16)."""


class QuerySyntaxError(GobenchError):
    """A syntax error in a filter or projection expression.

    ``str(err)`` mirrors benchproc: ``syntax error: MSG`` then the query and a caret
    under the offending position, each on a tab-indented line.
    """

    def __init__(self, query: str, off: int, msg: str):
        self.query, self.off, self.msg = query, off, msg
        pos = 0
        for i, ch in enumerate(query):
            # offsets are in UTF-8 bytes in Go; count graphic runes before off
            if len(query[:i].encode()) >= off:
                break
            if _is_graphic(ch):
                pos += 1
        super().__init__(f"syntax error: {msg}\n\t{query}\n\t{' ' * pos}^")


def _is_graphic(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LMNPS" or cat == "Zs"


class BenchstatFormatError(GobenchError):
    """A saved benchstat report (v1 or v2, text or CSV) that cannot be parsed.

    Parameters
    ----------
    msg : str
        What is wrong.
    file : str, optional
        The report's path (or ``<text>``, ``<bytes>``, ``<file>``).
    line : int, optional
        1-based line number of the offending line, when known.

    Notes
    -----
    ``str(err)`` is ``"file:line: msg"`` (parts that are not known are left out).
    """

    def __init__(self, msg: str, file: str | None = None, line: int | None = None):
        self.msg, self.file, self.line = msg, file, line
        where = ":".join(str(x) for x in (file, line) if x is not None)
        super().__init__(f"{where}: {msg}" if where else msg)

    def __reduce__(self):
        return (type(self), (self.msg, self.file, self.line))


class BenchstatError(GobenchError):
    """An error benchstat reports as ``benchstat: <message>`` (bad flag value, unreadable file)."""


class SamplesEqualError(GobenchError):
    """Every value in both samples is equal: the Mann-Whitney U test is undefined
    (benchmath's ``ErrSamplesEqual``)."""

    def __init__(self):
        super().__init__("all samples are equal")


class UsageError(GobenchError):
    """Bad command-line usage or option value (e.g. ``-alpha`` outside [0, 1])."""


class OptionError(UsageError):
    """A bad option value passed to a function (``assume="bogus"``, ``confidence=2``...).

    The message names the option and the values it accepts, like
    :class:`pprof_parse.errors.OptionError` does for pprof's options.
    """


class HistoryFormatError(GobenchError):
    """A gobenchdata or github-action-benchmark file whose JSON does not have the tool's shape
    (raised by :func:`gobench.history.read_history`, naming the file and the JSON path)."""


class BenchFormatWarning(UserWarning):
    """Warning listing the malformed lines a reader skipped (one warning per read)."""
