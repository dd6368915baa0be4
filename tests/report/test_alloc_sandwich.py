"""The allocation report's sandwich section: the top functions' sandwiches (flat and cum as
``Profile.peek``, the same functions as the top table), one figure switching between them with a
dropdown, every profile string escaped; the exported report holds the section."""
from __future__ import annotations

import html
import json
import re

import pytest

import pprof_parse
from gopherlab import report
from gopherlab.reports import allocations as alloc
from pprof_parse.errors import OptionError
from pprof_parse.present.sandwich_figure import sandwiches_figure
from report.evil_profile import EVIL_FUNC, EVIL_PKG, write_evil_profile

pytestmark = pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")


@pytest.fixture(scope="module")
def bundled():
    return pprof_parse.read_profile(alloc.allocation_inputs("", "")[0])


@pytest.mark.parametrize("sample", ["alloc_space", "inuse_objects"])
def test_top_sandwiches_are_the_top_functions_with_peek_numbers(bundled, sample):
    sws = alloc.top_sandwiches(bundled, sample, functions=3)
    top = bundled.top(sample)
    expected = [n for n, f in zip(top["name"], top["flat"]) if f != 0][:3]
    assert [sw.name for sw in sws] == expected and len(sws) == 3
    for sw in sws:
        peek = bundled.peek("^" + re.escape(sw.name) + "$", sample)
        me = peek[peek["relation"] == "self"].iloc[0]
        assert (sw.flat, sw.cum) == (me["flat"], me["cum"])
        assert sw.callers["total"].iloc[0] == sw.callees["total"].iloc[0] == sw.cum
        assert sw.sample_type == sample


def test_figure_switches_between_functions(bundled):
    sws = alloc.top_sandwiches(bundled, "alloc_space", functions=3)
    fig = sandwiches_figure(sws)
    assert [t.name for t in fig.data] == ["callers", "callees"] * 3
    assert [t.visible for t in fig.data] == [True, True] + [False] * 4
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == [sw.name for sw in sws]
    for i, (b, sw) in enumerate(zip(buttons, sws)):
        visible, layout = b.args
        assert visible["visible"] == [j // 2 == i for j in range(6)]
        assert f"<b>{sw.name}</b>" in layout["title.text"]
        assert [a["text"] for a in layout["annotations"]] == [f"▲ callers of {sw.name}", f"▼ callees of {sw.name}"]
    for trace, tree in zip(fig.data, [t for sw in sws for t in (sw.callers, sw.callees)]):
        assert list(trace.values) == list(tree["total"].abs())
    assert f"<b>{sws[0].name}</b>" in fig.layout.title.text
    assert not sandwiches_figure(sws[:1]).layout.updatemenus  # one function: no dropdown


def test_escapes_hostile_names_and_refuses_bad_input(tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    sws = alloc.top_sandwiches(prof, "alloc_space", functions=5, max_nodes=None)
    assert EVIL_PKG in {sw.name for sw in sws}
    fig = sandwiches_figure(sws)
    shown = [fig.layout.title.text, *(a.text for a in fig.layout.annotations)]
    for b in fig.layout.updatemenus[0].buttons:
        shown += [b.label, b.args[1]["title.text"], *(a["text"] for a in b.args[1]["annotations"])]
    for trace in fig.data:
        shown += [*trace.labels, *trace.customdata]
    assert any("&lt;svg" in t for t in shown) and any(html.escape(EVIL_FUNC, quote=True) in t for t in shown)
    for text in shown:
        assert "<img" not in text and "<svg" not in text and "<script" not in text
    with pytest.raises(OptionError, match="at least one"):
        sandwiches_figure([])
    with pytest.raises(OptionError, match="takes Sandwich"):
        sandwiches_figure([sws[0].callers])


def test_no_costing_function_gives_no_sandwich(bundled):
    assert alloc.top_sandwiches(bundled, "alloc_space", functions=0) == []


@pytest.mark.slow
def test_exported_report_has_the_sandwich_section(tmp_path):
    out = tmp_path / "alloc.html"
    res = report.run_report("allocations", {"sandwich_functions": 2}, out)
    assert res.ok, res.error
    page = out.read_text(encoding="utf-8")
    start = page.index(">Callers and callees<")
    section = page[start:page.find("<h2", start)]
    figs = [json.loads(m.group(1)) for m in
            re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\])\s*,\s*\{', section, re.S)]
    assert len(figs) == 1
    assert [(t["type"], t["name"]) for t in figs[0]] == [("icicle", "callers"), ("icicle", "callees")] * 2
    assert figs[0][0]["labels"][0] == "main.allocLarge"  # the top function by flat, at both roots
    assert figs[0][1]["labels"][0] == "main.allocLarge"
