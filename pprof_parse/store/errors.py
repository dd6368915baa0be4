"""The profile store's errors (below :class:`pprof_parse.errors.PprofParseError`)::

    PprofParseError
    └── StoreError                        a store that cannot be opened, read or written:
        │                                 not a store directory, a newer format, a file of a
        │                                 table that does not read, a bad query (``where``, SQL)
        └── EngineUnavailableError        ``engine=`` names an engine that is not installed
                                          (also a NotImplementedError)

Files that ``ProfileStore.add`` cannot read are not raised: each one's error (the readers'
own: :class:`~pprof_parse.errors.ProfileFormatError`, ``InvalidProfileError``, ``OSError``,
...) is reported in the ingest result, and the other files are ingested.
"""

from __future__ import annotations

from ..errors import PprofParseError

__all__ = ["EngineUnavailableError", "StoreError"]


class StoreError(PprofParseError, ValueError):
    """The store cannot do what was asked; the message names the store (path) and what failed."""


class EngineUnavailableError(StoreError, NotImplementedError):
    """The query engine asked for is not available (not installed, or not provided)."""
