"""The fast path of :mod:`.delays`: the intervals of a ``go tool trace -pprof=KIND`` profile with
numpy, in memory bounded by :data:`CHUNK_ROWS` rather than by the trace.

The goroutine state transitions are taken a group of goroutines at a time (by id, about
:data:`CHUNK_ROWS` transitions a group; a goroutine with more is a group of its own, read a
chunk of the trace at a time). Each group is read twice: once for its goroutines' lifetimes,
once for the intervals, in windows of rows ordered by goroutine then time. An interval still
open at the end of a window has its run carried into the next window, so every interval is
found once, with the whole run that opened it. The rules are :mod:`.delays`'.
"""

from __future__ import annotations

import numpy as np

from pprof_parse.runtime.trace import spec

__all__ = ["CHUNK_ROWS", "stack_totals"]

#: transitions handled at once (bounds the temporaries: about 60 bytes a transition)
CHUNK_ROWS = 1 << 20
# codes of the store's from_state/to_state columns (events.STATES)
_NOT_EXIST, _RUNNING, _WAITING = 1, 3, 4
_TRANSITION_TYPES = sorted(t for t, k in spec.KINDS.items() if k == "StateTransition")


def stack_totals(store, target: int, opens: np.ndarray, forever: int):
    """Per stack id of an event that opened a kept interval: ``(stack, count, delay, first, last)``,
    where first/last number the stack's first and last interval in goroutine-id, then time order.

    ``target`` is the state code of the kind, ``opens[reason code]`` whether a transition with
    that reason opens an interval (the last entry: no reason), ``forever`` the string id of the
    reason ``forever`` (-2 if the trace has none).
    """
    end_of_trace = int(store.raw("time")[-1]) if len(store) else 0
    mask = _goroutine_transition_mask(store)
    parts, seen = [], 0
    for chunks, gids in _groups(store, mask):
        life = _lifetimes(store, chunks(), gids, forever, end_of_trace)
        tail = np.zeros(0, np.int64)
        for rows in chunks():
            delay, stack, tail = _window(store, np.concatenate((tail, rows)), target, opens, gids, life)
            parts.append(_totals(stack, delay, seen))
            seen += len(stack)
    return _merge_totals(parts)


def _goroutine_transition_mask(store) -> np.ndarray:
    """Whether each row is a goroutine's state transition."""
    is_transition = np.zeros(spec.SYNC + 1, bool)
    is_transition[_TRANSITION_TYPES] = True
    mask = is_transition[store.raw("type")]
    mask &= store.raw("resource") == 0
    return mask


def goroutine_transitions(store) -> np.ndarray:
    """The rows of the goroutines' state transitions, increasing."""
    return np.flatnonzero(_goroutine_transition_mask(store))


def _goroutine_counts(ids: np.ndarray, mask: np.ndarray):
    """The goroutine ids with a transition (increasing) and how many each has."""
    found = [np.unique(ids[lo:lo + CHUNK_ROWS][mask[lo:lo + CHUNK_ROWS]], return_counts=True)
             for lo in range(0, len(ids), CHUNK_ROWS)]
    if not found:
        return np.zeros(0, ids.dtype), np.zeros(0, np.int64)
    gids, inverse = np.unique(np.concatenate([f[0] for f in found]), return_inverse=True)
    counts = np.bincount(inverse, weights=np.concatenate([f[1] for f in found]), minlength=len(gids))
    return gids, counts.astype(np.int64)


def _groups(store, mask: np.ndarray):
    """Yield ``(chunks, gids)``: ``chunks()`` iterates over the group's transition rows in
    goroutine, then time order, a chunk at a time; ``gids`` the group's goroutine ids."""
    ids = store.raw("id")
    gids, counts = _goroutine_counts(ids, mask)
    lo, total = 0, 0
    for k, c in enumerate(counts.tolist() + [None]):
        if c is not None and (total == 0 or total + c <= CHUNK_ROWS):
            total += c
            continue
        if lo < k:
            yield _chunks_of(ids, mask, gids[lo:k], total), gids[lo:k]
        lo, total = k, c


def _chunks_of(ids, mask, gids, total: int):
    """The chunk iterator of one group (see :func:`_groups`)."""
    def one_chunk():
        rows = np.flatnonzero(mask & (ids >= gids[0]) & (ids <= gids[-1]))
        yield rows[np.argsort(ids[rows], kind="stable")]

    def by_trace_chunks():  # one goroutine with more than CHUNK_ROWS transitions
        for lo in range(0, len(ids), CHUNK_ROWS):
            rows = np.flatnonzero(mask[lo:lo + CHUNK_ROWS] & (ids[lo:lo + CHUNK_ROWS] == gids[0])) + lo
            if len(rows):
                yield rows
    return by_trace_chunks if len(gids) == 1 and total > CHUNK_ROWS else one_chunk


