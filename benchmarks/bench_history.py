#!/usr/bin/env python3
"""Time ``gobench.change_points`` on a large history (target: ≤ 10 s).

    python benchmarks/bench_history.py [--commits 1000] [--benchmarks 200] [--runs 10] [--repeat 3]

The history is synthesized at the frame level (what ``gobench.read_history``
returns: ``fullname, unit, value, commit, order``): 1,000 commits × 200
benchmarks × 10 runs = 2 million runs of ``sec/op``.  Each run is log-normal
around its commit's level (3 % noise), each commit shifted by Student-t(3) noise
(1.5 %, a shared machine), and one benchmark in five has two steps of ±10–30 %
at random commits.  Prints the best of ``--repeat`` timings, how many changes
were found, and how many of the planted steps were found within one commit.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from gobench.history import change_points


def synthesize(commits: int, benchmarks: int, runs: int, seed: int = 1):
    """The history frame and the planted steps ``{(name, order)}``."""
    rng = np.random.default_rng(seed)
    level = np.ones((benchmarks, commits))
    planted = set()
    for b in rng.choice(benchmarks, benchmarks // 5, replace=False).tolist():
        for at in rng.choice(np.arange(10, commits - 10), 2, replace=False).tolist():
            level[b, at:] *= rng.choice([-1, 1]) * rng.uniform(0.10, 0.30) + 1
            planted.add((f"Bench{b}-2", at))
    level *= np.exp(rng.standard_t(3, size=level.shape) * 0.015)
    base = np.exp(rng.uniform(np.log(1e-8), np.log(1e-3), size=(benchmarks, 1)))
    values = np.repeat(base * level, runs, axis=1) * np.exp(rng.normal(size=(benchmarks, commits * runs)) * 0.03)
    names = np.array([f"Bench{b}-2" for b in range(benchmarks)], dtype=object)
    order = np.tile(np.repeat(np.arange(commits), runs), benchmarks)
    df = pd.DataFrame({"fullname": np.repeat(names, commits * runs), "unit": "sec/op",
                       "value": values.ravel(), "commit": np.array([f"c{i:04d}" for i in range(commits)])[order],
                       "order": order})
    return df, planted


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--benchmarks", type=int, default=200)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    df, planted = synthesize(args.commits, args.benchmarks, args.runs)
    print(f"history: {args.commits} commits x {args.benchmarks} benchmarks x {args.runs} runs = {len(df):,} rows")
    change_points(df.head(1000))   # imports (ruptures, pandas) outside the timing
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        found = change_points(df)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    hits = sum(any((name, o) in planted for o in (order - 1, order, order + 1))
               for name, order in zip(found["name"], found["order"]))
    recovered = sum(any(n == name and abs(o - at) <= 1 for n, o in zip(found["name"], found["order"]))
                    for name, at in planted)
    print(f"change_points: best {min(times):.2f} s of {args.repeat} ({', '.join(f'{t:.2f}' for t in times)}); "
          f"CPU time best {min(cpu):.2f} s (the wall time counts other processes on a shared machine)")
    print(f"found {len(found)} changes, {hits} at a planted step (±1 commit); "
          f"{recovered} of {len(planted)} planted steps recovered")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
