"""gobench.benchstat: the comparison as a tidy DataFrame equals what benchstat prints
(under both engines: the vectorised table builder and the plain reference one)."""
from __future__ import annotations

import pytest

import gobench
from gobench.read.report import read_benchstat

from gobench_vectors import INPUTS, OUTPUTS, need_vectors

pytestmark = pytest.mark.usefixtures("engine")


def test_frame_matches_benchstat_csv():
    need_vectors()
    df = gobench.benchstat({"old.txt": INPUTS / "old.txt", "new.txt": INPUTS / "new.txt"})
    ref = read_benchstat(OUTPUTS / "v2-csv.stdout")
    m = df.merge(ref, on=["table", "row", "column", "unit"], suffixes=("", "_ref"))
    assert len(m) == len(ref) == len(df)
    for r in m.itertuples():
        if r.center_ref == r.center_ref:  # not NaN
            assert r.center == r.center_ref  # CSV prints every digit
        assert (r.delta if isinstance(r.delta, str) else None) == (
            r.delta_ref if isinstance(r.delta_ref, str) else None)
    row = df[(df.row == "Sum/size=64KiB-2") & (df.unit == "sec/op") & (df.column == "new.txt")].iloc[0]
    assert row.significant is True and row.baseline == "old.txt" and row.n == 8
    assert row.delta_pct == pytest.approx(-35.26, abs=0.005)
    assert row.lo <= row.center <= row.hi
    eq = df[(df.row == "Fib-2") & (df.unit == "B/op") & (df.column == "new.txt")].iloc[0]
    assert eq.warnings == ["all samples are equal"] and eq.p == 1.0 and eq.significant is False


def test_projection_arguments():
    need_vectors()
    df = gobench.benchstat([INPUTS / "new.txt"], filter=".name:Join", row=".name,/n", col="/method")
    assert set(df.column) == {"plus", "builder"}
    assert set(df.row) == {"Join 16", "Join 256", "geomean"}
    with pytest.raises(gobench.QuerySyntaxError):
        gobench.benchstat([INPUTS / "new.txt"], table=".unit")
