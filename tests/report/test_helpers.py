"""The notebooks' helper functions (kept out of the notebooks so they are tested here)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

import pprof_parse
from gopherlab.reports import allocations as alloc, bench, gc, leaks
from gopherlab.reports.bundled import sample_path
from gopherlab.reports.render import html_table


def test_html_table_escapes_everything():
    df = pd.DataFrame({"<b>name</b>": ["<script>x()</script>", "a&b"], "v": [1, 2]})
    out = html_table(df, caption="<i>cap</i>", formats={"v": lambda v: f"<{v}>"})
    assert "<script>" not in out and "&lt;script&gt;x()&lt;/script&gt;" in out
    assert "&lt;b&gt;name&lt;/b&gt;" in out and "&lt;i&gt;cap&lt;/i&gt;" in out and "&lt;1&gt;" in out
    assert "a&amp;b" in out


def test_sample_paths_and_allocation_inputs(tmp_path):
    prof, new, base = alloc.allocation_inputs("", "")
    assert prof.endswith("allocs.pb.gz") and new.endswith("heap.pb.gz") and base.endswith("heap-early.pb.gz")
    assert alloc.allocation_inputs("/x.pb.gz", "") == ("/x.pb.gz", None, None)
    assert alloc.allocation_inputs("/x.pb.gz", "/y.pb.gz") == ("/x.pb.gz", "/x.pb.gz", "/y.pb.gz")
    with pytest.raises(FileNotFoundError):
        sample_path("profiles/nope.pb.gz")


def test_top_table_focus_and_delta():
    prof = pprof_parse.read_profile(sample_path("profiles/allocs.pb.gz"))
    df = alloc.top_table(prof, "alloc_space", focus="buildTree")
    assert len(df) and df.attrs["unit"] == "bytes"
    new = pprof_parse.read_profile(sample_path("profiles/heap.pb.gz"))
    base = pprof_parse.read_profile(sample_path("profiles/heap-early.pb.gz"))
    d = alloc.function_delta(new, base, "alloc_space")
    assert list(d.columns) == ["name", "base", "new", "delta", "delta_pct"]
    assert (d["delta"] == d["new"] - d["base"]).all() and (d["delta"] != 0).all()
    assert d["delta"].abs().is_monotonic_decreasing


def test_top_bar_views_one_view_per_sample_type_and_order():
    prof = pprof_parse.read_profile(sample_path("profiles/allocs.pb.gz"))
    fig = alloc.top_bar_views(prof, top_n=5)
    n_views = 2 * len(prof.sample_types)
    assert len(fig.data) == 2 * n_views and len(fig.layout.updatemenus[0].buttons) == n_views
    assert sum(bool(t.visible) for t in fig.data) == 2


def test_gc_inputs_classify(tmp_path):
    runs, ms, times = gc.gc_inputs([])
    assert list(runs) == list(gc.SAMPLE_RUNS) and len(ms) == len(times) == 4
    log = tmp_path / "app.log"
    shutil.copyfile(runs["GOGC=100"], log)
    js = tmp_path / "vars.json"
    shutil.copyfile(ms[0], js)
    r2, m2, t2 = gc.gc_inputs([str(log), str(js)])
    assert r2 == {"app": str(log)} and m2 == [str(js)] and t2 is None


def test_leak_inputs_times():
    paths, times = leaks.leak_inputs([], [], 0)
    assert len(paths) == len(times) == 8  # 4 debug=2 dumps + 4 goroutineleak profiles
    assert leaks.leak_inputs(["a", "b", "c"], [], 2.0)[1] == [0.0, 2.0, 4.0]
    assert leaks.leak_inputs(["a", "b"], ["2026-01-01T00:00:00Z", "2026-01-01T00:01:30Z"], 0)[1] == [0.0, 90.0]
    with pytest.raises(ValueError):
        leaks.leak_inputs(["a", "b"], ["1"], 0)
    assert leaks.leak_inputs(["a"], [], 0) == (["a"], None)


def test_bench_inputs_and_verdict():
    with pytest.raises(ValueError):
        bench.bench_inputs("old.txt", "")
    old, new = bench.bench_inputs("", "")
    table, rows = bench.compare(old, new, threshold_pct=5)
    v = bench.verdict(rows, 5)
    reg = rows[rows["verdict"] == "regression"]
    assert len(v["regressions"]) == len(reg)
    assert (reg["delta_pct"].abs() > 5).all() and reg["significant"].all()
    assert bench.verdict(rows, -1)["regressions"] == []  # no gate, no failure
