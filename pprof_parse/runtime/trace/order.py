"""Put the events of all threads in the order Go's parser emits them, checking them as it does.

Go's reader (``src/internal/trace/reader.go``, ``order.go``) merges the threads' event
streams of a generation by time with a min-heap of cursors, and passes each candidate
through a state machine of goroutines, Ps, Ms, GC and tasks: an event whose goroutine
or P is not yet in the state it needs (its sequence number does not follow) waits
while other threads advance; one that can never fit is an error. The machine also
fills in what the wire leaves out: the state a goroutine or P came from, the task of a
TaskEnd, and the extra events a GoSwitch or a GoDestroySyscall stands for.

This module is that loop, written as Go's (same heap, same tie-breaking, the same
checks in the same order), one event at a time -- the one part of reading a trace
that is sequential by nature. Its output is columnar: for every emitted event, the
index of its decoded event (or of a synthetic one), its scheduling context (M, P,
G) and one integer of smuggled state (:class:`Emitted`).

It is also the reference for :mod:`~.order_fast`, the same loop compiled with numba
(``GOPHERLAB_ENGINE=reference`` keeps this one; so does a missing numba or a small trace),
which hands any input that breaks a rule back to this loop for the exact error.
"""

from __future__ import annotations

from array import array
from operator import itemgetter

import numpy as np

from gopherlab_common.engine import reference_engine

from pprof_parse.runtime.trace import order_fast, spec
from pprof_parse.runtime.trace.errors import TraceFormatError
from pprof_parse.runtime.trace.gosort import sort_func
from pprof_parse.runtime.trace.order_emitted import Emitted, Extra, number_syncs

__all__ = ["Emitted", "Extra", "order_events", "order_events_reference"]

NO = spec.NO_ID
GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING = 0, 1, 2


class _Rows:
    """The ordered events while the Python loop appends them: ``array('q')`` columns
    (8 bytes an event), the extras and the TaskEnd details; :meth:`emitted` hands them over."""

    def __init__(self):
        self.src, self.m, self.p, self.g, self.x = (array("q") for _ in range(5))
        self.extra, self.task_ends = Extra(), []

    def append(self, src, m, p, g, x=0):
        self.src.append(src)
        self.m.append(m)
        self.p.append(p)
        self.g.append(g)
        self.x.append(x)

    def truncate(self, n: int) -> None:
        """Drop the events after the first ``n`` (those of a generation that failed)."""
        for column in (self.src, self.m, self.p, self.g, self.x):
            del column[n:]

    def emitted(self, error, generations) -> Emitted:
        cols = [np.frombuffer(c, dtype=np.int64) for c in (self.src, self.m, self.p, self.g, self.x)]
        return Emitted(*cols, extra=self.extra, task_ends=self.task_ends, error=error, generations=generations)


class _GState:
    __slots__ = ("status", "seq_gen", "seq", "regions", "ranges")

    def __init__(self, status, gen):
        self.status, self.seq_gen, self.seq = status, gen, 0
        self.regions, self.ranges = [], []


class _PState:
    __slots__ = ("status", "seq_gen", "seq", "ranges")

    def __init__(self, status, gen):
        self.status, self.seq_gen, self.seq = status, gen, 0
        self.ranges = []


class _NotYet(Exception):
    """Internal: not an error -- the event must wait for another thread's events."""


