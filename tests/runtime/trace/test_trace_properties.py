"""The Trace's tables that other modules compute: ``goroutines``, ``gc`` and ``to_perfetto``
give what their modules give, without building the whole events table."""

from __future__ import annotations

import json

import pprof_parse
from pprof_parse.runtime.trace.gc_cycles import gc_cycles
from pprof_parse.runtime.trace.goroutines import goroutine_table
from pprof_parse.runtime.trace.perfetto import write_perfetto


def test_goroutines_gc_and_timeline_without_the_events_table(traces, tmp_path):
    lazy = pprof_parse.read_trace(traces["generations"])
    full = pprof_parse.read_trace(traces["generations"])
    full.events  # the whole table built first: the same results from it
    assert lazy.goroutines.equals(goroutine_table(full))
    assert len(lazy.goroutines) > 10
    assert lazy.gc.equals(gc_cycles(full)) and len(lazy.gc) >= 1
    n = lazy.to_perfetto(tmp_path / "lazy.json")
    assert n == write_perfetto(full, tmp_path / "full.json")
    assert json.loads((tmp_path / "lazy.json").read_text()) == json.loads((tmp_path / "full.json").read_text())
    assert "events" not in lazy.__dict__
