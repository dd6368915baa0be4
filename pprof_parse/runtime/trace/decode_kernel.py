"""The event walk of :mod:`~.decode`'s fast decoder, compiled with numba.

:func:`decode_batches` reads a chunk's event batches byte by byte, as the reference decoder
does: per event a type byte, then uvarints ``dt`` and ``nargs[type]`` arguments
(``src/internal/trace/batchcursor.go`` ``readTimedBaseEvent``), written into arrays the
caller preallocates. It only says *whether* a batch breaks a rule (a type byte of 128+ or an
invalid type, a uvarint cut short by the end of its batch or longer than 64 bits), never
what: the caller then decodes the chunk with the numpy path and its Python walk, which
report the exact error and byte offset. It allocates nothing, so it is compiled without
numba's reference counting (``_nrt=False``, as :mod:`~.order_kernel`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["OK", "FAILED", "decode_batches"]

OK, FAILED = 0, 1


@njit(cache=True, _nrt=False)
def _uvarint(raw, pos, end):
    """``(value, position after it)``; position -1 when the batch ends inside it or it passes 64 bits."""
    value = np.uint64(0)
    for k in range(10):
        if pos >= end:
            return value, -1
        byte = raw[pos]
        pos += 1
        if k == 9 and byte > 1:
            return value, -1
        value |= np.uint64(byte & 0x7F) << np.uint64(7 * k)
        if byte < 0x80:
            return value, pos
    return value, -1


@njit(cache=True, _nrt=False, nogil=True)
def decode_batches(raw, starts, ends, nargs, typ, dt, args, offset, batch_of, found):
    """Decode the batches ``raw[starts[b]:ends[b]]`` (int64 byte offsets).

    ``nargs`` (int64, 256) is each type byte's argument count, -1 for a byte that is no valid
    timed event type. Writes each event's ``typ`` (uint8), ``dt`` (uint64), ``args`` (uint64,
    ``(4, cap)``, left as they are past the event's own arguments), ``offset`` (int64 byte
    offset) and ``batch_of`` (int64 batch number), and the event count to ``found[0]``; ``cap``
    must be at least half the batches' bytes (an event takes two bytes or more). Returns
    :data:`OK` or :data:`FAILED`.
    """
    n = 0
    for b in range(len(starts)):
        pos, end = starts[b], ends[b]
        while pos < end:
            event_type = raw[pos]
            count = nargs[event_type]
            if count < 0:
                return FAILED
            value, p = _uvarint(raw, pos + 1, end)
            if p < 0:
                return FAILED
            typ[n], dt[n], offset[n], batch_of[n] = event_type, value, pos, b
            for k in range(count):
                value, p = _uvarint(raw, p, end)
                if p < 0:
                    return FAILED
                args[k, n] = value
            n += 1
            pos = p
    found[0] = n
    return OK
