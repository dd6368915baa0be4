"""gopherlab compare: the CI gate's exit codes and verdicts."""
from __future__ import annotations

import io
import json

import pytest

from gobench.cli import compare_main
from gobench.gate import better_direction, parse_threshold
from gobench.read.report import read_benchstat

from gobench_vectors import INPUTS, OUTPUTS, need_vectors


def _run(argv, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    rc = compare_main(argv, out, err)
    return rc, out.getvalue(), err.getvalue()


def _expected_regressions(threshold):
    """From the real benchstat output: significant, worse, beyond threshold."""
    df = read_benchstat(OUTPUTS / "v2-default.stdout")
    df = df[(df.column == "new.txt") & ~df.is_geomean & (df.significant == True)]  # noqa: E712
    out = set()
    for r in df.itertuples():
        d = r.delta_pct
        if r.delta == "?":
            d = float("inf")
        worse = d < 0 if better_direction(r.unit) == "higher" else d > 0
        if worse and abs(d) > threshold:
            out.add((r.row, r.unit))
    return out


@pytest.mark.parametrize("threshold", [5, 50, 1000])
def test_regressions_match_benchstat_verdicts(threshold, monkeypatch):
    need_vectors()
    rc, out, _ = _run(["old.txt", "new.txt", "--fail-on-regression", f"{threshold}%",
                       "--format", "json"], INPUTS, monkeypatch)
    got = json.loads(out)
    regs = {(c["benchmark"], c["unit"]) for c in got["comparisons"] if c["verdict"] == "regression"}
    want = _expected_regressions(threshold)
    assert regs == want and want
    assert rc == 1 and got["regressions"] == len(want)


def test_no_change_passes_and_markdown(monkeypatch):
    need_vectors()
    rc, out, _ = _run(["old.txt", "old.txt"], INPUTS, monkeypatch)
    assert rc == 0
    assert out.startswith("**gopherlab compare**: 0 significant regression(s) beyond 5%")
    assert "| benchmark | unit | old | new | delta | p | verdict |" in out


def test_better_metadata_wins(tmp_path, monkeypatch):
    old = "".join(f"BenchmarkS 1 {v} score/op\n" for v in (10, 11, 10, 12, 11, 10))
    new = "".join(f"BenchmarkS 1 {v} score/op\n" for v in (20, 21, 22, 20, 21, 23))
    (tmp_path / "old.txt").write_text(old)
    (tmp_path / "new.txt").write_text(new)
    assert _run(["old.txt", "new.txt"], tmp_path, monkeypatch)[0] == 1
    (tmp_path / "old.txt").write_text("Unit score/op better=higher\n" + old)
    assert _run(["old.txt", "new.txt"], tmp_path, monkeypatch)[0] == 0


def test_unreadable_inputs_exit_2(tmp_path, monkeypatch):
    (tmp_path / "empty.txt").write_text("PASS\n")
    (tmp_path / "ok.txt").write_text("BenchmarkX 1 5 ns/op\n")
    (tmp_path / "bad16.txt").write_bytes(b"\xff\xfe" + "Benchmark".encode("utf-16-le") + b"\x00\xd8")
    for argv in (["ok.txt", "missing.txt"], ["empty.txt", "ok.txt"], ["bad16.txt", "ok.txt"],
                 ["ok.txt"], ["ok.txt", "ok.txt", "--format", "html"],
                 ["ok.txt", "ok.txt", "--fail-on-regression", "lots"]):
        rc, _, err = _run(argv, tmp_path, monkeypatch)
        assert rc == 2, argv
        assert "gopherlab compare:" in err


def test_direction_and_threshold_parsing():
    assert better_direction("sec/op") == "lower" and better_direction("B/s") == "higher"
    assert better_direction("B/s", "lower") == "lower" and better_direction("allocs/op") == "lower"
    assert parse_threshold("5%") == 5.0 and parse_threshold("2.5") == 2.5
