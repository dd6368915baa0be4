"""Measurement tokens parse as Go's strconv.ParseFloat does (checked against benchstat 712aea8)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gobench.read.benchfmt import parse_inputs
from gobench.read.benchfmt_reference import parse_float
from gobench.read.sources import Input

# token -> value, or the NumError reason benchstat prints ("parsing measurement: ...")
GO = {
    "1_0.5": 10.5, "1_000": 1000.0, "1e1_0": 1e10, "0x_1p3": 8.0, "0x1_0p0": 16.0,
    "1__0": "invalid syntax", "_1": "invalid syntax", "1_": "invalid syntax",
    "1_e5": "invalid syntax", "0_1": 1.0,
    "+nan": "invalid syntax", "-nan": "invalid syntax", "NAN": math.nan, "nan": math.nan,
    "inf": math.inf, "-Inf": -math.inf, "+Infinity": math.inf, "infinit": "invalid syntax",
    "1e400": "value out of range", "-1e400": "value out of range", "1e-400": 0.0,
    "1.7976931348623159e308": "value out of range", "0x1p99999": "value out of range",
    "0x10": "invalid syntax", "0x1.8p1": 3.0, "0X1P-2": 0.25, "0b101": "invalid syntax",
    "5.": 5.0, ".5": 0.5, "+.5": 0.5, ".": "invalid syntax", "-": "invalid syntax",
    ".e5": "invalid syntax", "1.5e": "invalid syntax", "--1": "invalid syntax",
    "-0": -0.0, "4e-320": 4e-320,
}


@pytest.mark.parametrize("tok", list(GO))
def test_parse_float(tok):
    want, got = GO[tok], parse_float(tok)
    if isinstance(want, str):
        assert got == want
    elif math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want and math.copysign(1, got) == math.copysign(1, want)


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_overflow_is_an_error_record_in_both_engines(engine, monkeypatch):
    monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
    r = parse_inputs([Input("f", "f", "BenchmarkA 1 1e400 ns/op\nBenchmarkA 1 5 ns/op\n")])
    assert [str(e) for e in r.errors] == ["f:1: parsing measurement: value out of range"]
    np.testing.assert_array_equal(r.m_value, [5e-9])
