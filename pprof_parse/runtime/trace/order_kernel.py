"""Go's event ordering for one generation, compiled with numba: the fast path of :mod:`~.order`.

The same loop and state machine as :class:`~.order._Ordering` and ``_order_generation``
(Go's ``src/internal/trace/reader.go`` and ``order.go``), over dense integer state: every
goroutine, P and M id is a *slot* (a row of the state arrays, see :mod:`~.order_fast`), found
by binary search in sorted id tables. The kernel only says *whether* a generation breaks a
rule (``ERROR`` and the event), never what the rule is: the caller re-runs the Python path to
raise Go's exact error. What the state machine needs no decision from -- tasks, regions and
range names, string ids -- is checked afterwards by :mod:`~.order_fast`, from the ``x`` the
kernel leaves on those events (the goroutine's incarnation number).

All state is in one int64 array ``W[rows, width]`` and all output in one ``O[9, cap]``, and the
kernel allocates nothing: every array comes from the caller, so it is compiled without numba's
reference counting (``_nrt=False``), which costs an atomic increment and decrement per array
argument per call (measured: 30 times the cost of the event's own work).
Rows of ``W``: goroutine slots' status (-1: no such goroutine), sequence generation, sequence,
incarnation, id; P slots' status (-1: none), sequence generation, sequence, id; M slots'
goroutine slot, P slot, insertion order (-1: not a known thread yet), id; the three sorted id
tables (id, slot); the scalars (``SCALARS`` row, columns below). Rows of ``O``: the emitted
src, m, p, g, x (ids, not slots), then the extra events' type, time and two arguments (the
uint64 arguments' bits).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from pprof_parse.runtime.trace.order_sort_kernel import sort_cursors

__all__ = ["OK", "NOT_YET", "ERROR", "W_ROWS", "SCALARS", "S_FIELDS", "order_generation"]

OK, NOT_YET, ERROR = 0, 1, 2
# rows of W
G_STATUS, G_SEQ_GEN, G_SEQ, G_INC, G_ID = 0, 1, 2, 3, 4
P_STATUS, P_SEQ_GEN, P_SEQ, P_ID = 5, 6, 7, 8
M_G, M_P, M_ORDER, M_ID = 9, 10, 11, 12
G_KEY, G_SLOT, P_KEY, P_SLOT, M_KEY, M_SLOT = 13, 14, 15, 16, 17, 18
SCALARS = 19
W_ROWS = 20
# columns of the scalars row
(GC_SEQ, GC_STATE, NEXT_INC, NEXT_MORDER, GEN, INITIAL, N_OUT, N_EX, SRC_BASE, EX_BASE, N_G, N_P, N_M,
 CTX_P, CTX_G) = range(15)
S_FIELDS = 15
# rows of O past the five emitted columns: the extra events
X_TYP, X_TIME, X_A0, X_A1 = 5, 6, 7, 8
GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING = 0, 1, 2
MUST, NOT = 1, 2
# wire statuses and parsed states (spec.py)
GO_RUNNABLE, GO_RUNNING, GO_SYSCALL, GO_WAITING = 1, 2, 3, 4
PROC_RUNNING, PROC_IDLE, PROC_SYSCALL, PROC_SYSCALL_ABANDONED = 1, 2, 3, 4
GS_UNDETERMINED, PS_UNDETERMINED, PS_NOT_EXIST, PS_RUNNING, PS_IDLE = 0, 0, 1, 2, 3
GO_STATUS_TO_STATE = np.array([0, 2, 3, 5, 4], np.int64)
PROC_STATUS_TO_STATE = np.array([0, 2, 3, 2, 3], np.int64)


# -- ids, output -----------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _slot(W, key_row, count, v):
    """The slot of id ``v`` in a sorted id table (rows ``key_row``, ``key_row + 1``), -1 if absent
    (a binary search: numba's ``np.searchsorted`` allocates on each scalar call)."""
    lo, hi = 0, W[SCALARS, count]
    while lo < hi:
        mid = (lo + hi) >> 1
        if W[key_row, mid] < v:
            lo = mid + 1
        else:
            hi = mid
    if lo < W[SCALARS, count] and W[key_row, lo] == v:
        return W[key_row + 1, lo]
    return -1


@njit(cache=True, _nrt=False)
def _gslot(W, v):
    return _slot(W, G_KEY, N_G, v)


@njit(cache=True, _nrt=False)
def _pslot(W, v):
    return _slot(W, P_KEY, N_P, v)


@njit(cache=True, _nrt=False)
def _mslot(W, v):
    return _slot(W, M_KEY, N_M, v)


@njit(cache=True, _nrt=False)
def _push(W, O, src, m, p, g, x):
    """Emit one event: ``src`` as in ``Emitted.src``, the context given as slots."""
    k = W[SCALARS, N_OUT]
    O[0, k] = src
    O[1, k] = W[M_ID, m] if m >= 0 else -1
    O[2, k] = W[P_ID, p] if p >= 0 else -1
    O[3, k] = W[G_ID, g] if g >= 0 else -1
    O[4, k] = x
    W[SCALARS, N_OUT] = k + 1


@njit(cache=True, _nrt=False)
def _push_event(W, O, i, m, p, g, x):
    _push(W, O, W[SCALARS, SRC_BASE] + i, m, p, g, x)


@njit(cache=True, _nrt=False)
def _extra(W, O, typ, time, a0, a1):
    """Record an extra (synthetic) event; returns its ``src`` code ``-(1 + index)``."""
    k = W[SCALARS, N_EX]
    O[X_TYP, k], O[X_TIME, k], O[X_A0, k], O[X_A1, k] = typ, time, a0, a1
    W[SCALARS, N_EX] = k + 1
    return -(1 + W[SCALARS, EX_BASE] + k)


@njit(cache=True, _nrt=False)
def _need(m, p, g, want_p, want_g):
    """Go's ``validateCtx`` with a thread required (MUST/NOT/0 for a P and a G)."""
    if m < 0 or (want_p == MUST and p < 0) or (want_p == NOT and p >= 0):
        return ERROR
    if (want_g == MUST and g < 0) or (want_g == NOT and g >= 0):
        return ERROR
    return OK


@njit(cache=True, _nrt=False)
def _user(m, p, g):
    """``userGoReqs``: a thread, a P and a goroutine."""
    return ERROR if m < 0 or p < 0 or g < 0 else OK


@njit(cache=True, _nrt=False)
def _follows(W, seq_gen, seq, n):
    """Sequence ``n`` succeeds ``(seq_gen, seq)`` in this generation (no wrap past 2^64 - 1)."""
    return seq_gen == W[SCALARS, GEN] and seq != -1 and n == seq + 1


@njit(cache=True, _nrt=False)
def _g_follows(W, gid, n):
    return _follows(W, W[G_SEQ_GEN, gid], W[G_SEQ, gid], n)


@njit(cache=True, _nrt=False)
def _p_follows(W, pid, n):
    return _follows(W, W[P_SEQ_GEN, pid], W[P_SEQ, pid], n)


@njit(cache=True, _nrt=False)
def _set_seq(W, status_row, slot, status, n):
    """A G's or P's status and sequence (the rows after ``status_row``), in this generation."""
    W[status_row, slot], W[status_row + 1, slot], W[status_row + 2, slot] = status, W[SCALARS, GEN], n


# -- procs -----------------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _thread_of_proc(W, pid):
    """The known thread holding P ``pid`` that was seen last (-1: none)."""
    best, best_order = -1, -1
    for s in range(W[SCALARS, N_M]):
        if W[M_ORDER, s] >= 0 and W[M_P, s] == pid and W[M_ORDER, s] > best_order:
            best, best_order = s, W[M_ORDER, s]
    return best


@njit(cache=True, _nrt=False)
def _proc_status(i, m, p, g, A, W, O):
    pid, status = _pslot(W, A[0, i]), A[1, i]
    if status < 0 or status >= 5 or pid < 0:
        return ERROR
    old, shown = PROC_STATUS_TO_STATE[status], status
    cur = W[P_STATUS, pid]
    if cur >= 0:
        if status == PROC_SYSCALL_ABANDONED and cur == PROC_SYSCALL:
            old, shown = PS_RUNNING, PROC_SYSCALL
        elif status == PROC_SYSCALL_ABANDONED and cur == PROC_SYSCALL_ABANDONED:
            old = PS_IDLE
        elif cur != status:
            return ERROR
    else:
        old = PS_UNDETERMINED if W[SCALARS, INITIAL] else PS_NOT_EXIST
        cur = status
    _set_seq(W, P_STATUS, pid, cur, 0)
    if status == PROC_RUNNING or status == PROC_SYSCALL:
        W[SCALARS, CTX_P] = pid
    em, ep, eg = m, p, g
    if status == PROC_SYSCALL_ABANDONED and old == PS_RUNNING:
        em = _thread_of_proc(W, pid)
        if em < 0:
            return ERROR
        eg, ep = W[M_G, em], W[M_P, em]
    _push_event(W, O, i, em, ep, eg, old | shown << 8)
    return OK


@njit(cache=True, _nrt=False)
def _proc_start(i, m, p, g, A, W, O):
    pid, n = _pslot(W, A[0, i]), A[1, i]
    if pid < 0 or W[P_STATUS, pid] != PROC_IDLE or not _p_follows(W, pid, n) or p >= 0:
        return NOT_YET
    if _need(m, p, g, NOT, 0) != OK:
        return ERROR
    _set_seq(W, P_STATUS, pid, PROC_RUNNING, n)
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_P] = pid
    return OK


