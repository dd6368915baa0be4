"""The GC report's inputs: MemStats told from gctrace by a bounded look at regular files only."""

from __future__ import annotations

import os
import time

import pytest

import pprof_parse
from gopherlab.reports import gc
from gopherlab.reports.bundled import sample_path

LEAK = "runtime/leakserver"


def test_big_heap_profile_is_memstats_by_its_first_line(tmp_path):
    """The heap debug=1 text keeps its MemStats trailer at the end, past the bytes sniffed."""
    heap = open(sample_path(f"{LEAK}/snap3.heap.debug1.txt"), encoding="utf-8").read()
    assert heap.startswith("heap profile:")
    head, trailer = heap.split("# runtime.MemStats", 1)
    big = tmp_path / "heap.txt"
    big.write_text(head + "# padding\n" * 30_000 + "# runtime.MemStats" + trailer)
    assert big.stat().st_size > 250_000
    log = tmp_path / "gc.log"
    log.write_bytes(open(sample_path(f"{LEAK}/gctrace.log"), "rb").read())
    runs, ms, times = gc.gc_inputs([str(log), str(big)])
    assert runs == {"gc": str(log)} and ms == [str(big)] and times is None


def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    t = time.monotonic()
    runs, ms, _ = gc.gc_inputs([str(fifo)])
    assert runs == {"trace": str(fifo)} and ms == [] and time.monotonic() - t < 5


def test_device_is_left_to_the_reader_which_refuses_it():
    runs, ms, _ = gc.gc_inputs(["/dev/zero"])
    assert runs == {"zero": "/dev/zero"}
    with pytest.raises(pprof_parse.RuntimeFormatError, match="not a regular file"):
        pprof_parse.stack_runs(runs)
