"""The event ordering's fast path: Go's ordering loop compiled with numba, one generation a call.

:func:`order_events_fast` gives what :func:`~.order.order_events_reference` gives, about
30-60 times faster. Per generation it

1. gives every goroutine, P and M id it has not seen a *slot*, a row of dense state
   arrays kept across generations (:class:`_Slots`);
2. runs :func:`~.order_kernel.order_generation`: the heap of thread cursors, Go's
   tie-breaking and the goroutine/P/M/GC state machine, writing preallocated columns;
3. checks, in emitted order, what that machine needs no decision from (:class:`_Annotations`):
   tasks, region nesting, the named ranges (STW, mark assist, sweep) and the string ids,
   and fills in the TaskEnd and STWEnd details.

Any broken rule sends the whole input back to the Python loop, which raises Go's exact error
(what and where): errors are rare and that loop is the reference for them. numba is an
optional dependency, imported on first use only (the kernel modules import it).
"""

from __future__ import annotations

import importlib.util
from itertools import chain

import numpy as np
from gopherlab_common.lazy import LazyModule

from pprof_parse.runtime.trace import spec
from pprof_parse.runtime.trace.errors import TraceFormatError
from pprof_parse.runtime.trace.order_emitted import Emitted, Extra, number_syncs

__all__ = ["numba_installed", "order_events_fast", "worth_compiling", "MIN_COMPILED_EVENTS"]

kernel = LazyModule("pprof_parse.runtime.trace.order_kernel")

#: below this many events in the first generation the Python loop is faster than loading the
#: compiled kernel. Measured (benchmarks/bench_trace.py --jit, 49,179 events): the Python loop
#: 0.31 s (6.3 us an event); the compiled path in a new process 1.2 s (importing numba 0.35 s,
#: loading the cached machine code 0.85 s), then 0.011 s; even, at about 190,000 events. The
#: first use after installing compiles the kernel once (about 1 min) and caches it (numba's
#: ``cache=True``, beside the modules).
MIN_COMPILED_EVENTS = 200_000


def numba_installed() -> bool:
    """True when numba can be imported (it is not imported here)."""
    return importlib.util.find_spec("numba") is not None


def worth_compiling(first_generation_events: int) -> bool:
    """Whether a trace whose first generation has this many events takes the compiled path."""
    return first_generation_events >= MIN_COMPILED_EVENTS


class _Fallback(Exception):
    """Internal: a rule is broken; the Python loop re-runs the trace to raise the exact error."""


def _table(types) -> np.ndarray:
    t = np.zeros(256, bool)
    t[list(types)] = True
    return t


# the events whose first argument is a goroutine / a P; with a thread as second / third argument
_G_ARG0 = _table((14, 15, 16, 21, 25, 34, 45, 46, 47, 48))
_P_ARG0 = _table((10, 12, 13, 31))
_M_ARG1 = _table((25, 48))
_M_ARG2 = _table((12,))
# the events :class:`_Annotations` checks after the kernel
_CHECKED_AFTER = _table((26, 27, 31, 32, 33, 34, 35, 36, 40, 41, 42, 43))


class _IdTable:
    """Ids (int64 bits of the uint64 ids) to slots, growing as new ids appear.

    ``ids[slot]`` is the id; ``keys``/``slots`` the ids sorted with their slots (the kernel's
    binary search)."""

    def __init__(self):
        self.ids = np.empty(0, np.int64)
        self.keys = np.empty(0, np.int64)
        self.slots = np.empty(0, np.int64)

    def add(self, ids: np.ndarray) -> None:
        new = np.unique(ids[~np.isin(ids, self.keys)])  # (setdiff1d uniques all of ids first: 6 x slower)
        if len(new):
            self.ids = np.concatenate((self.ids, new))
            self.slots = np.argsort(self.ids, kind="stable")
            self.keys = self.ids[self.slots]


