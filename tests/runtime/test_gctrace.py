"""read_gctrace / read_scavtrace / read_pacertrace."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

from pprof_parse.errors import PprofParseWarning
from pprof_parse.errors import RuntimeFormatError
from pprof_parse.runtime.gctrace import parse_gctrace, read_gctrace, read_pacertrace, read_scavtrace

# Historical format fixtures quoted in the runtime notes (golang/go issues #13536, #10898, #12228).
GO15 = ("gc 553 @65.881s 14%: 3.2+0+0+0+7.4 ms clock, 25+0+0+15/0.002/0+59 ms cpu, "
        "883->883->862 MB, 883 MB goal, 8 P (forced)")
GO15_DEV = "gc #1 @0.240s 37%: 0+37+18+9+43 ms clock, 0+37+0+0/9/0+43 ms cpu, 4->5->2 MB, 4 MB goal, 1 P"
GO17 = "gc 1 @0.023s 1%: 0.031+0.64+0.17 ms clock, 0.25+0.26/0.62/0.77+1.3 ms cpu, 4->4->1 MB, 5 MB goal, 8 P"
GO14 = ("gc328(8): 0+0+6000+1000 us, 26 -> 53 MB, 563714 (315404589-314840875) objects, 8 goroutines, "
        "50830/3782/0 sweeps, 44(1713) handoff, 16(47) steal, 230/8/0 yields")
SCAV114 = "scav 1 1024 KiB work, 4096 KiB total, 95% util"
SCAV119 = "scav 1024 KiB work, 4096 KiB total, 95% util (forced)"
SCAV121 = "scav 0 KiB work (bg), 5024 KiB work (eager), 10376 KiB now, 96% util (forced)"
PACER_END = ("pacer: 26% CPU (25 exp.) for 115680+15504+207082 B work (207082 B exp.) in 4005888 B -> "
             "4268032 B (\u2206goal 73728, cons/mark 0)")
PACER_START = "pacer: assist ratio=+1.099068e+000 (scan 0 MB in 3->4 MB) workers=0+0.5"
PACER_SWEEP = "pacer: sweep done at heap size 3MB; allocated 0MB during sweep; swept 512 pages at +1.2e-004 pages/byte"


def test_go15_five_phase_form():
    df = read_gctrace(text=GO15 + "\n")
    r = df.iloc[0]
    assert (r.gc, r.start_s, r.cpu_pct, r.phases, r.procs) == (553, 65.881, 14, 5, 8)
    assert r.sweep_term_ms == 3.2 and r.mark_term_ms == 7.4 and r.pause_ms == pytest.approx(10.6)
    # 7 cpu terms a+b+c+d/e/f+g: stw1=a, assist=d, background=e, idle=f, stw2=g
    assert (r.sweep_term_cpu_ms, r.assist_cpu_ms, r.background_cpu_ms, r.idle_cpu_ms, r.mark_term_cpu_ms) == (
        25, 15, 0.002, 0, 59)
    assert (r.heap_start_mb, r.heap_end_mb, r.heap_live_mb, r.heap_goal_mb) == (883, 883, 862, 883)
    assert r.forced and not r.leak_check
    assert df.stacks_mb.isna().all()


def test_dev15_hash_and_17_forms():
    df = read_gctrace(text=GO15_DEV + "\n" + GO17 + "\n")
    assert list(df.gc) == [1, 1]
    assert list(df.run) == [0, 1]  # counter did not increase: a new process
    assert df.mark_ms.iloc[0] == 37 + 18 + 9
    assert df.iloc[1].assist_cpu_ms == 0.26 and df.iloc[1].idle_cpu_ms == 0.77


def test_prefixes_interleaving_and_legacy_kept():
    text = "\n".join([
        "Feb 26 12:52:23.767 " + GO17,
        "2026/11/22 02:00:00 handling request /foo (id=3)",
        "GC forced",
        "2026-11-22T02:00:01Z app[web.1]: gc 2 @0.050s 1%: 0.031+0.64+0.17 ms clock, "
        "0.25+0.26/0.62/0.77+1.3 ms cpu, 4->4->1 MB, 5 MB goal, 8 P",
        GO14,
        "",
    ])
    with pytest.warns(PprofParseWarning, match=r"<text>: 2 line\(s\) are not gctrace.*first at line 2"):
        df = read_gctrace(text=text)
    assert list(df.gc) == [1, 2]
    assert df.prefix.iloc[0] == "Feb 26 12:52:23.767"
    assert df.prefix_time.isna().iloc[0]  # syslog stamps carry no year
    assert df.prefix_time.iloc[1] == pd.Timestamp("2026-11-22T02:00:01Z")
    assert list(df.sysmon_forced) == [False, True]
    lines = [n for n, _ in df.attrs["unparsed"]]
    assert lines == [2, 5]


def test_scav_formats():
    df = read_scavtrace(text="\n".join([SCAV114, SCAV119, SCAV121, "scvg0: inuse: 3, idle: 1, sys: 5, released: 0, "
                                        "consumed: 5 (MB)", "scvg1: 2 MB released", ""]))
    assert list(df.kind) == ["scav", "scav", "scav", "scvg-stats", "scvg"]
    assert list(df.work_kib[:3]) == [1024, 1024, 5024]
    assert list(df.released_kib) [:3] == [4096, 4096, 10376]
    assert list(df.forced[:3]) == [False, True, True]
    assert df.released_kib.iloc[4] == 2048


def test_pacer_formats():
    df = read_pacertrace(text="\n".join([PACER_START, PACER_END, PACER_SWEEP,
                                         "pacer: H_m_prev=4194304 h_t=0.95 H_T=8178892 h_a=1.0 H_a=8388608", ""]))
    assert list(df.kind) == ["start", "end", "sweep", "other"]
    assert df.assist_ratio.iloc[0] == pytest.approx(1.099068)
    assert df.live_bytes.iloc[1] == 4268032 and df.goal_delta_bytes.iloc[1] == 73728
    assert df.pages_per_byte.iloc[2] == pytest.approx(1.2e-4)
    assert df.text.iloc[3].startswith("pacer: H_m_prev")


def test_errors():
    with pytest.raises(RuntimeFormatError, match=r"<text>:1: no gctrace"):
        read_gctrace(text="hello\nworld\n")
    with pytest.raises(RuntimeFormatError, match="cannot read"):
        read_gctrace("/nonexistent/gctrace.log")
    assert read_gctrace(b"").empty


def test_sample_capture_every_line_parsed(sample_capture):
    path = sample_capture.gctrace
    raw = [l for l in path.read_text().splitlines() if l.strip()]
    t = parse_gctrace(path)
    assert t.unparsed == []
    assert len(t.cycles) == sum(1 for l in raw if l.startswith("gc "))
    assert list(t.cycles.gc) == list(range(1, len(t.cycles) + 1))
    # each goroutineleak request forces one leak-checking GC
    assert t.cycles.leak_check.sum() == len(sample_capture.manifest["snapshots"])
    assert (t.cycles.leak_check <= t.cycles.forced).all()
    # several GCs per second
    assert len(t.cycles) / t.cycles.start_s.iloc[-1] > 3
    # gzip accepted
    assert len(read_gctrace(gzip.compress(path.read_bytes()))) == len(t.cycles)


@pytest.mark.go
def test_fresh_capture_every_gctrace_line_parsed(fresh_capture):
    text = fresh_capture.gctrace.read_text()
    t = parse_gctrace(text=text)
    n_lines = len(re.findall(r"^gc \d+ @", text, re.M))
    assert n_lines > 10 and len(t.cycles) == n_lines and t.unparsed == []
    assert (t.cycles.pause_ms > 0).all() and t.cycles.run.eq(0).all()


def test_sample_all_traces_interleaved(sample_capture):
    """gctrace + scavtrace + gcpacertrace on one real stream: every line lands in a frame."""
    path = sample_capture.root / "gctrace-alltraces.log"
    lines = [l for l in path.read_text().splitlines() if l.strip()]
    t = parse_gctrace(path)
    assert t.unparsed == []
    assert len(t.cycles) + len(t.scav) + len(t.pacer) == len(lines)
    assert len(t.scav) > 0 and set(t.pacer.kind) == {"start", "end", "sweep"}
    # one start line per cycle, printed before the cycle's gc line; sweep-done after it
    starts = t.pacer[t.pacer.kind == "start"]
    assert set(starts.gc) <= set(t.cycles.gc)
    for _, r in starts.iterrows():
        assert r.line < t.cycles.set_index("gc").loc[r.gc, "line"]
    assert (t.pacer.kind == "end").sum() <= len(starts)  # skipped when the heap never reached the trigger
    assert (t.pacer.loc[t.pacer.kind == "end", "live_bytes"] > 0).all()
    assert (t.scav.util_pct.between(0, 100)).all() and t.scav.work_kib.ge(0).all()
