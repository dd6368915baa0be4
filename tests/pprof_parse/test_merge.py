"""merge / diff / delta_table against go tool pprof on real workload profiles."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import pprof_parse
from pprof_parse.errors import SampleTypeError
from pprof_parse.model.data import ValueType
from pprof_oracle import pprof, pprof_top

pytestmark = pytest.mark.go

KINDS = ["cpu", "heap", "allocs", "mutex", "block", "goroutine"]


@pytest.fixture(scope="module")
def runs(workload_profiles, tmp_path_factory):
    """Three profile directories: the shared run plus two more 1 s runs of the same binary."""
    binary = workload_profiles.parent / "workload"
    dirs = [workload_profiles]
    for i in range(2):
        out = tmp_path_factory.mktemp(f"run{i + 2}") / "profiles"
        subprocess.run([str(binary), "-out", str(out), "-duration", "1s"], check=True, capture_output=True)
        dirs.append(out)
    return dirs


def _rows(ref):
    return sorted((r["name"], r["flat"], r["cum"]) for r in ref.rows), ref.total


def _ours(prof, si, **kw):
    df = prof.top(si, **kw)
    return sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist())), df.attrs["total"]


@pytest.mark.parametrize("kind", KINDS)
def test_merge_of_three_equals_pprof(runs, kind):
    paths = [d / f"{kind}.pb.gz" for d in runs]
    merged = pprof_parse.merge([pprof_parse.read_profile(p) for p in paths])
    for si, st in enumerate(merged.sample_types):
        assert _ours(merged, si) == _rows(pprof_top(paths[0], f"-sample_index={si}", *paths[1:], unit=st.unit))
    ref = pprof_top(paths[0], "-lines", *paths[1:], unit=merged.sample_types[-1].unit)
    assert _ours(merged, None, granularity="lines") == _rows(ref)


def test_merge_header_and_identity(runs):
    ps = [pprof_parse.read_profile(d / "cpu.pb.gz") for d in runs]
    m = pprof_parse.merge(ps)
    assert m.duration == sum((p.duration for p in ps[1:]), ps[0].duration)
    assert m.time == min(p.time for p in ps)
    assert m.period == max(p.period for p in ps)
    assert np.array_equal(m.data.loc_id, np.arange(1, m.data.loc_id.size + 1))
    # merging a profile with itself doubles every value and keeps one sample per (stack, labels)
    heap = pprof_parse.read_profile(runs[0] / "heap.pb.gz")
    twice = pprof_parse.merge([heap, heap])
    assert pprof_parse.merge([heap]).data is heap.data  # one source: returned as is (pprof's shortcut)
    nonzero = (heap.data.values != 0).any(axis=1).sum()
    assert len(twice) <= nonzero  # zero samples dropped, equal keys summed
    assert np.array_equal(twice.data.values.sum(axis=0), 2 * heap.data.values.sum(axis=0))
    t1, t2 = heap.top(), twice.top()
    assert list(t2["name"]) == list(t1["name"]) and (t2["flat"] == 2 * t1["flat"]).all()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", ["diff_base", "base"])
@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalize"])
def test_diff_equals_pprof(runs, kind, mode, normalize):
    new, old = runs[0] / f"{kind}.pb.gz", runs[1] / f"{kind}.pb.gz"
    d = pprof_parse.diff(pprof_parse.read_profile(new), pprof_parse.read_profile(old), mode=mode, normalize=normalize)
    flags = [f"-{mode}={old}"] + (["-normalize"] if normalize else [])
    for si, st in enumerate(d.sample_types):
        assert _ours(d, si) == _rows(pprof_top(new, f"-sample_index={si}", *flags, unit=st.unit))


def test_diff_against_itself(runs):
    p = pprof_parse.read_profile(runs[0] / "cpu.pb.gz")
    same = pprof_parse.diff(p, p)
    top = same.top()
    assert (top["flat"] == 0).all() and (top["cum"] == 0).all()
    assert top.attrs["total"] == p.total()  # -diff_base: total over the base
    assert len(pprof_parse.diff(p, p, mode="base")) == 0  # -base: everything cancels
    assert pprof_top(runs[0] / "cpu.pb.gz", f"-base={runs[0] / 'cpu.pb.gz'}", unit="nanoseconds").total == 0


def test_diff_written_to_proto_reads_as_diff(runs, tmp_path):
    """pprof's -proto of a -diff_base keeps pprof::base; so does our to_proto."""
    new, old = runs[0] / "heap.pb.gz", runs[1] / "heap.pb.gz"
    d = pprof_parse.diff(pprof_parse.read_profile(new), pprof_parse.read_profile(old))
    out = tmp_path / "diff.pb.gz"
    d.to_proto(out)
    for si, st in enumerate(d.sample_types):
        assert _rows(pprof_top(out, f"-sample_index={si}", unit=st.unit)) == \
            _rows(pprof_top(new, f"-sample_index={si}", f"-diff_base={old}", unit=st.unit))


