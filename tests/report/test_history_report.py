"""The benchmark history report: the analysis on the bundled real history, the notebook run headless by
papermill through ``gopherlab report history`` (exit codes, PR comment), numbers equal to benchstat's."""
from __future__ import annotations

import contextlib
import io
import math
import re
import shutil

import nbformat
import pytest

import gobench
from gobench.errors import OptionError
from gopherlab import report
from gopherlab.cli import main as cli_main
from gopherlab.reports import history
from gopherlab.reports.bundled import sample_path

PLOTLY_JS_BANNER = re.compile(r"plotly\.js v\d+\.\d+\.\d+")


def _cli(argv):
    """``gopherlab report …`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["report", *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sample():
    return history.analyze([], threshold_pct=10)


@pytest.fixture(scope="module")
def gated_run(tmp_path_factory):
    """The bundled sample, gated at 10 %, with the PR comment on stdout: one papermill run."""
    out = tmp_path_factory.mktemp("history") / "history.html"
    return (*_cli(["history", "--fail-on-regression", "10%", "--format", "markdown", "-o", str(out)]), out)


def test_gated_run_fails_on_the_lasting_regressions(gated_run, sample):
    code, stdout, stderr, out = gated_run
    assert code == 1, stderr
    html = out.read_text(encoding="utf-8")
    assert len(PLOTLY_JS_BANNER.findall(html)) == 1 and "gl.setup_notebook()" not in html
    assert "PERFORMANCE REGRESSED" in html and "Checksum-2 B/op +∞% at c10" in html
    assert "Too noisy to judge" in html or "No benchmark is too noisy" in html
    assert sample.command in html                              # the pair's benchstat command line
    nb = nbformat.read(str(out.with_suffix(".ipynb")), as_version=4)
    result = report._results(nb)
    assert result["regressions"] == history.verdict(sample)["regressions"] and result["commits"] == 20
    # one band chart per finding shown (at most top_n), plus nothing else drawn
    figs = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert figs == min(6, int(sample.table.status.isin(["regression", "improvement"]).sum()))
    # the PR comment on stdout, the one-line summary on stderr
    assert stdout == result["markdown"] and stdout.startswith("**gopherlab report history**: PERFORMANCE REGRESSED")
    assert "| Checksum-2 | B/op | regression ❌ |" in stdout and "history:" in stderr


def test_a_history_without_lasting_regression_passes(tmp_path):
    """Commits c10-c19: only the hash revert (an improvement) at c15; gated at 5 % it exits 0."""
    for i in range(10, 20):
        shutil.copyfile(sample_path(f"bench/history/c{i:02d}.txt"), tmp_path / f"c{i:02d}.txt")
    out = tmp_path / "ok.html"
    code, stdout, stderr = _cli(["history", str(tmp_path / "c*.txt"), "--fail-on-regression", "5",
                                 "--baseline", "c12", "-o", str(out)])
    assert code == 0, stderr
    html = out.read_text(encoding="utf-8")
    assert "No persisting significant regression beyond 5% over 10 commits" in html
    assert "c12 vs c19" in html and stdout.startswith("history:")


@pytest.mark.parametrize("argv, says", [
    (["history", "nosuch.txt"], "no such file"),
    (["history", "nosuch/*.txt"], "no file matches"),
    (["history", "--fail-on-regression", "5%%"], "--fail-on-regression"),
    (["history", "--fail-on-regression", "-3"], "--fail-on-regression"),
    (["history", "--alpha", "1.5"], "--alpha"),
    (["history", "--format", "json"], "invalid choice"),
])
def test_usage_errors_exit_2_before_any_kernel(tmp_path, argv, says):
    out = tmp_path / "h.html"
    code, stdout, stderr = _cli([*argv, "-o", str(out)])
    assert code == 2 and says in stderr and not out.exists() and not stdout


def test_bad_baseline_is_named(sample):
    with pytest.raises(OptionError, match="baseline 'nope' is not a commit"):
        history.analyze(sample.history, baseline="nope")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        history.history_inputs(["/nonexistent/*.txt"])


def test_pair_numbers_equal_benchstat(sample):
    """Baseline vs last commit: the numbers ``gopherlab benchstat -col commit -ignore commit-time,kernels
    c00.txt c19.txt`` prints (and so benchstat)."""
    assert sample.command == "benchstat -col commit -ignore commit-time,kernels c00.txt c19.txt"
    ref = gobench.benchstat([sample_path("bench/history/c00.txt"), sample_path("bench/history/c19.txt")],
                            col="commit", ignore="commit-time,kernels")
    ref = ref[~ref.is_geomean]
    old = ref[ref.column == "c00"].set_index(["row", "unit"])
    new = ref[ref.column == "c19"].set_index(["row", "unit"])
    assert len(sample.pair) == len(new) == 17
    for r in sample.pair.itertuples():
        o, n = old.loc[(r.name, r.unit)], new.loc[(r.name, r.unit)]
        assert (r.old, r.old_lo, r.old_hi, r.old_range) == (o.center, o.lo, o.hi, o.range)
        assert (r.new, r.new_lo, r.new_hi, r.new_range) == (n.center, n.lo, n.hi, n.range)
        assert r.delta == n.delta and r.note == n.note
        assert r.p == n.p or (math.isnan(r.p) and math.isnan(n.p))
    # any other pair, too
    pair = history.compare_commits(sample.history, "c04", "c05")
    ref = gobench.benchstat([sample_path("bench/history/c04.txt"), sample_path("bench/history/c05.txt")],
                            col="commit", ignore="commit-time,kernels")
    got = dict(zip(zip(pair.name, pair.unit), pair.delta))
    want = {(r.row, r.unit): r.delta for r in ref[(ref.column == "c05") & ~ref.is_geomean].itertuples()}
    assert got == want


def test_pair_text_matches_gopherlab_benchstat(sample, capsys):
    """The deltas shown are the ones ``gopherlab benchstat`` prints in its text table."""
    code = cli_main(["benchstat", "-col", "commit", "-ignore", "commit-time,kernels",
                     sample_path("bench/history/c00.txt"), sample_path("bench/history/c19.txt")])
    text = capsys.readouterr().out
    assert code == 0
    tables = text.split("\n\n")
    for r in sample.pair.itertuples():
        table = next(t for t in tables if re.search(rf"│\s+{re.escape(r.unit)}\s+│", t))
        line = next(ln for ln in table.splitlines() if ln.startswith(r.name + " "))
        assert r.delta in line and re.search(rf"±\s+{re.escape(r.old_range)}", line), line


HOSTILE = ["Pipe|x-2", "<script>alert(1)</script>-2", "![](http://evil.example/x.png)-2"]


def test_markdown_comment_escapes_hostile_names(tmp_path):
    """A history whose benchmark names are markup: every one regresses, and each stays text in its own cell."""
    lines = []
    for c in range(12):
        lines.append(f"commit: h{c:02d}")
        for k in range(6):
            for i, name in enumerate(HOSTILE):
                ns = (1000 + 10 * i) * (1.5 if c >= 6 else 1.0) * (1 + 0.001 * k)
                lines.append(f"Benchmark{name}\t1000\t{ns:.1f} ns/op")
    path = tmp_path / "hostile.txt"
    path.write_text("\n".join(lines) + "\n")
    a = history.analyze([str(path)], threshold_pct=5)
    v = history.verdict(a)
    md = v["markdown"]
    assert len(v["regressions"]) == 3
    rows = [ln for ln in md.splitlines() if ln.startswith("| ") and "regression" in ln]
    assert len(rows) == 3
    for ln in rows:
        cells = re.split(r"(?<!\\)\|", ln)[1:-1]
        assert len(cells) == 9                       # no | inside a name splits the row
    assert "Pipe\\|x-2" in md and "&lt;script&gt;" in md and "<script>" not in md
    assert "!\\[\\]\\(http\\://evil.example/x.png\\)" in md and "](http" not in md


def test_a_frame_without_files(sample):
    """analyze takes a frame read_history made (or one built by hand, without a ``file`` column)."""
    frame = sample.history.drop(columns=["file"])
    frame.attrs = dict(sample.history.attrs)
    a = history.analyze(frame, baseline="c05")
    assert a.command == "benchstat -col commit -ignore commit-time,kernels <c05 runs> <c19 runs>"
    assert a.baseline == "c05" and a.last == "c19" and len(a.pair) == 17
