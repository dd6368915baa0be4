"""Vectorised protobuf wire decoding with numpy.

The samples of a profile are decoded column-wise: every sample message is
scanned at once, one field per step, so the cost is a few numpy passes instead
of one Python object per sample. Only the wire format is handled here
(varints, length-delimited fields, fixed 32/64-bit fields, packed or unpacked
repeated scalars); the meaning of the fields lives in :mod:`.proto`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_VARINT_BYTES = 10


class WireError(Exception):
    """Raised with ``(message, message_index, byte_offset)``; converted by the caller."""

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
    running past its ``limit`` (exclusive), longer than 10 bytes or over 64
    bits (a 10th byte above 1; protobuf-go's ``protowire`` rejects it too)
    makes the result None, or, with ``owner`` given, raises :class:`WireError`
    naming message ``owner[i]`` and the varint's first byte.
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
    more = np.flatnonzero(b >= 0x80)
    values = b.astype(np.uint64)
    counts = np.ones(n, np.int64)
    if more.size == 0:
        return values, counts
    values[more] &= np.uint64(0x7F)
    k = 1
    while more.size:
        if k == MAX_VARINT_BYTES:
            return fail("varint longer than 10 bytes", int(more[0]))
        p = pos[more] + k
        outside = p >= limit[more]
        if outside.any():
            return fail("truncated varint", int(more[np.argmax(outside)]))
        b = buf[p]
        if k == MAX_VARINT_BYTES - 1 and (b > 1).any():  # the 10th byte holds bit 63 only
            return fail("varint overflows 64 bits", int(more[np.argmax(b > 1)]))
        values[more] |= (b & 0x7F).astype(np.uint64) << np.uint64(7 * k)
        counts[more] += 1
        more = more[b >= 0x80]
        k += 1
    return values, counts


@dataclass
class Fields:
    """One row per field occurrence found by :func:`scan_fields` (in message, then wire order)."""

    msg: np.ndarray  # index of the owning message
    step: np.ndarray  # occurrence number within the message (wire order)
    field: np.ndarray  # field number
    wire: np.ndarray  # wire type
    value: np.ndarray  # varint value (wire type 0), else 0
    start: np.ndarray  # payload start: the varint itself (wt 0) or the bytes (wt 2)
    length: np.ndarray  # payload length in bytes


def scan_fields(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Fields:
    """Scan the fields of every message ``buf[starts[i]:ends[i]]`` at once.

    One vectorised step per field position; each step's rows are then placed
    directly at ``offset[message] + step`` (no sort), with narrow dtypes.
    """
    n = starts.size
    pos = starts.astype(np.int64).copy()
    ends = ends.astype(np.int64)
    pt = np.int32 if buf.size < 2**31 else np.int64
    active = np.flatnonzero(pos < ends)
    parts: list[tuple[np.ndarray, ...]] = []
    per_msg = np.zeros(n, np.int64)
    step = 0
    while active.size:
        p, e = pos[active], ends[active]
        tag, tlen = read_varints(buf, p, e, active)
        field = (tag >> np.uint64(3)).astype(np.int32)
        wire = (tag & np.uint64(7)).astype(np.int8)
        p = p + tlen
        value = np.zeros(active.size, np.uint64)
        start = p.copy()
        length = np.zeros(active.size, np.int64)
        bad = ~np.isin(wire, (0, 1, 2, 5))
        if bad.any() or (field == 0).any():
            i = int(np.flatnonzero(bad | (field == 0))[0])
            raise WireError(f"invalid wire type {int(wire[i])} / field {int(field[i])}", int(active[i]), int(start[i] - tlen[i]))
        m0 = wire == 0
        if m0.any():
            v, vl = read_varints(buf, p[m0], e[m0], active[m0])
            value[m0] = v
            length[m0] = vl
        m2 = wire == 2
        if m2.any():
            v, vl = read_varints(buf, p[m2], e[m2], active[m2])
            start[m2] = p[m2] + vl
            room = (e[m2] - start[m2]).astype(np.uint64)  # bytes left in the message (>= 0)
            if (v > room).any():  # compared as uint64: a length >= 2**63 must not turn negative
                i = int(np.flatnonzero(m2)[np.argmax(v > room)])
                raise WireError(f"field {int(field[i])} (length {int(v[np.argmax(v > room)])}) runs past the end "
                                "of its message", int(active[i]), int(p[i]))
            length[m2] = v.astype(np.int64)
        length[wire == 1] = 8
        length[wire == 5] = 4
        new_pos = start + length
        over = new_pos > e
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise WireError(f"field {int(field[i])} runs past the end of its message", int(active[i]), int(p[i]))
        parts.append((active.astype(np.int32), field, wire, value, start.astype(pt), length.astype(pt)))
        per_msg[active] += 1
        pos[active] = new_pos
        active = active[new_pos < e]
        step += 1
    total = int(per_msg.sum())
    offset = np.cumsum(per_msg) - per_msg
    out = Fields(np.empty(total, np.int32), np.empty(total, np.int32), np.empty(total, np.int32),
                 np.empty(total, np.int8), np.empty(total, np.uint64), np.empty(total, pt), np.empty(total, pt))
    for k, (msg, field, wire, value, start, length) in enumerate(parts):
        at = offset[msg] + k  # messages are active in a prefix of steps, so step k is row k of the message
        out.msg[at], out.step[at], out.field[at], out.wire[at] = msg, k, field, wire
        out.value[at], out.start[at], out.length[at] = value, start, length
    return out


def decode_packed(buf: np.ndarray, start: np.ndarray, length: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode byte segments that each hold whole varints.

    Segments must not overlap and must be in buffer order (fields are in wire
    order); callers bound the buffer (``_columns`` hands over ~2 MB chunks).
    Returns ``(values in buffer order, count per segment)``; values are the
    narrowest unsigned dtype that fits (see :func:`varint_values`).
    """
    nseg = start.size
    counts = np.zeros(nseg, np.int64)
    if nseg == 0 or int(length.sum()) == 0:
        return np.zeros(0, np.uint64), counts
    nonempty = np.flatnonzero(length > 0)
    s0, ln = start[nonempty].astype(np.int64), length[nonempty].astype(np.int64)
    bad = buf[s0 + ln - 1] >= 0x80
    if bad.any():
        i = int(np.argmax(bad))
        raise WireError("packed field ends inside a varint", int(owner[nonempty[i]]), int(s0[i]))
    values, counts[nonempty] = _decode_segments(buf, s0, ln, owner[nonempty])
    return values, counts


