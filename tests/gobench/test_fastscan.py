"""The vectorised scanner must give exactly what the line-by-line parser gives."""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gobench.read.benchfmt as bf
from gobench.read.benchfmt import parse_inputs
from gobench.read.sources import Input

from gobench_vectors import INPUTS, need_vectors


def _both(text: str, monkeypatch=None):
    old = bf.FAST_SCAN_MIN_BYTES
    try:
        bf.FAST_SCAN_MIN_BYTES = 10 ** 12
        slow = parse_inputs([Input("f", "f", text)])
        bf.FAST_SCAN_MIN_BYTES = 0
        fast = parse_inputs([Input("f", "f", text)])
    finally:
        bf.FAST_SCAN_MIN_BYTES = old
    return slow, fast


def _assert_same(a, b):
    assert a.res_name == b.res_name
    assert a.res_line == b.res_line
    assert a.res_iters == b.res_iters
    assert [a.configs[i] for i in a.res_config] == [b.configs[i] for i in b.res_config]
    np.testing.assert_array_equal(a.m_value, b.m_value)
    assert list(a.m_unit) == list(b.m_unit) and list(a.m_orig_unit) == list(b.m_orig_unit)
    assert [str(e) for e in a.errors] == [str(e) for e in b.errors]
    assert a.units == b.units


@pytest.mark.parametrize("name", ["old.txt", "new.txt", "edge-cases.txt", "unit-metadata.txt",
                                  "new-from-json.txt"])
def test_vector_files_same_both_ways(name, monkeypatch):
    need_vectors()
    text = (INPUTS / name).read_text()
    slow, fast = _both(text, monkeypatch)
    _assert_same(slow, fast)


def test_noise_lines_and_bare_names(monkeypatch):
    text = ("goos: linux\npkg: a\nBenchmarkA\nBenchmarkA-2  \t 10\t 5.5 ns/op\t 1 B/op\n"
            "Unit B/op better=lower\nBenchmarkB 3 7\nBenchmarkA-2 12 6e1 ns/op 2 B/op\r\n"
            "note: x\nBenchmark 4 1 x/op\nBenchmarkC  5 .5 y/op\nPASS\n")
    slow, fast = _both(text, monkeypatch)
    _assert_same(slow, fast)
    assert len(fast) == 4 and [str(e) for e in fast.errors] == ["f:6: missing units"]


token = st.sampled_from(["1", "2.5", "10", "0", "ns/op", "B/op", "x", "-3", "1e3", "NaN", "µs",
                         "a_b", "+7", "0x10", "\t", " "])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(["BenchmarkX", "BenchmarkY-4", "Benchmark", "foo: bar",
                                           "key:", "Unit x/op assume=exact", "PASS"]),
                          st.lists(token, max_size=7)), max_size=12))
def test_random_lines_same_both_ways(lines):
    text = "".join(head + (" " + " ".join(toks) if toks else "") + "\n" for head, toks in lines)
    slow, fast = _both(text)
    _assert_same(slow, fast)


def test_crlf_and_tabs_same_both_ways():
    need_vectors()
    text = (INPUTS / "old.txt").read_text().replace("\n", "\r\n")
    slow, fast = _both(text)
    _assert_same(slow, fast)
    assert len(fast) == 88
