"""The goroutine analysis of ``go tool trace``, as a plain event-by-event state machine.

This is the reference path of :func:`pprof_parse.runtime.trace.goroutines.goroutine_table`:
it feeds the events, in the parser's order, to a summarizer written after the rules of
Go 1.27's ``src/internal/trace/summary.go`` (``Summarizer.Event``, ``snapshotStat``,
``finalize``). The fast path (:mod:`.goroutines_fast`) must give the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["GoroutineStats", "summarize_goroutines"]

@dataclass
class GoroutineStats:
    """One goroutine's summary (Go's ``GoroutineSummary``); times in ns, 0 = not seen."""

    goroutine: int
    creation_time: int
    creator: int = -1
    creator_stack: int = 0
    name: str = ""
    start_pc: int = 0
    start_time: int = 0
    end_time: int = 0
    exec_ns: int = 0
    sched_wait_ns: int = 0
    syscall_ns: int = 0
    syscall_block_ns: int = 0
    total_ns: int = 0
    block_ns: dict = field(default_factory=dict)  # reason -> ns
    range_ns: dict = field(default_factory=dict)  # range name -> ns
    # the state Go keeps while summarizing (``goroutineSummary``)
    last_start: int = 0
    last_runnable: int = 0
    last_block: int = 0
    last_block_reason: str = ""
    last_syscall: int = 0
    last_syscall_block: int = 0
    last_range: dict = field(default_factory=dict)

    def add_pending(self, now: int) -> None:
        """Charge the state the goroutine is in up to ``now`` (``snapshotStat``)."""
        if self.total_ns == 0:
            self.total_ns = now - self.creation_time
        if self.last_start:
            self.exec_ns += now - self.last_start
        if self.last_runnable:
            self.sched_wait_ns += now - self.last_runnable
        if self.last_block:
            self.block_ns[self.last_block_reason] = self.block_ns.get(self.last_block_reason, 0) + now - self.last_block
        if self.last_syscall:
            self.syscall_ns += now - self.last_syscall
        if self.last_syscall_block:  # Go charges a blocked syscall still open at the end as scheduler wait
            self.sched_wait_ns += now - self.last_syscall_block
        for name, since in self.last_range.items():
            self.range_ns[name] = self.range_ns.get(name, 0) + now - since

    def finalize(self, now: int, end_time: int | None) -> None:
        """The goroutine ended (``end_time``) or the trace did (``None``): charge what is
        pending and forget it. Go runs this again at the end of the trace for a goroutine
        that ended, which then only sets a total that was still 0."""
        if end_time is not None:
            self.end_time = end_time
        self.add_pending(now)
        self.last_start = self.last_runnable = self.last_block = self.last_syscall = self.last_syscall_block = 0
        self.last_block_reason = ""
        self.last_range = {}


class _Summarizer:
    """Go's ``Summarizer``, restricted to what the goroutine table needs (no regions, no tasks)."""

    def __init__(self, root_frame):
        self.root_frame = root_frame  # stack id -> (pc, function) of its outermost frame, or None
        self.gs: dict[int, GoroutineStats] = {}
        self.syscalling_p: dict[int, int] = {}
        self.syscalling_g: dict[int, int] = {}
        self.ranges_p: dict[tuple, int] = {}
        self.sync_ts = 0

    def goroutine_transition(self, t, gid, old, new, reason, stack, tstack, p, g) -> None:
        if old == new:
            return
        gs = self.gs.get(gid)
        if old == "Undetermined":  # alive when the trace began: in the new state since the Sync
            gs = self.gs[gid] = GoroutineStats(gid, self.sync_ts)
            self.charge_since_sync(gs, t - self.sync_ts, new, reason, p)
        elif old == "NotExist":
            gs = self.gs[gid] = GoroutineStats(gid, t, creator=g, creator_stack=stack)
        elif old == "Running":
            gs.exec_ns += t - gs.last_start
            gs.last_start = 0
        elif old == "Waiting" and gs.last_block:
            gs.block_ns[gs.last_block_reason] = gs.block_ns.get(gs.last_block_reason, 0) + t - gs.last_block
            gs.last_block = 0
        elif old == "Runnable" and gs.last_runnable:
            gs.sched_wait_ns += t - gs.last_runnable
            gs.last_runnable = 0
        elif old == "Syscall" and gs.last_syscall:
            if gs.last_syscall_block:
                gs.syscall_block_ns += t - gs.last_syscall_block
                gs.syscall_ns += gs.last_syscall_block - gs.last_syscall
            else:
                gs.syscall_ns += t - gs.last_syscall
            gs.last_syscall = gs.last_syscall_block = 0
            self.syscalling_p.pop(self.syscalling_g.get(gid, 0), None)
            self.syscalling_g.pop(gid, None)
        if gs.name == "" and self.root_frame(tstack) is not None:
            gs.start_pc, gs.name = self.root_frame(tstack)
        self.enter(gs, t, new, reason, p)

    @staticmethod
    def charge_since_sync(gs: GoroutineStats, ns: int, new, reason, p) -> None:
        if new == "Running":
            gs.exec_ns += ns
        elif new == "Waiting":
            gs.block_ns[reason] = gs.block_ns.get(reason, 0) + ns
        elif new == "Runnable":
            gs.sched_wait_ns += ns
        elif new == "Syscall" and p == -1:  # no P since the start: a blocked syscall
            gs.syscall_block_ns += ns
        elif new == "Syscall":
            gs.syscall_ns += ns

    def enter(self, gs: GoroutineStats, t, new, reason, p) -> None:
        if new == "Running":
            gs.last_start = t
            if gs.start_time == 0:
                gs.start_time = t
        elif new == "Runnable":
            gs.last_runnable = t
        elif new == "Waiting" and reason != "forever":
            gs.last_block, gs.last_block_reason = t, reason
        elif new in ("Waiting", "NotExist"):  # blocked forever is like goroutine death
            gs.finalize(t, t)
        elif new == "Syscall":
            self.syscalling_p[p] = gs.goroutine
            self.syscalling_g[gs.goroutine] = p
            gs.last_syscall = t

    def proc_transition(self, t, pid, old, new) -> None:
        if old != new and new == "Idle" and pid in self.syscalling_p:
            self.gs[self.syscalling_p.pop(pid)].last_syscall_block = t

    def range_event(self, t, kind, name, resource, rid, g) -> None:
        gs = None
        if resource == "goroutine":
            gs = self.gs.get(rid)
        elif resource == "proc" and kind != "RangeEnd":
            gs = self.gs.get(g)
            if gs is not None:
                self.ranges_p[(rid, name)] = g
        elif resource == "proc":
            owner = self.ranges_p.pop((rid, name), None)
            gs = self.gs.get(owner) if owner is not None and owner == g else None
        if gs is None:
            return
        if kind == "RangeActive":
            if gs.last_range.get(name):
                gs.range_ns[name] = gs.range_ns.get(name, 0) + self.sync_ts - gs.last_range[name]
            gs.last_range[name] = self.sync_ts
        elif kind == "RangeBegin":
            gs.last_range[name] = t
        elif gs.last_range.get(name):
            gs.range_ns[name] = gs.range_ns.get(name, 0) + t - gs.last_range.pop(name)


