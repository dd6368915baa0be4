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
    """The line parser's and the scanner's results; the scanner also runs in parts of
    a few lines (names, units and shapes numbered across parts) and must agree."""
    from gobench.read import fastscan

    old, old_part = bf.FAST_SCAN_MIN_BYTES, fastscan.PART_BYTES
    try:
        bf.FAST_SCAN_MIN_BYTES = 10 ** 12
        slow = parse_inputs([Input("f", "f", text)])
        bf.FAST_SCAN_MIN_BYTES = 0
        fast = parse_inputs([Input("f", "f", text)])
        fastscan.PART_BYTES = 97
        in_parts = parse_inputs([Input("f", "f", text)])
    finally:
        bf.FAST_SCAN_MIN_BYTES, fastscan.PART_BYTES = old, old_part
    _assert_same(fast, in_parts)
    return slow, fast


def _assert_same(a, b):
    assert a.res_name == b.res_name
    assert a.res_line.tolist() == b.res_line.tolist()
    assert a.res_iters.tolist() == b.res_iters.tolist()
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


def test_long_units_and_names_same_both_ways():
    """Units over 16 bytes and names over 256 bytes are numbered through the dict fallback."""
    long_name = "BenchmarkLong/" + "k=v/" * 70
    text = "".join(f"{name}-2\t{10 + i}\t{i}.5 ns/op\t{i} allocated-objects-per-op/op\n"
                   for i in range(40) for name in ("BenchmarkA", long_name, "BenchmarkA"))
    slow, fast = _both(text)
    _assert_same(slow, fast)
    assert len(fast) == 120 and "allocated-objects-per-op/op" in fast.ucode_orig


def test_non_ascii_anywhere_sends_the_file_to_the_line_parser():
    """A non-ASCII configuration line far from any result line (another part of the
    scan) still gives the line parser's results."""
    text = ("BenchmarkA 1 2 ns/op\n" * 20 + "goos: plan9\n" * 10 + "note: µs and ü\n"
            + "goos: plan9\n" * 10 + "BenchmarkA 1 3 ns/op\n" * 20)
    slow, fast = _both(text)
    _assert_same(slow, fast)
    assert ("note", "µs and ü") in fast.configs[-1]


def test_crlf_and_tabs_same_both_ways():
    need_vectors()
    text = (INPUTS / "old.txt").read_text().replace("\n", "\r\n")
    slow, fast = _both(text)
    _assert_same(slow, fast)
    assert len(fast) == 88


def _scan_tokens(tokens: list[str], parse):
    """Run the vectorised reader *parse* over *tokens* laid out as one text."""
    from gobench.read import fastscan

    data = " ".join(tokens).encode("ascii") + b" "
    bx, w = fastscan._words(fastscan._padded(data))
    edges = fastscan._tokens(bx)
    s, e = edges[0::2], edges[1::2]
    return parse(w, s, e)


_DIGITS = st.text("0123456789", min_size=0, max_size=20)


@settings(max_examples=300, deadline=None)
@given(toks=st.lists(st.tuples(st.sampled_from(["", "-", "+", "--"]), _DIGITS,
                               st.sampled_from(["", ".", ".."]), _DIGITS,
                               st.sampled_from(["", "e5", "e-3", "x"])), min_size=1, max_size=40))
def test_vectorised_decimals_are_parse_float(toks):
    """Every token the SWAR reader accepts has exactly ParseFloat's value (bits, sign of 0)."""
    from gobench.read import fastscan
    from gobench.read.benchfmt import _go_atof

    tokens = ["".join(t) or "0" for t in toks]
    vals, ok = _scan_tokens(tokens, fastscan.parse_decimals)
    for tok, v, good in zip(tokens, vals.tolist(), ok.tolist()):
        want = _go_atof(tok)
        if good:
            assert not isinstance(want, str), tok
            assert v == want and np.copysign(1, v) == np.copysign(1, want), tok
        else:  # left to the exact parser: not plain, or too long for the fast path
            assert isinstance(want, str) or len(tok.lstrip("+-")) > 8 or tok[0] in "+-" \
                or "e" in tok, tok


@pytest.mark.parametrize("tok", ["0", "-0", "+0", "5.", ".5", "0.1", "1234567.8", "12345678",
                                 "123456789", "9007199254740991", "9007199254740993",
                                 "1234567890123456", "123456789012345.6", "0.000000000000001",
                                 "99999999", "1591.41", "-12.5", "00012.50", ".", "-", "1.2.3",
                                 "4.35", "0.30000000000000004", "1e5"])
def test_vectorised_decimal_edge_cases(tok):
    from gobench.read import fastscan
    from gobench.read.benchfmt import _go_atof

    vals, ok = _scan_tokens(["7", tok, "7"], fastscan.parse_decimals)
    want = _go_atof(tok)
    if ok[1]:
        assert vals[1] == want and np.copysign(1, vals[1]) == np.copysign(1, want)
    else:
        assert isinstance(want, str) or len(tok.lstrip("+-")) > 16 or "e" in tok \
            or float(tok.replace(".", "").lstrip("+-") or 0) >= 2 ** 53


