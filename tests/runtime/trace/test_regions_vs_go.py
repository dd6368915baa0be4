"""Trace.regions and Trace.tasks against ``go tool trace``'s region and task pages (``/userregions``,
``/userregion?type=``, ``/usertasks``, ``/usertask``), read from its HTTP server on real traces.

Go's pages are built from its summary (``src/internal/trace/summary.go``), which differs from
our tables by design in three documented ways, and the expectations below derive Go's view
from ours with exactly those rules (so the test checks both the tables and the rules):

* a goroutine created while its creator is inside a region gets a synthetic region of type
  "" (the creator's innermost task, started by the creation event, ending with the goroutine),
  unless it is a system goroutine;
* a region still open when its goroutine ends ends there (ours: ``end`` NA); one still open at
  the end of the trace ends at the trace's last event; a region with no begin in the trace
  lasts, on Go's region page, from its goroutine's creation (``TotalTime``);
* every task id a region, log or task parent mentions is a task of type "" on Go's task pages,
  lasting the whole trace unless it began or ended in it;
* a task ended twice (``Task.End`` called again) ends, for Go, at its last end, and takes that
  end's type: "" (the parser pairs only the first end with the begin). Ours ends at the first.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from goenv import REPO
from pprof_parse.runtime.trace import read_trace
from pprof_parse.runtime.trace.goroutines import goroutine_table
from trace_http_oracle import region_groups, region_rows, task_groups, task_rows

pytestmark = pytest.mark.go

BUNDLED = REPO / "gopherlab" / "data" / "runtime" / "trace" / "tracegen.trace"
NAMES = ["bundled", "edges", "start", "generations", "flight", "gotest", "allocfree"]


@pytest.fixture(scope="module")
def loaded(trace_paths):
    cache = {}

    def load(name):
        if name not in cache:
            path = trace_paths[name]
            trace = read_trace(path)
            cache[name] = path, trace, goroutine_table(trace).set_index("goroutine")
        return cache[name]
    return load


def _root_pc(trace, stack) -> int:
    frames = trace.stack(int(stack)) if stack else []
    return frames[-1][0] if frames else 0


def _go_regions(trace, gor) -> list[tuple[str, int, int, int, int]]:
    """Go's regions from ours: (type, root PC of the start stack, goroutine, task, TotalTime ns)."""
    last_ts = int(trace.events["time"].iloc[-1])
    out = []
    for r in trace.regions.itertuples():
        g = gor.loc[r.g]
        if pd.isna(r.end):
            if g["system"]:
                continue  # Go drops the open regions of a system goroutine
            end = last_ts if pd.isna(g["end_time"]) else int(g["end_time"])
            out.append((r.name, _root_pc(trace, r.start_stack), r.g, r.task, end - int(r.start)))
        elif pd.isna(r.start):
            out.append((r.name, 0, r.g, r.task, int(r.end) - int(g["creation_time"])))
        else:
            out.append((r.name, _root_pc(trace, r.start_stack), r.g, r.task, int(r.duration)))
    return out + _synthetic_regions(trace, gor)


def _open_regions(regions, g, t) -> list:
    rows = regions[(regions["g"] == g) & regions["start"].notna() & (regions["start"] < t)
                   & (regions["end"].isna() | (regions["end"] > t))]
    return rows.sort_values("start")["task"].tolist()


def _synthetic_regions(trace, gor) -> list[tuple[str, int, int, int, int]]:
    regions = trace.regions
    inherited: dict[int, int] = {}  # goroutine -> task of its synthetic region
    for gid, g in gor.sort_values("creation_time").iterrows():
        if g["creator"] < 0 or g["creator"] not in gor.index:
            continue
        stack = _open_regions(regions, g["creator"], g["creation_time"])
        if stack:
            inherited[gid] = stack[-1]
        elif g["creator"] in inherited:
            inherited[gid] = inherited[g["creator"]]
    return [("", _root_pc(trace, gor.loc[gid, "creator_stack"]), gid, task, int(gor.loc[gid, "total_ns"]))
            for gid, task in inherited.items() if not gor.loc[gid, "system"]]


