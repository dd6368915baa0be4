"""The first analyses of an execution trace, on real traces of examples/tracegen, cross-checked
with the reader's own tables and with ``go tool trace -pprof=KIND``."""

from __future__ import annotations

import subprocess
import threading

import numpy as np
import pytest

import pprof_parse
from pprof_parse.errors import OptionError
from pprof_parse.runtime.trace import analysis as an
from pprof_parse.runtime.trace import read_trace

pytestmark = pytest.mark.go


@pytest.fixture(scope="module", params=["start", "generations"])
def trace(request, traces):
    return read_trace(traces[request.param])


def test_sched_latency_total_equals_the_sched_delay_profile(trace):
    lat = an.sched_latency(trace)
    counted = lat[(lat["end"] >= 0) & ~lat["first_run"]]
    prof = trace.delay_profile("sched")
    assert counted["latency_ns"].sum() == prof["delay_ns"].sum() > 0
    assert len(counted) == prof["count"].sum()
    assert (lat.loc[lat["end"] >= 0, "latency_ns"] == lat["end"] - lat["start"]).loc[lat["end"] >= 0].all()
    # the workload's fan-out goroutines are a group of their own, created in the trace
    assert "main.workload.func3" in set(lat["group"])


def test_latency_over_time_partitions_the_waits(trace):
    lat = an.sched_latency(trace)
    done = lat[lat["end"] >= 0]
    buckets = an.latency_over_time(lat, buckets=7)
    assert 1 <= len(buckets) <= 7
    assert buckets["count"].sum() == len(done) and buckets["total_ns"].sum() == done["latency_ns"].sum()
    assert (buckets["p50_ns"] <= buckets["p99_ns"]).all() and (buckets["p99_ns"] <= buckets["max_ns"]).all()
    assert buckets["max_ns"].max() == done["latency_ns"].max()
    assert (np.diff(buckets["bucket_start_ns"]) > 0).all()
    with pytest.raises(OptionError):
        an.latency_over_time(lat, buckets=0)


def test_latency_by_group_sums_to_the_whole(trace):
    lat = an.sched_latency(trace)
    groups = an.latency_by_group(lat)
    done = lat[lat["end"] >= 0]
    assert groups["count"].sum() == len(done) and groups["total_ns"].sum() == done["latency_ns"].sum()
    assert groups["goroutines"].sum() == done["g"].nunique()
    fan = groups.set_index("group").loc["main.workload.func3"]
    assert fan["goroutines"] >= 20  # the workload starts 4 goroutines per round


def test_blocking_by_reason_matches_the_net_and_syscall_profiles(trace):
    blocked = an.blocking_by_reason(trace).set_index("reason")
    # the workload blocks on chan sends, the network and in syscalls
    assert {"chan send", "network", "syscall"} <= set(blocked.index)
    # -pprof leaves out waits before a goroutine first ran; the table counts them, so it is never less
    assert blocked.loc["network", "total_ns"] >= trace.delay_profile("net")["delay_ns"].sum()
    assert blocked.loc["syscall", "total_ns"] >= trace.delay_profile("syscall")["delay_ns"].sum()
    assert (blocked["p50_ns"] <= blocked["max_ns"]).all()


@pytest.mark.parametrize("kind", ["sched", "sync", "net", "syscall"])
def test_delay_profiles_equal_go_tool_trace_pprof(trace, kind, go, tmp_path):
    ours = an.delay_profiles(trace, [kind])[kind]
    out = tmp_path / f"{kind}.pb.gz"
    out.write_bytes(subprocess.run([go, "tool", "trace", f"-pprof={kind}", trace.source], capture_output=True,
                                   check=True).stdout)
    theirs = pprof_parse.read_profile(out)
    assert [t.type for t in ours.sample_types] == ["contentions", "delay"]
    for index in ("contentions", "delay"):
        assert ours.total(index) == theirs.total(index)
        a = _named(ours.top(index, cum=True))
        b = _named(theirs.top(index, cum=True))
        assert a.equals(b)


def _named(top):
    """A top table by function name without ``<unknown>``: Go's profile merges a goroutine's
    runtime-reported pc=0 stack and "no stack" into one sample and keeps whichever stack its map
    iteration meets last, so that row (a location without a function) comes and goes between
    runs of ``go tool trace`` on the same file; the totals above still hold it."""
    top = top.set_index("name")[["flat", "cum"]]
    return top[top.index != "<unknown>"].sort_index()


def test_gc_cycles_hold_every_gc_pause(trace):
    cycles = an.gc_cycles(trace)
    r = trace.ranges
    marks = r[(r["name"] == "GC concurrent mark phase")].dropna(subset=["start", "end"])
    assert len(cycles) == len(marks) >= 2
    assert (cycles["mark_ns"] == cycles["end"] - cycles["start"]).all()
    # the first cycle's sweep termination may have begun before the trace, the last one's mark
    # termination may end after it
    assert (cycles["sweep_term_ns"].iloc[1:] > 0).all() and (cycles["mark_term_ns"].iloc[:-1] > 0).all()
    stw = r[r["name"].str.startswith("stop-the-world (GC")].dropna(subset=["start", "end"])
    inside = stw[(stw["start"] >= cycles["start"].min() - 10**8) & (stw["end"] <= cycles["end"].max() + 10**8)]
    assert cycles["stw_ns"].sum() <= inside["duration"].sum()
    assist = r[r["name"] == "GC mark assist"].dropna(subset=["start", "end"])
    assert cycles["assist_ns"].sum() <= assist["duration"].sum()


def test_region_and_task_latency(trace):
    regions = an.region_latency(trace).set_index("name")
    assert set(regions.index) == {"pingpong", "syscalls", "network"}
    done = trace.regions.dropna(subset=["duration"])
    for name, row in regions.iterrows():
        d = done.loc[done["name"] == name, "duration"].astype(np.int64)
        assert row["count"] == len(d) and row["total_ns"] == d.sum() and row["max_ns"] == d.max()
        assert row["p50_ns"] in set(d)  # an observed value
    tasks = an.task_latency(trace).set_index("name")
    assert tasks.loc["workload", "count"] == 1
    assert tasks.loc["round", "max_ns"] <= tasks.loc["workload", "max_ns"]


def test_find_rare_across_files(traces):
    paths = [str(traces["start"]), str(traces["generations"])]
    slow = an.find_rare(paths, threshold_ns=300_000, kind="region", progress=True)
    assert set(slow["file"]) <= set(paths) and len(slow) > 0
    assert (slow["duration_ns"] >= 300_000).all() and slow["duration_ns"].is_monotonic_decreasing
    expected = sum(int((read_trace(p).regions["duration"].dropna() >= 300_000).sum()) for p in paths)
    assert len(slow) == expected
    assert slow["stack_text"].str.contains("main.workload").all()
    waits = an.find_rare(str(traces["start"].parent / "*.trace"), threshold_ns=5_000_000, kind="goroutine-wait",
                         progress=False)
    assert len(waits) > 0 and (waits["duration_ns"] >= 5_000_000).all()
    assert set(waits["name"]) - {"runnable", "syscall"}  # block reasons name the waits
    assert not [t for t in threading.enumerate() if "monitor" in type(t).__name__.lower()]


def test_find_rare_bad_arguments(tmp_path):
    with pytest.raises(OptionError):
        an.find_rare([], threshold_ns=1, kind="gc")
    with pytest.raises(FileNotFoundError, match="nothing|no trace"):
        an.find_rare(str(tmp_path / "*.trace"), threshold_ns=1)
