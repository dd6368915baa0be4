"""The JupyterLab allocation explorer shows what the library (and pprof) shows (issue 13,
section 2): with a ``focus`` regex, percentages are of the whole profile, as
``go tool pprof -top -focus=…`` and ``Profile.top(focus=…)`` give them. The widget's callback
(:func:`gopherlab.reports.allocations.allocation_view`) is tested directly, on the bundled allocs
profile of the repo's Go workload."""
from __future__ import annotations

import subprocess

import pytest

import pprof_parse
from gopherlab.reports import allocations as alloc
from gopherlab.reports.bundled import sample_path

import goenv


@pytest.fixture(scope="module")
def prof():
    return pprof_parse.read_profile(sample_path("profiles/allocs.pb.gz"))


def test_focus_percentages_are_of_the_whole_profile(prof):
    view = alloc.allocation_view(prof, sample="alloc_space", focus="main.jsonWork")
    assert view["error"] is None
    want = prof.top("alloc_space", focus="main.jsonWork")
    got = view["top"]
    row = got.set_index("name").loc["main.jsonWork"]
    assert row["cum_pct"] == pytest.approx(want.set_index("name").loc["main.jsonWork", "cum_pct"])
    assert row["cum_pct"] < 50  # not 100 % of the focused subset
    assert got.attrs["total"] == prof.top("alloc_space").attrs["total"]
    assert "percentages are of the whole profile" in view["message"]
    # the flame graph's hover shares agree: the focused root is its share of the whole
    hover0 = view["figure"].data[0].customdata[0]
    root_total = abs(int(view["figure"].data[0]["values"][0]))
    assert f"({100 * root_total / got.attrs['total']:.2f}%)" in hover0


def test_focus_percentages_match_go_tool_pprof(prof, tmp_path):
    go = goenv.go_binary()
    if go is None:
        pytest.skip("Go toolchain not installed")
    out = subprocess.run([go, "tool", "pprof", "-top", "-focus=main.jsonWork", "-sample_index=alloc_space",
                          sample_path("profiles/allocs.pb.gz")], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env=goenv.go_env(), check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.rstrip().endswith(" main.jsonWork"))
    cum_pct = float(line.split()[4].rstrip("%"))  # flat flat% sum% cum cum% name
    view = alloc.allocation_view(prof, sample="alloc_space", focus="main.jsonWork")
    assert round(view["top"].set_index("name").loc["main.jsonWork", "cum_pct"], 2) == pytest.approx(cum_pct)


def test_invalid_regex_is_reported(prof):
    view = alloc.allocation_view(prof, sample="alloc_space", focus="(")
    assert view["error"] == "invalid regex '('" and view["top"] is None


# ---- the widgets' refresh callback, control by control ------------------------------------------


@pytest.fixture
def explorer(prof, monkeypatch):
    """An explorer on the allocs profile whose displays are recorded (outside a kernel nothing is drawn)."""
    pytest.importorskip("ipywidgets")
    shown = []
    monkeypatch.setattr(alloc, "show_allocation_view", shown.append)
    ex = alloc._AllocationExplorer(prof, sample_index="alloc_space", top_n=20)
    ex.refresh()
    return ex, shown


