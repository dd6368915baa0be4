"""Hostile input to the gobench readers (issue 13, section 1): numbers too big for their
column, Python's int-string limit, stray and CR-only line ends, byte-order marks.

Nothing but the package's typed errors may escape, every reader says where (file and
line), a number that does not fit its dtype is an error or a warning (never a wrap),
and no input gives a silently empty result.  The inputs are the real ``go test -bench``
runs and benchstat reports of ../shared/benchstat-vectors, mutated.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from gobench import BenchFormatWarning, BenchstatFormatError, read_bench
from gobench.cli import benchstat_main
from gobench.read import fastscan
from gobench.read.benchfmt import parse_inputs
from gobench.read.benchfmt_reference import Reader
from gobench.read.report import read_benchstat
from gobench.read.sources import Input

from gobench_vectors import INPUTS, OUTPUTS, need_vectors

BIG = {"2^63": str(2 ** 63), "2^64+5": str(2 ** 64 + 5), "5000 digits": "9" * 5000}


def _old() -> str:
    need_vectors()
    return (INPUTS / "old.txt").read_text()


def _parse(text: str, engine: str | None = None):
    """parse_inputs under *engine* (``GOPHERLAB_ENGINE``), else under the engine in force."""
    if engine is None:
        return parse_inputs([Input("f", "f", text)])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOPHERLAB_ENGINE", engine)
        return parse_inputs([Input("f", "f", text)])


def _same(a, b):
    assert a.res_name == b.res_name
    assert a.res_line.tolist() == b.res_line.tolist()
    assert a.res_iters.tolist() == b.res_iters.tolist()
    assert [a.configs[i] for i in a.res_config] == [b.configs[i] for i in b.res_config]
    np.testing.assert_array_equal(a.m_value, b.m_value)
    assert list(a.m_unit) == list(b.m_unit)
    assert [str(e) for e in a.errors] == [str(e) for e in b.errors]


# ------------------------------------------------------------- go test -bench text


@pytest.mark.parametrize("big", list(BIG), ids=list(BIG))
def test_iteration_count_out_of_range_is_that_lines_syntax_error(big, engine):
    """benchfmt (x/perf benchfmt/reader.go) reports ``parsing iteration count: value out
    of range`` for that line and reads on; both engines do the same."""
    lines = _old().split("\n")
    k = 6                                   # line 7: the third Sum/size=1KiB-2 result
    f = lines[k].split()
    want_n = len(_parse(_old()))
    f[1] = BIG[big]
    lines[k] = "\t".join(f)
    r = _parse("\n".join(lines))
    assert [str(e) for e in r.errors] == ["f:7: parsing iteration count: value out of range"]
    assert len(r) == want_n - 1 and 7 not in r.res_line.tolist()
    assert r.res_iters.dtype == np.int64 and r.res_iters.min() > 0


def test_iteration_count_with_5000_leading_zeros_is_its_value(engine):
    """Go's Atoi reads ``000…05`` as 5 whatever its length: no digit limit applies."""
    text = _old().replace("\t 1892394\t", "\t" + "0" * 5000 + "1892394\t", 1)
    r = _parse(text)
    assert r.errors == [] and r.res_iters[0] == 1892394


def test_huge_measurements_follow_parse_float(engine):
    """5,000 digits: out of range as an integer part, fine as a fraction (ParseFloat)."""
    text = _old().replace("598.5 ns/op", "9" * 5000 + " ns/op", 1)
    text = text.replace("650.5 ns/op", "0." + "6" * 5000 + " ns/op", 1)
    r = _parse(text)
    assert [str(e) for e in r.errors] == ["f:5: parsing measurement: value out of range"]
    assert r.res_line[0] == 6 and r.m_raw[0] == pytest.approx(2 / 3)


