"""The bench report's table reads as benchstat's (issue 13, section 2): cells scaled per row
without repeating the unit column, geomean with both old and new, no bare "?". Checked against
``benchstat old=OLD new=NEW`` text (gobench's byte-identical port) on the bundled runs of the
repo's Go benchmarks."""
from __future__ import annotations

import re
import warnings

from gopherlab.reports import bench
from gopherlab.reports.bundled import sample_path
from gobench.compare import run_benchstat


def _benchstat_sections():
    old, new = sample_path("bench/old.txt"), sample_path("bench/new.txt")
    text, _ = run_benchstat([f"old={old}", f"new={new}"])
    sections = {}
    for block in text.split("\n\n"):
        lines = block.splitlines()
        hdr = [ln for ln in lines if ln.lstrip().startswith("│") and "vs base" in ln]
        if not hdr:
            continue
        unit = hdr[0].split("│")[1].strip()
        rows = {}
        for ln in lines:
            m = re.match(r"^(\S+)\s+(.*)$", ln)
            if m and "│" not in ln and not ln.startswith(("¹", "²", "³", "goos", "goarch", "pkg", "cpu")):
                rows[m.group(1)] = re.sub(r"\s+", " ", m.group(2)).strip()
        sections[unit] = rows
    return old, new, sections


def test_bench_table_matches_benchstat_cells():
    old, new, sections = _benchstat_sections()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table, rows = bench.compare(old, new)
    df = bench.table_frame(rows, table)
    assert list(df.columns) == ["benchmark", "unit", "old", "new", "delta", "p / n", "verdict"]
    checked = 0
    for r in df.itertuples():
        line = sections[r.unit][r.benchmark]
        for cell in (r.old, r.new):
            assert r.unit not in cell and "?" not in cell, (r.benchmark, r.unit, cell)
            if cell:
                assert re.sub(r"\s+", " ", cell) in line, (r.benchmark, r.unit, cell, line)
                checked += 1
        assert r.delta in line
    assert checked > 20
    geo = df[df["benchmark"] == "geomean"].set_index("unit")
    assert geo.loc["sec/op", "old"] == "28.57µ" and geo.loc["sec/op", "new"] == "7.941µ"
    assert geo.loc["sec/op", "delta"] == "-72.20%"
    # benchstat prints no geomean of summaries <= 0, with a footnote, and still the delta
    assert geo.loc["B/op", "old"] == "" and geo.loc["B/op", "new"] == ""
    assert geo.loc["B/op", "delta"] == "-75.35%"
    assert "summaries must be >0 to compute geomean" in geo.loc["B/op", "p / n"]
