"""A granularity's view index derived from the slot-level call paths
(:func:`pprof_parse.present.derived_view.view_index_at`) answers exactly what the index built from
the samples (:class:`~pprof_parse.present.view_index.ViewIndex`, ``GOPHERLAB_ENGINE=reference``)
and ``Profile.top``/``call_tree`` answer: every granularity, sample type, focus/ignore subset and
pruning option, on the committed and freshly made workload profiles, a diff profile and the
large benchmark CPU profile (when made: ``benchmarks/bigprof.py``)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from pprof_parse.figures import call_tree
from pprof_parse.present import derived_view, slot_paths
from pprof_parse.present.derived_view import DerivedViewIndex, view_index_at
from pprof_parse.present.slot_paths import SlotPaths
from pprof_parse.present.view_index import ViewIndex

PROFILES = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "profiles"
BIG = Path(__file__).resolve().parents[2] / "benchmarks" / ".data" / "big.cpu.pb.gz"
GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]
SUBSETS = [(None, None), (None, "runtime"), ("json|sort", "Marshal"), ("main", None), ("nosuchfunction", None)]
TREE_OPTIONS = [dict(max_nodes=1500), dict(min_fraction=0, max_nodes=None), dict(min_fraction=0.01, max_nodes=None),
                dict(min_fraction=0.02, max_nodes=12)]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs


def _check_equal(derived, plain, sample, focus=None, ignore=None, tree_options=TREE_OPTIONS):
    """The derived index's mask, top tables (by flat and cum) and call trees are the plain index's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a focus matching nothing: checked in test_view_index
        kept = derived.kept(focus, ignore) if (focus or ignore) else None
        want_kept = plain.kept(focus, ignore) if (focus or ignore) else None
    if kept is not None:
        np.testing.assert_array_equal(kept, want_kept)
    for cum in (False, True):
        _same(derived.top(sample, kept, cum=cum), plain.top(sample, want_kept, cum=cum))
    for opts in tree_options:
        _same(derived.call_tree(sample, kept, **opts), plain.call_tree(sample, want_kept, **opts))


@pytest.mark.parametrize("name", ["allocs.pb.gz", "cpu.pb.gz", "goroutine.pb.gz", "mutex.pb.gz", "heap.pb.gz"])
def test_equal_to_the_index_built_from_the_samples(name):
    prof = pprof_parse.read_profile(PROFILES / name)
    base = SlotPaths(prof.data)
    for granularity in GRANULARITIES:
        derived, plain = view_index_at(base, granularity), ViewIndex(prof.data, granularity)
        assert isinstance(derived, DerivedViewIndex)
        for sample in [t.type for t in prof.sample_types]:
            for focus, ignore in SUBSETS:
                _check_equal(derived, plain, sample, focus, ignore)


def test_equal_to_top_and_call_tree():
    """Directly against the library's reports too (not only through ViewIndex)."""
    prof = pprof_parse.read_profile(PROFILES / "cpu.pb.gz")
    base = SlotPaths(prof.data)
    for granularity in GRANULARITIES:
        index = view_index_at(base, granularity)
        for sample in [t.type for t in prof.sample_types]:
            _same(index.top(sample), prof.top(sample, granularity=granularity))
            _same(index.top(sample, index.kept("main", "sha256")),
                  prof.top(sample, granularity=granularity, focus="main", ignore="sha256"))
            _same(index.call_tree(sample), call_tree(prof, sample, granularity=granularity))


def test_samples_repeating_a_node_are_counted_once():
    """Some sample holds two slots (lines, call sites) of one function: the correction is exercised."""
    prof = pprof_parse.read_profile(PROFILES / "cpu.pb.gz")
    base = SlotPaths(prof.data)
    index = view_index_at(base, "functions")
    assert index.repeat_sample.size > 0 and base.multi_sample.size > 0
    pairs = view_index_at(base, "addresses")
    assert pairs.repeat_sample.size < index.repeat_sample.size
    _same(index.top("cpu"), prof.top("cpu", granularity="functions"))


