"""read_trace against Go's own parser: every event of real traces equal to ``go tool trace -d=parsed``."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from parsed_text import render, split_events
from pprof_parse.runtime.trace import Trace, read_trace
from pprof_parse.runtime.trace.events import COLUMNS

pytestmark = pytest.mark.go

KINDS = ["start", "generations", "flight", "gotest", "allocfree"]
# and examples/traceedges: regions, tasks and blocking edge cases, and a coroutine (iter.Pull)
WITH_EDGES = KINDS + ["edges"]


def first_difference(theirs: list[str], ours: list[str]) -> str:
    for i, (a, b) in enumerate(zip(theirs, ours)):
        if a != b:
            return f"event {i}:\n go: {a[:300]!r}\nours: {b[:300]!r}"
    return f"counts differ: go {len(theirs)}, ours {len(ours)}"


@pytest.mark.parametrize("name", WITH_EDGES)
def test_events_equal_go_tool_trace_parsed(trace_paths, go_parsed, name):
    """Same events, same order, same fields and stacks as Go's parser prints them."""
    theirs = split_events(go_parsed(trace_paths[name]))
    trace = read_trace(trace_paths[name])
    ours = split_events("".join(e + "\n" for e in render(trace)))
    assert len(ours) == len(theirs), first_difference(theirs, ours)
    assert ours == theirs, first_difference(theirs, ours)


@pytest.mark.parametrize("name", WITH_EDGES)
def test_counts_per_kind_equal_go(trace_paths, go_parsed, name):
    """The per-kind counts (the summary a reader of a failing diff wants first)."""
    theirs = Counter(e.split(" ")[3] for e in split_events(go_parsed(trace_paths[name])))
    ev = read_trace(trace_paths[name]).events
    ours = Counter({k: v for k, v in ev["kind"].value_counts().items() if v})
    assert ours == theirs


def test_trace_shape_and_workload_content(traces):
    trace = read_trace(traces["start"])
    assert isinstance(trace, Trace) and trace.version == 26 and len(trace) == len(trace.events)
    ev = trace.events
    assert tuple(ev.columns) == COLUMNS
    assert ev["time"].is_monotonic_increasing and ev["time"].is_unique
    assert ev["kind"].iloc[0] == "Sync" and ev["kind"].iloc[-1] == "Sync"
    # what the workload does shows up: tasks, regions, logs, blocking reasons, GC
    assert {"workload", "round"} <= set(ev.loc[ev.kind == "TaskBegin", "name"])
    assert {"pingpong", "syscalls", "network"} <= set(ev.loc[ev.kind == "RegionBegin", "name"])
    assert ev.loc[ev.kind == "Log", "message"].str.startswith("round ").any()
    reasons = set(ev.loc[ev.type == "GoBlock", "reason"].dropna())
    assert {"chan receive", "chan send", "select", "network"} & reasons
    assert (ev.name == "GC concurrent mark phase").any()
    assert (ev.type == "GoSyscallBegin").any()
    # stacks resolve: every event's stack id is in the stacks table
    used = set(ev["stack"].unique()) - {0}
    assert used <= set(trace.stacks["stack"])
    leafs = trace.stacks[trace.stacks.depth == 0]
    assert leafs["function"].astype(str).str.contains("main.").any()


def test_generations_table(traces):
    trace = read_trace(traces["generations"])
    gens = trace.generations
    assert len(gens) > 2 and gens["gen"].is_monotonic_increasing
    assert (gens["ticks_per_second"] > 0).all() and gens["wall"].notna().all()
    ev = trace.events
    assert (ev.kind == "Sync").sum() == len(gens) + 1


def test_flight_recorder_starts_past_generation_one(traces):
    trace = read_trace(traces["flight"])
    assert trace.generations["gen"].iloc[0] > 1
    first = trace.events[trace.events.kind == "StateTransition"].iloc[0]
    assert first.from_state == "Undetermined"


def test_edges_trace_has_a_coroutine(trace_paths):
    """iter.Pull's coroutine: goroutine switches, the coroutine's creation blocked and its end."""
    types = set(read_trace(trace_paths["edges"]).events["type"].astype(str))
    assert {"GoSwitch", "GoSwitchDestroy", "GoCreateBlocked"} <= types


@pytest.mark.parametrize("name", WITH_EDGES)
def test_engines_agree(trace_paths, monkeypatch, name):
    """The numpy decoder and the byte-by-byte reference give equal tables (and so, by the test
    above, both equal Go's)."""
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    fast = read_trace(trace_paths[name]).events
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    ref = read_trace(trace_paths[name]).events
    pd.testing.assert_frame_equal(fast, ref)


def test_sources_path_bytes_file(traces):
    path = traces["gotest"]
    data = path.read_bytes()
    a = read_trace(path).events
    b = read_trace(data).events
    with open(path, "rb") as f:
        c = read_trace(f).events
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
