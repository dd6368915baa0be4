"""Hostile variants of real runtime-diagnostics text (issue 13, section 1 and 4).

Every input is derived from the real captures of examples/leakserver in
gopherlab/data/runtime/leakserver (goroutine dumps, gctrace logs, heap ``debug=1``
trailers, expvar ``/debug/vars``, and Prometheus text made from them): a byte
order mark added, line ends replaced, a log line inserted, frames re-indented,
fields truncated, numbers replaced by ones that fit no column.  The readers must
either read them as the original or say what is wrong: a ``RuntimeFormatError``
naming file and line, or a ``PprofParseWarning`` with the line kept in
``attrs['unparsed']`` -- never a raw Python exception or a wrapped number.
"""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pprof_parse.errors import PprofParseWarning, RuntimeFormatError
from pprof_parse.runtime.gctrace import parse_gctrace
from pprof_parse.runtime.goroutines import goroutine_frames, group_goroutines, read_goroutines
from pprof_parse.runtime.memstats import load_memstats, read_gc_pauses, read_memstats
from pprof_parse.runtime.metrics import (
    histogram_quantiles, prometheus_histograms, prometheus_series, read_prometheus, read_runtime_histograms,
    read_runtime_metrics,
)

DATA = Path(__file__).resolve().parents[2] / "gopherlab/data/runtime/leakserver"
DUMP = DATA / "snap1.goroutine.debug2.txt"  # 50 goroutines
BIG = [str(2**63), str(2**64 - 1), "9" * 20, "9" * 5000]
BOM = b"\xef\xbb\xbf"
KEY = ["id", "state", "wait_minutes", "created_by", "parent_id", "stack", "frames", "elided", "signature"]


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PprofParseWarning)
        return fn(*a, **k)


def _same_goroutines(a, b):
    assert len(a) == len(b)
    for c in KEY:
        x, y = a[c].astype(object), b[c].astype(object)
        if c == "signature":  # bucket numbers: compare the partition they make
            x, y = pd.factorize(x)[0], pd.factorize(y)[0]
        assert list(x) == list(y), c


@pytest.fixture(scope="module")
def dump() -> bytes:
    return DUMP.read_bytes()


@pytest.fixture(scope="module")
def base(dump):
    return _quiet(read_goroutines, dump)


# ---------------------------------------------------------------------------
# goroutine dumps


def test_real_dump_has_50(base):
    assert len(base) == 50 and not base.attrs["unparsed"]


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_goroutines_bom_and_line_ends(dump, base, ending, bom):
    data = bom + dump.replace(b"\n", ending)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PprofParseWarning)
        df = read_goroutines(data)
    _same_goroutines(df, base)
    assert df.attrs["preamble"] == base.attrs["preamble"]


def test_goroutines_bom_keeps_first(dump, base):
    df = read_goroutines(BOM + dump)
    assert len(df) == 50 and df["id"].iloc[0] == base["id"].iloc[0]


def _first_header(dump: bytes) -> re.Match:
    return re.search(rb"^goroutine (\d+) \[([^\]]*)\]:$", dump, re.M)


@pytest.mark.parametrize("num", BIG)
def test_goroutine_id_out_of_range(dump, base, num):
    m = _first_header(dump)
    data = dump[:m.start(1)] + num.encode() + dump[m.end(1):]
    with pytest.warns(PprofParseWarning, match="not part of a goroutine traceback"):
        df = read_goroutines(data)
    # that goroutine is kept as unparsed text, the other 49 are read as before
    assert len(df) == 49 and df["id"].dtype.kind == "i"
    _same_goroutines(df, base.iloc[1:])
    assert any(num[:50] in t for _, t in df.attrs["unparsed"])


@pytest.mark.parametrize("num", BIG)
def test_goroutine_minutes_out_of_range(dump, base, num):
    m = _first_header(dump)
    data = dump[:m.end(2)] + b", " + num.encode() + b" minutes" + dump[m.end(2):]
    with pytest.warns(PprofParseWarning):
        df = read_goroutines(data)
    assert len(df) == 49
    _same_goroutines(df, base.iloc[1:])


