"""The Trace Event Format export (issue 18, item 5's optional timeline) holds what the trace's tables hold.

Checked on real traces: every goroutine's state slices tile its life without gaps or
overlaps (the format's nesting rule for "X" slices on one thread), the time each
goroutine ran equals the ``transitions`` table's, every P runs one goroutine at a
time, and regions, tasks, GC ranges and metrics all arrive, once each.
"""

from __future__ import annotations

import bisect
import gzip
import json
from collections import Counter, defaultdict

import numpy as np
import pytest

import pprof_parse
from pprof_parse.runtime.trace.perfetto import PID_GOROUTINES, PID_PROCS, PID_RUNTIME, write_perfetto


@pytest.fixture(scope="module", params=["start", "generations", "gotest"])
def exported(request, traces, tmp_path_factory):
    trace = pprof_parse.read_trace(traces[request.param])
    path = tmp_path_factory.mktemp("perfetto") / f"{request.param}.json"
    count = write_perfetto(trace, path)
    events = json.loads(path.read_text())["traceEvents"]
    assert count == len(events)
    return trace, events, path


def _slices(events, pid):
    by_tid = defaultdict(list)
    for e in events:
        if e["ph"] == "X" and e["pid"] == pid:
            by_tid[e["tid"]].append(e)
    return {tid: sorted(s, key=lambda e: e["ts"]) for tid, s in by_tid.items()}


def test_goroutine_slices_tile_each_goroutines_life(exported):
    _, events, _ = exported
    for g, slices in _slices(events, PID_GOROUTINES).items():
        for a, b in zip(slices, slices[1:]):
            assert a["ts"] + a["dur"] == pytest.approx(b["ts"], abs=0.0015), (g, a, b)
        assert all(s["dur"] >= 0 for s in slices)


def test_running_time_per_goroutine_equals_transitions(exported):
    trace, events, _ = exported
    tr = trace.transitions
    end = int(trace.events["time"].max())
    g = tr[tr["resource"] == "goroutine"]
    dur = g["duration"].fillna(end - g["time"]).astype(np.int64)
    want = dur[g["to_state"] == "Running"].groupby(g["id"][g["to_state"] == "Running"]).sum()
    got, runs = defaultdict(float), defaultdict(int)
    for tid, slices in _slices(events, PID_GOROUTINES).items():
        running = [s["dur"] for s in slices if s["name"] == "Running"]
        got[tid], runs[tid] = sum(running), len(running)
    assert want.size > 10
    for gid, ns in want.items():  # each slice's duration is written to the nanosecond
        assert got[gid] * 1000 == pytest.approx(ns, abs=runs[gid] * 0.5 + 1e-6 * ns), gid


def _is_goroutine_slice(e) -> bool:
    return e["name"][0] == "G" and e["name"][1:2].isdigit()


def test_a_p_runs_one_goroutine_at_a_time(exported):
    """On each P the goroutine slices do not overlap, and every syscall or range slice lies
    inside a goroutine slice of the same P (the format draws them nested)."""
    _, events, _ = exported
    procs = _slices(events, PID_PROCS)
    assert procs, "no proc slices"
    eps = 0.0015
    for p, slices in procs.items():
        runs = [e for e in slices if _is_goroutine_slice(e)]
        for a, b in zip(runs, runs[1:]):
            assert a["ts"] + a["dur"] <= b["ts"] + eps, (p, a, b)
        starts = [e["ts"] for e in runs]
        for inner in (e for e in slices if not _is_goroutine_slice(e)):
            i = bisect.bisect_right(starts, inner["ts"] + eps) - 1
            assert i >= 0, (p, inner)
            outer = runs[i]
            assert inner["ts"] + inner["dur"] <= outer["ts"] + outer["dur"] + eps, (p, inner, outer)


def test_regions_tasks_ranges_and_metrics_arrive_once(exported):
    trace, events, _ = exported
    begins = defaultdict(int)
    ends = defaultdict(int)
    for e in events:
        if e["ph"] == "b":
            begins[e["cat"]] += 1
        elif e["ph"] == "e":
            ends[e["cat"]] += 1
    assert begins == ends
    assert begins["region"] == len(trace.regions)
    assert begins["task"] == len(trace.tasks)
    assert begins["gc"] == len(trace.ranges) > 0
    counters = [e for e in events if e["ph"] == "C" and e["pid"] == PID_RUNTIME]
    assert len(counters) == len(trace.metrics) > 0
    assert sorted({e["name"] for e in counters}) == sorted(trace.metrics["name"].unique())
    assert sum(e["ph"] == "i" for e in events) == len(trace.logs)


def test_gzipped_file_holds_the_same_events(exported, tmp_path):
    trace, events, _ = exported
    path = tmp_path / "t.json.gz"
    write_perfetto(trace, path)
    with gzip.open(path, "rt") as f:
        assert json.load(f)["traceEvents"] == events


@pytest.mark.parametrize("name", ["start", "generations", "flight", "gotest", "allocfree", "edges"])
def test_procs_equal_go_tool_traces_proc_view(name, trace_paths, go_trace_servers, tmp_path):
    """The "Procs" slices are ``go tool trace``'s own proc view (``/jsontrace?view=proc``,
    what its trace viewer draws): the same slices on the same Ps, names, times to the ns
    and the syscalls' ``blocked`` flags."""
    path = trace_paths[name]
    trace = pprof_parse.read_trace(path)
    write_perfetto(trace, tmp_path / "t.json")
    ours = [e for e in json.loads((tmp_path / "t.json").read_text())["traceEvents"]
            if e["ph"] == "X" and e["pid"] == PID_PROCS]
    go_events = json.loads(go_trace_servers[path].get("/jsontrace", view="proc"))["traceEvents"]
    procs = {e["tid"] for e in go_events if e.get("ph") == "M" and e.get("name") == "thread_name"
             and e["args"]["name"].startswith("Proc ")}
    theirs = [e for e in go_events if e.get("ph") == "X" and e["tid"] in procs]

    def key(e):
        return e["tid"], e["name"], e["ts"], e["dur"], (e.get("args") or {}).get("blocked")

    # A flight-recorder snapshot holds only the last generations that fit its MaxBytes, and
    # how much the last one holds depends on when the snapshot fell (9 slices in one CI run).
    assert len(theirs) > (0 if name == "flight" else 100)
    assert Counter(map(key, ours)) == Counter(map(key, theirs))
