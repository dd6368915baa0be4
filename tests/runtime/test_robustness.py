"""Arbitrary input (with issue 13's hostile lines) never escapes as anything but RuntimeFormatError;
big dumps stay fast."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pprof_parse.errors import PprofParseWarning
from pprof_parse.errors import RuntimeFormatError
from pprof_parse.runtime.gctrace import parse_gctrace
from pprof_parse.runtime.goroutines import read_goroutines
from pprof_parse.runtime.memstats import load_memstats, read_gc_pauses
from pprof_parse.runtime.metrics import (
    histogram_quantiles, prometheus_histograms, read_prometheus, read_runtime_histograms, read_runtime_metrics,
)

LINES = st.sampled_from([
    "goroutine 5 [chan send]:", "goroutine 6 gp=0x1 m=nil [select, 3 minutes] {a: b}:", "main.f(0x1, {0x2})",
    "\t/app/main.go:10 +0x1d", "created by main.g in goroutine 1", "...3 frames elided...", "", "panic: x",
    "gc 3 @1.000s 2%: 0.1+0.2+0.3 ms clock, 0.1+0/0.2/0.3+0.4 ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
    "scav 1 KiB work, 2 KiB total, 3% util", "pacer: whatever", "# runtime.MemStats", "# NumGC = 3",
    "rip    0x1", "\tgoroutine running on other thread; stack unavailable", "[originating from goroutine 2]:",
    # issue 13's hostile patterns
    "goroutine 2 [", "d] {}:", "goroutine 99999999999999999999 [running]:", "goroutine \u00b2 [running]:",
    "    main.f()", "        /app/main.go:10 +0x1d", "\ufeffgoroutine 1 [running]:", "\r", "\r\n",
    "gc 1 @0.1s 0%: 1 ms clock, 6 ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
    "gc 1 @0.1s 0%: 0.1+0.2+0.3 ms clock, // ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
    "gc " + "9" * 5000 + " @0.1s 0%: 0.1+0.2+0.3 ms clock, 0.1+0/0.2/0.3+0.4 ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
    "# Mallocs = 18446744073709551616", "# PauseNs = [1 2 x]", '{"memstats": {"NumGC": 1e309}}',
    '{"/gc/heap/goal:bytes": 1e309}', '{"/h:seconds": {"counts": [1], "buckets": ["x", 1]}}',
    '# TYPE t histogram', 't_bucket{le=""} 0', 't{le=""}0', 'go_goroutines ' + "9" * 400, 't{quantile="q"} 1',
]) | st.text(max_size=30)

READERS = [
    read_goroutines, parse_gctrace, load_memstats,
    lambda b: read_gc_pauses([b]), lambda b: read_runtime_metrics([b]),
    lambda b: histogram_quantiles(read_runtime_histograms([b])),
    lambda b: prometheus_histograms(read_prometheus([b])),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=25), st.sampled_from(["\n", "\r\n", "\r", ""]))
def test_fuzz_text_readers(lines, sep):
    text = (sep or "\n").join(lines) + "\n"
    for fn in READERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PprofParseWarning)
            try:
                fn(text.encode("utf-8", "surrogatepass"))
            except RuntimeFormatError:
                pass


@pytest.mark.go
@pytest.mark.slow
def test_bench_100k_goroutines(tmp_path):
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("bench_goroutines", root / "benchmarks/bench_goroutines.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.bench(bench.make_dump(100_000, tmp_path), repeat=2)
    assert res["goroutines"] == 100_001
    assert res["best_cpu_s"] <= bench.BUDGET_S, res  # CPU time: wall time on a shared box measures neighbours