class _Slots:
    """The kernel's state across generations: the id tables and ``W`` (see :mod:`~.order_kernel`)."""

    def __init__(self):
        self.g, self.p, self.m = _IdTable(), _IdTable(), _IdTable()
        self.W = self._layout(np.full((kernel.W_ROWS, kernel.S_FIELDS), -1, np.int64))
        self.W[kernel.SCALARS] = 0   # GC state undetermined, counters at 0

    def add_generation(self, ev) -> np.ndarray:
        """Give slots to the ids ``ev`` names; returns its threads as ``[3, k]`` (slot, first, end)."""
        typ, args = ev.typ, ev.args.view(np.int64)
        self.g.add(args[0][_G_ARG0[typ]])
        self.p.add(args[0][_P_ARG0[typ]])
        ms = np.concatenate((np.array([m for m, _, _ in ev.threads], np.int64),
                             args[1][_M_ARG1[typ]], args[2][_M_ARG2[typ]]))
        self.m.add(ms[ms != -1])
        self.W = self._layout(self.W)
        slot_of = dict(zip(self.m.ids.tolist(), range(len(self.m.ids))))
        return np.array([[slot_of.get(m, -1) for m, _, _ in ev.threads],
                         [lo for _, lo, _ in ev.threads], [hi for _, _, hi in ev.threads]],
                        np.int64).reshape(3, len(ev.threads))

    def _layout(self, old: np.ndarray) -> np.ndarray:
        """``old`` widened to the id tables (new slots -1: absent), with the tables written in."""
        k = kernel
        width = max(len(self.g.ids), len(self.p.ids), len(self.m.ids), k.S_FIELDS)
        W = old
        if old.shape[1] < width:
            W = np.full((k.W_ROWS, width), -1, np.int64)
            W[:, :old.shape[1]] = old
        for table, id_row, key_row, count in ((self.g, k.G_ID, k.G_KEY, k.N_G), (self.p, k.P_ID, k.P_KEY, k.N_P),
                                              (self.m, k.M_ID, k.M_KEY, k.N_M)):
            n = len(table.ids)
            W[id_row, :n], W[key_row, :n], W[key_row + 1, :n] = table.ids, table.keys, table.slots
            W[k.SCALARS, count] = n
        return W


def _cpu_samples(g) -> np.ndarray:
    """The generation's CPU samples as ``[5, k]`` (time ns, m, p, g, stack), stably sorted by time."""
    rows = [(g.mul(ts), m, p, gid, stk) for ts, m, p, gid, stk in g.cpu]
    rows.sort(key=lambda s: s[0])
    cpu = np.empty((5, len(rows)), np.int64)
    for k in range(4):
        cpu[k] = [r[k] for r in rows]
    cpu[4] = np.array([r[4] for r in rows], np.uint64).view(np.int64)
    return cpu


class _Columns:
    """The emitted columns, grown generation by generation: ``ndarray.resize`` moves a large
    buffer's pages (``realloc``) instead of copying them, so the columns are never held twice
    (8 bytes an event each, no final join). No view of them exists until :meth:`emitted`."""

    def __init__(self):
        self.cols = [np.empty(0, np.int64) for _ in range(5)]
        self.extra, self.task_ends = Extra(), []
        self.n = 0

    def add(self, rows) -> None:
        k = len(rows[0])
        for col, row in zip(self.cols, rows):
            col.resize(self.n + k, refcheck=False)
            col[self.n:] = row
        self.n += k

    def sync(self, time, gen) -> None:
        self.add([(v,) for v in (self.extra.add(spec.SYNC, time, gen), -1, -1, -1, 0)])

    def mark(self) -> tuple[int, int, int]:
        return self.n, len(self.extra.typ), len(self.task_ends)

    def truncate(self, rows: int, extras: int, task_ends: int) -> None:
        for col in self.cols:
            col.resize(rows, refcheck=False)
        self.n = rows
        for column in (self.extra.typ, self.extra.time, self.extra.a0, self.extra.a1, self.extra.gen):
            del column[extras:]
        del self.task_ends[task_ends:]

    def emitted(self, error, generations) -> Emitted:
        return Emitted(*self.cols, extra=self.extra, task_ends=self.task_ends, error=error, generations=generations)


