"""Arbitrary option strings on the bundled sample profiles: only OptionError escapes, and the
filtered data stays a consistent profile (the properties every filter result must keep)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pprof_parse
from pprof_parse.analyze.filter import FILTER_OPTIONS, apply_filters_indexed
from pprof_parse.errors import OptionError

PIECES = ["main", "\\.", "runtime", "(", ")", "[", "]", "*", "+", "?", "|", "^", "$", "=", ":", ",", "kb", "64",
          "1", "-", "+1", "bytes", "phase", "kind", "cpu", "[[:digit:]]", "\\z", "(?i)", "{2}", "\\pL", "json"]
option_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=6).map("".join)


@pytest.fixture(scope="module")
def samples(sample_profiles):
    return {k: pprof_parse.read_profile(sample_profiles / f"{k}.pb.gz") for k in ("cpu", "heap", "mutex")}


def _consistent(before, after, orig):
    d = after
    assert d.values.shape[0] == d.n_samples == orig.size
    assert np.array_equal(d.values, before.values[orig])
    assert d.stack_offsets[0] == 0 and d.stack_offsets[-1] == d.stack_locs.size
    assert (np.diff(d.stack_offsets) >= 0).all()
    assert d.loc_line_offsets[-1] == d.line_function.size
    assert (d.label_sample < d.n_samples).all() and (d.numlabel_sample < d.n_samples).all()
    # every kept stack is a contiguous run of the original stack (filters only cut or drop frames)
    assert set(d.stack_locs.tolist()) <= set(before.stack_locs.tolist())


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["cpu", "heap", "mutex"]),
       opts=st.dictionaries(st.sampled_from(FILTER_OPTIONS), option_text, max_size=4))
def test_any_option_text_gives_a_profile_or_option_error(samples, kind, opts):
    data = samples[kind].data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out, orig = apply_filters_indexed(data, **opts)
        except OptionError:
            return
    _consistent(data, out, orig)
    samples[kind].top()  # the source profile is never modified
