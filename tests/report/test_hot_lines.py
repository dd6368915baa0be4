"""The allocation report's hot lines (:func:`gopherlab.reports.allocations.hot_lines`): the source
lines of the top functions by flat, with ``go tool pprof -list``'s numbers, and a note -- never an
error -- when a source file is not found."""
from __future__ import annotations

import os
import re
from html import escape as html_escape
from pathlib import Path

import pytest

import pprof_parse
from gopherlab.reports import allocations as alloc
from gopherlab.reports.bundled import sample_path
from pprof_parse.present.source_files import go_env
from pprof_oracle import pprof

from evil_profile import EVIL_STRINGS, write_evil_profile

REPO = Path(__file__).resolve().parents[2]
WORKLOAD = REPO / "examples" / "workload"
LINE = re.compile(r"^\s*(\.|-?\d+)B?\s+(\.|-?\d+)B?\s+(\d+):")
ROUTINE = re.compile(r"^ROUTINE =+ (.*) in ")


@pytest.fixture(scope="module")
def prof():
    return pprof_parse.read_profile(sample_path("profiles/allocs.pb.gz"))


def _pprof_lines(path, regex: str, sample_index: str, source_path: str) -> list[tuple]:
    """``(function, line, flat, cum)`` of every nonzero line of ``go tool pprof -list`` (exact values)."""
    rows, fn = [], None
    for text in pprof(f"-list={regex}", "-unit=B", f"-sample_index={sample_index}", f"-source_path={source_path}",
                      str(path)).splitlines():
        assert not text.startswith(" Error:"), text  # pprof found every file: it prints every line
        if m := ROUTINE.match(text):
            fn = m.group(1)
        elif m := LINE.match(text):
            flat, cum = (0 if v == "." else int(v) for v in m.group(1, 2))
            if flat or cum:
                rows.append((fn, int(m.group(3)), flat, cum))
    return rows


def test_top_functions_by_flat(prof):
    df = alloc.hot_lines(prof, "alloc_space", functions=3)
    top = prof.top("alloc_space")
    assert df.attrs["ranked"] == list(top["name"][:3])
    assert set(df["function"]) == set(df.attrs["ranked"])
    # the rows of each function are Profile.list's for that function alone
    for name in df.attrs["ranked"]:
        one = prof.list("^" + re.escape(name) + "$", sample_index="alloc_space")
        mine = df[df["function"] == name]
        assert mine[["line", "flat", "cum"]].values.tolist() == one[["line", "flat", "cum"]].values.tolist()
    assert df["flat"].sum() == top["flat"][:3].sum()  # every flat byte of those functions is on a line


@pytest.mark.go
def test_lines_equal_go_tool_pprof_list(prof):
    goroot = go_env().get("GOROOT")
    search = os.pathsep.join([str(WORKLOAD)] + ([os.path.join(goroot, "src")] if goroot else []))
    df = alloc.hot_lines(prof, "alloc_objects", functions=5, source_path=search)
    regex = "^(?:" + "|".join(re.escape(n) for n in df.attrs["ranked"]) + ")$"  # Go's RE2 takes the escapes too
    want = _pprof_lines(sample_path("profiles/allocs.pb.gz"), regex, "alloc_objects", search)
    got = [(r.function, int(r.line), int(r.flat), int(r.cum)) for r in df.itertuples()]
    assert want and got == want


def test_found_sources_show_their_text(prof):
    df = alloc.hot_lines(prof, "alloc_space", functions=2, source_path=str(WORKLOAD))
    assert df.attrs["missing_sources"] == []
    row = df[(df["function"] == "main.allocLarge")].iloc[0]
    src = (WORKLOAD / "main.go").read_text().splitlines()[int(row["line"]) - 1]
    assert row["source"] == src
    html = alloc.hot_lines_html(df)
    assert "Source not found" not in html
    assert f'<td class="src">{html_escape(src)}</td>' in html  # the hot line's text, escaped


def test_missing_source_is_a_note_not_an_error(prof, tmp_path):
    df = alloc.hot_lines(prof, "alloc_space", functions=2, source_path=str(tmp_path))
    assert df.attrs["missing_sources"] == ["example.com/gopherlab/workload/main.go"]
    assert len(df) and df["source"].isna().all()  # the costs stay, without text
    html = alloc.hot_lines_html(df)
    assert "Source not found for example.com/gopherlab/workload/main.go" in html
    assert "main.allocLarge" in html and '<td class="n">' in html  # the rows are there


def test_hot_lines_first_and_capped(prof):
    df = alloc.hot_lines(prof, "alloc_space", functions=5, source_path=str(WORKLOAD))
    html = alloc.hot_lines_html(df, max_lines=1)
    tables = html.split('<table class="gl-list">')[1:]
    assert len(tables) == len(df.groupby(["function", "file"]))
    for t in tables:
        assert t.count('<tr style=') == 1  # one line each: the function's costliest
    # the first table is the function with the largest cum
    assert tables[0].startswith("<caption>main.allocLarge ")


def test_no_costing_function(prof):
    df = alloc.hot_lines(prof, "alloc_space", functions=0)
    assert df.empty and df.attrs["ranked"] == []
    assert "no lines to list" in alloc.hot_lines_html(df)


def test_profile_strings_are_escaped(tmp_path):
    evil = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    html = alloc.hot_lines_html(alloc.hot_lines(evil, "alloc_space", source_path=str(tmp_path)))
    for s in EVIL_STRINGS[:3]:
        assert s not in html
    assert "&lt;img src=x onerror=" in html and "Source not found for &lt;script&gt;" in html
