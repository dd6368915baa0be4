#!/usr/bin/env python3
"""Time the allocation explorer's widget changes in a kernel (a benchmark, not a test).

    python benchmarks/bench_widget.py [--profile benchmarks/.data/big.cpu.pb.gz] [--repeat 10] [--max-nodes 1500]

Starts a Python kernel, reads the profile there (the large CPU profile of
``benchmarks/bigprof.py`` by default, ~190k samples), builds the allocation explorer
(:func:`gopherlab.reports.allocations.allocation_explorer`'s controls and callback) and
changes each control ``--repeat`` times, timing the assignment of the widget's value: the
callback runs in it (computing the view, drawing the top table and the flame graph into the
explorer's output). Two cases per control:

* **new setting** -- what the explorer keeps for the setting is dropped before each change
  (its view; for focus, the regex's sample mask; for granularity, the granularity's view
  index), so every change computes it as on its first visit (a granularity's index is derived
  from the profile's slot-level call paths, built once with the explorer and kept);
* **setting seen before** -- the control goes back and forth between two values shown
  before (the explorer keeps the views of its recent settings).

Prints a Markdown table of median and p90 wall milliseconds per change (target: <= 200 ms
median), the median CPU milliseconds of the kernel process (all its threads; on a loaded
machine the wall time grows, the CPU time much less), the machine's load average, and the
number of frames the flame graph draws (at most ``--max-nodes``). The time the browser then
takes to draw the figure is not included (``bench_reports.py --browser`` measures a flame
graph's drawing).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PROFILE = REPO / "benchmarks" / ".data" / "big.cpu.pb.gz"

#: per control: (widget attribute, the two values a change alternates between, what a new
#: setting computes: the explorer's caches emptied before each change)
CHANGES = [
    ("sample index", "sample", None, ["views"]),  # the profile's first two sample types
    ("focus", "focus", ["f1[0-9]$", "f2"], ["views", "masks"]),
    ("granularity", "granularity", ["lines", "files"], ["views", "indexes"]),
    ("top N", "top_n", [10, 30], []),  # never computes: rows of the view shown
]

SETUP = """
import json, time
import numpy as np
import pprof_parse
from IPython.display import display
from gopherlab.reports import allocations as alloc, render as gl

gl.setup_notebook()  # the notebook's figure renderers (plotly's JSON and the offline HTML)
t0 = time.perf_counter()
prof = pprof_parse.read_profile({path!r})
read_s = time.perf_counter() - t0
t0 = time.perf_counter()
ex = alloc._AllocationExplorer(prof, max_nodes={max_nodes})
ex.refresh()
display(ex.box)
first_s = time.perf_counter() - t0
types = [t.type for t in prof.sample_types]


def timed(widget, values, *, clear=()):
    wall, cpu = [], []
    for v in values:
        for name in clear:
            getattr(ex, name).clear()
        t0, c0 = time.perf_counter(), time.process_time()
        widget.value = v
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
    return wall, cpu


def frames():
    return max(len(v["figure"].data[0].ids) for v in ex.views.values() if v["figure"] is not None)


print(json.dumps({{"samples": len(prof), "read_s": read_s, "first_s": first_s, "types": types[:2]}}))
"""

RUN = """
w = getattr(ex, {attr!r})
a, b = {values!r}
w.value = b
w.value = a
seen = timed(w, [b, a] * ({repeat} // 2) + [b] * ({repeat} % 2))
new = timed(w, [a, b] * ({repeat} // 2) + [a] * ({repeat} % 2), clear={clear!r})
drawn = frames()
for ww, v in ((ex.focus, ""), (ex.granularity, "functions")):
    ww.value = v
print(json.dumps({{"new": new, "seen": seen, "frames": drawn}}))
"""


def _run(kc, code: str, timeout: float = 1800) -> dict:
    """Execute ``code`` in the kernel; return the JSON its last printed line holds."""
    lines, errors = [], []

    def hook(msg):
        if msg["msg_type"] == "stream":
            lines.extend(msg["content"]["text"].splitlines())
        elif msg["msg_type"] == "error":
            errors.append("\n".join(msg["content"]["traceback"]))

    reply = kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    if errors or reply["content"]["status"] != "ok":
        raise RuntimeError("kernel error:\n" + "\n".join(errors))
    return json.loads([ln for ln in lines if ln.startswith("{")][-1])


def _p90(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=10)[-1] if len(xs) > 1 else xs[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default=str(DEFAULT_PROFILE))
    ap.add_argument("--repeat", type=int, default=10, help="changes per control and case")
    ap.add_argument("--max-nodes", type=int, default=1500, help="the explorer's flame graph budget")
    args = ap.parse_args(argv)
    if not Path(args.profile).exists():
        print(f"{args.profile} is missing: make it with benchmarks/bigprof.py", file=sys.stderr)
        return 2
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(REPO))
    try:
        info = _run(kc, SETUP.format(path=str(Path(args.profile).resolve()), max_nodes=args.max_nodes))
        rows = [f"Explorer on `{Path(args.profile).name}` ({info['samples']:,} samples): read "
                f"{info['read_s']:.2f} s, explorer built and first view drawn {info['first_s']:.2f} s.", "",
                "| change | new setting: median ms (CPU) | p90 ms | seen before: median ms (CPU) | p90 ms "
                "| frames drawn |", "|---|---|---|---|---|---|"]
        loads = []
        for label, attr, values, clear in CHANGES:
            r = _run(kc, RUN.format(attr=attr, values=values or info["types"], repeat=args.repeat, clear=clear))
            loads.append(os.getloadavg()[0])
            (nw, nc), (sw, sc) = r["new"], r["seen"]
            new = f"{statistics.median(nw):.0f} ({statistics.median(nc):.0f}) | {_p90(nw):.0f}" if clear else "- | -"
            rows.append(f"| {label} | {new} | {statistics.median(sw):.0f} ({statistics.median(sc):.0f}) | "
                        f"{_p90(sw):.0f} | {r['frames']:,} |")
        rows += ["", f"Load average (1 min) after each control: {', '.join(f'{x:.1f}' for x in loads)} "
                     f"on {os.cpu_count()} CPUs."]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
