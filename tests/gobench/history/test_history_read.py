"""read_history: benchmark text, go test -json, gobenchdata JSON and github-action-benchmark data.js.

The gobenchdata and data.js files are small ones written here in each tool's real
layout (gobenchdata ``bench/benchmark.go`` and ``fixtures/sample-benchmarks.json``;
github-action-benchmark ``src/write/loadData.ts``, ``src/extract.ts`` and
``test/data/write/data-dir/original_data.js``): every number read from them must
equal what read_bench makes of the ``go test -bench`` lines they came from.
"""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest

import gobench
from gobench.errors import BenchFormatWarning, OptionError
from gobench.history import HistoryFormatError, read_history

pytestmark = pytest.mark.usefixtures("engine")

HEAD = "goos: linux\ngoarch: amd64\npkg: example.com/p\n"


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def _run(commit, time, ns):
    cfg = f"commit: {commit}\n" + (f"commit-time: {time}\n" if time else "")
    return cfg + HEAD + "".join(f"BenchmarkSum/n=8-2\t1000\t{v} ns/op\t16 B/op\t1 allocs/op\n" for v in ns)


def test_commit_and_order_from_configuration_lines(tmp_path):
    # given newest first; commit-time puts them in order
    b = _write(tmp_path, "x.txt", _run("bbb", "2026-01-02T00:00:00Z", [12, 13]))
    a = _write(tmp_path, "y.txt", _run("aaa", "2026-01-01T00:00:00+00:00", [10, 11, 10]))
    df = read_history([b, a])
    assert df.attrs["commits"] == ["aaa", "bbb"]
    assert df.drop_duplicates("commit")[["commit", "order"]].values.tolist() == [["aaa", 0], ["bbb", 1]]
    sec = df[df.unit == "sec/op"]
    assert sec.value.tolist() == pytest.approx([10e-9, 11e-9, 10e-9, 12e-9, 13e-9])
    assert sec.fullname.unique().tolist() == ["Sum/n=8-2"]
    # the read_bench columns are all there, and the same rows as read_bench of each file
    one = gobench.read_bench(a)
    assert list(one.columns) == [c for c in df.columns if c != "order"]
    assert len(df) == len(one) + len(gobench.read_bench(b))
    assert df.order.dtype == np.int64


def test_commit_from_file_name_and_given_order(tmp_path):
    files = [_write(tmp_path, f"run-{i}.txt", HEAD + f"BenchmarkX\t10\t{i + 1} ns/op\n") for i in (10, 2, 1)]
    df = read_history(files)
    assert df.attrs["commits"] == ["run-10", "run-2", "run-1"]          # no commit-time: as given
    assert read_history(files, order_by="file").attrs["commits"] == ["run-1", "run-2", "run-10"]
    assert read_history(tmp_path).attrs["commits"] == ["run-1", "run-10", "run-2"]  # a directory: name order
    listed = read_history(files, order_by=["run-2", "run-1", "run-10"])
    assert listed.drop_duplicates("commit").commit.tolist() == ["run-2", "run-1", "run-10"]
    assert listed.order.is_monotonic_increasing


def test_one_file_with_many_commits_and_one_commit_in_many_files(tmp_path):
    f1 = _write(tmp_path, "all.txt", _run("c1", None, [5]) + _run("c2", None, [6]))
    f2 = _write(tmp_path, "more.txt", _run("c1", None, [7]))
    df = read_history([f1, f2])
    sec = df[df.unit == "sec/op"]
    assert sec.groupby("commit").orig_value.apply(list).to_dict() == {"c1": [5, 7], "c2": [6]}
    assert sec.order.tolist() == [0, 0, 1]


def test_go_test_json_stream(tmp_path):
    out = ["goos: linux\n", "pkg: example.com/p\n", "BenchmarkSum-2    \t", "  100\t  42.5 ns/op\n", "PASS\n"]
    events = [json.dumps({"Action": "output", "Package": "example.com/p", "Output": o}) for o in out]
    f = _write(tmp_path, "c7.json", "\n".join(events) + "\n")
    df = read_history([f])
    assert df.commit.unique().tolist() == ["c7"]
    assert df.value.tolist() == pytest.approx([42.5e-9])


def test_order_by_errors(tmp_path):
    f = _write(tmp_path, "a.txt", _run("a", None, [1]))
    g = _write(tmp_path, "b.txt", _run("b", "2026-01-01T00:00:00Z", [1]))
    with pytest.raises(OptionError, match="commit-time"):
        read_history([f, g], order_by="commit-time")
    with pytest.raises(OptionError, match="order_by"):
        read_history([f], order_by="newest")
    with pytest.raises(OptionError, match="'b'"):
        read_history([f, g], order_by=["a"])
    with pytest.raises(ValueError, match="at least one path"):
        read_history([])
    with pytest.raises(FileNotFoundError):
        read_history([tmp_path / "missing.txt"])
    assert read_history([f, g]).attrs["commits"] == ["a", "b"]      # not every commit has a time: as given


