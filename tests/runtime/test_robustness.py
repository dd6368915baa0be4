"""Arbitrary input never escapes as anything but RuntimeFormatError; big dumps stay fast."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pprof_parse.errors import PprofParseWarning
from pprof_parse.read.gctrace import RuntimeFormatError, parse_gctrace
from pprof_parse.read.goroutines import read_goroutines
from pprof_parse.read.memstats import load_memstats

LINES = st.sampled_from([
    "goroutine 5 [chan send]:", "goroutine 6 gp=0x1 m=nil [select, 3 minutes] {a: b}:", "main.f(0x1, {0x2})",
    "\t/app/main.go:10 +0x1d", "created by main.g in goroutine 1", "...3 frames elided...", "", "panic: x",
    "gc 3 @1.000s 2%: 0.1+0.2+0.3 ms clock, 0.1+0/0.2/0.3+0.4 ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
    "scav 1 KiB work, 2 KiB total, 3% util", "pacer: whatever", "# runtime.MemStats", "# NumGC = 3",
    "rip    0x1", "\tgoroutine running on other thread; stack unavailable", "[originating from goroutine 2]:",
]) | st.text(max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=25))
def test_fuzz_text_readers(lines):
    text = "\n".join(lines) + "\n"
    for fn in (read_goroutines, parse_gctrace, load_memstats):
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
