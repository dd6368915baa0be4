"""The fast engine (vectorised scanner) must give exactly what the reference
engine (benchfmt's reader, line by line) gives; the scanner's parts and its
vectorised number and name readers are checked on their own below."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gobench.read.benchfmt as bf
from gobench.read import fastscan
from gobench.read.benchfmt import parse_inputs
from gobench.read.benchfmt_reference import parse_float
from gobench.read.sources import Input

from gobench_vectors import INPUTS, need_vectors


def _read(text: str, engine: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOPHERLAB_ENGINE", engine)
        return parse_inputs([Input("f", "f", text)])


def _both(text: str):
    """The reference engine's and the fast engine's results; the scanner also runs in
    parts of a few lines (names, units and shapes numbered across parts) and must agree."""
    _assert_scan_same_in_parts(text.encode("utf-8", "surrogateescape"))
    return _read(text, "reference"), _read(text, "fast")


def _scanned(sr):
    """A :class:`~gobench.read.fastscan.ScanResult` as plain lists (ids resolved)."""
    if sr is None:
        return None
    names = [sr.names[i] for i in np.concatenate(sr.name_id).tolist()]
    shapes = [sr.shapes[i] for i in np.concatenate(sr.shape_of_line).tolist()]
    return ([x.tolist() for x in sr.line_bounds], sr.res_line.tolist(), names, shapes,
            np.concatenate(sr.iters).tolist(), np.concatenate(sr.values).view(np.int64).tolist())


def _assert_scan_same_in_parts(data: bytes, part_bytes: int = 97):
    whole = fastscan.scan(data)
    assert _scanned(fastscan.scan(data, part_bytes=part_bytes)) == _scanned(whole)


def _assert_same(a, b):
    """Equal :class:`Results`, field by field (dtypes, NaN and the sign of zero too)."""
    for f in ("paths", "labels", "names", "configs", "ucode_unit", "ucode_orig", "units"):
        assert getattr(a, f) == getattr(b, f), f
    for f in ("res_file", "res_line", "res_name_id", "res_iters", "res_config", "res_nvals",
              "m_ucode", "m_value", "m_raw"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.dtype == y.dtype, f
        np.testing.assert_array_equal(x, y, err_msg=f)
        np.testing.assert_array_equal(np.signbit(x), np.signbit(y), err_msg=f)
    assert [(type(e), str(e)) for e in a.errors] == [(type(e), str(e)) for e in b.errors]


@pytest.mark.parametrize("name", ["old.txt", "new.txt", "edge-cases.txt", "unit-metadata.txt",
                                  "new-from-json.txt", "go-version.txt", "new.json"])
def test_vector_files_same_both_engines(name):
    need_vectors()
    text = (INPUTS / name).read_text()
    ref, fast = _both(text)
    _assert_same(ref, fast)


@pytest.mark.parametrize("name", ["old.txt", "new.txt"])
def test_bundled_bench_data_same_both_engines(name):
    from gopherlab.reports.bundled import sample_path

    with open(sample_path("bench/" + name), encoding="utf-8") as f:
        text = f.read()
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert len(fast) > 0


def test_several_files_same_both_engines():
    """Names, configurations and units are numbered across files the same way."""
    need_vectors()
    inputs = [Input(n, n, (INPUTS / n).read_text()) for n in
              ("old.txt", "unit-metadata.txt", "new.json", "edge-cases.txt", "new.txt")]
    got = {}
    for engine in ("fast", "reference"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("GOPHERLAB_ENGINE", engine)
            got[engine] = parse_inputs(inputs)
    _assert_same(got["reference"], got["fast"])
    assert len(got["fast"].paths) == 5 and len(got["fast"].errors) == 3


def test_interleaved_test2json_packages_same_both_engines():
    """A go test -json stream: each package's lines in stream order, numbered by the
    event they began in (not increasing across packages); a broken event is an error
    record; a result line split over two events; the packages read as one text, one
    configuration carrying over from one to the next."""
    import json

    def ev(pkg, out):
        return json.dumps({"Action": "output", "Package": pkg, "Output": out})

    events = [ev("a", "goos: linux\n"), ev("b", "pkg: b\n"), ev("a", "pkg: a\n"),
              ev("b", "BenchmarkB-2 \t 10\t 5 ns/op\n"), "{broken",
              ev("a", "BenchmarkA-2 \t 20\t"), ev("b", "BenchmarkB-2 1 2\n"),
              ev("a", " 7.5 ns/op\t 3 B/op\n"), ev("a", "pkg:\nBenchmarkA-2 1 1 ns/op\n")]
    text = "\n".join(events) + "\n"
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert fast.res_line.tolist() == [6, 9, 4] and fast.res_name == ["A-2", "A-2", "B-2"]
    assert [(e.line, e.msg) for e in fast.errors] == [
        (5, "invalid test2json event: Expecting property name enclosed in double quotes"),
        (7, "missing units")]
    assert [fast.configs[i] for i in fast.res_config] == [
        (("goos", "linux"), ("pkg", "a")), (("goos", "linux"),), (("goos", "linux"), ("pkg", "b"))]
    # a non-ASCII result line (read by the line reader) among scanned ones
    events.insert(1, ev("b", "Benchmark\u00c9t\u00e9 3 1 ns/op\n"))
    ref, fast = _both("\n".join(events) + "\n")
    _assert_same(ref, fast)
    assert fast.res_line.tolist() == [7, 10, 2, 5] and fast.names == ["A-2", "\u00c9t\u00e9", "B-2"]


def test_noise_lines_and_bare_names():
    text = ("goos: linux\npkg: a\nBenchmarkA\nBenchmarkA-2  \t 10\t 5.5 ns/op\t 1 B/op\n"
            "Unit B/op better=lower\nBenchmarkB 3 7\nBenchmarkA-2 12 6e1 ns/op 2 B/op\r\n"
            "note: x\nBenchmark 4 1 x/op\nBenchmarkC  5 .5 y/op\nPASS\n")
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert len(fast) == 4 and [str(e) for e in fast.errors] == ["f:6: missing units"]


def test_unknown_engine_is_refused_naming_the_variable(monkeypatch):
    from gopherlab_common.engine import EngineSettingError

    monkeypatch.setenv("GOPHERLAB_ENGINE", "quick")
    with pytest.raises(EngineSettingError, match="GOPHERLAB_ENGINE"):
        parse_inputs([Input("f", "f", "BenchmarkA 1 2 ns/op\n")])


def test_lines_left_by_the_scanner_go_to_the_reference_reader(monkeypatch):
    """Under the fast engine the scanner reads the simple result lines and the
    reference reader exactly the others (configuration, Unit, malformed lines)."""
    from gobench.read.benchfmt_reference import Reader

    seen = []
    read_line = Reader.read_line

    def spy(self, line, lineno):
        seen.append(lineno)
        return read_line(self, line, lineno)

    monkeypatch.setattr(Reader, "read_line", spy)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    text = ("goos: linux\nBenchmarkA 1 2 ns/op\nUnit x/op assume=exact\nBenchmarkA 1 3\n"
            "BenchmarkB 2 4 x/op\n\nPASS\n")
    r = parse_inputs([Input("f", "f", text)])
    assert seen == [1, 3, 4, 7] and r.res_line.tolist() == [2, 5]
    seen.clear()
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    _assert_same(parse_inputs([Input("f", "f", text)]), r)
    assert seen == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("odd", ["note: \u00b5s and \u00fc\n", "BenchmarkB/caf\u00e9 1 2 ns/op\n",
                                 "BenchmarkB 1 2\x01 ns/op\n", "BenchmarkB\u00a01 2 ns/op\n",
                                 "log \x1f\x00\n"])
def test_odd_bytes_leave_their_line_to_the_reference_reader(odd):
    """A line with a non-ASCII or control byte is read by the line reader (the
    scanner reads ASCII only: U+00A0 is white space to Go); the others are scanned,
    and the results come in line order, names numbered by first appearance."""
    text = "BenchmarkA 1 2 ns/op\n" * 20 + "goos: plan9\n" + odd + "BenchmarkC 1 3 x/op\n" * 20
    sr = fastscan.scan(text.encode())
    assert sr.res_line.tolist() == list(range(1, 21)) + list(range(23, 43))
    ref, fast = _both(text)
    _assert_same(ref, fast)
    read_there = odd.startswith("BenchmarkB/") or "\u00a0" in odd
    assert len(fast) == 40 + read_there
    assert fast.names == (["A", "B/caf\u00e9", "C"] if "caf" in odd else
                          ["A", "B", "C"] if read_there else ["A", "C"])
    assert fast.res_line.tolist() == sorted(fast.res_line.tolist())


def test_config_deletion_moves_the_last_key_into_its_place():
    """benchfmt's Result.deleteConfig swaps the last key into the deleted one's place:
    benchstat prints ``cc: 3`` before ``bb: 2`` here (checked with benchstat 712aea8)."""
    text = "aa: 1\nbb: 2\ncc: 3\naa:\nBenchmarkX 1 5 ns/op\ndd: 4\nbb:\nBenchmarkX 1 6 ns/op\n"
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert [fast.configs[i] for i in fast.res_config] == [
        (("cc", "3"), ("bb", "2")), (("cc", "3"), ("dd", "4"))]


token = st.sampled_from(["1", "2.5", "10", "0", "ns/op", "B/op", "x", "-3", "1e3", "NaN", "µs",
                         "a_b", "+7", "0x10", "\t", " "])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(["BenchmarkX", "BenchmarkY-4", "Benchmark", "foo: bar",
                                           "key:", "Unit x/op assume=exact", "PASS"]),
                          st.lists(token, max_size=7)), max_size=12))
def test_random_lines_same_both_engines(lines):
    text = "".join(head + (" " + " ".join(toks) if toks else "") + "\n" for head, toks in lines)
    ref, fast = _both(text)
    _assert_same(ref, fast)


def test_long_units_and_names_same_both_engines():
    """Units over 16 bytes and names over 256 bytes are numbered through the dict fallback."""
    long_name = "BenchmarkLong/" + "k=v/" * 70
    text = "".join(f"{name}-2\t{10 + i}\t{i}.5 ns/op\t{i} allocated-objects-per-op/op\n"
                   for i in range(40) for name in ("BenchmarkA", long_name, "BenchmarkA"))
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert len(fast) == 120 and "allocated-objects-per-op/op" in fast.ucode_orig


def test_non_ascii_configuration_far_from_result_lines():
    """A non-ASCII configuration line far from any result line (another part of the
    scan) gives the reference engine's results."""
    text = ("BenchmarkA 1 2 ns/op\n" * 20 + "goos: plan9\n" * 10 + "note: µs and ü\n"
            + "goos: plan9\n" * 10 + "BenchmarkA 1 3 ns/op\n" * 20)
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert ("note", "µs and ü") in fast.configs[-1]


