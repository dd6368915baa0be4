"""A trace's timeline as a Trace Event Format file, for Perfetto's UI or chrome://tracing.

``go tool trace`` shows its timeline in a web page it serves; a notebook user often
wants the same picture next to the DataFrames, or wants to hand it to someone. The
Trace Event Format (a JSON array of events, documented by the Chromium project as
"Trace Event Format"; Perfetto's UI opens it, plain or gzipped) is the common way to
do that. This module writes one from the tables :class:`~pprof_parse.runtime.trace.Trace`
already has, laid out as ``go tool trace``'s views are:

* process "Goroutines": one thread per goroutine, a slice per state it was in
  (``Running``, ``Runnable``, ``Waiting (reason)``, ``Syscall``), log messages as
  instant events, user regions as async slices on the goroutine;
* process "Procs": one thread per P with the slices of ``go tool trace``'s proc view
  (``G<id> <function>`` while a goroutine executed there, its syscalls, its
  stop-the-world and mark-assist ranges; :mod:`.proc_timeline`), equal to the tool's;
* process "Runtime": GC and stop-the-world ranges and user tasks as async slices,
  and each runtime metric (heap, heap goal, GOMAXPROCS) as a counter.

Times are microseconds from the trace's first event (the format's unit), written with
three decimals so no nanosecond is lost.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator

import numpy as np
from gopherlab_common.lazy import pd

from pprof_parse.runtime.trace.proc_timeline import proc_slices

__all__ = ["write_perfetto"]

PID_GOROUTINES, PID_PROCS, PID_RUNTIME = 1, 2, 3


def write_perfetto(trace, path: str | os.PathLike) -> int:
    """Write ``trace``'s timeline to ``path`` as Trace Event Format JSON; return the event count.

    Parameters
    ----------
    trace : Trace
        A trace from :func:`pprof_parse.read_trace`.
    path : str or path
        The file to write; a name ending in ``.gz`` is gzipped (Perfetto's UI opens both).

    Returns
    -------
    int
        How many trace events were written (metadata events included).

    Notes
    -----
    The file holds one slice per goroutine state interval, so it grows with the trace:
    about 100 bytes per state transition before compression. States still open at the
    end of the trace (and ranges open at either end) are cut at the trace's last (first)
    event. Nothing is fetched over the network; the file is self-contained.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    t0, t_end = _time_span(trace)
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    count = 0
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('{"displayTimeUnit":"ns","traceEvents":[\n')
        for event in _events(trace, t0, t_end):
            out.write((",\n" if count else "") + (event if isinstance(event, str) else _json(event)))
            count += 1
        out.write("\n]}\n")
    return count


def _json(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"))


def _time_span(trace) -> tuple[int, int]:
    """The times (ns) of the trace's first and last events (in Go's order, as its viewer takes them:
    the first and last Sync)."""
    times = trace.events_of("Sync")["time"]
    return int(times.iloc[0]), int(times.iloc[-1])


def _us(t_ns, t0: int) -> float:
    """A time in the format's microseconds from ``t0``, to the nanosecond."""
    return round((int(t_ns) - t0) / 1000, 3)


def _events(trace, t0: int, t_end: int) -> Iterator[dict]:
    """Every event of the file, track by track."""
    yield from _process_names()
    tr = trace.transitions
    yield from _goroutine_states(tr, t0, t_end)
    yield from _proc_slices(trace, tr, t0)
    yield from _regions(trace.regions, t0, t_end)
    yield from _logs(trace.logs, t0)
    yield from _ranges(trace.ranges, t0, t_end)
    yield from _tasks(trace.tasks, t0, t_end)
    yield from _counters(trace.metrics, t0)


def _process_names() -> Iterator[dict]:
    for pid, name in ((PID_GOROUTINES, "Goroutines"), (PID_PROCS, "Procs"), (PID_RUNTIME, "Runtime")):
        yield {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": name}}
        yield {"ph": "M", "name": "process_sort_index", "pid": pid, "tid": 0, "args": {"sort_index": pid}}


def _intervals(tr: "pd.DataFrame", resource: str, t_end: int) -> "pd.DataFrame":
    """The state intervals of one resource kind: its transitions with an end (the next
    transition, or the trace's end for the last one)."""
    rows = tr[tr["resource"] == resource]
    end = rows["time"] + rows["duration"].fillna(t_end - rows["time"]).astype(np.int64)
    return rows.assign(end=end.to_numpy(np.int64))


def _state_name(state: str, reason) -> str:
    return f"{state} ({reason})" if state == "Waiting" and isinstance(reason, str) and reason else state


def _goroutine_states(tr: "pd.DataFrame", t0: int, t_end: int) -> Iterator[dict]:
    """A thread per goroutine and a complete ("X") slice per state it was in."""
    iv = _intervals(tr, "goroutine", t_end)
    for g in np.unique(iv["id"].to_numpy()):
        yield {"ph": "M", "name": "thread_name", "pid": PID_GOROUTINES, "tid": int(g), "args": {"name": f"G{g}"}}
    live = iv[iv["to_state"] != "NotExist"]
    reasons = live["reason"].astype(object).where(live["reason"].notna(), None)
    names: dict[tuple, str] = {}  # the JSON text of each (state, reason) name, made once
    for g, state, reason, start, end in zip(live["id"].tolist(), live["to_state"].astype(str).tolist(),
                                            reasons.tolist(), live["time"].tolist(), live["end"].tolist()):
        name = names.get((state, reason))
        if name is None:
            name = names[(state, reason)] = json.dumps(_state_name(state, reason))
        yield _slice(name, "goroutine", PID_GOROUTINES, g, start, end, t0)


def _proc_slices(trace, tr: "pd.DataFrame", t0: int) -> Iterator[str | dict]:
    """A thread per P with the slices of ``go tool trace``'s proc view: each stretch a
    goroutine ran there, its syscalls and its ranges (:mod:`.proc_timeline` has the rules)."""
    procs = tr[tr["resource"] == "proc"]
    for p in range(int(procs["id"].max()) + 1 if len(procs) else 0):
        yield {"ph": "M", "name": "thread_name", "pid": PID_PROCS, "tid": p, "args": {"name": f"Proc {p}"}}
    names: dict[str, str] = {}
    for s in proc_slices(trace):
        name = names.get(s.name)
        if name is None:
            name = names[s.name] = json.dumps(s.name)
        args = "" if s.blocked is None else ('{"blocked":"yes"}' if s.blocked else '{"blocked":"no"}')
        yield _slice(name, "proc", PID_PROCS, s.p, s.start, s.end, t0, args)


def _slice(name_json: str, cat: str, pid: int, tid: int, start: int, end: int, t0: int,
           args_json: str = "") -> str:
    """A complete ("X") slice, written directly: there is one per state interval, and
    ``json.dumps`` of a dict costs ~20 times more than this line."""
    args = f',"args":{args_json}' if args_json else ""
    return (f'{{"ph":"X","name":{name_json},"cat":"{cat}","pid":{pid},"tid":{tid},'
            f'"ts":{(start - t0) / 1000:.3f},"dur":{(end - start) / 1000:.3f}{args}}}')


def _clipped(start, end, t0: int, t_end: int) -> tuple[int, int]:
    """A range's ends with a missing one (open at the trace's start or end) cut there."""
    return (t0 if pd.isna(start) else int(start)), (t_end if pd.isna(end) else int(end))


def _async(name: str, cat: str, pid: int, tid: int, ident: int, start: int, end: int, t0: int,
           args: dict | None = None) -> Iterator[dict]:
    """A nestable async slice: a begin ("b") and an end ("e") with one id."""
    begin = {"ph": "b", "name": name, "cat": cat, "id": ident, "pid": pid, "tid": tid, "ts": _us(start, t0)}
    if args:
        begin["args"] = args
    yield begin
    yield {"ph": "e", "name": name, "cat": cat, "id": ident, "pid": pid, "tid": tid, "ts": _us(end, t0)}


def _regions(regions: "pd.DataFrame", t0: int, t_end: int) -> Iterator[dict]:
    """User regions as async slices on their goroutine (they nest per goroutine)."""
    for i, (g, task, name, start, end) in enumerate(zip(regions["g"].tolist(), regions["task"].tolist(),
                                                       regions["name"].tolist(), regions["start"].tolist(),
                                                       regions["end"].tolist())):
        s, e = _clipped(start, end, t0, t_end)
        yield from _async(str(name), "region", PID_GOROUTINES, int(g), i, s, e, t0, {"task": int(task)})


def _logs(logs: "pd.DataFrame", t0: int) -> Iterator[dict]:
    """``trace.Log`` messages as instant events on their goroutine."""
    for t, g, category, message in zip(logs["time"].tolist(), logs["g"].tolist(), logs["category"].tolist(),
                                       logs["message"].tolist()):
        yield {"ph": "i", "s": "t", "name": str(category) or "log", "cat": "log", "pid": PID_GOROUTINES,
               "tid": int(g), "ts": _us(t, t0), "args": {"message": str(message)}}


def _ranges(ranges: "pd.DataFrame", t0: int, t_end: int) -> Iterator[dict]:
    """GC, stop-the-world, sweep and mark-assist ranges as async slices of the runtime."""
    for i, (name, start, end) in enumerate(zip(ranges["name"].tolist(), ranges["start"].tolist(),
                                               ranges["end"].tolist())):
        s, e = _clipped(start, end, t0, t_end)
        yield from _async(str(name), "gc", PID_RUNTIME, 0, i, s, e, t0)


def _tasks(tasks: "pd.DataFrame", t0: int, t_end: int) -> Iterator[dict]:
    """User tasks as async slices of the runtime process."""
    for task, name, start, end in zip(tasks["task"].tolist(), tasks["name"].tolist(), tasks["start"].tolist(),
                                      tasks["end"].tolist()):
        s, e = _clipped(start, end, t0, t_end)
        yield from _async(str(name), "task", PID_RUNTIME, 0, int(task), s, e, t0, {"task": int(task)})


def _counters(metrics: "pd.DataFrame", t0: int) -> Iterator[dict]:
    """Each runtime metric as a counter track."""
    for t, name, value in zip(metrics["time"].tolist(), metrics["name"].tolist(), metrics["value"].tolist()):
        yield {"ph": "C", "name": str(name), "pid": PID_RUNTIME, "tid": 0, "ts": _us(t, t0),
               "args": {"value": int(value)}}