@pytest.mark.parametrize("normalize", [False, True])
def test_delta_table(runs, normalize):
    new_p, old_p = runs[0] / "heap.pb.gz", runs[1] / "heap.pb.gz"
    new, old = pprof_parse.read_profile(new_p), pprof_parse.read_profile(old_p)
    dt = pprof_parse.delta_table(new, old, "alloc_space", normalize=normalize)
    assert list(dt.columns) == ["base", "new", "delta", "delta_pct"]
    assert (np.abs(dt["delta"].to_numpy())[:-1] >= np.abs(dt["delta"].to_numpy())[1:]).all()
    # base column = pprof's flat on the base; delta = pprof's -diff_base flat per node
    base_flat = {r["name"]: r["flat"] for r in pprof_top(old_p, "-sample_index=alloc_space", unit="bytes").rows}
    assert {k: v for k, v in dt["base"].items() if v} == {k: v for k, v in base_flat.items() if v}
    flags = [f"-diff_base={old_p}"] + (["-normalize"] if normalize else [])
    diff_flat = {r["name"]: r["flat"] for r in pprof_top(new_p, "-sample_index=alloc_space", *flags, unit="bytes").rows}
    assert {k: v for k, v in dt["delta"].items() if v} == {k: v for k, v in diff_flat.items() if v}
    if not normalize:
        new_flat = {r["name"]: r["flat"] for r in pprof_top(new_p, "-sample_index=alloc_space", unit="bytes").rows}
        assert {k: v for k, v in dt["new"].items() if v} == {k: v for k, v in new_flat.items() if v}
    row = dt.iloc[0]
    if row["base"]:
        assert row["delta_pct"] == pytest.approx(100 * row["delta"] / abs(row["base"]))


def test_incompatible_profiles(runs):
    cpu = pprof_parse.read_profile(runs[0] / "cpu.pb.gz")
    heap = pprof_parse.read_profile(runs[0] / "heap.pb.gz")
    goroutine = pprof_parse.read_profile(runs[0] / "goroutine.pb.gz")
    threads = pprof_parse.read_profile(runs[0] / "threadcreate.pb.gz")
    with pytest.raises(SampleTypeError, match="empty common sample type list"):
        pprof_parse.merge([cpu, heap])
    with pytest.raises(SampleTypeError, match="empty common sample type list"):
        pprof_parse.diff(goroutine, threads)
    with pytest.raises(RuntimeError, match="empty common sample type list"):
        pprof("-top", str(runs[0] / "cpu.pb.gz"), str(runs[0] / "heap.pb.gz"))


