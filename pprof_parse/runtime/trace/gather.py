"""The ordered events' raw fields, gathered from the decoded generations and the ordering's output.

The ordering (:mod:`.order`) gives, per emitted event, the index of its decoded event
(``src``; negative for a Sync, a CPU sample or a synthetic event kept in ``extra``) and its
context. :class:`Raw` puts the decoded fields in that order, each column in the narrowest
dtype that holds it (:mod:`.narrow`), and frees its inputs as it goes: the ordering's
columns once narrowed, each generation's decoded arrays once its last event is gathered.
It accepts the ordering's columns as ``array('q')`` or as int64 numpy arrays.
"""

from __future__ import annotations

from array import array

import numpy as np

from pprof_parse.runtime.trace.narrow import narrowed, narrowest

__all__ = ["Raw"]

#: rows of ``src`` handled at once (bounds the per-row temporaries)
CHUNK_ROWS = 1 << 20


def _int64s(column) -> np.ndarray:
    """An int64 view of one of :class:`~.order.Emitted`'s columns (``array('q')`` or numpy)."""
    if isinstance(column, np.ndarray):
        return column.astype(np.int64, copy=False)
    return np.frombuffer(column, dtype=np.int64) if len(column) else np.zeros(0, np.int64)


def _take(emitted, name: str) -> np.ndarray:
    """Emitted's column ``name`` as int64, the column in ``emitted`` emptied (its memory goes with
    the returned array)."""
    column = _int64s(getattr(emitted, name))
    setattr(emitted, name, array("q"))
    return column


class Raw:
    """The ordered events: ``typ`` (int16; 256 is Sync), ``time`` (int64 ns, as decoded), ``args``
    (4 unsigned arrays, the arguments after dt), ``gen`` (generation index, -1 none), ``offset``
    (byte offset, -1 for events not in the file), ``m``, ``p``, ``g`` (the context) and the
    ordering's ``x`` kept sparse (:meth:`x_at`).

    ``decoded`` (the :class:`~.decode.GenEvents` of each generation) and ``emitted``'s columns are
    consumed: they are emptied as they are gathered.
    """

    def __init__(self, decoded: list, emitted):
        for d in decoded:
            d.compact()
        src = _take(emitted, "src")
        self.n = n = len(src)
        self.m, self.p, self.g = (narrowed(_take(emitted, name)) for name in ("m", "p", "g"))
        x = _take(emitted, "x")
        self.x_rows = np.flatnonzero(x)
        self.x_values = x[self.x_rows].astype(np.uint64)
        del x
        extra = emitted.extra
        extra_args = [np.asarray(extra.a0, np.uint64), np.asarray(extra.a1, np.uint64)]
        self.typ = np.empty(n, np.int16)
        self.time = np.empty(n, np.int64)
        self.gen = np.empty(n, narrowest(np.array([-1, len(decoded)], np.int64)))
        self.offset = np.full(n, -1, np.result_type(np.int8, *(d.offset.dtype for d in decoded)))
        dtypes = [np.result_type(np.uint8, *(d.narrow_args[k].dtype for d in decoded),
                                 *([narrowest(extra_args[k])] if k < 2 else [])) for k in range(4)]
        self.args = [np.zeros(n, dt) for dt in dtypes]
        self._gather_decoded(src, decoded)
        self._gather_extra(src, extra, extra_args)

    def _gather_decoded(self, src: np.ndarray, decoded: list) -> None:
        """Fill the rows of decoded events, chunk by chunk of rows; a generation's arrays are
        dropped (its entry in ``decoded`` becomes None) after the chunk holding its last event."""
        ends = np.cumsum([len(d.typ) for d in decoded], dtype=np.int64)
        starts = ends - np.array([len(d.typ) for d in decoded], dtype=np.int64)
        last_chunk = self._last_chunks(src, ends, len(decoded))
        for c, lo in enumerate(range(0, self.n, CHUNK_ROWS)):
            s = src[lo:lo + CHUNK_ROWS]
            k_of = np.searchsorted(ends, s, side="right")
            k_of[s < 0] = len(decoded)
            for k in np.flatnonzero(np.bincount(k_of, minlength=len(decoded) + 1)[:-1]).tolist():
                sel = np.flatnonzero(k_of == k)
                at, rows = s[sel] - starts[k], sel + lo
                d = decoded[k]
                self.typ[rows], self.time[rows], self.offset[rows] = d.typ[at], d.time[at], d.offset[at]
                for a, column in zip(self.args, d.narrow_args):
                    a[rows] = column[at]
                self.gen[rows] = k
            for k in np.flatnonzero(last_chunk == c).tolist():
                decoded[k] = None

    @staticmethod
    def _last_chunks(src: np.ndarray, ends: np.ndarray, n_gens: int) -> np.ndarray:
        """Per generation, the number of the last row chunk holding one of its events (-1: none)."""
        last = np.full(n_gens, -1, np.int64)
        for c, lo in enumerate(range(0, len(src), CHUNK_ROWS)):
            s = src[lo:lo + CHUNK_ROWS]
            present = np.bincount(np.searchsorted(ends, s[s >= 0], side="right"), minlength=n_gens)
            last[np.flatnonzero(present[:n_gens])] = c
        return last

    def _gather_extra(self, src: np.ndarray, extra, extra_args) -> None:
        ext = np.flatnonzero(src < 0)
        at = -src[ext] - 1
        self.typ[ext] = np.asarray(extra.typ, np.int16)[at]
        self.time[ext] = np.asarray(extra.time, np.int64)[at]
        self.args[0][ext] = extra_args[0][at]
        self.args[1][ext] = extra_args[1][at]
        self.gen[ext] = np.asarray(extra.gen, np.int64)[at]

    def x_at(self, rows) -> np.ndarray:
        """The ordering's ``x`` (uint64; 0 where it set none) at ``rows`` (a mask or indices)."""
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        pos = np.minimum(np.searchsorted(self.x_rows, rows), max(len(self.x_rows) - 1, 0))
        out = np.zeros(len(rows), np.uint64)
        if len(self.x_rows):
            hit = self.x_rows[pos] == rows
            out[hit] = self.x_values[pos[hit]]
        return out
