"""The protobuf wire codec: varints (read, write, size) and tags, for every decoder and the encoder.

A varint is an unsigned 64-bit integer written 7 bits a byte, low bits first;
every byte but the last has its top bit (:data:`CONTINUATION`) set. An
``int64`` goes on the wire as its 64-bit two's complement, so a negative
value takes 10 bytes. A field starts with a tag, the varint
``field << 3 | wire_type``. Source: protobuf's encoding guide
(protobuf.dev/programming-guides/encoding) and protobuf-go's
``encoding/protowire``, whose rules for broken input these follow: a varint
running past the end of its data is truncated, and one of more than 10 bytes,
or whose 10th byte is above 1 (bits past 63), is refused.

Scalar (plain Python ints, for the walk of a profile's top-level fields and
for hand-written bytes): :func:`read_varint`, :func:`encode_varint`,
:func:`varint_size`. Vectorised (numpy; the sample columns):
:func:`varint_sizes`, :func:`put_varints` and :func:`encode_varints` to
write; :func:`read_varints` (one varint at each of many positions),
:func:`varint_values` (runs of back-to-back varints) and
:func:`decode_packed` (packed repeated fields) to read.
"""

from __future__ import annotations

import numpy as np

#: The longest varint: 64 bits at 7 bits a byte.
MAX_VARINT_BYTES = 10

#: The bit set on every byte of a varint but its last.
CONTINUATION = 0x80

#: Wire types (protobuf's VARINT, I64, LEN, I32; 3 and 4, groups, are not used by profile.proto).
VARINT, I64, LEN, I32 = 0, 1, 2, 5
WIRE_TYPES = (VARINT, I64, LEN, I32)
#: Payload bytes of the fixed-width wire types.
FIXED_SIZE = {I64: 8, I32: 4}

_U64_MASK = (1 << 64) - 1


def tag(field: int, wire_type: int) -> int:
    """The tag of ``field`` with ``wire_type`` (written as a varint before the payload)."""
    return field << 3 | wire_type


# ---- scalar --------------------------------------------------------------------------------------

