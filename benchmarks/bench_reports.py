#!/usr/bin/env python3
"""Time the four HTML reports on the bundled sample data (a benchmark, not a test).

    python benchmarks/bench_reports.py [--repeat 2] [--jobs 4] [--browser] [--big benchmarks/.data/big.cpu.pb.gz]

Measures, in this one process:

* each report alone (papermill execution with its own kernel + in-process nbconvert export);
* ``gopherlab report all`` (the four at once, ``--jobs`` kernels in parallel);
* each HTML's size (target: all four <= 60 s together, each HTML <= 6 MB);
* with ``--big PROFILE``: ``call_tree`` on a large profile (full and pruned) and, with
  ``--browser``, how long headless Chromium takes to draw the pruned icicle.

Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _reports(repeat: int, jobs: int) -> list[str]:
    from gopherlab import _process

    _process.before("report")  # this script stands in for the gopherlab executable's process
    from gopherlab.report import KINDS, run_all, run_report

    rows = ["| report | seconds (best of %d) | HTML MB | ok |" % repeat, "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        run_report("leaks", {}, Path(tmp) / "warm.html")  # first kernel start / imports, not counted
        for kind in KINDS:
            times, size, ok = [], 0, True
            for _ in range(repeat):
                r = run_report(kind, {}, Path(tmp) / f"{kind}.html")
                times.append(r.seconds)
                size, ok = r.html_bytes, ok and r.ok
            rows.append(f"| {kind} | {min(times):.1f} (median {statistics.median(times):.1f}) | {size / 1e6:.2f} | {ok} |")
        totals = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            res = run_all(Path(tmp) / "all", jobs=jobs)
            totals.append(time.perf_counter() - t0)
            assert all(r.ok for r in res), [(r.kind, r.error) for r in res if not r.ok]
        rows.append(f"| **all four** (`report all`, {jobs} at once) | **{min(totals):.1f}** "
                    f"(median {statistics.median(totals):.1f}) | "
                    f"{max(r.html_bytes for r in res) / 1e6:.2f} max | True |")
    return rows


def _big(path: str, browser: bool) -> list[str]:
    import pprof_parse
    from pprof_parse.figures import call_tree, flame_figure

    rows = ["", f"Call tree of `{path}`:", "", "| step | seconds | rows |", "|---|---|---|"]
    t0 = time.perf_counter()
    prof = pprof_parse.read_profile(path)
    rows.append(f"| read_profile ({len(prof):,} samples) | {time.perf_counter() - t0:.2f} | |")
    for label, kw in (("call_tree full", dict(min_fraction=0, max_nodes=None)),
                      ("call_tree default (0.5%, 3000)", {}),
                      ("call_tree max_nodes=3000, no fraction", dict(min_fraction=0, max_nodes=3000))):
        t0 = time.perf_counter()
        tree = call_tree(prof, **kw)
        rows.append(f"| {label} | {time.perf_counter() - t0:.2f} | {len(tree):,} |")
    if browser:
        fig = flame_figure(tree)
        with tempfile.TemporaryDirectory() as tmp:
            html = Path(tmp) / "flame.html"
            fig.write_html(html, include_plotlyjs=True)
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
                page = b.new_page(viewport={"width": 1200, "height": 900})
                t0 = time.perf_counter()
                page.goto(html.as_uri())
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
                page.wait_for_function("() => document.querySelectorAll('g.slice').length > 0", timeout=120_000)
                rows.append(f"| Chromium: load + draw icicle ({len(tree):,} nodes) | {time.perf_counter() - t0:.2f} | |")
                b.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--big", help="a large profile (benchmarks/bigprof.py) to time call_tree on")
    ap.add_argument("--browser", action="store_true", help="also time Chromium drawing the pruned icicle")
    ap.add_argument("--skip-reports", action="store_true")
    a = ap.parse_args()
    rows: list[str] = []
    if not a.skip_reports:
        rows += _reports(a.repeat, a.jobs)
    if a.big:
        rows += _big(a.big, a.browser)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