class _Ordering:
    """Go's ``ordering`` state machine. Handlers return the thread's new (P, G), or raise.

    The ``x`` of an emitted event: ProcStatus ``old_state | status << 8`` (the status after
    Go's SyscallAbandoned rewrite); ProcSteal the P's wire status before the steal;
    GoStatus(Stack) ``old_state << 32 | status``; UserTaskEnd an index into ``task_ends``;
    STWEnd the kind string id of its STWBegin; 0 otherwise.
    """

    def __init__(self, out: _Rows, source: str):
        self.out, self.source = out, source
        self.g_states: dict[int, _GState] = {}
        self.p_states: dict[int, _PState] = {}
        self.m_states: dict[int, list[int]] = {}   # m -> [g, p]
        self.tasks: dict[int, tuple[str, int]] = {}
        self.gc_seq, self.gc_state = 0, GC_UNDETERMINED
        self.initial_gen = 0
        self.emit = out.append  # Go queues an advance's events and emits them next: here, appended at once
        self.handlers = [None] * 256
        for t in spec.KINDS:
            if t not in (spec.SYNC, spec.CPU_SAMPLE):
                self.handlers[t] = getattr(self, "_" + spec.NAMES[t])

    # -- the per-generation event view -----------------------------------------------------
    def set_generation(self, gen, index, strings, ev, base):
        self.gen, self.gen_index, self.strings = gen, index, strings
        # array.array: Python ints on access (as fast as a list's), 8 bytes an event instead of ~40
        self.typ, self.time, self.offset = array("B", ev.typ.tobytes()), array("q", ev.time.tobytes()), ev.offset
        self.args = [array("Q", a.tobytes()) for a in ev.args]
        self.base = base
        if self.initial_gen == 0:
            self.initial_gen = gen

    def fail(self, i, msg):
        raise TraceFormatError(f"{msg} (generation {self.gen}, {spec.NAMES[self.typ[i]]} event)", source=self.source,
                               offset=int(self.offset[i]))

    def push(self, i, m, p, g, x=0):
        self.emit(self.base + i if i >= 0 else i, m, p, g, x)

    def advance(self, i, m) -> bool:
        """Try event ``i`` of thread ``m``: True and its events queued, False to wait, or raise."""
        if m == NO:
            ctx = None
            p = g = NO
        else:
            ctx = self.m_states.get(m)
            if ctx is None:
                ctx = self.m_states[m] = [NO, NO]
            g, p = ctx
        handler = self.handlers[self.typ[i]]
        if handler is None:
            self.fail(i, f"bad event type found while ordering: {self.typ[i]}")
        try:
            new_p, new_g = handler(i, m, p, g)
        except _NotYet:
            return False
        if ctx is not None:
            ctx[0], ctx[1] = new_g, new_p
        return True

    # -- context checks (validateCtx) --------------------------------------------------------
    def need(self, i, m, p, g, want_p, want_g):
        """Go's ``validateCtx`` with M required: want_* is 'must', 'not' or None (may have)."""
        if m == NO:
            self.fail(i, "expected a thread but didn't have one")
        if want_p == "must" and p == NO:
            self.fail(i, "expected a proc but didn't have one")
        if want_p == "not" and p != NO:
            self.fail(i, "expected no proc but had one")
        if want_g == "must" and g == NO:
            self.fail(i, "expected a goroutine but didn't have one")
        if want_g == "not" and g != NO:
            self.fail(i, "expected no goroutine but had one")

    def user(self, i, m, p, g):
        """``userGoReqs``: the event needs an M, a P and a G."""
        if m == NO or p == NO or g == NO:
            self.need(i, m, p, g, "must", "must")

    def seq_follows(self, state, n) -> bool:
        return state.seq_gen == self.gen and n == state.seq + 1

    # -- procs -------------------------------------------------------------------------------
    def _ProcStatus(self, i, m, p, g):
        pid, status = self.args[0][i], self.args[1][i]
        if status >= len(spec.PROC_STATUS_TO_STATE):
            self.fail(i, f"invalid status for proc {pid}: {status}")
        old = spec.PROC_STATUS_TO_STATE[status]
        shown = status  # the status the event shows; Go rewrites it in the event, not in its checks below
        st = self.p_states.get(pid)
        if st is not None:
            if status == spec.PROC_SYSCALL_ABANDONED and st.status == spec.PROC_SYSCALL:
                old, shown = spec.PS_RUNNING, spec.PROC_SYSCALL
            elif status == spec.PROC_SYSCALL_ABANDONED and st.status == spec.PROC_SYSCALL_ABANDONED:
                old = spec.PS_IDLE
            elif st.status != status:
                self.fail(i, f"inconsistent status for proc {pid}: old {st.status} vs. new {status}")
            st.seq_gen, st.seq = self.gen, 0
        else:
            self.p_states[pid] = _PState(status, self.gen)
            old = spec.PS_UNDETERMINED if self.gen == self.initial_gen else spec.PS_NOT_EXIST
        new_p = pid if status in (spec.PROC_RUNNING, spec.PROC_SYSCALL) else p
        emit_m, emit_p, emit_g = m, p, g
        if status == spec.PROC_SYSCALL_ABANDONED and old == spec.PS_RUNNING:
            found = [(mid, ms) for mid, ms in self.m_states.items() if ms[1] == pid]
            if not found:
                self.fail(i, f"failed to find sched context for proc {pid} that's about to be stolen")
            emit_m, (emit_g, emit_p) = found[-1][0], found[-1][1]
        self.push(i, emit_m, emit_p, emit_g, old | shown << 8)
        return new_p, g

    def _ProcStart(self, i, m, p, g):
        pid, n = self.args[0][i], self.args[1][i]
        st = self.p_states.get(pid)
        if st is None or st.status != spec.PROC_IDLE or not self.seq_follows(st, n) or p != NO:
            raise _NotYet
        self.need(i, m, p, g, "not", None)
        st.status, st.seq_gen, st.seq = spec.PROC_RUNNING, self.gen, n
        self.push(i, m, p, g)
        return pid, g

    def _ProcStop(self, i, m, p, g):
        st = self.p_states.get(p)
        if st is None:
            self.fail(i, f"event ProcStop for proc ({p}) that doesn't exist")
        if st.status not in (spec.PROC_RUNNING, spec.PROC_SYSCALL):
            self.fail(i, "ProcStop event for proc that's not Running or Syscall")
        self.need(i, m, p, g, "must", None)
        st.status = spec.PROC_IDLE
        self.push(i, m, p, g)
        return NO, g

    def _ProcSteal(self, i, m, p, g):
        pid, n, victim = self.args[0][i], self.args[1][i], self.args[2][i]
        st = self.p_states.get(pid)
        if (st is None or st.status not in (spec.PROC_SYSCALL, spec.PROC_SYSCALL_ABANDONED)
                or not self.seq_follows(st, n)):
            raise _NotYet
        self.need(i, m, p, g, None, None)
        old = st.status
        st.status, st.seq_gen, st.seq = spec.PROC_IDLE, self.gen, n
        if old == spec.PROC_SYSCALL_ABANDONED:
            self.push(i, m, p, g, old)
            return p, g
        victim = NO if victim == spec.U64_MAX else victim
        if victim == m:
            if p != pid:
                self.fail(i, f"tried to self-steal proc {pid} (thread {victim}), but got proc {p} instead")
            self.push(i, m, p, g, old)
            return NO, g
        ms = self.m_states.get(victim)
        if ms is None:
            self.fail(i, f"stole proc from non-existent thread {victim}")
        if ms[1] != pid:
            self.fail(i, f"tried to steal proc {pid} from thread {victim}, but got proc {ms[1]} instead")
        ms[1] = NO
        self.push(i, m, p, g, old)
        return p, g

    # -- goroutines ----------------------------------------------------------------------------
    def _GoStatus(self, i, m, p, g):
        gid, mid, status = self.args[0][i], self.args[1][i], self.args[2][i]
        mid = NO if mid == spec.U64_MAX else mid
        if status >= len(spec.GO_STATUS_TO_STATE):
            self.fail(i, f"invalid status for goroutine {gid}: {status}")
        old = spec.GO_STATUS_TO_STATE[status]
        st = self.g_states.get(gid)
        if st is not None:
            if st.status != status:
                self.fail(i, f"inconsistent status for goroutine {gid}: old {st.status} vs. new {status}")
            st.seq_gen, st.seq = self.gen, 0
        elif self.gen == self.initial_gen:
            self.g_states[gid] = _GState(status, self.gen)
            old = spec.GS_UNDETERMINED
        else:
            self.fail(i, f"found goroutine status for new goroutine after the first generation: id={gid} "
                         f"status={status}")
        new_g, emit_m, emit_g = g, m, g
        if status == spec.GO_RUNNING:
            new_g = gid
        elif status == spec.GO_SYSCALL:
            if mid == NO:
                self.fail(i, f"found goroutine {gid} in syscall without a thread")
            if mid == m:
                if self.gen != self.initial_gen and g != gid:
                    self.fail(i, f"inconsistent thread for syscalling goroutine {gid}: thread has goroutine {g}")
                new_g = gid
            else:
                ms = self.m_states.get(mid)
                if ms is not None:
                    if ms[0] != gid:
                        self.fail(i, f"inconsistent thread for syscalling goroutine {gid}: thread has goroutine "
                                     f"{ms[0]}")
                    emit_g = ms[0]
                else:
                    self.m_states[mid] = [gid, NO]
                emit_m = mid
        self.push(i, emit_m, p, emit_g, old << 32 | status)
        return p, new_g

    _GoStatusStack = _GoStatus

    def _GoCreate(self, i, m, p, g):
        self.need(i, m, p, g, "must", None)
        st = self.g_states.get(g)
        if st is not None and st.status != spec.GO_RUNNING:
            self.fail(i, f"{spec.NAMES[self.typ[i]]} event for goroutine that's not Running")
        new = self.args[0][i]
        if new in self.g_states:
            self.fail(i, f"tried to create goroutine ({new}) that already exists")
        status = spec.GO_WAITING if self.typ[i] == 47 else spec.GO_RUNNABLE
        self.g_states[new] = _GState(status, self.gen)
        self.push(i, m, p, g)
        return p, g

    _GoCreateBlocked = _GoCreate

    def running_g(self, i, g, want=spec.GO_RUNNING, name="Running"):
        st = self.g_states.get(g)
        if st is None:
            self.fail(i, f"event {spec.NAMES[self.typ[i]]} for goroutine ({g}) that doesn't exist")
        if st.status != want:
            self.fail(i, f"{spec.NAMES[self.typ[i]]} event for goroutine that's not {name}")
        return st

    def _GoStop(self, i, m, p, g):  # also GoBlock and GoDestroy
        self.user(i, m, p, g)
        st = self.running_g(i, g)
        typ = self.typ[i]
        if typ == 17:
            del self.g_states[g]
        else:
            st.status = spec.GO_RUNNABLE if typ == 19 else spec.GO_WAITING
        self.push(i, m, p, g)
        return p, NO

    _GoBlock = _GoDestroy = _GoStop

    def _GoStart(self, i, m, p, g):
        gid, n = self.args[0][i], self.args[1][i]
        st = self.g_states.get(gid)
        if st is None or st.status != spec.GO_RUNNABLE or not self.seq_follows(st, n):
            raise _NotYet
        self.need(i, m, p, g, "must", "not")
        st.status, st.seq_gen, st.seq = spec.GO_RUNNING, self.gen, n
        self.push(i, m, p, g)
        return p, gid

    def _GoUnblock(self, i, m, p, g):
        gid, n = self.args[0][i], self.args[1][i]
        st = self.g_states.get(gid)
        if st is None or st.status != spec.GO_WAITING or not self.seq_follows(st, n):
            raise _NotYet
        st.status, st.seq_gen, st.seq = spec.GO_RUNNABLE, self.gen, n
        self.push(i, m, p, g)
        return p, g

    def _GoSwitch(self, i, m, p, g):  # also GoSwitchDestroy: 3 events
        self.user(i, m, p, g)
        cur = self.running_g(i, g)
        nxt_id, n = self.args[0][i], self.args[1][i]
        nxt = self.g_states.get(nxt_id)
        if nxt is None or nxt.status != spec.GO_WAITING or not self.seq_follows(nxt, n):
            raise _NotYet
        self.push(i, m, p, g)
        extra, t = self.out.extra, self.time[i]
        if self.typ[i] == 45:
            cur.status = spec.GO_WAITING
            self.push(extra.add(20, t, self.gen_index), m, p, g)   # GoBlock, no reason, no stack
        else:
            del self.g_states[g]
            self.push(extra.add(17, t, self.gen_index), m, p, g)   # GoDestroy
        nxt.status, nxt.seq_gen, nxt.seq = spec.GO_RUNNING, self.gen, n
        self.push(extra.add(16, t, self.gen_index, nxt_id, n), m, p, NO)  # GoStart
        return p, nxt_id

    _GoSwitchDestroy = _GoSwitch

    def _GoSyscallBegin(self, i, m, p, g):
        self.user(i, m, p, g)
        st = self.running_g(i, g)
        st.status = spec.GO_SYSCALL
        ps = self.p_states.get(p)
        if ps is None:
            self.fail(i, f"uninitialized proc {p} found during GoSyscallBegin")
        ps.status = spec.PROC_SYSCALL
        n = self.args[0][i]
        if not self.seq_follows(ps, n):
            self.fail(i, f"failed to advance GoSyscallBegin: can't make sequence: {ps.seq} (gen={ps.seq_gen}) -> "
                         f"{n} (gen={self.gen})")
        ps.seq_gen, ps.seq = self.gen, n
        self.push(i, m, p, g)
        return p, g

    def _GoSyscallEnd(self, i, m, p, g):
        self.user(i, m, p, g)
        st = self.running_g(i, g, spec.GO_SYSCALL, "Running")
        st.status = spec.GO_RUNNING
        ps = self.p_states.get(p)
        if ps is None:
            self.fail(i, f"uninitialized proc {p} found during GoSyscallEnd")
        if ps.status != spec.PROC_SYSCALL:
            self.fail(i, f"expected proc {p} in state Syscall, but got {ps.status} instead")
        ps.status = spec.PROC_RUNNING
        self.push(i, m, p, g)
        return p, g

    def _GoSyscallEndBlocked(self, i, m, p, g):
        if p != NO:
            ps = self.p_states.get(p)
            if ps is None:
                self.fail(i, f"uninitialized proc {p} found during GoSyscallEndBlocked")
            if ps.status == spec.PROC_SYSCALL:
                raise _NotYet
        self.need(i, m, p, g, None, "must")
        st = self.running_g(i, g, spec.GO_SYSCALL, "Running")
        st.status = spec.GO_RUNNABLE
        self.push(i, m, p, g)
        return p, NO

    def _GoCreateSyscall(self, i, m, p, g):
        self.need(i, m, p, g, None, "not")
        new = self.args[0][i]
        if new in self.g_states:
            self.fail(i, f"tried to create goroutine ({new}) in syscall that already exists")
        self.g_states[new] = _GState(spec.GO_SYSCALL, self.gen)
        self.push(i, m, p, g)
        return p, new

    def _GoDestroySyscall(self, i, m, p, g):
        self.need(i, m, p, g, None, "must")
        self.running_g(i, g, spec.GO_SYSCALL, "Syscall")
        del self.g_states[g]
        new_p = p
        if p != NO:
            ps = self.p_states.get(p)
            if ps is None:
                self.fail(i, f"found invalid proc {p} during GoDestroySyscall")
            if ps.status != spec.PROC_SYSCALL:
                self.fail(i, f"proc {p} in unexpected state {ps.status} during GoDestroySyscall")
            ps.status = spec.PROC_SYSCALL_ABANDONED
            new_p = NO
            steal = self.out.extra.add(12, self.time[i], self.gen_index, p)
            self.push(steal, m, p, g, spec.PROC_SYSCALL)
        self.push(i, m, p, g)
        return new_p, NO

    # -- user annotations ---------------------------------------------------------------------
    def string(self, i, sid):
        if sid and sid not in self.strings:
            self.fail(i, f"invalid string ID {sid} for {spec.NAMES[self.typ[i]]} event")
        return self.strings.get(sid, "")

    def _UserTaskBegin(self, i, m, p, g):
        tid = self.args[0][i]
        if tid in self.tasks:
            self.fail(i, f"task ID conflict: {tid}")
        parent = self.args[1][i] or spec.U64_MAX
        self.tasks[tid] = (self.string(i, self.args[2][i]), parent)
        self.user(i, m, p, g)
        self.push(i, m, p, g)
        return p, g

    def _UserTaskEnd(self, i, m, p, g):
        name, parent = self.tasks.pop(self.args[0][i], ("", spec.U64_MAX))
        self.out.task_ends.append((parent, name))
        self.user(i, m, p, g)
        self.push(i, m, p, g, len(self.out.task_ends) - 1)
        return p, g

    def _UserRegionBegin(self, i, m, p, g):
        self.user(i, m, p, g)
        region = (self.args[0][i], self.string(i, self.args[1][i]))
        st = self.g_states.get(g)
        if st is None:
            self.fail(i, f"encountered EvUserRegionBegin without known state for current goroutine {g}")
        st.regions.append(region)
        self.push(i, m, p, g)
        return p, g

    def _UserRegionEnd(self, i, m, p, g):
        self.user(i, m, p, g)
        region = (self.args[0][i], self.string(i, self.args[1][i]))
        st = self.g_states.get(g)
        if st is None:
            self.fail(i, f"encountered EvUserRegionEnd without known state for current goroutine {g}")
        if st.regions:
            if st.regions[-1] != region:
                self.fail(i, f"misuse of region in goroutine {g}: region end {region} when the inner-most active "
                             f"region start event is {st.regions[-1]}")
            st.regions.pop()
        self.push(i, m, p, g)
        return p, g

    def _annotation(self, i, m, p, g):  # ProcsChange, GoLabel, UserLog
        self.user(i, m, p, g)
        self.push(i, m, p, g)
        return p, g

    _ProcsChange = _GoLabel = _UserLog = _annotation

    def _heap_metric(self, i, m, p, g):
        self.need(i, m, p, g, "must", None)
        self.push(i, m, p, g)
        return p, g

    _HeapAlloc = _HeapGoal = _heap_metric

    # -- GC and ranges ---------------------------------------------------------------------------
    def _GCActive(self, i, m, p, g):
        n = self.args[0][i]
        if self.gen == self.initial_gen:
            if self.gc_state != GC_UNDETERMINED:
                self.fail(i, "GCActive in the first generation isn't first GC event")
            self.gc_seq, self.gc_state = n, GC_RUNNING
            self.push(i, m, p, g)
            return p, g
        if n != self.gc_seq + 1:
            raise _NotYet
        if self.gc_state != GC_RUNNING:
            self.fail(i, "encountered GCActive while GC was not in progress")
        self.gc_seq = n
        self.user(i, m, p, g)
        self.push(i, m, p, g)
        return p, g

    def _GCBegin(self, i, m, p, g):
        n = self.args[0][i]
        if self.gc_state == GC_UNDETERMINED:
            self.gc_seq, self.gc_state = n, GC_RUNNING
            self.push(i, m, p, g)
            return p, g
        if n != self.gc_seq + 1:
            raise _NotYet
        if self.gc_state == GC_RUNNING:
            self.fail(i, "encountered GCBegin while GC was already in progress")
        self.gc_seq, self.gc_state = n, GC_RUNNING
        self.user(i, m, p, g)
        self.push(i, m, p, g)
        return p, g

    def _GCEnd(self, i, m, p, g):
        n = self.args[0][i]
        if n != self.gc_seq + 1:
            raise _NotYet
        if self.gc_state == GC_NOT_RUNNING:
            self.fail(i, "encountered GCEnd when GC was not in progress")
        if self.gc_state == GC_UNDETERMINED:
            self.fail(i, "encountered GCEnd when GC was in an undetermined state")
        self.gc_seq, self.gc_state = n, GC_NOT_RUNNING
        self.user(i, m, p, g)
        self.push(i, m, p, g)
        return p, g

    def begin_range(self, i, ranges, rtype):
        if rtype in ranges:
            self.fail(i, f"discovered event already in-flight for when starting event {spec.NAMES[rtype[0]]}")
        ranges.append(rtype)

    def active_range(self, i, ranges, rtype):
        if self.gen == self.initial_gen:
            if rtype in ranges:
                self.fail(i, f"found named active range already in first gen: {rtype}")
            ranges.append(rtype)
        elif rtype not in ranges:
            self.fail(i, f"resource is missing active range: {spec.NAMES[self.typ[i]]} {ranges}")

    def end_range(self, i, ranges):
        start = spec.START_EVENT[self.typ[i]]
        for k, r in enumerate(ranges):
            if r[0] == start:
                ranges[k], ranges[-1] = ranges[-1], ranges[k]
                return ranges.pop()[1]
        self.fail(i, f"tried to end event {spec.NAMES[start]}, but not in-flight")

    def _GCSweepBegin(self, i, m, p, g):
        self.need(i, m, p, g, "must", None)
        self.begin_range(i, self.p_state(i, p).ranges, (32, 0))
        self.push(i, m, p, g)
        return p, g

    def p_state(self, i, p):
        st = self.p_states.get(p)
        if st is None:
            self.fail(i, f"no state for proc {p}")
        return st

    def _GCSweepActive(self, i, m, p, g):
        pid = self.args[0][i]
        st = self.p_states.get(pid)
        if st is None:
            self.fail(i, f"encountered GCSweepActive for unknown proc {pid}")
        self.active_range(i, st.ranges, (32, 0))
        self.push(i, m, p, g)
        return p, g

    def _GCSweepEnd(self, i, m, p, g):
        self.need(i, m, p, g, "must", None)
        self.end_range(i, self.p_state(i, p).ranges)
        self.push(i, m, p, g)
        return p, g

    def _go_range_begin(self, i, m, p, g):  # STWBegin, GCMarkAssistBegin
        self.user(i, m, p, g)
        typ = self.typ[i]
        st = self.g_states.get(g)
        if st is None:
            self.fail(i, f"encountered event of type {typ} without known state for current goroutine {g}")
        self.begin_range(i, st.ranges, (typ, self.args[0][i] if typ == 26 else 0))
        self.push(i, m, p, g)
        return p, g

    _STWBegin = _GCMarkAssistBegin = _go_range_begin

    def _GCMarkAssistActive(self, i, m, p, g):
        gid = self.args[0][i]
        st = self.g_states.get(gid)
        if st is None:
            self.fail(i, f"uninitialized goroutine {gid} found during GCMarkAssistActive")
        self.active_range(i, st.ranges, (35, 0))
        self.push(i, m, p, g)
        return p, g

    def _go_range_end(self, i, m, p, g):  # STWEnd, GCMarkAssistEnd
        self.user(i, m, p, g)
        st = self.g_states.get(g)
        if st is None:
            self.fail(i, f"encountered event of type {self.typ[i]} without known state for current goroutine {g}")
        desc = self.end_range(i, st.ranges)
        self.push(i, m, p, g, desc if self.typ[i] == 27 else 0)
        return p, g

    _STWEnd = _GCMarkAssistEnd = _go_range_end

    def _alloc_free(self, i, m, p, g):
        self.need(i, m, p, g, None, None)
        self.push(i, m, p, g)
        return p, g

    (_Span, _SpanAlloc, _SpanFree, _HeapObject, _HeapObjectAlloc, _HeapObjectFree, _GoroutineStack,
     _GoroutineStackAlloc, _GoroutineStackFree) = (_alloc_free,) * 9


