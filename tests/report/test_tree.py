"""Call-tree frames and flame figures on the bundled real profiles."""
from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from pprof_parse.errors import OptionError
from pprof_parse.figures import (axis_unit, call_tree, diff_flame_figure, diff_tree, flame_figure, flame_views_figure,
                                  format_value)

PROFILES = files("gopherlab.data") / "profiles"
KINDS = ["allocs", "heap", "cpu", "goroutine", "mutex", "block", "threadcreate"]


def _load(kind):
    return pprof_parse.read_profile(str(PROFILES / f"{kind}.pb.gz"))


def _check_consistent(t: pd.DataFrame, total: int) -> None:
    ids = t["id"].to_numpy()
    assert (ids == np.arange(len(t))).all()
    assert t["parent"].iloc[0] == -1 and (t["parent"].iloc[1:] >= 0).all()
    assert t["total"].iloc[0] == total
    assert t["self"].sum() == total
    by_id = t.set_index("id")
    child_sum = t.iloc[1:].groupby("parent")["total"].sum()
    # total = self + sum(children) for every node with children, children <= parent
    assert (by_id.loc[child_sum.index, "self"] + child_sum == by_id.loc[child_sum.index, "total"]).all()
    parents = by_id.loc[t["parent"].iloc[1:].to_numpy(), "total"].to_numpy()
    assert (t["total"].iloc[1:].to_numpy() <= parents).all()
    # depth increases by one along every edge
    assert (t["depth"].iloc[1:].to_numpy() == by_id.loc[t["parent"].iloc[1:].to_numpy(), "depth"].to_numpy() + 1).all()


@pytest.mark.parametrize("kind", KINDS)
def test_call_tree_totals_consistent(kind):
    prof = _load(kind)
    for st in prof.sample_types:
        total = prof.total(st.type)
        full = call_tree(prof, st.type, min_fraction=0, max_nodes=None)
        _check_consistent(full, total)
        assert full.attrs["total"] == total and full.attrs["unit"] == st.unit
        assert "other" not in set(full["name"])
        for mx in (3000, 25, 4, 2):
            pruned = call_tree(prof, st.type, max_nodes=mx)
            _check_consistent(pruned, total)
            assert len(pruned) <= max(mx, 2)


def test_call_tree_paths_match_top_cum():
    """A function's cum in pprof's top equals the sum of totals over its outermost tree nodes."""
    prof = _load("allocs")
    t = call_tree(prof, "alloc_space", min_fraction=0, max_nodes=None)
    top = prof.top("alloc_space").set_index("name")
    by_id = t.set_index("id")
    names = t["name"].to_numpy()
    par = t["parent"].to_numpy()
    for fn in top.index[:15]:
        # nodes named fn without an ancestor named fn
        total = 0
        for i in np.flatnonzero(names == fn):
            j, nested = par[i], False
            while j > 0:
                if names[j] == fn:
                    nested = True
                    break
                j = par[j]
            if not nested:
                total += by_id.loc[i, "total"]
        assert total == top.loc[fn, "cum"], fn
    # leaf self sums equal top's flat
    flat = t.groupby("name")["self"].sum()
    for fn in top.index[:15]:
        assert flat.get(fn, 0) == top.loc[fn, "flat"]


def test_call_tree_prunes_small_paths_into_other():
    prof = _load("cpu")
    full = call_tree(prof, min_fraction=0, max_nodes=None)
    pruned = call_tree(prof, min_fraction=0.05, max_nodes=None)
    assert len(pruned) < len(full)
    kept = pruned[pruned["name"] != "other"]
    assert (kept["total"].iloc[1:] >= 0.05 * pruned["total"].iloc[0]).all()
    assert (pruned["name"] == "other").sum() >= 1
    # a node budget is used, not undershot
    for mx in (100, 40):
        t = call_tree(prof, min_fraction=0, max_nodes=mx)
        assert 0.8 * mx <= len(t) <= mx


def test_call_tree_bad_options():
    prof = _load("cpu")
    with pytest.raises(OptionError):
        call_tree(prof, min_fraction=-1)
    with pytest.raises(OptionError):
        call_tree(prof, max_nodes=1)
    with pytest.raises(pprof_parse.SampleTypeError):
        call_tree(prof, "nope")


def test_diff_tree_is_new_minus_base_by_path():
    new, base = _load("heap"), pprof_parse.read_profile(str(PROFILES / "heap-early.pb.gz"))
    d = diff_tree(new, base, "alloc_space", min_fraction=0, max_nodes=None)
    tn = call_tree(new, "alloc_space", min_fraction=0, max_nodes=None)
    tb = call_tree(base, "alloc_space", min_fraction=0, max_nodes=None)

    def paths(t, col):
        names, par = t["name"].to_numpy(), t["parent"].to_numpy()
        out = {}
        for i in range(len(t)):
            p, j = [], i
            while j >= 0:
                p.append(names[j])
                j = par[j]
            out[tuple(reversed(p))] = int(t[col].iloc[i])
        return out

    pn, pb, pd_new, pd_base = paths(tn, "total"), paths(tb, "total"), paths(d, "new"), paths(d, "base")
    assert set(pd_new) == set(pn) | set(pb)
    for p in pd_new:
        assert pd_new[p] == pn.get(p, 0) and pd_base[p] == pb.get(p, 0)
    assert (d["delta"] == d["new"] - d["base"]).all()
    assert d["self_new"].sum() == new.total("alloc_space") and d["self_base"].sum() == base.total("alloc_space")
    pruned = diff_tree(new, base, "alloc_space", max_nodes=20)
    assert len(pruned) <= 20
    assert pruned["self_new"].sum() == new.total("alloc_space")
    norm = diff_tree(new, base, "alloc_space", normalize=True)
    assert abs(norm["base"].iloc[0] - norm["new"].iloc[0]) <= 1


def test_flame_figures_escape_names():
    prof = _load("allocs")
    t = call_tree(prof)
    t.loc[1, "name"] = "<img src=x onerror=alert(1)>"
    fig = flame_figure(t)
    tr = fig.data[0]
    assert tr.type == "icicle" and len(tr.ids) == len(t)
    blob = fig.to_json()
    assert "<img" not in blob and "&lt;img src=x onerror=alert(1)&gt;" in blob
    views = flame_views_figure({"a": t, "b": call_tree(prof, "alloc_objects")})
    assert [d.visible for d in views.data] == [True, False]
    assert len(views.layout.updatemenus[0].buttons) == 2
    d = diff_tree(_load("heap"), pprof_parse.read_profile(str(PROFILES / "heap-early.pb.gz")))
    dfig = diff_flame_figure(d)
    factor, _ = axis_unit([np.abs(d["delta"].to_numpy()[1:]).max()], d.attrs["unit"])  # colour bar in MiB/KiB
    assert list(dfig.data[0].marker.colors) == list(np.clip(d["delta"] / factor, dfig.data[0].marker.cmin,
                                                            dfig.data[0].marker.cmax))
    with pytest.raises(OptionError):
        diff_flame_figure(t)


def test_format_value():
    assert format_value(3 << 20, "bytes") == "3.00 MB"
    assert format_value(1_500_000_000, "nanoseconds") == "1.50 s"
    assert format_value(12, "count") == "12"
    assert format_value(-2048, "bytes") == "-2.00 kB"
