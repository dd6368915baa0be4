"""read_goroutines on real dumps from examples/leakserver, plus historical header forms."""

from __future__ import annotations


import pytest

from pprof_parse.errors import PprofParseWarning
from pprof_parse.errors import RuntimeFormatError
from pprof_parse.runtime.goroutines import (
    goroutine_frames, group_goroutines, infer_state, read_goroutines,
)

LEAK_STATE = {"chansend": "chan send", "select": "select", "waitgroup": "sync.WaitGroup.Wait",
              "mutex": "sync.Mutex.Lock"}


def _by_leak_label(df):
    return df[df.state.isin(LEAK_STATE.values())].groupby(
        df.labels.map(lambda d: d.get("leak", "")))["count"].sum().to_dict()


def test_debug2_sample_matches_expvar_counts(sample_capture):
    for i, snap in enumerate(sample_capture.manifest["snapshots"]):
        df = read_goroutines(sample_capture.path(i, "goroutine.debug2"))
        assert df.attrs["unparsed"] == [] and df.attrs["format"] == "debug=2"
        assert df.id.is_unique and (df["count"] == 1).all()
        got = _by_leak_label(df)
        for kind, n in snap["leaks"].items():
            # expvar was read just before the dump; a few goroutines may still be starting
            assert abs(got.get(kind, 0) - n) <= 2, (i, kind, got, n)
        pool = df[df.labels.map(lambda d: d.get("role") == "pool-worker")]
        assert len(pool) == sample_capture.manifest["pool_size"]
        assert set(pool.top_function) == {"main.worker"}
        leaks = df[df.labels.map(lambda d: "leak" in d) & df.state.isin(LEAK_STATE.values())]
        assert leaks.parent_id.notna().all() and leaks.created_by.notna().all()


def test_debug2_columns(sample_capture):
    df = read_goroutines(sample_capture.path(3, "goroutine.debug2"))
    row = df[df.state == "sync.WaitGroup.Wait"].iloc[0]
    assert row.top_function == "main.fanOut.func1" and row.created_by == "main.fanOut"
    assert row.stack[0] == "sync.runtime_SemacquireWaitGroup" and "sync.(*WaitGroup).Wait" in row.stack
    assert row.frames[-1][0] == "main.fanOut.func1"
    assert row.frames[-1][1] == "example.com/gopherlab/leakserver/main.go"
    assert row.labels == {"leak": "waitgroup"}
    long = goroutine_frames(df)
    assert len(long) == sum(len(f) for f in df.frames)
    assert long.groupby("row").depth.min().eq(0).all()
    g = group_goroutines(df)
    assert g["count"].sum() == len(df)
    top = g.iloc[0]
    assert top.state == "chan send" and top.top_function == "main.fetchWithTimeout.func1"
    assert len(top.ids) == top["count"]


def test_panic_traceback(sample_capture):
    df = read_goroutines(sample_capture.root / "panic.txt")
    assert df.attrs["preamble"] == "panic: assignment to entry in nil map"
    assert df.attrs["unparsed"] == []
    first = df.iloc[0]
    assert first.state == "running" and first.top_function.startswith("main.main.func")
    assert "chan send" in set(df.state)  # GOTRACEBACK=all prints the other goroutines too
    assert not df.system.any()


def test_sigquit_dump_with_gctrace_and_registers(sample_capture):
    df = read_goroutines(sample_capture.root / "sigquit.txt")
    pre = df.attrs["preamble"]
    assert "SIGQUIT: quit" in pre and pre.startswith("gc 1 @")
    assert {"rip", "rsp", "rflags"} <= set(df.attrs["registers"])
    assert df.attrs["unparsed"] == []
    # GOTRACEBACK=system shows runtime goroutines; they are flagged as system
    sys_states = set(df[df.system].state)
    assert {"GC worker (idle)", "force gc (idle)", "finalizer wait"} <= sys_states
    assert not df[~df.system].state.isin(["GC worker (idle)", "GC sweep wait"]).any()
    assert 0 in set(df.id)  # g0 printed with gp=/m=/mp=


HISTORICAL = """\
goroutine 1 [semacquire, 4937 minutes, locked to thread]:
sync.runtime_Semacquire(0xc42001c0ec)
\t/usr/local/go/src/runtime/sema.go:47 +0x34
main.main()
\t/home/u/app/main.go:12 +0x5a

goroutine 7 [chan receive (nil chan)]:
main.worker(0x0)
\t/home/u/app/main.go:30 +0x2b
created by main.main
\t/home/u/app/main.go:10 +0x4a

goroutine 9 [running labels:{"foobar": "baz"}]:
main.deep(...)
\t/home/u/app/main.go:40
...additional frames elided...
created by main.main in goroutine 1
\t/home/u/app/main.go:11 +0x4a

goroutine 12 [chan send (leaked)] {leak: "odd key", k2: v2}:
main.f[...](0x1?, {0xc000, 0x1, 0x1})
\t/home/u/app/main.go:50 +0x1d
...52 frames elided...
main.(*T).run()
\t/home/u/app/main.go:60 +0x11
created by main.start in goroutine 9
\t/home/u/app/main.go:70 +0x99
this line is not part of a traceback
"""