@settings(max_examples=200, deadline=None)
@given(toks=st.lists(st.text("0123456789+-x", min_size=1, max_size=20), min_size=1, max_size=30))
def test_vectorised_uints_are_atoi(toks):
    from gobench.read import fastscan

    vals, ok = _scan_tokens(toks, fastscan.parse_uints)
    for tok, v, good in zip(toks, vals.tolist(), ok.tolist()):
        if good:
            assert tok.isdigit() and int(tok) == v
        else:
            assert not tok.isdigit() or len(tok) > 16


def test_slot_ids_number_by_first_appearance_and_detect_collisions():
    from gobench.read.fastscan import _slot_ids

    keys = np.array([7, 3, 7, 9, 3, 3, 11], dtype=np.uint64)
    ids, first = _slot_ids(keys * np.uint64(0x9E3779B97F4A7C15), (keys,))
    assert ids.tolist() == [0, 1, 0, 2, 1, 1, 3] and first.tolist() == [0, 1, 3, 6]
    # one slot for everything: different keys collide and the caller must fall back
    assert _slot_ids(keys, (keys,), bits=1) is None or len(set(keys.tolist())) <= 2
    same = np.zeros(5, dtype=np.uint64)
    assert _slot_ids(same, (same,), bits=1)[0].tolist() == [0] * 5


@pytest.mark.parametrize("per_shape_max", [0, 10 ** 6])
def test_tidy_values_both_ways_match_the_rule(per_shape_max, monkeypatch):
    """Per (shape, position) or all at once: a value is tidied and its unit coded
    ``unit + nu`` exactly where ``value * factor != value`` (NaN included)."""
    rng = np.random.default_rng(5)
    factors = [1.0, 1e-9, 1e6, 1.0]
    shape_ids = [[0, 1], [2], [1, 3, 0], []]
    seq = rng.integers(0, len(shape_ids), 500)
    counts = np.array([len(shape_ids[s]) for s in seq])
    raw = rng.choice([0.0, -0.0, 1.5, 3e8, np.nan, np.inf, 7.0], int(counts.sum()))
    monkeypatch.setattr(bf, "PER_SHAPE_MAX", per_shape_max)
    value, ucode = bf._tidy_values(raw, seq, counts, shape_ids, factors)
    uid = np.concatenate([shape_ids[s] for s in seq]).astype(np.int64)
    tidy = raw * np.asarray(factors)[uid]
    changed = tidy != raw
    np.testing.assert_array_equal(value, np.where(changed, tidy, raw))
    np.testing.assert_array_equal(np.signbit(value), np.signbit(np.where(changed, tidy, raw)))
    np.testing.assert_array_equal(ucode, uid + len(factors) * changed)


def _unit_ids_of(toks: list[str]):
    """:func:`fastscan._unit_ids` of *toks* laid out as one space-separated text."""
    from gobench.read import fastscan

    padded = fastscan._padded(" ".join(toks).encode())
    bx, w = fastscan._words(padded)
    edges = fastscan._tokens(bx)
    return fastscan._unit_ids(padded, w, edges[0::2], edges[1::2])


@settings(max_examples=150, deadline=None)
@given(toks=st.lists(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126),
                             min_size=1, max_size=12), min_size=1, max_size=40),
       pool=st.integers(1, 6))
def test_unit_ids_number_tokens_by_first_appearance(toks, pool):
    """Units are numbered exactly (one-word keys up to 9 bytes, two words up to 16,
    a dict beyond): equal texts share an id, ids follow first appearance."""
    toks = [toks[i % pool] if i % 3 else t for i, t in enumerate(toks)]   # repeats
    toks += [t[:8] for t in toks if len(t) == 9] + [t[:8] + "~" for t in toks if len(t) == 8]
    ids, strings = _unit_ids_of(toks)
    index: dict[str, int] = {}
    want = [index.setdefault(t, len(index)) for t in toks]
    assert ids.tolist() == want and strings == list(index)


def test_unit_ids_tell_ninth_bytes_apart_bit_by_bit():
    """Nine-byte units differing in one bit of the ninth byte get different ids."""
    toks = ["allocs/op", "allocs/o", "B/op"]
    for bit in range(7):
        c = next(c for c in range(33, 127) if not c & (1 << bit) and c | (1 << bit) < 127)
        toks += ["abcdefgh" + chr(c), "abcdefgh" + chr(c | (1 << bit))]
    toks = toks * 3
    ids, strings = _unit_ids_of(toks)
    index: dict[str, int] = {}
    assert ids.tolist() == [index.setdefault(t, len(index)) for t in toks]
    assert strings == list(index)