def test_malformed_lines_warn_once(tmp_path):
    f = _write(tmp_path, "a.txt", HEAD + "BenchmarkX\t10\t5 ns/op\nBenchmarkY\t10\t5\n")
    with pytest.warns(BenchFormatWarning, match="missing units"):
        df = read_history([f])
    assert len(df) == 1 and len(df.attrs["errors"]) == 1


def test_progress_bar_changes_nothing_and_leaves_no_thread(tmp_path, capsys):
    files = [_write(tmp_path, f"{i}.txt", HEAD + f"BenchmarkX\t10\t{i + 1} ns/op\n") for i in range(3)]
    quiet = read_history(files, progress=False)
    before = {t.ident for t in threading.enumerate()}
    shown = read_history(files, progress=True)
    assert {t.name for t in threading.enumerate() if t.ident not in before} == set()   # no tqdm_monitor
    assert "read_history" in capsys.readouterr().err
    assert shown.equals(quiet)


# ------------------------------------------------------------------------------- gobenchdata

#: What gobenchdata stored for the two runs below (newest first, as ``--append`` writes).
GOBENCHDATA = [
    {"Version": "2222222", "Date": 1589700000, "Tags": ["ref=refs/heads/main"], "Suites": [
        {"Goos": "linux", "Goarch": "amd64", "Pkg": "go.example/demo", "Cpu": "AMD EPYC", "Benchmarks": [
            {"Name": "BenchmarkFib10/Fib()-2", "Runs": 2991747, "NsPerOp": 412.5,
             "Mem": {"BytesPerOp": 0, "AllocsPerOp": 0, "MBPerSec": 0}},
            {"Name": "BenchmarkCopy-2", "Runs": 1000, "NsPerOp": 1200,
             "Mem": {"BytesPerOp": 4096, "AllocsPerOp": 1, "MBPerSec": 3413.33},
             "Custom": {"items/op": 8, "hits/op": 2.5}}]}]},
    {"Version": "1111111", "Date": 1589695147, "Tags": None, "Suites": [
        {"Goos": "linux", "Goarch": "amd64", "Pkg": "go.example/demo", "Benchmarks": [
            {"Name": "BenchmarkFib10/Fib()-2", "Runs": 2819560, "NsPerOp": 419,
             "Mem": {"BytesPerOp": 0, "AllocsPerOp": 0, "MBPerSec": 0}}]}]},
]

#: The go test -bench lines those runs were parsed from.
GO_LINES = {
    "1111111": "BenchmarkFib10/Fib()-2\t2819560\t419 ns/op\n",
    "2222222": ("BenchmarkFib10/Fib()-2\t2991747\t412.5 ns/op\t0 B/op\t0 allocs/op\n"
                "BenchmarkCopy-2\t1000\t1200 ns/op\t3413.33 MB/s\t2.5 hits/op\t8 items/op\t4096 B/op\t1 allocs/op\n"),
}


def test_gobenchdata_json(tmp_path):
    f = _write(tmp_path, "benchmarks.json", json.dumps(GOBENCHDATA))
    df = read_history([f])
    assert df.attrs["commits"] == ["1111111", "2222222"]               # by Date, oldest first
    assert set(df.pkg) == {"go.example/demo"} and set(df.goos) == {"linux"}
    assert df["commit-time"].iloc[0] == "2020-05-17T05:59:07Z"
    for commit, text in GO_LINES.items():
        got = df[df.commit == commit][["fullname", "unit", "value", "iters"]].reset_index(drop=True)
        want = gobench.read_bench(text=text)[["fullname", "unit", "value", "iters"]]
        assert got.equals(want), commit
    # no -benchmem in the old run's suite: no B/op or allocs/op rows there
    assert set(df[df.commit == "1111111"].unit) == {"sec/op"}


@pytest.mark.parametrize("doc, where", [
    ({"Suites": []}, "not a list of runs"),
    ([{"Suites": [{"Benchmarks": [{"Runs": 1}]}]}], "no Name"),
    ([{"Suites": "x"}], "run 0"),
])
def test_gobenchdata_bad_shape(tmp_path, doc, where):
    f = _write(tmp_path, "b.json", json.dumps(doc))
    if isinstance(doc, dict):   # an object without entries is not a history file: read as text, finds nothing
        assert len(read_history([f])) == 0
        return
    with pytest.raises(HistoryFormatError, match=where):
        read_history([f])


# ------------------------------------------------------------------- github-action-benchmark

