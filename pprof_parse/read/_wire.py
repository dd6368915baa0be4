"""The general field scanner: the fields of many protobuf messages at once, with numpy.

Every message is scanned at once, one field position per step, so the cost
is a few numpy passes instead of one Python object per message. Any valid
encoding is handled (varint, length-delimited and fixed 32/64-bit fields,
packed or unpacked repeated scalars) and a broken one is reported with its
byte; the varints themselves are read by :mod:`pprof_parse.proto.wire`, the
meaning of the fields lives in :mod:`._columns`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..proto.wire import FIXED_SIZE, I32, I64, LEN, VARINT, WIRE_TYPES, WireError, decode_packed, read_varints


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

    One vectorised step per field position (:func:`_scan_step`); each step's
    rows are then placed directly at ``offset[message] + step`` (no sort),
    with narrow dtypes.

    Raises
    ------
    WireError
        A broken field, naming the message (index in ``starts``) and the byte.
    """
    pos = starts.astype(np.int64).copy()
    ends = ends.astype(np.int64)
    pt = np.int32 if buf.size < 2**31 else np.int64
    active = np.flatnonzero(pos < ends)
    steps: list[tuple[np.ndarray, ...]] = []
    per_msg = np.zeros(starts.size, np.int64)
    while active.size:
        field, wire, value, start, length = _scan_step(buf, pos[active], ends[active], active)
        steps.append((active.astype(np.int32), field, wire, value, start.astype(pt), length.astype(pt)))
        per_msg[active] += 1
        new_pos = start + length
        pos[active] = new_pos
        active = active[new_pos < ends[active]]
    return _fields_in_message_order(steps, per_msg, pt)


def _scan_step(buf: np.ndarray, p: np.ndarray, e: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(field, wire, value, payload start, payload length)`` of the field at ``p`` of each message
    ``active`` (ending at ``e``), checked to lie inside its message."""
    tag, tlen = read_varints(buf, p, e, active)
    field = (tag >> np.uint64(3)).astype(np.int32)
    wire = (tag & np.uint64(7)).astype(np.int8)
    p = p + tlen
    value = np.zeros(active.size, np.uint64)
    start = p.copy()
    length = np.zeros(active.size, np.int64)
    bad = ~np.isin(wire, WIRE_TYPES)
    if bad.any() or (field == 0).any():
        i = int(np.flatnonzero(bad | (field == 0))[0])
        raise WireError(f"invalid wire type {int(wire[i])} / field {int(field[i])}", int(active[i]), int(start[i] - tlen[i]))
    m0 = wire == VARINT
    if m0.any():
        v, vl = read_varints(buf, p[m0], e[m0], active[m0])
        value[m0] = v
        length[m0] = vl
    m2 = wire == LEN
    if m2.any():
        v, vl = read_varints(buf, p[m2], e[m2], active[m2])
        start[m2] = p[m2] + vl
        room = (e[m2] - start[m2]).astype(np.uint64)  # bytes left in the message (>= 0)
        if (v > room).any():  # compared as uint64: a length >= 2**63 must not turn negative
            i = int(np.flatnonzero(m2)[np.argmax(v > room)])
            raise WireError(f"field {int(field[i])} (length {int(v[np.argmax(v > room)])}) runs past the end "
                            "of its message", int(active[i]), int(p[i]))
        length[m2] = v.astype(np.int64)
    for wt in (I64, I32):
        length[wire == wt] = FIXED_SIZE[wt]
    over = start + length > e
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise WireError(f"field {int(field[i])} runs past the end of its message", int(active[i]), int(p[i]))
    return field, wire, value, start, length


def _fields_in_message_order(steps: list[tuple[np.ndarray, ...]], per_msg: np.ndarray, pt) -> Fields:
    """The rows of every step, message by message (each message's fields in wire order)."""
    total = int(per_msg.sum())
    offset = np.cumsum(per_msg) - per_msg
    out = Fields(np.empty(total, np.int32), np.empty(total, np.int32), np.empty(total, np.int32),
                 np.empty(total, np.int8), np.empty(total, np.uint64), np.empty(total, pt), np.empty(total, pt))
    for k, (msg, field, wire, value, start, length) in enumerate(steps):
        at = offset[msg] + k  # messages are active in a prefix of steps, so step k is row k of the message
        out.msg[at], out.step[at], out.field[at], out.wire[at] = msg, k, field, wire
        out.value[at], out.start[at], out.length[at] = value, start, length
    return out


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
        idx = np.flatnonzero(self._pick(field, (VARINT,), "a varint"))
        msg = self.fl.msg[idx]
        last = np.ones(idx.size, bool)  # rows are in message, then wire order: keep each message's last
        last[:-1] = msg[1:] != msg[:-1]
        out = np.zeros(self.n, np.uint64)
        out[msg[last]] = self.fl.value[idx[last]]
        return out

    def repeated(self, field: int) -> tuple[np.ndarray, np.ndarray]:
        """Elements of a repeated varint field (packed or not) in wire order, and a count per message."""
        m = self._pick(field, (VARINT, LEN), "repeated varints")
        owners = self.fl.msg[m]
        try:
            values, counts = decode_packed(self.buf, self.fl.start[m], self.fl.length[m], owners)
        except WireError as e:
            raise WireError(e.message, int(self.top[e.index]), e.offset) from None
        per_msg = np.bincount(owners, weights=counts, minlength=self.n).astype(np.int64) if owners.size else np.zeros(self.n, np.int64)
        return values, per_msg

    def nested(self, field: int) -> tuple[np.ndarray, "ScanTable"]:
        """``(owner, table)`` of the sub-messages in ``field``, in wire order."""
        m = self._pick(field, (LEN,), "a message")
        owner = self.fl.msg[m]
        start = self.fl.start[m].astype(np.int64)
        return owner, ScanTable(self.buf, start, start + self.fl.length[m], self.top[owner])
