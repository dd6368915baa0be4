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
