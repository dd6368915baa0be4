#!/usr/bin/env python3
"""read_trace + Trace.delay_profile("sched") vs ``go tool trace -pprof=sched`` on one large trace.

    python benchmarks/bench_trace.py [TRACE] [--duration 2s] [--warm N]
    python benchmarks/bench_trace.py --jit [TRACE]

Without TRACE, builds examples/tracegen and records its workload for ``--duration``
(default 2s) into benchmarks/.data/tracegen.trace. Each side runs in its own process
under ``/usr/bin/time`` (wall time and peak RSS); the two profiles' totals are
printed too, so the comparison is between equal results.

``--jit`` measures the compiled event ordering's start-up instead (in new processes, on TRACE
or the bundled sample trace): the first compile with an empty numba cache, then a process with
the cache (importing numba, loading the machine code, a second call), and the Python loop.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from goenv import build, go_binary, go_env  # noqa: E402

OURS = """
import sys
from pprof_parse.runtime.trace import read_trace
t = read_trace(sys.argv[1])
p = t.delay_profile("sched")
print(len(t), int(p["count"].sum()), int(p["delay_ns"].sum()))
"""


JIT = """
import sys, time
from pprof_parse.runtime.trace import order, order_fast
from pprof_parse.runtime.trace.decode import decode_generation
from pprof_parse.runtime.trace.wire import read_generations, read_header
data = open(sys.argv[1], "rb").read()
version = read_header(data, "t")
items = [(g, decode_generation(g, data, "t")) for g in read_generations(data, version, "t")]
order_fast.MIN_COMPILED_EVENTS = 0
t = time.perf_counter(); import numba; t_import = time.perf_counter() - t
t = time.perf_counter(); order_fast.order_events_fast(items, "t", False, None); t_first = time.perf_counter() - t
t = time.perf_counter(); order_fast.order_events_fast(items, "t", False, None); t_again = time.perf_counter() - t
t = time.perf_counter(); order.order_events_reference(items, "t"); t_python = time.perf_counter() - t
n = sum(len(ev.typ) for _, ev in items)
print(f"{n:>10} events  import numba {t_import:6.2f} s  first call {t_first:6.2f} s  again {t_again:7.3f} s  "
      f"Python loop {t_python:6.2f} s")
"""


def jit_costs(path: Path) -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("empty numba cache", "cached kernel"):
            out = subprocess.run([sys.executable, "-c", JIT, str(path)], env=env, check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            print(f"{label:18} {out.strip()}")


WARM = """
import sys, time
from pprof_parse.runtime.trace import read_trace
walls = []
for i in range(1 + int(sys.argv[2])):
    t0 = time.perf_counter()
    p = read_trace(sys.argv[1]).delay_profile("sched")
    walls.append(time.perf_counter() - t0)
print(" ".join(f"{w:.2f}" for w in walls[1:]), "(s wall each; first read", f"{walls[0]:.2f})")
"""


def timed(cmd: list[str], **kw) -> tuple[bytes, float, int]:
    """stdout, wall seconds and peak RSS (KiB) of ``cmd``."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        out = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *cmd], check=True,
                             stdout=subprocess.PIPE, **kw).stdout
        wall, rss = tf.read().split()[-2:]
    return out, float(wall), int(rss)


def make_trace(duration: str) -> Path:
    data = ROOT / "benchmarks" / ".data"
    data.mkdir(parents=True, exist_ok=True)
    binary = build(ROOT / "examples" / "tracegen", data / "tracegen")
    out = data / "tracegen.trace"
    subprocess.run([str(binary), "-duration", duration, "-o", str(out)], check=True, env=go_env())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace", nargs="?")
    ap.add_argument("--duration", default="2s")
    ap.add_argument("--jit", action="store_true", help="the compiled ordering's start-up costs")
    ap.add_argument("--warm", type=int, default=0, metavar="N",
                    help="also time N more reads in one process after a first one (a warm kernel)")
    args = ap.parse_args()
    if args.jit:
        jit_costs(Path(args.trace) if args.trace else ROOT / "gopherlab" / "data" / "runtime" / "trace" /
                  "tracegen.trace")
        return
    path = Path(args.trace) if args.trace else make_trace(args.duration)
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    go_out, go_wall, go_rss = timed([go_binary(), "tool", "trace", "-pprof=sched", str(path)],
                                    env={**os.environ, **go_env()})
    ours_out, wall, rss = timed([sys.executable, "-c", OURS, str(path)])
    n, count, ns = ours_out.decode().split()
    print(f"{'':28} {'wall s':>8} {'peak RSS MB':>12}")
    print(f"{'go tool trace -pprof=sched':28} {go_wall:8.2f} {go_rss / 1024:12.0f}   ({len(go_out)} bytes of profile)")
    print(f"{'read_trace + delay_profile':28} {wall:8.2f} {rss / 1024:12.0f}   ({n} events; sched: {count} waits, "
          f"{int(ns) / 1e9:.3f} s)")
    if args.warm:
        out = subprocess.run([sys.executable, "-c", WARM, str(path), str(args.warm)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        print(f"{'  the same, warm process':28} {out.strip()}")


if __name__ == "__main__":
    main()