@njit(cache=True, _nrt=False)
def _proc_stop(i, m, p, g, A, W, O):
    if p < 0 or (W[P_STATUS, p] != PROC_RUNNING and W[P_STATUS, p] != PROC_SYSCALL):
        return ERROR
    if _need(m, p, g, MUST, 0) != OK:
        return ERROR
    W[P_STATUS, p] = PROC_IDLE
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_P] = -1
    return OK


@njit(cache=True, _nrt=False)
def _proc_steal(i, m, p, g, A, W, O):
    pid, n = _pslot(W, A[0, i]), A[1, i]
    if pid < 0 or (W[P_STATUS, pid] != PROC_SYSCALL and W[P_STATUS, pid] != PROC_SYSCALL_ABANDONED) \
            or not _p_follows(W, pid, n):
        return NOT_YET
    if _need(m, p, g, 0, 0) != OK:
        return ERROR
    old = W[P_STATUS, pid]
    _set_seq(W, P_STATUS, pid, PROC_IDLE, n)
    if old == PROC_SYSCALL_ABANDONED:
        _push_event(W, O, i, m, p, g, old)
        return OK
    victim = -1 if A[2, i] == -1 else _mslot(W, A[2, i])
    if victim == m:
        if p != pid:
            return ERROR
        _push_event(W, O, i, m, p, g, old)
        W[SCALARS, CTX_P] = -1
        return OK
    if victim < 0 or W[M_ORDER, victim] < 0 or W[M_P, victim] != pid:
        return ERROR
    W[M_P, victim] = -1
    _push_event(W, O, i, m, p, g, old)
    return OK


