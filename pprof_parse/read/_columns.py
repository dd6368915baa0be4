"""Decode the repeated messages of a profile (samples, locations, functions, mappings) into columns.

Each kind of message arrives from the top-level parse as one byte buffer of
the concatenated messages plus their spans. The buffer is cut into chunks of
whole messages (about :data:`CHUNK_BYTES` each); each chunk goes through the
varint-stream fast path (:class:`._tokens.TokenTable`) or, if it does not
fit, through the general scanner (:class:`._wire.ScanTable`). Chunks run on
a few threads (:func:`pprof_parse._threads.thread_map`). Field numbers are profile.proto's.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence, Union

import numpy as np

from .._threads import thread_map
from ._tokens import NotTokens, TokenTable
from ._wire import ScanTable, WireError

#: Messages are decoded in chunks of about this many bytes, which bounds the
#: temporaries (a few bytes per token) whatever the size of the profile.
CHUNK_BYTES = 2 << 20


Buffer = Union[np.ndarray, Sequence[bytes]]


def decode_chunked(buf: Buffer, starts: np.ndarray, lens: np.ndarray,
                   extract: Callable[[TokenTable | ScanTable, int], tuple]) -> list[tuple]:
    """Run ``extract(table, first_message_index)`` over chunks of the messages; results in order.

    ``buf`` is either a uint8 array holding message ``i`` at
    ``buf[starts[i]:starts[i]+lens[i]]`` (other bytes may lie between
    messages), or the messages as a sequence of ``bytes`` (``starts`` then
    being their offsets in the concatenation, which is built a chunk at a
    time, never whole).

    Raises
    ------
    WireError
        From the general scanner, naming the message (index in ``starts``)
        and the byte (offset in ``buf``) where the encoding breaks.
    """
    ns = starts.size
    if ns == 0:
        return []
    ends = starts + lens
    cuts = np.searchsorted(ends, np.arange(CHUNK_BYTES, int(ends[-1]), CHUNK_BYTES), side="left") + 1
    bounds = np.unique(np.concatenate(([0], np.minimum(cuts, ns), [ns]))).tolist()
    spans = list(zip(bounds[:-1], bounds[1:]))

    def chunk(span: tuple[int, int]) -> tuple:
        a, b = span
        lo, hi = int(starts[a]), int(ends[b - 1])
        s, e = starts[a:b] - lo, ends[a:b] - lo
        region = buf[lo:hi] if isinstance(buf, np.ndarray) else np.frombuffer(b"".join(buf[a:b]), np.uint8)
        try:
            return extract(TokenTable.from_bytes(region, s, e), a)
        except NotTokens:
            try:
                return extract(ScanTable(region, s, e), a)
            except WireError as err:  # name the message and byte in the whole buffer
                raise WireError(err.message, err.index + a, err.offset + lo) from None

    return thread_map(chunk, spans, "pprof-decode")


def _concat(parts: Sequence[tuple], n_cols: int) -> list[np.ndarray]:
    return [np.concatenate([p[i] for p in parts]) for i in range(n_cols)]  # unsigned dtypes promote to the widest


# --- Sample ------------------------------------------------------------------------------------

class SampleColumns(NamedTuple):
    """Raw sample columns, ids not yet resolved.

    ``locs`` (location ids) and ``vals`` are in message, then wire order with
    a count per message; ``labels`` is ``(n_labels, 5)`` int64 whose columns
    1-4 are the Label fields key, str, num, num_unit (0 when absent), one row
    per Label in wire order, owned by sample ``label_owner``.
    """

    locs: np.ndarray
    loc_counts: np.ndarray
    vals: np.ndarray
    val_counts: np.ndarray
    label_owner: np.ndarray
    labels: np.ndarray


def _sample_chunk(t: TokenTable | ScanTable, base: int, resolve=None) -> SampleColumns:
    locs, loc_counts = t.repeated(1)
    if resolve is not None:
        locs = resolve(locs)
    elif locs.dtype == np.uint64 and locs.size and int(locs.max()) < 2**32:
        locs = locs.astype(np.uint32)  # ids: the token table was widened for some large value
    vals, val_counts = t.repeated(2)
    owner, lt = t.nested(3)
    labels = np.zeros((owner.size, 5), np.int64)
    for f in (1, 2, 3, 4):  # key, str, num, num_unit
        labels[:, f] = lt.scalar(f).view(np.int64)
    return SampleColumns(locs, loc_counts, vals, val_counts, (owner + base).astype(np.int32), labels)


def decode_samples(buf: Buffer, starts: np.ndarray, lens: np.ndarray, *, resolve=None) -> SampleColumns:
    """Columns of the ``Sample`` messages ``buf[starts[i]:starts[i]+lens[i]]`` (see :func:`decode_chunked`).

    ``resolve``, if given, maps location ids to row indices (each chunk in its
    own thread); ``locs`` then holds its result.
    """
    parts = decode_chunked(buf, starts, lens, lambda t, base: _sample_chunk(t, base, resolve))
    if not parts:
        z = np.zeros(0, np.int64)
        return SampleColumns(z, z, z, z, z.astype(np.int32), np.zeros((0, 5), np.int64))
    return SampleColumns(*_concat(parts, 6)) if len(parts) > 1 else parts[0]


# --- Location, Line ------------------------------------------------------------------------------

class LocationColumns(NamedTuple):
    """Location fields per location (uint64), and its lines (``line_counts`` per location)."""

    id: np.ndarray
    mapping_id: np.ndarray
    address: np.ndarray
    is_folded: np.ndarray
    line_counts: np.ndarray
    line_function_id: np.ndarray
    line_line: np.ndarray  # int64
    line_column: np.ndarray  # int64


def _location_chunk(t: TokenTable | ScanTable, base: int) -> LocationColumns:
    owner, lt = t.nested(4)
    counts = np.bincount(owner, minlength=t.n).astype(np.int64) if owner.size else np.zeros(t.n, np.int64)
    return LocationColumns(t.scalar(1), t.scalar(2), t.scalar(3), t.scalar(5) != 0, counts,
                           lt.scalar(1), lt.scalar(2).view(np.int64), lt.scalar(3).view(np.int64))


def decode_locations(buf: Buffer, starts: np.ndarray, lens: np.ndarray) -> LocationColumns:
    parts = decode_chunked(buf, starts, lens, _location_chunk)
    if not parts:
        z = np.zeros(0, np.uint64)
        return LocationColumns(z, z, z, z.astype(bool), z.astype(np.int64), z, z.astype(np.int64), z.astype(np.int64))
    return LocationColumns(*_concat(parts, 8))


# --- Function, Mapping ---------------------------------------------------------------------------

def decode_scalars(buf: Buffer, starts: np.ndarray, lens: np.ndarray, fields: Sequence[int]) -> np.ndarray:
    """``(n, len(fields))`` uint64: the varint fields of messages with only singular fields
    (``Function``: id, name, system_name, filename, start_line; ``Mapping``: id, memory_start,
    memory_limit, file_offset, filename, build_id and the four ``has_*`` flags)."""
    parts = decode_chunked(buf, starts, lens, lambda t, base: (np.stack([t.scalar(f) for f in fields], axis=1),))
    if not parts:
        return np.zeros((0, len(fields)), np.uint64)
    return np.concatenate([p[0] for p in parts])
