"""The compiled delay-profile walk (delays_compiled, delays_kernel) equals the numpy path and the
reference walk on real traces, for every kind; both id-to-slot mappings give the same profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pprof_parse.runtime.trace import delays_compiled, delays_fast, read_trace

pytestmark = pytest.mark.go

NAMES = ["start", "generations", "flight", "gotest", "allocfree", "edges"]
KINDS = ["sched", "sync", "net", "syscall"]


def numpy_path_refused(*args, **kwargs):
    raise AssertionError("the compiled walk was not taken")


@pytest.fixture(scope="module")
def read(trace_paths):
    cache = {}

    def trace(name):
        if name not in cache:
            cache[name] = read_trace(trace_paths[name])
        return cache[name]
    return trace


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", KINDS)
def test_compiled_walk_equals_numpy_and_reference(read, name, kind, monkeypatch):
    t = read(name)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    expected = t.delay_profile(kind)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    monkeypatch.setattr(delays_compiled, "MIN_COMPILED_EVENTS", 10**12)
    numpy_path = t.delay_profile(kind)
    monkeypatch.setattr(delays_compiled, "MIN_COMPILED_EVENTS", 0)
    monkeypatch.setattr(delays_fast, "stack_totals", numpy_path_refused)
    compiled = t.delay_profile(kind)
    pd.testing.assert_frame_equal(numpy_path, expected)
    pd.testing.assert_frame_equal(compiled, expected)
    assert kind != "sched" or len(expected) > 1


@pytest.mark.parametrize("kind", ["sched", "sync"])
def test_ids_mapped_by_rank_give_the_same_profile(read, kind, monkeypatch):
    """Goroutine ids too large to index an array are mapped to their ranks: same profile."""
    t = read("generations")
    monkeypatch.setattr(delays_compiled, "MIN_COMPILED_EVENTS", 0)
    direct = t.delay_profile(kind)
    plain = delays_compiled._slots
    monkeypatch.setattr(delays_compiled, "_slots", lambda ids: plain(ids + 2**40) if len(ids) else plain(ids))
    by_rank = t.delay_profile(kind)
    pd.testing.assert_frame_equal(by_rank, direct)


def test_slots():
    slot, gid = delays_compiled._slots(np.array([7, 1, 7, 3], np.int64))
    assert np.array_equal(gid[slot], [7, 1, 7, 3]) and len(gid) == 8    # the id itself
    slot, gid = delays_compiled._slots(np.array([2**40, 5, 2**40], np.int64))
    assert np.array_equal(gid, [5, 2**40]) and np.array_equal(slot, [1, 0, 1])  # ranks