# -- goroutines ------------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _new_goroutine(W, gid, status):
    _set_seq(W, G_STATUS, gid, status, 0)
    W[G_INC, gid] = W[SCALARS, NEXT_INC]
    W[SCALARS, NEXT_INC] += 1


@njit(cache=True, _nrt=False)
def _go_status(i, m, p, g, A, W, O):
    gid, status = _gslot(W, A[0, i]), A[2, i]
    if status < 0 or status >= 5 or gid < 0:
        return ERROR
    old = GO_STATUS_TO_STATE[status]
    if W[G_STATUS, gid] >= 0:
        if W[G_STATUS, gid] != status:
            return ERROR
        W[G_SEQ_GEN, gid], W[G_SEQ, gid] = W[SCALARS, GEN], 0
    elif W[SCALARS, INITIAL]:
        _new_goroutine(W, gid, status)
        old = GS_UNDETERMINED
    else:
        return ERROR
    em, eg = m, g
    if status == GO_RUNNING:
        W[SCALARS, CTX_G] = gid
    elif status == GO_SYSCALL:
        mid = -1 if A[1, i] == -1 else _mslot(W, A[1, i])
        if mid < 0:
            return ERROR
        if mid == m:
            if not W[SCALARS, INITIAL] and g != gid:
                return ERROR
            W[SCALARS, CTX_G] = gid
        else:
            if W[M_ORDER, mid] >= 0:
                if W[M_G, mid] != gid:
                    return ERROR
                eg = W[M_G, mid]
            else:
                W[M_G, mid], W[M_P, mid], W[M_ORDER, mid] = gid, -1, W[SCALARS, NEXT_MORDER]
                W[SCALARS, NEXT_MORDER] += 1
            em = mid
    _push_event(W, O, i, em, p, eg, old << 32 | status)
    return OK


