"""pprof_parse's warnings name the user's line, however deep in the package they are raised."""

from __future__ import annotations

import gzip
import warnings

import pprof_parse
from pprof_parse.errors import PprofParseWarning
from test_bad_input import _f


def _caught(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [w for w in caught if issubclass(w.category, PprofParseWarning)]


def test_read_stage_warning_points_at_the_caller_of_read_profile(sample_profiles):
    data = gzip.decompress((sample_profiles / "heap.pb.gz").read_bytes()) + _f(6, 2, b"caf\xc3")
    caught = _caught(lambda: pprof_parse.read_profile(data))
    assert caught and {w.filename for w in caught} == {__file__}, [(w.filename, w.lineno) for w in caught]


def test_filter_warning_points_at_the_caller_of_top_and_filter(sample_profiles):
    prof = pprof_parse.read_profile(sample_profiles / "heap.pb.gz")
    for call in (lambda: prof.top(focus="no-such-function-anywhere"),
                 lambda: prof.filter(focus="no-such-function-anywhere")):
        caught = _caught(call)
        assert caught and {w.filename for w in caught} == {__file__}, [(w.filename, w.lineno) for w in caught]
