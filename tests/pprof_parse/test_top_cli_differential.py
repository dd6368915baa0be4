"""``gopherlab top`` against ``go tool pprof -top``: the whole of stdout, byte for byte.

Both tools read the same file path with the same flags and the same environment (time zone
included), so even the ``File:`` and ``Time:`` lines must be equal. The one documented
difference (README, "Parity"): at ``files`` granularity several nodes may share a printable
name, and pprof orders those arbitrarily; such runs are compared as multisets
(:func:`_same_up_to_name_ties`), everything else byte for byte.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pprof_parse
from goenv import REPO, go_binary, go_env
from pprof_oracle import run_pprof
from pprof_parse.cli import top_main

pytestmark = [pytest.mark.go, pytest.mark.usefixtures("engine")]

PROFILE_TYPES = ["cpu", "heap", "allocs", "mutex", "block", "goroutine", "threadcreate", "goroutineleak"]
GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]
TABLE_HEADER = "      flat  flat%   sum%        cum   cum%"
ROW = re.compile(r"^ *(\S+) +(\S+%) +(\S+%) +(\S+) +(\S+%)  (.*)$")  # pprof's "%10s %s %s %10s %s  %s%s"


def _pprof(path, *flags: str, env: dict | None = None) -> str:
    proc = run_pprof(["-top", *flags, str(path)], env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _ours(path, *flags: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert top_main([*flags, str(path)]) == 0
    return out.getvalue()


def _rows(text: str) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    i = lines.index(TABLE_HEADER)
    return lines[:i + 1], lines[i + 1:]


def _same_up_to_name_ties(ours: str, ref: str, cum: bool) -> bool:
    """Equal, except that rows with the same printable name and the same sort value (flat, or
    cum with ``cum``) may come in another order, which changes their ``sum%`` column; compare
    such runs as multisets."""
    if ours == ref:
        return True
    (oh, orows), (rh, rrows) = _rows(ours), _rows(ref)
    if oh != rh or len(orows) != len(rrows):
        return False

    def key(row):  # (sort value, printable name): a run pprof may order arbitrarily
        flat, _, _, cumv, _, name = ROW.match(row).groups()
        return cumv if cum else flat, name.removesuffix(" (inline)").removesuffix(" (partial-inline)")

    def without_sum(row):
        p = row.split()
        return " ".join(p[:2] + p[3:])

    i = 0
    while i < len(orows):
        j = i
        while j < len(orows) and key(orows[j]) == key(orows[i]):
            j += 1
        if sorted(map(without_sum, orows[i:j])) != sorted(map(without_sum, rrows[i:j])):
            return False
        if orows[j - 1].split()[2] != rrows[j - 1].split()[2]:  # the run's last sum% agrees
            return False
        i = j
    return True


def _check(path, *flags: str, ties: bool = False):
    ref = _pprof(path, *flags)
    ours = _ours(path, *flags)
    if ties:
        assert _same_up_to_name_ties(ours, ref, "-cum" in flags), f"flags {flags}:\n--- ours\n{ours}\n--- pprof\n{ref}"
    else:
        assert ours == ref, f"flags {flags}:\n--- ours\n{ours}\n--- pprof\n{ref}"


@pytest.mark.parametrize("kind", PROFILE_TYPES)
def test_every_sample_index_default_flags(workload_profiles, kind):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    _check(path)
    for si in range(len(prof.sample_types)):
        for flags in ([f"-sample_index={si}"], [f"-sample_index={si}", "-cum"]):
            _check(path, *flags)
        if si > 0:
            _check(path, f"-sample_index={si}", "-mean")


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex"])
@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("noinlines", [False, True], ids=["inlines", "noinlines"])
def test_granularities(workload_profiles, kind, granularity, noinlines):
    path = workload_profiles / f"{kind}.pb.gz"
    flags = [f"-{granularity}"] + (["-noinlines"] if noinlines else [])
    _check(path, *flags, ties=granularity == "files")
    _check(path, *flags, "-cum", ties=granularity == "files")


SELECTION_FLAGS = [
    ["-nodecount=5"], ["-nodecount=1"], ["-nodecount", "12", "-cum"], ["-nodecount=0"],
    ["-nodefraction=0"], ["-nodefraction=0.05"], ["-nodefraction=0.2", "-cum"], ["-nodefraction=1"],
    ["-edgefraction=0"], ["-edgefraction=0.05"], ["-edgefraction=0.3", "-lines"],
    ["-nodefraction=0", "-edgefraction=0", "-nodecount=20"], ["-trim=false"], ["-nodecount=3", "-nodefraction=0.1"],
    ["-unit=ms"], ["-unit=auto"], ["-unit=minimum"], ["-unit=kB"], ["-unit=MB"], ["-unit=ns"], ["-unit=B"],
    ["-unit=s", "-cum"], ["-unit=hrs"], ["-unit=count"], ["-unit=objects"],
    ["-flat"], ["-compact_labels"], ["-lines", "-nodecount=7"], ["-addresses", "-nodecount=4"],
]


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex", "goroutine"])
@pytest.mark.parametrize("flags", SELECTION_FLAGS, ids=lambda f: " ".join(f))
def test_selection_and_unit_flags(workload_profiles, kind, flags):
    _check(workload_profiles / f"{kind}.pb.gz", *flags)


@pytest.mark.parametrize("kind,flags", [
    ("heap", ["-inuse_objects"]), ("heap", ["-alloc_space", "-cum"]), ("allocs", ["-alloc_objects"]),
    ("heap", ["-inuse_space", "-nodecount=3"]), ("mutex", ["-contentions"]), ("block", ["-total_delay"]),
    ("block", ["-mean_delay"]), ("mutex", ["-mean_delay", "-cum"]), ("heap", ["-sample_index=alloc_space", "-mean"]),
])
def test_sample_type_shortcuts(workload_profiles, kind, flags):
    _check(workload_profiles / f"{kind}.pb.gz", *flags)


@pytest.fixture(scope="module")
def pprof_derived(workload_profiles, tmp_path_factory):
    """Profiles that pprof itself writes (``-proto``) from the workload's heap profiles: a
    ``-diff_base`` (negative values, the ``pprof::base`` label) and a ``-base`` subtraction."""
    out = tmp_path_factory.mktemp("derived")
    heap, early = workload_profiles / "heap.pb.gz", workload_profiles / "heap-early.pb.gz"
    for name, flag in (("diff", "-diff_base"), ("base", "-base")):
        proc = subprocess.run([go_binary(), "tool", "pprof", "-proto", flag, str(early), str(heap)],
                              capture_output=True, env=go_env(), timeout=300)
        assert proc.returncode == 0, proc.stderr
        (out / f"{name}.pb.gz").write_bytes(proc.stdout)
    return out


@pytest.mark.parametrize("name", ["diff", "base"])
def test_profiles_with_negative_values(pprof_derived, name):
    path = pprof_derived / f"{name}.pb.gz"
    prof = pprof_parse.read_profile(path)
    assert (prof.data.values < 0).any()  # the case this test is about
    for si in range(len(prof.sample_types)):
        for flags in ([], ["-cum"], ["-nodecount=4"], ["-lines", "-nodefraction=0.1"], ["-mean"], ["-unit=kB"]):
            _check(path, f"-sample_index={si}", *flags)


def test_bundled_profiles_every_sample_index(sample_profiles):
    """The committed sample profiles (``gopherlab/data/profiles/*.pb.gz``). Their ``debug=1`` texts
    are left out on purpose: pprof ignores the names in them and, for mutex/block, multiplies
    by the period again (README, "Parity"), so their tables differ by design."""
    paths = sorted(sample_profiles.glob("*.pb.gz"))
    assert len(paths) >= 8
    for path in paths:
        prof = pprof_parse.read_profile(path)
        _check(path)
        for si in range(len(prof.sample_types)):
            _check(path, f"-sample_index={si}", "-cum")


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_the_executable_in_other_time_zones(sample_profiles, tz):
    """The ``gopherlab`` executable (its fast-exit path) in a child process, with ``TZ`` set for
    both tools: the ``Time:`` line is in the local zone, as Go prints it."""
    if tz != "UTC" and not Path("/usr/share/zoneinfo", tz).exists():
        pytest.skip(f"no zoneinfo for {tz}")
    env = dict(go_env(), TZ=tz)
    path = sample_profiles / "cpu.pb.gz"
    ref = _pprof(path, env=env)
    got = subprocess.run([sys.executable, "-m", "gopherlab.cli", "top", str(path)], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=300)
    assert (got.returncode, got.stderr) == (0, "")
    assert got.stdout == ref
    assert ("Time: " in ref) and (tz == "UTC") == (" UTC\n" in ref)


def test_csv_is_the_dataframe(workload_profiles):
    """``-csv`` / ``--format csv``: every node with exact integers (``Profile.top``), for machines."""
    path = workload_profiles / "heap.pb.gz"
    prof = pprof_parse.read_profile(path)
    want = prof.top("alloc_space", cum=True, granularity="lines").to_csv(index=False)
    for flags in (["-csv"], ["--format", "csv"], ["-format=csv"]):
        assert _ours(path, *flags, "-sample_index=alloc_space", "-cum", "-lines") == want
    want5 = prof.top("alloc_space", cum=True, granularity="lines").head(5).to_csv(index=False)
    assert _ours(path, "-csv", "-sample_index=alloc_space", "-cum", "-lines", "-nodecount=5") == want5


def test_bad_flags_and_input_exit_2(tmp_path, capsys):
    path = REPO / "gopherlab" / "data" / "profiles" / "cpu.pb.gz"
    for argv in (["-nosuchflag", str(path)], ["-nodecount=x", str(path)], ["-lines", "-files", str(path)],
                 [str(path), str(path)], [], ["-sample_index=nosuch", str(path)], ["-format=xml", str(path)],
                 ["-cum=maybe", str(path)], [str(tmp_path / "missing.pb.gz")], ["-nodecount"]):
        assert top_main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("gopherlab top: ") and "Traceback" not in err, (argv, err)
    (tmp_path / "bad.pb.gz").write_bytes(b"\x1f\x8b garbage")
    assert top_main([str(tmp_path / "bad.pb.gz")]) == 2
    assert top_main(["-h"]) == 0 and "usage: gopherlab top" in capsys.readouterr().out