@pytest.mark.parametrize("num", BIG)
def test_goroutine_line_and_parent_out_of_range(dump, base, num):
    text = dump.decode()
    # the file line of the first frame of every goroutine, and every "in goroutine N"
    bad = re.sub(r"^(\t[^\n]*?):(\d+)( \+0x[0-9a-f]+)?$", lambda m: f"{m[1]}:{num}{m[3] or ''}", text,
                 count=1, flags=re.M)
    bad = re.sub(r" in goroutine \d+$", f" in goroutine {num}", bad, count=3, flags=re.M)
    with pytest.warns(PprofParseWarning):
        df = read_goroutines(bad.encode())
    assert len(df) == 50
    assert df["parent_id"].dropna().lt(2**63).all()
    fr = goroutine_frames(df)  # int64 line column: every kept line number fits
    assert fr["line"].dtype == np.int64 and (fr["line"] > 0).all()
    assert any(num[:50] in t for _, t in df.attrs["unparsed"])


@pytest.mark.parametrize("num", BIG)
def test_goroutine_elided_out_of_range(dump, num):
    text = dump.decode()
    m = re.search(r"^\t[^\n]*$", text, re.M)
    bad = text[:m.end()] + f"\n...{num} frames elided..." + text[m.end():]
    with pytest.warns(PprofParseWarning):
        df = read_goroutines(bad.encode())
    assert len(df) == 50 and (df["elided"] == 0).all()


@pytest.mark.parametrize("tail", [b"goroutine 2 [\nd] {}:", b"goroutine \xc2\xb2 [running]:\nmain.f()\n\t/a.go:1 +0x1",
                                  b"goroutine \xd9\xa3 [running]:\nmain.f()\n\t/a.go:1 +0x1"])
def test_goroutine_odd_headers(dump, tail):
    with pytest.raises(RuntimeFormatError, match=r"<bytes>:1: no 'goroutine N \[state\]:' header"):
        read_goroutines(tail)
    with pytest.warns(PprofParseWarning):
        df = read_goroutines(dump + b"\n" + tail + b"\n")
    assert len(df) == 50


def _frame_pairs(text: str):
    """Offsets of every frame's function line end (before its "\\tfile:line" line)."""
    return [m.end(1) for m in re.finditer(r"^([^\t\n][^\n]*\))\n\t", text, re.M)]


LOG = "2026/11/22 02:00:01 handler: request served in 3ms"


@pytest.mark.parametrize("where", ["all", "some"])
def test_interleaved_log_line_keeps_stacks(dump, base, where):
    text = dump.decode()
    ends = _frame_pairs(text)
    pick = ends if where == "all" else ends[3::7]
    for e in reversed(pick):
        text = text[:e] + "\n" + LOG + text[e:]
    with pytest.warns(PprofParseWarning, match="not part of a goroutine traceback"):
        df = read_goroutines(text.encode())
    _same_goroutines(df, base)
    g0, g1 = group_goroutines(base), group_goroutines(df)
    assert list(g0["count"]) == list(g1["count"]) and list(g0["stack"]) == list(g1["stack"])
    assert [t for _, t in df.attrs["unparsed"]] == [LOG] * len(pick)


@pytest.mark.parametrize("indent", ["    ", "        ", "  "])
def test_space_indented_frames(dump, base, indent):
    text = dump.decode().replace("\n\t", "\n" + indent)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PprofParseWarning)
        df = read_goroutines(text.encode())
    _same_goroutines(df, base)