@njit(cache=True, _nrt=False)
def _go_create(i, m, p, g, A, W, O, typ):
    if _need(m, p, g, MUST, 0) != OK:
        return ERROR
    if g >= 0 and W[G_STATUS, g] >= 0 and W[G_STATUS, g] != GO_RUNNING:
        return ERROR
    new = _gslot(W, A[0, i])
    if new < 0 or W[G_STATUS, new] >= 0:
        return ERROR
    _new_goroutine(W, new, GO_WAITING if typ == 47 else GO_RUNNABLE)
    _push_event(W, O, i, m, p, g, 0)
    return OK


@njit(cache=True, _nrt=False)
def _go_create_syscall(i, m, p, g, A, W, O):
    if _need(m, p, g, 0, NOT) != OK:
        return ERROR
    new = _gslot(W, A[0, i])
    if new < 0 or W[G_STATUS, new] >= 0:
        return ERROR
    _new_goroutine(W, new, GO_SYSCALL)
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_G] = new
    return OK


@njit(cache=True, _nrt=False)
def _in_state(W, g, want):
    return g >= 0 and W[G_STATUS, g] == want


@njit(cache=True, _nrt=False)
def _go_stop(i, m, p, g, A, W, O, typ):  # GoStop, GoBlock, GoDestroy
    if _user(m, p, g) != OK or not _in_state(W, g, GO_RUNNING):
        return ERROR
    W[G_STATUS, g] = -1 if typ == 17 else (GO_RUNNABLE if typ == 19 else GO_WAITING)
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_G] = -1
    return OK


@njit(cache=True, _nrt=False)
def _go_start(i, m, p, g, A, W, O):
    gid, n = _gslot(W, A[0, i]), A[1, i]
    if not _in_state(W, gid, GO_RUNNABLE) or not _g_follows(W, gid, n):
        return NOT_YET
    if _need(m, p, g, MUST, NOT) != OK:
        return ERROR
    _set_seq(W, G_STATUS, gid, GO_RUNNING, n)
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_G] = gid
    return OK


@njit(cache=True, _nrt=False)
def _go_unblock(i, m, p, g, A, W, O):
    gid, n = _gslot(W, A[0, i]), A[1, i]
    if not _in_state(W, gid, GO_WAITING) or not _g_follows(W, gid, n):
        return NOT_YET
    _set_seq(W, G_STATUS, gid, GO_RUNNABLE, n)
    _push_event(W, O, i, m, p, g, 0)
    return OK


@njit(cache=True, _nrt=False)
def _go_switch(i, m, p, g, A, W, O, typ, t):  # GoSwitch, GoSwitchDestroy: 3 events
    if _user(m, p, g) != OK or not _in_state(W, g, GO_RUNNING):
        return ERROR
    nxt, n = _gslot(W, A[0, i]), A[1, i]
    if not _in_state(W, nxt, GO_WAITING) or not _g_follows(W, nxt, n):
        return NOT_YET
    _push_event(W, O, i, m, p, g, 0)
    if typ == 45:
        W[G_STATUS, g] = GO_WAITING
        _push(W, O, _extra(W, O, 20, t, 0, 0), m, p, g, 0)   # GoBlock, no reason, no stack
    else:
        W[G_STATUS, g] = -1
        _push(W, O, _extra(W, O, 17, t, 0, 0), m, p, g, 0)   # GoDestroy
    _set_seq(W, G_STATUS, nxt, GO_RUNNING, n)
    _push(W, O, _extra(W, O, 16, t, A[0, i], n), m, p, -1, 0)  # GoStart
    W[SCALARS, CTX_G] = nxt
    return OK


