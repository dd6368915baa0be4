"""The compiled path of :mod:`.delays`: :func:`stack_totals` by :mod:`.delays_kernel`, one walk
over the goroutines' transitions in time order (the numpy path, :mod:`.delays_fast`, reads them
a group of goroutines at a time in goroutine order, gathering every column at those rows).

Taken for a large trace when numba is installed (:func:`worth_compiling`).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import LazyModule

from pprof_parse.runtime.trace import order_fast
from pprof_parse.runtime.trace.delays_fast import goroutine_transitions

__all__ = ["stack_totals", "worth_compiling"]

kernel = LazyModule("pprof_parse.runtime.trace.delays_kernel")

#: from this many events the compiled walk pays even in a process that has not loaded numba
#: for the trace's ordering (whose threshold is on the first generation alone). Measured
#: (benchmarks/bench_trace.py, 11.6 M events): the numpy groups 2.7 s (about 0.23 us an event),
#: the compiled walk 0.6 s; importing numba and loading a cached kernel about 1.2 s.
MIN_COMPILED_EVENTS = 5_000_000


def worth_compiling(store) -> bool:
    """Whether :func:`stack_totals` is the one to take for ``store``: numba is installed and the
    trace has at least :data:`MIN_COMPILED_EVENTS` events."""
    return order_fast.numba_installed() and len(store) >= MIN_COMPILED_EVENTS


def stack_totals(store, target: int, opens: np.ndarray, forever: int):
    """:func:`~.delays_fast.stack_totals`, compiled: ``(stack, count, delay, first, last)`` per
    stack id of an event that opened a kept interval, ``first``/``last`` ranking its first and
    last interval in goroutine-id, then time order. None when numba is installed but cannot be
    imported (the caller then takes the numpy path)."""
    try:
        stack_waits = kernel.stack_waits
    except ImportError:  # installed but unusable (e.g. an llvmlite that does not load)
        return None
    rows = goroutine_transitions(store)
    slot, gid = _slots(store.raw("id")[rows].astype(np.int64))
    stacks = store.raw("stack")
    n_stacks = int(stacks.max(initial=0)) + 1
    state = (np.zeros(len(gid), np.int8), np.full(len(gid), -1, np.int64), np.full(len(gid), -1, np.int64),
             np.full(len(gid), -2, np.int64), np.zeros(len(gid), stacks.dtype))
    totals, first, last = (np.zeros((2, n_stacks), np.int64) for _ in range(3))
    end_of_trace = int(store.raw("time")[-1]) if len(store) else 0
    stack_waits(rows, slot, gid, store.raw("time"), store.raw("from_state"), store.raw("to_state"),
                store.raw("reason"), stacks, target, opens, forever, end_of_trace, *state, totals, first, last)
    kept = np.flatnonzero(totals[0])
    first_rank, last_rank = _ranks(first[:, kept], last[:, kept])
    return kept, totals[0, kept], totals[1, kept], first_rank, last_rank


def _slots(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(slot per row, id per slot)``: the id itself when the ids are small enough to index an
    array (Go numbers goroutines from 1), else its rank among the distinct ids."""
    if len(ids) == 0:
        return ids, ids
    if ids.min() >= 0 and ids.max() < 4 * len(ids) + 4096:
        return ids, np.arange(int(ids.max()) + 1, dtype=np.int64)
    gid, slot = np.unique(ids, return_inverse=True)
    return slot.astype(np.int64), gid


def _ranks(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranks, in (goroutine id, time) order, of the ``[2, k]`` pairs of ``first`` and ``last``."""
    g = np.concatenate((first[0], last[0]))
    t = np.concatenate((first[1], last[1]))
    rank = np.empty(len(g), np.int64)
    rank[np.lexsort((t, g))] = np.arange(len(g))
    return rank[:first.shape[1]], rank[first.shape[1]:]