def _commit(sha, ts):
    user = {"email": "dev@example.com", "name": "Dev", "username": "dev"}
    return {"author": user, "committer": user, "distinct": True, "id": sha, "message": "change",
            "timestamp": ts, "tree_id": "t", "url": f"https://github.com/o/r/commit/{sha}"}


def _bench(name, value, unit, extra):
    return {"name": name, "value": value, "unit": unit, "extra": extra}


#: v1.18+ layout of `BenchmarkEncode-2  1000  1500 ns/op  64 B/op  2 allocs/op` run twice (-count 2):
#: the first bench keeps the rest of the line in its unit, then one " - <unit>" bench per value.
NEW_LAYOUT = [b for v in (1500, 1600) for b in (
    _bench("BenchmarkEncode", v, "ns/op\t      64 B/op\t       2 allocs/op", "1000 times\n2 procs"),
    _bench("BenchmarkEncode - ns/op", v, "ns/op", "1000 times\n2 procs"),
    _bench("BenchmarkEncode - B/op", 64, "B/op", "1000 times\n2 procs"),
    _bench("BenchmarkEncode - allocs/op", 2, "allocs/op", "1000 times\n2 procs"))]
#: before v1.18: one bench per line, the first value only
OLD_LAYOUT = [_bench("BenchmarkEncode", 1700, "ns/op", "900 times\n2 procs"),
              _bench("BenchmarkDecode/size=1KiB", 80.5, "ns/op", "20000 times")]


def _data_js(entries):
    doc = {"lastUpdate": 1574927128603, "repoUrl": "https://github.com/o/r", "entries": entries}
    return "window.BENCHMARK_DATA = " + json.dumps(doc, indent=2)


def test_action_benchmark_data_js(tmp_path):
    entries = {"Go Benchmark": [
        {"commit": _commit("aaa", "2026-01-01T10:00:00+01:00"), "date": 1, "tool": "go", "benches": OLD_LAYOUT},
        {"commit": _commit("bbb", "2026-01-02T10:00:00+01:00"), "date": 2, "tool": "go", "benches": NEW_LAYOUT},
    ]}
    df = read_history([_write(tmp_path, "data.js", _data_js(entries))])
    assert df.attrs["commits"] == ["aaa", "bbb"]
    assert set(df.suite) == {"Go Benchmark"}
    want = {"aaa": "BenchmarkEncode-2\t900\t1700 ns/op\nBenchmarkDecode/size=1KiB\t20000\t80.5 ns/op\n",
            "bbb": ("BenchmarkEncode-2\t1000\t1500 ns/op\t64 B/op\t2 allocs/op\n"
                    "BenchmarkEncode-2\t1000\t1600 ns/op\t64 B/op\t2 allocs/op\n")}
    for commit, text in want.items():
        got = df[df.commit == commit][["fullname", "unit", "value", "iters"]].reset_index(drop=True)
        assert got.equals(gobench.read_bench(text=text)[["fullname", "unit", "value", "iters"]]), commit


def test_action_benchmark_packages_and_other_tools(tmp_path):
    benches = [_bench("BenchmarkA (example.com/x)", 10, "ns/op", "5 times"),
               _bench("BenchmarkA (example.com/y)", 20, "ns/op\t3 B/op", "5 times"),
               _bench("BenchmarkA (example.com/y) - B/op", 3, "B/op", "5 times")]
    doc = {"lastUpdate": 0, "repoUrl": "", "entries": {"Go": [
        {"commit": _commit("c1", "2026-01-01T00:00:00Z"), "date": 1, "tool": "go", "benches": benches},
        {"commit": _commit("c2", "2026-01-02T00:00:00Z"), "date": 2, "tool": "cargo",
         "benches": [_bench("bench_fib_10", 100, "ns/iter", "")]}]}}
    f = _write(tmp_path, "data.json", json.dumps(doc))   # the external JSON file: no prefix
    with pytest.warns(BenchFormatWarning, match="1 github-action-benchmark entry"):
        df = read_history([f])
    assert df.attrs["commits"] == ["c1"]
    assert df[["pkg", "fullname", "unit", "value"]].values.tolist() == [
        ["example.com/x", "A", "sec/op", 10e-9], ["example.com/y", "A", "sec/op", 20e-9],
        ["example.com/y", "A", "B/op", 3.0]]


def test_action_benchmark_bad_shape(tmp_path):
    f = _write(tmp_path, "data.js", "window.BENCHMARK_DATA = {\"entries\": {\"Go\": [{\"tool\": \"go\"}]}}")
    with pytest.raises(HistoryFormatError, match="entry 0: no benches"):
        read_history([f])
    g = _write(tmp_path, "broken.js", "window.BENCHMARK_DATA = {\"entries\": ")
    with pytest.raises(HistoryFormatError, match="broken.js: not github-action-benchmark JSON"):
        read_history([g])