def test_header_forms_117_to_127():
    with pytest.warns(PprofParseWarning, match="1 line"):
        df = read_goroutines(text=HISTORICAL)
    assert list(df.id) == [1, 7, 9, 12]
    assert list(df.state) == ["semacquire", "chan receive (nil chan)", "running", "chan send"]
    assert df.wait_minutes.iloc[0] == 4937 and df.locked.iloc[0]
    assert df.created_by.iloc[1] == "main.main" and df.parent_id.isna().iloc[1]
    assert df.labels.iloc[2] == {"foobar": "baz"}
    assert df.elided.iloc[2] == -1 and df.elided.iloc[3] == 52
    r = df.iloc[3]
    assert r.leaked and r.labels == {"leak": "odd key", "k2": "v2"} and r.parent_id == 9
    assert r.stack == ("main.f[...]", "main.(*T).run") and r.frames[1] == ("main.(*T).run", "/home/u/app/main.go", 60)
    assert df.attrs["unparsed"] == [(28, "this line is not part of a traceback")]


def test_infer_state_and_errors():
    assert infer_state(["runtime.gopark", "runtime.chansend", "runtime.chansend1", "main.f"]) == "chan send"
    assert infer_state(["sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait"]) == "sync.WaitGroup.Wait"
    assert infer_state(["main.f"]) is None
    with pytest.raises(RuntimeFormatError, match="no 'goroutine N"):
        read_goroutines(text="hello\nworld\n")


@pytest.mark.go
def test_fresh_tracebacks(tmp_path, leakserver_binary, capture_module):
    rcs = capture_module.capture_tracebacks(tmp_path, binary=leakserver_binary)
    assert rcs == {"panic.txt": 2, "sigquit.txt": 2}
    p = read_goroutines(tmp_path / "panic.txt")
    assert p.attrs["preamble"].startswith("panic: ") and p.attrs["unparsed"] == []
    q = read_goroutines(tmp_path / "sigquit.txt")
    assert q.attrs["unparsed"] == [] and q.system.any() and "rip" in q.attrs["registers"]


def test_profiles_same_schema(sample_capture):
    d2 = read_goroutines(sample_capture.path(3, "goroutine.debug2"))
    pb = read_goroutines(sample_capture.path(3, "goroutine"))
    d1 = read_goroutines(sample_capture.path(3, "goroutine.debug1"))
    lk = read_goroutines(sample_capture.path(3, "goroutineleak"))
    assert list(pb.columns) == list(d2.columns) == list(d1.columns)
    assert (pb.attrs["format"], d1.attrs["format"], pb.attrs["sample_type"], lk.attrs["sample_type"]) == (
        "profile", "debug=1", "goroutine", "goroutineleak")
    assert pb.id.isna().all() and pb.attrs["time"] is not None
    # per-group counts agree between the proto and the debug=1 text of the same snapshot
    key = ["top_function", "entry_function"]
    # (the application's groups; net/http's connection goroutines come and go between requests)
    app = lambda df: df[df.top_function.str.startswith("main.")].groupby(key)["count"].sum().to_dict()  # noqa: E731
    assert app(pb) == app(d1) and len(app(pb)) >= 7
    # proto stacks keep runtime.gopark & co., so the state is inferred as debug=2 prints it
    by_top = pb.set_index("top_function")
    for top, state in [("main.fetchWithTimeout.func1", "chan send"), ("main.eventLoop", "select"),
                       ("main.worker", "chan receive"), ("main.(*guarded).incr", "sync.Mutex.Lock")]:
        assert by_top.loc[top, "state"] == state
        assert state in set(d2[d2.top_function == top].state)
    assert lk.leaked.all() and set(lk.top_function) <= set(pb.top_function)


@pytest.mark.go
def test_tracebackancestors_dump(tmp_path, leakserver_binary):
    """GODEBUG=tracebackancestors=N appends the creators' stacks; they are not this goroutine's frames."""
    import os
    import subprocess
    out = subprocess.run([str(leakserver_binary), "-dump", "10"], capture_output=True, check=True, timeout=60,
                         env=dict(os.environ, GODEBUG="tracebackancestors=2")).stdout
    assert b"[originating from goroutine 1]:" in out
    df = read_goroutines(out)
    assert len(df) == 11 and df.attrs["unparsed"] == []
    parked = df[df.id != 1]
    assert (parked.parent_id == 1).all() and not parked["stack"].map(lambda s: "main.main" in s).any()


def test_stray_line_after_known_stack_is_reported(sample_capture):
    text = sample_capture.path(3, "goroutine.debug2").read_text()
    blocks = text.rstrip("\n").split("\n\n")
    # append a foreign line to a goroutine whose stack (file lines) is shared with others
    i = next(k for k, b in enumerate(blocks) if "[chan send" in b)
    blocks[i] += "\nexit status 2"
    with pytest.warns(PprofParseWarning):
        df = read_goroutines(text="\n\n".join(blocks) + "\n")
    assert [t for _, t in df.attrs["unparsed"]] == ["exit status 2"]
    assert len(df) == len(read_goroutines(text=text))
