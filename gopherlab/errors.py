"""Errors raised by :mod:`gopherlab` (the report runner and the report layer).

The libraries keep their own trees (:mod:`pprof_parse.errors`,
:mod:`gobench.errors`); the report layer passes their errors through
unchanged, and raises these for what is its own::

    ReportError(RuntimeError)       a report could not be produced at all: unknown kind,
    │                               missing notebook, unwritable output directory
    └── UsageError                  the command line asks for something the report cannot do
                                    (caught before any kernel starts; exit status 2)

Bad options of the report layer's functions (a figure's unit, the bench
notebook's inputs) are the libraries' ``OptionError``: gobench's for benchmark
options, pprof_parse's for profile and runtime options.
"""

from __future__ import annotations

__all__ = ["ReportError", "UsageError"]


class ReportError(RuntimeError):
    """A report could not be produced at all (unknown kind, missing notebook, unwritable output)."""


class UsageError(ReportError):
    """The command line asks for something the report cannot do (caught before any kernel starts)."""
