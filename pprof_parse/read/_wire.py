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


def varints_at(buf: np.ndarray, pos: np.ndarray, end: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode one varint at each position; return ``(values uint64, lengths)``.

    ``end`` bounds each read (exclusive); ``owner`` names the message of each
    position for error reporting.
    """
    if pos.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    k = np.arange(MAX_VARINT_BYTES, dtype=np.int64)
    idx = pos[:, None] + k[None, :]
    inside = idx < end[:, None]
    b = buf[np.minimum(idx, buf.size - 1)]
    b = np.where(inside, b, 0x80)  # outside bytes never terminate
    term = b < 0x80
    has_term = term.any(axis=1)
    if not has_term.all():
        i = int(np.flatnonzero(~has_term)[0])
        raise WireError("truncated or overlong varint", int(owner[i]), int(pos[i]))
    length = term.argmax(axis=1) + 1
    contrib = (b & 0x7F).astype(np.uint64) << (7 * k).astype(np.uint64)[None, :]
    contrib[k[None, :] >= length[:, None]] = 0
    return np.bitwise_or.reduce(contrib, axis=1), length.astype(np.int64)


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
    """Scan the fields of every message ``buf[starts[i]:ends[i]]`` at once."""
    n = starts.size
    pos = starts.astype(np.int64).copy()
    ends = ends.astype(np.int64)
    active = np.flatnonzero(pos < ends)
    parts: list[tuple[np.ndarray, ...]] = []
    step = 0
    while active.size:
        p, e = pos[active], ends[active]
        tag, tlen = varints_at(buf, p, e, active)
        field = (tag >> np.uint64(3)).astype(np.int64)
        wire = (tag & np.uint64(7)).astype(np.int64)
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
            v, vl = varints_at(buf, p[m0], e[m0], active[m0])
            value[m0] = v
            length[m0] = vl
        m2 = wire == 2
        if m2.any():
            v, vl = varints_at(buf, p[m2], e[m2], active[m2])
            start[m2] = p[m2] + vl
            length[m2] = v.astype(np.int64)
            if (v > np.uint64(1 << 62)).any():
                i = int(np.flatnonzero(m2)[np.argmax(v > np.uint64(1 << 62))])
                raise WireError("length-delimited field too long", int(active[i]), int(p[i]))
        length[wire == 1] = 8
        length[wire == 5] = 4
        new_pos = start + length
        over = new_pos > e
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise WireError(f"field {int(field[i])} runs past the end of its message", int(active[i]), int(p[i]))
        parts.append((active, np.full(active.size, step, np.int64), field, wire, value, start, length))
        pos[active] = new_pos
        active = active[new_pos < e]
        step += 1
    if not parts:
        z = np.zeros(0, np.int64)
        return Fields(z, z, z, z, np.zeros(0, np.uint64), z, z)
    cols = [np.concatenate(c) for c in zip(*parts)]
    order = np.lexsort((cols[1], cols[0]))  # by message, then wire order
    return Fields(*(c[order] for c in cols))


def gather_segments(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Concatenate the byte ranges ``buf[start[i]:start[i]+length[i]]``."""
    total = int(length.sum())
    if total == 0:
        return np.zeros(0, np.uint8)
    seg_off = np.cumsum(length) - length
    idx = np.arange(total, dtype=np.int64) + np.repeat(start - seg_off, length)
    return buf[idx]


def decode_packed(buf: np.ndarray, start: np.ndarray, length: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode segments that each hold whole varints; return ``(values uint64, count per segment)``."""
    data = gather_segments(buf, start, length)
    if data.size == 0:
        return np.zeros(0, np.uint64), np.zeros(start.size, np.int64)
    term = data < 0x80
    seg_end = np.cumsum(length) - 1
    nonempty = length > 0
    if not term[seg_end[nonempty]].all():
        i = int(np.flatnonzero(nonempty)[np.argmin(term[seg_end[nonempty]])])
        raise WireError("packed field ends inside a varint", int(owner[i]), int(start[i]))
    ends = np.flatnonzero(term)
    vstart = np.empty_like(ends)
    vstart[0] = 0
    vstart[1:] = ends[:-1] + 1
    vlen = ends - vstart + 1
    if (vlen > MAX_VARINT_BYTES).any():
        i = int(np.argmax(vlen > MAX_VARINT_BYTES))
        seg = int(np.searchsorted(np.cumsum(length), vstart[i], side="right"))
        raise WireError("varint longer than 10 bytes", int(owner[seg]), int(start[seg]))
    gid = np.repeat(np.arange(ends.size), vlen)
    within = np.arange(data.size) - np.repeat(vstart, vlen)
    contrib = (data & 0x7F).astype(np.uint64) << (7 * within).astype(np.uint64)
    values = np.bitwise_or.reduceat(contrib, vstart) if ends.size else np.zeros(0, np.uint64)
    del gid
    csum = np.concatenate(([0], np.cumsum(term)))
    seg_starts = np.cumsum(length) - length
    counts = csum[seg_starts + length] - csum[seg_starts]
    return values, counts.astype(np.int64)
