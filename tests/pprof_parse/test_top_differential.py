"""top() against ``go tool pprof -top`` on real profiles from the repo's Go workload."""

from __future__ import annotations

import pytest

import pprof_parse
from pprof_parse.present.top import format_percentage
from pprof_oracle import pprof_top

pytestmark = [pytest.mark.go, pytest.mark.usefixtures("engine")]

PROFILE_TYPES = ["cpu", "heap", "allocs", "mutex", "block", "goroutine", "threadcreate", "goroutineleak"]
GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]


def _ours(prof, si, **kw):
    df = prof.top(si, **kw)
    total = df.attrs["total"]
    return [
        {"name": r.name, "flat": int(r.flat), "cum": int(r.cum),
         "flat_pct": format_percentage(r.flat, total).strip(), "sum_pct": format_percentage(s, total).strip(),
         "cum_pct": format_percentage(r.cum, total).strip(), "inline": r.inline}
        for r, s in zip(df.itertuples(), df["flat"].cumsum())
    ], total


def _canonical(rows, cum):
    """pprof orders nodes with equal printable names arbitrarily (its comparator calls them
    equal and Go's sort is unstable over map order), so compare such runs as multisets."""
    key = (lambda r: (abs(r["cum"]), r["name"])) if cum else (lambda r: (abs(r["flat"]), r["name"]))
    out, i = [], 0
    while i < len(rows):
        j = i
        while j < len(rows) and key(rows[j]) == key(rows[i]):
            j += 1
        group = [{k: v for k, v in r.items() if k != "sum_pct"} for r in rows[i:j]]
        out.extend(sorted(group, key=lambda r: sorted(r.items())))
        i = j
    return out


def _compare(path, prof, si, flags, **kw):
    unit = prof.sample_types[si].unit
    ref = pprof_top(path, f"-sample_index={si}", *flags, unit=unit)
    ours, total = _ours(prof, si, **kw)
    assert total == ref.total
    assert [r["name"] for r in ours] == [r["name"] for r in ref.rows]
    cum = kw.get("cum", False)
    assert _canonical(ours, cum) == _canonical(ref.rows, cum)
    assert [r["sum_pct"] for r in ours] == [r["sum_pct"] for r in ref.rows]


@pytest.mark.parametrize("kind", PROFILE_TYPES)
@pytest.mark.parametrize("cum", [False, True], ids=["flat", "cum"])
def test_every_sample_index_matches_pprof(workload_profiles, kind, cum):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    assert len(prof) > 0, f"{kind} profile is empty; the workload must exercise it"
    for si in range(len(prof.sample_types)):
        _compare(path, prof, si, ["-cum"] if cum else [], cum=cum)


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex"])
@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("noinlines", [False, True], ids=["inlines", "noinlines"])
def test_granularities_match_pprof(workload_profiles, kind, granularity, noinlines):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index()
    flags = [f"-{granularity}"] + (["-noinlines"] if noinlines else [])
    _compare(path, prof, si, flags, granularity=granularity, noinlines=noinlines)


@pytest.mark.parametrize("kind", ["heap", "mutex", "block"])
def test_mean_matches_pprof(workload_profiles, kind):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index()
    _compare(path, prof, si, ["-mean"], mean=True)


def test_default_sample_index_is_pprofs(workload_profiles):
    # allocs names alloc_space as default_sample_type; heap has none -> last type (inuse_space)
    allocs = pprof_parse.read_profile(workload_profiles / "allocs.pb.gz")
    heap = pprof_parse.read_profile(workload_profiles / "heap.pb.gz")
    cpu = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    assert allocs.sample_types[allocs.sample_index()].type == "alloc_space"
    assert heap.sample_types[heap.sample_index()].type == "inuse_space"
    assert cpu.sample_types[cpu.sample_index()].type == "cpu"
    assert heap.sample_index("inuse_space") == heap.sample_index("inuse_space")
    assert heap.top().attrs["total"] == heap.top("inuse_space").attrs["total"]


@pytest.mark.parametrize("kind,flags", [("cpu", []), ("heap", ["-cum"]), ("allocs", ["-sample_index=alloc_objects"])])
def test_gopherlab_top_prints_pprofs_table(workload_profiles, kind, flags, capsys):
    """``gopherlab top`` with pprof's flags prints what ``go tool pprof -top`` prints, byte for byte."""
    from gopherlab.cli import main
    from pprof_oracle import pprof, unit_flag

    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(next((f.split("=", 1)[1] for f in flags if f.startswith("-sample_index")), None))
    exact = ["-nodefraction=0", "-edgefraction=0", unit_flag(prof.sample_types[si].unit), *flags]
    ref = pprof("-top", *exact, str(path))
    assert main(["top", *exact, str(path)]) == 0
    assert capsys.readouterr().out == ref