def summarize_goroutines(transitions, events, root_frame) -> list[GoroutineStats]:
    """Feed the events to the summarizer in the parser's order; one :class:`GoroutineStats`
    per goroutine id, in id order.

    ``transitions`` is :attr:`Trace.transitions`, ``events`` the Sync and Range rows of
    :attr:`Trace.events` (times are unique, so sorting the two by time restores the
    parser's order). ``root_frame(stack_id)`` gives ``(pc, function)`` of a stack's
    outermost frame, or ``None`` for no stack (id 0, or a stack with no frames).
    """
    rows = sorted(_transition_rows(transitions) + _other_rows(events), key=lambda row: row[0])
    s = _Summarizer(root_frame)
    s.sync_ts = rows[0][0] if rows else 0  # Go: the first event's time until a Sync is seen
    for t, kind, resource, rid, old, new, reason, stack, tstack, p, g, name in rows:
        if kind == "Sync":
            s.sync_ts = t
        elif kind == "StateTransition" and resource == "goroutine":
            s.goroutine_transition(t, rid, old, new, reason, stack, tstack, p, g)
        elif kind == "StateTransition":
            s.proc_transition(t, rid, old, new)
        else:
            s.range_event(t, kind, name, resource, rid, g)
    last_ts = rows[-1][0] if rows else 0  # the last event Go's summarizer saw: the final Sync
    for gs in s.gs.values():
        gs.finalize(last_ts, None)
    return [s.gs[k] for k in sorted(s.gs)]


def _plain(column) -> list:
    """A column as Python values; a missing categorical value as ""."""
    if column.dtype == "category":
        return column.astype(object).where(column.notna(), "").tolist()
    return column.tolist()


def _transition_rows(tr) -> list[tuple]:
    n = len(tr)
    cols = [tr["time"], ["StateTransition"] * n, tr["resource"], tr["id"], tr["from_state"], tr["to_state"],
            tr["reason"], tr["stack"], tr["transition_stack"], tr["p"], tr["g"], [""] * n]
    return list(zip(*[c if isinstance(c, list) else _plain(c) for c in cols]))


def _other_rows(ev) -> list[tuple]:
    n = len(ev)
    cols = [ev["time"], ev["kind"], ev["resource"], ev["id"], [None] * n, [None] * n, [""] * n, [0] * n, [0] * n,
            ev["p"], ev["g"], ev["name"]]
    return list(zip(*[c if isinstance(c, list) else _plain(c) for c in cols]))