# -- syscalls --------------------------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _syscall_begin(i, m, p, g, A, W, O):
    if _user(m, p, g) != OK or not _in_state(W, g, GO_RUNNING) or W[P_STATUS, p] < 0:
        return ERROR
    n = A[0, i]
    if not _p_follows(W, p, n):
        return ERROR
    W[G_STATUS, g] = GO_SYSCALL
    _set_seq(W, P_STATUS, p, PROC_SYSCALL, n)
    _push_event(W, O, i, m, p, g, 0)
    return OK


@njit(cache=True, _nrt=False)
def _syscall_end(i, m, p, g, A, W, O):
    if _user(m, p, g) != OK or not _in_state(W, g, GO_SYSCALL) or W[P_STATUS, p] != PROC_SYSCALL:
        return ERROR
    W[G_STATUS, g], W[P_STATUS, p] = GO_RUNNING, PROC_RUNNING
    _push_event(W, O, i, m, p, g, 0)
    return OK


@njit(cache=True, _nrt=False)
def _syscall_end_blocked(i, m, p, g, A, W, O):
    if p >= 0:
        if W[P_STATUS, p] < 0:
            return ERROR
        if W[P_STATUS, p] == PROC_SYSCALL:
            return NOT_YET
    if _need(m, p, g, 0, MUST) != OK or not _in_state(W, g, GO_SYSCALL):
        return ERROR
    W[G_STATUS, g] = GO_RUNNABLE
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_G] = -1
    return OK


@njit(cache=True, _nrt=False)
def _destroy_syscall(i, m, p, g, A, W, O, t):
    if _need(m, p, g, 0, MUST) != OK or not _in_state(W, g, GO_SYSCALL):
        return ERROR
    W[G_STATUS, g] = -1
    if p >= 0:
        if W[P_STATUS, p] != PROC_SYSCALL:
            return ERROR
        W[P_STATUS, p] = PROC_SYSCALL_ABANDONED
        W[SCALARS, CTX_P] = -1
        _push(W, O, _extra(W, O, 12, t, W[P_ID, p], 0), m, p, g, PROC_SYSCALL)  # a synthetic ProcSteal first
    _push_event(W, O, i, m, p, g, 0)
    W[SCALARS, CTX_G] = -1
    return OK


# -- GC, ranges and annotations ---------------------------------------------------------------

@njit(cache=True, _nrt=False)
def _gc(i, m, p, g, A, W, O, typ):  # GCActive, GCBegin, GCEnd
    n, seq, state = A[0, i], W[SCALARS, GC_SEQ], W[SCALARS, GC_STATE]
    if typ == 28 and W[SCALARS, INITIAL]:
        if state != GC_UNDETERMINED:
            return ERROR
        state = GC_RUNNING
    elif typ == 29 and state == GC_UNDETERMINED:
        state = GC_RUNNING
    else:
        if seq == -1 or n != seq + 1:
            return NOT_YET
        if (typ == 28 and state != GC_RUNNING) or (typ == 29 and state == GC_RUNNING) \
                or (typ == 30 and state != GC_RUNNING) or _user(m, p, g) != OK:
            return ERROR
        state = GC_NOT_RUNNING if typ == 30 else GC_RUNNING
    W[SCALARS, GC_SEQ], W[SCALARS, GC_STATE] = n, state
    _push_event(W, O, i, m, p, g, 0)
    return OK