@pytest.mark.parametrize("name", NAMES)
def test_regions_equal_go_tool_trace(go_trace_servers, loaded, name):
    path, trace, gor = loaded(name)
    server = go_trace_servers[path]
    expected = _go_regions(trace, gor)
    groups = region_groups(server.get("/userregions"))
    assert groups == dict(Counter((typ, pc) for typ, pc, *_ in expected))
    for typ in {typ for typ, _ in groups}:
        theirs = Counter(region_rows(server.get("/userregion", type=typ)))
        assert theirs == Counter((g, task, ns) for t, _, g, task, ns in expected if t == typ), typ
    if name == "bundled":  # the workload's three region types, 20 rounds each, all complete
        assert {(typ, n) for (typ, _), n in groups.items()} == {("pingpong", 20), ("syscalls", 20), ("network", 20)}
        assert trace.regions["duration"].notna().all()
    if name == "edges":  # examples/traceedges: one region of each kind Go treats specially
        assert groups[("", _root_pc(trace, gor.loc[gor["name"] == "main.main.func1.1", "creator_stack"].iloc[0]))] == 1
        assert set(trace.regions.loc[trace.regions["end"].isna(), "name"]) == {"left open", "open at end"}


def _go_tasks(trace) -> dict[int, tuple[str, int, int, bool]]:
    """Go's tasks from ours: {id: (type, start ns since the first event, duration ns, complete)}."""
    ev = trace.events
    first, last = int(ev["time"].iloc[0]), int(ev["time"].iloc[-1])
    ends = ev[ev["kind"] == "TaskEnd"].groupby("task").agg(n=("time", "size"), time=("time", "last"),
                                                            name=("name", "last"))
    out = {}
    for t in trace.tasks.itertuples():
        has_start, has_end = not pd.isna(t.start), not pd.isna(t.end)
        start, end, name = int(t.start) if has_start else first, int(t.end) if has_end else last, t.name
        if has_end and ends.loc[t.task, "n"] > 1:  # ended twice: Go keeps the last end, and its type
            end, name = int(ends.loc[t.task, "time"]), str(ends.loc[t.task, "name"])
        out[t.task] = (name, start - first, end - start, has_start and has_end)
    mentioned = set(trace.regions["task"]) | set(trace.logs["task"]) | (set(trace.tasks["parent"]) - {-1})
    for task in mentioned - set(out):
        out[int(task)] = ("", 0, last - first, False)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_tasks_equal_go_tool_trace(go_trace_servers, loaded, name):
    path, trace, _ = loaded(name)
    server = go_trace_servers[path]
    expected = _go_tasks(trace)
    assert task_groups(server.get("/usertasks")) == dict(Counter(typ for typ, *_ in expected.values()))
    theirs = {tid: (start, ns, complete) for tid, start, ns, complete in task_rows(server.get("/usertask"))}
    assert theirs == {tid: tuple(v[1:]) for tid, v in expected.items()}
    if name == "bundled":  # one workload task and 20 rounds, all complete
        assert sorted(Counter(trace.tasks["name"]).items()) == [("round", 20), ("workload", 1)]
        assert all(complete for *_, complete in expected.values())
    if name == "edges":  # the background task 0 (a region and a log), and a task open at the end
        assert expected[0] == ("", 0, expected[0][2], False) and expected[0][2] > 0
        assert [v[3] for v in expected.values() if v[0] == "unfinished"] == [False]
        twice = trace.tasks[trace.tasks["name"] == "ended twice"]
        assert len(twice) == 1 and expected[twice["task"].iloc[0]][0] == ""
        assert expected[twice["task"].iloc[0]][2] > twice["duration"].iloc[0]