def order_events_fast(generations, source: str, keep_complete: bool, reference) -> Emitted:
    """:func:`~.order.order_events` on the compiled path; ``reference`` is the Python loop
    (``order_events_reference``), run on the whole input on any broken rule, and on a trace whose
    first generation is small (:func:`worth_compiling`).

    Raises
    ------
    TraceFormatError
        As :func:`~.order.order_events` (raised by a generation's reading, or by ``reference``).
    """
    items = iter(generations)
    consumed = []
    slots, out, checks = None, _Columns(), _Annotations()
    base = index = 0
    error = None
    while True:
        mark = out.mark()
        try:
            item = next(items, None)
        except TraceFormatError as e:
            if not keep_complete:
                raise
            out.truncate(*mark)
            error = e
            break
        if item is None:
            break
        consumed.append(item)
        g, ev = item
        if index == 0:
            if not worth_compiling(len(ev.typ)):
                return reference(chain(consumed, items), source, keep_complete=keep_complete)
            try:
                slots = _Slots()   # imports numba
            except ImportError:    # installed but unusable (e.g. an llvmlite that does not load)
                return reference(chain(consumed, items), source, keep_complete=keep_complete)
        try:
            _order_generation(g, ev, index, base, slots, out, checks)
        except _Fallback:
            return reference(chain(consumed, items), source, keep_complete=keep_complete)
        base += len(ev.typ)
        index += 1
    out.sync(-1, -1)   # the final Sync
    number_syncs(out.extra)
    return out.emitted(error, index)


def _order_generation(g, ev, index, base, slots: _Slots, out: _Columns, checks) -> None:
    """Order one generation into ``out``; raises :class:`_Fallback` on a broken rule."""
    out.sync(g.mul(g.min_ts), index)
    threads = slots.add_generation(ev)
    cpu = _cpu_samples(g)
    typ = ev.typ
    cap = len(typ) + 2 * int(np.count_nonzero((typ == 45) | (typ == 46))) + int(np.count_nonzero(typ == 18))
    O = np.empty((9, cap + cpu.shape[1]), np.int64)
    k, S = kernel, slots.W[kernel.SCALARS]
    S[k.GEN], S[k.INITIAL] = g.gen, g.gen == checks.initial_gen(g.gen)
    S[k.N_OUT] = S[k.N_EX] = 0
    S[k.SRC_BASE], S[k.EX_BASE] = base, len(out.extra.typ)
    cursors = np.empty((4, threads.shape[1]), np.int64)
    cursors[1:] = threads
    heap, todo = np.empty(threads.shape[1], np.int64), np.empty((5, 132), np.int64)
    result, _ = kernel.order_generation(typ, ev.time, ev.args.view(np.int64), cursors, heap, cpu, slots.W, O, todo)
    if result != kernel.OK:
        raise _Fallback
    n, n_extra = int(S[k.N_OUT]), int(S[k.N_EX])
    cols = tuple(O[r, :n] for r in range(5))
    checks.run(cols, ev, base, g, out.task_ends)
    out.add(cols)
    extra = out.extra
    extra.typ += O[k.X_TYP, :n_extra].tolist()
    extra.time += O[k.X_TIME, :n_extra].tolist()
    extra.a0 += O[k.X_A0, :n_extra].view(np.uint64).tolist()
    extra.a1 += O[k.X_A1, :n_extra].view(np.uint64).tolist()
    extra.gen += [index] * n_extra