@pytest.mark.parametrize("prefix", ["    ", "\t", "  "])
@pytest.mark.parametrize("tabs", [True, False])
def test_indented_as_a_whole(dump, base, prefix, tabs):
    text = dump.decode()
    if not tabs:
        text = text.replace("\n\t", "\n    ")
    text = "\n".join(prefix + ln if ln else ln for ln in text.split("\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PprofParseWarning)
        df = read_goroutines(text.encode())
    _same_goroutines(df, base)


def test_panic_dump_indented(base):
    panic = (DATA / "panic.txt").read_text()
    a = _quiet(read_goroutines, panic.encode())
    b = _quiet(read_goroutines, "\n".join("    " + ln for ln in panic.replace("\n\t", "\n  ").split("\n"))
               .encode())
    _same_goroutines(b, a)


# ---------------------------------------------------------------------------
# gctrace


@pytest.fixture(scope="module")
def gclog() -> str:
    return (DATA / "gctrace.log").read_text()


def _gc_lines(text):
    return [k for k, ln in enumerate(text.split("\n")) if ln.startswith("gc ")]


CORRUPT = [
    lambda ln: re.sub(r": \S+ ms clock, \S+ ms cpu", ": 1 ms clock, 6 ms cpu", ln),
    lambda ln: re.sub(r" \S+ ms cpu", " // ms cpu", ln),
    lambda ln: re.sub(r" (\S+) ms cpu", lambda m: " " + m[1].replace("/", "+") + " ms cpu", ln),
    lambda ln: re.sub(r": (\S+) ms clock", lambda m: ": " + m[1].split("+")[0] + "+ ms clock", ln),
    lambda ln: re.sub(r" (\S+) ms cpu", lambda m: " " + m[1].split("/")[0] + "/ ms cpu", ln),
    lambda ln: re.sub(r" (\S+) ms clock", " ... ms clock", ln),
]


@pytest.mark.parametrize("k", range(len(CORRUPT)))
def test_gctrace_truncated_fields(gclog, k):
    lines = gclog.split("\n")
    idx = _gc_lines(gclog)
    base = parse_gctrace(gclog.encode()).cycles
    bad = CORRUPT[k](lines[idx[2]])
    assert bad != lines[idx[2]]
    lines[idx[2]] = bad
    with pytest.warns(PprofParseWarning, match="gctrace"):
        g = parse_gctrace("\n".join(lines).encode())
    assert len(g.cycles) == len(base) - 1
    assert (idx[2] + 1, bad) in g.unparsed


@pytest.mark.parametrize("num", BIG)
@pytest.mark.parametrize("field", [r"gc (\d+)", r" (\d+) P$", r"->(\d+) MB", r"(\d+) MB goal", r" (\d+)%:",
                                   r"@(\d+)\.\d+s", r"(\d+) MB stacks"])
def test_gctrace_numbers_out_of_range(gclog, num, field):
    lines = gclog.split("\n")
    idx = _gc_lines(gclog)
    n0 = len(idx)
    m = re.search(field, lines[idx[1]])
    lines[idx[1]] = lines[idx[1]][:m.start(1)] + num + lines[idx[1]][m.end(1):]
    if field.startswith("@") and len(num) < 300:  # the start time is a float64: 9.2e18 s fits
        assert len(parse_gctrace("\n".join(lines).encode()).cycles) == n0
        return
    with pytest.warns(PprofParseWarning, match="does not fit"):
        g = parse_gctrace("\n".join(lines).encode())
    assert len(g.cycles) == n0 - 1
    for c in g.cycles.columns:
        if g.cycles[c].dtype == np.int64:
            assert (g.cycles[c] >= 0).all(), c


@pytest.mark.parametrize("num", BIG)
def test_scav_and_pacer_numbers_out_of_range(num):
    text = (DATA / "gctrace-alltraces.log").read_text()
    base = parse_gctrace(text.encode())
    for pat in (r"(\d+) KiB now", r"scan (\d+) MB", r"swept (\d+) pages", r"at heap size (\d+)MB"):
        m = re.search(pat, text)
        bad = text[:m.start(1)] + num + text[m.end(1):]
        with pytest.warns(PprofParseWarning):
            g = parse_gctrace(bad.encode())
        assert len(g.scav) + len(g.pacer) == len(base.scav) + len(base.pacer) - 1
        for df in (g.scav, g.pacer):
            for c in df.columns:
                assert df[c].dtype != object or c in ("kind", "text"), c


@pytest.mark.parametrize("name", ["gctrace.log", "gctrace-alltraces.log"])
@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_gctrace_bom_and_line_ends(name, ending, bom):
    raw = (DATA / name).read_bytes()
    a = parse_gctrace(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PprofParseWarning)
        b = parse_gctrace(bom + raw.replace(b"\n", ending))
    assert a.cycles.equals(b.cycles) and a.scav.equals(b.scav) and a.pacer.equals(b.pacer)
    assert b.cycles["prefix"].eq("").all()


# ---------------------------------------------------------------------------
# MemStats


VARS = DATA / "snap1.vars.json"
HEAP = DATA / "snap1.heap.debug1.txt"


@pytest.mark.parametrize("num", BIG + ["1e309", "-1", "1.5", "true", '"7"'])
def test_memstats_json_out_of_range(num):
    text = VARS.read_text()
    bad = re.sub(r'"Mallocs":\s*\d+', f'"Mallocs":{num}', text)
    line = bad[:bad.index('"Mallocs"')].count("\n") + 1
    with pytest.raises(RuntimeFormatError, match=rf"<bytes>:{line}: .*Mallocs"):
        load_memstats(bad.encode())
    with pytest.raises(RuntimeFormatError):
        read_memstats([bad.encode()])


@pytest.mark.parametrize("num", BIG + ["1e309", "-1", "inf", "nan"])
def test_memstats_trailer_out_of_range(num):
    text = HEAP.read_text()
    for pat in (r"# Mallocs = (\d+)", r"# PauseNs = \[(\d+)", r"# Stack = (\d+)", r"# NumGC = (\d+)"):
        m = re.search(pat, text)
        bad = text[:m.start(1)] + num + text[m.end(1):]
        line = bad[:m.start(1)].count("\n") + 1
        with pytest.raises(RuntimeFormatError, match=rf"<bytes>:{line}: "):
            load_memstats(bad.encode())


def test_memstats_pause_ring_wrong_length():
    d = json.loads(VARS.read_text())
    d["memstats"]["PauseEnd"] = d["memstats"]["PauseEnd"][:10]
    with pytest.raises(RuntimeFormatError, match="PauseEnd"):
        read_gc_pauses([json.dumps(d).encode()])


@pytest.mark.parametrize("path", [VARS, HEAP])
@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_memstats_bom_and_line_ends(path, ending, bom):
    raw = path.read_bytes()
    a = read_memstats([raw], times=[0.0])
    b = read_memstats([bom + raw.replace(b"\n", ending)], times=[0.0])
    assert a.equals(b)
    pa, pb = read_gc_pauses([raw]), read_gc_pauses([bom + raw.replace(b"\n", ending)])
    assert pa.equals(pb)


# ---------------------------------------------------------------------------
# runtime/metrics JSON and Prometheus text


def _exposition(path) -> str:
    spec = importlib.util.spec_from_file_location("_rt_test_metrics", Path(__file__).with_name("test_metrics.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod._exposition(path)


@pytest.fixture(scope="module")
def scrape() -> str:
    return _exposition(VARS)


@pytest.mark.parametrize("bad", ['t{le=""}0', 't{le=""} 0', 't_bucket{le="x"} 1', 'go_gc{quantile=""} 1',
                                 'go_gc{quantile="1e400x"} 1'])
def test_prometheus_bad_label_numbers(scrape, bad):
    lines = scrape.split("\n")
    lines.insert(3, bad)
    with pytest.raises(RuntimeFormatError, match=r"<bytes>:4: "):
        read_prometheus(["\n".join(lines).encode()])


@pytest.mark.parametrize("num", ["9" * 400, "9" * 5000, "1e309", "-1e309"])
def test_prometheus_value_out_of_range(scrape, num):
    m = re.search(r"^go_goroutines (\S+)$", scrape, re.M)
    bad = scrape[:m.start(1)] + num + scrape[m.end(1):]
    line = bad[:m.start(1)].count("\n") + 1
    with pytest.raises(RuntimeFormatError, match=rf"<bytes>:{line}: .*float64"):
        read_prometheus([bad.encode()])
    # +Inf is a value the format allows
    ok = scrape[:m.start(1)] + "+Inf" + scrape[m.end(1):]
    assert read_prometheus([ok.encode()]).query("sample == 'go_goroutines'")["value"].iloc[0] == np.inf


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_prometheus_bom_and_line_ends(scrape, ending, bom):
    raw = scrape.encode()
    a = read_prometheus([raw], times=[1.0])
    assert len(a) > 20
    b = read_prometheus([bom + raw.replace(b"\n", ending)], times=[1.0])
    assert a.equals(b)
    # text= (a str holding only CR line ends) reads the same
    c = read_prometheus(text=[(bom + raw.replace(b"\n", ending)).decode("utf-8")], times=[1.0])
    assert a.equals(c)
    prometheus_series(b), prometheus_histograms(b)


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_runtime_metrics_bom_and_line_ends(ending, bom):
    raw = VARS.read_bytes()
    assert read_runtime_metrics([raw], times=[0.0]).equals(
        read_runtime_metrics([bom + raw.replace(b"\n", ending)], times=[0.0]))
    assert read_runtime_histograms([raw], times=[0.0]).equals(
        read_runtime_histograms([bom + raw.replace(b"\n", ending)], times=[0.0]))


PAUSES = "/sched/pauses/total/gc:seconds"


def _vars_with(fn) -> bytes:
    d = json.loads(VARS.read_text())
    fn(d["runtime_metrics"])
    return json.dumps(d, indent=1).encode()


@pytest.mark.parametrize("edit", [
    lambda rm: rm.__setitem__("/gc/heap/goal:bytes", 10 ** 400),
    lambda rm: rm.__setitem__("/gc/heap/goal:bytes", float("inf")),
    lambda rm: rm[PAUSES]["counts"].__setitem__(3, 2 ** 63),
    lambda rm: rm[PAUSES]["counts"].__setitem__(3, -1),
    lambda rm: rm[PAUSES]["counts"].__setitem__(3, "x"),
    lambda rm: rm[PAUSES]["counts"].__setitem__(3, 1.5),
    lambda rm: rm[PAUSES]["buckets"].__setitem__(3, "x"),
    lambda rm: rm[PAUSES]["buckets"].__setitem__(3, None),
    lambda rm: rm[PAUSES]["buckets"].__setitem__(3, 10 ** 400),
    lambda rm: rm[PAUSES]["buckets"].reverse(),
    lambda rm: rm[PAUSES].__setitem__("counts", 5),
])
def test_runtime_metrics_bad_values(edit):
    data = _vars_with(edit)
    with pytest.raises(RuntimeFormatError, match=r"<bytes>:\d+: "):
        read_runtime_metrics([data], times=[0.0])
        h = read_runtime_histograms([data], times=[0.0])
        histogram_quantiles(h)


def test_runtime_metrics_float_overflow_in_text():
    text = VARS.read_text()
    bad = re.sub(r'("/gc/heap/goal:bytes":\s*)\d+', r"\g<1>1e309", text)
    line = bad[:bad.index('"/gc/heap/goal:bytes"')].count("\n") + 1
    with pytest.raises(RuntimeFormatError, match=rf"<bytes>:{line}: .*float64"):
        read_runtime_metrics([bad.encode()], times=[0.0])


@pytest.mark.parametrize("value", ["1e300", "9223372036854775808", "NaN"])
def test_prometheus_histogram_counts_out_of_range(scrape, value):
    m = re.search(r'^go_sched_pauses_total_gc_seconds_bucket\{le="0\.001"\} (\S+)$', scrape, re.M)
    bad = scrape[:m.start(1)] + value + scrape[m.end(1):]
    df = read_prometheus([bad.encode()], times=[1.0])
    with pytest.raises(RuntimeFormatError, match=r"<bytes>: histogram go_sched_pauses_total_gc_seconds"):
        prometheus_histograms(df)


def test_prometheus_histograms_without_times(scrape):
    """Bytes carry no mtime and the samples no timestamp: t is NaN, the buckets are still there."""
    df = read_prometheus([scrape.encode()])
    assert df["t"].isna().all()
    h = prometheus_histograms(df)
    assert len(h) == 11 and h["count"].sum() == df.query("sample == 'go_sched_pauses_total_gc_seconds_count'")[
        "value"].iloc[0]
    assert len(histogram_quantiles(h)) == 1


def test_runtime_histogram_delta_near_int64_max():
    big = 2**63 - 2
    i = next(k for k, c in enumerate(json.loads(VARS.read_text())["runtime_metrics"][PAUSES]["counts"]) if c > 0)

    def edit(rm):
        rm[PAUSES]["counts"][i] = big
    a, b = VARS.read_bytes(), _vars_with(edit)
    h = read_runtime_histograms([a, b], times=[0.0, 1.0])
    row = h[(h.metric == PAUSES) & (h.t == 1.0)].iloc[i]
    first = h[(h.metric == PAUSES) & (h.t == 0.0)].iloc[i]
    assert first["count"] > 0
    assert row["count"] == big and row["delta"] == big - first["count"]


@pytest.mark.parametrize("enc,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_goroutines_utf16_with_bom(dump, base, enc, bom):
    """Windows PowerShell 5's ``>`` writes UTF-16 with a BOM."""
    _same_goroutines(read_goroutines(bom + dump.decode().encode(enc)), base)


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_goroutine_debug1_bom_and_line_ends(ending, bom):
    raw = (DATA / "snap1.goroutine.debug1.txt").read_bytes()
    a = read_goroutines(raw)
    b = read_goroutines(bom + raw.replace(b"\n", ending))
    assert b.attrs["format"] == "debug=1" and list(a["count"]) == list(b["count"])
    assert list(a["stack"]) == list(b["stack"])
