#!/usr/bin/env python3
"""Whole-process timing: ``read_profile(f).top()`` against ``go tool pprof -top`` on the same file.

    python benchmarks/bigprof.py             # once: make the large profiles (see its docstring)
    python benchmarks/bench_pprof.py [--runs 3] [FILE[:SAMPLE_INDEX] ...]

Each command runs as its own process, ours and pprof's taking turns (1 warm-up
round, then --runs timed rounds; the median is reported), with its CPU time
(user + system, all threads) and peak RSS read from ``getrusage(RUSAGE_CHILDREN)``
in a fresh wrapper process, so the Python side pays its interpreter start and
imports just as pprof pays its own start-up. Output goes to /dev/null.

The packages are byte-compiled first (``compileall``), as ``pip install``
does: an editable install under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise
recompile every module of ours on each run (~0.1 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRAP = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024}))
"""


def run_once(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    if r["rc"] != 0:
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return r


def measure(cmds: list[list[str]], runs: int) -> list[dict]:
    """Median wall/CPU/RSS of each command; the commands take turns (a warm-up round first),
    so a change of load on the machine falls on both sides."""
    results: list[list[dict]] = [[] for _ in cmds]
    for i in range(runs + 1):
        for cmd, res in zip(cmds, results):
            r = run_once(cmd)
            if i:  # the first round is a warm-up
                res.append(r)
    return [{"wall": statistics.median(r["wall"] for r in res), "rss_mb": statistics.median(r["rss_mb"] for r in res),
             "cpu": statistics.median(r["cpu"] for r in res), "walls": [round(r["wall"], 2) for r in res]}
            for res in results]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="profiles (default: benchmarks/.data/big.*.pb.gz); FILE:INDEX picks a sample index")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    files = args.files or [str(p) for p in sorted((HERE / ".data").glob("big*.pb.gz"))]
    go = str(Path(sys.executable).parent / "go")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "pprof_parse")], check=True)
    for spec in files:
        path, _, si = spec.partition(":")
        si_flag = [f"-sample_index={si}"] if si else []
        ours = [sys.executable, "-c",
                f"import pprof_parse; pprof_parse.read_profile({path!r}).top({si!r} or None)"]
        theirs = [go, "tool", "pprof", "-top", *si_flag, path]
        o, t = measure([ours, theirs], args.runs)
        print(f"{Path(path).name}{':' + si if si else ''}: gopherlab {o['wall']:.2f} s ({o['cpu']:.2f} s CPU, "
              f"{o['rss_mb']:.0f} MB)  go tool pprof {t['wall']:.2f} s ({t['cpu']:.2f} s CPU, {t['rss_mb']:.0f} MB)  "
              f"ratio {o['wall'] / t['wall']:.2f}  runs {o['walls']} vs {t['walls']}")


if __name__ == "__main__":
    main()
