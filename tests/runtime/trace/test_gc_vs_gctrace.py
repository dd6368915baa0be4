"""GC in the trace against GODEBUG=gctrace=1 of the same run: the same cycles, the same
sweep-termination pauses (gctrace prints them rounded to 2 significant digits)."""

from __future__ import annotations

import subprocess

import pytest

import pprof_parse
from conftest import build, go_env, TRACEGEN
from pprof_parse.runtime.trace import read_trace

pytestmark = pytest.mark.go


def test_gc_cycles_and_pauses_match_gctrace(tmp_path, go):
    binary = build(TRACEGEN, tmp_path / "tracegen")
    out = tmp_path / "gc.trace"
    run = subprocess.run([str(binary), "-duration", "100ms", "-o", str(out)], capture_output=True, text=True,
                         env={**go_env(), "GODEBUG": "gctrace=1"}, check=True)
    gc = pprof_parse.read_gctrace(text=run.stderr)
    ranges = read_trace(out).ranges
    marks = ranges[ranges["name"] == "GC concurrent mark phase"].dropna(subset=["start", "end"])
    assert len(gc) >= 3 and len(marks) == len(gc), (run.stderr, marks)  # tracing covers the whole run
    stw = ranges.loc[ranges["name"] == "stop-the-world (GC sweep termination)", "duration"].to_numpy() / 1e6
    # the two clocks are read a few instructions apart (runtime/mgc.go: the STW events and
    # tSweepTerm/tMark), so a preempted thread on a loaded machine can stretch one of them
    for printed, traced in zip(gc["sweep_term_ms"], stw):
        assert traced == pytest.approx(printed, rel=0.25, abs=0.02), (list(gc["sweep_term_ms"]), list(stw))
