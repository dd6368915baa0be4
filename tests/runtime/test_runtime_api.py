"""The runtime-diagnostics public surface."""

from __future__ import annotations

from pathlib import Path

import pytest

import pprof_parse.runtime as api
from gopherlab.reports.bundled import sample_path
from pprof_parse.errors import PprofParseError


def test_all_sorted_and_importable():
    assert api.__all__ == sorted(api.__all__, key=str.casefold)
    for name in api.__all__:
        assert getattr(api, name) is not None
        assert getattr(api, name).__doc__, name


def test_error_class():
    assert issubclass(api.RuntimeFormatError, PprofParseError)
    assert issubclass(api.RuntimeFormatError, ValueError)


def test_load_capture_bundled(sample_capture):
    with pytest.raises(TypeError):
        api.load_capture()  # the bundled sample is gopherlab's: pprof_parse names no package above it
    cap = api.load_capture(Path(sample_path("runtime/leakserver/manifest.json")).parent)
    assert cap["root"] == sample_capture.root
    assert cap["times"] == sample_capture.times
    assert len(cap["goroutine.debug2"]) == len(cap["times"]) and cap["gctrace"].exists()
    assert set(cap["gc_runs"]) == {"gogc100", "gogc50", "gomemlimit24", "alltraces"}
    res = api.find_leaks(cap["goroutine"], times=cap["times"])
    assert res.suspect.sum() == 4