@njit(cache=True, _nrt=False)
def _annotation(i, m, p, g, A, W, O, typ):
    """Events whose checks here are the context and the existence of their G or P; ``x`` is the
    incarnation of the goroutine whose regions/ranges they touch (checked by the caller)."""
    x = 0
    if typ == 37 or typ == 38:                          # HeapAlloc, HeapGoal
        bad = _need(m, p, g, MUST, 0)
    elif typ >= 128:                                    # AllocFree experiment
        bad = _need(m, p, g, 0, 0)
    elif typ == 31:                                     # GCSweepActive(p)
        pid = _pslot(W, A[0, i])
        bad = ERROR if pid < 0 or W[P_STATUS, pid] < 0 else OK
    elif typ == 32 or typ == 33:                        # GCSweepBegin/End: the P's ranges
        bad = _need(m, p, g, MUST, 0)
        if bad == OK and W[P_STATUS, p] < 0:
            bad = ERROR
    elif typ == 34:                                     # GCMarkAssistActive(g)
        gid = _gslot(W, A[0, i])
        bad = ERROR if gid < 0 or W[G_STATUS, gid] < 0 else OK
        x = W[G_INC, gid] if bad == OK else 0
    else:                                               # need M, P and G
        bad = _user(m, p, g)
        if bad == OK and (typ == 26 or typ == 27 or typ == 35 or typ == 36 or typ == 42 or typ == 43):
            if W[G_STATUS, g] < 0:
                bad = ERROR
            else:
                x = W[G_INC, g]
    if bad != OK:
        return ERROR
    _push_event(W, O, i, m, p, g, x)
    return OK


# -- one event, the heap of cursors, the generation ---------------------------------------------

@njit(cache=True, _nrt=False)
def _dispatch(i, m, p, g, typ, t, A, W, O):
    if typ == 16:
        return _go_start(i, m, p, g, A, W, O)
    if typ == 21:
        return _go_unblock(i, m, p, g, A, W, O)
    if typ == 19 or typ == 20 or typ == 17:
        return _go_stop(i, m, p, g, A, W, O, typ)
    if typ == 22:
        return _syscall_begin(i, m, p, g, A, W, O)
    if typ == 23:
        return _syscall_end(i, m, p, g, A, W, O)
    if typ == 24:
        return _syscall_end_blocked(i, m, p, g, A, W, O)
    if typ == 14 or typ == 47:
        return _go_create(i, m, p, g, A, W, O, typ)
    if typ == 25 or typ == 48:
        return _go_status(i, m, p, g, A, W, O)
    if typ == 13:
        return _proc_status(i, m, p, g, A, W, O)
    if typ == 10:
        return _proc_start(i, m, p, g, A, W, O)
    if typ == 11:
        return _proc_stop(i, m, p, g, A, W, O)
    if typ == 12:
        return _proc_steal(i, m, p, g, A, W, O)
    if typ == 15:
        return _go_create_syscall(i, m, p, g, A, W, O)
    if typ == 18:
        return _destroy_syscall(i, m, p, g, A, W, O, t)
    if typ == 45 or typ == 46:
        return _go_switch(i, m, p, g, A, W, O, typ, t)
    if typ == 28 or typ == 29 or typ == 30:
        return _gc(i, m, p, g, A, W, O, typ)
    if 9 <= typ <= 48 or 128 <= typ <= 136:
        return _annotation(i, m, p, g, A, W, O, typ)
    return ERROR


@njit(cache=True, _nrt=False)
def _advance(i, m, typ, t, A, W, O):
    """Try event ``i`` of thread slot ``m`` (-1: no thread): OK (emitted), NOT_YET or ERROR."""
    p = g = -1
    if m >= 0:
        if W[M_ORDER, m] < 0:
            W[M_G, m], W[M_P, m], W[M_ORDER, m] = -1, -1, W[SCALARS, NEXT_MORDER]
            W[SCALARS, NEXT_MORDER] += 1
        g, p = W[M_G, m], W[M_P, m]
    W[SCALARS, CTX_P], W[SCALARS, CTX_G] = p, g
    r = _dispatch(i, m, p, g, typ, t, A, W, O)
    if r == OK and m >= 0:
        W[M_G, m], W[M_P, m] = W[SCALARS, CTX_G], W[SCALARS, CTX_P]
    return r


