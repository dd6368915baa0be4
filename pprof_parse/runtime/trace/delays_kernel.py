"""The waits of a ``go tool trace -pprof=KIND`` profile, compiled with numba: one walk over the
goroutines' state transitions in time order, the compiled path of :mod:`.delays`.

The rules are :mod:`.delays`' (Go's ``pprof.go`` and ``summary.go``), as its reference walk
applies them, with the per-goroutine state in arrays indexed by a goroutine *slot* (see
:mod:`.delays_compiled`). A first pass finds each goroutine's lifetime (registered, its first
move into Running, its end), a second its intervals, each clipped to that lifetime and added to
the totals of the stack that opened it. Every array comes from the caller (``_nrt=False``, as
:mod:`.order_kernel`).
"""

from __future__ import annotations

from numba import njit

__all__ = ["stack_waits"]

# codes of the store's from_state/to_state columns (events.STATES)
_UNDETERMINED, _NOT_EXIST, _RUNNING, _WAITING = 0, 1, 3, 4


@njit(cache=True, _nrt=False, nogil=True)
def _lifetimes(rows, slot, time, old, new, reason, forever, registered, start, end):
    """``registered`` (0/1), ``start`` (first move into Running; -1 none) and ``end`` (last move
    into NotExist or a ``forever`` block; -1 none) of each slot."""
    for i in range(len(rows)):
        r, s = rows[i], slot[i]
        if old[r] == new[r]:
            continue
        if old[r] == _UNDETERMINED or old[r] == _NOT_EXIST:
            registered[s] = 1
        if new[r] == _RUNNING and start[s] < 0:
            start[s] = time[r]
        if new[r] == _NOT_EXIST or (new[r] == _WAITING and reason[r] == forever):
            end[s] = time[r]


@njit(cache=True, _nrt=False, nogil=True)
def stack_waits(rows, slot, gid, time, old, new, reason, stack, target, opens, forever, end_of_trace,
                registered, start, end, opened_at, opened_stack, totals, first, last):
    """Add every kept interval to its opening stack's totals.

    ``rows`` are the goroutines' state transitions (increasing), ``slot[i]`` the slot of row
    ``rows[i]``'s goroutine and ``gid[slot]`` its id; the columns are the store's. Per slot,
    ``registered``/``start``/``end`` must hold 0/-1/-1 and ``opened_at`` -2 (no run of the
    state) on entry. Per stack id, ``totals[0]``/``totals[1]`` get the count and the overlap
    (ns); ``first``/``last`` the (goroutine id, opening time) of its first and last interval in
    goroutine-id, then time order.
    """
    _lifetimes(rows, slot, time, old, new, reason, forever, registered, start, end)
    no_reason = len(opens) - 1
    for i in range(len(rows)):
        r, s = rows[i], slot[i]
        if new[r] == target:
            if opened_at[s] == -2:
                opened_at[s] = -1                 # a run of the state begins, nothing opened yet
            if opened_at[s] == -1 and opens[reason[r] if reason[r] >= 0 else no_reason]:
                opened_at[s], opened_stack[s] = time[r], stack[r]
            continue
        t0, t1 = opened_at[s], time[r]
        opened_at[s] = -2
        if t0 < 0 or registered[s] == 0:
            continue
        lo = max(start[s], 0)
        hi = end[s] if end[s] >= 0 else end_of_trace
        overlap = 0 if (hi < t0 or t1 < lo) else min(t1, hi) - max(t0, lo)
        if overlap <= 0:
            continue
        k, g = opened_stack[s], gid[s]
        totals[0, k] += 1
        totals[1, k] += overlap
        if totals[0, k] == 1 or g < first[0, k] or (g == first[0, k] and t0 < first[1, k]):
            first[0, k], first[1, k] = g, t0
        if totals[0, k] == 1 or g > last[0, k] or (g == last[0, k] and t0 > last[1, k]):
            last[0, k], last[1, k] = g, t0
