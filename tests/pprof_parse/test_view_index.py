"""The explorer's sample index (:class:`pprof_parse.present.view_index.ViewIndex`) gives exactly
what ``Profile.top`` and ``call_tree`` give, for every sample type, granularity and focus/ignore
subset: the same frames, row for row, and the same ``attrs``. On the committed workload profiles, a
diff profile (weights of both signs) and an empty subset."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from pprof_parse.analyze.filter import samples_kept_by_name
from pprof_parse.figures import call_tree
from pprof_parse.present.view_index import ViewIndex

PROFILES = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "profiles"
GRANULARITIES = ["functions", "files", "lines", "addresses"]
SUBSETS = [(None, None), (None, "runtime"), ("json|sort", "Marshal"), ("nosuchfunction", None)]
# the explorer's; every path (no cutoff: each path totalled); the cutoff alone (paths found top
# down); both limits
TREE_OPTIONS = [dict(max_nodes=1500), dict(min_fraction=0, max_nodes=None), dict(min_fraction=0.01, max_nodes=None),
                dict(min_fraction=0.02, max_nodes=12)]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs


def _check(prof, index, sample, focus, ignore):
    """Top (by flat; by cum too without a subset) and call trees (every pruning option without a
    subset, the explorer's with one) equal the library's."""
    kept = index.kept(focus, ignore) if (focus or ignore) else None
    sub = prof.filter(focus=focus, ignore=ignore) if (focus or ignore) else prof
    for cum in (False, True) if kept is None else (False,):
        _same(index.top(sample, kept, cum=cum),
              prof.top(sample, cum=cum, granularity=index.granularity, focus=focus, ignore=ignore))
    for opts in TREE_OPTIONS if kept is None else TREE_OPTIONS[::2]:
        _same(index.call_tree(sample, kept, **opts), call_tree(sub, sample, granularity=index.granularity, **opts))


@pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")  # a focus matching nothing
@pytest.mark.parametrize("name", ["allocs.pb.gz", "cpu.pb.gz", "goroutine.pb.gz", "mutex.pb.gz"])
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_equal_to_top_and_call_tree(name, granularity):
    prof = pprof_parse.read_profile(PROFILES / name)
    index = ViewIndex(prof.data, granularity)
    for sample in [t.type for t in prof.sample_types]:
        for focus, ignore in SUBSETS:
            _check(prof, index, sample, focus, ignore)


def test_weights_of_both_signs():
    new = pprof_parse.read_profile(PROFILES / "heap.pb.gz")
    base = pprof_parse.read_profile(PROFILES / "heap-early.pb.gz")
    for mode in ("diff_base", "base"):
        d = pprof_parse.diff(new, base, mode=mode)
        index = ViewIndex(d.data, "functions")
        assert (d.data.values < 0).any()
        for sample in ("alloc_space", "inuse_objects"):
            _check(d, index, sample, None, None)
            _check(d, index, sample, "main", None)


def test_kept_is_the_filters_sample_subset():
    prof = pprof_parse.read_profile(PROFILES / "cpu.pb.gz")
    index = ViewIndex(prof.data)
    kept = index.kept("main", "sha256")
    assert 0 < kept.sum() == len(prof.filter(focus="main", ignore="sha256")) < len(prof)
    with pytest.raises(pprof_parse.OptionError):
        index.kept("(?=x)")  # Go's syntax, as -focus


def test_cutoff_keeps_the_paths_of_every_path_totalled():
    """With a cutoff the drawn paths are found top down; they are those the full totals give."""
    prof = pprof_parse.read_profile(PROFILES / "cpu.pb.gz")
    index = ViewIndex(prof.data, "lines")
    for kept in (None, index.kept("main", "sha256")):
        _, w = index._weights(None, kept)
        for fraction in (0.001, 0.005, 0.05):
            cutoff = fraction * float(w.sum())
            ids, total = index._drawn_above(w, cutoff)
            every = index._path_totals(w)
            parent = index.path_parent
            want = np.flatnonzero(np.r_[True, (every[1:] != 0) & (every[parent[1:]] >= cutoff)])
            np.testing.assert_array_equal(ids, want)
            np.testing.assert_array_equal(total, every[want])
            assert ids.size > 1
        assert ids.size < np.count_nonzero(every)  # the largest cutoff leaves reached paths out


@pytest.mark.parametrize("name", ["allocs.pb.gz", "cpu.pb.gz", "mutex.pb.gz"])
@pytest.mark.parametrize("granularity", GRANULARITIES + ["filefunctions"])
def test_kept_equals_the_filters_mask(name, granularity):
    """The mask read from the nodes' pairs (or the stacks, when a regex splits a node or matches a
    mapping file) is the filter's, with the same warnings."""
    data = pprof_parse.read_profile(PROFILES / name).data
    index = ViewIndex(data, granularity)
    for focus, ignore in SUBSETS + [("main\\.go", None), (None, "workload"), ("json", "encode"), (None, "."),
                                    ("main\\.json", None)]:
        with warnings.catch_warnings(record=True) as mine:
            warnings.simplefilter("always")
            got = index.kept(focus, ignore)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            want = samples_kept_by_name(data, focus=focus, ignore=ignore)
        np.testing.assert_array_equal(got, want, err_msg=f"{focus=} {ignore=}")
        assert [str(w.message) for w in mine] == [str(w.message) for w in theirs]


def test_a_regex_splitting_a_node_is_not_read_from_the_nodes():
    """A node whose lines match only in part (or a mapping match) sends ``kept`` to the stack scan."""
    data = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").data
    index = ViewIndex(data, "files")
    node = int(np.flatnonzero(index.slot_count > 1)[0])
    slot_lines = index.slot_line[index.nodes.slot_node == node]
    line = np.zeros(data.line_function.size, bool)
    line[slot_lines[0]] = True
    no_mapping = np.zeros(data.loc_id.size, bool)
    assert index._node_flags(line, no_mapping, None) is None
    line[slot_lines] = True
    assert index._node_flags(line, no_mapping, None)[node]
    assert index._node_flags(line, ~no_mapping, None) is None
