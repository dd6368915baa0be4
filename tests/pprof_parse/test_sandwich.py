"""The sandwich view: split rules on hand-made stacks, first levels against ``go tool pprof -peek``
on the workload's profiles and on hand-made ones, the fast and reference engines equal, the figure."""

from __future__ import annotations

import gzip
import html

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from gopherlab_common.engine import reference_engine
from pprof_parse.analyze.goregex import compile_regex
from pprof_parse.errors import OptionError
from pprof_parse.present.sandwich import Sandwich, SandwichIndex, sandwich_of
from pprof_parse.present.sandwich_figure import sandwich_figure
from pprof_parse.present.top import report_total
from pprof_parse.proto import profile_pb2
from report.evil_profile import EVIL_FUNC, EVIL_PKG, write_evil_profile
from test_views_differential import pprof_peek

pytestmark = pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")

#: hand-made CPU stacks, root first: direct recursion, X outermost, X as the leaf, re-entry through f
STACKS = [
    ("main;a;X;b;c", 10),
    ("main;X;X;X;d", 5),
    ("main;X", 3),
    ("X;e", 2),
    ("main;a;X;f;X;g", 7),
    ("main;b", 4),
    ("main;a;X;b", 0),  # no value: left out, as pprof's graph leaves it
    ("", 6),  # an empty stack: in the report total only
]


def write_stacks(path, stacks, *, inline: dict | None = None):
    """A gzipped CPU profile (samples/count, cpu/nanoseconds) of ``"root;...;leaf"`` stacks, one
    function and one location per name; ``inline`` maps a name to the name of a function inlined
    into it at the same location (then that location has two lines)."""
    p = profile_pb2.Profile()
    strings = [""]

    def s(x):
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    for t, u in (("samples", "count"), ("cpu", "nanoseconds")):
        vt = p.sample_type.add()
        vt.type, vt.unit = s(t), s(u)
    inline = inline or {}
    names = sorted({n for st, _ in stacks for n in st.split(";") if n} | set(inline.values()))
    fid = {n: i for i, n in enumerate(names, start=1)}
    for n in names:
        f = p.function.add()
        f.id, f.name, f.system_name, f.filename = fid[n], s(n), s(n), s("main.go")
    for n in names:
        loc = p.location.add()
        loc.id, loc.address = fid[n], 0x1000 * fid[n]
        if n in inline:  # innermost first: the inlined function, then the physical caller
            ln = loc.line.add()
            ln.function_id, ln.line = fid[inline[n]], 7
        ln = loc.line.add()
        ln.function_id, ln.line = fid[n], 3
    for st, v in stacks:
        smp = p.sample.add()
        smp.location_id.extend(fid[n] for n in reversed(st.split(";")) if n)
        smp.value.extend([1 if v else 0, v])
    p.period_type.type, p.period_type.unit = s("cpu"), s("nanoseconds")
    p.period = 1
    p.string_table.extend(strings)
    path.write_bytes(gzip.compress(p.SerializeToString()))
    return path


