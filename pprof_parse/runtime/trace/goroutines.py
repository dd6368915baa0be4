"""One row per goroutine: where its time went, as ``go tool trace``'s goroutine analysis says.

``go tool trace`` (the ``/goroutines`` and ``/goroutine?name=`` pages) summarizes every
goroutine with ``internal/trace.Summarizer`` (Go 1.27, ``src/internal/trace/summary.go``)
and groups the summaries by start function (``src/cmd/trace/goroutines.go``).
:func:`goroutine_table` gives the same numbers as a DataFrame, to group by ``name`` as
that page does.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import pd

from pprof_parse.runtime.trace.goroutines_fast import fast_summary
from pprof_parse.runtime.trace.goroutines_reference import summarize_goroutines

__all__ = ["goroutine_table", "goroutine_summary_table", "is_system_goroutine", "NEEDED_KINDS"]

_RANGE_KINDS = ("RangeBegin", "RangeActive", "RangeEnd")


def is_system_goroutine(name: str) -> bool:
    """Go's ``IsSystemGoroutine`` (``summary.go``): no start function, or one in package
    ``runtime`` other than ``runtime.main``."""
    return name == "" or (name != "runtime.main" and name.startswith("runtime."))


def goroutine_table(trace) -> "pd.DataFrame":
    """Per goroutine: creation, start function, end, and its time by state.

    ``trace`` is a :class:`~pprof_parse.runtime.trace.model.Trace`. One row per goroutine
    id that makes a state change in the trace, sorted by id. All times are int64 ns on
    the trace's clock (as :attr:`Trace.events` ``time``), all durations int64 ns.

    Columns
    -------
    goroutine : int64
        The goroutine id.
    name : str
        Start function: the outermost frame of the first transition stack seen for the
        goroutine (its creation's, or a block/stop/syscall stack, or a generation's status
        stack); "" if none was seen (Go shows "(Inactive, no stack trace sampled)").
    start_pc : uint64
        That frame's PC (0 if none).
    system : bool
        Go's ``IsSystemGoroutine(name)``: "" or ``runtime.*`` but ``runtime.main``.
    creation_time : int64
        The creating transition's time (``GoCreate``...); for a goroutine already alive
        when the trace began, the time of the Sync before its first event.
    creator : int64
        The goroutine running the ``GoCreate`` (-1: alive at the start of the trace, or
        created outside a goroutine).
    creator_stack : int64
        The creating event's own stack (the creator's call stack), an id of
        :attr:`Trace.stacks`; 0 when unknown.
    start_time, end_time : Int64 (nullable)
        First time the goroutine ran; the time it ended (went to NotExist, or blocked with
        reason ``forever``). NA: never ran / did not end in the trace (Go shows 0).
    total_ns : int64
        Go's ``TotalTime``: end (or the trace's last event) minus creation.
    exec_ns : int64
        Running (``ExecTime``).
    sched_wait_ns : int64
        Runnable, waiting for a P (``SchedWaitTime``); Go also adds here the blocked part of
        a syscall still open at the end of the trace.
    syscall_ns : int64
        In a syscall while holding its P (``SyscallTime``; a syscall open at the end
        counts here whole).
    syscall_block_ns : int64
        In a syscall after its P went idle (stolen or handed off): ``SyscallBlockTime``,
        Go's "Block time (syscall)".
    block_ns : int64
        Waiting, all reasons (the sum of the ``block_ns_<reason>`` columns).
    unknown_ns : int64
        Go's ``UnknownTime``: total minus the non-overlapping times above, at least 0
        (normally 0: Go charges a goroutine alive when the trace began with the state of its
        first transition from the Sync on).
    block_ns_<reason> : int64, one column per reason seen in the trace
        ``BlockTimeByReason``: waiting with that GoBlock reason (``chan receive``,
        ``chan send``, ``select``, ``sync``, ``sync.(*Cond).Wait``, ``network``, ``sleep``,
        ``GC assist``-like runtime reasons, ``system goroutine wait``...), in sorted order.
    range_ns_<name> : int64, one column per range seen
        ``RangeTime``: time inside ``GC mark assist``, ``stop-the-world (<kind>)`` (ranges
        on the goroutine) or ``GC incremental sweep`` (a P's range that began and ended
        while this goroutine ran); overlaps the times above.

    Rules (``summary.go``): transitions that keep the state are skipped; a state lasts from
    the transition into it to the goroutine's next transition (for a goroutine alive when
    the trace began, its first state counts from the Sync before it; a syscall then counts
    as blocked if the event had no P); at the end of the trace the
    states still open are charged up to the last event (the final Sync). A goroutine's
    syscall is "blocked" from the moment its P goes idle while bound to it. Goroutine ids
    are never reused by the runtime; if a trace showed a second creation of one id, the
    row describes the last (Go's map keeps the last).

    Grouping as the ``/goroutines`` page: ``df.groupby("name")["exec_ns"].agg(["size", "sum"])``.
    Raises nothing of its own; the engine (``GOPHERLAB_ENGINE``) picks the columnwise path
    or the event-by-event reference, which give equal tables. Built from
    :attr:`Trace.transitions` and the Sync and Range events only
    (:func:`goroutine_summary_table`).
    """
    ev = trace.events
    return goroutine_summary_table(trace.transitions, ev[ev["kind"].isin(NEEDED_KINDS)], trace.stack)


#: the event kinds, besides the state transitions, that Go's goroutine summary reads
NEEDED_KINDS = ("Sync",) + _RANGE_KINDS


def goroutine_summary_table(transitions: "pd.DataFrame", events: "pd.DataFrame", stack) -> "pd.DataFrame":
    """:func:`goroutine_table` from its inputs alone.

    ``transitions`` is :attr:`Trace.transitions`; ``events`` holds at least the Sync and
    Range events of :attr:`Trace.events` (other rows are ignored; the trace's first and last
    events are Syncs, which give Go's start and end of the trace); ``stack(id)`` is
    :meth:`Trace.stack`. Returns the table :func:`goroutine_table` describes.
    """
    events = events[events["kind"].isin(NEEDED_KINDS)]
    frames = _RootFrames(stack)
    if reference_engine():
        stats = summarize_goroutines(transitions, events, frames.one)
        return _assemble(*_from_reference(stats))
    syncs = events.loc[events["kind"] == "Sync", "time"].to_numpy()
    span = _span(transitions, events)
    return _assemble(*fast_summary(transitions, span, frames.lookup, syncs, _range_rows(events)))


def _span(transitions, events) -> tuple[int, int]:
    """The times of the trace's first and last events (Syncs, but any row given counts)."""
    times = [c["time"].iloc[i] for c in (transitions, events) if len(c) for i in (0, -1)]
    return int(min(times)), int(max(times))


class _RootFrames:
    """Each stack's outermost frame (``Stack.Frames`` yields it last)."""

    def __init__(self, stack):
        self._stack = stack
        self._cache: dict[int, tuple[int, str] | None] = {}

    def one(self, stack_id: int):
        if stack_id not in self._cache:
            frames = self._stack(stack_id) if stack_id else []
            self._cache[stack_id] = (frames[-1][0], frames[-1][1]) if frames else None
        return self._cache[stack_id]

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Root frame PC (uint64, 0 none) and function (object, "" none) of each stack id."""
        seen = np.zeros(int(ids.max(initial=0)) + 1, bool)
        seen[ids] = True
        pcs = np.zeros(len(seen), np.uint64)
        names = np.full(len(seen), "", dtype=object)
        for s in np.flatnonzero(seen).tolist():
            frame = self.one(s)
            if frame is not None:
                pcs[s], names[s] = frame
        return pcs[ids], names[ids]


def _range_rows(events: "pd.DataFrame") -> list[tuple]:
    r = events[events["kind"].isin(_RANGE_KINDS)]
    return list(zip(r["time"].tolist(), r["kind"].astype(str).tolist(), r["name"].astype(str).tolist(),
                    r["resource"].astype(str).tolist(), r["id"].tolist(), r["g"].tolist()))


def _from_reference(stats) -> tuple[dict, dict, dict]:
    base = {c: np.array([getattr(s, c) for s in stats], dtype=np.int64)
            for c in ("goroutine", "exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "creation_time",
                      "creator", "creator_stack", "start_time", "end_time", "total_ns")}
    base["name"] = np.array([s.name for s in stats], dtype=object)
    base["start_pc"] = np.array([s.start_pc for s in stats], dtype=np.uint64)
    block = {r: np.array([s.block_ns.get(r, 0) for s in stats], np.int64)
             for r in {r for s in stats for r in s.block_ns}}
    ranges = {r: np.array([s.range_ns.get(r, 0) for s in stats], np.int64)
              for r in {r for s in stats for r in s.range_ns}}
    return base, block, ranges


def _assemble(base: dict, block: dict, ranges: dict) -> "pd.DataFrame":
    n = len(base["goroutine"])
    blocked = sum(block.values(), np.zeros(n, np.int64))
    accounted = base["exec_ns"] + base["sched_wait_ns"] + base["syscall_ns"] + base["syscall_block_ns"] + blocked
    out = pd.DataFrame({
        "goroutine": base["goroutine"].astype(np.int64),
        "name": pd.array(base["name"], dtype=object),
        "start_pc": base["start_pc"].astype(np.uint64),
        "system": np.array([is_system_goroutine(s) for s in base["name"]], bool),
        "creation_time": base["creation_time"],
        "creator": base["creator"],
        "creator_stack": base["creator_stack"],
        "start_time": pd.array(np.where(base["start_time"] > 0, base["start_time"], 0), dtype="Int64"),
        "end_time": pd.array(base["end_time"], dtype="Int64"),
        "total_ns": base["total_ns"],
        "exec_ns": base["exec_ns"],
        "sched_wait_ns": base["sched_wait_ns"],
        "syscall_ns": base["syscall_ns"],
        "syscall_block_ns": base["syscall_block_ns"],
        "block_ns": blocked,
        "unknown_ns": np.maximum(base["total_ns"] - accounted, 0),
    })
    out.loc[out["start_time"] == 0, "start_time"] = pd.NA
    out.loc[out["end_time"] == 0, "end_time"] = pd.NA
    extra = {f"block_ns_{r}": block[r] for r in sorted(block)}
    extra.update({f"range_ns_{r}": ranges[r] for r in sorted(ranges)})
    if extra:
        out = pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1)
    return out
