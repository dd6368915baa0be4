"""Decode the repeated messages of a profile (samples, locations, functions, mappings) into columns.

Each kind of message arrives from the top-level parse as one byte buffer of
the concatenated messages plus their spans. The buffer is cut into chunks of
whole messages (about :data:`CHUNK_BYTES` each); each chunk goes through the
varint-stream fast path (:class:`._tokens.TokenTable`) or, if it does not
fit, through the general scanner (:class:`._wire.ScanTable`). Samples of a
profile whose locations are numbered 1..n first try a third path that leaves
their stacks encoded (:mod:`._stacks`; values and labels are read from a
byte-level field walk). Chunks run on a few threads
(:func:`pprof_parse._threads.thread_map`). Field numbers are profile.proto's.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Sequence, Union

import numpy as np

from .._threads import thread_map
from ..proto.wire import CONTINUATION, LEN, VARINT, WireError, varint_ends, varint_values
from ._stacks import EncodedStacks, check_ids, gather_spans, spans_mask, walk_fields
from ._tokens import NotTokens, TokenTable
from ._wire import ScanTable

#: Messages are decoded in chunks of about this many bytes, which bounds the
#: temporaries (a few bytes per token) whatever the size of the profile.
CHUNK_BYTES = 2 << 20


Buffer = Union[np.ndarray, Sequence[bytes]]


def decode_chunked(buf: Buffer, starts: np.ndarray, lens: np.ndarray,
                   extract: Callable[[TokenTable | ScanTable, int], tuple],
                   first: Callable[[np.ndarray, np.ndarray, np.ndarray, int], tuple | None] | None = None) -> list[tuple]:
    """Run ``extract(table, first_message_index)`` over chunks of the messages; results in order.

    ``first(region, starts, ends, first_message_index)``, if given, is tried
    on each chunk before the tables are built; a result other than None is
    that chunk's.

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
        if first is not None:
            done = first(region, s, e, a)
            if done is not None:
                return done
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
    """Raw sample columns.

    ``locs`` (location ids, or rows if a resolver was given) and ``vals``
    are in message, then wire order with a count per message; ``labels`` is
    ``(n_labels, 5)`` int64 whose columns 1-4 are the Label fields key, str,
    num, num_unit (0 when absent), one row per Label in wire order, owned by
    sample ``label_owner``. With ``n_locations`` given to
    :func:`decode_samples`, ``locs`` may be an
    :class:`~._stacks.EncodedStacks` instead (rows decoded on demand).
    """

    locs: np.ndarray | EncodedStacks
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
    return SampleColumns(locs, loc_counts, vals, val_counts, (owner + base).astype(np.int32), _label_table(lt))


def _label_table(lt: TokenTable | ScanTable) -> np.ndarray:
    labels = np.zeros((lt.n, 5), np.int64)
    for f in (1, 2, 3, 4):  # key, str, num, num_unit
        labels[:, f] = lt.scalar(f).view(np.int64)
    return labels


class _Encoded(NamedTuple):
    """A chunk's stacks left encoded: ``payload`` bytes, ``seg_len`` of them per sample."""

    payload: np.ndarray
    seg_len: np.ndarray


def _encoded_sample_chunk(region: np.ndarray, starts: np.ndarray, ends: np.ndarray, base: int,
                          n_locations: int) -> SampleColumns | None:
    """A chunk of samples with the stacks left encoded (checked by :func:`._stacks.check_ids`);
    None if the bytes do not fit (the token tables then decode the chunk, or report its error)."""
    n = starts.size
    fields = walk_fields(region, starts, ends)
    if fields is None:
        return None
    loc = fields.get(1)
    if loc is None:
        payload, seg_len = np.zeros(0, np.uint8), np.zeros(n, np.int64)
    elif (loc.wire != LEN).any():
        return None  # unpacked ids
    else:
        payload = region[spans_mask(region.size, loc.payload_start, loc.payload_end)]
        seg_len = np.bincount(loc.msg, weights=loc.payload_end - loc.payload_start, minlength=n).astype(np.int64)
    loc_counts = check_ids(payload, seg_len, n_locations)
    if loc_counts is None:
        return None
    vals, val_counts = _varint_field(region, fields.get(2), n)
    if vals is None:
        return None
    lab = fields.get(3)
    if lab is None:
        owner, labels = np.zeros(0, np.int64), np.zeros((0, 5), np.int64)
    else:
        if (lab.wire != LEN).any():
            return None
        labels = _label_fields(region, lab)
        if labels is None:
            return None
        owner = lab.msg
    return SampleColumns(_Encoded(payload, seg_len), loc_counts, vals, val_counts, (owner + base).astype(np.int32), labels)