def _firsts(group: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The first of ``idx`` (increasing row numbers) in each run of equal ``group`` values."""
    keep = np.ones(len(idx), bool)
    keep[1:] = group[idx[1:]] != group[idx[:-1]]
    return idx[keep]


def _lasts(group: np.ndarray, idx: np.ndarray) -> np.ndarray:
    keep = np.ones(len(idx), bool)
    keep[:-1] = group[idx[1:]] != group[idx[:-1]]
    return idx[keep]


def _lifetimes(store, chunks, gids: np.ndarray, forever: int, end_of_trace: int):
    """Per goroutine of ``gids``: registered (bool), and the summary's [StartTime, end] window --
    its first move into Running (0: none), its last move into NotExist or a ``forever`` block
    (else the trace's end)."""
    registered = np.zeros(len(gids), bool)
    start = np.full(len(gids), -1, np.int64)
    end = np.full(len(gids), end_of_trace, np.int64)
    for rows in chunks:
        time, ids = store.raw("time")[rows], store.raw("id")[rows]
        old, new = store.raw("from_state")[rows], store.raw("to_state")[rows]
        moving = old != new
        born = moving & (old <= _NOT_EXIST) & (old >= 0)
        registered[np.searchsorted(gids, ids[born])] = True
        first = _firsts(ids, np.flatnonzero(moving & (new == _RUNNING)))
        at = np.searchsorted(gids, ids[first])
        unset = start[at] < 0  # an earlier chunk's first move wins
        start[at[unset]] = time[first[unset]]
        ends = moving & ((new == _NOT_EXIST) | ((new == _WAITING) & (store.raw("reason")[rows] == forever)))
        last = _lasts(ids, np.flatnonzero(ends))
        end[np.searchsorted(gids, ids[last])] = time[last]  # a later chunk's last move wins
    return registered, np.maximum(start, 0), end


def _window(store, rows: np.ndarray, target: int, opens: np.ndarray, gids: np.ndarray, life):
    """Overlap (ns) and opening stack of each interval that closes in ``rows`` (ordered by
    goroutine, then time), and the rows of the run still open at its end (for the next window)."""
    ids, time = store.raw("id")[rows], store.raw("time")[rows]
    in_state = store.raw("to_state")[rows] == target
    new_g = np.ones(len(rows), bool)
    new_g[1:] = ids[1:] != ids[:-1]
    run_start = in_state & new_g
    run_start[1:] |= in_state[1:] & ~in_state[:-1]
    run_id = np.cumsum(run_start, dtype=np.int64)  # numbers the runs of in-state rows (per goroutine)
    opening = in_state & opens[store.raw("reason")[rows]]
    # the first matching row of each run opens it; the run's first row after it closes it
    first_open = _firsts(run_id, np.flatnonzero(opening))
    leaves = np.flatnonzero(~in_state)
    at = np.searchsorted(leaves, first_open)
    keep = at < len(leaves)
    first_open, close = first_open[keep], leaves[at[keep]]
    keep = ids[close] == ids[first_open]  # the closing transition is the same goroutine's
    first_open, close = first_open[keep], close[keep]
    g = np.searchsorted(gids, ids[first_open])
    registered, start, end = (a[g] for a in life)
    t0, t1 = time[first_open], time[close]
    delay = np.minimum(t1, end) - np.maximum(t0, start)
    delay[(end < t0) | (t1 < start)] = 0
    keep = registered & (delay > 0)
    tail = rows[np.flatnonzero(run_start)[-1]:] if len(rows) and in_state[-1] else rows[:0]
    return delay[keep], store.raw("stack")[rows[first_open[keep]]], tail


def _totals(stack: np.ndarray, delay: np.ndarray, seen: int):
    """``(stack, count, delay, first, last)`` of one window's intervals (numbered from ``seen``)."""
    ustack, first, inverse, count = np.unique(stack, return_index=True, return_inverse=True, return_counts=True)
    total = np.zeros(len(ustack), np.int64)
    np.add.at(total, inverse, delay)
    last = len(stack) - 1 - np.unique(stack[::-1], return_index=True)[1]
    return ustack, count.astype(np.int64), total, first + seen, last + seen


def _merge_totals(parts: list):
    if not parts:
        return tuple(np.zeros(0, np.int64) for _ in range(5))
    stack, count, total, first, last = (np.concatenate([p[k] for p in parts]) for k in range(5))
    ustack, inverse = np.unique(stack, return_inverse=True)
    out = [ustack, np.zeros(len(ustack), np.int64), np.zeros(len(ustack), np.int64),
           np.full(len(ustack), np.iinfo(np.int64).max), np.full(len(ustack), -1, np.int64)]
    np.add.at(out[1], inverse, count)
    np.add.at(out[2], inverse, total)
    np.minimum.at(out[3], inverse, first)
    np.maximum.at(out[4], inverse, last)
    return tuple(out)
