"""The -list helpers: source file lookup (pprof's rules, GOROOT, the module cache) and the weblist-style HTML."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from pprof_parse.present import source_files
from pprof_parse.present.listing import format_cost, listing_html
from pprof_parse.present.source_files import SourceFiles, module_cache_escape, pprof_candidates, pprof_trim


# ---- pprof's trimPath / openSourceFile ------------------------------------------------------------

def test_trim_heuristic_cuts_after_the_search_dirs_base_name():
    """No -trim_path: the search dir's base name, found in the recorded name, cuts it (pprof's heuristic)."""
    assert pprof_trim("/remote/build/my-project/foo/bar.go", [], ["/home/me/my-project"]) == "foo/bar.go"
    assert pprof_trim("/remote/build/other/foo/bar.go", [], ["/home/me/my-project"]) == "/remote/build/other/foo/bar.go"


def test_trim_prefixes_given_and_pprofs_own():
    assert pprof_trim("example.com/mod/pkg/a.go", ["example.com/mod"], ["/src"]) == "pkg/a.go"
    assert pprof_trim("example.com/mod/pkg/a.go", ["example.com/mod/"], ["/src"]) == "pkg/a.go"
    # the heuristic is not used when a trim path is given
    assert pprof_trim("/x/src/pkg/a.go", ["/nowhere"], ["/y/src"]) == "/x/src/pkg/a.go"
    assert pprof_trim("/proc/self/cwd/./pkg/a.go", ["/nowhere"], []) == "pkg/a.go"


def test_relative_names_are_searched_in_each_dir_and_its_parents():
    got = pprof_candidates("pkg/a.go", [], ["/a/b", "/c"])
    assert got == ["/a/b/pkg/a.go", "/a/pkg/a.go", "/pkg/a.go", "/c/pkg/a.go", "/pkg/a.go"]
    assert pprof_candidates("/abs/pkg/a.go", ["/nowhere"], ["/a"]) == ["/abs/pkg/a.go"]


def test_source_found_in_a_parent_of_the_search_dir(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.go").write_bytes(b"package pkg\r\n\nfunc A() {}\n")
    deep = tmp_path / "x" / "y"
    deep.mkdir(parents=True)
    files = SourceFiles([str(deep)], "example.com/mod", use_go=False)
    assert files.lines("example.com/mod/pkg/a.go") == ["package pkg", "", "func A() {}"]  # \r dropped as Go's Scanner
    assert files.line("example.com/mod/pkg/a.go", 3) == "func A() {}"
    assert files.line("example.com/mod/pkg/a.go", 4) is None
    assert files.found["example.com/mod/pkg/a.go"] == str(tmp_path / "pkg" / "a.go")  # two parents up


def test_source_path_string_is_pathsep_separated(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "f.go").write_text("line one\n")
    files = SourceFiles(os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]), None, use_go=False)
    assert files.search == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert files.line("f.go", 1) == "line one"


# ---- beyond pprof: GOROOT and the module cache ----------------------------------------------------

@pytest.fixture
def fake_go(tmp_path, monkeypatch):
    goroot, modcache = tmp_path / "goroot", tmp_path / "mod"
    (goroot / "src" / "runtime").mkdir(parents=True)
    (goroot / "src" / "runtime" / "proc.go").write_text("package runtime\nfunc schedule() {}\n")
    dep = modcache / "github.com" / "!big!corp" / "lib@v1.2.3"
    dep.mkdir(parents=True)
    (dep / "lib.go").write_text("package lib\nfunc Hot() {}\n")
    monkeypatch.setattr(source_files, "go_env", lambda: {"GOROOT": str(goroot), "GOMODCACHE": str(modcache)})
    return tmp_path


def test_module_cache_case_encoding():
    assert module_cache_escape("github.com/BigCorp/lib") == "github.com/!big!corp/lib"


@pytest.mark.parametrize("recorded", ["runtime/proc.go", "/other/machine/go/src/runtime/proc.go"])
def test_standard_library_found_in_goroot(fake_go, recorded):
    files = SourceFiles([str(fake_go / "empty")], None)
    assert files.line(recorded, 2) == "func schedule() {}"
    assert files.found[recorded] == str(fake_go / "goroot" / "src" / "runtime" / "proc.go")


@pytest.mark.parametrize("recorded", ["github.com/BigCorp/lib@v1.2.3/lib.go",
                                      "/home/ci/go/pkg/mod/github.com/!big!corp/lib@v1.2.3/lib.go"])
def test_dependency_found_in_the_module_cache(fake_go, recorded):
    files = SourceFiles([str(fake_go / "empty")], None)
    assert files.line(recorded, 2) == "func Hot() {}"


def test_without_go_the_go_steps_are_skipped(fake_go):
    files = SourceFiles([str(fake_go / "empty")], None, use_go=False)
    assert files.lines("runtime/proc.go") is None


# ---- HTML --------------------------------------------------------------------------------------------

def _listing(rows, unit="nanoseconds"):
    df = pd.DataFrame(rows, columns=["function", "file", "line", "flat", "cum", "source"])
    df["source"] = df["source"].astype("string")
    df.attrs.update({"unit": unit})
    return df


def test_html_escapes_source_and_names():
    df = _listing([("main.<b>", "a<x>.go", 3, 10, 20, "<script>alert('x')</script> && \"q\"")])
    html = listing_html(df)
    assert "<script>" not in html and "<b>" not in html and "a<x>.go" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;&amp; &quot;q&quot;" in html
    assert "main.&lt;b&gt; in a&lt;x&gt;.go" in html


def test_html_hot_lines_first_costs_with_units_right_aligned():
    df = _listing([
        ("main.f", "f.go", 10, 0, 5_000_000, "cold()"),
        ("main.f", "f.go", 11, 1_500_000_000, 1_500_000_000, "hot()"),
        ("main.f", "f.go", 12, 0, 0, pd.NA),
        ("main.g", "g.go", 1, 0, 2_000_000_000, "hotter()"),
    ])
    html = listing_html(df)
    assert html.index("main.g in g.go") < html.index("main.f in f.go")  # hottest function first
    assert html.index("hot()") < html.index("cold()")  # hottest line first
    assert '<td class="n">1.50s</td>' in html and '<td class="n">5ms</td>' in html
    assert ".gl-list td.n,.gl-list th.n{text-align:right}" in html
    assert html.count("<tr style=") == 4
    in_order = listing_html(df, hot_first=False, max_lines=1)
    assert "cold()" in in_order and "hot()" not in in_order


def test_format_cost_is_pprofs_scaled_label():
    assert format_cost(0, "nanoseconds") == "."
    assert format_cost(1_500_000_000, "nanoseconds") == "1.50s"
    assert format_cost(64 * 1024 * 1024, "bytes") == "64MB"
    assert format_cost(7, "count") == "7"
