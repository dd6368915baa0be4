"""read_bench: benchfmt's rules on the vectors and on hand-made corner cases."""
from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from gobench import (BenchEncodingError, BenchFormatWarning, BenchSyntaxError, GobenchError,
                     UnitMetadataError, read_bench)

from gobench_vectors import INPUTS, need_vectors

pytestmark = pytest.mark.usefixtures("engine")      # every test under both engines

# An independent, deliberately simple description of a well-formed result line.
_RESULT = re.compile(r"^Benchmark(\S*)\s+(\d+)((?:\s+\S+\s+\S+)+)\s*$")


def _count(path):
    lines = pairs = 0
    for line in path.read_text().splitlines():
        m = _RESULT.match(line)
        if m:
            lines += 1
            pairs += len(m.group(3).split()) // 2
    return lines, pairs


def _quiet(src, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BenchFormatWarning)
        return read_bench(src, **kw)


@pytest.mark.parametrize("name", ["old.txt", "new.txt", "new-from-json.txt"])
def test_every_result_line_and_pair_accounted_for(name):
    need_vectors()
    path = INPUTS / name
    lines, pairs = _count(path)
    df = read_bench(path)
    assert len(df) == pairs
    assert df.groupby(["file", "line"]).ngroups == lines
    assert lines == 88  # README: 88 results per run
    assert df.attrs["errors"] == []


def test_columns_and_dtypes():
    need_vectors()
    df = read_bench(INPUTS / "old.txt")
    for col in ("file", "label", "line", "fullname", "name", "procs", "iters", "value", "unit",
                "orig_value", "orig_unit", "goos", "goarch", "pkg", "cpu", "/size", "/n", "/method"):
        assert col in df.columns
    assert str(df["procs"].dtype) == "Int64"
    assert df["iters"].dtype == np.int64 and df["line"].dtype == np.int64
    assert df["value"].dtype == np.float64
    row = df[(df.fullname == "Sum/size=1KiB-2") & (df.orig_unit == "ns/op")].iloc[0]
    assert row["name"] == "Sum" and row["procs"] == 2 and row["/size"] == "1KiB"
    assert row["unit"] == "sec/op" and row["orig_value"] == 598.5
    assert row["value"] == 598.5 * 1e-9
    assert row["pkg"] == "example.com/gobenchvec/nums" and row["cpu"] == "AMD EPYC"
    mbs = df[(df.fullname == "Sum/size=1KiB-2") & (df.orig_unit == "MB/s")].iloc[0]
    assert mbs["unit"] == "B/s" and mbs["value"] == 1710.95 * 1e6
    assert set(df.unit) == {"sec/op", "B/s", "B/op", "allocs/op", "cmps/op", "sec/elem",
                            "table-bytes", "fields/op"}
    strs = df[df.pkg == "example.com/gobenchvec/strs"]
    assert set(strs.name) == {"Join", "CountFields"}


def test_edge_cases_malformed_lines_reported_not_fatal():
    need_vectors()
    with pytest.warns(BenchFormatWarning, match=r"edge-cases.txt:20: missing units"):
        df = read_bench(INPUTS / "edge-cases.txt")
    errs = df.attrs["errors"]
    assert [(e.line, e.msg) for e in errs] == [(20, "missing units"),
                                               (21, "parsing iteration count: invalid syntax")]
    assert all(isinstance(e, BenchSyntaxError) and e.file.endswith("edge-cases.txt") for e in errs)
    # lower-case names are accepted, -1 is eaten as GOMAXPROCS, http:// is not config
    names = list(dict.fromkeys(df.fullname))
    assert names == ["B-8", "A-8", "C-8", "lower", "Neg/n=-1", "Dash/a-b-c-8"]
    neg = df[df.fullname == "Neg/n=-1"].iloc[0]
    assert neg["procs"] == 1 and neg["/n"] == "" and neg["name"] == "Neg"
    assert pd.isna(df[df.fullname == "lower"].iloc[0]["procs"])
    assert df[df.fullname == "Dash/a-b-c-8"].iloc[0]["procs"] == 8
    # mid-stream config line applies to following results only; "http" never becomes a key
    assert "http" not in df.columns and "key" not in df.columns
    c = df[(df.fullname == "C-8") & (df.unit == "sec/op")]
    assert list(c["note"].isna()) == [True, True, False]
    assert set(df[df.fullname == "B-8"].pkg) == {"zzz/last"}


def test_config_persistence_deletion_and_reset_between_files():
    text1 = b"pkg: a\nnote: x\nBenchmarkA 1 2 ns/op\nnote:\nBenchmarkB 1 3 ns/op\n"
    text2 = b"BenchmarkC 1 4 ns/op\n"
    df = read_bench({"one": text1, "two": text2})
    assert list(df.label) == ["one", "one", "two"]
    assert list(df.note.fillna("-")) == ["x", "-", "-"]
    assert list(df.pkg.fillna("-")) == ["a", "a", "-"]


def test_text_objects_and_bare_names():
    src = io.StringIO("BenchmarkX\nBenchmarkX-4   \t 10\t 5 ns/op\t 3 B/op\n=== RUN   BenchmarkX\n")
    df = read_bench(src, label="run")
    assert len(df) == 2 and df.attrs["errors"] == []
    assert list(df.unit) == ["sec/op", "B/op"] and list(df.label) == ["run", "run"]


