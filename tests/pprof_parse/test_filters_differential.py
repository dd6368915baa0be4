"""pprof's filter options on top() against ``go tool pprof -top`` on the workload's real profiles.

Every case runs the real pprof with the same flags and compares node names,
flat and cum (exact integers via ``-unit=ns``/``-unit=B``), the inline marker,
pprof's order and the report total.
"""

from __future__ import annotations

import gzip
import warnings

import pytest

import pprof_parse
from pprof_parse.present.top import format_percentage
from pprof_oracle import pprof_top

pytestmark = [pytest.mark.go, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning"), pytest.mark.usefixtures("engine")]

FLAG = {"focus": "focus", "ignore": "ignore", "hide": "hide", "show": "show", "show_from": "show_from",
        "prune_from": "prune_from", "tagfocus": "tagfocus", "tagignore": "tagignore", "tagshow": "tagshow",
        "taghide": "taghide"}


def _flags(opts: dict) -> list[str]:
    out = [f"-{FLAG[k]}={v}" for k, v in opts.items() if k in FLAG]
    if opts.get("relative_percentages"):
        out.append("-relative_percentages")
    return out


def check_top(path, prof=None, *, cum=False, granularity="functions", noinlines=False, sample_index=None,
              mean=False, **opts):
    """top(**opts) equals ``go tool pprof -top`` with the same options."""
    prof = prof or pprof_parse.read_profile(path)
    si = prof.sample_index(sample_index)
    flags = [f"-sample_index={si}", f"-{granularity}", *_flags(opts)]
    flags += ["-cum"] if cum else []
    flags += ["-noinlines"] if noinlines else []
    flags += ["-mean"] if mean else []
    ref = pprof_top(path, *flags, unit=prof.sample_types[si].unit)
    df = prof.top(si, cum=cum, granularity=granularity, noinlines=noinlines, mean=mean, **opts)
    total = df.attrs["total"]
    assert total == ref.total, flags
    ours = [(r.name, int(r.flat), int(r.cum), r.inline, format_percentage(r.cum, total).strip())
            for r in df.itertuples()]
    theirs = [(r["name"], r["flat"], r["cum"], r["inline"], r["cum_pct"]) for r in ref.rows]
    if ref.rows == [] and len(df) == 0:
        return df
    assert sorted(ours) == sorted(theirs), flags
    # pprof's order: by |flat| (|cum|), then name; ties of equal names are unordered in pprof
    key = 2 if cum else 1
    assert [(abs(o[key]), o[0]) for o in ours] == [(abs(t[key]), t[0]) for t in theirs], flags
    return df


def _p(profiles, kind):
    return profiles / f"{kind}.pb.gz"


# ---- each option alone ----------------------------------------------------------------------

CPU_SINGLE = [
    {"focus": "main\\.fib"},
    {"focus": "hash"},                      # matches names and files (crypto/sha256 ...)
    {"focus": "workload"},                  # the mapping file name: every located sample
    {"ignore": "runtime\\."},
    {"ignore": "asyncPreempt"},
    {"hide": "runtime\\."},
    {"hide": "main\\.spin"},                # an inlined line: the location keeps its caller line
    {"show": "main\\."},
    {"show": "sort|slices"},
    {"show_from": "main\\.cpuPhase"},
    {"show_from": "main\\.hashLoop"},
    {"show_from": "pprof\\.Do"},
    {"prune_from": "main\\.hashLoop"},
    {"prune_from": "runtime\\.mallocgc"},
    {"prune_from": "slices\\."},
    {"prune_from": "decoderState"},         # Go methods simplify to "pkg." (cut at "("): no match in pprof
    {"show_from": "workload"},              # via the mapping file: the root-most location
    {"tagfocus": "phase=cpu"},
    {"tagfocus": "kind=hash,sort"},        # several regexes with a key: any of them
    {"tagfocus": "phase:cpu"},              # no key: regex over "key:value"
    {"tagfocus": "cpu,kind:hash"},          # no key: every regex must match (AND)
    {"tagfocus": "worker=1"},               # a number is a range: matches no string label (pprof's rule)
    {"tagignore": "phase=contention"},
    {"tagignore": "kind"},
    {"tagshow": "phase"},
    {"taghide": "."},
]


@pytest.mark.parametrize("opts", CPU_SINGLE, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("cum", [False, True], ids=["flat", "cum"])
def test_cpu_single_option(workload_profiles, opts, cum):
    check_top(_p(workload_profiles, "cpu"), cum=cum, **opts)


HEAP_TAGS = [
    {"tagfocus": "bytes=1kb:64kb"},
    {"tagfocus": "bytes=64kb"},
    {"tagfocus": ":512"},                   # unit-less range: only unit-less labels (none here)
    {"tagfocus": ":512b"},
    {"tagfocus": "4kb:"},
    {"tagfocus": "bytes=+1kb:"},
    {"tagfocus": "bytes=1mb:2gb"},
    {"tagignore": "bytes=8kb:"},
    {"tagfocus": "1kb:", "tagignore": "65536b"},
    {"tagfocus": "bytes=1kb:64kb", "relative_percentages": True},
]


@pytest.mark.parametrize("opts", HEAP_TAGS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("sample_index", ["inuse_space", "alloc_objects"])
def test_heap_numeric_tag_ranges(workload_profiles, opts, sample_index):
    check_top(_p(workload_profiles, "heap"), sample_index=sample_index, **opts)


@pytest.mark.parametrize("kind", ["mutex", "block"])
@pytest.mark.parametrize("opts", [
    {"focus": "sync"}, {"ignore": "sync\\.\\(\\*Mutex\\)"}, {"hide": "sync\\."}, {"show": "main\\."},
    {"show_from": "main\\."}, {"prune_from": "sync\\."}, {"focus": "main", "hide": "runtime"},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_contention_profiles(workload_profiles, kind, opts):
    check_top(_p(workload_profiles, kind), **opts)
    check_top(_p(workload_profiles, kind), cum=True, sample_index=0, **opts)


# ---- granularities and combinations -------------------------------------------------------

GRAN = ["functions", "filefunctions", "files", "lines", "addresses"]


@pytest.mark.parametrize("granularity", GRAN)
@pytest.mark.parametrize("opts", [
    {"focus": "main\\."}, {"hide": "main\\.spin"}, {"show": "main\\."}, {"show_from": "main\\.hashLoop"},
    {"prune_from": "main\\.hashLoop"},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_cpu_options_per_granularity(workload_profiles, granularity, opts):
    check_top(_p(workload_profiles, "cpu"), granularity=granularity, **opts)


@pytest.mark.parametrize("noinlines", [False, True], ids=["inlines", "noinlines"])
@pytest.mark.parametrize("opts", [
    {"focus": "main\\.", "ignore": "asyncPreempt"},
    {"focus": "main\\.", "hide": "runtime\\."},
    {"hide": "runtime\\.", "show": "main\\.|runtime"},
    {"show": "main\\.", "show_from": "main\\.cpuPhase"},
    {"focus": "main\\.", "tagfocus": "phase=cpu", "prune_from": "main\\.hashLoop"},
    {"tagfocus": "kind=hash|sort", "tagignore": "kind=sort", "hide": "runtime"},
    {"show_from": "pprof\\.Do", "prune_from": "main\\.spin", "tagshow": "kind"},
    {"focus": "main\\.", "relative_percentages": True},
    {"tagfocus": "phase=cpu", "show_from": "main\\.cpuPhase", "relative_percentages": True},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_cpu_combinations(workload_profiles, noinlines, opts):
    path = _p(workload_profiles, "cpu")
    check_top(path, noinlines=noinlines, **opts)
    check_top(path, noinlines=noinlines, granularity="lines", cum=True, **opts)


@pytest.mark.parametrize("opts", [
    {"focus": "main\\.", "granularity": "lines", "cum": True},
    {"hide": "runtime\\.", "granularity": "filefunctions"},
    {"show_from": "main\\.", "tagfocus": "bytes=:64kb", "granularity": "lines"},
    {"prune_from": "json", "sample_index": "alloc_space", "granularity": "lines", "cum": True},
    {"sample_index": "alloc_space", "granularity": "lines", "focus": "json", "cum": True},  # the example
    {"focus": "main\\.", "mean": True, "sample_index": "alloc_space"},
    {"tagfocus": "bytes=:64kb", "mean": True, "relative_percentages": True},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_heap_combinations(workload_profiles, opts):
    check_top(_p(workload_profiles, "heap"), **opts)


def test_filter_composes_like_relative_percentages(workload_profiles):
    """filter() then top(): the filtered profile's own total, as ``-relative_percentages``."""
    path = _p(workload_profiles, "cpu")
    prof = pprof_parse.read_profile(path)
    ref = pprof_top(path, "-focus=main\\.", "-hide=runtime\\.", "-relative_percentages", unit="nanoseconds")
    df = prof.filter(focus="main\\.").filter(hide="runtime\\.").top()
    assert df.attrs["total"] == ref.total
    assert sorted(zip(df["name"], df["flat"], df["cum"])) == sorted((r["name"], r["flat"], r["cum"]) for r in ref.rows)


# ---- drop_frames / keep_frames at load --------------------------------------------------------


def _with_drop_frames(src, dst, drop, keep=""):
    from pprof_parse.proto import profile_pb2

    msg = profile_pb2.Profile()
    msg.ParseFromString(gzip.decompress(src.read_bytes()))
    strings = list(msg.string_table)
    for s in (drop, keep):
        if s and s not in strings:
            msg.string_table.append(s)
            strings.append(s)
    msg.drop_frames = strings.index(drop)
    msg.keep_frames = strings.index(keep) if keep else 0
    dst.write_bytes(gzip.compress(msg.SerializeToString()))
    return dst


@pytest.mark.parametrize("drop,keep", [
    ("main\\.spin", ""),                    # an inlined line: its location is pruned beneath
    ("main\\.hashLoop", ""),                # physical frame: the whole location goes
    ("runtime\\..*", ""),
    ("runtime\\..*", "runtime\\.mallocgc.*"),
    ("slices\\..*|sort\\..*", ""),
    ("main\\.main\\.func.*", ""),           # near the root: nothing above a user frame
])
@pytest.mark.parametrize("granularity", ["functions", "lines"])
def test_drop_frames_pruned_at_load(workload_profiles, tmp_path, drop, keep, granularity):
    path = _with_drop_frames(_p(workload_profiles, "cpu"), tmp_path / "drop.pb.gz", drop, keep)
    check_top(path, granularity=granularity)
    check_top(path, granularity=granularity, cum=True)
    unpruned = pprof_parse.read_profile(path, all_frames=True)
    ref = pprof_top(path, "-all_frames", unit="nanoseconds")
    assert sorted(zip(*[unpruned.top()[c] for c in ("name", "flat", "cum")])) == sorted(
        (r["name"], r["flat"], r["cum"]) for r in ref.rows)


# ---- errors and warnings ------------------------------------------------------------------------


def test_bad_regex_is_option_error(workload_profiles):
    prof = pprof_parse.read_profile(_p(workload_profiles, "cpu"))
    with pytest.raises(pprof_parse.errors.OptionError, match="parsing focus regexp"):
        prof.top(focus="main(")
    with pytest.raises(pprof_parse.errors.OptionError, match="parsing tagfocus regexp"):
        prof.top(tagfocus="kind=[a")


def test_unmatched_filter_warns_like_pprof(workload_profiles):
    prof = pprof_parse.read_profile(_p(workload_profiles, "cpu"))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        df = prof.top(focus="no-such-function-anywhere")
    assert len(df) == 0
    assert any("Focus expression matched no samples" in str(x.message) for x in w)


@pytest.mark.parametrize("opts", [
    {"tagfocus": "role=parked"}, {"tagfocus": "role:leak,worker:"}, {"tagignore": "worker=0|1"},
    {"focus": "main\\.", "tagfocus": "role=leaked", "show_from": "main\\."}, {"hide": "runtime\\.gopark"},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("kind", ["goroutine", "goroutineleak"])
def test_goroutine_labels(workload_profiles, kind, opts):
    check_top(_p(workload_profiles, kind), **opts)
    check_top(_p(workload_profiles, kind), cum=True, granularity="lines", **opts)
