"""The timed events of one generation's event batches, decoded into columns.

A timed event is a type byte, then uvarints: ``dt`` (ticks since the previous event of
the batch, or since the batch's base time) and a fixed number of arguments per type
(``spec.N_ARGS``; ``src/internal/trace/batchcursor.go`` ``readTimedBaseEvent``). Times
follow Go's arithmetic exactly: ``time = mul(dt) + last`` with ``last`` starting at
``mul(batch.time)``, each delta converted to ns on its own (``frequency.mul``).

Two implementations, equal on every input (``GOPHERLAB_ENGINE`` picks one):

* the fast one decodes every uvarint of the generation's payloads at once with numpy
  (a type byte below 128 is itself a one-byte uvarint, so the payload *is* a uvarint
  stream), then finds the events by following the chain ``next = here + 2 + nargs[type]``
  (one integer step per event) and gathers their columns with numpy; for a large
  generation, when numba is installed, :mod:`~.decode_kernel` reads the events byte by
  byte instead, compiled (any fault sends the chunk back to the numpy path, which reports it);
* the reference one reads the batches byte by byte, one event at a time.

A generation with AllocFree experiment events (type bytes 128-136, which are not
one-byte uvarints) is decoded by the reference loop in both engines.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import LazyModule

from pprof_parse.runtime.trace import spec
from pprof_parse.runtime.trace.errors import TraceFormatError
from pprof_parse.runtime.trace.narrow import narrowed, narrowest
from pprof_parse.runtime.trace.order_fast import numba_installed, worth_compiling
from pprof_parse.runtime.trace.wire import Generation, _Short, uvarint

__all__ = ["GenEvents", "decode_generation"]

N_ARG_COLUMNS = 4  # the most arguments after dt any timed event has

kernel = LazyModule("pprof_parse.runtime.trace.decode_kernel")

#: the fewest payload bytes an event takes on average in the traces measured (4.4-5.0), for
#: telling a generation's event count before decoding it (:func:`_compiled_wanted`)
BYTES_PER_EVENT = 4


class GenEvents:
    """The timed events of one generation, thread by thread in batch order.

    ``typ`` (uint8), ``time`` (int64 ns), ``args`` (uint64, shape ``(4, n)``, zero past
    an event's own arguments) and ``offset`` (int64, the event's byte offset in the
    file) are parallel arrays; ``threads`` lists ``(m, start, end)`` index ranges in
    the order Go's ``batchMs`` has them (first batch of each thread in file order).

    Once the generation is ordered, :meth:`compact` keeps the arguments narrow
    (:attr:`narrow_args`); ``args`` then makes the wide array again on each access (for an
    ordering that starts over, as the fast one does when it falls back to the reference).
    """

    def __init__(self, typ: np.ndarray, time: np.ndarray, args: np.ndarray, offset: np.ndarray,
                 threads: list[tuple[int, int, int]]):
        self.typ, self.time, self.offset, self.threads = typ, time, offset, threads
        self._args: np.ndarray | None = args
        self._narrow: tuple[np.ndarray, ...] | None = None

    @property
    def args(self) -> np.ndarray:
        if self._args is not None:
            return self._args
        return np.array([a.astype(np.uint64) for a in self._narrow]).reshape(N_ARG_COLUMNS, len(self.typ))

    @property
    def narrow_args(self) -> tuple[np.ndarray, ...]:
        """The 4 argument rows, each in the narrowest unsigned dtype holding it (after :meth:`compact`)."""
        self.compact()
        return self._narrow

    def compact(self) -> None:
        """Keep the arguments (:attr:`narrow_args`) and ``offset`` each in its narrowest dtype
        (:mod:`.narrow`) from now on; idempotent."""
        if self._narrow is None:
            self._narrow = tuple(a.astype(narrowest(a)) for a in self._args)
            self._args = None
            self.offset = narrowed(self.offset)


def decode_generation(g: Generation, data, source: str) -> GenEvents:
    """Decode ``g``'s event batches (see the module docstring).

    Raises
    ------
    TraceFormatError
        An invalid event type, a structural event inside an event batch, or an event
        cut short by the end of its batch; the offset is the event's.
    """
    batches = [(m, b) for m, bs in g.batches.items() for b in bs]
    if not reference_engine():
        decoded = _decode_fast(g, batches, data, source)
        if decoded is not None:
            return decoded
    return _decode_reference(g, batches, data, source)


def _bad_type(typ: int, offset: int, source: str) -> TraceFormatError:
    if typ >= spec.N_SPECS:
        return TraceFormatError(f"found invalid event type: {typ}", source=source, offset=offset)
    return TraceFormatError(f"found event without a timestamp: type={typ} ({spec.NAMES.get(typ, 'unused')})",
                            source=source, offset=offset)


def _thread_ranges(batches, events_per_batch) -> list[tuple[int, int, int]]:
    threads: dict[int, list[int]] = {}
    pos = 0
    for (m, _), n in zip(batches, events_per_batch):
        r = threads.setdefault(m, [pos, pos])
        r[1] = pos + n
        pos += n
    return [(m, lo, hi) for m, (lo, hi) in threads.items()]


# ---------------------------------------------------------------------------
# reference: one event at a time

def _decode_reference(g: Generation, batches, data, source: str) -> GenEvents:
    typ, time, offset = [], [], []
    args = [[] for _ in range(N_ARG_COLUMNS)]
    counts = []
    for _, b in batches:
        count, pos, last = 0, b.start, g.mul(b.time)
        while pos < b.end:
            event_type = data[pos]
            nargs = int(spec.N_ARGS[event_type])
            if nargs < 0 or event_type >= spec.N_SPECS:
                raise _bad_type(event_type, pos, source)
            try:
                dt, p = uvarint(data, pos + 1, b.end)
                values = []
                for _ in range(nargs):
                    value, p = uvarint(data, p, b.end)
                    values.append(value)
            except (_Short, OverflowError):
                raise TraceFormatError(f"found invalid uvarint in a {spec.NAMES[event_type]} event (cut short by "
                                       "the end of its batch, or past 64 bits)", source=source, offset=pos) from None
            last = g.mul(dt) + last
            typ.append(event_type)
            time.append(last)
            offset.append(pos)
            for k in range(N_ARG_COLUMNS):
                args[k].append(values[k] if k < nargs else 0)
            count += 1
            pos = p
        counts.append(count)
    return GenEvents(np.array(typ, dtype=np.uint8), np.array(time, dtype=np.int64),
                     np.array(args, dtype=np.uint64).reshape(N_ARG_COLUMNS, len(typ)),
                     np.array(offset, dtype=np.int64), _thread_ranges(batches, counts))


# ---------------------------------------------------------------------------
# fast: the payloads as one uvarint stream, events found by a vectorised chain walk

#: payload bytes decoded at once: bounds the per-uvarint intermediates (about 60 bytes per payload byte)
CHUNK_BYTES = 1 << 18


def _decode_fast(g: Generation, batches, data, source: str) -> GenEvents | None:
    """The fast decoder, a chunk of whole batches (about :data:`CHUNK_BYTES` of payload) at a time;
    None when the generation has a type byte of 128+ or a malformed uvarint (decode it by reference)."""
    if not batches:
        return _empty()
    raw = np.frombuffer(data, dtype=np.uint8)
    compiled = _compiled_wanted(batches)
    parts, counts = [], []
    for lo, hi in _chunks(batches):
        part = _decode_chunk(g, batches[lo:hi], raw, source, compiled)
        if part is None:
            return None
        parts.append(part[0])
        counts.extend(part[1])
    typ, time, offset = (_join(parts, k) for k in (0, 1, 3))
    args = np.empty((N_ARG_COLUMNS, len(typ)), np.uint64)
    for k in range(N_ARG_COLUMNS):
        args[k] = _join(parts, 2, k)
    return GenEvents(typ, time, args, offset, _thread_ranges(batches, counts))


def _join(parts: list, field: int, row: int | None = None) -> np.ndarray:
    """One column of the chunks' decoded fields, joined; the chunks' copies are dropped (so the
    joined generation and its chunks are not both in memory)."""
    pieces = []
    for k, part in enumerate(parts):
        pieces.append(part[field] if row is None else part[field][row])
        if row is None:
            parts[k] = part[:field] + (None,) + part[field + 1:]
        else:
            part[field][row] = None
    return np.concatenate(pieces)


def _chunks(batches):
    """``(lo, hi)`` ranges of consecutive batches holding about :data:`CHUNK_BYTES` of payload each."""
    lo, size = 0, 0
    for k, (_, b) in enumerate(batches):
        size += b.end - b.start
        if size >= CHUNK_BYTES:
            yield lo, k + 1
            lo, size = k + 1, 0
    if lo < len(batches):
        yield lo, len(batches)


def _compiled_wanted(batches) -> bool:
    """Whether the generation is decoded compiled: numba is installed and the generation is large
    enough to pay for loading it (:func:`~.order_fast.worth_compiling`, as the ordering)."""
    payload = sum(b.end - b.start for _, b in batches)
    return numba_installed() and worth_compiling(payload // BYTES_PER_EVENT)


def _decode_chunk(g: Generation, batches, raw, source: str, compiled: bool = False):
    """``((typ, time, args, offset), events per batch)`` of consecutive ``batches``, or None (see
    :func:`_decode_fast`); ``compiled``: with :mod:`~.decode_kernel` (this numpy path when it fails)."""
    if compiled:
        decoded = _decode_chunk_compiled(g, batches, raw)
        if decoded is not None:
            return decoded
    starts = np.array([b.start for _, b in batches], dtype=np.int64)
    ends = np.array([b.end for _, b in batches], dtype=np.int64)
    buf = np.concatenate([raw[s:e] for s, e in zip(starts, ends)])
    lengths = ends - starts
    cat_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))  # each batch's start in buf
    vals, vstart, vlen = _uvarints(buf, cat_start, lengths, starts, source)
    if vals is None:
        return None
    first_v = np.searchsorted(vstart, cat_start)
    end_v = np.searchsorted(vstart, cat_start + lengths)
    chain = _walk_events(vals, vlen, first_v, end_v, vstart, cat_start, starts, source)
    if chain is None:
        return None
    ev, batch_of = chain
    typ = vals[ev].astype(np.uint8)
    nargs = spec.N_ARGS[typ].astype(np.int64)
    args = []
    for k in range(N_ARG_COLUMNS):
        has = nargs > k
        arg = np.zeros(len(ev), dtype=np.uint64)
        arg[has] = vals[ev[has] + 2 + k]
        args.append(arg)
    time = _times(g, vals[ev + 1], batch_of, batches)
    offset = vstart[ev] - cat_start[batch_of] + starts[batch_of]
    counts = np.bincount(batch_of, minlength=len(batches))
    return (typ, time, args, offset), counts.tolist()


def _empty() -> GenEvents:
    return GenEvents(np.zeros(0, np.uint8), np.zeros(0, np.int64), np.zeros((N_ARG_COLUMNS, 0), np.uint64),
                     np.zeros(0, np.int64), [])


def _uvarints(buf, cat_start, lengths, starts, source):
    """Every uvarint of ``buf``: values (uint64), start positions and byte lengths.

    Returns ``(None, None, None)`` when a uvarint is longer than 10 bytes or a batch ends
    inside one -- the byte-by-byte reference then finds (and reports) the fault.
    """
    stop = np.flatnonzero(buf < 0x80)
    batch_last = cat_start + lengths - 1
    if len(stop) == 0 or np.any(buf[batch_last[lengths > 0]] >= 0x80):
        return None, None, None
    vstart = np.empty_like(stop)
    vstart[0] = 0
    vstart[1:] = stop[:-1] + 1
    vlen = stop - vstart + 1
    if vlen.max() > 10:
        return None, None, None
    vals = np.zeros(len(stop), dtype=np.uint64)
    for k in range(int(vlen.max())):
        has = vlen > k
        vals[has] |= (buf[vstart[has] + k].astype(np.uint64) & np.uint64(0x7F)) << np.uint64(7 * k)
    return vals, vstart, vlen


def _walk_events(vals, vlen, first_v, end_v, vstart, cat_start, starts, source):
    """The uvarint index of every event's type and its batch number, in batch order.

    Within a batch the next event starts ``2 + nargs[type]`` uvarints after this one: a
    tight loop over Python ints per batch (the steps come from numpy). None when a type
    is not a one-byte uvarint (an experimental event): the reference decoder takes the
    generation.
    """
    nargs_all = spec.N_ARGS[np.minimum(vals, 255).astype(np.int64)].astype(np.int64)
    step = 2 + np.maximum(nargs_all, -1)  # an invalid type steps by 1: the walk ends, the check below reports it
    found_idx, found_batch = [], []
    for b, (lo, hi) in enumerate(zip(first_v.tolist(), end_v.tolist())):
        nxt, n = step[lo:hi].tolist(), hi - lo
        rel, i = [], 0
        while i < n:
            rel.append(i)
            i += nxt[i]
        idx = np.array(rel, dtype=np.int64) + lo
        if np.any(vlen[idx] != 1):
            return None
        types = vals[idx]
        bad = (nargs_all[idx] < 0) | (types >= spec.N_SPECS)
        offset = vstart[idx] - cat_start[b] + starts[b]
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise _bad_type(int(types[k]), int(offset[k]), source)
        if i > n:
            name = spec.NAMES[int(types[-1])]
            raise TraceFormatError(f"found invalid uvarint in a {name} event (cut short by the end of its batch)",
                                   source=source, offset=int(offset[-1]))
        found_idx.append(idx)
        found_batch.append(np.full(len(idx), b, dtype=np.int64))
    return np.concatenate(found_idx), np.concatenate(found_batch)


#: each type byte's argument count for the compiled decoder; -1: not a timed event type
_NARGS_OR_INVALID = np.where((np.arange(256) < min(spec.N_SPECS, 0x80)) & (spec.N_ARGS >= 0),
                             spec.N_ARGS, -1).astype(np.int64)


def _decode_chunk_compiled(g: Generation, batches, raw):
    """:func:`_decode_chunk` by :func:`~.decode_kernel.decode_batches`; None when a batch breaks a
    rule (or numba is installed but cannot be imported)."""
    starts = np.array([b.start for _, b in batches], dtype=np.int64)
    ends = np.array([b.end for _, b in batches], dtype=np.int64)
    cap = int((ends - starts).sum()) // 2 + 1
    typ, dt = np.empty(cap, np.uint8), np.empty(cap, np.uint64)
    args = np.zeros((N_ARG_COLUMNS, cap), np.uint64)
    offset, batch_of, found = np.empty(cap, np.int64), np.empty(cap, np.int64), np.zeros(1, np.int64)
    try:
        decode_batches = kernel.decode_batches
    except ImportError:
        return None
    if decode_batches(raw, starts, ends, _NARGS_OR_INVALID, typ, dt, args, offset, batch_of, found) != kernel.OK:
        return None
    n = int(found[0])
    batch_of = batch_of[:n]
    time = _times(g, dt[:n], batch_of, batches)
    counts = np.bincount(batch_of, minlength=len(batches))
    # copies: the chunk's columns are kept until the generation's are joined, the buffers are about twice as long
    return ((typ[:n].copy(), time, [args[k, :n].copy() for k in range(N_ARG_COLUMNS)], offset[:n].copy()),
            counts.tolist())


def _times(g: Generation, dt, batch_of, batches) -> np.ndarray:
    """Event times in ns: ``mul(batch.time)`` plus the running sum of ``mul(dt)`` within each batch."""
    if len(dt) == 0:
        return np.zeros(0, dtype=np.int64)
    step = (dt.astype(np.float64) * g.ns_per_tick).astype(np.int64)
    base = np.array([g.mul(b.time) for _, b in batches], dtype=np.int64)
    total = np.cumsum(step)
    first = np.searchsorted(batch_of, np.arange(len(batches)))  # index of each batch's first event
    before = np.where(first > 0, total[np.maximum(first - 1, 0)], 0)
    return total - before[batch_of] + base[batch_of]