@pytest.mark.parametrize("line,msg", [
    ("BenchmarkX ", "missing iteration count"),
    ("BenchmarkX 1.5 3 ns/op", "parsing iteration count: invalid syntax"),
    ("BenchmarkX 10", "missing measurements"),
    ("BenchmarkX 10 fast ns/op", "parsing measurement: invalid syntax"),
    ("BenchmarkX 10 1__000 ns/op", "parsing measurement: invalid syntax"),  # 1_000 is fine in Go
    ("BenchmarkX 10 5 ns/op 7", "missing units"),
    ("BenchmarkX 99999999999999999999 5 ns/op", "parsing iteration count: value out of range"),
])
def test_malformed_line_messages(line, msg):
    with pytest.warns(BenchFormatWarning):
        df = read_bench(io.BytesIO(f"BenchmarkOK 1 1 ns/op\n{line}\n".encode()), label="f.txt")
    assert [str(e) for e in df.attrs["errors"]] == [f"f.txt:2: {msg}"]
    assert len(df) == 1


def test_go_float_syntax_accepted():
    df = _quiet(io.StringIO("BenchmarkX 1 NaN a/op +Inf b/op 1e-9 c/op 0x1p-2 d/op\n"))
    assert np.isnan(df.value[0]) and df.value[1] == np.inf
    assert df.value[2] == 1e-9 and df.value[3] == 0.25


def test_unit_metadata_and_conflicts():
    need_vectors()
    with pytest.warns(BenchFormatWarning, match="already set to exact"):
        df = read_bench(INPUTS / "unit-metadata.txt")
    (err,) = df.attrs["errors"]
    assert isinstance(err, UnitMetadataError) and err.line == 18
    assert df.attrs["units"] == {"text-bytes:assume": "exact", "text-bytes:better": "lower",
                                 "B/s:better": "higher"}
    # numerator-only tidying of custom units
    assert set(df.unit) == {"text-bytes", "gc-sec/op", "B/s"}
    assert list(df.build.unique()) == ["before", "after"]


def test_zero_ns_keeps_its_unit_like_benchfmt():
    # benchfmt only tidies when the number changes: 0 ns/op stays "ns/op"
    df = read_bench(io.StringIO("BenchmarkX 1 0 ns/op\nBenchmarkX 1 2 ns/op\n"))
    assert list(df.unit) == ["ns/op", "sec/op"]


def test_go_test_json_stream_equals_its_text():
    need_vectors()
    js = read_bench(INPUTS / "new.json")
    txt = read_bench(INPUTS / "new-from-json.txt")
    cols = ["fullname", "iters", "value", "unit", "pkg", "goos", "cpu"]
    pd.testing.assert_frame_equal(js[cols].reset_index(drop=True), txt[cols].reset_index(drop=True))
    assert js.attrs["errors"] == []


def test_utf16_decoded_not_silently_empty():
    need_vectors()
    raw = (INPUTS / "old.txt").read_text()
    ref = read_bench(INPUTS / "old.txt")
    for data in (b"\xff\xfe" + raw.encode("utf-16-le"), raw.encode("utf-16-le"),
                 b"\xfe\xff" + raw.encode("utf-16-be")):
        df = read_bench(data)
        assert len(df) == len(ref)
        assert (df.value.to_numpy() == ref.value.to_numpy()).all()


def test_broken_utf16_raises_typed_error():
    with pytest.raises(BenchEncodingError, match="UTF-16"):
        read_bench(b"\xff\xfe" + "Benchmark".encode("utf-16-le") + b"\x00\xd8")
    assert issubclass(BenchEncodingError, GobenchError) and issubclass(GobenchError, ValueError)


def test_crlf_and_missing_file(tmp_path):
    p = tmp_path / "w.txt"
    p.write_bytes(b"goos: windows\r\nBenchmarkX-2 \t1\t5 ns/op\r\n")
    df = read_bench(p)
    assert df.goos[0] == "windows" and df.value[0] == 5e-9
    with pytest.raises(FileNotFoundError):
        read_bench(tmp_path / "absent.txt")


def test_same_path_twice_is_disambiguated():
    need_vectors()
    df = read_bench([INPUTS / "old.txt", INPUTS / "old.txt"])
    labels = list(dict.fromkeys(df.label))
    assert [lab.rsplit("#", 1)[1] for lab in labels] == ["0", "1"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_untyped(data):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BenchFormatWarning)
            df = read_bench(b"BenchmarkA 1 2 ns/op\n" + data)
    except GobenchError:
        return
    assert len(df) >= 1 and all(isinstance(e, BenchSyntaxError) for e in df.attrs["errors"])


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("Benchmark XY-/=:1.5e\t ns/op\nUnitµ\u00a0_")),
                    max_size=300))
def test_arbitrary_text_parses_like_benchfmt_would(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BenchFormatWarning)
        df = read_bench(io.StringIO(text))
    # every row comes from a line that starts with "Benchmark"
    lines = text.split("\n")
    for ln in df.line.unique():
        assert lines[ln - 1].startswith("Benchmark")


def test_config_keys_that_clash_with_columns_are_prefixed():
    df = read_bench(io.StringIO("name: mine\nunit: x\nBenchmarkA/k=v-4 1 2 ns/op\n"))
    assert df["config.name"][0] == "mine" and df["config.unit"][0] == "x"
    assert df["name"][0] == "A" and df["unit"][0] == "sec/op" and df["/k"][0] == "v"


def test_directory_is_an_os_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        read_bench(tmp_path)
