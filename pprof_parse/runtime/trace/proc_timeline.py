"""The proc timeline of ``go tool trace``'s viewer: which goroutine ran on each P, and when.

``go tool trace``'s "View trace by proc" page draws, per P, a slice for each stretch a
goroutine executed there, the syscalls it made inside it, and the goroutine-scoped
ranges (stop-the-world, GC mark assist) that were active while it ran. The rules are
those of ``src/cmd/trace/procgen.go`` and ``gstate.go``, replayed here over the ordered
events:

* a goroutine's slice starts when it goes from a non-executing state to Running (on the
  event's P; from Undetermined, back-dated to the trace's first event), and ends when it
  goes from Running to Runnable, Waiting or NotExist -- Running and Syscall both count as
  executing, so a syscall does not end it;
* a syscall entered on a P opens a ``syscall`` slice; it ends when the goroutine leaves
  Syscall (``blocked: no``), or when its P stops while it is still in the syscall (the
  syscall blocked: ``blocked: yes``, and the goroutine's slice ends there too);
* a goroutine-scoped range (RangeBegin/RangeActive/RangeEnd) that ends while the
  goroutine executes becomes a slice; ranges still active when the goroutine stops are
  cut there and resume when it runs again;
* a P-scoped range (``GC incremental sweep``) is a slice on its P from its begin to its end
  (``gen.go``'s ``procRangeGenerator``); one active at the start is back-dated to the
  trace's first event, but only while the first generation is read (before the second Sync);
* slices still open at the trace's last event end there;
* a slice is named ``G<id> <function>``, the function being the outermost frame of the
  first state-transition stack seen for the goroutine, plus `` (<label>)`` of its latest
  GoLabel (``GC (dedicated)``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["ProcSlice", "proc_slices"]

EXECUTING = ("Running", "Syscall")


class ProcSlice(NamedTuple):
    """One slice of the proc view: ``name``, ``p``, ``start`` and ``end`` (ns), and for a
    syscall whether it blocked (``None`` for other slices)."""

    name: str
    p: int
    start: int
    end: int
    blocked: bool | None = None


@dataclass
class _Goroutine:
    """What the viewer keeps per goroutine (``gState``)."""

    base: str
    named: bool = False
    label: str = ""
    executing: int = -1       # the P it executes on (-1: none)
    running_since: int = 0
    syscall_since: int | None = None
    completed: list = field(default_factory=list)  # (name, start, end, blocked)
    active: dict = field(default_factory=dict)     # range name -> start time (None: not running then)

    def name(self) -> str:
        return f"{self.base} ({self.label})" if self.label else self.base


class _ProcView:
    """The replay: one call of :meth:`transition`, :meth:`proc_transition`, :meth:`range_event`
    or :meth:`label` per event, in the trace's order."""

    def __init__(self, root_function, start_time: int):
        self.root_function = root_function  # transition stack id -> outermost function name ("" for none)
        self.start_time = start_time
        self.goroutines: dict[int, _Goroutine] = {}
        self.in_syscall: dict[int, _Goroutine] = {}  # P -> goroutine in a syscall on it
        self.proc_ranges: dict[tuple[str, int], int] = {}  # (name, P) -> start time
        self.syncs = 0
        self.out: list[ProcSlice] = []

    def goroutine(self, g: int) -> _Goroutine:
        gs = self.goroutines.get(g)
        if gs is None:
            gs = self.goroutines[g] = _Goroutine(base=f"G{g}")
        return gs

    def transition(self, time, g, p, old, new, transition_stack) -> None:
        gs = self.goroutine(g)
        if not gs.named and transition_stack:
            gs.base += f" {self.root_function(transition_stack)}"
            gs.named = True
        if old == new:
            return
        if old == "Running" and new not in EXECUTING:
            self.stop(gs, time)
        if old not in EXECUTING and new == "Running":
            self.start(gs, self.start_time if old == "Undetermined" else time, p)
        if new == "Syscall" and p >= 0:
            start = self.start_time if old == "Undetermined" else time
            gs.syscall_since = start
            if gs.executing < 0:
                gs.executing, gs.running_since = p, start
            self.in_syscall[p] = gs
        if old == "Syscall" and p in self.in_syscall:  # the syscall returned without blocking
            self.end_syscall(gs, time, blocked=False)
            del self.in_syscall[p]

    def proc_transition(self, time, p, old, new) -> None:
        if old == new or old != "Running":
            return
        gs = self.in_syscall.pop(p, None)
        if gs is not None:  # the P stopped under a goroutine in a syscall: the syscall blocked
            self.end_syscall(gs, time, blocked=True)
            self.stop(gs, time)

    def range_event(self, kind, time, g, name) -> None:
        gs = self.goroutine(g)
        if kind == "RangeBegin":
            gs.active[name] = time if gs.executing >= 0 else None
        elif kind == "RangeActive":
            gs.active[name] = gs.running_since if gs.executing >= 0 else None
        else:
            start = gs.active.pop(name, None)
            if gs.executing >= 0:
                gs.completed.append((name, start or 0, time, None))

    def proc_range(self, kind, time, p, name) -> None:
        if kind == "RangeBegin":
            self.proc_ranges[(name, p)] = time
        elif kind == "RangeActive":
            if self.syncs < 2:
                self.proc_ranges[(name, p)] = self.start_time
        else:
            self.out.append(ProcSlice(name, p, self.proc_ranges.pop((name, p), 0), time))

    def label(self, g, text) -> None:
        self.goroutine(g).label = text

    def start(self, gs: _Goroutine, time: int, p: int) -> None:
        for name in gs.active:
            gs.active[name] = time
        gs.executing, gs.running_since = p, time

    def end_syscall(self, gs: _Goroutine, time: int, *, blocked: bool) -> None:
        if gs.syscall_since is not None:
            gs.completed.append(("syscall", gs.syscall_since, time, blocked))
            gs.syscall_since = None

    def stop(self, gs: _Goroutine, time: int) -> None:
        if gs.executing < 0:
            return  # Go's viewer gives up on such a trace ("non-executing goroutine stopped")
        p = gs.executing
        self.out.append(ProcSlice(gs.name(), p, gs.running_since, time))
        self.out.extend(ProcSlice(name, p, start, end, blocked) for name, start, end, blocked in gs.completed)
        gs.completed.clear()
        self.out.extend(ProcSlice(name, p, start or 0, time) for name, start in gs.active.items())
        for name in gs.active:
            gs.active[name] = None
        gs.executing = -1

    def finish(self, end_time: int) -> None:
        self.out.extend(ProcSlice(name, p, start, end_time) for (name, p), start in self.proc_ranges.items())
        for gs in self.goroutines.values():
            if gs.executing >= 0:
                self.end_syscall(gs, end_time, blocked=False)
                self.stop(gs, end_time)


