"""Sample stacks kept encoded: checked at read time, decoded for the samples a report uses.

Most of a profile's bytes are the ``location_id`` lists of its samples (a
365k-sample heap profile: 26 of its 29 MB). A report often needs few of them:
``-sample_index=inuse_space`` keeps the samples still in use, a handful out of
hundreds of thousands. So :func:`walk_fields` walks each sample's fields at
byte level (tag, length or varint, skip: one vectorised step per field
position, the payloads untouched); the packed ``location_id`` payloads are
copied into one byte array, values and labels are read from the other
fields' records (see ``pprof_parse.read._columns``).

pprof's ``CheckValid`` rule that every location id of every sample is defined
is still checked for all samples, on the bytes (:func:`check_ids`): with the
locations numbered 1..n (the Go runtime and pprof number them so), an id is
defined iff its varint is canonical, nonzero and at most n, which a few
whole-array byte comparisons decide without decoding. :class:`EncodedStacks`
then decodes any set of samples on demand (``ProfileData.stack_locs_of``) or
all of them (``ProfileData.stack_locs``), bit-identical to the eager decoder.

Whenever the bytes do not fit this shape (a multi-byte tag, a fixed-width or
unpacked ``location_id`` field, a length past the end of its message, an id
that fails the byte rule), the caller decodes the chunk eagerly, which also
produces the precise error.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._threads import thread_map
from ..proto.wire import (CONTINUATION, LEN, VARINT, encode_varint, le_words, read_varints, varint_ends,
                          varint_size, varint_values)

#: ``EncodedStacks.decode_all`` works on runs of samples of about this many payload bytes.
DECODE_BYTES = 2 << 20


class FieldRecords(NamedTuple):
    """The occurrences of one field in a chunk of messages, in byte order.

    ``msg``: owning message; ``wire``: 0 or 2; ``value``: the varint (wire
    type 0) or the length (2), uint64; ``payload_start``/``payload_end``: the
    payload bytes (a wire-type-0 field's payload is its varint).
    """

    msg: np.ndarray
    wire: np.ndarray
    value: np.ndarray
    payload_start: np.ndarray
    payload_end: np.ndarray


_TAG_OK = np.array([t >> 3 >= 1 and t < CONTINUATION and t & 7 in (VARINT, LEN) for t in range(256)])  # one-byte tags we walk


def walk_fields(region: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict[int, FieldRecords] | None:
    """The fields of the messages ``region[starts[i]:ends[i]]``, by field number.

    One vectorised step per field position: read the one-byte tag, the
    length (or the varint), skip. None if a message does not fit that shape
    (a tag over one byte, field 0, a wire type other than 0 and 2, a field
    running past the end of its message): the general scanner handles (and
    reports) those.
    """
    size = region.size
    pos = starts.astype(np.int64)  # (a copy: advanced in place)
    ends = ends.astype(np.int64)
    active = np.flatnonzero(pos < ends)
    everyone = active.size == pos.size  # then the first step needs no gathers
    found: dict[int, list[tuple]] = {}
    while active.size:
        p, e = (pos, ends) if everyone else (pos[active], ends[active])
        tag = region[p]
        if not _TAG_OK[tag].all():
            return None
        r = read_varints(region, p + 1, e)
        if r is None:
            return None
        value, count = r
        wire = (tag & 7).astype(np.int8)
        is_len = wire == LEN
        after = p + 1 + count  # the payload of a length-delimited field starts here; a varint field ends here
        length = np.where(is_len, value, np.uint64(0))
        if int(length.max()) > size:
            return None
        nxt = after + length.astype(np.int64)
        if (nxt > e).any():
            return None
        field = tag >> 3
        present = np.flatnonzero(np.bincount(field))
        payload_start = np.where(is_len, after, p + 1)
        if present.size == 1:
            found.setdefault(int(present[0]), []).append((active, wire, value, payload_start, nxt))
        else:
            for f in present.tolist():
                m = field == f
                found.setdefault(f, []).append((active[m], wire[m], value[m], payload_start[m], nxt[m]))
        if everyone:
            pos = nxt.copy()  # (nxt is kept as the records' payload_end)
            everyone = False
        else:
            pos[active] = nxt
        active = active[nxt < e]
    return _records_by_field(found)


def _records_by_field(found: dict[int, list[tuple]]) -> dict[int, FieldRecords]:
    """Each field's records from the steps that found it, in message order, then wire order."""
    out = {}
    for f, steps in found.items():
        if len(steps) == 1:
            out[f] = FieldRecords(*steps[0])
        else:  # the field at several positions (steps are in wire order)
            cols = [np.concatenate(c) for c in zip(*steps)]
            order = np.argsort(cols[0], kind="stable")
            out[f] = FieldRecords(*(c[order] for c in cols))
    return out


def spans_mask(size: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Boolean mask of ``size`` bytes, True inside the spans ``[start[i], end[i])``
    (ascending, non-overlapping)."""
    bounds = np.empty(2 * start.size + 2, np.int64)
    bounds[0], bounds[-1] = 0, size
    bounds[1:-1:2], bounds[2:-1:2] = start, end
    pattern = np.zeros(bounds.size - 1, bool)
    pattern[1::2] = True
    return np.repeat(pattern, np.diff(bounds))


def gather_spans(region: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The bytes of the spans ``[start[i], end[i])``, back to back (for small spans: an index gather)."""
    length = end - start
    total = int(length.sum())
    first = np.cumsum(length) - length
    it = np.int32 if region.size < 2**31 else np.int64
    return region[np.repeat((start - first).astype(it), length) + np.arange(total, dtype=it)]


def count_before(flags: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """How many of ``flags[:p]`` are set, for each ``p`` in ``pos`` (int64).

    ``flags`` (bool) is packed to bits, whose 64-bit words are popcounted and
    prefix-summed (a 64th of the work of a prefix sum over the flags).
    """
    packed = np.packbits(flags, bitorder="little")
    padded = np.zeros(packed.size // 8 * 8 + 8, np.uint8)  # at least one word past the last flag
    padded[:packed.size] = packed
    words = padded.view("<u8")
    before = np.concatenate(([0], np.cumsum(np.bitwise_count(words), dtype=np.int64)))
    q, r = pos >> 6, (pos & 63).astype(np.uint64)
    low = words[q] & ((np.uint64(1) << r) - np.uint64(1))  # the word's flags before the position
    return before[q] + np.bitwise_count(low).astype(np.int64)


def check_ids(payload: np.ndarray, seg_len: np.ndarray, n_locations: int) -> np.ndarray | None:
    """Varints per segment if every varint of ``payload`` is a location id in ``1..n_locations``, else None.

    ``payload`` holds runs of varints, ``seg_len[i]`` bytes each (none may end
    inside a varint). The rule, on the bytes: with ``K`` the byte length of
    ``n_locations`` (at most 4), no byte is 0 (so every varint is canonical and
    nonzero), no run of ``K`` continuation bytes exists (so none is longer than
    ``K`` bytes), and every ``K``-byte varint, read as a little-endian word, is
    at most ``n_locations`` encoded the same way (the continuation bits being
    set on both sides, word order is value order). None means "decode and check
    eagerly", which also finds the offending id.
    """
    total = payload.size
    seg_end = np.cumsum(seg_len)
    if total == 0:
        return np.zeros(seg_len.size, np.int64)
    nonempty = seg_len > 0
    if (payload[seg_end[nonempty] - 1] >= CONTINUATION).any():
        return None  # a segment ends inside a varint
    k = varint_size(int(n_locations))
    if n_locations < 1 or k > 4 or not payload.all():
        return None
    if k == 1:
        if (payload > n_locations).any():  # (continuation bytes included)
            return None
        return seg_len.astype(np.int64)
    cont = payload >= CONTINUATION
    limit = int.from_bytes(encode_varint(int(n_locations)), "little")  # n_locations as a K-byte varint
    if k == 2:
        # a word above the limit starting at a continuation byte: a 2-byte id above n_locations,
        # or two continuation bytes in a row (limit < 0x8000)
        if total > 1 and (cont[:-1] & (le_words(payload, 2) > limit)).any():
            return None
    else:
        run = cont[: total - k + 2].copy()  # starts of K-1 continuation bytes: the K-byte varints
        for j in range(1, k - 1):
            run &= cont[j: total - k + 2 + j]
        if (run[:-1] & cont[k - 1:]).any():
            return None  # K continuation bytes in a row: a varint longer than K bytes
        full = max(total - 3, 0)  # words of 4 bytes fit from these positions
        words = le_words(payload, 4) if total >= 4 else np.zeros(0, np.uint32)
        if k == 3:
            words = words & np.uint32(0xFFFFFF)
        if (run[:full] & (words[:full] > limit)).any():
            return None
        for t in (np.flatnonzero(run[full:]) + full).tolist():  # a K-byte varint in the last bytes (k == 3)
            if int.from_bytes(payload[t:t + k].tobytes(), "little") > limit:
                return None
    return seg_len - np.diff(count_before(cont, np.concatenate(([0], seg_end))))


class EncodedStacks:
    """The stacks of a profile's samples, still varint-encoded and already checked.

    ``payload`` (uint8) holds sample ``i``'s location ids at
    ``payload[seg_off[i]:seg_off[i+1]]``; ids are ``1..n_locations`` and
    decode to location rows ``id - 1`` (int32), as the eager decoder's.
    """

    def __init__(self, payload: np.ndarray, seg_off: np.ndarray, n_locations: int):
        self.payload = payload
        self.seg_off = seg_off
        self.n_locations = n_locations

    @staticmethod
    def _rows(data: np.ndarray) -> np.ndarray:
        if data.size == 0:
            return np.zeros(0, np.int32)
        ids = varint_values(data, varint_ends(data))
        return np.subtract(ids, 1, dtype=np.int32, casting="unsafe")

    def decode(self, samples: np.ndarray) -> np.ndarray:
        """Location rows of the given samples' stacks, concatenated in the order given (int32)."""
        off = self.seg_off
        samples = np.asarray(samples, np.int64)
        length = off[samples + 1] - off[samples]
        total = int(length.sum())
        first = np.cumsum(length) - length
        return self._rows(self.payload[np.repeat(off[samples] - first, length) + np.arange(total)])

    def decode_all(self) -> np.ndarray:
        """Location rows of every sample's stack, concatenated in sample order (int32)."""
        off = self.seg_off
        size = int(off[-1])
        if size <= DECODE_BYTES:
            return self._rows(self.payload[:size])
        cuts = np.searchsorted(off, np.arange(DECODE_BYTES, size, DECODE_BYTES))
        bounds = np.unique(np.concatenate(([0], off[cuts], [size]))).tolist()
        parts = thread_map(lambda ab: self._rows(self.payload[ab[0]:ab[1]]), list(zip(bounds[:-1], bounds[1:])),
                           "pprof-stacks")
        return np.concatenate(parts)