@njit(cache=True, _nrt=False)
def _sift_up(heap, key, k):
    while k > 0 and key[heap[(k - 1) // 2]] > key[heap[k]]:
        j = (k - 1) // 2
        heap[j], heap[k] = heap[k], heap[j]
        k = j
    return k


@njit(cache=True, _nrt=False)
def _sift_down(heap, n, key, k):
    while True:
        best = k
        if k < n:
            t = key[heap[k]]
            c = 2 * k + 1
            if c < n and key[heap[c]] < t:
                best, t = c, key[heap[c]]
            c += 1
            if c < n and key[heap[c]] < t:
                best, t = c, key[heap[c]]
        if best == k:
            return k
        heap[k], heap[best] = heap[best], heap[k]
        k = best


@njit(cache=True, _nrt=False)
def _heap_remove(heap, n, key, k):
    """Remove entry ``k`` as Go's ``heapRemove``; returns the new length."""
    while k > 0:
        j = (k - 1) // 2
        heap[j], heap[k] = heap[k], heap[j]
        k = j
    heap[0], heap[n - 1] = heap[n - 1], heap[0]
    n -= 1
    if n > 0:
        _sift_down(heap, n, key, 0)
    return n


@njit(cache=True, _nrt=False)
def _try_advance(k, heap, n, C, typ, time, A, W, O):
    """Try the next event of the cursor at heap entry ``k`` (``C`` rows: time, thread slot,
    next event, end); returns (result, heap length)."""
    c = heap[k]
    i = C[2, c]
    r = _advance(i, C[1, c], typ[i], time[i], A, W, O)
    if r != OK:
        return r, n
    C[2, c] = i + 1
    if i + 1 < C[3, c]:
        C[0, c] = time[i + 1]
        if _sift_up(heap, C[0], k) == k:
            _sift_down(heap, n, C[0], k)
        return OK, n
    return OK, _heap_remove(heap, n, C[0], k)


@njit(cache=True, _nrt=False)
def _emit_cpu_sample(cpu, ci, W, O):
    src = _extra(W, O, 7, cpu[0, ci], cpu[4, ci], 0)
    k = W[SCALARS, N_OUT]
    O[0, k], O[1, k], O[2, k], O[3, k], O[4, k] = src, cpu[1, ci], cpu[2, ci], cpu[3, ci], 0
    W[SCALARS, N_OUT] = k + 1


@njit(cache=True, _nrt=False, nogil=True)
def order_generation(typ, time, A, C, heap, cpu, W, O, todo):
    """Order one generation's events (``typ``, ``time``, ``A`` the int64 bits of the args;
    ``C[4, k]`` the threads' cursors: row 0 free, then thread slot, first and end event;
    ``heap[k]`` free; ``cpu[5, k]`` the CPU samples sorted by time: time, m, p, g ids, stack;
    ``todo`` the frontier sort's stack). Returns ``(OK, -1)`` or ``(ERROR, event)``."""
    nt = C.shape[1]
    for c in range(nt):
        C[0, c] = time[C[2, c]]
        heap[c] = c
        _sift_up(heap, C[0], c)
    n = nt
    ci, nc = 0, cpu.shape[1]
    while n > 0 or ci < nc:
        if ci < nc and (n == 0 or cpu[0, ci] < C[0, heap[0]]):
            _emit_cpu_sample(cpu, ci, W, O)
            ci += 1
            continue
        r, n = _try_advance(0, heap, n, C, typ, time, A, W, O)
        if r == ERROR:
            return ERROR, C[2, heap[0]]
        if r == OK:
            continue
        sort_cursors(heap, n, C[0], todo)
        done = False
        for k in range(1, n):
            c = heap[k]
            r, n = _try_advance(k, heap, n, C, typ, time, A, W, O)
            if r == ERROR:
                return ERROR, C[2, c]
            if r == OK:
                done = True
                break
        if not done:
            return ERROR, C[2, heap[0]]
    return OK, -1
