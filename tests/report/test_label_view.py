"""The allocation report's label explorer (:func:`gopherlab.reports.allocations.label_view`): which
label keys a profile carries, a by-label table (``Profile.by_label``, pprof's ``-tags`` sums) and a
flame graph split by the label (``call_tree(tagroot=key)``: pprof's ``-tagroot`` root frames), on
the committed workload profiles (CPU: ``phase``, ``kind``; heap and allocs: the numeric ``bytes``)."""
from __future__ import annotations

import html

import pandas as pd
import pytest

import pprof_parse
from gopherlab.reports import allocations as alloc
from gopherlab.reports.bundled import sample_path
from pprof_oracle import pprof_top

from evil_profile import EVIL_LABEL, write_evil_profile


def _read(name):
    return pprof_parse.read_profile(sample_path(f"profiles/{name}"))


@pytest.fixture(scope="module")
def cpu():
    return _read("cpu.pb.gz")


def test_label_keys():
    assert alloc.label_keys(_read("cpu.pb.gz")) == ["kind", "phase"]
    assert alloc.label_keys(_read("allocs.pb.gz")) == ["bytes"]  # numeric: the allocation size
    assert alloc.label_keys(_read("block.pb.gz")) == []


def test_messages_without_a_key():
    none = alloc.label_view(_read("block.pb.gz"), sample=None, label_key="phase")
    assert none["message"].startswith("This profile has no labels") and none["table"] is None
    keys = alloc.label_view(_read("cpu.pb.gz"), sample="cpu")
    assert keys["message"] == "This profile's label keys: kind, phase. Set label_key to one of them for a breakdown."
    assert keys["figure"] is None
    unknown = alloc.label_view(_read("cpu.pb.gz"), sample="cpu", label_key="tenant")
    assert unknown["message"].startswith("No label 'tenant' in this profile; its label keys: kind, phase.")


def test_table_is_by_label(cpu):
    view = alloc.label_view(cpu, sample="cpu", label_key="kind")
    want = cpu.by_label("kind", sample_index="cpu")
    assert view["table"].equals(want) and view["message"] == ""
    assert view["table"]["value"].isna().any()  # some samples carry no kind: their own row


@pytest.mark.go
@pytest.mark.parametrize("name, sample, key", [("cpu.pb.gz", "cpu", "phase"), ("cpu.pb.gz", "samples", "kind"),
                                               ("allocs.pb.gz", "alloc_space", "bytes")])
def test_flame_root_frames_equal_pprof_tagroot(name, sample, key):
    prof = _read(name)
    view = alloc.label_view(prof, sample=sample, label_key=key, max_nodes=100_000)
    trace = view["figure"].data[0]
    ids = list(trace.ids)
    root = ids[0]
    level1 = {html.unescape(lab): int(v) for lab, par, v in zip(trace.labels, trace.parents, trace["values"])
              if par == root}
    unit = prof.sample_types[prof.sample_index(sample)].unit
    top = pprof_top(sample_path(f"profiles/{name}"), f"-sample_index={sample}", f"-tagroot={key}", unit=unit)
    table = view["table"]
    values = {"<unknown>" if pd.isna(v) else str(v) for v in table["value"]}  # pprof's frame for no label
    want = {r["name"]: r["cum"] for r in top.rows if r["name"] in values}
    # each label value's frame holds pprof's cum of its pseudo-frame; values under 0.5 % of the
    # total are merged into one "other" frame (the flame graph's pruning)
    other = level1.pop("other", 0)
    assert want and level1 == {k: v for k, v in want.items() if k in level1}
    assert other == sum(want.values()) - sum(level1.values())


def test_shares_of_a_given_total(cpu):
    whole = cpu.total("cpu")
    part = cpu.filter(focus="hash")
    view = alloc.label_view(part, sample="cpu", label_key="phase", total=whole)
    assert view["table"]["share"].tolist() == pytest.approx((view["table"]["flat"] / whole).tolist())


def test_label_values_are_escaped(tmp_path):
    evil = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    view = alloc.label_view(evil, sample="alloc_space", label_key="handler")
    assert view["table"]["value"].tolist() == [EVIL_LABEL]
    fig_json = view["figure"].to_json()
    assert "<script>" not in fig_json and "&lt;script&gt;" in fig_json
