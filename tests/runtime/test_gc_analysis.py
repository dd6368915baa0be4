"""GC analysis helpers on the real gctrace runs of the sample capture."""

from __future__ import annotations

import numpy as np
import pytest

from pprof_parse.runtime.gc import (
    compare_runs, gc_cpu_share, gc_frequency, gctrace_wall_time, heap_vs_goal, pause_percentiles, stack_runs,
)
from pprof_parse.runtime.gctrace import read_gctrace
from pprof_parse.runtime.memstats import read_gc_pauses


@pytest.fixture(scope="module")
def runs(sample_capture):
    r = sample_capture.root
    return {"GOGC=100": r / "gctrace-gogc100.log", "GOGC=50": r / "gctrace-gogc50.log",
            "GOMEMLIMIT=24MiB": r / "gctrace-gomemlimit24.log"}


def test_pause_percentiles_and_frequency(sample_capture):
    c = read_gctrace(sample_capture.gctrace)
    p = pause_percentiles(c, window=2.0)
    assert p.cycles.sum() == len(c) and p.total_ms.sum() == pytest.approx(c.pause_ms.sum())
    assert (p.p50_ms <= p.p99_ms).all() and (p.p99_ms <= p.p100_ms).all()
    assert p.p100_ms.max() == c.pause_ms.max()
    f = gc_frequency(c, window=2.0)
    assert f.cycles.sum() == len(c) and (f.per_s > 3).all()  # the server collects several times a second
    assert f.forced.sum() == c.forced.sum()
    # the same on MemStats pauses (exact ns instead of gctrace's 2 significant digits)
    m = read_gc_pauses(sample_capture.paths("heap.debug1"))
    pm = pause_percentiles(m, window=2.0)
    assert pm.cycles.sum() == len(m)
    assert pm.total_ms.sum() == pytest.approx(c.loc[c.gc <= m.gc.max(), "pause_ms"].sum(), rel=0.15)


def test_heap_vs_goal_and_gogc(runs):
    h100, h50 = (heap_vs_goal(read_gctrace(runs[k])) for k in ("GOGC=100", "GOGC=50"))
    steady = lambda h: h[h.heap_live_mb >= 8]  # after the 8 MiB live heap is built  # noqa: E731
    # the GC guide's formula recovers GOGC within the MiB rounding of gctrace
    assert steady(h100).implied_gogc.median() == pytest.approx(100, abs=15)
    assert steady(h50).implied_gogc.median() == pytest.approx(50, abs=15)
    assert (h100.goal_ratio <= 1.2).all()


def test_cpu_share(sample_capture):
    c = read_gctrace(sample_capture.gctrace)
    s = gc_cpu_share(c)
    assert np.isnan(s.share.iloc[0]) and (s.share.iloc[1:] > 0).all()
    w = gc_cpu_share(c, window=2.0)
    assert w.gc_cpu_ms.sum() == pytest.approx(c.gc_cpu_ms.sum())
    assert (w.share < 0.5).all()  # far below the GC CPU limiter's cap


def test_runs_side_by_side(runs):
    cmp = compare_runs(runs)
    assert list(cmp.index) == list(runs)
    # halving GOGC lowers the goal and roughly doubles the collection rate
    assert cmp.loc["GOGC=50", "heap_goal_mb_mean"] < cmp.loc["GOGC=100", "heap_goal_mb_mean"]
    assert cmp.loc["GOGC=50", "gc_per_s"] > 1.5 * cmp.loc["GOGC=100", "gc_per_s"]
    # GOGC=off with a 24 MiB limit: the goal follows the limit, above GOGC=100's
    assert cmp.loc["GOMEMLIMIT=24MiB", "heap_goal_mb_mean"] > cmp.loc["GOGC=100", "heap_goal_mb_mean"]
    s = stack_runs(runs)
    assert list(s.label.cat.categories) == list(runs) and len(s) == cmp.cycles.sum()


def test_wall_time_alignment(sample_capture):
    c = read_gctrace(sample_capture.gctrace)
    p = read_gc_pauses(sample_capture.paths("heap.debug1"))
    w = gctrace_wall_time(c, p)
    assert w.attrs["residual_ms"] < 2.0  # gctrace prints ms with ~2 significant digits
    # the process started just before the server published its start time
    start_unix = sample_capture.manifest["start_unix"]
    assert 0 <= start_unix - w.attrs["process_start"].timestamp() < 0.5
    assert (w["end"] >= w["start"]).all() and w["start"].is_monotonic_increasing
