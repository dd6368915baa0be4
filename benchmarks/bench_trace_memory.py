#!/usr/bin/env python3
"""Peak memory of the trace reader, stage by stage, against ``go tool trace -pprof=sched``.

    python benchmarks/bench_trace_memory.py TRACE [TRACE...] [--repeat N]

For each trace, runs in separate processes under ``/usr/bin/time`` (peak RSS, wall time):
``go tool trace -pprof=sched``; ``read_trace`` alone; ``read_trace`` then
``delay_profile("sched")`` (issue 18's target: at most half of Go's peak memory); and the
interpreter with numpy and pandas imported (the floor every Python run starts from). Prints
one row per command (the median of ``--repeat`` runs) and our peak as a share of Go's.
benchmarks/bench_trace.py makes a large trace (``--duration 2s``: about 60 MB).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from goenv import go_binary, go_env  # noqa: E402
from bench_trace import timed  # noqa: E402  (this folder: the script's own)

IMPORTS = "import numpy, pandas, pprof_parse.runtime.trace"
READ = IMPORTS + "\nt = pprof_parse.runtime.trace.read_trace(__import__('sys').argv[1])\nprint(len(t))"
READ_SCHED = READ + "\np = t.delay_profile('sched')\nprint(int(p['count'].sum()), int(p['delay_ns'].sum()))"


def median_run(cmd: list[str], repeat: int, **kw) -> tuple[bytes, float, int]:
    runs = [timed(cmd, **kw) for _ in range(repeat)]
    return runs[0][0], statistics.median(r[1] for r in runs), int(statistics.median(r[2] for r in runs))


def measure(path: Path, repeat: int) -> None:
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    go = [go_binary(), "tool", "trace", "-pprof=sched", str(path)]
    rows = {"go tool trace -pprof=sched": median_run(go, repeat, env={**os.environ, **go_env()})}
    for label, code in (("python + numpy + pandas", IMPORTS), ("read_trace", READ),
                        ("read_trace + delay_profile", READ_SCHED)):
        rows[label] = median_run([sys.executable, "-c", code, str(path)], repeat)
    go_rss = rows["go tool trace -pprof=sched"][2]
    print(f"  {'':28} {'wall s':>8} {'peak RSS MB':>12} {'of Go':>7}")
    for label, (out, wall, rss) in rows.items():
        what = f"({len(out)} bytes of profile)" if label.startswith("go ") else out.decode().strip().replace("\n", " ")
        print(f"  {label:28} {wall:8.2f} {rss / 1024:12.0f} {rss / go_rss:7.0%}   {what}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("traces", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command (median reported)")
    args = ap.parse_args()
    for path in args.traces:
        measure(path, args.repeat)


if __name__ == "__main__":
    main()
