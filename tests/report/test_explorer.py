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
