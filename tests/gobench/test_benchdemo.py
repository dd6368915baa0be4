"""The bundled sample benchmark data (examples/benchdemo) read completely."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gobench

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "gopherlab" / "data" / "bench"


def _independent_count(text: str):
    """Count result lines and value/unit pairs without gobench's parser."""
    lines = pairs = 0
    for line in text.splitlines():
        if not line.startswith("Benchmark"):
            continue
        fields = line.split("\t")
        fields = [f.strip() for f in fields if f.strip()]
        # go test prints "<name>\t<iters>\t<value> <unit>\t<value> <unit>..."
        if len(fields) < 3 or not fields[1].isdigit():
            continue
        lines += 1
        pairs += len(fields) - 2
    return lines, pairs


@pytest.mark.parametrize("name", ["old.txt", "new.txt"])
def test_sample_data_fully_accounted_for(name):
    path = DATA / name
    lines, pairs = _independent_count(path.read_text())
    df = gobench.read_bench(path)
    assert df.attrs["errors"] == []
    assert df.groupby("line").ngroups == lines > 0
    assert len(df) == pairs
    assert set(df.orig_unit) >= {"ns/op", "MB/s", "B/op", "allocs/op", "cmps/op"}
    assert set(df.name) == {"Checksum", "Join", "Sort"}
    assert {"/size", "/n"} <= set(df.columns)
    assert (df.groupby("fullname").line.nunique() == 6).all()  # -count 6
    assert set(df.pkg) == {"example.com/gopherlab/benchdemo"}


def test_sample_comparison_runs():
    df = gobench.benchstat({"old": DATA / "old.txt", "new": DATA / "new.txt"})
    join = df[(df.row == "Join/n=256-2") & (df.unit == "allocs/op") & (df.column == "new")].iloc[0]
    assert join.center < join.baseline_center  # strings.Builder + Grow allocates once
    assert join.significant


@pytest.mark.go
@pytest.mark.slow
def test_regenerate_script_produces_readable_runs(go, tmp_path):
    script = REPO / "examples" / "benchdemo" / "regenerate.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path), "--benchtime", "2ms",
                    "--count", "2"], check=True, capture_output=True)
    for name in ("old.txt", "new.txt"):
        text = (tmp_path / name).read_text()
        lines, pairs = _independent_count(text)
        df = gobench.read_bench(tmp_path / name)
        assert len(df) == pairs and df.groupby("line").ngroups == lines == 12
