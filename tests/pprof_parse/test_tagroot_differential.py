"""pprof's ``-tagroot``/``-tagleaf`` label pseudo-frames and the by-label breakdown against the real ``go tool pprof``.

:func:`~pprof_parse.analyze.label_frames.add_label_frames` is compared with ``go tool pprof -top
-tagroot=… -tagleaf=…`` (node names, exact flat and cum, order, total) on the workload's labelled
profiles: the CPU profile (``phase``, ``kind``), the goroutine profile (``role``, ``worker``), the heap
and allocs profiles (numeric ``bytes``); then on a profile written with several values per key and
numeric labels carrying a ``num_unit``. :func:`~pprof_parse.analyze.labels_table.label_breakdown`
is compared with ``go tool pprof -tags``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from pprof_parse.analyze.filter import apply_filters
from pprof_parse.analyze.label_frames import add_label_frames, parse_label_keys
from pprof_parse.analyze.labels_table import label_breakdown
from pprof_parse.analyze.measurement import scaled_label
from pprof_parse.analyze.tagfilter import num_label_units
from pprof_parse.errors import OptionError
from pprof_parse.figures import call_tree
from pprof_parse.present.top import report_total, top_table
from pprof_parse.present.write import to_proto
from pprof_oracle import ROW, pprof, pprof_top, unit_flag

pytestmark = [pytest.mark.go, pytest.mark.usefixtures("engine")]

#: (profile file, tagroot, tagleaf): string keys, numeric keys, absent keys, both ends, repeated keys
CASES = [
    ("cpu.pb.gz", "phase,kind", None),
    ("cpu.pb.gz", None, "kind,phase"),
    ("cpu.pb.gz", "phase", "kind"),
    ("cpu.pb.gz", ["kind", "", "phase"], ["phase", "phase"]),
    ("goroutine.pb.gz", "role,worker", None),
    ("goroutine.pb.gz", None, "role,nosuch"),
    ("goroutine.pb.gz", "worker,role", "role"),
    ("heap.pb.gz", None, "bytes"),
    ("heap.pb.gz", "bytes", "nosuch"),
    ("allocs.pb.gz", "bytes", None),
]


def _flag(name, keys):
    if keys is None:
        return []
    return [f"-{name}={keys if isinstance(keys, str) else ','.join(keys)}"]


def _rows(df):
    return [(r.name, int(r.flat), int(r.cum), r.inline) for r in df.itertuples()]


def _pprof_rows(top):
    return [(r["name"], r["flat"], r["cum"], r["inline"]) for r in top.rows]


def check_top(path, tagroot, tagleaf, *, cum=False, granularity="functions", noinlines=False, unit="minimum"):
    """top_table of add_label_frames(...) equals ``go tool pprof -top -tagroot -tagleaf`` row for row."""
    prof = pprof_parse.read_profile(path)
    data = add_label_frames(prof.data, tagroot, tagleaf, unit=unit)
    si = prof.sample_index()
    df = top_table(data, si, cum=cum, granularity=granularity, noinlines=noinlines)
    flags = [*_flag("tagroot", tagroot), *_flag("tagleaf", tagleaf), f"-{granularity}"]
    flags += ["-cum"] if cum else []
    flags += ["-noinlines"] if noinlines else []
    want = pprof_top(path, *flags, unit=prof.sample_types[si].unit)
    assert _rows(df) == _pprof_rows(want)
    assert df.attrs["total"] == want.total
    return df


@pytest.mark.parametrize("cum", [False, True], ids=["flat", "cum"])
@pytest.mark.parametrize("name,tagroot,tagleaf", CASES)
def test_top_equals_pprof_on_committed_profiles(sample_profiles, name, tagroot, tagleaf, cum):
    df = check_top(sample_profiles / name, tagroot, tagleaf, cum=cum)
    # the pseudo-frames are there: one node per (value, key) is at least as many rows as without them
    assert len(df) > len(top_table(pprof_parse.read_profile(sample_profiles / name).data, None))


@pytest.mark.parametrize("cum", [False, True], ids=["flat", "cum"])
@pytest.mark.parametrize("name,tagroot,tagleaf", [c for c in CASES if c[0] in ("cpu.pb.gz", "goroutine.pb.gz")])
def test_top_equals_pprof_on_fresh_workload(workload_profiles, name, tagroot, tagleaf, cum):
    check_top(workload_profiles / name, tagroot, tagleaf, cum=cum)


@pytest.mark.parametrize("granularity", ["lines", "filefunctions", "addresses"])
@pytest.mark.parametrize("noinlines", [False, True], ids=["inlines", "noinlines"])
@pytest.mark.parametrize("name,tagroot,tagleaf", [("goroutine.pb.gz", "worker,role", "role"),
                                                  ("heap.pb.gz", "nosuch", "bytes")])
def test_granularities_name_frames_as_pprof(sample_profiles, name, tagroot, tagleaf, granularity, noinlines):
    df = check_top(sample_profiles / name, tagroot, tagleaf, granularity=granularity, noinlines=noinlines)
    # at these granularities the frame is named "value key" (its function and its file)
    assert any(n.endswith(" role") or n.endswith(" bytes") for n in df["name"])


def test_filters_see_the_pseudo_frames(sample_profiles):
    """pprof makes the frames before filtering: focus= can select a label value."""
    path = sample_profiles / "goroutine.pb.gz"
    prof = pprof_parse.read_profile(path)
    data = add_label_frames(prof.data, "role")
    kept = apply_filters(data, focus="^parked$")
    df = top_table(kept, None, total=report_total(data, prof.sample_index()))
    want = pprof_top(path, "-tagroot=role", "-focus=^parked$")
    assert _rows(df) == _pprof_rows(want)
    assert int(kept.values[:, -1].sum()) == 6


def test_stacks_gain_the_frames_in_pprofs_order(sample_profiles):
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    d = prof.data
    out = add_label_frames(d, "phase,kind", "kind")
    assert out.n_samples == d.n_samples
    assert np.array_equal(np.diff(out.stack_offsets), np.diff(d.stack_offsets) + 3)
    # old rows, ids and strings untouched; new ids follow the largest ones
    assert np.array_equal(out.loc_id[:d.loc_id.size], d.loc_id)
    assert out.strings[:len(d.strings)] == d.strings
    assert out.loc_id[d.loc_id.size:].min() == d.loc_id.max() + 1
    assert out.func_id[d.func_id.size:].min() == d.func_id.max() + 1
    frames = prof.__class__(out).frames
    by_sample = frames.groupby("sample")
    first, last = by_sample.first(), by_sample.last()  # leaf, root
    labels = prof.samples
    phase = labels["phase"].astype(object).where(labels["phase"].notna(), "").to_numpy()
    kind = labels["kind"].astype(object).where(labels["kind"].notna(), "").to_numpy()
    assert (last["function"].astype(str).to_numpy() == phase).all()  # first root key = new root
    assert (last["file"].astype(str) == "phase").all()
    assert (first["function"].astype(str).to_numpy() == kind).all()  # leaf key at the leaf
    assert (first["file"].astype(str) == "kind").all()


def test_no_keys_is_the_same_data(sample_profiles):
    d = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz").data
    assert add_label_frames(d) is d
    assert add_label_frames(d, "", ",") is d


def test_parse_label_keys():
    assert parse_label_keys("tagroot", "a,,b") == ("a", "b")
    assert parse_label_keys("tagroot", ["a", "", "b"]) == ("a", "b")
    assert parse_label_keys("tagroot", None) == ()
    with pytest.raises(OptionError, match="tagleaf"):
        parse_label_keys("tagleaf", 3)
    with pytest.raises(OptionError, match="strings"):
        parse_label_keys("tagroot", ["a", 1])


def _with_units_and_repeats(data):
    """The heap profile with ``num_unit: bytes`` on half its ``bytes`` labels, a unit-less second
    ``bytes`` value on every third sample and two ``kind`` string values on every fifth sample."""
    strings = [*data.strings, "bytes", "kind", "small", "big"]
    b, k, small, big = (len(data.strings) + i for i in range(4))
    n = data.n_samples
    unit = np.where(np.arange(data.numlabel_num.size) % 2 == 0, b, data.numlabel_unit)
    third = np.arange(0, n, 3)
    fifth = np.arange(0, n, 5)
    return data.with_(
        strings=strings,
        numlabel_sample=np.concatenate([data.numlabel_sample, third]).astype(data.numlabel_sample.dtype),
        numlabel_key=np.concatenate([data.numlabel_key, np.full(third.size, data.numlabel_key[0])]),
        numlabel_num=np.concatenate([data.numlabel_num, third * 1000 + 7]),
        numlabel_unit=np.concatenate([unit, np.zeros(third.size, np.int64)]),
        label_sample=np.repeat(fifth, 2).astype(data.label_sample.dtype),
        label_key=np.full(2 * fifth.size, k, np.int64),
        label_str=np.tile([small, big], fifth.size).astype(np.int64),
    )


@pytest.mark.parametrize("unit", ["B", "minimum"])
def test_units_and_several_values_as_pprof(sample_profiles, tmp_path, unit):
    """Numeric values with a num_unit are scaled to -unit, several values are joined with ","."""
    heap = pprof_parse.read_profile(sample_profiles / "heap.pb.gz")
    path = tmp_path / "labels.pb.gz"
    to_proto(_with_units_and_repeats(heap.data), path)
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index("alloc_space")
    data = add_label_frames(prof.data, "kind", "bytes", unit=unit)
    df = top_table(data, si)
    flags = ["-sample_index=alloc_space", "-tagroot=kind", "-tagleaf=bytes", f"-unit={unit}"]
    text = pprof("-top", "-nodefraction=0", "-edgefraction=0", *flags, str(path))
    names = [m["name"] for line in text.splitlines() if (m := ROW.match(line))]
    assert df["name"].tolist() == names
    assert "small,big" in names
    if unit == "B":
        # a sample with some unit for the key scales every value to -unit; one without any stays bare
        assert any(re.fullmatch(r"\d+B,\d+B", n) for n in names)
        assert any(re.fullmatch(r"\d+", n) for n in names)
        check_top(path, "kind", "bytes", unit="B")  # exact integers (inuse_space) need -unit=B: same unit
    else:  # auto-scaled with a unit; a unit-less value in the same sample stays bare
        assert any(re.fullmatch(r"\d+(\.\d+)?kB", n) for n in names)
        assert any(re.fullmatch(r"\d+B,\d+", n) for n in names)


# ---- by_label against pprof -tags --------------------------------------------------------------

TAG_HEADER = re.compile(r"^\s*(?P<key>\S+): Total (?P<key_total>-?\d+)[A-Za-z]* of (?P<total>-?\d+)")
TAG_ROW = re.compile(r"^\s*(?P<value>-?\d+)[A-Za-z]*\s+\(\s*\S+%\): (?P<label>.*)$")


def pprof_tags(path, unit):
    """``go tool pprof -tags`` with exact integers: {key: ({label text: total}, key total, total)}."""
    out, key = {}, None
    for line in pprof("-tags", unit_flag(unit), str(path)).splitlines():
        if m := TAG_HEADER.match(line):
            key = m["key"]
            out[key] = ({}, int(m["key_total"]), int(m["total"]))
        elif m := TAG_ROW.match(line):
            out[key][0][m["label"]] = int(m["value"])
    return out


@pytest.mark.parametrize("name,keys", [("cpu.pb.gz", ["phase", "kind"]), ("goroutine.pb.gz", ["role", "worker"]),
                                       ("heap.pb.gz", ["bytes"]), ("allocs.pb.gz", ["bytes"])])
def test_by_label_equals_pprof_tags(sample_profiles, name, keys):
    path = sample_profiles / name
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index()
    unit = prof.sample_types[si].unit
    tags = pprof_tags(path, unit)
    label_units = num_label_units(prof.data)
    for key in keys:
        df = label_breakdown(prof.data, key, si, total=prof.total())
        values, key_total, total = tags[key]
        known = df[df["value"].notna()]
        to_text = ((lambda v: scaled_label(v, label_units[key], unit_flag(unit).split("=")[1]))
                   if key in label_units else str)
        assert {to_text(v): int(f) for v, f in zip(known["value"], known["flat"])} == values
        missing = df.loc[df["value"].isna(), "flat"]
        assert int(missing.sum()) == total - key_total
        assert len(missing) == (1 if total != key_total else 0)
        assert np.allclose(df["share"], df["flat"] / total)
        assert (np.diff(df["flat"].to_numpy()) <= 0).all()
        assert df.attrs["total"] == total


def test_by_label_types_and_unknown_key(sample_profiles):
    prof = pprof_parse.read_profile(sample_profiles / "heap.pb.gz")
    si = prof.sample_index()
    nums = label_breakdown(prof.data, "bytes", si, total=prof.total())
    assert str(nums["value"].dtype) == "Int64" and nums["value"].iloc[0] == 65536
    assert nums["flat"].dtype == np.int64 and nums["share"].dtype == np.float64
    none = label_breakdown(prof.data, "nosuch", si, total=prof.total())
    assert len(none) == 1 and none["value"].isna().all() and none["flat"].iloc[0] == prof.total()
    cpu = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    kinds = label_breakdown(cpu.data, "kind", 0, total=cpu.total(0))  # the "samples" count type
    assert kinds["value"].dtype == object and kinds["value"].iloc[0] is pd.NA
    assert int(kinds["flat"].sum()) == int(cpu.data.values[:, 0].sum())
    assert kinds.attrs["sample_type"] == "samples"


@pytest.mark.parametrize("cum", [False, True], ids=["flat", "cum"])
@pytest.mark.parametrize("name,tagroot,tagleaf", CASES[:5])
def test_profile_top_takes_tagroot_and_tagleaf(sample_profiles, name, tagroot, tagleaf, cum):
    """Through the facade: ``Profile.top(tagroot=, tagleaf=)``, with a filter that matches a label frame."""
    path = sample_profiles / name
    prof = pprof_parse.read_profile(path)
    df = prof.top(tagroot=tagroot, tagleaf=tagleaf, cum=cum)
    flags = [*_flag("tagroot", tagroot), *_flag("tagleaf", tagleaf)] + (["-cum"] if cum else [])
    want = pprof_top(path, *flags, unit=prof.sample_types[prof.sample_index()].unit)
    assert _rows(df) == _pprof_rows(want) and df.attrs["total"] == want.total
    # the filtered Profile keeps the frames: its top (relative to what is left) names them too
    kept = prof.filter(tagroot=tagroot, tagleaf=tagleaf).top()
    assert set(kept["name"]) == set(df["name"])


def test_profile_by_label_and_unknown_option(sample_profiles):
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    si = prof.sample_index()
    table = prof.by_label("phase")
    assert table.equals(label_breakdown(prof.data, "phase", si, total=report_total(prof.data, si)))
    assert list(table.columns) == ["value", "flat", "share"] and table["flat"].is_monotonic_decreasing
    with pytest.raises(OptionError, match="tagroot, tagleaf"):
        prof.peek("main", tagrot="phase")


def test_call_tree_takes_tagroot_and_tagleaf(sample_profiles):
    """``call_tree(prof, tagroot=…)`` equals the tree of ``prof.filter(tagroot=…)``: the label
    frames are the outermost (tagroot) / innermost (tagleaf) nodes of the paths."""
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    direct = call_tree(prof, tagroot="phase", tagleaf="kind", min_fraction=0)
    via_filter = call_tree(prof.filter(tagroot="phase", tagleaf="kind"), min_fraction=0)
    assert direct.equals(via_filter)
    outer = set(direct.loc[direct["depth"] == 1, "name"])
    assert outer == set(prof.by_label("phase")["value"].fillna("<unknown>").astype(str))
