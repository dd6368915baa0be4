"""MemStats snapshots (heap debug=1 trailer, expvar) and the PauseNs ring."""

from __future__ import annotations

import json

import pytest

from pprof_parse.errors import PprofParseWarning
from pprof_parse.errors import RuntimeFormatError
from pprof_parse.runtime.gctrace import read_gctrace
from pprof_parse.runtime.memstats import RING, load_memstats, read_gc_pauses, read_memstats


def _series(cap):
    return [cap.path(i, k) for i in range(len(cap.times)) for k in ("vars", "heap.debug1")]


def test_heap_trailer_and_expvar_agree(sample_capture):
    heap = load_memstats(sample_capture.path(3, "heap.debug1"))
    ev = load_memstats(sample_capture.path(3, "vars"))
    assert heap["NumGC"] >= ev["NumGC"]  # heap profile fetched after /debug/vars
    assert len(heap["PauseNs"]) == RING and heap["StackInuse"] > 0 and heap["MaxRSS"] > 0
    # the cycles both saw have identical ring entries
    for k in range(1, ev["NumGC"] + 1):
        assert heap["PauseNs"][(k - 1) % RING] == ev["PauseNs"][(k - 1) % RING]
    assert "leaks" in ev["_vars"] and "cmdline" in ev["_vars"]


def test_read_memstats_rows(sample_capture):
    df = read_memstats(sample_capture.paths("vars"), times=sample_capture.times)
    assert list(df.t) == sample_capture.times
    own = read_memstats(sample_capture.paths("vars"))  # the published now_unix_ns
    assert list(own.t - sample_capture.manifest["start_unix"]) == pytest.approx(sample_capture.times)
    assert df.NumGC.is_monotonic_increasing and df.TotalAlloc.is_monotonic_increasing
    assert (df.NextGC >= 4 << 20).all() and df.GCCPUFraction.between(0, 1).all()
    assert str(df.HeapAlloc.dtype) == "Int64" and df.MaxRSS.isna().all()


def test_pauses_merged_without_double_counting(sample_capture):
    p = read_gc_pauses(_series(sample_capture))
    assert p.gc.is_unique and list(p.gc) == list(range(1, len(p) + 1))
    assert p.attrs["lost_cycles"] == []
    num_gc, total = p.attrs["pause_total_ns"][0]
    assert p.loc[p.gc <= num_gc, "pause_ns"].sum() == total  # exact: PauseTotalNs accumulates PauseNs
    assert p.pause_end.is_monotonic_increasing and (p.pause_ns > 0).all()


def test_gctrace_pauses_consistent_with_memstats(sample_capture):
    g = read_gctrace(sample_capture.gctrace)
    p = read_gc_pauses(_series(sample_capture))
    m = g.merge(p, on="gc", validate="one_to_one")
    assert len(m) == len(p) == len(g)  # every gctrace cycle is in MemStats and vice versa
    num_gc, total = p.attrs["pause_total_ns"][0]
    trace_total = m.loc[m.gc <= num_gc, "pause_ms"].sum() * 1e6
    # gctrace rounds to ~2 significant digits and measures from tSweepTerm; 15% is generous
    assert trace_total == pytest.approx(total, rel=0.15)
    assert (m.pause_ms * 1e6 / m.pause_ns).median() == pytest.approx(1, abs=0.1)


def test_errors(tmp_path):
    with pytest.raises(RuntimeFormatError, match="no '# runtime.MemStats' trailer"):
        load_memstats(text="heap profile: 1: 2 [3: 4] @ heap/1048576\n")
    f = tmp_path / "vars.json"
    f.write_text(json.dumps({"cmdline": ["x"]}))
    with pytest.raises(RuntimeFormatError, match=r"vars.json: JSON has no memstats"):
        load_memstats(f)
    with pytest.raises(RuntimeFormatError, match=r":3: cannot read NumGC"):
        load_memstats(text="x\n# runtime.MemStats\n# NumGC = lots\n")


@pytest.mark.go
def test_ring_wrap_reports_lost_cycles(leakserver_binary, capture_module):
    """runtime.GC() every ms: poll /debug/vars until > 256 cycles passed, so the ring wraps
    between two snapshots whatever the machine's load; a third snapshot right after does not."""
    import subprocess
    import time
    cap = capture_module
    proc = subprocess.Popen([str(leakserver_binary), "-port", "0", "-gc-every", "1ms"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        addr = json.loads(proc.stdout.readline())["addr"]
        snaps = [load_memstats(cap._get(addr, "/debug/vars"))]
        deadline = time.time() + 30
        while time.time() < deadline:
            time.sleep(0.2)
            s = load_memstats(cap._get(addr, "/debug/vars"))
            if s["NumGC"] - snaps[0]["NumGC"] > RING + 20:
                snaps.append(s)
                break
        snaps.append(load_memstats(cap._get(addr, "/debug/vars")))
    finally:
        cap.stop(proc)
    n = [s["NumGC"] for s in snaps]
    assert len(n) == 3 and n[1] - n[0] > RING, n
    with pytest.warns(PprofParseWarning, match="fell out of the 256-entry PauseNs ring"):
        p = read_gc_pauses(snaps)
    expected = [(0, a + 1, b - RING) for a, b in zip([0] + n, n) if b - a > RING]
    assert p.attrs["lost_cycles"] == expected and len(expected) >= 1
    assert len(p) == n[-1] - sum(last - first + 1 for _, first, last in expected)
    assert p.gc.is_unique and p.gc.max() == n[-1]
    # the cycles kept are exactly those still in some snapshot's ring
    held = set().union(*(range(max(1, k - RING + 1), k + 1) for k in n))
    assert set(p.gc) == held


@pytest.mark.go
def test_fresh_capture_pause_sums(fresh_capture):
    p = read_gc_pauses([fresh_capture.path(i, k) for i in range(len(fresh_capture.times))
                        for k in ("vars", "heap.debug1")])
    num_gc, total = p.attrs["pause_total_ns"][0]
    assert p.attrs["lost_cycles"] == [] and p.loc[p.gc <= num_gc, "pause_ns"].sum() == total
    g = read_gctrace(fresh_capture.gctrace)
    m = g.merge(p, on="gc")
    assert len(m) == len(p)
    # PauseNs runs from "started stopping" to "world restarted"; gctrace's clock terms do not
    # include the restart, which a loaded machine stretches: a wider band than for the sample
    assert m.loc[m.gc <= num_gc, "pause_ms"].sum() * 1e6 == pytest.approx(total, rel=0.35)
    assert (m.pause_ms * 1e6 / m.pause_ns).median() == pytest.approx(1, abs=0.2)
