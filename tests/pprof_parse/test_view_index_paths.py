"""The sample index's call paths: the packed sort that numbers them level by level equals
``np.unique`` (keys, inverse) on random and edge-case keys and on real profiles, and the index
built with it gives ``Profile.top`` and ``call_tree`` exactly on the workload's fresh profiles and
on the large benchmark CPU profile (when made: ``benchmarks/bigprof.py``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pprof_parse
import pprof_parse.present.view_index as view_index
from pprof_parse.figures import call_tree
from pprof_parse.present.view_index import ViewIndex

BIG = Path(__file__).resolve().parents[2] / "benchmarks" / ".data" / "big.cpu.pb.gz"


@pytest.mark.parametrize("size, bound", [(0, 10), (1, 10), (7, 3), (1000, 5), (100_000, 2**40), (5000, 2**20)])
def test_sorted_groups_equal_unique(size, bound):
    rng = np.random.default_rng(size)
    key = rng.integers(0, bound, size, dtype=np.int64)
    got_key, got_inverse = view_index._sorted_groups(key, bound)
    want_key, want_inverse = np.unique(key, return_inverse=True)
    assert np.array_equal(got_key, want_key) and np.array_equal(got_inverse, want_inverse)
    assert np.array_equal(got_key[got_inverse], key)


def test_sorted_groups_too_wide_for_packing_falls_back():
    key = np.array([2**60, 3, 2**60, 0], dtype=np.int64)
    got_key, got_inverse = view_index._sorted_groups(key, 2**61)
    assert got_key.tolist() == [0, 3, 2**60] and got_inverse.tolist() == [2, 1, 2, 0]


def test_paths_equal_those_numbered_by_unique(sample_profiles, monkeypatch):
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    fast = ViewIndex(prof.data, "lines")
    monkeypatch.setattr(view_index, "_sorted_groups", lambda key, bound: np.unique(key, return_inverse=True))
    plain = ViewIndex(prof.data, "lines")
    for attr in ("path_parent", "path_node", "path_depth", "sample_path", "sample_order", "path_first", "path_end"):
        assert np.array_equal(getattr(fast, attr), getattr(plain, attr)), attr


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex"])
def test_workload_profiles_equal_to_top_and_call_tree(workload_profiles, kind, monkeypatch):
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    for granularity in ("lines", "files"):
        index = ViewIndex(prof.data, granularity)
        for sample in [t.type for t in prof.sample_types]:
            pd.testing.assert_frame_equal(index.top(sample), prof.top(sample, granularity=granularity))
            pd.testing.assert_frame_equal(index.call_tree(sample, min_fraction=0, max_nodes=None),
                                          call_tree(prof, sample, granularity=granularity, min_fraction=0,
                                                    max_nodes=None))
    fast = ViewIndex(prof.data, "lines")
    monkeypatch.setattr(view_index, "_sorted_groups", lambda key, bound: np.unique(key, return_inverse=True))
    plain = ViewIndex(prof.data, "lines")
    for attr in ("path_parent", "path_node", "sample_order", "path_first", "path_end"):
        assert np.array_equal(getattr(fast, attr), getattr(plain, attr)), attr


@pytest.mark.slow
@pytest.mark.skipif(not BIG.exists(), reason="the large profile is made by benchmarks/bigprof.py")
@pytest.mark.parametrize("granularity", ["lines", "files"])
def test_big_profile_equal_to_top_and_call_tree(granularity):
    prof = pprof_parse.read_profile(BIG)
    index = ViewIndex(prof.data, granularity)
    sample = prof.sample_types[-1].type
    kept = index.kept("f1[0-9]$", None)
    pd.testing.assert_frame_equal(index.top(sample), prof.top(sample, granularity=granularity))
    pd.testing.assert_frame_equal(index.top(sample, kept), prof.top(sample, granularity=granularity, focus="f1[0-9]$"))
    pd.testing.assert_frame_equal(index.call_tree(sample, max_nodes=1500),
                                  call_tree(prof, sample, granularity=granularity, max_nodes=1500))
