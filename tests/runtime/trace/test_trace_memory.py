"""The trace reader's memory, counted deterministically: bytes its columns hold per event, and the
peak of what it allocates (tracemalloc, which numpy reports its arrays to) per event.

Issue 18's target is half of ``go tool trace``'s peak memory on a large trace (about 260-310
bytes an event there, benchmarks/bench_trace_memory.py); these bounds keep each stage well
under it on the tests' real traces, where the old reader held 150 bytes an event after reading
and peaked at 270-330 while reading and profiling.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from pprof_parse.runtime.trace import delays_fast, read_trace
from pprof_parse.runtime.trace.decode import decode_generation
from pprof_parse.runtime.trace.narrow import narrowed, narrowest
from pprof_parse.runtime.trace.wire import read_generations, read_header


@pytest.fixture(scope="module")
def gens_path(traces):
    read_trace(traces["start"]).delay_profile("sched")  # imports done before anything is counted
    return traces["generations"]


def _peak(fn):
    """``fn()``'s result and the peak bytes allocated while it ran, above what was held before."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak - before


def test_the_events_are_kept_in_narrow_columns(gens_path):
    t = read_trace(gens_path)
    per_event = t._store.nbytes / len(t)
    assert 20 < per_event <= 40  # the events table itself takes about 110
    assert t._store.raw("p").dtype == np.int8 and t._store.raw("from_state").dtype == np.int8


def test_read_trace_peaks_under_250_bytes_an_event(gens_path):
    t, peak = _peak(lambda: read_trace(gens_path))
    assert len(t) > 10_000
    assert peak / len(t) < 250


def test_delay_profile_does_not_build_the_events_table(gens_path):
    t = read_trace(gens_path)
    profile, peak = _peak(lambda: t.delay_profile("sched"))
    assert profile["count"].sum() > 0
    assert "events" not in t.__dict__
    assert peak / len(t) < 120  # the goroutines' transitions gathered by goroutine, about 50 bytes an event
    t.metrics, t.logs, t.regions  # views take their kinds' rows only
    assert "events" not in t.__dict__


def test_an_ordered_generation_keeps_its_arguments_narrow(gens_path):
    data = gens_path.read_bytes()
    g = next(read_generations(data, read_header(data, "x"), "x"))
    ev = decode_generation(g, data, "x")
    wide = ev.args.copy()
    assert ev.args.dtype == np.uint64 and ev.args.shape == (4, len(ev.typ))
    ev.compact()
    narrow_bytes = sum(a.nbytes for a in ev.narrow_args) + ev.offset.nbytes
    assert narrow_bytes <= 0.5 * (wide.nbytes + 8 * len(ev.typ))
    assert np.array_equal(ev.args, wide)  # the wide form again, for an ordering that starts over


@pytest.mark.parametrize("values, dtype", [
    ([0, 255], np.uint8), ([0, 256], np.uint16), ([2**32], np.uint64), ([-1, 127], np.int8), ([-129], np.int16),
    ([-1, 2**31], np.int64), ([], np.int8),
])
def test_narrowest(values, dtype):
    signed = any(v < 0 for v in values) or dtype in (np.int8, np.int16, np.int32, np.int64)
    a = np.array(values, np.int64 if signed else np.uint64)
    assert narrowest(a) == dtype
    assert np.array_equal(narrowed(a), a)


@pytest.mark.parametrize("kind", ["sched", "sync", "net", "syscall"])
def test_delay_profile_by_groups_of_goroutines_equals_the_reference_walk(gens_path, kind, monkeypatch):
    t = read_trace(gens_path)
    moves = t.transitions[t.transitions["resource"] == "goroutine"]
    assert moves.groupby("id").size().max() > 1000  # so a goroutine is split across windows below
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    expected = t.delay_profile(kind)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    whole = t.delay_profile(kind)
    monkeypatch.setattr(delays_fast, "CHUNK_ROWS", 1000)  # many groups and windows, goroutines split across them
    grouped = t.delay_profile(kind)
    pd.testing.assert_frame_equal(whole, expected)
    pd.testing.assert_frame_equal(grouped, expected)
    assert kind in ("net", "syscall") or len(expected) > 1
