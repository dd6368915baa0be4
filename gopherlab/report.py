"""``gopherlab report``: run a workbench notebook headless and export it to a shareable HTML file.

Each report kind is a notebook shipped in :mod:`gopherlab.notebooks`. The runner
executes it in-process with papermill (kernel ``python3``, a per-cell timeout),
keeps the executed ``.ipynb`` beside the HTML, and exports the HTML in-process
with nbconvert: code hidden, plotly.js embedded once (the file works offline),
live-widget cells dropped (Python callbacks cannot run in a static page).

Exit status: 0 ok; 1 ``bench`` found a significant regression beyond
``--fail-on-regression``, or ``history`` a persisting one (the report is still written); 2 the notebook broke
(the HTML is still written and shows the error) or bad usage (checked before any
kernel starts: nothing is written, one line on stderr says what to pass).

Examples::

    gopherlab report all -o reports/
    gopherlab report allocations heap.pb.gz --base heap-old.pb.gz -o alloc.html
    gopherlab report gc gctrace.log -o gc.html
    gopherlab report leaks snap0.txt snap1.txt snap2.txt --interval 30 -o leaks.html
    gopherlab report bench old.txt new.txt --fail-on-regression 5% -o bench.html
    gopherlab report history 'runs/*.txt' --fail-on-regression 5% --format markdown -o history.html
    gopherlab report trace trace.out --threshold-ms 5 -o trace.html
"""
from __future__ import annotations

import argparse
import copy
import glob
import html
import logging
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pprof_parse
from gobench.errors import GobenchError
from gobench.gate import parse_threshold
from gopherlab_common.lazy import LazyModule
from pprof_parse.errors import PprofParseError

from ._process import tune_report_kernel
from .errors import ReportError, UsageError
from .reports import RESULT_MIME
from .reports.bundled import expand_inputs, notebook_file

# the notebook machinery is imported when a report runs (after tune_report_kernel: see
# gopherlab._process._skip_iri_grammar), not by `gopherlab report --help` or a usage error
jinja2 = LazyModule("jinja2")
nbconvert = LazyModule("nbconvert")
nbformat = LazyModule("nbformat")
pm = LazyModule("papermill")

EXPORT_DROP_TAGS = {"widgets", "remove-cell"}

#: report kind -> (notebook name in gopherlab.notebooks, HTML title)
KINDS: dict[str, tuple[str, str]] = {
    "allocations": ("allocation_hotspots", "Allocation hot spots"),
    "gc": ("gc_pause_trends", "GC pause trends"),
    "leaks": ("goroutine_leaks", "Goroutine leak detection"),
    "bench": ("benchmark_comparison", "Benchmark comparison"),
    "history": ("benchmark_history", "Benchmark history"),
    "profiles": ("profiles_over_time", "Profiles over time"),
    "trace": ("execution_trace", "Execution trace"),
}

EXIT_OK, EXIT_REGRESSION, EXIT_BROKEN = 0, 1, 2


@dataclass
class ReportResult:
    """Outcome of one report run.

    Attributes
    ----------
    kind : str
    html : pathlib.Path
        The exported HTML (written even when the notebook failed).
    notebook : pathlib.Path
        The executed notebook, beside the HTML (``OUT.ipynb``).
    ok : bool
        The notebook ran to the end.
    error : str or None
        ``"ExceptionName: message"`` of the failing cell.
    seconds : float
        Wall time: execution plus export.
    html_bytes : int
    result : dict
        What the notebook published with ``RESULT_MIME`` (e.g. the bench verdict).
    """

    kind: str
    html: Path
    notebook: Path
    ok: bool
    error: str | None = None
    seconds: float = 0.0
    html_bytes: int = 0
    result: dict = field(default_factory=dict)


def notebook_path(kind: str) -> Path:
    """The bundled notebook behind report ``kind``.

    Raises
    ------
    ReportError
        Unknown kind or notebook not shipped.
    """
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; expected one of {', '.join(KINDS)}")
    try:
        return notebook_file(KINDS[kind][0])
    except FileNotFoundError as e:
        raise ReportError(str(e)) from e


