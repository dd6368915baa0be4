"""The derived tables (metrics, logs, regions, tasks, ranges) agree with the events and the workload."""

from __future__ import annotations

import pytest

from pprof_parse.runtime.trace import read_trace

pytestmark = pytest.mark.go


@pytest.fixture(scope="module")
def trace(traces):
    return read_trace(traces["generations"])


def test_regions_pair_every_begin_and_end(trace):
    ev, reg = trace.events, trace.regions
    assert len(reg) == max((ev.kind == "RegionBegin").sum(), (ev.kind == "RegionEnd").sum())
    done = reg.dropna(subset=["start", "end"])
    assert len(done) > 0 and (done["duration"] > 0).all()
    rounds = (trace.tasks["name"] == "round").sum()
    # every finished round ran its three regions on the main goroutine
    assert (reg["name"] == "pingpong").sum() >= rounds - 1


def test_tasks_nest_under_the_workload_task(trace):
    tasks = trace.tasks
    workload = tasks.loc[tasks["name"] == "workload", "task"].item()
    rounds = tasks[tasks["name"] == "round"]
    assert len(rounds) > 2 and (rounds["parent"] == workload).all()
    assert (rounds["duration"].dropna() > 0).all()


def test_logs_and_metrics(trace):
    logs = trace.logs
    assert list(logs["message"][logs["category"] == "round"]) == [f"round {i}" for i in range((logs["category"] == "round").sum())]
    m = trace.metrics
    assert {"/sched/gomaxprocs:threads", "/gc/heap/goal:bytes", "/memory/classes/heap/objects:bytes"} <= set(m["name"])
    assert (m.loc[m["name"] == "/gc/heap/goal:bytes", "value"] > 0).all()


def test_gc_ranges_have_pauses_inside_cycles(trace):
    r = trace.ranges
    marks = r[r["name"] == "GC concurrent mark phase"].dropna(subset=["start", "end"])
    stw = r[r["name"].str.startswith("stop-the-world (GC")].dropna(subset=["start", "end"])
    assert len(marks) >= 2 and len(stw) >= 2 * len(marks) - 2
    assert (stw["duration"] > 0).all()


def test_transitions_tile_each_resource_timeline(trace):
    tr = trace.transitions
    assert len(tr) == (trace.events["kind"] == "StateTransition").sum()
    per = tr.groupby(["resource", "id"], observed=True).agg(first=("time", "min"), last=("time", "max"),
                                                            total=("duration", "sum"), n=("time", "size"))
    assert (per["total"] == per["last"] - per["first"]).all()
    # a goroutine's state after a transition is the state the next one leaves
    g = tr[tr["resource"] == "goroutine"]
    nxt_from = g.groupby("id")["from_state"].shift(-1)
    known = nxt_from.notna()
    assert (g.loc[known, "to_state"].astype(str) == nxt_from[known].astype(str)).all()
