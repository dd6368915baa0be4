"""Leak verdicts that say what the snapshots can show (issue 13, section 2).

Inputs are dumps of the repo's real Go program ``examples/leakserver``: the bundled capture
(four debug=2 snapshots) and its ``-dump 3255`` mode (651 goroutines in each of five states,
one snapshot). The ``[N minutes]`` wait times cannot be produced without parking goroutines for
minutes, so that case uses the real dump with ``, 3 minutes`` added to the ``chan send``
goroutines' headers, where the runtime prints it (runtime/traceback.go: ``, N minutes`` after
the wait reason).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from gopherlab.reports import leaks as lk
from gopherlab import report
from gopherlab.reports.bundled import sample_path
from gopherlab.reports.render import html_table
from pprof_parse import OptionError, find_leaks

import goenv

REPO = Path(__file__).resolve().parents[2]
SNAPS = [f"runtime/leakserver/snap{i}.goroutine.debug2.txt" for i in range(4)]


def _copies(tmp_path) -> list[str]:
    """The bundled snapshots as a user gets them from elsewhere: every file with the same mtime."""
    out = []
    for i, rel in enumerate(SNAPS):
        dst = tmp_path / f"s{i}.txt"
        shutil.copyfile(sample_path(rel), dst)
        os.utime(dst, (1_700_000_000, 1_700_000_000))
        out.append(str(dst))
    return out


@pytest.fixture(scope="module")
def big_dump(tmp_path_factory) -> str:
    """``leakserver -dump 3255``: 651 goroutines parked in chan send, 651 in each other state."""
    import subprocess

    if goenv.go_binary() is None:
        pytest.skip("Go toolchain not installed")
    d = tmp_path_factory.mktemp("dump")
    exe = goenv.build(REPO / "examples" / "leakserver", d / "leakserver")
    out = subprocess.run([str(exe), "-dump", "3255"], capture_output=True, check=True, timeout=120).stdout
    return out.decode()


def test_same_mtime_snapshots_fall_back_to_order(tmp_path):
    files = _copies(tmp_path)
    by_order = find_leaks(files)
    assert by_order.attrs["time_basis"] == "order"
    assert by_order.attrs["times"] == [0.0, 1.0, 2.0, 3.0]
    assert by_order["growth_per_min"].isna().all()  # no clock, no per-minute rate
    timed = find_leaks(files, interval=1.5)
    assert timed.attrs["time_basis"] == "times"
    # the same four leaking groups either way
    assert set(by_order[by_order.suspect].top_function) == set(timed[timed.suspect].top_function)
    assert len(by_order[by_order.suspect]) == 4
    assert by_order[by_order.suspect]["reason"].str.contains("per snapshot").all()
    # explicit times that go backwards are still an error
    with pytest.raises(ValueError, match="increasing"):
        find_leaks(files, times=[0, 2, 1, 3])
    v = lk.verdict(by_order)
    assert "per snapshot" in v["verdict"] and v["suspects"] == 4


def test_leaks_report_on_copied_snapshots_without_times(tmp_path):
    out = tmp_path / "leaks.html"
    assert report.main(["leaks", *_copies(tmp_path), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "4 suspected goroutine leak(s)" in html
    assert "per snapshot" in html and "snapshot times unknown" in html
    assert "pass times=" not in html


def test_single_snapshot_is_not_a_green_verdict(big_dump):
    leaks = find_leaks(text=[big_dump])
    assert leaks.attrs["growth_measurable"] is False
    v = lk.verdict(leaks)
    assert "no goroutine leak suspected" not in v["verdict"]
    assert "cannot be measured" in v["verdict"] and "one snapshot" in v["verdict"]
    assert v["state"] == "unknown"
    # the table shows no "+nan" growth
    table = html_table(lk.suspects_frame(leaks), formats=lk.SUSPECT_FORMATS)
    assert "nan" not in table.lower()
    assert "651" in table


def test_single_snapshot_flags_large_groups_blocked_for_minutes(big_dump):
    dump = re.sub(r"^(goroutine \d+ \[chan send)\]:", r"\1, 3 minutes]:", big_dump, flags=re.M)
    assert dump.count("[chan send, 3 minutes]") == 651
    leaks = find_leaks(text=[dump])
    s = leaks[leaks.suspect]
    assert list(s["state"]) == ["chan send"]
    assert "651 goroutines blocked >= 3 min in chan send" in s["reason"].iloc[0]
    v = lk.verdict(leaks)
    assert v["suspects"] == 1 and v["state"] == "bad"
    assert "cannot be measured" in v["verdict"]


def test_single_bundled_snapshot_with_leakprofile_is_flagged():
    """The goroutineleak profile is evidence a single snapshot has."""
    paths = [sample_path(SNAPS[3]), sample_path("runtime/leakserver/snap3.goroutineleak.pb.gz")]
    leaks = find_leaks(paths)
    assert leaks.attrs["growth_measurable"] is False
    assert leaks["suspect"].any()
    assert leaks[leaks.suspect]["reason"].str.contains("goroutineleak").all()


@pytest.mark.parametrize("times,words", [(["1"], "1 times for 2 snapshots"),
                                         (["1", "2026-01-01T00:00:00Z"], "mixes numbers and timestamps"),
                                         (["1", "yesterday-ish"], "neither a number of seconds nor a timestamp")])
def test_leak_inputs_bad_times_are_option_errors(times, words):
    """The report's --times errors are the OptionError find_leaks raises for bad times."""
    with pytest.raises(OptionError, match=words):
        lk.leak_inputs(["a", "b"], times, 0)
