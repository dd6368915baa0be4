"""Fast path for messages made only of varints: decode the bytes as one varint stream.

Every message of profile.proto except the top level and the string table
holds nothing but varints: ``Sample`` (packed ids and values, ``Label``
messages of four varint fields), ``Location`` (with nested ``Line``
messages), ``Function`` and ``Mapping``. Their concatenated bytes are thus a
stream of varints ("tokens"): every byte below 0x80 ends one. This module
decodes all tokens of a region in a few whole-array numpy passes and then
walks the field structure on token indices, one vectorised step per field
position, so no per-message Python work is done.

Anything that does not fit that shape (a fixed-width or string field, a
length that ends inside a varint, a message ending inside a varint, a varint
over ten bytes) raises :class:`NotTokens`; the caller then uses the general
field scanner (:class:`pprof_parse.read._wire.ScanTable`), which handles
every valid encoding and names the byte of a broken one. Both classes offer
the same three queries: ``scalar``, ``repeated`` and ``nested``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..proto.wire import CONTINUATION, LEN, VARINT, varint_values


class NotTokens(Exception):
    """The bytes are not a plain varint stream of the expected shape."""


class Tokens(NamedTuple):
    """The varints of a region: last byte and value of each, and a byte -> token map.

    ``before[p]`` is the number of varints ending before byte ``p``; it is
    only valid (and only written) where ``p`` is a varint boundary, i.e.
    ``p == 0`` or ``is_end[p - 1]``; callers check that first.
    """

    end: np.ndarray
    val: np.ndarray
    before: np.ndarray
    is_end: np.ndarray


def tokenize(region: np.ndarray) -> Tokens:
    """Split ``region`` (uint8) into varints.

    Values come from :func:`pprof_parse.proto.wire.varint_values` (uint16, uint32 or
    uint64, whichever the longest varint needs).

    Raises
    ------
    NotTokens
        The region ends inside a varint, or a varint is longer than 10 bytes
        or over 64 bits.
    """
    size = region.size
    is_end = region < CONTINUATION  # (the last byte of a varint)
    end = np.flatnonzero(is_end)
    if size and (end.size == 0 or end[-1] != size - 1):
        raise NotTokens
    it = np.int32 if size < 2**31 else np.int64
    before = np.empty(size + 1, it)  # only boundaries are written (and read)
    before[0] = 0
    before[1:][end] = np.arange(1, end.size + 1, dtype=it)
    if end.size == 0:
        return Tokens(end, np.zeros(0, np.uint16), before, is_end)
    val = varint_values(region, end)
    if val is None:
        raise NotTokens
    return Tokens(end, val, before, is_end)


class _Step(NamedTuple):
    """The fields found at one position of the messages still active at that step."""

    msg: np.ndarray  # owning message
    field: np.ndarray
    wire: np.ndarray
    start: np.ndarray  # first payload token
    count: np.ndarray  # payload tokens (1 for a varint field)


class TokenTable:
    """The fields of messages spanning tokens ``first[i]:stop[i]`` of ``tok``.

    Built with :meth:`from_bytes` (message byte spans) or by :meth:`nested`.
    """

    def __init__(self, tok: Tokens, first: np.ndarray, stop: np.ndarray):
        self.tok = tok
        self.n = first.size
        self.steps = _walk(tok, first, stop)

    @classmethod
    def from_bytes(cls, region: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> "TokenTable":
        """Messages ``region[starts[i]:ends[i]]``; raises :class:`NotTokens` if the shape does not fit."""
        tok = tokenize(region)
        nonempty = ends > starts
        if (region[ends[nonempty] - 1] >= CONTINUATION).any():
            raise NotTokens  # a message ends inside a varint (then starts are boundaries too)
        return cls(tok, tok.before[starts], tok.before[ends])

    def _records(self, field: int, wire: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(message, first token, token count)`` of every occurrence of ``field``, in wire order."""
        picked = []
        for st in self.steps:
            m = st.field == field
            if m.any():
                if wire is not None and (st.wire[m] != wire).any():
                    raise NotTokens  # the general scanner reports it
                picked.append((st.msg[m], st.start[m], st.count[m]))
        if not picked:
            z = np.zeros(0, np.int64)
            return z, z, z
        if len(picked) == 1:
            return picked[0]
        msg, start, count = (np.concatenate(x) for x in zip(*picked))
        order = np.argsort(start, kind="stable")  # occurrences at several positions: back to wire order
        return msg[order], start[order], count[order]

    def scalar(self, field: int) -> np.ndarray:
        """The varint ``field`` of each message as uint64 (0 when absent; the last occurrence wins)."""
        out = np.zeros(self.n, np.uint64)
        for st in self.steps:  # steps are in wire order: a later occurrence overwrites
            m = st.field == field
            if m.any():
                if (st.wire[m] != VARINT).any():
                    raise NotTokens
                out[st.msg[m]] = self.tok.val[st.start[m]]
        return out

    def repeated(self, field: int) -> tuple[np.ndarray, np.ndarray]:
        """Elements of a repeated varint field (packed or not) in wire order, and a count per message."""
        msg, start, count = self._records(field)
        val = self.tok.val
        counts = np.bincount(msg, weights=count, minlength=self.n).astype(np.int64) if msg.size else np.zeros(self.n, np.int64)
        total = int(count.sum())
        if total == 0:
            return np.zeros(0, val.dtype), counts
        if (count == count[0]).all():  # e.g. every sample has its values in one packed field
            return val[(start[:, None] + np.arange(int(count[0]))).ravel()], counts
        it = np.int32 if val.size < 2**31 else np.int64
        shift = (start - (np.cumsum(count) - count)).astype(it)  # element k of a record is token shift + k
        return val[np.repeat(shift, count) + np.arange(total, dtype=it)], counts

    def nested(self, field: int) -> tuple[np.ndarray, "TokenTable"]:
        """``(owner, table)`` of the sub-messages in ``field``, in wire order."""
        msg, start, count = self._records(field, wire=LEN)
        return msg, TokenTable(self.tok, start, start + count)


