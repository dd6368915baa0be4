"""Distinct rows of a batch with numpy: each row a fixed part and a variable-length run of items.

A batch of profiles repeats its symbols many times (every window of one program has
the same functions, locations and stacks); :func:`distinct` finds the distinct ones so
that the Python work of naming them (:class:`~.rows.SymbolIds`) is done once per
distinct symbol, not once per occurrence. Rows are hashed (splitmix64, whole-array
passes) and then compared item by item with the first row of their hash, so the answer
is exact; a hash collision (never seen) falls back to Python tuples.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser of ``x`` (uint64, wrapping arithmetic)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _row_hash(cols: np.ndarray) -> np.ndarray:
    """A hash of each row of the 2-D int64 ``cols``."""
    h = np.zeros(cols.shape[0], np.uint64)
    for k in range(cols.shape[1]):
        h = _mix(h ^ cols[:, k].view(np.uint64))
    return h


class Distinct(NamedTuple):
    """``first``: the first row of each distinct value, in order of first occurrence;
    ``inverse``: for each row, the index of its value in ``first``."""

    first: np.ndarray
    inverse: np.ndarray


def distinct(heads: np.ndarray, offsets: np.ndarray | None = None, items: np.ndarray | None = None) -> Distinct:
    """The distinct rows of a batch.

    Row ``i`` is ``heads[i]`` (a row of the 2-D int64 ``heads``, shape ``(n, h)``, h >= 0)
    followed by the items ``items[offsets[i]:offsets[i + 1]]`` (rows of the 2-D int64
    ``items``; ``offsets`` int64 of length n + 1); without ``offsets``, rows are their heads.
    Two rows are equal when their heads and their item runs are equal.
    """
    n = heads.shape[0]
    if offsets is None:
        offsets, items = np.zeros(n + 1, np.int64), np.zeros((0, 1), np.int64)
    lengths = np.diff(offsets)
    h = _mix(_row_hash(heads) ^ lengths.view(np.uint64))
    if items.shape[0]:
        pos = np.arange(items.shape[0], dtype=np.int64) - np.repeat(offsets[:-1], lengths)
        ih = _mix(_row_hash(items) ^ _mix(pos.view(np.uint64)))
        cs = np.concatenate((np.zeros(1, np.uint64), np.cumsum(ih, dtype=np.uint64)))
        h = _mix(h ^ (cs[offsets[1:]] - cs[offsets[:-1]]))
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, np.int64)
    rank[order] = np.arange(order.size)
    out = Distinct(first[order], rank[inverse.reshape(-1)])
    if not _all_equal_to_first(out, heads, offsets, lengths, items):
        return _distinct_by_tuples(heads, offsets, items)
    return out


def _all_equal_to_first(d: Distinct, heads: np.ndarray, offsets: np.ndarray, lengths: np.ndarray,
                        items: np.ndarray) -> bool:
    """Whether every row equals the first row of its hash (no collision)."""
    rep = d.first[d.inverse]
    if not (heads[rep] == heads).all() or not (lengths[rep] == lengths).all():
        return False
    if not items.shape[0]:
        return True
    same = np.repeat(offsets[rep] - offsets[:-1], lengths) + np.arange(items.shape[0], dtype=np.int64)
    return bool((items[same] == items).all())


def _distinct_by_tuples(heads: np.ndarray, offsets: np.ndarray, items: np.ndarray) -> Distinct:
    """:func:`distinct` with Python tuples (exact whatever the hashes)."""
    seen: dict[tuple, int] = {}
    first, inverse = [], []
    hl, il, off = heads.tolist(), items.tolist(), offsets.tolist()
    for i, head in enumerate(hl):
        key = (tuple(head), tuple(map(tuple, il[off[i]:off[i + 1]])))
        k = seen.setdefault(key, len(seen))
        if k == len(first):
            first.append(i)
        inverse.append(k)
    return Distinct(np.asarray(first, np.int64), np.asarray(inverse, np.int64))