def test_engines_agree_on_hostile_numbers():
    lines = _old().split("\n")
    for k, tok in ((5, BIG["2^64+5"]), (9, BIG["5000 digits"]), (12, "0" * 4400 + "7"),
                   (15, "-12"), (20, "1_000"), (23, "0x10"), (30, "+5")):
        f = lines[k].split()
        f[1] = tok
        lines[k] = "\t".join(f)
    text = "\n".join(lines)
    slow = _parse(text, "reference")
    _same(slow, _parse(text, "fast"))
    # the scanner in parts of a few lines reads the same lines to the same numbers
    whole, parts = fastscan.scan(text.encode()), fastscan.scan(text.encode(), part_bytes=257)
    assert parts.res_line.tolist() == whole.res_line.tolist() == slow.res_line.tolist()
    assert np.concatenate(parts.iters).tolist() == slow.res_iters.tolist()
    # Go's Atoi takes a sign and leading zeros, not "_" nor "0x" in base 10
    assert [e.line for e in slow.errors] == [6, 10, 21, 24]
    assert {13: 7, 16: -12, 31: 5}.items() <= dict(zip(slow.res_line.tolist(),
                                                        slow.res_iters.tolist())).items()


def test_an_overflowing_line_goes_alone_to_the_line_reader(monkeypatch):
    """The scanner leaves the odd line, not the whole file, to the reference reader."""
    lines = _old().split("\n")
    f = lines[6].split()
    f[1] = BIG["2^64+5"]
    lines[6] = "\t".join(f)
    text = "\n".join(lines)
    seen = []
    read_line = Reader.read_line

    def spy(self, line, lineno):
        if line.startswith("Benchmark"):
            seen.append(lineno)
        return read_line(self, line, lineno)

    monkeypatch.setattr(Reader, "read_line", spy)
    r = _parse(text, "fast")
    assert seen == [7] and len(r.errors) == 1 and len(r) == 87


def test_gomaxprocs_suffix_too_big_for_int64_is_na_with_a_warning():
    text = _old().replace("BenchmarkFib-2 ", "BenchmarkFib-" + "9" * 5000 + " ")
    text = text.replace("BenchmarkTableSize-2 ", f"BenchmarkTableSize-{2 ** 63} ")
    with pytest.warns(BenchFormatWarning, match="GOMAXPROCS"):
        df = read_bench(io.StringIO(text))
    assert df[df.name == "Fib"].procs.isna().all()
    assert df[df.name == "TableSize"].procs.isna().all()
    assert (df[df.name == "Sum"].procs == 2).all()


def _quiet(src):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no warning expected
        return read_bench(src)