def paths(tree: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """``"root;child;..." -> (total, self)`` for every row of a tree frame."""
    name = dict(zip(tree["id"], tree["name"]))
    parent = dict(zip(tree["id"], tree["parent"]))
    out = {}
    for i, t, s in zip(tree["id"], tree["total"], tree["self"]):
        p, parts = i, []
        while p >= 0:
            parts.append(name[p])
            p = parent[p]
        out[";".join(reversed(parts))] = (int(t), int(s))
    return out


def first_level(tree: pd.DataFrame) -> dict[str, int]:
    rows = tree[tree["depth"] == 1]
    return dict(zip(rows["name"], rows["total"].astype(int)))


def unpruned(prof, regex, **kw) -> Sandwich:
    si = prof.sample_index(kw.pop("sample_index", None))
    return sandwich_of(prof.data, compile_regex("sandwich", regex), si, total=report_total(prof.data, si),
                       min_fraction=0, max_nodes=None, **kw)


# ---- the split rules ---------------------------------------------------------------------------


@pytest.mark.usefixtures("engine")
def test_split_at_the_outermost_call(tmp_path):
    prof = pprof_parse.read_profile(write_stacks(tmp_path / "s.pb.gz", STACKS))
    sw = unpruned(prof, "^X$")
    assert (sw.name, sw.flat, sw.cum) == ("X", 3, 27)
    assert paths(sw.callers) == {
        "X": (27, 2),                      # "X;e": X is outermost, no caller
        "X;a": (17, 0), "X;a;main": (17, 17),
        "X;main": (8, 8),                  # the direct recursion counts once
    }
    assert paths(sw.callees) == {
        "X": (27, 3),                      # "main;X": X's own time
        "X;b": (10, 0), "X;b;c": (10, 10),
        "X;d": (5, 5),                     # below the whole run X;X;X
        "X;e": (2, 2),
        "X;f": (7, 0), "X;f;X": (7, 0), "X;f;X;g": (7, 7),  # the inner call stays inside
    }
    assert sw.callers.attrs["relation"] == "callers" and sw.callees.attrs["focus"] == "X"
    assert sw.callers.attrs["total"] == sw.total == 37


def tree_is_consistent(tree: pd.DataFrame) -> bool:
    """total = self + Σ children's totals on every row."""
    child_sum = tree.groupby("parent")["total"].sum()
    expect = tree["self"] + tree["id"].map(child_sum).fillna(0).astype(np.int64)
    return bool((expect == tree["total"]).all())


@pytest.mark.go
def test_first_level_is_peek_except_for_reentry(tmp_path):
    """pprof's -peek counts every X->callee edge of a sample; the sandwich splits once, at the
    outermost call: equal without the re-entering stack; with it, its inner edges f->X and X->g
    are not first-level rows (they are drawn deeper: callees X;f;X;g)."""
    path = write_stacks(tmp_path / "s.pb.gz", STACKS)
    ref = pprof_peek(path, "^X$", "nanoseconds", "-nodefraction=0")
    want = {rel: {r[2]: r[3] for r in ref if r[1] == rel} for rel in ("caller", "callee")}
    sw = unpruned(pprof_parse.read_profile(path), "^X$")
    assert want == {"caller": {"a": 17, "main": 8, "f": 7}, "callee": {"b": 10, "d": 5, "e": 2, "f": 7, "g": 7}}
    assert first_level(sw.callers) == {k: v for k, v in want["caller"].items() if k != "f"}
    assert first_level(sw.callees) == {k: v for k, v in want["callee"].items() if k != "g"}
    assert tree_is_consistent(sw.callers) and tree_is_consistent(sw.callees)

    plain = write_stacks(tmp_path / "p.pb.gz", [s for s in STACKS if "f;X" not in s[0]])
    ref = pprof_peek(plain, "^X$", "nanoseconds", "-nodefraction=0")
    sw = unpruned(pprof_parse.read_profile(plain), "^X$")
    assert first_level(sw.callers) == {r[2]: r[3] for r in ref if r[1] == "caller"}
    assert first_level(sw.callees) == {r[2]: r[3] for r in ref if r[1] == "callee"}


@pytest.mark.go
def test_inlined_calls_are_frames(tmp_path):
    """An inlined callee is a frame of its own, below the function it is inlined into (pprof's nodes)."""
    path = write_stacks(tmp_path / "i.pb.gz", [("main;X;b", 6), ("main;X", 2), ("main;c", 1)], inline={"X": "h"})
    sw = unpruned(pprof_parse.read_profile(path), "^X$")
    ref = pprof_peek(path, "^X$", "nanoseconds", "-nodefraction=0")
    assert first_level(sw.callees) == {r[2]: r[3] for r in ref if r[1] == "callee"} == {"h": 8}
    assert paths(sw.callees) == {"X": (8, 0), "X;h": (8, 2), "X;h;b": (6, 6)}


# ---- against go tool pprof -peek on the workload's profiles ------------------------------------

WORKLOAD_CASES = [
    # (profile, what, options): a leaf, mid-stack functions, direct recursion, several matches
    ("cpu", "leaf", {}),
    ("cpu", "main\\.cpuPhase$", {}),
    ("cpu", "recursive", {}),
    ("cpu", "main\\.", {}),
    ("cpu", "runtime\\.mallocgc", {}),
    ("heap", "recursive", {"sample_index": "alloc_space"}),
    ("heap", "json|main\\.alloc", {"sample_index": "alloc_space"}),
    ("block", "sync|chan", {}),
]


def reentering(prof, si, **opts) -> set[str]:
    """Names some sample calls again through another function (from ``traces``, not our split)."""
    out = set()
    for _, frames in prof.traces(si, **opts).groupby("trace", sort=False)["name"]:
        names = list(frames)
        runs = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
        out.update(n for n in set(runs) if runs.count(n) > 1)
    return out


def go_quote(name: str) -> str:
    """A Go regexp matching ``name`` literally, anchored."""
    return "^" + "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in name) + "$"


def pick(prof, si, what: str) -> str:
    """The regex of a case: ``leaf`` (the largest flat of a node that calls nothing), ``recursive``
    (the node the most samples call directly from itself), or the regex as given."""
    if what == "leaf":
        top = prof.top(si)
        return go_quote(top.loc[(top.flat == top.cum) & (top.flat != 0), "name"].iloc[0])
    if what == "recursive":
        tr = prof.traces(si)
        same = tr["name"].to_numpy()[1:] == tr["name"].to_numpy()[:-1]
        same &= tr["trace"].to_numpy()[1:] == tr["trace"].to_numpy()[:-1]
        names = pd.Series(tr["name"].to_numpy()[1:][same])
        if names.empty:
            pytest.skip("no directly recursive function was sampled in this workload run")
        return go_quote(names.value_counts().index[0])
    return what


@pytest.mark.go
@pytest.mark.parametrize("kind,what,opts", WORKLOAD_CASES, ids=lambda x: x if isinstance(x, str) else "")
def test_first_level_equals_pprof_peek(workload_profiles, kind, what, opts):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(opts.get("sample_index"))
    regex = pick(prof, si, what)
    flags = ["-nodefraction=0"] + ([f"-sample_index={opts['sample_index']}"] if "sample_index" in opts else [])
    ref = pprof_peek(path, regex, prof.sample_types[si].unit, *flags)
    peek = prof.peek(regex, si)
    index = SandwichIndex(prof.data, si, total=report_total(prof.data, si))
    matched = index.matching(compile_regex("sandwich", regex))
    names = [str(index.names[i]) for i in matched]
    reentry = reentering(prof, si)
    compared = 0
    assert names == list(peek.loc[peek.relation == "self", "node"])  # the same nodes, in -peek's order
    assert sorted(names) == sorted(r[0] for r in ref if r[1] == "self")
    for node, name in zip(matched, names):
        sw = index.sandwich(int(node), min_fraction=0, max_nodes=None)
        mine = [r for r in ref if r[0] == name]
        self_row = next(r for r in mine if r[1] == "self")
        assert (sw.flat, sw.cum) == (self_row[6], self_row[9])
        assert sw.callers["total"].iloc[0] == sw.callees["total"].iloc[0] == sw.cum
        assert tree_is_consistent(sw.callers) and tree_is_consistent(sw.callees)
        if name in reentry:  # the documented exception (see test_first_level_is_peek_except_for_reentry)
            continue
        for relation, tree in (("caller", sw.callers), ("callee", sw.callees)):
            want = {r[2]: r[3] for r in mine if r[1] == relation}
            assert first_level(tree) == want, (name, relation)
            ours = peek[(peek.node == name) & (peek.relation == relation)]
            assert want == dict(zip(ours["name"], ours["weight"].astype(int)))
        compared += 1
    assert compared  # some node of every case is compared edge by edge


@pytest.mark.go
def test_direct_recursion_is_one_call(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    regex = pick(prof, None, "recursive")
    sw = unpruned(prof, regex)
    assert sw.name not in set(sw.callees["name"].iloc[1:]) and sw.name not in set(sw.callers["name"].iloc[1:])
    assert len(unpruned(prof, "main\\.").matches) > 1


# ---- engines, pruning, options, errors ---------------------------------------------------------


@pytest.mark.go
@pytest.mark.parametrize("kind,regex,si,prune", [
    ("cpu", "runtime\\.mallocgc$", None, {"min_fraction": 0, "max_nodes": None}),
    ("cpu", "main\\.cpuPhase$", None, {}),
    ("cpu", "main\\.buildTree$", None, {"min_fraction": 0.001, "max_nodes": 40}),
    ("heap", "main\\.", "alloc_space", {}),
])
def test_fast_and_reference_engines_agree(workload_profiles, monkeypatch, kind, regex, si, prune):
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    s = prof.sample_index(si)
    out = {}
    for engine in ("fast", "reference"):
        monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
        assert reference_engine() == (engine == "reference")
        out[engine] = sandwich_of(prof.data, compile_regex("sandwich", regex), s, total=report_total(prof.data, s),
                                  **prune)
    a, b = out["fast"], out["reference"]
    pd.testing.assert_frame_equal(a.callers, b.callers)
    pd.testing.assert_frame_equal(a.callees, b.callees)
    assert (a.name, a.flat, a.cum, a.matches) == (b.name, b.flat, b.cum, b.matches)
    if prune.get("max_nodes"):
        assert len(a.callers) <= prune["max_nodes"] and len(a.callees) <= prune["max_nodes"]


@pytest.mark.go
def test_pruning_keeps_totals(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    s = prof.sample_index()
    sw = sandwich_of(prof.data, compile_regex("sandwich", "main\\.cpuPhase$"), s, total=report_total(prof.data, s),
                     min_fraction=0.05)
    full = unpruned(prof, "main\\.cpuPhase$")
    for small, big in ((sw.callees, full.callees), (sw.callers, full.callers)):
        assert len(small) <= len(big)
        assert tree_is_consistent(small)
        kept = small[small["name"] != "other"]
        assert ((kept["total"].abs() >= 0.05 * sw.cum) | (kept["depth"] == 0)).all()
        assert small["total"].iloc[0] == big["total"].iloc[0] == sw.cum


@pytest.mark.go
@pytest.mark.parametrize("granularity", ["lines", "filefunctions"])
def test_granularity_first_level_equals_peek(workload_profiles, granularity):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    sw = unpruned(prof, "main\\.spin", granularity=granularity)
    peek = prof.peek("main\\.spin", granularity=granularity)
    block = peek[peek.node == sw.name]
    assert (sw.flat, sw.cum) == tuple(int(x) for x in block.loc[block.relation == "self", ["flat", "cum"]].iloc[0])
    if sw.name not in reentering(prof, None, granularity=granularity):
        want = block[block.relation == "callee"]
        assert first_level(sw.callees) == dict(zip(want["name"], want["weight"].astype(int)))


def test_errors(tmp_path):
    prof = pprof_parse.read_profile(write_stacks(tmp_path / "s.pb.gz", STACKS))
    si = prof.sample_index()
    with pytest.raises(OptionError, match="no matches found for regexp: nothing"):
        sandwich_of(prof.data, compile_regex("sandwich", "nothing"), si, total=1)
    with pytest.raises(OptionError, match="parsing sandwich regexp"):
        compile_regex("sandwich", "(?=x)")
    with pytest.raises(OptionError, match="granularity"):
        sandwich_of(prof.data, compile_regex("sandwich", "X"), si, total=1, granularity="bogus")
    with pytest.raises(OptionError, match="max_nodes"):
        sandwich_of(prof.data, compile_regex("sandwich", "X"), si, total=1, max_nodes=1)
    index = SandwichIndex(prof.data, si, total=1)
    with pytest.raises(OptionError, match="no node named"):
        index.named("main;a")


# ---- the figure --------------------------------------------------------------------------------


def test_figure_draws_callers_above_callees_below(tmp_path):
    prof = pprof_parse.read_profile(write_stacks(tmp_path / "s.pb.gz", STACKS))
    sw = unpruned(prof, "^X$")
    fig = sandwich_figure(sw)
    up, down = fig.data
    assert (up.type, down.type) == ("icicle", "icicle")
    assert up.tiling.flip == "y" and not down.tiling.flip  # callers inverted: root at the bottom
    assert min(up.domain.y) > max(down.domain.y)
    assert list(up.values) == list(sw.callers["total"]) and list(down.values) == list(sw.callees["total"])
    assert up.labels[0] == down.labels[0] == "X"
    assert "flat 3 ns (8.11%)" in fig.layout.title.text and "cum 27 ns (72.97%)" in fig.layout.title.text
    assert "100.00%" in down.customdata[0]  # shares of the function's cum
    assert "37.04%" in next(h for h in down.customdata if h.startswith("<b>b</b>"))  # 10 of 27: -peek's calls%


def test_figure_escapes_hostile_names(tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    si = prof.sample_index("alloc_space")
    sw = sandwich_of(prof.data, compile_regex("sandwich", "svg"), si, total=report_total(prof.data, si),
                     min_fraction=0, max_nodes=None)
    assert sw.name == EVIL_PKG and EVIL_FUNC in set(sw.callers["name"])
    fig = sandwich_figure(sw)
    shown = [fig.layout.title.text, *(a.text for a in fig.layout.annotations)]
    for trace in fig.data:
        shown += [*trace.labels, *trace.customdata]
    assert any("&lt;img" in t for t in shown) and any("&lt;svg" in t for t in shown)
    for text in shown:
        assert "<img" not in text and "<svg" not in text and "<script" not in text
    assert html.escape(EVIL_PKG, quote=True) in fig.layout.title.text
    with pytest.raises(OptionError, match="takes a Sandwich"):
        sandwich_figure(sw.callers)