def _label_fields(region: np.ndarray, lab) -> np.ndarray | None:
    """The ``(n_labels, 5)`` label table of the Label messages at ``lab``'s payloads (read in place);
    None if one does not fit the field walk or has a non-varint field."""
    fields = walk_fields(region, lab.payload_start, lab.payload_end)
    if fields is None:
        return None
    labels = np.zeros((lab.msg.size, 5), np.int64)
    for f in (1, 2, 3, 4):  # key, str, num, num_unit
        rec = fields.get(f)
        if rec is None:
            continue
        if (rec.wire != VARINT).any():
            return None
        last = np.ones(rec.msg.size, bool)  # a field given twice: the last occurrence wins
        last[:-1] = rec.msg[1:] != rec.msg[:-1]
        labels[rec.msg[last], f] = rec.value[last].view(np.int64)
    return labels


def _varint_field(region: np.ndarray, rec, n: int) -> tuple[np.ndarray | None, np.ndarray]:
    """Elements of a repeated varint field (packed or not) from its records, and a count per
    message; ``(None, _)`` if a payload does not hold whole varints."""
    if rec is None:
        return np.zeros(0, np.uint16), np.zeros(n, np.int64)
    length = rec.payload_end - rec.payload_start
    some = length > 0
    if (region[rec.payload_end[some] - 1] >= CONTINUATION).any():
        return None, np.zeros(0)
    data = gather_spans(region, rec.payload_start, rec.payload_end)
    ends = varint_ends(data)
    values = varint_values(data, ends)
    if values is None:
        return None, np.zeros(0)
    per_record = np.diff(np.searchsorted(ends, np.cumsum(length), side="left"), prepend=0)
    return values, np.bincount(rec.msg, weights=per_record, minlength=n).astype(np.int64)


def decode_samples(buf: Buffer, starts: np.ndarray, lens: np.ndarray, *, resolve=None,
                   n_locations: int | None = None) -> SampleColumns:
    """Columns of the ``Sample`` messages ``buf[starts[i]:starts[i]+lens[i]]`` (see :func:`decode_chunked`).

    ``resolve``, if given, maps location ids to row indices (each chunk in its
    own thread); ``locs`` then holds its result. ``n_locations``, if given,
    says the locations are numbered ``1..n_locations`` (rows ``id - 1``): the
    stacks are then checked on their bytes and left encoded (``locs`` is an
    :class:`~._stacks.EncodedStacks`), unless some chunk does not fit that path.
    """
    def encoded(region, s, e, a):
        return _encoded_sample_chunk(region, s, e, a, n_locations)
    parts = decode_chunked(buf, starts, lens, lambda t, base: _sample_chunk(t, base, resolve),
                           encoded if n_locations is not None else None)
    if not parts:
        z = np.zeros(0, np.int64)
        return SampleColumns(z, z, z, z, z.astype(np.int32), np.zeros((0, 5), np.int64))
    enc = [isinstance(p.locs, _Encoded) for p in parts]
    if all(enc):
        seg_len = np.concatenate([p.locs.seg_len for p in parts])
        locs = EncodedStacks(np.concatenate([p.locs.payload for p in parts]),
                             np.concatenate(([0], np.cumsum(seg_len))).astype(np.int64), n_locations)
        parts = [p._replace(locs=np.zeros(0, np.int32)) for p in parts]
        return SampleColumns(locs, *_concat([p[1:] for p in parts], 5))
    if any(enc):  # some chunks fell back to the token tables: decode the others' stacks too
        parts = [p._replace(locs=EncodedStacks(p.locs.payload, np.concatenate(([0], np.cumsum(p.locs.seg_len))),
                                               n_locations).decode_all()) if e else p for p, e in zip(parts, enc)]
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
