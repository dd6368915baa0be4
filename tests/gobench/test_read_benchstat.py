"""read_benchstat: every saved v1/v2 report parsed back to the numbers its CSV twin holds."""
from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from gobench.cli import benchstat_main
from gobench.errors import BenchstatFormatError
from gobench.read.report import read_benchstat

from gobench_vectors import INPUTS, OUTPUTS, commands, need_vectors

KEY = ["table", "row", "column", "unit"]


def _s(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _compare(text_df, csv_df, rel, v1=False):
    # text omits the geomean row of one-row tables; CSV always has it
    csv_df = csv_df[~csv_df.is_geomean | csv_df.table.isin(text_df[text_df.is_geomean].table)]
    m = text_df.merge(csv_df, on=KEY, suffixes=("_t", "_c"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"][KEY + ["_merge"]]
    for _, r in m.iterrows():
        a, b = r["center_t"], r["center_c"]
        if math.isnan(b):
            assert math.isnan(a), r[KEY]
        else:
            assert a == pytest.approx(b, rel=rel, abs=1e-300 if b else 1e-12), tuple(r[KEY])
        assert _s(r["range_t"]) == _s(r["range_c"]) or v1, tuple(r[KEY])
        assert _s(r["delta_t"]) == _s(r["delta_c"]), tuple(r[KEY])
        for col in ("p", "n1", "n2"):
            x, y = r[f"{col}_t"], r[f"{col}_c"]
            assert (pd.isna(x) and pd.isna(y)) or x == y, (col, tuple(r[KEY]))
    return len(m)


V2_TWINS = [("v2-default", "v2-csv"), ("v2-edge-cases", "v2-edge-cases-csv"),
            ("v2-join-method", "v2-join-method-csv"), ("v2-unit-metadata", "v2-unit-metadata-csv")]


@pytest.mark.parametrize("text,csv", V2_TWINS)
def test_v2_text_matches_its_csv_twin(text, csv):
    need_vectors()
    t = read_benchstat(OUTPUTS / f"{text}.stdout")
    c = read_benchstat(OUTPUTS / f"{csv}.stdout")
    assert set(t.format) == {"v2-text"} and set(c.format) == {"v2-csv"}
    assert _compare(t, c, rel=1e-3) > 0


V2_ALL = [(n, argv) for n, prog, argv in commands()
          if prog == "benchstat" and "-format" not in argv and (OUTPUTS / f"{n}.stdout").exists()
          and (OUTPUTS / f"{n}.stdout").stat().st_size > 0]


@pytest.mark.parametrize("name,argv", V2_ALL, ids=[n for n, _ in V2_ALL])
def test_every_v2_text_output_matches_csv_of_same_run(name, argv, monkeypatch):
    """The CSV twin of outputs saved without one is made by `gopherlab benchstat -format csv`
    (byte-identical to benchstat on every vector, see test_benchstat_vectors)."""
    need_vectors()
    monkeypatch.chdir(INPUTS)
    out = io.StringIO()
    benchstat_main(["-format", "csv"] + argv, out, io.StringIO())
    t = read_benchstat(OUTPUTS / f"{name}.stdout")
    c = read_benchstat(text=out.getvalue())
    assert _compare(t, c, rel=1e-3) == len(t)


V1_TWINS = [("v1-default", "v1-csv"), ("v1-geomean", "v1-csv"), ("v1-sort-delta", "v1-csv"),
            ("v1-split-none", "v1-csv"), ("v1-from-json", "v1-csv"), ("v1-ttest", "v1-csv"),
            ("v1-three-inputs", "v1-csv"), ("v1-old-only", "v1-csv"), ("v1-csv-norange", "v1-csv")]


@pytest.mark.parametrize("text,csv", V1_TWINS)
def test_v1_outputs_match_the_v1_csv(text, csv):
    need_vectors()
    t = read_benchstat(OUTPUTS / f"{text}.stdout")
    c = read_benchstat(OUTPUTS / f"{csv}.stdout")
    c = c.assign(column=c.column.map({"old": "old.txt", "new": "new.txt"}))
    t = t.assign(column=t.column.replace({"old": "old.txt", "new": "new.txt", "": "old.txt"}))
    if text == "v1-from-json":
        t, c = t[t.column == "old.txt"], c[c.column == "old.txt"]
    if text == "v1-three-inputs":
        t = t[t.column != "new-from-json.txt"]
    t = t[~t.is_geomean]
    cols = ["row", "column", "unit"]
    m = t.merge(c, on=cols, suffixes=("_t", "_c"))
    assert len(m) == len(t) > 0
    row_max = c.groupby(["row", "unit"]).center.max()
    for _, r in m.iterrows():
        b = r["center_c"]
        # v1 scales a row with one prefix: 3.75 B next to 8.19 kB prints as "0.00kB"
        tol = 0.005 * row_max[(r["row"], r["unit"])] if r["center_t"] == 0 else 0
        assert r["center_t"] == pytest.approx(b, rel=6e-3, abs=max(tol, 1e-12)), tuple(r[cols])
        if text in ("v1-default", "v1-sort-delta", "v1-split-none", "v1-geomean") and r["column"] == "new.txt":
            assert _s(r["delta_t"]) == _s(r["delta_c"])
            assert (pd.isna(r["p_t"]) and pd.isna(r["p_c"])) or r["p_t"] == r["p_c"]


def test_v1_text_units_and_small_reports():
    need_vectors()
    e = read_benchstat(OUTPUTS / "v1-edge-cases.stdout")
    row = e[(e.row == "B-8") & (e.unit == "sec/op")].iloc[0]
    assert row["center"] == pytest.approx(205e-9) and row["pkg"] == "zzz/last"
    assert e[(e.row == "B-8") & (e.unit == "B/op")].center.iloc[0] == pytest.approx(1.23e6)
    u = read_benchstat(OUTPUTS / "v1-unit-metadata.stdout")
    assert set(u.unit) == {"text-bytes", "gc-sec/op", "B/s"}
    assert u[u.unit == "B/s"].center.iloc[0] == pytest.approx(3.74e6)


def test_v2_footnotes_become_warnings():
    need_vectors()
    df = read_benchstat(OUTPUTS / "v2-default.stdout")
    cell = df[(df.row == "Sum/size=1KiB-2") & (df.unit == "B/op") & (df.column == "new.txt")].iloc[0]
    assert cell["warnings"] == ["all samples are equal"] and cell["p"] == 1.0
    geo = df[df.is_geomean & (df.unit == "B/op") & (df.column == "new.txt") & (df.table == 2)].iloc[0]
    assert geo["delta"] == "?" and "ratios must be >0 to compute geomean" in geo["warnings"]


def test_text_and_not_a_report():
    need_vectors()
    text = (OUTPUTS / "v2-join-method.stdout").read_text()
    want = read_benchstat(OUTPUTS / "v2-join-method.stdout")
    assert len(want) > 10
    for got in (read_benchstat(text=text), read_benchstat(io.StringIO(text)), read_benchstat(text.encode())):
        assert got.equals(want)
    with pytest.raises(BenchstatFormatError, match="<text>: not a benchstat report"):
        read_benchstat(text="hello\nworld\n")


def test_a_str_is_a_path_as_in_pandas(tmp_path):
    """``text=`` takes the report; a str is a path, even one holding a line end (as in pandas)."""
    need_vectors()
    text = (OUTPUTS / "v2-join-method.stdout").read_text()
    assert read_benchstat(io.StringIO(text)).equals(read_benchstat(text=text))
    with pytest.raises(FileNotFoundError, match=r"to parse text, pass text="):
        read_benchstat(text)
    with pytest.raises(FileNotFoundError, match=r"to parse text, pass text=.* or io.StringIO.*no-such-report.txt"):
        read_benchstat(str(tmp_path / "no-such-report.txt"))
    with pytest.raises(TypeError, match="not both"):
        read_benchstat(OUTPUTS / "v2-join-method.stdout", text=text)
    with pytest.raises(TypeError, match="no input"):
        read_benchstat()
    with pytest.raises(TypeError, match="text= must be a str"):
        read_benchstat(text=text.encode())


def test_pre_2025_csv_header_layout():
    """Before golang/go#67760 was fixed, header rows were short and geomean rows unpadded."""
    need_vectors()
    new = (OUTPUTS / "v2-csv.stdout").read_text()
    old_lines = []
    for line in new.split("\n"):
        if line.startswith(",") and not line.startswith(",sec") and "CI" not in line:
            line = line.rstrip(",")
        if line.startswith("geomean,"):
            line = line.rstrip(",")
        old_lines.append(line)
    old = "\n".join(old_lines)
    assert old != new
    a, b = read_benchstat(text=new), read_benchstat(text=old)
    cols = ["table", "row", "column", "unit", "center", "delta", "p"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
