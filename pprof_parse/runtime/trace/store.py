"""Where a :class:`~pprof_parse.runtime.trace.Trace` keeps its events: narrow columns, some sparse.

Every event has a time, a type, a context and (for most) a state transition: those columns
are dense numpy arrays, each in the narrowest dtype that holds it. The fields only a few
kinds have (a metric's value, a task's parent, a log's message, the name of a range...) are
:class:`Sparse`: the rows that have one and their values. :meth:`EventStore.column` gives a
column in the ``events`` table's dtype, for all rows or for some; the table itself is made
from these on demand (:func:`~.events.events_frame`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["EventStore", "Sparse", "PUBLIC_DTYPES"]

#: the dtype of each integer column (or of the codes of a categorical one) in ``Trace.events``
PUBLIC_DTYPES = {
    "time": np.int64, "type": np.int16, "m": np.int64, "p": np.int32, "g": np.int64, "stack": np.int32,
    "resource": np.int8, "id": np.int64, "from_state": np.int8, "to_state": np.int8, "reason": np.int32,
    "transition_stack": np.int32, "name": np.int32, "value": np.int64, "reclaimed": np.int64, "task": np.int64,
    "parent": np.int64, "message": np.int32, "gen": np.int32,
}


class Sparse:
    """A column that holds ``fill`` except at the rows written to it: ``col[rows] = values``
    (``rows`` a boolean mask or indices, ``values`` a scalar or one value per row); later
    writes win, as on a dense array."""

    def __init__(self, n: int, dtype, fill: int = -1):
        self.n, self.dtype, self.fill = n, np.dtype(dtype), fill
        self.pieces: list[tuple[np.ndarray, np.ndarray]] = []

    def __setitem__(self, rows, values) -> None:
        rows = np.asarray(rows)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64)
        if len(rows):
            values = np.broadcast_to(np.asarray(values).astype(self.dtype), rows.shape).copy()
            self.pieces.append((rows, values))

    def dense(self) -> np.ndarray:
        out = np.full(self.n, self.fill, self.dtype)
        for rows, values in self.pieces:
            out[rows] = values
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The values at ``rows`` (increasing indices)."""
        out = np.full(len(rows), self.fill, self.dtype)
        for piece, values in self.pieces:
            pos = np.minimum(np.searchsorted(rows, piece), max(len(rows) - 1, 0))
            hit = rows[pos] == piece if len(rows) else np.zeros(len(piece), bool)
            out[pos[hit]] = values[hit]
        return out

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes + v.nbytes for r, v in self.pieces)


class EventStore:
    """The events' columns (see :class:`~pprof_parse.runtime.trace.Trace` for their meaning):
    numpy arrays in their narrowest dtype, or :class:`Sparse`; ``experimental`` holds the
    AllocFree events' rows and raw arguments."""

    def __init__(self, n: int, columns: dict, experimental):
        self.n = n
        self.columns = columns
        self.experimental = experimental

    def __len__(self) -> int:
        return self.n

    def column(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` in the events table's dtype (:data:`PUBLIC_DTYPES`), at all rows or at
        ``rows`` (increasing indices)."""
        col = self.columns[name]
        if isinstance(col, Sparse):
            values = col.dense() if rows is None else col.take(rows)
        else:
            values = col if rows is None else col[rows]
        return values.astype(PUBLIC_DTYPES[name], copy=rows is None and values is col)

    def raw(self, name: str) -> np.ndarray:
        """Dense column ``name`` as stored (narrow dtype, not a copy): for the analyses' own use."""
        return self.columns[name]

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns (the experiment's arguments included)."""
        rows, args = self.experimental
        return sum(c.nbytes for c in self.columns.values()) + rows.nbytes + args.nbytes
