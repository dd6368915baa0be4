"""The public API is exactly what is listed here: nothing leaks in or out by accident (httpx's pattern)."""

from __future__ import annotations

import inspect

import pytest

import gobench
import pprof_parse

PPROF_PARSE = [
    "compare_runs", "ConcatenatedProfileError", "delta_table", "diff", "EmptyProfileError", "find_leaks",
    "gc_cpu_share", "gc_frequency", "GCTrace", "gctrace_wall_time", "goroutine_frames", "goroutines_from_profile",
    "group_goroutines", "heap_vs_goal", "histogram_quantiles", "infer_state", "InflateLimitError",
    "InvalidProfileError", "leak_timeseries", "load_capture", "load_memstats", "merge", "OptionError",
    "parse_gctrace", "pause_percentiles", "PprofParseError", "PprofParseWarning", "Profile", "ProfileFormatError",
    "prometheus_histograms", "prometheus_series", "read_gc_pauses", "read_gctrace", "read_goroutines",
    "read_memstats", "read_pacertrace", "read_profile", "read_prometheus", "read_runtime_histograms",
    "read_runtime_metrics", "read_scavtrace", "RuntimeFormatError", "SampleTypeError", "stack_runs", "ValueType",
]
GOBENCH = [
    "BenchEncodingError", "BenchFormatWarning", "benchstat", "BenchstatFormatError", "BenchSyntaxError",
    "delta_figure", "GobenchError", "QuerySyntaxError", "read_bench", "read_benchstat", "samples_figure",
    "samples_figures", "UnitMetadataError", "UsageError",
]


@pytest.mark.parametrize("module,names", [(pprof_parse, PPROF_PARSE), (gobench, GOBENCH)], ids=["pprof_parse", "gobench"])
def test_public_names_are_pinned(module, names):
    assert sorted(module.__all__, key=str.casefold) == sorted(names, key=str.casefold)
    for name in names:
        obj = getattr(module, name)
        assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"


def test_every_data_error_is_a_value_error():
    for mod, base in ((pprof_parse, pprof_parse.PprofParseError), (gobench, gobench.GobenchError)):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning) and obj is not base:
                assert issubclass(obj, base), f"{name} is not a {base.__name__}"
                assert issubclass(obj, ValueError), f"{name} is not a ValueError"