# ---------------------------------------------------------------------------
# the reader loop: heap of thread cursors, CPU samples, Syncs

def _sift_up(heap, i):
    while i > 0 and heap[(i - 1) // 2][0] > heap[i][0]:
        j = (i - 1) // 2
        heap[j], heap[i] = heap[i], heap[j]
        i = j
    return i


def _sift_down(heap, i):
    n = len(heap)
    while True:
        m, t = i, heap[i][0] if i < n else None
        for c in (2 * i + 1, 2 * i + 2):
            if c < n and (t is None or heap[c][0] < t):
                m, t = c, heap[c][0]
        if m == i:
            return i
        heap[i], heap[m] = heap[m], heap[i]
        i = m


def _heap_remove(heap, i):
    while i > 0:
        j = (i - 1) // 2
        heap[j], heap[i] = heap[i], heap[j]
        i = j
    heap[0], heap[-1] = heap[-1], heap[0]
    heap.pop()
    if heap:
        _sift_down(heap, 0)


def _sort_frontier(heap):
    """Go's ``slices.SortFunc`` by time (not stable past 12 cursors: its exact steps decide ties)."""
    sort_func(heap, key=itemgetter(0))


def order_events(generations, source: str, *, keep_complete: bool = False) -> Emitted:
    """Order the events of ``generations`` (an iterable of pairs of :class:`~.wire.Generation`
    and :class:`~.decode.GenEvents`, in file order; each is taken when the one before is
    ordered, so errors come in Go's order) as Go's ``Reader.ReadEvent`` emits them.

    With ``keep_complete``, an error while reading or ordering a generation ends the events
    after the generations before it (and the final Sync), as ``go tool trace`` keeps what it
    read up to the last Sync; the error is kept in ``Emitted.error``, the number of kept
    generations in ``Emitted.generations``.

    Two implementations, equal on every input: the compiled one of :mod:`~.order_fast`
    (when numba is installed and ``GOPHERLAB_ENGINE`` is not ``reference``; a small trace
    still takes the Python loop, see :func:`~.order_fast.worth_compiling`) and the Python loop
    of this module, which the compiled one also falls back to on any error, to raise it.

    Raises
    ------
    TraceFormatError
        An event breaks the ordering rules (Go's "broken trace" and state errors),
        with the byte offset of the event (unless ``keep_complete``).
    """
    if not reference_engine() and order_fast.numba_installed():
        return order_fast.order_events_fast(generations, source, keep_complete, order_events_reference)
    return order_events_reference(generations, source, keep_complete=keep_complete)


def order_events_reference(generations, source: str, *, keep_complete: bool = False) -> Emitted:
    """:func:`order_events` as a plain Python loop, one event at a time (the reference path)."""
    out = _Rows()
    order = _Ordering(out, source)
    base = index = 0
    error = None
    items = iter(generations)
    while True:
        kept = len(out.src)
        try:
            item = next(items, None)
            if item is None:
                break
            g, ev = item
            order.set_generation(g.gen, index, g.strings, ev, base)
            _emit_extra(out, out.extra.add(spec.SYNC, g.mul(g.min_ts), index))
            _order_generation(order, g, ev, index, out)
        except TraceFormatError as e:
            if not keep_complete:
                raise
            out.truncate(kept)
            error = e
            break
        base += len(ev.typ)
        index += 1
    _emit_extra(out, out.extra.add(spec.SYNC, -1, -1))  # the final Sync: at the last time (+1)
    number_syncs(out.extra)
    return out.emitted(error, index)


def _emit_extra(out: _Rows, src: int, m=NO, p=NO, g=NO):
    out.append(src, m, p, g)


def _order_generation(order: _Ordering, g, ev, index: int, out: _Rows):
    times = order.time
    heap = []
    for m, lo, hi in ev.threads:
        heap.append([times[lo], m, lo, hi])
        _sift_up(heap, len(heap) - 1)
    cpu = sorted(((g.mul(ts), m, p, gid, stk) for ts, m, p, gid, stk in g.cpu), key=lambda s: s[0])
    ci = 0

    def try_advance(k):
        cur = heap[k]
        if not order.advance(cur[2], cur[1]):
            return False
        cur[2] += 1
        if cur[2] < cur[3]:
            cur[0] = times[cur[2]]
            if _sift_up(heap, k) == k:
                _sift_down(heap, k)
        else:
            _heap_remove(heap, k)
        return True

    while heap or ci < len(cpu):
        if ci < len(cpu) and (not heap or cpu[ci][0] < heap[0][0]):
            t, m, p, gid, stk = cpu[ci]
            _emit_extra(out, out.extra.add(spec.CPU_SAMPLE, t, index, stk), m, p, gid)
            ci += 1
            continue
        if not try_advance(0):
            _sort_frontier(heap)
            if not any(try_advance(k) for k in range(1, len(heap))):
                first = heap[0][2]
                order.fail(first, "broken trace: failed to advance: no thread's next event can happen "
                                  f"(frontier of {len(heap)} threads)")
