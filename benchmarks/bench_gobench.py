"""Performance benchmark of ``gopherlab benchstat`` on large inputs (a script, not a test).

Generates two pairs of 200k-result-line inputs like the ones benchstat was
timed on (see ../shared/notes/benchstat.md §6) and times the whole process
``python -m gopherlab.cli benchstat old.txt new.txt``:

* B: 1,000 benchmarks × 100 runs per file (U tests use the normal approximation);
* C: 10,000 benchmarks × 10 runs per file (exact U tests, many cells).

Benchmarks are shaped after real ``go test -bench -benchmem`` lines (4–6 units,
``MB/s``, custom metrics), values get lognormal noise (σ = 0.03), the new file
shifts a third of the benchmarks by −10 % and a third by +10 %, and ``pkg:``
changes every 100 benchmarks.  Reference (real benchstat, same machine class):
B 0.60 s, C 3.41 s wall.

Usage::

    .venv/bin/python benchmarks/bench_gobench.py [--repeat 3] [--keep DIR]

Figures (2026-11-22, 2 vCPU shared with three other busy agents, load average
7–11, so wall times are 2–3x inflated and even user+sys is noisy; 5 runs):

====  ==========  ===================  =====================  =====================
case  lines/file  wall s (median/min)  user+sys s (med/min)   benchstat (wall, ref)
====  ==========  ===================  =====================  =====================
B     100,000     3.16 / 2.41          1.52 / 1.44            0.60
C     100,000     7.70 / 7.02          3.60 / 3.14            3.41
====  ==========  ===================  =====================  =====================

CPU split (``time.process_time``): B = import 0.2 s, parse 0.65 s, tables 0.5 s,
text 0.1 s; C = import 0.2 s, parse 0.7 s, tables 2.0 s, text 0.75 s.  Parsing
is vectorised (numpy tokeniser, ``np.fromstring``), medians/CIs and U tests are
batched over all cells, exact U distributions are cached per (n1, n2, ties).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

# (name template, ns/op, extra units) modelled on real benchmark lines
SHAPES = [
    ("Sum/size=1KiB/variant={k}-2", 650.0, [("MB/s", 1575.0), ("B/op", 0), ("allocs/op", 0)]),
    ("Sort/n=100/variant={k}-2", 2900.0, [("cmps/op", 542.0), ("ns/elem", 29.0), ("B/op", 896),
                                          ("allocs/op", 1)]),
    ("Join/method=plus/n=16/variant={k}-2", 1700.0, [("B/op", 1128), ("allocs/op", 15)]),
    ("CountFields/variant={k}-2", 8700.0, [("MB/s", 590.0), ("fields/op", 800.0), ("B/op", 0),
                                           ("allocs/op", 0)]),
    ("Fib/variant={k}-2", 62700.0, [("B/op", 0), ("allocs/op", 0)]),
]


def generate(path: Path, nbench: int, runs: int, shift: bool, seed: int) -> int:
    rng = np.random.default_rng(seed)
    lines = ["goos: linux", "goarch: amd64", "cpu: AMD EPYC"]
    count = 0
    for b0 in range(0, nbench, 100):
        lines.append(f"pkg: example.com/large/p{b0 // 100:04d}")
        block = range(b0, min(b0 + 100, nbench))
        for _ in range(runs):
            for b in block:
                tmpl, ns, extra = SHAPES[b % len(SHAPES)]
                factor = 1.0
                if shift:
                    factor = (0.9, 1.0, 1.1)[b % 3]
                noise = rng.lognormal(0.0, 0.03)
                fields = [f"Benchmark{tmpl.format(k=b)}", f"{int(1e9 / (ns * factor)):8d}",
                          f"{ns * factor * noise:.1f} ns/op"]
                for unit, v in extra:
                    if unit in ("B/op", "allocs/op"):
                        fields.append(f"{int(v)} {unit}")
                    elif unit == "MB/s":
                        fields.append(f"{v / factor * noise:.2f} {unit}")
                    else:
                        fields.append(f"{v * factor * noise:.2f} {unit}")
                lines.append("\t".join(fields))
                count += 1
    lines += ["PASS", "ok  \texample.com/large\t12.3s"]
    path.write_text("\n".join(lines) + "\n")
    return count


def time_run(argv: list[str], cwd: Path, repeat: int) -> tuple[float, float, float, float]:
    """Median and minimum wall and user+sys seconds of the whole process."""
    walls, cpus = [], []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(repeat):
        t0 = time.perf_counter()
        r0 = os.times()
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
        r1 = os.times()
        walls.append(time.perf_counter() - t0)
        cpus.append((r1.children_user - r0.children_user) + (r1.children_system - r0.children_system))
    return statistics.median(walls), min(walls), statistics.median(cpus), min(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the inputs here instead of a temp dir")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench_gobench_"))
    tmp.mkdir(parents=True, exist_ok=True)
    cases = [("B", 1000, 100, 0.60), ("C", 10000, 10, 3.41)]
    py = sys.executable
    print(f"inputs in {tmp}")
    if hasattr(os, "getloadavg"):
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    print(f"{'case':4} {'lines/file':>10} {'wall med/min s':>15} {'user+sys med/min s':>19} "
          f"{'benchstat s':>11}")
    for name, nbench, runs, ref in cases:
        d = tmp / name
        d.mkdir(exist_ok=True)
        n_old = generate(d / "old.txt", nbench, runs, False, 1)
        generate(d / "new.txt", nbench, runs, True, 2)
        wall, wmin, cpu, cmin = time_run([py, "-m", "gopherlab.cli", "benchstat", "old.txt",
                                          "new.txt"], d, args.repeat)
        print(f"{name:4} {n_old:10d} {wall:7.2f}/{wmin:<7.2f} {cpu:10.2f}/{cmin:<8.2f} {ref:11.2f}")
    if hasattr(os, "getloadavg"):
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