def _decode_segments(buf: np.ndarray, s0: np.ndarray, ln: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = int(s0[0]), int(s0[-1] + ln[-1])
    region = buf[lo:hi]
    marks = np.zeros(region.size + 1, np.int8)
    marks[s0 - lo] = 1  # segments do not overlap: starts and ends are distinct
    marks[s0 - lo + ln] -= 1
    data = region[np.cumsum(marks[:-1], dtype=np.int8).view(bool)]
    ends = np.flatnonzero(data < 0x80).astype(np.int32)
    vlen = np.diff(ends, prepend=np.int32(-1))
    if vlen.max(initial=1) > MAX_VARINT_BYTES:
        j = int(np.argmax(vlen > MAX_VARINT_BYTES))
        i = int(np.searchsorted(np.cumsum(ln), int(ends[j]), side="right"))
        raise WireError("varint longer than 10 bytes", int(own[min(i, own.size - 1)]), int(s0[min(i, s0.size - 1)]))
    values = varint_values(data, ends)  # (lengths checked above)
    if values is None:  # a 10-byte varint whose last byte is above 1: over 64 bits
        j = int(np.argmax((vlen == MAX_VARINT_BYTES) & (data[ends] > 1)))
        i = int(np.searchsorted(np.cumsum(ln), int(ends[j]), side="right"))
        raise WireError("varint overflows 64 bits", int(own[min(i, own.size - 1)]), int(s0[min(i, s0.size - 1)]))
    upto = np.searchsorted(ends, np.cumsum(ln) - 1, side="right")
    return values, np.diff(upto, prepend=0)


def _two_byte_table() -> np.ndarray:
    """Value of a varint of at most two bytes, indexed by ``byte_before | last_byte << 8``."""
    x = np.arange(1 << 16)
    last, before = x >> 8, x & 0xFF
    return np.where(before >= 0x80, (last << 7) | (before & 0x7F), last).astype(np.uint16)


_TWO_BYTE = _two_byte_table()


def varint_values(data: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """Values of the back-to-back varints of ``data`` (uint8), given each one's last byte.

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
    size = data.size
    if end.size == 0:
        return np.zeros(0, np.uint16)
    pad = MAX_VARINT_BYTES  # zero bytes in front: every varint has ten bytes before it
    padded = np.empty(size + pad, np.uint8)
    padded[:pad] = 0
    padded[pad:] = data
    # the four bytes ending at each varint's last byte, as one little-endian uint32
    quads = np.ndarray((size,), "<u4", buffer=padded, offset=pad - 3, strides=(1,))
    w = np.take(quads, end)
    val = np.take(_TWO_BYTE, w >> np.uint32(16))
    longer = np.flatnonzero((w & np.uint32(0x808000)) == 0x808000)  # bytes e-1 and e-2 both continue: 3+ bytes
    if longer.size == 0:
        return val
    w = w[longer]
    acc = val[longer].astype(np.uint32)
    acc <<= np.uint32(7)
    acc |= (w >> np.uint32(8)) & np.uint32(0x7F)  # byte e-2
    four = np.flatnonzero(w & np.uint32(0x80))  # byte e-3 belongs too: 4+ bytes
    if four.size:
        a4 = acc[four] << np.uint32(7)
        a4 |= w[four] & np.uint32(0x7F)
        last = end[longer[four]] + pad
        five = np.flatnonzero(padded[last - 4] >= 0x80)  # 5+ bytes (large values, negative numbers)
        if five.size:
            a4 = a4.astype(np.uint64)
            last = last[five]
            a = a4[five]
            sub = np.arange(five.size)
            j = 4
            while sub.size:
                if j >= MAX_VARINT_BYTES:
                    return None
                if j == MAX_VARINT_BYTES - 1 and (padded[last[sub]] > 1).any():
                    return None  # a 10-byte varint whose last byte (bit 63 and up) is above 1
                a[sub] = (a[sub] << np.uint64(7)) | (padded[last[sub] - j] & 0x7F)
                j += 1
                sub = sub[padded[last[sub] - j] >= 0x80]
            a4[five] = a
            acc = acc.astype(np.uint64)
        acc[four] = a4
    if acc.dtype == np.uint64 and int(acc.max()) < 2**32:
        acc = acc.astype(np.uint32)
    val = val.astype(acc.dtype)
    val[longer] = acc
    return val


class ScanTable:
    """The fields of messages ``buf[starts[i]:ends[i]]``, for any valid encoding.

    The general counterpart of :class:`pprof_parse.read._tokens.TokenTable`,
    with the same queries. ``top`` maps each message to the top-level message
    that holds it, so a :class:`WireError` names the message a user can find
    (its offset stays the byte in ``buf``).
    """

    def __init__(self, buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, top: np.ndarray | None = None):
        self.buf = buf
        self.n = starts.size
        self.top = np.arange(self.n) if top is None else top
        try:
            self.fl = scan_fields(buf, starts, ends)
        except WireError as e:
            raise WireError(e.message, int(self.top[e.index]), e.offset) from None

    def _pick(self, field: int, wires: tuple[int, ...], what: str) -> np.ndarray:
        fl = self.fl
        m = fl.field == field
        bad = m & ~np.isin(fl.wire, wires)
        if bad.any():
            i = int(np.argmax(bad))
            raise WireError(f"field {field} ({what}) has wire type {int(fl.wire[i])}", int(self.top[fl.msg[i]]), int(fl.start[i]))
        return m

    def scalar(self, field: int) -> np.ndarray:
        """The varint ``field`` of each message as uint64 (0 when absent; the last occurrence wins)."""
        idx = np.flatnonzero(self._pick(field, (0,), "a varint"))
        msg = self.fl.msg[idx]
        last = np.ones(idx.size, bool)  # rows are in message, then wire order: keep each message's last
        last[:-1] = msg[1:] != msg[:-1]
        out = np.zeros(self.n, np.uint64)
        out[msg[last]] = self.fl.value[idx[last]]
        return out

    def repeated(self, field: int) -> tuple[np.ndarray, np.ndarray]:
        """Elements of a repeated varint field (packed or not) in wire order, and a count per message."""
        m = self._pick(field, (0, 2), "repeated varints")
        owners = self.fl.msg[m]
        try:
            values, counts = decode_packed(self.buf, self.fl.start[m], self.fl.length[m], owners)
        except WireError as e:
            raise WireError(e.message, int(self.top[e.index]), e.offset) from None
        per_msg = np.bincount(owners, weights=counts, minlength=self.n).astype(np.int64) if owners.size else np.zeros(self.n, np.int64)
        return values, per_msg

    def nested(self, field: int) -> tuple[np.ndarray, "ScanTable"]:
        """``(owner, table)`` of the sub-messages in ``field``, in wire order."""
        m = self._pick(field, (2,), "a message")
        owner = self.fl.msg[m]
        start = self.fl.start[m].astype(np.int64)
        return owner, ScanTable(self.buf, start, start + self.fl.length[m], self.top[owner])