@pytest.mark.parametrize("eol", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_cr_only_and_crlf_line_ends_read_like_lf(eol, engine):
    """All three line-end conventions give the same results and line numbers."""
    text = _old()
    want = _quiet(io.StringIO(text))
    assert len(want) > 0
    for src in (io.StringIO(text.replace("\n", eol)), text.replace("\n", eol).encode()):
        got = _quiet(src)
        assert got.drop(columns=["file", "label"]).equals(want.drop(columns=["file", "label"]))


def test_byte_order_mark_in_text_is_dropped():
    text = _old()
    want = _quiet(io.StringIO(text))
    for src in (io.StringIO("\ufeff" + text), ("\ufeff" + text).encode("utf-8")):
        got = _quiet(src)
        assert got.drop(columns=["file", "label"]).equals(want.drop(columns=["file", "label"]))
        assert got.goos.iloc[0] == "linux"


def test_benchstat_command_reads_cr_only_files(tmp_path, monkeypatch):
    """benchstat would see one long line (Go's bufio.ScanLines splits on \\n only) and
    print nothing; we read the CR-only files like their LF originals."""
    need_vectors()
    for name in ("old.txt", "new.txt"):
        (tmp_path / name).write_bytes((INPUTS / name).read_bytes().replace(b"\n", b"\r"))
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert benchstat_main(["old.txt", "new.txt"], out, err) == 0
    assert out.getvalue() == (OUTPUTS / "v2-default.stdout").read_text(encoding="utf-8")
    assert err.getvalue() == ""


def test_cr_inside_a_test2json_output_ends_the_line():
    need_vectors()
    js = (INPUTS / "new.json").read_text()
    want = _quiet(io.StringIO(js))
    got = _quiet(io.StringIO(js.replace("\\n", "\\r")))
    assert len(want) and got[["fullname", "value", "unit"]].equals(want[["fullname", "value", "unit"]])


# ------------------------------------------------------------- saved benchstat reports

REPORTS = ["v2-default.stdout", "v2-csv.stdout", "v1-default.stdout", "v1-csv.stdout"]


def _report(name: str) -> str:
    need_vectors()
    return (OUTPUTS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("big", list(BIG), ids=list(BIG))
@pytest.mark.parametrize("name", REPORTS)
def test_sample_count_too_big_is_a_format_error_with_its_line(name, big):
    text = _report(name)
    lineno = text[:text.index("n=8")].count("\n") + 1
    with pytest.raises(BenchstatFormatError) as ei:
        read_benchstat(text=text.replace("n=8", "n=" + BIG[big], 1))
    assert ei.value.line == lineno and f":{lineno}:" in str(ei.value)


@pytest.mark.parametrize("name", REPORTS)
def test_report_numbers_of_5000_digits_are_typed(name):
    """A center of 5,000 digits overflows float64: an error at its line, not inf (in a
    v2 text table it also breaks the column layout), with a message of bounded size."""
    text = _report(name)
    for tok in ("7.036e-07", "744ns", "703.6n", "7.43988E+02"):
        if tok in text:
            at = text.index(tok)
            bad = text[:at] + "9" * 5000 + tok[len(tok.rstrip("nsµ")):] + text[at + len(tok):]
            break
    with pytest.raises(BenchstatFormatError,
                       match="out of range" if name != "v2-default.stdout" else "cell") as ei:
        read_benchstat(text=bad)
    assert ei.value.line == text[:at].count("\n") + 1 and len(str(ei.value)) < 300


@pytest.mark.parametrize("name", ["v2-csv.stdout", "v1-csv.stdout"])
def test_stray_carriage_return_in_csv_is_a_format_error_with_its_line(name):
    text = _report(name)
    k = text.index("\n", text.index("\n") + 1)      # end of line 2
    bad = text[:k - 3] + "\r" + text[k - 3:]
    with pytest.raises(BenchstatFormatError) as ei:
        read_benchstat(text=bad)
    assert ei.value.line == 2 and "carriage return" in str(ei.value)


@pytest.mark.parametrize("eol", ["\r", "\r\n"], ids=["CR", "CRLF"])
@pytest.mark.parametrize("name", REPORTS)
def test_reports_with_cr_or_crlf_line_ends_read_like_lf(name, eol):
    text = _report(name)
    want = read_benchstat(text=text)
    assert len(want) > 0
    for src in (io.StringIO(text.replace("\n", eol)), text.replace("\n", eol).encode(),
                io.BytesIO(text.replace("\n", eol).encode())):
        assert read_benchstat(src).equals(want)


@pytest.mark.parametrize("name", REPORTS)
def test_reports_with_a_byte_order_mark_read_like_without(name):
    text = _report(name)
    want = read_benchstat(text=text)
    assert read_benchstat(text="\ufeff" + text).equals(want)
    assert read_benchstat(b"\xef\xbb\xbf" + text.encode()).equals(want)


def test_report_that_parses_to_nothing_is_an_error():
    """A v1 CSV whose header is broken by a quote gave an empty frame, silently."""
    text = _report("v1-csv.stdout").replace(",", ',"', 3)
    with pytest.raises(BenchstatFormatError):
        read_benchstat(text=text)


# ------------------------------------------------------------- bounded time


def _timed(f, limit=3.0):
    import time
    t = time.perf_counter()
    try:
        f()
    except BenchstatFormatError:
        pass
    dt = time.perf_counter() - t
    assert dt < limit, dt


def test_long_number_tokens_take_linear_time(engine):
    """A 100,000-character near-number was quadratic in the float regex (16 KB: 39 s)."""
    n = 100_000
    lines = _old().split("\n")
    for k, tok in ((5, "9" * n + "x"), (6, "0x" + "f" * n + "x"), (7, "1" + "_1" * n + "x")):
        f = lines[k].split()
        f[2] = tok
        lines[k] = "\t".join(f)
    f = lines[8].split()
    f[1] = "9" * n + "x"
    lines[8] = "\t".join(f)
    text = "\n".join(lines)
    _timed(lambda: _parse(text))
    assert [e.line for e in _parse(text).errors] == [6, 7, 8, 9]


def test_report_near_misses_take_linear_time():
    """Superscript runs in a v2 cell and colon-rich v1 group rows backtracked
    exponentially (20 superscripts: 19 s; 14 tokens: 11 s); a header of many column
    rules was quadratic."""
    v2 = _report("v2-default.stdout")
    _timed(lambda: read_benchstat(text=v2.replace("644.3n ± 45%", "644.3n ± 45% " + "¹" * 5000 + "!", 1)))
    v1 = _report("v1-default.stdout")
    row = "pkg:example.com/gobenchvec/nums goos:linux goarch:amd64"
    _timed(lambda: read_benchstat(text=v1.replace(row, " ".join(["a:a:a:a"] * 2000) + " b", 1)))
    bars = "│" + "  │" * 30000
    _timed(lambda: read_benchstat(text=v2.replace("│   old.txt    │", bars, 1)
                                  .replace("│    sec/op    │", bars, 1)))


# ------------------------------------------------------------- mutations of real inputs

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = [b"\r", b"\r\n", b"\n", b"\xef\xbb\xbf", b"\x00", b"\xff", b"|", b"\xe2\x94\x82",
           str(2 ** 63).encode(), str(2 ** 64).encode(), b"9" * 5000, b"0" * 4400, b"1e999",
           b"-", b"+Inf", b"NaN", b"0x1p99999", b"_", b" ", b"\t", b"n=", b"\"", b",", b"%",
           b"\xc2\xb1", b"\xc2\xb9", b"Benchmark", b"Unit ", b"goos: ", b"(p=", b"\xe2\x80\xae"]

_mutation = st.lists(st.tuples(st.floats(0, 1), st.sampled_from(_PIECES), st.integers(0, 3)),
                     min_size=1, max_size=8)


def _mutate(data: bytes, muts) -> bytes:
    for where, piece, drop in muts:
        k = int(where * len(data))
        data = data[:k] + piece + data[k + drop:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(muts=_mutation)
def test_mutated_bench_files_give_typed_results_and_both_engines_agree(muts):
    from gobench import GobenchError
    need_vectors()
    data = _mutate((INPUTS / "old.txt").read_bytes(), muts)
    got = []
    for engine in ("reference", "fast"):
        try:
            with warnings.catch_warnings(), pytest.MonkeyPatch.context() as mp:
                warnings.simplefilter("ignore", BenchFormatWarning)
                mp.setenv("GOPHERLAB_ENGINE", engine)
                got.append(read_bench(data))
        except GobenchError as e:
            got.append(type(e))
    a, b = got
    if isinstance(a, type):
        assert a is b
    else:
        assert a.equals(b) and [str(e) for e in a.attrs["errors"]] == \
            [str(e) for e in b.attrs["errors"]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(REPORTS), muts=_mutation)
def test_mutated_reports_give_a_frame_or_a_located_format_error(name, muts):
    need_vectors()
    data = _mutate((OUTPUTS / name).read_bytes(), muts)
    try:
        df = read_benchstat(data)
    except BenchstatFormatError as e:
        assert e.file == "<bytes>" and len(str(e)) < 400
        return
    assert len(df) > 0 and df["n1"].dtype == "Int64"


def test_test2json_events_with_huge_integers_or_deep_nesting_are_reported_lines():
    """json.loads raises a plain ValueError (int digit limit) or RecursionError there:
    those events are syntax-error records like any undecodable event."""
    need_vectors()
    js = (INPUTS / "new.json").read_text().split("\n")
    js.insert(3, '{"Action":"output","Package":"p","N":' + "9" * 5000 + "}")
    js.insert(5, "[" * 100_000)
    with pytest.warns(BenchFormatWarning):
        df = read_bench(io.StringIO("\n".join(js)))
    assert [e.line for e in df.attrs["errors"]] == [4, 6]
    assert len(df) == len(_quiet(INPUTS / "new.json"))


def test_read_benchstat_refuses_devices_and_endless_streams():
    from gobench import GobenchError
    from gobench.read import sources

    with pytest.raises(GobenchError, match="not a regular file"):
        read_benchstat("/dev/zero")

    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            b[:] = b"\n" * len(b)
            return len(b)

    with pytest.raises(GobenchError, match="past the limit"):
        read_benchstat(io.BufferedReader(Endless()))
    assert sources.MAX_INPUT_BYTES == 256 << 20
