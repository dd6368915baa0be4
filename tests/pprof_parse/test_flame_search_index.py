"""Flame graph search: the index's matched total equals Profile.top(focus=...)'s on real profiles,
whatever the pruning; the index is refused for a tree of another profile; the JupyterLab widget's
callback; the page script handed to plotly."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

import pprof_parse
from pprof_parse.errors import OptionError
from pprof_parse.figures import call_tree, flame_figure, flame_views_figure, format_value
from pprof_parse.present import flame_search
from pprof_parse.present.flame_index import META_KEY, embeddable, matched_total, search_index, search_matches
from pprof_parse.proto import profile_pb2
from pprof_oracle import pprof_top

pytestmark = pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")

#: Regexes a user would type: functions, packages, files, the mapping (binary) name, nothing.
REGEXES = ["json", "main", "^main\\.", "runtime\\.mallocgc", "(?i)JSON", "bytes|strings", "\\.go$", "/src/",
           "workload", "sync", "pprof", "x^", "encoding/json\\.", "gc", "[[:upper:]]", "func[0-9]+$"]


def focus_total(prof, sample_type, regex, **kw) -> int:
    return int(prof.top(sample_type, focus=regex, **kw)["flat"].sum())


@pytest.fixture(scope="module")
def workload(workload_profiles):
    return {k: pprof_parse.read_profile(workload_profiles / f"{k}.pb.gz") for k in ("cpu", "allocs", "heap")}


@pytest.mark.parametrize("kind,sample_type", [("cpu", "cpu"), ("allocs", "alloc_space"), ("allocs", "alloc_objects"),
                                              ("heap", "inuse_space")])
@pytest.mark.parametrize("max_nodes", [3000, 40, 4])
def test_matched_total_equals_focus_total(workload, kind, sample_type, max_nodes):
    prof = workload[kind]
    tree = call_tree(prof, sample_type, max_nodes=max_nodes)
    index = search_index(prof, tree)
    assert index["sample_type"] == sample_type and index["report_total"] == prof.total(sample_type)
    if max_nodes == 4:
        assert any(index["is_other"]) and index["group_row"]  # the pruned remainder is in the groups
    for regex in REGEXES:
        assert matched_total(index, regex) == focus_total(prof, sample_type, regex), regex


@pytest.mark.parametrize("opts", [dict(granularity="lines"), dict(granularity="filefunctions"),
                                  dict(noinlines=True), dict(min_fraction=0.0, max_nodes=None),
                                  dict(tagroot="phase")])
def test_matched_total_other_tree_options(workload, opts):
    prof = workload["cpu"]
    tree = call_tree(prof, "cpu", **opts)
    index = search_index(prof, tree, noinlines=opts.get("noinlines"), tagroot=opts.get("tagroot"))
    for regex in REGEXES + ["cpu", "alloc"]:  # label values are frames with tagroot
        assert matched_total(index, regex) == focus_total(prof, "cpu", regex, tagroot=opts.get("tagroot")), regex


@pytest.mark.parametrize("opts", [dict(noinlines=True), dict(tagroot="phase", granularity="lines")])
def test_flame_search_figure_builds_tree_and_index_with_the_same_options(workload, opts):
    prof = workload["cpu"]
    fig = flame_search.flame_search_figure(prof, "cpu", max_nodes=20, **opts)
    index = fig.data[0].meta[META_KEY]
    assert len(index["total"]) == len(fig.data[0].ids)
    for regex in ("json", "main\\.", "cpu", "runtime"):
        assert matched_total(index, regex) == focus_total(prof, "cpu", regex, tagroot=opts.get("tagroot")), regex


def write_tricky_profile(path):
    """A profile whose flame tree draws alike frames that a regex tells apart: ``dup`` is one
    function name in two files (one drawn row, frames with different texts), and two libraries
    without symbols, ``/a/lib.so`` and ``/b/lib.so``, are both drawn ``[lib.so]`` under ``main``."""
    p = profile_pb2.Profile()
    strings = [""]

    def s(x: str) -> int:
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    st = p.sample_type.add()
    st.type, st.unit = s("samples"), s("count")
    for i, file in enumerate(["/bin/prog", "/a/lib.so", "/b/lib.so"], start=1):
        m = p.mapping.add()
        m.id, m.filename, m.memory_start, m.memory_limit = i, s(file), 0x10000 * i, 0x10000 * i + 0xffff
    for i, (name, file) in enumerate([("main.main", "main.go"), ("main.dup", "x/a.go"), ("main.dup", "y/b.go")], 1):
        f = p.function.add()
        f.id, f.name, f.system_name, f.filename = i, s(name), s(name), s(file)
    for i, (mapping, fn) in enumerate([(1, 1), (1, 2), (1, 3), (2, 0), (3, 0)], start=1):
        loc = p.location.add()
        loc.id, loc.mapping_id, loc.address = i, mapping, 0x10000 * mapping + 16 * i
        if fn:
            ln = loc.line.add()
            ln.function_id, ln.line = fn, 10 * i
    for stack, v, kind in (([2, 1], 10, "other"), ([3, 1], 20, "x"), ([4, 1], 40, "other"), ([5, 1], 80, "y"),
                           ([4, 2, 1], 160, "x")):
        smp = p.sample.add()
        smp.location_id.extend(stack)
        smp.value.append(v)
        lab = smp.label.add()
        lab.key, lab.str = s("kind"), s(kind)  # "other": a real frame named like the merged ones, with tagroot
    p.string_table.extend(strings)
    path.write_bytes(gzip.compress(p.SerializeToString()))
    return path


@pytest.mark.parametrize("max_nodes", [None, 3])
def test_alike_frames_told_apart_by_the_regex(tmp_path, go, max_nodes):
    path = write_tricky_profile(tmp_path / "tricky.pb.gz")
    prof = pprof_parse.read_profile(path)
    tree = call_tree(prof, min_fraction=0.0, max_nodes=max_nodes)
    index = search_index(prof, tree)
    if max_nodes is None:
        assert sorted(tree["name"]) == ["[lib.so]", "[lib.so]", "[lib.so]", "main.dup", "main.main", "root"]
        assert len(index["mixed"]) == 1  # main.dup: frames from two files
    for regex, want in (("a\\.go", 170), ("b\\.go", 20), ("^/a/", 200), ("/b/", 80), ("lib", 280), ("dup", 190),
                        ("main", 310), ("prog", 310), ("x^", 0)):
        if max_nodes is None:  # what go tool pprof -focus keeps
            assert sum(r["flat"] for r in pprof_top(path, f"-focus={regex}").rows) == want, regex
        assert focus_total(prof, "samples", regex) == want, regex
        assert matched_total(index, regex) == want, regex


@pytest.mark.parametrize("max_nodes", [None, 6, 3])
def test_a_label_frame_named_other(tmp_path, max_nodes):
    prof = pprof_parse.read_profile(write_tricky_profile(tmp_path / "tricky.pb.gz"))
    tree = call_tree(prof, min_fraction=0.0, max_nodes=max_nodes, tagroot="kind")
    index = search_index(prof, tree, tagroot="kind")
    for regex in ("^other$", "^x$", "y", "a\\.go", "/a/", "dup", "lib"):
        assert matched_total(index, regex) == focus_total(prof, "samples", regex, tagroot="kind"), regex


def test_highlighted_rows_are_the_matching_frames(workload):
    prof = workload["allocs"]
    tree = call_tree(prof, "alloc_space", max_nodes=30)
    m = search_matches(search_index(prof, tree), "json")
    named = tree["name"].str.contains("json").to_numpy()
    drawn = ~(tree["name"].isin(["other", "root"]).to_numpy())
    assert (m["rows"][drawn] == named[drawn]).all()  # a function frame: by its name (file names hold no "json" here)
    assert m["exact"] and m["low"] == m["value"] == m["high"]
    assert m["percent"] == pytest.approx(abs(m["value"]) / prof.total("alloc_space") * 100)


def test_budget_merges_groups_and_gives_bounds(workload):
    prof = workload["cpu"]
    tree = call_tree(prof, "cpu", max_nodes=4)
    full = search_index(prof, tree)
    small = search_index(prof, tree, budget=5)
    assert small["coarse_row"] and len(small["group_ids"]) <= 5
    resolved = 0
    for regex in REGEXES:
        want = focus_total(prof, "cpu", regex)
        m = search_matches(small, regex)
        assert m["low"] <= want <= m["high"], regex
        if m["exact"]:
            resolved += 1
            assert m["value"] == want, regex
        else:
            with pytest.raises(OptionError, match="between"):
                matched_total(small, regex)
        assert matched_total(full, regex) == want
    assert resolved >= 2  # "x^" and the root-level names resolve without the merged groups


def test_index_refuses_a_tree_of_another_profile(workload):
    prof = workload["allocs"]
    tree = call_tree(prof, "alloc_space")
    with pytest.raises(OptionError, match="not drawn from this profile"):
        search_index(prof.filter(ignore="json"), tree)
    with pytest.raises(OptionError, match="not drawn from this profile"):
        search_index(workload["cpu"], call_tree(workload["cpu"], "cpu", granularity="lines"), sample_index="cpu",
                     noinlines=True)


def test_invalid_regex_is_pprofs_error(workload):
    index = search_index(workload["cpu"], call_tree(workload["cpu"]))
    with pytest.raises(OptionError, match="parsing focus regexp"):
        matched_total(index, "(?=x)")


def test_figures_carry_the_index_as_json(workload):
    prof = workload["allocs"]
    tree = call_tree(prof, "alloc_space", max_nodes=50)
    fig = flame_figure(tree, search=prof)
    index = fig.data[0].meta[META_KEY]
    assert json.loads(json.dumps(index)) == embeddable(search_index(prof, tree))
    assert flame_figure(tree).data[0].meta is None  # opt-in: no index, no cost
    trees = {t.type: call_tree(prof, t.type, max_nodes=50) for t in prof.sample_types}
    views = flame_views_figure(trees, search=prof)
    assert [t.meta[META_KEY]["sample_type"] for t in views.data] == list(trees)


def test_page_script_is_offline_and_wired_to_the_figure(workload, tmp_path):
    prof = workload["allocs"]
    fig = flame_figure(call_tree(prof, "alloc_space", max_nodes=50), search=prof)
    page = flame_search.flame_html(fig, post_script="window.__after = 1;", full_html=True)
    assert "function gopherlabFlameSearch(gd)" in page and "window.__after = 1;" in page
    assert "{plot_id}" not in page  # plotly put the div's id in
    script = flame_search.script_source()
    for fetcher in ("fetch(", "XMLHttpRequest", "import(", "src=", "http:", "https:"):
        assert fetcher not in script
    assert flame_search.flame_search_script(fig) == flame_search.flame_search_script()
    assert flame_search.flame_search_script(fig.to_dict()) is not None
    plain = flame_figure(call_tree(prof, "alloc_space", max_nodes=50))
    assert flame_search.flame_search_script(plain) is None and flame_search.flame_search_script(plain.to_dict()) is None
    out = tmp_path / "f.html"
    flame_search.write_flame_html(fig, out, include_plotlyjs=True)
    assert "gopherlabFlameSearch(document.getElementById(" in out.read_text()


# ---- the JupyterLab widget -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def widget(workload):
    pytest.importorskip("ipywidgets")
    pytest.importorskip("anywidget")  # plotly's FigureWidget needs it
    prof = workload["allocs"]
    fig = flame_figure(call_tree(prof, "alloc_space", max_nodes=40), search=prof)
    return prof, flame_search.flame_search_widget(prof, fig)


def test_widget_callback_paints_and_shows_the_focus_share(widget):
    prof, box = widget
    text, label, fw = box.children
    text.value = "json"  # the observer runs the callback
    want = focus_total(prof, "alloc_space", "json")
    pct = abs(want) / prof.total("alloc_space") * 100
    assert label.value == f"matched: {format_value(want, 'bytes')} ({pct:.2f}% of total)"
    assert fw.data[0].meta is None  # the index stays in the kernel
    rows = search_matches(box.index, "json")["rows"]
    assert list(fw.data[0].marker.colors) == ["#e6550d" if r else "#e3e3e3" for r in rows]
    assert np.any(rows) and not np.all(rows)
    box.on_search("(?=x)")
    assert "parsing focus regexp" in label.value and "matched" not in label.value
    box.on_search("")
    assert label.value == "" and fw.data[0].marker.colors is None


def test_widget_with_label_frames(workload):
    pytest.importorskip("ipywidgets")
    pytest.importorskip("anywidget")
    prof = workload["cpu"]
    box = flame_search.flame_search_widget(prof, flame_search.flame_search_figure(prof, "cpu", tagroot="phase"))
    phases = [v for v in prof.by_label("phase", sample_index="cpu")["value"].dropna()]
    assert phases
    for regex in [f"^{phases[0]}$", "json"]:
        box.on_search(regex)
        want = focus_total(prof, "cpu", regex, tagroot="phase")
        assert box.children[1].value.startswith(f"matched: {format_value(want, 'nanoseconds')} ("), regex


def test_widget_escapes_the_message(widget):
    prof, box = widget
    box.on_search("<b>(")
    assert "<b>" not in box.children[1].value and "&lt;b&gt;" in box.children[1].value


def test_widget_needs_an_index(workload):
    pytest.importorskip("ipywidgets")
    pytest.importorskip("anywidget")
    prof = workload["cpu"]
    with pytest.raises(OptionError, match="no search index"):
        flame_search.flame_search_widget(prof, flame_figure(call_tree(prof)))


def test_figure_index_holds_no_raw_profile_string(tmp_path):
    """Profile strings in the figure's index are HTML-escaped like every other string a figure holds,
    and a regex over the raw names still finds what Profile.top(focus=) keeps."""
    import re
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
    from evil_profile import EVIL_FILE, EVIL_FUNC, EVIL_STRINGS, write_evil_profile

    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    si = prof.sample_types[0].type
    fig = flame_figure(call_tree(prof, si, max_nodes=50), search=prof)
    index = fig.data[0].meta[META_KEY]
    blob = json.dumps(index)
    assert not [s for s in EVIL_STRINGS if s in blob]
    for raw in (EVIL_FUNC, EVIL_FILE):
        regex = re.escape(raw).replace("\\=", "=")
        assert matched_total(index, regex) == focus_total(prof, si, regex) != 0, raw
