"""The fast engine reads the next generation while it orders this one (read_ahead): items and
errors arrive in order, and no thread outlives the call, whether it returns or raises."""

from __future__ import annotations

import threading
from contextlib import nullcontext

import pandas as pd
import pytest

from pprof_parse.runtime.trace import TraceFormatError, model, read_trace
from pprof_parse.runtime.trace.read_ahead import reading_ahead


def _workers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("gopherlab-read-ahead")]


def test_items_and_errors_arrive_in_order():
    made = []

    def items():
        for k in range(5):
            made.append(k)
            yield k
        raise ValueError("the sixth item is broken")

    got = []
    with pytest.raises(ValueError, match="sixth"), reading_ahead(items()) as ahead:
        for item in ahead:
            assert made[-1] - item <= 1  # at most one item made ahead of the one in hand
            got.append(item)
    assert got == [0, 1, 2, 3, 4]
    assert not _workers()


def test_a_caller_that_stops_early_ends_the_worker():
    with reading_ahead(iter(range(100))) as ahead:
        assert next(ahead) == 0
    assert not _workers()


@pytest.mark.go
def test_no_thread_outlives_read_trace(traces, monkeypatch):
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    before = threading.active_count()
    data = traces["generations"].read_bytes()
    read_trace(data)
    with pytest.raises(TraceFormatError):
        read_trace(data[: len(data) * 2 // 3])
    assert threading.active_count() == before and not _workers()


@pytest.mark.go
def test_read_ahead_equals_the_plain_iteration(traces, monkeypatch):
    """The same events with and without the worker thread, on a trace of several generations
    (the reference engine iterates plainly; its equality with the fast engine is tested
    elsewhere, so here the fast engine is run with the pipeline swapped for a plain iteration)."""
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    ahead = read_trace(traces["generations"])
    monkeypatch.setattr(model, "reading_ahead", nullcontext)
    plain = read_trace(traces["generations"])
    assert len(ahead.generations) > 2
    pd.testing.assert_frame_equal(ahead.events, plain.events)