class VarintError(ValueError):
    """A varint that cannot be read: ``str(e)`` is ``"truncated varint"`` or ``"varint overflows 64 bits"``;
    ``offset`` is the byte where the varint starts."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """``(value, position after it)`` of the varint starting at byte ``pos`` of ``data``.

    Raises
    ------
    VarintError
        The data ends inside the varint (``"truncated varint"``), or its 10th
        byte is above 1 (``"varint overflows 64 bits"``, as protowire).
    """
    value = 0
    n = len(data)
    for k in range(MAX_VARINT_BYTES):
        if pos + k >= n:
            raise VarintError("truncated varint", pos)
        b = data[pos + k]
        if k == MAX_VARINT_BYTES - 1 and b > 1:
            raise VarintError("varint overflows 64 bits", pos)
        value |= (b & 0x7F) << (7 * k)
        if b < CONTINUATION:
            return value, pos + k + 1
    raise AssertionError("unreachable: a 10th byte of 0 or 1 ends the varint")


def encode_varint(value: int) -> bytes:
    """``value`` as a varint: 1-10 bytes; a negative ``int64`` as its two's complement (10 bytes).

    Raises
    ------
    ValueError
        ``value`` outside ``[-2**63, 2**64)`` (neither an int64 nor a uint64).
    """
    if not -(1 << 63) <= value <= _U64_MASK:
        raise ValueError(f"{value} is outside the varint range [-2**63, 2**64)")
    v = value & _U64_MASK
    out = bytearray()
    while v >= CONTINUATION:
        out.append(v & 0x7F | CONTINUATION)
        v >>= 7
    out.append(v)
    return bytes(out)


def varint_size(value: int) -> int:
    """Bytes :func:`encode_varint` writes for ``value`` (1..10)."""
    return max(1, ((value & _U64_MASK).bit_length() + 6) // 7)


# ---- vectorised: write ---------------------------------------------------------------------------

def as_uint64(values) -> np.ndarray:
    """Values as the uint64 protobuf puts on the wire (int64 negatives: two's complement; no copy when possible)."""
    v = np.asarray(values)
    return v if v.dtype == np.uint64 else v.astype(np.int64, copy=False).view(np.uint64)


def varint_sizes(values) -> np.ndarray:
    """Bytes each value takes as a varint (int64 array of ``values``' shape, 1..10; see :func:`as_uint64`)."""
    v = as_uint64(values)
    n = np.ones(v.shape, np.int64)
    top = int(v.max()) if v.size else 0
    for k in range(1, MAX_VARINT_BYTES):
        if top < (1 << (7 * k)):
            break
        n += v >= np.uint64(1 << (7 * k))
    return n


def put_varints(out: np.ndarray, pos: np.ndarray, values, sizes: np.ndarray) -> None:
    """Write varint ``values[i]`` (``sizes[i]`` bytes, from :func:`varint_sizes`) at ``out[pos[i]:]``.

    ``out`` is uint8; one pass per byte of each length class.
    """
    v = as_uint64(values)
    classes = np.bincount(sizes, minlength=MAX_VARINT_BYTES + 1) if sizes.size else np.zeros(1, np.int64)
    for n in np.nonzero(classes)[0].tolist():
        if classes[n] == sizes.size:
            vv, pp = v, pos
        else:
            m = sizes == n
            vv, pp = v[m], pos[m]
        for k in range(n):
            byte = (vv >> np.uint64(7 * k)) & np.uint64(0x7F)
            if k < n - 1:
                byte |= np.uint64(CONTINUATION)
            out[pp + k] = byte.astype(np.uint8)


def encode_varints(values) -> tuple[np.ndarray, np.ndarray]:
    """``(bytes, sizes)``: the varints of all ``values`` back to back (uint8), and each one's size (int64)."""
    sizes = varint_sizes(values)
    out = np.zeros(int(sizes.sum()), np.uint8)
    put_varints(out, np.cumsum(sizes) - sizes, values, sizes)
    return out, sizes


# ---- vectorised: read ----------------------------------------------------------------------------

class WireError(Exception):
    """A broken encoding found by a vectorised reader: ``message`` (what), ``index`` (of the message
    it lies in, as the caller numbers them) and ``offset`` (byte in the buffer); converted by the caller."""

    def __init__(self, message: str, index: int, offset: int):
        super().__init__(message)
        self.message = message
        self.index = index
        self.offset = offset


def read_varints(buf: np.ndarray, pos: np.ndarray, limit: np.ndarray,
                 owner: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Decode one varint at each position: ``(values uint64, byte counts int64)``.

    Works byte by byte over the still-unfinished varints (almost all are 1-2
    bytes: one or two passes, and one when all are single bytes). A varint
    running past its ``limit`` (exclusive) or over 64 bits (a 10th byte above
    1, which a varint of 11 bytes or more has too) makes the result None, or,
    with ``owner`` given, raises :class:`WireError` naming message
    ``owner[i]`` and the varint's first byte.
    """
    def fail(what: str, i: int):
        if owner is None:
            return None
        raise WireError(what, int(owner[i]), int(pos[i]))

    n = pos.size
    outside = pos >= limit
    if n and outside.any():
        return fail("truncated varint", int(np.argmax(outside)))
    b = buf[pos]
    more = np.flatnonzero(b >= CONTINUATION)
    values = b.astype(np.uint64)
    counts = np.ones(n, np.int64)
    if more.size == 0:
        return values, counts
    values[more] &= np.uint64(0x7F)
    k = 1
    while more.size:  # (ends by the 10th byte: one that continues is above 1)
        p = pos[more] + k
        outside = p >= limit[more]
        if outside.any():
            return fail("truncated varint", int(more[np.argmax(outside)]))
        b = buf[p]
        if k == MAX_VARINT_BYTES - 1 and (b > 1).any():  # the 10th byte holds bit 63 only
            return fail("varint overflows 64 bits", int(more[np.argmax(b > 1)]))
        values[more] |= (b & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        counts[more] += 1
        more = more[b >= CONTINUATION]
        k += 1
    return values, counts


def varint_ends(data: np.ndarray) -> np.ndarray:
    """Index of the last byte of each varint in ``data`` (uint8, varints back to back)."""
    return np.flatnonzero(data < CONTINUATION)


def le_words(buf: np.ndarray, width: int) -> np.ndarray:
    """``width``-byte little-endian words starting at every byte of ``buf`` but the last ``width - 1``
    (width 2 or 4; overlapping, unaligned reads of the same memory, no copy of a contiguous ``buf``)."""
    buf = np.ascontiguousarray(buf)
    return np.ndarray((buf.size - width + 1,), f"<u{width}", buffer=buf, offset=0, strides=(1,))


def _two_byte_table() -> np.ndarray:
    """Value of a varint of at most two bytes, indexed by ``byte_before | last_byte << 8``."""
    x = np.arange(1 << 16)
    last, before = x >> 8, x & 0xFF
    return np.where(before >= CONTINUATION, (last << 7) | (before & 0x7F), last).astype(np.uint16)


_TWO_BYTE = _two_byte_table()


def varint_values(data: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """Values of the back-to-back varints of ``data`` (uint8), given each one's last byte
    (:func:`varint_ends`).

    The four bytes ending at each varint are read as one little-endian
    uint32. Varints of one or two bytes (ids, small counts) are then read
    through a 64K-entry table indexed by their last two bytes; longer ones
    (both bytes before the last continue) add the third and, where it
    continues too, the fourth byte with whole-array shifts, and the rare
    varints of five bytes or more are extended byte by byte over their own
    index. Values are uint16, uint32 or uint64, whichever the longest varint
    needs. None if a varint is longer than 10 bytes or over 64 bits (a 10th
    byte above 1).
    """
    if end.size == 0:
        return np.zeros(0, np.uint16)
    pad = MAX_VARINT_BYTES  # zero bytes in front: every varint has ten bytes before it
    padded = np.empty(data.size + pad, np.uint8)
    padded[:pad] = 0
    padded[pad:] = data
    w = np.take(le_words(padded[pad - 3:], 4), end)  # the four bytes ending at each varint's last byte
    val = np.take(_TWO_BYTE, w >> np.uint32(16))
    longer = np.flatnonzero((w & np.uint32(0x808000)) == 0x808000)  # bytes e-1 and e-2 both continue: 3+ bytes
    if longer.size == 0:
        return val
    acc = _three_or_more(padded, end[longer] + pad, w[longer], val[longer])
    if acc is None:
        return None
    val = val.astype(acc.dtype)
    val[longer] = acc
    return val


def _three_or_more(padded: np.ndarray, last: np.ndarray, w: np.ndarray, low2: np.ndarray) -> np.ndarray | None:
    """Values of the varints of 3+ bytes ending at ``padded[last]``: ``w`` their last four bytes,
    ``low2`` the value of their last two (uint32, or uint64 when one needs it; None past 64 bits)."""
    acc = low2.astype(np.uint32)
    acc <<= np.uint32(7)
    acc |= (w >> np.uint32(8)) & np.uint32(0x7F)  # byte e-2
    four = np.flatnonzero(w & np.uint32(CONTINUATION))  # byte e-3 belongs too: 4+ bytes
    if four.size == 0:
        return acc
    a4 = acc[four] << np.uint32(7)
    a4 |= w[four] & np.uint32(0x7F)
    last = last[four]
    five = np.flatnonzero(padded[last - 4] >= CONTINUATION)  # 5+ bytes (large values, negative numbers)
    if five.size:
        a4 = a4.astype(np.uint64)
        a = _extend_bytewise(padded, last[five], a4[five])
        if a is None:
            return None
        a4[five] = a
        acc = acc.astype(np.uint64)
    acc[four] = a4
    if acc.dtype == np.uint64 and int(acc.max()) < 2**32:
        acc = acc.astype(np.uint32)
    return acc


def _extend_bytewise(padded: np.ndarray, last: np.ndarray, low4: np.ndarray) -> np.ndarray | None:
    """Values of the varints of 5+ bytes ending at ``padded[last]`` given ``low4`` (uint64), the value
    of their last four bytes: one byte further per pass; None if one is over 10 bytes or 64 bits."""
    a = low4
    sub = np.arange(last.size)
    j = 4
    while sub.size:
        if j >= MAX_VARINT_BYTES:
            return None
        if j == MAX_VARINT_BYTES - 1 and (padded[last[sub]] > 1).any():
            return None  # a 10-byte varint whose last byte (bit 63 and up) is above 1
        a[sub] = (a[sub] << np.uint64(7)) | (padded[last[sub] - j] & 0x7F)
        j += 1
        sub = sub[padded[last[sub] - j] >= CONTINUATION]
    return a


def decode_packed(buf: np.ndarray, start: np.ndarray, length: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode the byte segments ``buf[start[i]:start[i]+length[i]]`` that each hold whole varints
    (the payloads of packed repeated fields).

    Segments must not overlap and must be in buffer order (fields are in wire
    order); callers bound the buffer (the column decoders hand over ~2 MB
    chunks). Returns ``(values in buffer order, count per segment)``; values
    are the narrowest unsigned dtype that fits (see :func:`varint_values`).

    Raises
    ------
    WireError
        A segment ends inside a varint, or holds one longer than 10 bytes or
        over 64 bits: ``index`` is ``owner`` of the segment, ``offset`` its first byte.
    """
    nseg = start.size
    counts = np.zeros(nseg, np.int64)
    if nseg == 0 or int(length.sum()) == 0:
        return np.zeros(0, np.uint64), counts
    nonempty = np.flatnonzero(length > 0)
    s0, ln = start[nonempty].astype(np.int64), length[nonempty].astype(np.int64)
    bad = buf[s0 + ln - 1] >= CONTINUATION
    if bad.any():
        i = int(np.argmax(bad))
        raise WireError("packed field ends inside a varint", int(owner[nonempty[i]]), int(s0[i]))
    values, counts[nonempty] = _decode_segments(buf, s0, ln, owner[nonempty])
    return values, counts


def _decode_segments(buf: np.ndarray, s0: np.ndarray, ln: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`decode_packed` on nonempty segments that end on a varint's last byte."""
    lo, hi = int(s0[0]), int(s0[-1] + ln[-1])
    region = buf[lo:hi]
    marks = np.zeros(region.size + 1, np.int8)
    marks[s0 - lo] = 1  # segments do not overlap: starts and ends are distinct
    marks[s0 - lo + ln] -= 1
    data = region[np.cumsum(marks[:-1], dtype=np.int8).view(bool)]
    ends = varint_ends(data).astype(np.int32)
    vlen = np.diff(ends, prepend=np.int32(-1))

    def segment_of(j: int) -> int:  # the segment holding varint j (for the error)
        i = int(np.searchsorted(np.cumsum(ln), int(ends[j]), side="right"))
        return min(i, s0.size - 1)

    if vlen.max(initial=1) > MAX_VARINT_BYTES:
        i = segment_of(int(np.argmax(vlen > MAX_VARINT_BYTES)))
        raise WireError("varint longer than 10 bytes", int(own[i]), int(s0[i]))
    values = varint_values(data, ends)  # (lengths checked above)
    if values is None:  # a 10-byte varint whose last byte is above 1: over 64 bits
        i = segment_of(int(np.argmax((vlen == MAX_VARINT_BYTES) & (data[ends] > 1))))
        raise WireError("varint overflows 64 bits", int(own[i]), int(s0[i]))
    upto = np.searchsorted(ends, np.cumsum(ln) - 1, side="right")
    return values, np.diff(upto, prepend=0)