class _Annotations:
    """Tasks, regions and named ranges, checked in emitted order after the kernel (the rules of
    :class:`~.order._Ordering`'s ``_UserTask*``, ``_UserRegion*`` and range handlers). A goroutine's
    regions and ranges are keyed by its incarnation (the kernel's ``x`` on those events), a P's
    by its id. Any broken rule raises :class:`_Fallback`."""

    def __init__(self):
        self.first_gen = 0
        self.tasks: dict[int, tuple[str, int]] = {}
        self.regions: dict[int, list] = {}
        self.g_ranges: dict[int, list] = {}
        self.p_ranges: dict[int, list] = {}

    def initial_gen(self, gen: int) -> int:
        """The number of the trace's first generation (Go's ``initialGen``, set while it is 0)."""
        if self.first_gen == 0:
            self.first_gen = gen
        return self.first_gen

    def run(self, cols, ev, base, g, task_ends) -> None:
        src, p, x = cols[0], cols[2], cols[4]
        event = src - base
        rows = np.flatnonzero(src >= 0)
        rows = rows[_CHECKED_AFTER[ev.typ[event[rows]]]]
        if not len(rows):
            return
        at = event[rows]
        self.strings, self.initial = g.strings, g.gen == self.first_gen
        fields = zip(rows.tolist(), ev.typ[at].tolist(), *(ev.args[k][at].tolist() for k in range(3)),
                     p[rows].view(np.uint64).tolist(), x[rows].tolist())
        for row, typ, a0, a1, a2, pid, inc in fields:
            x[row] = self.check(typ, a0, a1, a2, pid, inc, task_ends)

    def string(self, sid: int) -> str:
        if sid and sid not in self.strings:
            raise _Fallback
        return self.strings.get(sid, "")

    def check(self, typ, a0, a1, a2, pid, inc, task_ends) -> int:
        """Check one event; returns its ``x``."""
        if typ == 40:                                       # UserTaskBegin
            if a0 in self.tasks:
                raise _Fallback
            self.tasks[a0] = (self.string(a2), a1 or spec.U64_MAX)
        elif typ == 41:                                     # UserTaskEnd
            name, parent = self.tasks.pop(a0, ("", spec.U64_MAX))
            task_ends.append((parent, name))
            return len(task_ends) - 1
        elif typ == 42:                                     # UserRegionBegin
            self.regions.setdefault(inc, []).append((a0, self.string(a1)))
        elif typ == 43:                                     # UserRegionEnd
            region, stack = (a0, self.string(a1)), self.regions.get(inc)
            if stack:
                if stack[-1] != region:
                    raise _Fallback
                stack.pop()
        elif typ in (26, 35):                               # STWBegin, GCMarkAssistBegin
            self.begin(self.g_ranges.setdefault(inc, []), (typ, a0 if typ == 26 else 0))
        elif typ == 34:                                     # GCMarkAssistActive
            self.active(self.g_ranges.setdefault(inc, []), (35, 0))
        elif typ in (27, 36):                               # STWEnd, GCMarkAssistEnd
            desc = self.end(self.g_ranges.setdefault(inc, []), spec.START_EVENT[typ])
            return desc if typ == 27 else 0
        elif typ == 32:                                     # GCSweepBegin
            self.begin(self.p_ranges.setdefault(pid, []), (32, 0))
        elif typ == 31:                                     # GCSweepActive
            self.active(self.p_ranges.setdefault(a0, []), (32, 0))
        elif typ == 33:                                     # GCSweepEnd
            self.end(self.p_ranges.setdefault(pid, []), 32)
        return 0

    @staticmethod
    def begin(ranges, rtype) -> None:
        if rtype in ranges:
            raise _Fallback
        ranges.append(rtype)

    def active(self, ranges, rtype) -> None:
        if self.initial:
            if rtype in ranges:
                raise _Fallback
            ranges.append(rtype)
        elif rtype not in ranges:
            raise _Fallback

    @staticmethod
    def end(ranges, start) -> int:
        for k, r in enumerate(ranges):
            if r[0] == start:
                ranges[k], ranges[-1] = ranges[-1], ranges[k]
                return ranges.pop()[1]
        raise _Fallback
