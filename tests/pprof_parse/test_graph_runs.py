"""flat/cum computed over many small runs of samples (on threads) equal the one-pass result.

``analyze.graph.node_weights`` splits the samples into runs of about
``CHUNK_ENTRIES`` stack entries; the workload's profiles fit in one run, so
here the runs are made tiny and every report must come out the same --
which the differential tests then tie to ``go tool pprof``.
"""

from __future__ import annotations

import pandas as pd
import pytest

import pprof_parse
from pprof_parse import _threads
from pprof_parse.analyze import graph


@pytest.mark.go
@pytest.mark.parametrize("kind", ["cpu", "heap", "allocs", "goroutine", "mutex", "block"])
def test_small_runs_give_the_same_report(workload_profiles, monkeypatch, kind):
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    cases = [dict(sample_index=i, granularity=g, noinlines=ni, mean=mean)
             for i in range(len(prof.sample_types)) for g in ("functions", "lines") for ni in (False, True)
             for mean in ((False, True) if i else (False,))]
    expected = [prof.top(**c) for c in cases]
    monkeypatch.setattr(graph, "CHUNK_ENTRIES", 37)
    for threads in (1, 3):
        monkeypatch.setattr(_threads, "MAX_THREADS", threads)
        for c, want in zip(cases, expected):
            pd.testing.assert_frame_equal(prof.top(**c), want)


@pytest.mark.go
@pytest.mark.parametrize("kind", ["cpu", "heap"])
@pytest.mark.parametrize("noinlines", [False, True])
def test_sparse_samples_expand_like_the_dense_path(workload_profiles, kind, noinlines):
    """A few samples scattered over the profile (as inuse_space picks them) take the
    range-gather path of ``expand_frames``; their frames equal the full expansion's."""
    import numpy as np

    from pprof_parse.analyze.nodes import build_nodes

    data = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz").data
    nodes = build_nodes(data, "functions", noinlines=noinlines)
    all_sample, all_slot = graph.expand_frames(data, nodes)
    n = data.n_samples
    assert n > 20
    picked = np.array([n - 1, 3, n // 2, 3, 0])  # any order, repeats, both ends: far fewer entries than the span
    sample, slot = graph.expand_frames(data, nodes, picked)
    keep = np.isin(all_sample, picked)
    assert 4 * keep.sum() < all_sample.size  # the sparse path is the one under test
    np.testing.assert_array_equal(sample, all_sample[keep])
    np.testing.assert_array_equal(slot, all_slot[keep])
