"""`gopherlab report` usage errors are caught before any kernel starts: exit 2, no report written,
one line on stderr saying what to pass (issue 13, section 2)."""
from __future__ import annotations

import time

import pytest

from gopherlab import report
from gopherlab.reports.bundled import sample_path


def _no_kernel(monkeypatch):
    """Fail the test if a notebook would be executed."""
    def boom(*a, **k):  # pragma: no cover - only reached on a regression
        raise AssertionError("a kernel was started for a usage error")

    monkeypatch.setattr(report, "run_report", boom)


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_allocations_on_a_cpu_profile_is_a_usage_error(tmp_path, capsys, monkeypatch):
    _no_kernel(monkeypatch)
    out = tmp_path / "a.html"
    cpu = sample_path("profiles/cpu.pb.gz")
    assert report.main(["allocations", cpu, "-o", str(out)]) == 2
    assert not out.exists() and not out.with_suffix(".ipynb").exists()
    line = _one_line(capsys.readouterr().err)
    assert "cpu.pb.gz" in line and "nanoseconds" in line and "heap" in line
    # the same for a CPU profile given as the base
    heap = sample_path("profiles/heap.pb.gz")
    assert report.main(["allocations", heap, "--base", cpu, "-o", str(out)]) == 2
    assert not out.exists()
    assert "cpu.pb.gz" in _one_line(capsys.readouterr().err)


def test_bench_with_one_file_is_a_usage_error(tmp_path, capsys, monkeypatch):
    _no_kernel(monkeypatch)
    out = tmp_path / "b.html"
    t0 = time.perf_counter()
    assert report.main(["bench", sample_path("bench/old.txt"), "-o", str(out)]) == 2
    assert time.perf_counter() - t0 < 5  # no kernel
    assert not out.exists() and not out.with_suffix(".ipynb").exists()
    line = _one_line(capsys.readouterr().err)
    assert "OLD" in line and "NEW" in line


def test_leaks_times_of_wrong_length_is_a_usage_error(tmp_path, capsys, monkeypatch):
    _no_kernel(monkeypatch)
    out = tmp_path / "l.html"
    snaps = [sample_path(f"runtime/leakserver/snap{i}.goroutine.debug2.txt") for i in range(3)]
    assert report.main(["leaks", *snaps, "--times", "0,1", "-o", str(out)]) == 2
    assert not out.exists()
    assert "2 times for 3 snapshots" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("spelling", ["5", "5%", " 5 %"])
def test_fail_on_regression_accepts_percent_sign(spelling, monkeypatch, tmp_path):
    seen = {}

    def fake_run(kind, params, out, **kw):
        seen.update(params)
        return report.ReportResult(kind=kind, html=tmp_path / "x.html", notebook=tmp_path / "x.ipynb", ok=True)

    monkeypatch.setattr(report, "run_report", fake_run)
    old, new = sample_path("bench/old.txt"), sample_path("bench/new.txt")
    assert report.main(["bench", old, new, "--fail-on-regression", spelling, "-o", str(tmp_path / "x.html")]) == 0
    assert seen["fail_on_regression"] == 5.0


@pytest.mark.parametrize("bad", ["five", "-5", "5%%x", "nan"])
def test_fail_on_regression_bad_value(bad, capsys, monkeypatch, tmp_path):
    _no_kernel(monkeypatch)
    old, new = sample_path("bench/old.txt"), sample_path("bench/new.txt")
    assert report.main(["bench", old, new, "--fail-on-regression", bad, "-o", str(tmp_path / "x.html")]) == 2
    assert "threshold" in _one_line(capsys.readouterr().err)