def test_crlf_and_tabs_same_both_engines():
    need_vectors()
    text = (INPUTS / "old.txt").read_text().replace("\n", "\r\n")
    ref, fast = _both(text)
    _assert_same(ref, fast)
    assert len(fast) == 88


def _scan_tokens(tokens: list[str], parse):
    """Run the vectorised reader *parse* over *tokens* laid out as one text."""
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
    tokens = ["".join(t) or "0" for t in toks]
    vals, ok = _scan_tokens(tokens, fastscan.parse_decimals)
    for tok, v, good in zip(tokens, vals.tolist(), ok.tolist()):
        want = parse_float(tok)
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
    vals, ok = _scan_tokens(["7", tok, "7"], fastscan.parse_decimals)
    want = parse_float(tok)
    if ok[1]:
        assert vals[1] == want and np.copysign(1, vals[1]) == np.copysign(1, want)
    else:
        assert isinstance(want, str) or len(tok.lstrip("+-")) > 16 or "e" in tok \
            or float(tok.replace(".", "").lstrip("+-") or 0) >= 2 ** 53


@settings(max_examples=200, deadline=None)
@given(toks=st.lists(st.text("0123456789+-x", min_size=1, max_size=20), min_size=1, max_size=30))
def test_vectorised_uints_are_atoi(toks):
    vals, ok = _scan_tokens(toks, fastscan.parse_uints)
    for tok, v, good in zip(toks, vals.tolist(), ok.tolist()):
        if good:
            assert tok.isdigit() and int(tok) == v
        else:
            assert not tok.isdigit() or len(tok) > 16