def proc_slices(trace) -> list[ProcSlice]:
    """The slices of ``go tool trace``'s proc view (``/trace?view=proc``) of ``trace``.

    Returns a list of :class:`ProcSlice` (times in ns, as in ``trace.events``), in the
    order Go's viewer emits them. The rules are in this module's docstring.
    """
    rows = trace.events_of("StateTransition", "RangeBegin", "RangeActive", "RangeEnd", "Label", "Sync")
    names: dict[int, str] = {}

    def root_function(stack_id: int) -> str:
        if stack_id not in names:
            frames = trace.stack(stack_id)
            names[stack_id] = frames[-1][1] if frames else ""
        return names[stack_id]

    syncs = rows["time"][rows["kind"] == "Sync"]  # the trace's first and last events
    view = _ProcView(root_function, int(syncs.iloc[0]))
    columns = [rows[c].tolist() for c in ("kind", "time", "resource", "id", "from_state", "to_state", "p",
                                          "transition_stack", "name")]
    for kind, time, resource, ident, old, new, p, tstack, name in zip(*columns):
        if kind == "StateTransition":
            if resource == "goroutine":
                view.transition(time, ident, p, old, new, tstack)
            else:
                view.proc_transition(time, ident, old, new)
        elif kind == "Label":
            if resource == "goroutine":
                view.label(ident, name)
        elif kind == "Sync":
            view.syncs += 1
        elif resource == "goroutine":
            view.range_event(kind, time, ident, name)
        elif resource == "proc":
            view.proc_range(kind, time, ident, name)
    view.finish(int(syncs.iloc[-1]))
    return view.out
