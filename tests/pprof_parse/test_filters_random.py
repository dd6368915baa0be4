"""Random combinations of pprof's options (hypothesis) against ``go tool pprof -top``.

Each example draws a subset of the filter options (values from pools of
patterns that do and do not match the workload's frames and labels), a
granularity, the sort order and ``relative_percentages``, runs the real pprof
with the same flags and requires the same table and total.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pprof_parse
from test_filters_differential import check_top

pytestmark = [pytest.mark.go, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")]

NAME_PATTERNS = ["main\\.", "runtime\\.", "main\\.spin", "hashLoop", "sort|slices", "json", "sync", "pprof\\.Do",
                 "workload", "mallocgc", "fib", "^main\\.main", "asyncPreempt$", "no-such-frame", "\\(\\*", ".go"]
POOLS = {
    "focus": NAME_PATTERNS, "ignore": NAME_PATTERNS, "hide": NAME_PATTERNS, "show": NAME_PATTERNS,
    "show_from": NAME_PATTERNS, "prune_from": NAME_PATTERNS,
}
CPU_TAGS = {
    "tagfocus": ["phase=cpu", "kind=hash,sort", "phase:c", "kind", "phase=alloc|contention", "worker=1", "x=y"],
    "tagignore": ["phase=contention", "kind=encode", "kind:s", "cpu"],
    "tagshow": ["phase", "kind", "zzz"], "taghide": ["kind", "."],
}
HEAP_TAGS = {
    "tagfocus": ["bytes=1kb:64kb", ":8kb", "64kb", "bytes=4096b:", "+1kb:1mb", "16"],
    "tagignore": ["bytes=:512b", "bytes=65536b", "1mb:"],
}


def _options(tags):
    pools = {**POOLS, **tags}
    return st.dictionaries(st.sampled_from(sorted(pools)), st.just(None), max_size=4).flatmap(
        lambda d: st.fixed_dictionaries({k: st.sampled_from(pools[k]) for k in d}))


COMMON = dict(granularity=st.sampled_from(["functions", "filefunctions", "files", "lines", "addresses"]),
              cum=st.booleans(), noinlines=st.booleans(), relative_percentages=st.booleans())


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(opts=_options(CPU_TAGS), **COMMON)
def test_cpu_random_option_combinations(workload_profiles, opts, granularity, cum, noinlines, relative_percentages):
    path = workload_profiles / "cpu.pb.gz"
    check_top(path, _cached(path), granularity=granularity, cum=cum, noinlines=noinlines,
              relative_percentages=relative_percentages, **opts)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(opts=_options(HEAP_TAGS), sample_index=st.sampled_from(["inuse_space", "alloc_objects", "alloc_space"]),
       mean=st.booleans(), **COMMON)
def test_heap_random_option_combinations(workload_profiles, opts, sample_index, mean, granularity, cum, noinlines,
                                         relative_percentages):
    path = workload_profiles / "heap.pb.gz"
    check_top(path, _cached(path), sample_index=sample_index, mean=mean, granularity=granularity, cum=cum,
              noinlines=noinlines, relative_percentages=relative_percentages, **opts)


_CACHE: dict = {}


def _cached(path):
    if path not in _CACHE:
        _CACHE[path] = pprof_parse.read_profile(path)
    return _CACHE[path]
