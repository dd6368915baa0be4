"""The execution trace report: the report layer on the bundled real trace, the notebook run headless by
papermill through ``gopherlab report trace`` (one run), usage errors, and the HTML size bound."""
from __future__ import annotations

import contextlib
import io
import re
import shutil

import numpy as np
import pytest

from gopherlab.cli import main as cli_main
from gopherlab.reports import trace as tr
from gopherlab.reports.bundled import sample_path
from pprof_parse.runtime.trace import analysis, read_trace

PLOTLY_JS_BANNER = re.compile(r"plotly\.js v\d+\.\d+\.\d+")
MAX_HTML_BYTES = 6_000_000


def _cli(argv):
    """``gopherlab report …`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["report", *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sample_trace():
    return read_trace(sample_path(tr.SAMPLE_TRACE))


@pytest.fixture(scope="module")
def sample():
    return tr.analyze([], threshold_ms=0.5)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The bundled sample through ``gopherlab report trace``: one papermill run."""
    out = tmp_path_factory.mktemp("trace") / "trace.html"
    return (*_cli(["trace", "--threshold-ms", "0.5", "-o", str(out)]), out)


def test_analysis_keeps_the_traces_numbers(sample, sample_trace):
    assert sample.files == [sample_path(tr.SAMPLE_TRACE)]
    row = sample.summary.iloc[0]
    assert row["events"] == len(sample_trace) and row["go"] == "1.26"
    assert row["gc_cycles"] == len(analysis.gc_cycles(sample_trace)) >= 2
    blocking = analysis.blocking_by_reason(sample_trace)
    assert sample.blocking["total_ns"].sum() == blocking["total_ns"].sum()
    for kind, prof in sample.profiles.items():
        assert prof.total("delay") == sample_trace.delay_profile(kind)["delay_ns"].sum()
    regions = sample_trace.regions.dropna(subset=["duration"])
    slow = regions[regions["duration"] >= 500_000]
    assert len(sample.slowest) == min(20, len(slow)) > 0
    assert sample.slowest["duration_ns"].iloc[0] == slow["duration"].max()
    assert set(sample.regions["name"]) == {"pingpong", "syscalls", "network"}


def test_many_files_add_up(tmp_path, sample):
    for name in ("a.trace", "b.trace"):
        shutil.copyfile(sample_path(tr.SAMPLE_TRACE), tmp_path / name)
    two = tr.analyze([str(tmp_path / "*.trace")], threshold_ms=0.5, buckets=10)
    assert list(two.summary["file"]) == ["a.trace", "b.trace"]
    assert two.blocking["total_ns"].sum() == 2 * sample.blocking["total_ns"].sum()
    assert (two.regions.set_index("name")["count"] == 2 * sample.regions.set_index("name")["count"]).all()
    for kind, prof in two.profiles.items():
        assert prof.total("delay") == 2 * sample.profiles[kind].total("delay")
    assert two.latency.groupby("file").size().max() <= 10
    assert len(two.gc) == 2 * len(sample.gc)
    with pytest.raises(FileNotFoundError, match="no file matches"):
        tr.analyze([str(tmp_path / "*.nope")])


def test_figures_are_aggregates(sample):
    lat = tr.sched_latency_figure(sample)
    assert sum(len(t.x) for t in lat.data) <= 3 * 60  # three lines of at most `buckets` points
    gc = tr.gc_figure(sample)
    assert all(len(t.x) == len(sample.gc) for t in gc.data)
    flame = tr.delay_flame_figure(sample, max_nodes=100)
    kinds = [k for k, p in sample.profiles.items() if p.total("delay") > 0]
    assert len(flame.data) == len(kinds) and all(len(t.ids) <= 100 for t in flame.data)
    bars = tr.blocking_figure(sample).data[0]
    assert np.isclose(sum(bars.x), sample.blocking["total_ns"].sum() / 1e6)


def test_report_runs_headless(run, sample):
    code, stdout, stderr, out = run
    assert code == 0, stderr
    assert stdout.startswith("trace:")
    html = out.read_text(encoding="utf-8")
    assert len(html.encode()) < MAX_HTML_BYTES
    assert len(PLOTLY_JS_BANNER.findall(html)) == 1 and "tr.analyze" not in html
    figs = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert figs == 4  # latency over time, GC, blocking, flame graphs
    assert "Scheduler latency by goroutine group" in html and "main.workload.func3" in html
    assert "Regions of 0.5 ms or more" in html and "main.workload &lt; main.main" in html
    assert f"<td>{int(sample.summary['events'].iloc[0])}</td>" in html
    assert out.with_suffix(".ipynb").exists()


@pytest.mark.parametrize("argv, says", [
    (["trace", "nosuch.trace"], "no such file"),
    (["trace", "nosuch/*.trace"], "no file matches"),
    (["trace", "--threshold-ms", "-1"], "--threshold-ms"),
    (["trace", "--buckets", "0"], "--buckets"),
    (["trace", "--threshold-ms", "x"], "invalid float"),
])
def test_usage_errors_exit_2_and_write_nothing(tmp_path, argv, says):
    out = tmp_path / "t.html"
    code, _, stderr = _cli([*argv, "-o", str(out)])
    assert code == 2 and says in stderr and not out.exists()


def test_a_file_that_is_not_a_trace_is_a_usage_error(tmp_path):
    bogus = tmp_path / "cpu.pb.gz"
    shutil.copyfile(sample_path("profiles/allocs.debug1.txt"), bogus)
    out = tmp_path / "t.html"
    code, _, stderr = _cli(["trace", str(bogus), "-o", str(out)])
    assert code == 2 and "is not a Go execution trace" in stderr and not out.exists()