def test_weights_of_both_signs():
    new = pprof_parse.read_profile(PROFILES / "heap.pb.gz")
    old = pprof_parse.read_profile(PROFILES / "heap-early.pb.gz")
    for mode in ("diff_base", "base"):
        d = pprof_parse.diff(new, old, mode=mode)
        assert (d.data.values < 0).any()
        base = SlotPaths(d.data)
        for granularity in ("functions", "lines"):
            derived, plain = view_index_at(base, granularity), ViewIndex(d.data, granularity)
            for sample in ("alloc_space", "inuse_objects"):
                _check_equal(derived, plain, sample)
                _check_equal(derived, plain, sample, "main", None)


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex"])
def test_workload_profiles(workload_profiles, kind):
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    base = SlotPaths(prof.data)
    for granularity in ("functions", "files", "lines"):
        derived, plain = view_index_at(base, granularity), ViewIndex(prof.data, granularity)
        for sample in [t.type for t in prof.sample_types]:
            _check_equal(derived, plain, sample, tree_options=TREE_OPTIONS[:3])
            _check_equal(derived, plain, sample, "main", "runtime", tree_options=TREE_OPTIONS[:1])


def test_reference_engine_builds_from_the_samples(monkeypatch):
    data = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").data
    base = SlotPaths(data)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    assert type(view_index_at(base, "lines")) is ViewIndex
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    assert type(view_index_at(base, "lines")) is DerivedViewIndex
    with pytest.raises(pprof_parse.OptionError):
        view_index_at(base, "bytes")


def test_a_node_across_slot_groups_is_built_from_the_samples(monkeypatch):
    """Were a node to span two slot groups, the repeats would be incomplete: the index is then built
    from the samples."""
    data = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").data
    base = SlotPaths(data)
    plain = ViewIndex(data, "functions")
    node = int(np.flatnonzero(plain.slot_count > 1)[0])
    slots = np.flatnonzero(plain.nodes.slot_node == node)
    assert derived_view.nodes_within_groups(plain.nodes.slot_node, base.slot_group, plain.nodes.n_nodes)
    base.slot_group = base.slot_group.copy()
    base.slot_group[slots[0]] = base.slot_group.max() + 1
    assert not derived_view.nodes_within_groups(plain.nodes.slot_node, base.slot_group, plain.nodes.n_nodes)
    assert type(view_index_at(base, "functions")) is ViewIndex


def test_slot_groups_are_connected_components():
    a = np.array([0, 0, 1, 2, 3, 3])  # names: {0,1} {2} {3} {4,5}
    b = np.array([0, 1, 2, 1, 4, 5])  # files: {0} {1,3} {2} {4} {5}
    assert slot_paths._components(a, b).tolist() == [0, 0, 1, 0, 2, 2]


@pytest.mark.slow
@pytest.mark.skipif(not BIG.exists(), reason="make it with benchmarks/bigprof.py")
def test_large_cpu_profile():
    prof = pprof_parse.read_profile(BIG)
    base = SlotPaths(prof.data)
    for granularity in ("lines", "files"):
        derived, plain = view_index_at(base, granularity), ViewIndex(prof.data, granularity)
        for sample in [t.type for t in prof.sample_types]:
            _check_equal(derived, plain, sample, tree_options=TREE_OPTIONS[:1])
        _check_equal(derived, plain, "cpu", "f1[0-9]$", None, tree_options=TREE_OPTIONS[:1])


@pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")
def test_a_profile_without_samples():
    prof = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").filter(focus="nosuchfunction")
    assert len(prof) == 0
    base = SlotPaths(prof.data)
    for granularity in ("functions", "lines"):
        _check_equal(view_index_at(base, granularity), ViewIndex(prof.data, granularity), "cpu")
