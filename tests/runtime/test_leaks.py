"""find_leaks on real snapshot series from examples/leakserver."""

from __future__ import annotations

import pytest

from pprof_parse.runtime.leaks import find_leaks, leak_timeseries
from pprof_parse.runtime.goroutines import read_goroutines

KIND_TOP = {"chansend": "main.fetchWithTimeout.func1", "select": "main.eventLoop",
            "waitgroup": "main.fanOut.func1", "mutex": "main.(*guarded).incr"}


def check_series(cap, key, *, with_leakprof=False):
    files = cap.paths(key)
    times = cap.times
    if with_leakprof:
        files = [f for pair in zip(files, cap.paths("goroutineleak")) for f in pair]
        times = [t for t in times for _ in (0, 1)]
    res = find_leaks(files, times=times)
    window = cap.times[-1] - cap.times[0]
    rates = cap.manifest["leak_rates_per_s"]
    suspects = res[res.suspect]
    assert set(suspects.top_function) == set(KIND_TOP.values()), res[["suspect", "top_function", "counts"]]
    for kind, top in KIND_TOP.items():
        row = res[res.top_function == top].iloc[0]
        true = rates[kind] * 60
        # quantisation: a count is off by at most ~1 goroutine at each end of the window
        assert row.growth_per_min == pytest.approx(true, abs=0.1 * true + 2 * 60 / window), (kind, row.counts)
        assert row.monotonic and not row.certain
    pool = res[res.top_function == "main.worker"].iloc[0]
    assert not pool.suspect and pool.counts == (cap.manifest["pool_size"],) * len(cap.times)
    if key != "goroutine.debug1":  # debug=1 hides the runtime frames that tell the state
        assert pool.state == "chan receive"
    return res


def test_sample_debug2(sample_capture):
    res = check_series(sample_capture, "goroutine.debug2")
    # the 1.27 "(leaked)" flags of the last detection count as evidence
    assert res.set_index("top_function").loc["main.eventLoop", "leak_profile"] > 0
    assert res.iloc[0].top_function == KIND_TOP["chansend"]  # fastest leak ranks first


def test_sample_proto_with_goroutineleak(sample_capture):
    res = check_series(sample_capture, "goroutine", with_leakprof=True)
    by = res.set_index("top_function")
    for kind in ("chansend", "select", "waitgroup"):
        assert by.loc[KIND_TOP[kind], "leak_profile"] > 0
    # the mutex is a global: reachable, so never in the leak profile, found by growth alone
    assert by.loc[KIND_TOP["mutex"], "leak_profile"] == 0
    assert by.loc[KIND_TOP["mutex"], "state"] == "sync.Mutex.Lock"


def test_sample_debug1(sample_capture):
    res = check_series(sample_capture, "goroutine.debug1")
    assert res.set_index("top_function").loc[KIND_TOP["waitgroup"], "state"] == "sync.WaitGroup.Wait"


def test_mixed_forms_and_timeseries(sample_capture):
    files = [sample_capture.path(0, "goroutine.debug2"), sample_capture.path(1, "goroutine"),
             sample_capture.path(2, "goroutine.debug2"), sample_capture.path(3, "goroutine")]
    res = find_leaks(files, times=sample_capture.times)
    assert set(res[res.suspect].top_function) == set(KIND_TOP.values())
    ts = leak_timeseries(res, top=4)
    assert len(ts) == 16 and ts.t.iloc[0] == 0 and ts.groupby("group")["count"].is_monotonic_increasing.all()


def test_ignore_lists(sample_capture):
    files = sample_capture.paths("goroutine.debug2")
    res = find_leaks(files, times=sample_capture.times, ignore_top_functions=[KIND_TOP["chansend"]],
                     ignore_created_by=["main.subscribe"], ignore_any_function=["sync.(*WaitGroup).Wait"])
    assert set(res[res.suspect].top_function) == {KIND_TOP["mutex"]}
    assert sum(res.attrs["filtered"]) > 0


def test_interval(sample_capture):
    files = [f for pair in zip(sample_capture.paths("goroutine"), sample_capture.paths("goroutineleak")) for f in pair]
    res = find_leaks(files, interval=1.5)
    assert res.attrs["times"] == [0.0, 1.5, 3.0, 4.5]
    assert set(res[res.suspect].top_function) == set(KIND_TOP.values())
    with pytest.raises(ValueError, match="not both"):
        find_leaks(files, times=[0] * 8, interval=1.5)


def test_times_unknown_falls_back_to_order(sample_capture):
    """Snapshots without usable times (copied files) are measured per snapshot, in their order;
    times= given but not increasing is still an error."""
    dfs = [read_goroutines(p) for p in sample_capture.paths("goroutine.debug2")]
    for d in dfs:
        d.attrs.pop("mtime", None)
    r = find_leaks(dfs)
    assert r.attrs["time_basis"] == "order" and r["growth_per_min"].isna().all()
    assert r["growth_per_snapshot"].notna().all() and r["growth_per_snapshot"].max() > 0
    with pytest.raises(ValueError, match="times must be increasing"):
        find_leaks(dfs, times=[0, 1, 1, 2])


def test_single_snapshot_certain_and_long_blocked():
    dump = """\
goroutine 1 [select (no cases)]:
main.main()
\t/app/main.go:9 +0x1d

goroutine 7 [chan receive (nil chan), 3 minutes]:
main.consume(0x0)
\t/app/main.go:30 +0x2b
created by main.main in goroutine 1
\t/app/main.go:8 +0x4a

goroutine 8 [sync.Mutex.Lock, 42 minutes]:
sync.runtime_SemacquireMutex(0xc0000, 0x0, 0x1)
\t/go/src/runtime/sema.go:95 +0x25
main.update()
\t/app/main.go:40 +0x2b
created by main.main in goroutine 1
\t/app/main.go:8 +0x4a

goroutine 9 [chan receive, 42 minutes]:
main.worker()
\t/app/main.go:50 +0x2b
created by main.main in goroutine 1
\t/app/main.go:8 +0x4a
"""
    res = find_leaks(text=[dump], times=[0.0]).set_index("top_function")
    assert res.loc["main.consume", "certain"] and res.loc["main.consume", "suspect"]
    assert not res.loc["main.main", "suspect"]  # main's deliberate select {}
    assert res.loc["main.update", "suspect"] and res.loc["main.update", "long_blocked"]
    assert not res.loc["main.worker", "suspect"]  # an idle worker parked long is normal
    assert list(res.index[:2]) == ["main.consume", "main.update"]


@pytest.mark.go
def test_fresh_capture_all_forms(fresh_capture):
    for key in ("goroutine.debug2", "goroutine", "goroutine.debug1"):
        check_series(fresh_capture, key)
    check_series(fresh_capture, "goroutine", with_leakprof=True)