def test_slot_ids_number_by_first_appearance_and_detect_collisions():
    _slot_ids = fastscan._slot_ids

    keys = np.array([7, 3, 7, 9, 3, 3, 11], dtype=np.uint64)
    ids, first = _slot_ids(keys * np.uint64(0x9E3779B97F4A7C15), (keys,))
    assert ids.tolist() == [0, 1, 0, 2, 1, 1, 3] and first.tolist() == [0, 1, 3, 6]
    # one slot for everything: different keys collide and the caller must fall back
    assert _slot_ids(keys, (keys,), bits=1) is None or len(set(keys.tolist())) <= 2
    same = np.zeros(5, dtype=np.uint64)
    assert _slot_ids(same, (same,), bits=1)[0].tolist() == [0] * 5


@pytest.mark.parametrize("way", ["_tidy_per_shape", "_tidy_all_at_once"])
def test_tidy_values_match_the_rule(way):
    """Both ways of tidying: a value is tidied and its unit coded ``unit + nu``
    exactly where ``value * factor != value`` (NaN included), with few shapes and
    many (called directly: :func:`_tidy_values` picks one by the number of shapes)."""
    rng = np.random.default_rng(5)
    factors = [1.0, 1e-9, 1e6, 1.0]
    for shapes in ([[0, 1], [2], [1, 3, 0], []], [[k % 4, (k + 1) % 4] for k in range(300)]):
        shape_of_result = rng.integers(0, len(shapes), 500)
        nvals = np.array([len(shapes[s]) for s in shape_of_result], dtype=np.int64)
        raw = rng.choice([0.0, -0.0, 1.5, 3e8, np.nan, np.inf, 7.0], int(nvals.sum()))
        first = np.cumsum(nvals) - nvals
        if way == "_tidy_per_shape":
            value, ucode = bf._tidy_per_shape(raw, shape_of_result, first, shapes, factors)
        else:
            value, ucode = bf._tidy_all_at_once(raw, shape_of_result, nvals, first, shapes, factors)
        unit = np.concatenate([shapes[s] for s in shape_of_result]).astype(np.int64)
        tidy = raw * np.asarray(factors)[unit]
        changed = tidy != raw
        np.testing.assert_array_equal(value, np.where(changed, tidy, raw))
        np.testing.assert_array_equal(np.signbit(value), np.signbit(np.where(changed, tidy, raw)))
        np.testing.assert_array_equal(ucode, unit + len(factors) * changed)


def _unit_ids_of(toks: list[str]):
    """:func:`fastscan._unit_ids` of *toks* laid out as one space-separated text."""
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