def _results(nb) -> dict:
    out: dict = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RESULT_MIME in data:
                out.update(data[RESULT_MIME])
    return out


def _export_copy(nb):
    """A copy of the executed notebook prepared for HTML: widget cells and result outputs dropped."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if EXPORT_DROP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if RESULT_MIME not in o.get("data", {})]
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


#: nbconvert's lab template minus the CDN scripts a report never needs (require.js for widgets,
#: MathJax, mermaid): the exported file then makes no network request at all.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(nb, out_html: Path, *, title: str) -> int:
    """Write ``nb`` as a self-contained HTML report (nbconvert lab template without CDN scripts,
    code and prompts hidden); return its size in bytes."""
    loader = jinja2.DictLoader({"gopherlab.html.j2": _TEMPLATE})
    exporter = nbconvert.HTMLExporter(template_name="lab", extra_loaders=[loader], template_file="gopherlab.html.j2",
                                      exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(_export_copy(nb), resources={"metadata": {"name": html.escape(title)}})
    out_html.write_text(body, encoding="utf-8")
    return len(body.encode("utf-8"))


def _error_page(out_html: Path, title: str, error: str) -> int:
    body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}: the report failed</h1><pre>{html.escape(error)}</pre></body></html>")
    out_html.write_text(body, encoding="utf-8")
    return len(body.encode("utf-8"))


def run_report(kind: str, parameters: dict | None, out_html: str | Path, *, timeout: float = 300,
               title: str | None = None) -> ReportResult:
    """Execute report ``kind`` with papermill and export it to ``out_html``.

    Parameters
    ----------
    kind : str
        A key of :data:`KINDS` (``allocations``, ``gc``, ``leaks``, ``bench``, ``history``, ``profiles``,
        ``trace``).
    parameters : dict
        Papermill parameters (see each notebook's ``parameters`` cell);
        ``interactive`` is forced to False in the notebooks that have it (their live widgets).
    out_html : path
        HTML file to write; the executed notebook goes to the same path with ``.ipynb``.
    timeout : float
        Per-cell execution timeout in seconds.
    title : str, optional
        HTML ``<title>``; default the report kind's title.

    Returns
    -------
    ReportResult
        ``ok`` is False when a cell raised or the kernel died; the HTML is written anyway.

    Raises
    ------
    ReportError
        Unknown kind, or the output directory cannot be created.
    """
    logging.getLogger("papermill").setLevel(logging.WARNING)
    src = notebook_path(kind)
    out_html = Path(out_html)
    try:
        out_html.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"cannot create {out_html.parent}: {e}") from e
    out_nb = out_html.with_suffix(".ipynb")
    title = title or KINDS[kind][1]
    params = dict(parameters or {})
    if "interactive" in pm.inspect_notebook(str(src)):  # a notebook with live widgets: none in a report
        params["interactive"] = False
    t0 = time.perf_counter()
    error = None
    nb = None
    try:
        nb = pm.execute_notebook(str(src), str(out_nb), parameters=params, kernel_name="python3",
                                 progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                                 execution_timeout=timeout, start_timeout=120)
    except pm.PapermillExecutionError as e:
        error = f"{e.ename}: {e.evalue}"
    except Exception as e:  # kernel died, timeout, bad notebook: still produce a report
        error = f"{type(e).__name__}: {e}"
    if nb is None and out_nb.exists():
        try:
            nb = nbformat.read(str(out_nb), as_version=4)
        except Exception:  # pragma: no cover - unreadable partial output
            nb = None
    if nb is not None:
        size = export_html(nb, out_html, title=title)
        result = _results(nb)
    else:
        size = _error_page(out_html, title, error or "unknown error")
        result = {}
    return ReportResult(kind=kind, html=out_html, notebook=out_nb, ok=error is None, error=error,
                        seconds=time.perf_counter() - t0, html_bytes=size, result=result)


# ---- command line ---------------------------------------------------------------------------------


def _abs(p: str | None) -> str:
    return str(Path(p).resolve()) if p else ""


def _parse_times(s: str) -> list[str]:
    return [t.strip() for t in s.split(",") if t.strip()]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="gopherlab report", description="Run a workbench notebook and export it to HTML. "
                                 "Without inputs each report uses the bundled sample data.")
    sub = ap.add_subparsers(dest="kind", required=True, metavar="KIND")

    def common(p, default_out, timeout=300):
        p.add_argument("-o", "--output", default=default_out, help=f"HTML file to write (default {default_out})")
        p.add_argument("--timeout", type=float, default=timeout, help=f"per-cell timeout in seconds (default {timeout})")
        return p

    a = common(sub.add_parser("allocations", help="allocation hot spots of a heap/allocs profile"), "allocations.html")
    a.add_argument("profile", nargs="?", help="pprof heap or allocs profile (default: bundled sample)")
    a.add_argument("--base", help="earlier profile to diff against")
    a.add_argument("--sample-index", default="", help="sample type (default: the profile's default)")
    a.add_argument("--top", type=int, default=20, help="rows in the top tables (default 20)")
    a.add_argument("--granularity", default="functions", choices=["functions", "filefunctions", "files", "lines"])
    a.add_argument("--label-key", default="", help="label key to break the profile down by (e.g. phase, bytes)")
    a.add_argument("--source-path", default="", help="directories holding the Go sources (pprof -source_path)")
    a.add_argument("--trim-path", default="", help="prefix to cut from recorded source file names (pprof -trim_path)")
    a.add_argument("--hot-functions", type=int, default=5, help="top functions whose source lines are listed (default 5)")

    g = common(sub.add_parser("gc", help="GC pause trends from gctrace logs / MemStats"), "gc.html")
    g.add_argument("inputs", nargs="*", help="GODEBUG=gctrace=1 logs, heap debug=1 dumps or expvar JSON; "
                   "several gctrace logs are shown side by side (default: bundled sample)")

    lk = common(sub.add_parser("leaks", help="goroutine leak detection from goroutine dumps over time"), "leaks.html")
    lk.add_argument("snapshots", nargs="*", help="goroutine dumps / profiles in time order (default: bundled sample)")
    grp = lk.add_mutually_exclusive_group()
    grp.add_argument("--times", type=_parse_times, help="comma-separated snapshot times (RFC 3339 or seconds)")
    grp.add_argument("--interval", type=float, help="seconds between snapshots")

    b = common(sub.add_parser("bench", help="before/after benchmark comparison (benchstat)"), "bench.html")
    b.add_argument("old", nargs="?", help="go test -bench output before (default: bundled sample)")
    b.add_argument("new", nargs="?", help="go test -bench output after")
    b.add_argument("--fail-on-regression", metavar="PCT", default=None,
                   help="exit 1 when a statistically significant regression exceeds PCT percent "
                   "(5 or 5%%, as gopherlab compare takes it)")
    b.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")

    h = common(sub.add_parser("history", help="benchmark history: change points, regressions, band charts"),
               "history.html")
    h.add_argument("runs", nargs="*", help="go test -bench outputs of many commits: files, directories or glob "
                   "patterns (default: bundled sample)")
    h.add_argument("--fail-on-regression", metavar="PCT", default=None,
                   help="exit 1 when a persisting, significant regression exceeds PCT percent (5 or 5%%)")
    h.add_argument("--baseline", metavar="COMMIT", default="", help="commit the charts start from (default: the first)")
    h.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    h.add_argument("--format", choices=["html", "markdown"], default="html",
                   help="markdown: also print a PR-comment table on stdout")

    pr = common(sub.add_parser("profiles", help="profiles over time from a profile store or many profile files"),
                "profiles.html")
    pr.add_argument("source", nargs="?", help="a profile store directory, or profiles: a glob (quoted), a file or a "
                    "directory (default: the bundled CPU windows)")
    pr.add_argument("--regex", default="", help="functions to follow (Go regexp; default: the one whose share "
                    "changed most)")
    pr.add_argument("--window-a", default="", help="earlier window START/END, ISO times (default: before the step)")
    pr.add_argument("--window-b", default="", help="later window START/END (default: after the step)")
    pr.add_argument("--label-key", default="", help="series label to break down (default: the first one)")
    pr.add_argument("--where", default="", help="SQL predicate over the profiles' columns (default: all)")
    pr.add_argument("--sample-index", default="", help="sample type (default: the profiles' default)")
    pr.add_argument("--engine", choices=["duckdb", "dask"], default="duckdb",
                    help="query engine: duckdb, or dask on the current dask.distributed client")

    t = common(sub.add_parser("trace", help="Go execution traces: scheduler latency, GC stop-the-world, blocking, "
                              "slow regions"), "trace.html", timeout=1800)  # a 60 MB trace reads in minutes
    t.add_argument("traces", nargs="*", help="execution trace files (Go 1.22+) or glob patterns (default: bundled "
                   "sample)")
    t.add_argument("--threshold-ms", type=float, default=1.0,
                   help="list the regions lasting at least this long, with their stacks (default 1)")
    t.add_argument("--buckets", type=int, default=60, help="time buckets of the scheduler latency chart (default 60)")

    al = sub.add_parser("all", help="every report from the bundled sample data, in one process")
    al.add_argument("-o", "--output", default="reports", help="directory to write (default reports/)")
    al.add_argument("--timeout", type=float, default=300)
    al.add_argument("-j", "--jobs", type=int, default=4, help="notebooks run at once, each in its own kernel (default 4)")
    return ap


def _params(ns) -> dict:
    if ns.kind == "allocations":
        return {"profile_path": _abs(ns.profile), "base_path": _abs(ns.base), "sample_index": ns.sample_index,
                "top_n": ns.top, "granularity": ns.granularity, "label_key": ns.label_key,
                "source_path": os.pathsep.join(os.path.abspath(d) for d in ns.source_path.split(os.pathsep) if d),
                "trim_path": ns.trim_path, "hot_functions": ns.hot_functions}
    if ns.kind == "gc":
        return {"inputs": [_abs(p) for p in ns.inputs]}
    if ns.kind == "leaks":
        return {"snapshots": [_abs(p) for p in ns.snapshots], "times": ns.times or [],
                "interval": ns.interval if ns.interval is not None else 0.0}
    if ns.kind == "bench":
        return {"old_path": _abs(ns.old), "new_path": _abs(ns.new),
                "fail_on_regression": -1.0 if ns.fail_on_regression is None else ns.fail_on_regression,
                "alpha": ns.alpha}
    if ns.kind == "history":
        return {"runs": [os.path.abspath(r) if glob.has_magic(r) else _abs(r) for r in ns.runs], "baseline": ns.baseline,
                "fail_on_regression": -1.0 if ns.fail_on_regression is None else ns.fail_on_regression,
                "alpha": ns.alpha}
    if ns.kind == "profiles":
        return {"store_path": str(Path(ns.source).absolute()) if ns.source else "", "function_regex": ns.regex,
                "window_a": ns.window_a, "window_b": ns.window_b, "label_key": ns.label_key, "where": ns.where,
                "sample_index": ns.sample_index, "engine": ns.engine}
    if ns.kind == "trace":
        return {"traces": [os.path.abspath(p) if glob.has_magic(p) else _abs(p) for p in ns.traces],
                "threshold_ms": ns.threshold_ms, "buckets": ns.buckets}
    raise ReportError(ns.kind)  # pragma: no cover


#: what tells a memory profile apart: pprof's heap/allocs sample types, or any value in bytes
_ALLOC_TYPES = ("alloc_", "inuse_")


def _check_allocation_profile(path: str, what: str) -> None:
    """UsageError unless ``path`` is a profile with a memory sample type (a heap/allocs profile).

    A file that does not read as a profile at all is left to the notebook (the report shows the
    reader's error)."""
    try:
        prof = pprof_parse.read_profile(path)
    except (PprofParseError, OSError, ValueError):  # unreadable: the notebook shows the reader's error
        return
    types = prof.sample_types
    if any(t.unit == "bytes" or t.type.startswith(_ALLOC_TYPES) for t in types):
        return
    kinds = ", ".join(f"{t.type}/{t.unit}" for t in types) or "none"
    raise UsageError(f"{what} {path} is not a heap or allocs profile (its sample types: {kinds}); "
                     "pass a heap profile (/debug/pprof/heap or /debug/pprof/allocs, go test -memprofile)")


def _check_threshold(ns) -> None:
    """Normalise ``ns.fail_on_regression`` to a float (:func:`gobench.gate.parse_threshold`)."""
    if ns.fail_on_regression is not None:
        try:
            ns.fail_on_regression = parse_threshold(str(ns.fail_on_regression))
        except GobenchError as e:
            raise UsageError(f"--fail-on-regression: {e}") from None


def _check_history_usage(ns) -> None:
    """Every RUN exists (a pattern matches a file), ``--alpha`` is in (0, 1)."""
    if ns.runs:
        try:
            expand_inputs(ns.runs, [], directories=True)
        except FileNotFoundError as e:
            raise UsageError(f"{e}; pass go test -bench outputs of many commits") from None
    if not (math.isfinite(ns.alpha) and 0 < ns.alpha < 1):
        raise UsageError(f"--alpha {ns.alpha:g}: want a level in (0, 1), such as 0.05")


#: the first bytes of a Go 1.22+ execution trace (``go 1.NN trace``; gzip is inflated by the reader)
_TRACE_MAGIC = b"go 1."


def _check_trace_usage(ns) -> None:
    """Every TRACE exists (a pattern matches a file) and starts like an execution trace (or gzip);
    ``--threshold-ms`` ≥ 0, ``--buckets`` ≥ 1."""
    try:
        found = expand_inputs(ns.traces, []) if ns.traces else []
    except FileNotFoundError as e:
        raise UsageError(f"{e}; pass Go execution traces (runtime/trace, go test -trace)") from None
    for f in found:
        with open(f, "rb") as fh:
            head = fh.read(16)
        if not (head.startswith(_TRACE_MAGIC) or head[:2] == b"\x1f\x8b"):
            raise UsageError(f"{f} is not a Go execution trace (it does not start with 'go 1.NN trace'); "
                             "pass the output of runtime/trace.Start, go test -trace or /debug/pprof/trace")
    if not (math.isfinite(ns.threshold_ms) and ns.threshold_ms >= 0):
        raise UsageError(f"--threshold-ms {ns.threshold_ms:g}: want a duration ≥ 0 in ms, such as 5")
    if ns.buckets < 1:
        raise UsageError(f"--buckets {ns.buckets}: want at least 1")


def _check_usage(ns) -> None:
    """Argument checks made before any kernel starts; normalises ``ns.fail_on_regression``.

    Raises
    ------
    UsageError
        A report of the wrong kind of input (a CPU profile to ``allocations``), one benchmark
        file of two, a bad ``--fail-on-regression`` (:func:`gobench.gate.parse_threshold`),
        ``--times`` of another length than the snapshots, a history RUN that does not exist
        (or a pattern matching nothing), an ``--alpha`` outside (0, 1), a TRACE that is missing or
        not an execution trace, a negative ``--threshold-ms``.
    """
    if ns.kind == "allocations":
        if ns.profile:
            _check_allocation_profile(ns.profile, "profile")
        if ns.base:
            _check_allocation_profile(ns.base, "--base")
    elif ns.kind == "bench":
        if bool(ns.old) != bool(ns.new):
            raise UsageError("bench needs two files, OLD and NEW (go test -bench output before and after), "
                             "or neither for the bundled sample")
        _check_threshold(ns)
    elif ns.kind == "history":
        _check_history_usage(ns)
        _check_threshold(ns)
    elif ns.kind == "profiles":
        if ns.source and not glob.has_magic(ns.source) and not Path(ns.source).exists():
            raise UsageError(f"{ns.source}: no such profile store, file or directory")
    elif ns.kind == "trace":
        _check_trace_usage(ns)
    elif ns.kind == "leaks":
        if ns.times and len(ns.times) != len(ns.snapshots):
            raise UsageError(f"--times: {len(ns.times)} times for {len(ns.snapshots)} snapshots; "
                             "pass one time per snapshot")


def _status(r: ReportResult, fail_on_regression: float | None = None) -> int:
    if not r.ok:
        return EXIT_BROKEN
    if fail_on_regression is not None and r.result.get("regressions"):
        return EXIT_REGRESSION
    return EXIT_OK


def _say(r: ReportResult, out) -> None:
    state = "ok" if r.ok else f"FAILED ({r.error})"
    print(f"{r.kind}: {r.html} ({r.html_bytes / 1e6:.1f} MB, {r.seconds:.1f} s) {state}", file=out)
    if r.result.get("verdict"):
        print(f"  {r.result['verdict']}", file=out)


def run_all(outdir: str | Path, *, timeout: float = 300, jobs: int = 4) -> list[ReportResult]:
    """Every report of :data:`KINDS` from the bundled sample data into ``outdir/<kind>.html``, in one process.

    Kernel start-up and imports dominate small notebooks, so ``jobs`` notebooks run at
    once (threads; each has its own kernel). Results come back in :data:`KINDS` order.
    """
    outdir = Path(outdir)
    kinds = list(KINDS)
    if jobs <= 1:
        return [run_report(k, {}, outdir / f"{k}.html", timeout=timeout) for k in kinds]
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [ex.submit(run_report, k, {}, outdir / f"{k}.html", timeout=timeout) for k in kinds]
        return [f.result() for f in futs]


def _run_all(outdir: Path, *, timeout: float, jobs: int) -> int:
    t0 = time.perf_counter()
    try:
        results = run_all(outdir, timeout=timeout, jobs=jobs)
    except ReportError as e:
        print(f"gopherlab report: {e}", file=sys.stderr)
        return EXIT_BROKEN
    code = EXIT_OK
    for r in results:
        _say(r, sys.stdout)
        if not r.ok:
            code = EXIT_BROKEN
    print(f"all reports: {time.perf_counter() - t0:.1f} s -> {outdir}", file=sys.stdout)
    return code


def main(argv: list[str] | None = None) -> int:
    """``gopherlab report KIND ...``; returns the exit status (0 ok, 1 regression, 2 broken/usage)."""
    argv = sys.argv[1:] if argv is None else argv
    tune_report_kernel()  # (acts only in a process of the gopherlab executable: see _process)
    try:
        ns = _parser().parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or usage error (2)
        return int(e.code or 0)
    if ns.kind == "all":
        return _run_all(Path(ns.output), timeout=ns.timeout, jobs=ns.jobs)
    try:
        _check_usage(ns)
    except UsageError as e:
        print(f"gopherlab report {ns.kind}: {e}", file=sys.stderr)
        return EXIT_BROKEN
    try:
        params = _params(ns)
        r = run_report(ns.kind, params, ns.output, timeout=ns.timeout)
    except ReportError as e:
        print(f"gopherlab report: {e}", file=sys.stderr)
        return EXIT_BROKEN
    _say(r, sys.stderr if not r.ok or getattr(ns, "format", "html") == "markdown" else sys.stdout)
    if getattr(ns, "format", "html") == "markdown" and r.ok:
        sys.stdout.write(r.result.get("markdown", ""))
    return _status(r, getattr(ns, "fail_on_regression", None))
