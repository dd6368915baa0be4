"""Performance benchmark of ``gopherlab benchstat`` on large inputs (a script, not a test).

Generates two pairs of 200k-result-line inputs like the ones benchstat was
timed on (see ../shared/notes/benchstat.md §6) and times the whole process
``python -m gopherlab.cli benchstat old.txt new.txt`` (``gobench`` byte-compiled
first, as ``pip install`` leaves it):

* B: 1,000 benchmarks × 100 runs per file (U tests use the normal approximation);
* C: 10,000 benchmarks × 10 runs per file (exact U tests, many cells).

Benchmarks are shaped after real ``go test -bench -benchmem`` lines (4–6 units,
``MB/s``, custom metrics), values get lognormal noise (σ = 0.03), the new file
shifts a third of the benchmarks by −10 % and a third by +10 %, and ``pkg:``
changes every 100 benchmarks.

``--benchstat PATH`` also times a real benchstat binary on the same inputs, the
two programs' runs interleaved (one warm-up run each, not counted).  The
reference binary is golang.org/x/perf/cmd/benchstat at 712aea8 (the commit the
vectors in ../shared/benchstat-vectors were made with), built with the repo's
go 1.27: ``go install golang.org/x/perf/cmd/benchstat@712aea8`` (on the offline
project machine it was built from a source snapshot of that commit).

Usage::

    .venv/bin/python benchmarks/bench_gobench.py [--repeat 3] [--keep DIR] [--benchstat PATH]

Figures (2026-12-05 15:07, 2 vCPU, load 4-6 from other work on the machine, so
noisy: read the per-pair ratios; ``--repeat 9 --benchstat``; wall and user+sys
of the whole process; median (min-max)), after issue 14 took the process
tricks out of the libraries (no forked scanner, no GC pause, no ``mallopt``;
the ``gopherlab`` executable keeps only ``gopherlab/_process.py``'s tunings):

====  ==================  ==================  ==================  ==========================================
case  gopherlab wall s    gopherlab CPU s     benchstat wall s    per pair gopherlab/benchstat (wall)
====  ==================  ==================  ==================  ==========================================
B     1.11 (0.98-1.80)    0.80                1.21 (1.09-2.12)    0.87 (0.65-1.20), CPU 1.03, faster 7 of 9
C     2.32 (2.02-2.69)    1.73                3.78 (3.45-4.08)    0.63 (0.49-0.68), CPU 0.70, faster 9 of 9
====  ==================  ==================  ==================  ==========================================

Before/after on B, 15 interleaved rounds of the tree before issue 14, this one
and benchstat (load 5-9): per round this tree / the old one 0.96 wall (0.78-1.49),
0.98 CPU; this tree / benchstat 0.98 wall (0.58-1.67), 1.02 CPU; the old tree /
benchstat 1.05 wall, 1.00 CPU.  On a quiet machine (2026-12-04, the old tree)
B was 0.35 s wall against benchstat's 0.41 s.

Where B's time went at quiet moments (2026-12-04): interpreter start and
site ~0.02 s (half of it setuptools' editable-install import hook), numpy
0.054-0.062 s, gobench 0.013-0.016 s, parsing 0.105-0.126 s, tables
0.048-0.080 s, text 0.020-0.027 s.  Fresh memory is a large part of it on
these VMs (~3 µs per 4 KB page).  ``gobench/README.md`` lists what the scanner
and the build do to keep that down.
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


def _run_once(argv: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Wall and user+sys seconds of one whole process (its children included)."""
    t0 = time.perf_counter()
    r0 = os.times()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    r1 = os.times()
    return (time.perf_counter() - t0,
            (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system))


def time_runs(commands: dict[str, list[str]], cwd: Path, repeat: int) -> dict[str, tuple]:
    """Per command: wall and user+sys seconds of *repeat* runs, the commands interleaved
    (one warm-up run each first, not counted)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    walls: dict[str, list] = {k: [] for k in commands}
    cpus: dict[str, list] = {k: [] for k in commands}
    for k, argv in commands.items():
        _run_once(argv, cwd, env)
    for _ in range(repeat):
        for k, argv in commands.items():
            w, c = _run_once(argv, cwd, env)
            walls[k].append(w)
            cpus[k].append(c)
    return {k: (walls[k], cpus[k]) for k in commands}


def _fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the inputs here instead of a temp dir")
    ap.add_argument("--benchstat", metavar="PATH",
                    help="also time this benchstat binary on the same inputs, interleaved")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench_gobench_"))
    tmp.mkdir(parents=True, exist_ok=True)
    cases = [("B", 1000, 100), ("C", 10000, 10)]
    py = sys.executable
    # as `pip install` leaves it (the environment may set PYTHONDONTWRITEBYTECODE)
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "gobench")], check=True)
    print(f"inputs in {tmp}")
    if hasattr(os, "getloadavg"):
        print("load average before: %.2f %.2f %.2f" % os.getloadavg())
    print(f"{'case':4} {'lines/file':>10}  {'program':9} {'wall s: median (min-max)':>25} "
          f"{'user+sys s: median (min-max)':>29}")
    for name, nbench, runs in cases:
        d = tmp / name
        d.mkdir(exist_ok=True)
        n_old = generate(d / "old.txt", nbench, runs, False, 1)
        generate(d / "new.txt", nbench, runs, True, 2)
        commands = {"gopherlab": [py, "-m", "gopherlab.cli", "benchstat", "old.txt", "new.txt"]}
        if args.benchstat:
            commands["benchstat"] = [str(Path(args.benchstat).resolve()), "old.txt", "new.txt"]
        got = time_runs(commands, d, args.repeat)
        for k, (walls, cpus) in got.items():
            print(f"{name:4} {n_old:10d}  {k:9} {_fmt(walls):>25} {_fmt(cpus):>29}")
        if "benchstat" in got:
            (gw, gc), (bw, bc) = got["gopherlab"], got["benchstat"]
            ratios = [a / b for a, b in zip(gw, bw)]
            cpu_ratios = [a / b for a, b in zip(gc, bc)]
            print(f"{name:4} per pair gopherlab/benchstat: wall {_fmt(ratios)}, user+sys "
                  f"{statistics.median(cpu_ratios):.2f}; gopherlab faster in {sum(r < 1 for r in ratios)} "
                  f"of {len(ratios)}")
    if hasattr(os, "getloadavg"):
        print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