def _walk(tok: Tokens, first: np.ndarray, stop: np.ndarray) -> list[_Step]:
    """One :class:`_Step` per field position over messages spanning tokens ``first[i]:stop[i]``."""
    size = tok.before.size - 1
    cur = first.astype(np.int64)
    stop = stop.astype(np.int64)
    active = np.flatnonzero(cur < stop)
    steps = []
    while active.size:
        c, e = cur[active], stop[active]
        tag = tok.val[c]
        field = (tag >> tag.dtype.type(3)).astype(np.int64)
        wire = (tag & tag.dtype.type(7)).astype(np.int8)
        if ((wire != VARINT) & (wire != LEN)).any() or (field == 0).any() or (c + 1 >= e).any():
            raise NotTokens
        start = c + 1
        count = np.ones(c.size, np.int64)
        nxt = c + 2
        m2 = np.flatnonzero(wire == LEN)
        if m2.size:
            ln_tok = start[m2]
            raw_len = tok.val[ln_tok]
            if (raw_len > size).any():  # (unsigned: checked before the cast, so >= 2**63 cannot turn negative)
                raise NotTokens
            pay_end = tok.end[ln_tok] + 1 + raw_len.astype(np.int64)  # exclusive; must be a token boundary inside the message
            if (pay_end > size).any() or not tok.is_end[pay_end - 1].all():
                raise NotTokens
            t = tok.before[pay_end]  # the first token after the payload
            if (t > e[m2]).any():
                raise NotTokens
            start[m2] = ln_tok + 1
            count[m2] = t - (ln_tok + 1)
            nxt[m2] = t
        steps.append(_Step(active, field, wire, start, count))
        cur[active] = nxt
        active = active[nxt < e]
    return steps
