"""Tables derived from the events: state transitions, metrics, logs, regions, tasks and GC ranges.

Each is a view a user would otherwise write with a few ``groupby`` calls; pairing
rules follow Go's ``internal/trace`` where it has one (regions nest per goroutine,
``order.go``; a task's end is matched by its id, ``order.go`` ``activeTasks``).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd

__all__ = ["metrics", "logs", "regions", "tasks", "ranges", "transitions"]


def metrics(ev: "pd.DataFrame") -> "pd.DataFrame":
    """One row per Metric event: ``time``, ``name`` (``/sched/gomaxprocs:threads``,
    ``/memory/classes/heap/objects:bytes``, ``/gc/heap/goal:bytes``), ``value``, ``p``, ``g``."""
    rows = ev[ev["kind"] == "Metric"]
    return pd.DataFrame({"time": rows["time"], "name": rows["name"].astype(str), "value": rows["value"],
                         "p": rows["p"], "g": rows["g"]}).reset_index(drop=True)


def logs(ev: "pd.DataFrame") -> "pd.DataFrame":
    """One row per ``trace.Log``: ``time``, ``g``, ``task``, ``category``, ``message``, ``stack``."""
    rows = ev[ev["kind"] == "Log"]
    return pd.DataFrame({"time": rows["time"], "g": rows["g"], "task": rows["task"],
                         "category": rows["name"].astype(str), "message": rows["message"].astype(str),
                         "stack": rows["stack"]}).reset_index(drop=True)


def regions(ev: "pd.DataFrame") -> "pd.DataFrame":
    """One row per user region: ``g``, ``task``, ``name``, ``start``, ``end`` (ns; NaN when the
    trace holds only the other end), ``duration`` (ns), ``start_stack``, ``end_stack``.

    Regions nest per goroutine: an end closes the innermost open region of its goroutine
    when the task and name match (Go rejects a mismatch); an end with nothing open is a
    region that began before the trace did.
    """
    rows = ev[ev["kind"].isin(["RegionBegin", "RegionEnd"])]
    open_: dict[int, list] = {}
    out = []
    for kind, t, g, task, name, stack in zip(rows["kind"].tolist(), rows["time"].tolist(), rows["g"].tolist(),
                                              rows["task"].tolist(), rows["name"].astype(str).tolist(),
                                              rows["stack"].tolist()):
        if kind == "RegionBegin":
            rec = [g, task, name, t, None, stack, 0]
            open_.setdefault(g, []).append(rec)
            out.append(rec)
        elif open_.get(g):
            rec = open_[g].pop()
            rec[4], rec[6] = t, stack
        else:
            out.append([g, task, name, None, t, 0, stack])
    return _with_duration(pd.DataFrame(out, columns=["g", "task", "name", "start", "end", "start_stack",
                                                     "end_stack"]))


def tasks(ev: "pd.DataFrame") -> "pd.DataFrame":
    """One row per task: ``task``, ``parent`` (-1: none), ``name``, ``start``, ``end``, ``duration``
    (ns; NaN for an end outside the trace), ``start_g``, ``end_g``."""
    begin = ev[ev["kind"] == "TaskBegin"]
    end = ev[ev["kind"] == "TaskEnd"].drop_duplicates("task")  # Task.End may run more than once
    b = pd.DataFrame({"task": begin["task"], "parent": begin["parent"], "name": begin["name"].astype(str),
                      "start": begin["time"], "start_g": begin["g"]})
    e = pd.DataFrame({"task": end["task"], "end_parent": end["parent"], "end_name": end["name"].astype(str),
                      "end": end["time"], "end_g": end["g"]})
    out = b.merge(e, on="task", how="outer", sort=False)
    out["parent"] = out["parent"].fillna(out["end_parent"]).astype(np.int64)
    out["name"] = out["name"].fillna(out["end_name"])
    out = out.drop(columns=["end_parent", "end_name"])
    return _with_duration(out)[["task", "parent", "name", "start", "end", "duration", "start_g", "end_g"]]


def ranges(ev: "pd.DataFrame") -> "pd.DataFrame":
    """GC and stop-the-world ranges: ``name`` (``GC concurrent mark phase``, ``stop-the-world
    (<kind>)``, ``GC incremental sweep``, ``GC mark assist``), ``resource``/``id`` (scope),
    ``start``, ``end``, ``duration`` (ns; NaN where the range was already active when the
    trace began, or still open at its end)."""
    rows = ev[ev["kind"].isin(["RangeBegin", "RangeActive", "RangeEnd"])]
    open_: dict[tuple, list] = {}
    out = []
    for kind, t, name, res, rid in zip(rows["kind"].tolist(), rows["time"].tolist(), rows["name"].astype(str).tolist(),
                                       rows["resource"].astype(str).tolist(), rows["id"].tolist()):
        key = (name if not name.startswith("stop-the-world") else "stw", res, rid)
        if kind == "RangeBegin":
            open_[key] = rec = [name, res, rid, t, None]
            out.append(rec)
        elif kind == "RangeActive":
            open_[key] = rec = [name, res, rid, None, None]
            out.append(rec)
        elif key in open_:
            open_.pop(key)[4] = t
        else:
            out.append([name, res, rid, None, t])
    return _with_duration(pd.DataFrame(out, columns=["name", "resource", "id", "start", "end"]))


def _with_duration(df: "pd.DataFrame") -> "pd.DataFrame":
    df["start"] = pd.array(df["start"], dtype="Int64")
    df["end"] = pd.array(df["end"], dtype="Int64")
    df["duration"] = df["end"] - df["start"]
    return df


def transitions(ev: "pd.DataFrame") -> "pd.DataFrame":
    """One row per state transition of a goroutine or a P, with how long the new state lasted.

    Columns: ``time``, ``resource`` (goroutine or proc), ``id``, ``from_state``, ``to_state``,
    ``reason``, ``stack`` (the event's own), ``transition_stack``, ``m``, ``p``, ``g`` (the
    context), and ``duration``: ns until the same resource's next transition (NA for its last
    one: the state lasted to the end of the trace, or to the resource's end).
    """
    rows = ev[ev["kind"] == "StateTransition"]
    out = rows[["time", "resource", "id", "from_state", "to_state", "reason", "stack", "transition_stack", "m", "p",
                "g"]].reset_index(drop=True)
    out["resource"] = out["resource"].cat.remove_unused_categories()
    nxt = out.groupby(["resource", "id"], observed=True, sort=False)["time"].shift(-1)
    out["duration"] = pd.array(nxt - out["time"], dtype="Int64")
    return out