def test_each_control_redraws_its_view(explorer, prof):
    ex, shown = explorer
    assert shown[-1]["top"].attrs["sample_type"] == "alloc_space"
    ex.sample.value = "inuse_space"
    assert shown[-1]["top"].equals(prof.top("inuse_space"))
    ex.granularity.value = "lines"
    assert shown[-1]["top"].attrs["granularity"] == "lines"
    assert shown[-1]["top"]["name"].str.contains(r"main\.go:\d+").any()
    ex.granularity.value = "functions"
    ex.focus.value = "main.buildTree"
    assert shown[-1]["top"].equals(prof.top("inuse_space", focus="main.buildTree"))
    assert "samples match" in shown[-1]["message"]
    ex.ignore.value = "runtime"
    assert shown[-1]["top"].equals(prof.top("inuse_space", focus="main.buildTree", ignore="runtime"))
    ex.focus.value, ex.ignore.value = "", ""
    ex.label.value = "bytes"
    labels = shown[-1]["labels"]
    assert labels["table"].equals(prof.by_label("bytes", sample_index="inuse_space"))
    assert shown[-1]["figure"] is labels["figure"]  # the flame graph split by the label
    ex.top_n.value = 5
    assert shown[-1]["top_n"] == 5
    ex.focus.value = "("
    assert shown[-1]["error"] == "invalid regex '('"
    assert len(shown) == 11  # the first draw and one redraw per change (ten)


def test_a_setting_shown_before_is_not_recomputed(explorer, monkeypatch):
    ex, shown = explorer
    first = shown[-1]
    ex.sample.value = "alloc_objects"
    computed = []
    monkeypatch.setattr(ex, "_compute", lambda *key: computed.append(key) or first)
    ex.sample.value = "alloc_space"  # back to the first setting: from the cache
    ex.top_n.value = 10  # only the number of rows shown changes
    assert computed == []
    assert shown[-1]["top"] is first["top"] and shown[-1]["top_n"] == 10
    ex.granularity.value = "files"  # a new setting is computed
    assert computed == [("alloc_space", "files", "", "", "")]


def test_view_cache_is_bounded(explorer):
    ex, _ = explorer
    for i in range(alloc._VIEW_CACHE_SIZE + 4):
        ex.focus.value = f"main|x{i}"
    assert len(ex.views) == alloc._VIEW_CACHE_SIZE
    assert list(ex.views)[-1][2] == f"main|x{alloc._VIEW_CACHE_SIZE + 3}"  # the most recent kept


@pytest.mark.parametrize("name", ["allocs.pb.gz", "cpu.pb.gz"])
def test_indexed_views_equal_allocation_view(name, monkeypatch):
    """The explorer redraws from a sample index; what it shows equals allocation_view's."""
    pytest.importorskip("ipywidgets")
    prof = pprof_parse.read_profile(sample_path(f"profiles/{name}"))
    shown = []
    monkeypatch.setattr(alloc, "show_allocation_view", shown.append)
    ex = alloc._AllocationExplorer(prof, max_nodes=60)
    settings = [(st, g, f, i) for st in [t.type for t in prof.sample_types] for g in ("functions", "lines")
                for f, i in (("", ""), ("main", "runtime|sort"), ("json", ""))]
    for st, g, f, i in settings:
        ex.sample.value, ex.granularity.value, ex.focus.value, ex.ignore.value = st, g, f, i
        got = shown[-1]
        want = alloc.allocation_view(prof, sample=st, granularity=g, focus=f, ignore=i, max_nodes=60)
        assert got["top"].equals(want["top"]) and got["top"].attrs == want["top"].attrs
        assert got["message"] == want["message"] and got["caption"] == want["caption"]
        assert got["figure"].to_json() == want["figure"].to_json()


def test_reference_engine_draws_with_the_library(prof, monkeypatch):
    """GOPHERLAB_ENGINE=reference: every view comes from allocation_view (no sample index built),
    and equals what the index draws."""
    pytest.importorskip("ipywidgets")
    shown = []
    monkeypatch.setattr(alloc, "show_allocation_view", shown.append)
    fast = alloc._AllocationExplorer(prof, sample_index="alloc_space", max_nodes=60)
    fast.focus.value = "main"
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    ref = alloc._AllocationExplorer(prof, sample_index="alloc_space", max_nodes=60)
    ref.focus.value = "main"
    assert fast.indexes and not ref.indexes
    got, want = shown
    assert got["top"].equals(want["top"]) and got["message"] == want["message"]
    assert got["figure"].to_json() == want["figure"].to_json()
