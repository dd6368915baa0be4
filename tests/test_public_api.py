"""The public API is exactly what is listed here: nothing leaks in or out by accident (httpx's pattern).

The libraries' top-level names, the figures module of pprof_parse and the report layer the notebooks
call (:mod:`gopherlab.reports`): notebooks are templates users copy, so every name they use is pinned
here, and they use nothing else (:func:`test_notebooks_import_only_public_names`).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import pytest

import gobench
import pprof_parse

PPROF_PARSE = [
    "compare_runs", "ConcatenatedProfileError", "delta_table", "diff", "EmptyProfileError", "find_leaks",
    "gc_cpu_share", "gc_frequency", "GCTrace", "gctrace_wall_time", "goroutine_frames", "goroutines_from_profile",
    "group_goroutines", "heap_vs_goal", "histogram_quantiles", "infer_state", "InflateLimitError", "InputLimitError",
    "InvalidProfileError", "leak_timeseries", "load_capture", "load_memstats", "merge", "OptionError",
    "parse_gctrace", "pause_percentiles", "PprofParseError", "PprofParseWarning", "Profile", "ProfileFormatError",
    "prometheus_histograms", "prometheus_series", "read_gc_pauses", "read_gctrace", "read_goroutines",
    "read_memstats", "read_pacertrace", "read_profile", "read_prometheus", "read_runtime_histograms",
    "read_runtime_metrics", "read_scavtrace", "RuntimeFormatError", "SampleTypeError", "stack_runs", "ValueType",
    "EngineUnavailableError", "IngestResult", "PgoProfileError", "ProfileStore", "StoreError", "pgo",
    "read_trace", "Trace", "TraceFormatError", "TraceVersionError",
]
GOBENCH = [
    "BenchEncodingError", "BenchFormatWarning", "benchstat", "BenchstatError", "BenchstatFormatError",
    "BenchSyntaxError", "SamplesEqualError",
    "delta_figure", "GobenchError", "OptionError", "QuerySyntaxError", "read_bench", "read_benchstat", "samples_figure",
    "samples_figures", "UnitMetadataError", "UsageError",
    "HistoryFormatError", "read_history", "change_points", "history_figure",
]

#: the public modules beside the packages' top levels: module -> its ``__all__``
PUBLIC_MODULES = {
    "pprof_parse.figures": [
        "axis_unit", "call_tree", "diff_flame_figure", "diff_tree", "flame_figure", "flame_views_figure",
        "flame_html", "flame_search_figure", "flame_search_script", "flame_search_widget", "write_flame_html",
        "flame_sandwich_widget", "sandwich_figure",
        "format_value", "PLAIN_TICKS", "short_name",
    ],
    "gopherlab.reports": ["allocations", "bench", "bundled", "gc", "history", "leaks", "profiles", "render",
                          "RESULT_MIME", "trace"],
    "gopherlab.reports.trace": [
        "analyze", "blocking_figure", "delay_flame_figure", "gc_figure", "SAMPLE_TRACE", "sched_latency_figure",
        "show_groups", "show_regions", "show_slowest", "show_summary", "trace_inputs", "TraceAnalysis",
    ],
    "gopherlab.reports.history": [
        "analyze", "compare_commits", "history_inputs", "HistoryAnalysis", "markdown_comment", "SAMPLE_COMMITS",
        "show_noisy", "show_overview", "show_pair", "show_regressions", "show_verdict", "verdict", "worst_figures",
    ],
    "gopherlab.reports.profiles": [
        "find_step", "label_breakdown", "label_figure", "open_store", "over_time", "OverTime", "parse_window",
        "share_changes", "share_figure", "show_changes", "show_label_breakdown", "show_overview", "Step", "Window",
        "window_diff_figure",
    ],
    "gopherlab.reports.render": [
        "emit_result", "format_percent", "html_table", "OFFLINE_RENDERER", "offline_notebook_renderer",
        "setup_notebook", "show_table", "show_text", "TABLE_CSS",
    ],
    "gopherlab.reports.bundled": ["notebook_file", "sample_path"],
    "gopherlab.reports.allocations": [
        "allocation_explorer", "allocation_inputs", "allocation_view", "function_delta", "hot_lines",
        "hot_lines_html", "label_keys", "label_view", "profile_overview", "regex_ok", "show_allocation_view",
        "show_delta", "show_hot_lines", "show_label_view", "show_sandwiches", "show_top", "top_bar_views",
        "top_sandwiches", "top_table",
    ],
    "gopherlab.reports.gc": [
        "auto_window", "gc_explorer", "gc_inputs", "gc_rate_figure", "heap_goal_figure", "memstats_figure",
        "pause_ecdf_figure", "pause_percentile_figure", "SAMPLE_RUNS",
    ],
    "gopherlab.reports.leaks": [
        "growth_figure", "leak_explorer", "leak_inputs", "show_stacks", "show_suspects", "show_verdict",
        "SUSPECT_COLUMNS", "SUSPECT_FORMATS", "suspects_frame", "verdict",
    ],
    "gopherlab.reports.bench": [
        "bench_explorer", "bench_inputs", "compare", "delta_figure", "distribution_figure", "show_benchstat_text",
        "show_table", "show_verdict", "table_frame", "UNIT_LABELS", "verdict",
    ],
}
PINNED = {"pprof_parse": PPROF_PARSE, "gobench": GOBENCH, **PUBLIC_MODULES}


@pytest.mark.parametrize("modname", list(PINNED))
def test_public_names_are_pinned(modname):
    module, names = importlib.import_module(modname), PINNED[modname]
    assert inspect.getdoc(module), f"{modname} has no docstring"
    assert sorted(module.__all__, key=str.casefold) == sorted(names, key=str.casefold)
    for name in names:
        obj = importlib.import_module(f"{modname}.{name}") if inspect.ismodule(getattr(module, name, None)) or \
            f"{modname}.{name}" in PINNED else getattr(module, name)
        assert inspect.getdoc(obj), f"{modname}.{name} has no docstring"
        if inspect.isfunction(obj) and modname in PUBLIC_MODULES:
            assert obj.__module__ == modname or modname == "pprof_parse.figures", f"{modname}.{name} is re-exported"


def test_every_data_error_is_a_value_error():
    for mod, base in ((pprof_parse, pprof_parse.PprofParseError), (gobench, gobench.GobenchError)):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning) and obj is not base:
                assert issubclass(obj, base), f"{name} is not a {base.__name__}"
                assert issubclass(obj, ValueError), f"{name} is not a ValueError"


OUR_PACKAGES = ("pprof_parse", "gobench", "gopherlab")
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _private_uses(code: str) -> list[str]:
    """What a notebook's code uses of our packages that is not pinned public API: imports of a module
    outside :data:`PINNED`, of a name outside its module's ``__all__`` (``_``-names included), and
    attributes of an imported public module outside its ``__all__`` (``pprof_parse.runtime_api.x``)."""
    problems, aliases = [], {}

    def public_name(mod: str, name: str) -> bool:
        return not name.startswith("_") and (name in PINNED[mod] or f"{mod}.{name}" in PINNED)

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] not in OUR_PACKAGES:
                    continue
                if a.name not in PINNED:
                    problems.append(f"import {a.name}")
                elif a.asname:
                    aliases[a.asname] = a.name
                else:
                    aliases[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in OUR_PACKAGES:
            if node.level or node.module not in PINNED:
                problems.append(f"from {node.module} import ...")
                continue
            for a in node.names:
                if not public_name(node.module, a.name):
                    problems.append(f"from {node.module} import {a.name}")
                elif f"{node.module}.{a.name}" in PINNED:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            mod = aliases[node.value.id]
            if not public_name(mod, node.attr):
                problems.append(f"{mod}.{node.attr}")
    return problems


def test_private_uses_are_found():
    """The checker below is not vacuous: the notebooks' old imports are each reported."""
    old = ("import pprof_parse.runtime_api as rt\n"
           "from pprof_parse.present.flame import flame_views_figure\n"
           "from gopherlab import _report_nb as gl\n"
           "from gopherlab.reports import render, _common\n"
           "from gobench.gate import regressions\n"
           "import pprof_parse\n"
           "pprof_parse.runtime_api.find_leaks([])\n"
           "render._resource_path('x')\n")
    assert sorted(_private_uses(old)) == sorted([
        "import pprof_parse.runtime_api", "from pprof_parse.present.flame import ...",
        "from gopherlab import ...", "from gopherlab.reports import _common", "from gobench.gate import ...",
        "pprof_parse.runtime_api", "gopherlab.reports.render._resource_path",
    ])
    assert _private_uses("import pprof_parse\nfrom gopherlab.reports import render as gl\n"
                         "pprof_parse.read_profile('x')\ngl.show_text('x')\n") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_import_only_public_names(path):
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    code = "\n".join("".join(c["source"]) for c in cells)
    assert "gopherlab.reports" in code  # the notebook does call the report layer
    assert _private_uses(code) == []
