"""``samples_kept_by_name`` (the samples pprof's ``-focus``/``-ignore``/``-hide``/``-show`` keep,
without a filtered copy) is exactly the subset ``apply_filters`` keeps, on the committed workload
profiles: for each option alone, combined, matching every sample or none, and matching through a
mapping file (the workload binary's name)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import pprof_parse
from pprof_parse.analyze.filter import apply_filters_indexed, samples_kept_by_name

PROFILES = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "profiles"
OPTIONS = [
    dict(focus="json|sort"), dict(ignore="runtime"), dict(focus="main", ignore="sha256"),
    dict(hide="runtime\\."), dict(show="main\\."), dict(hide="workload"),  # the mapping file's name
    dict(show="workload"), dict(focus="main", hide="encoding/"), dict(hide="main", show="json"),
    dict(focus="nosuchfunction"), dict(ignore="."), dict(show="nosuchfunction"), dict(hide="."),
    dict(focus="Marshal", ignore="Unmarshal", hide="reflect", show="encoding|main"),
]


def _library_mask(data, opts) -> np.ndarray:
    """The kept samples as the filtered copy records them."""
    keep = np.zeros(data.n_samples, bool)
    keep[apply_filters_indexed(data, **opts, warn=False)[1]] = True
    return keep


@pytest.mark.parametrize("name", ["allocs.pb.gz", "cpu.pb.gz", "goroutine.pb.gz", "mutex.pb.gz", "heap.pb.gz"])
def test_mask_equals_the_filters_subset(name):
    data = pprof_parse.read_profile(PROFILES / name).data
    sizes = set()
    for opts in OPTIONS:
        got = samples_kept_by_name(data, **opts, warn=False)
        np.testing.assert_array_equal(got, _library_mask(data, opts), err_msg=str(opts))
        sizes.add(int(got.sum()))
    assert 0 in sizes and data.n_samples in sizes  # none and all
    if data.n_samples > 100:
        assert len(sizes) > 3  # proper subsets too


def test_no_option_keeps_every_sample():
    data = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").data
    assert samples_kept_by_name(data).all()


def test_warnings_and_errors_as_the_filter():
    data = pprof_parse.read_profile(PROFILES / "cpu.pb.gz").data
    said = []
    for opts in (dict(focus="nosuchfunction"), dict(hide="nosuchfunction"), dict(focus="main")):
        with warnings.catch_warnings(record=True) as mine:
            warnings.simplefilter("always")
            samples_kept_by_name(data, **opts)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            apply_filters_indexed(data, **opts)
        assert [str(w.message) for w in mine] == [str(w.message) for w in theirs]
        said.append([str(w.message) for w in mine])
    assert said == [["Focus expression matched no samples"], ["Hide expression matched no samples"], []]
    with pytest.raises(pprof_parse.OptionError, match="ignore"):
        samples_kept_by_name(data, focus="main", ignore="(?=x)")  # Go's syntax: no look-ahead