def test_merge_scales_units_to_the_finest(runs, tmp_path):
    """A CPU profile re-expressed in microseconds merges with a nanosecond one as pprof does
    (both written with to_proto so pprof reads the very same inputs)."""
    a = pprof_parse.read_profile(runs[0] / "cpu.pb.gz")
    b = pprof_parse.read_profile(runs[1] / "cpu.pb.gz")
    d = b.data
    us = d.with_(sample_types=(d.sample_types[0], ValueType("cpu", "microseconds")),
                 values=np.column_stack([d.values[:, 0], d.values[:, 1] // 1000]))
    b_us = pprof_parse.Profile(us)
    pa, pb = tmp_path / "a.pb.gz", tmp_path / "b_us.pb.gz"
    a.to_proto(pa)
    b_us.to_proto(pb)
    m = pprof_parse.merge([b_us, a])
    assert m.sample_types[1] == ValueType("cpu", "nanoseconds")
    assert _ours(m, 1) == _rows(pprof_top(pb, "-sample_index=1", pa, unit="nanoseconds"))


@pytest.mark.parametrize("kind", ["cpu", "heap", "goroutine"])
def test_vectorised_grouping_equals_exact_grouping(runs, kind):
    """The hashed, verified sample grouping gives the Python-tuple grouping's answer."""
    from pprof_parse.model.grouping import group_samples as _group_samples, group_samples_exact as _group_samples_exact

    d = pprof_parse.read_profile(runs[0] / f"{kind}.pb.gz").data
    cnt = np.diff(d.stack_offsets)
    gl = np.concatenate([d.stack_locs, d.stack_locs]).astype(np.int64)
    cnt2 = np.concatenate([cnt, cnt])
    n = d.n_samples
    lab = np.column_stack([
        np.concatenate([d.label_sample, d.numlabel_sample, d.label_sample + n, d.numlabel_sample + n]),
        np.concatenate([np.zeros(d.label_sample.size), np.ones(d.numlabel_sample.size)] * 2),
        np.concatenate([d.label_key, d.numlabel_key] * 2), np.concatenate([d.label_str, d.numlabel_num] * 2),
        np.concatenate([np.zeros(d.label_sample.size), d.numlabel_unit] * 2)]).astype(np.int64).reshape(-1, 5)
    lab = lab[np.lexsort((lab[:, 4], lab[:, 3], lab[:, 2], lab[:, 1], lab[:, 0]))]
    inv, rep = _group_samples(gl, cnt2, lab)
    inv_x, rep_x = _group_samples_exact(gl, cnt2, lab)
    assert np.array_equal(inv, inv_x) and np.array_equal(rep, rep_x)
    assert np.array_equal(inv[:n], inv[n:])  # the copy groups with the original


def test_several_sources_and_bases_equal_pprof(runs, tmp_path):
    """``go tool pprof -diff_base=C A B``: sources merged, then compared with the base.
    Several bases: go tool pprof's flag parser keeps only the last ``-base``, so the
    merged bases are handed to it as one file (written with to_proto)."""
    a, b, c = (d / "cpu.pb.gz" for d in runs)
    d = pprof_parse.diff([pprof_parse.read_profile(a), pprof_parse.read_profile(b)], pprof_parse.read_profile(c))
    for si, st in enumerate(d.sample_types):
        assert _ours(d, si) == _rows(pprof_top(a, f"-sample_index={si}", f"-diff_base={c}", b, unit=st.unit))
    bases = [pprof_parse.read_profile(b), pprof_parse.read_profile(c)]
    d2 = pprof_parse.diff(pprof_parse.read_profile(a), bases, mode="base", normalize=True)
    merged_base = tmp_path / "bases.pb.gz"
    pprof_parse.merge(bases).to_proto(merged_base)
    assert _ours(d2, 1) == _rows(pprof_top(a, "-sample_index=1", f"-base={merged_base}", "-normalize", unit="nanoseconds"))


def test_text_profiles_merge_like_their_protos(runs):
    """Block texts of two runs merge to the numbers of the merged protos (names as printed)."""
    texts = pprof_parse.merge([pprof_parse.read_profile(d / "block.debug1.txt") for d in runs[:2]])
    protos = pprof_parse.merge([pprof_parse.read_profile(d / "block.pb.gz") for d in runs[:2]])
    for si in range(2):
        assert texts.total(si) == protos.total(si)
        t, p = texts.top(si), protos.top(si)
        assert dict(zip(t["name"], t["cum"])) == dict(zip(p["name"], p["cum"]))


def test_merge_is_order_insensitive_for_values(runs):
    ps = [pprof_parse.read_profile(d / "heap.pb.gz") for d in runs]
    a, b = pprof_parse.merge(ps), pprof_parse.merge(ps[::-1])
    for si in range(4):
        ta, tb = a.top(si), b.top(si)
        assert sorted(zip(ta["name"], ta["flat"], ta["cum"])) == sorted(zip(tb["name"], tb["flat"], tb["cum"]))


def test_go_round_is_half_away_from_zero():
    from pprof_parse.analyze.merge import _go_round

    x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 2.4999, -0.0, 1e18 + 0.5])
    assert _go_round(x).tolist() == [1.0, 2.0, 3.0, -1.0, -3.0, 2.0, 0.0, 1e18]
