#!/usr/bin/env python3
"""The profile store's benchmark: ingest and query N small real CPU profiles (not part of the test run).

    python benchmarks/bench_store.py make --n 2000 --out benchmarks/.data/w2000   # the windows
    python benchmarks/bench_store.py ingest benchmarks/.data/w2000 /tmp/store2000  # a fresh store (whole process)
    python benchmarks/bench_store.py top /tmp/store2000 [--repeat 20]             # warm store.top(): wall and CPU ms

``make`` builds and runs the workload (``examples/workload``) ``--runs`` times for
``--seconds`` each, then writes N "windows" cycling through those runs' real CPU profiles,
each with its own ``time_nanos`` (one per 10 s from 2026-12-05 00:00 UTC): what a
continuous profiler leaves. Compare ingest (whole process, start-up included) with pprof
merging the same files, the two commands timed in turn as whole processes (CPU, wall and
peak RSS, e.g. with ``/usr/bin/time -v``)::

    python benchmarks/bench_store.py ingest DIR /tmp/s
    sh -c 'go tool pprof -top DIR/*.pb.gz'

``ingest`` prints the files added, the time in ``add`` and the peak RSS (``ru_maxrss``).

Measured 2026-12-06 on the shared 2-core machine (load 3.5-4.3 from other work), medians
(min-max) over runs of the two commands taken in turn, ratios pair by pair; the windows
are the workload's ``make --n 20000`` (8.7 KB each) and their first 2,000:

=======================  ==============================  ===============================
                         2,000 windows (17 MB)           20,000 windows (174 MB)
=======================  ==============================  ===============================
ingest (this script)     5.8 s CPU, 7.6 s wall, 185 MB   38.7 s CPU, 39.7 s wall, 193 MB
go tool pprof -top       4.7 s CPU, 4.7 s wall, 62 MB    37.4 s CPU, 36.7 s wall, 77 MB
ratio, CPU               1.20 (1.13-1.52), 5 pairs       1.04 (1.04-1.04), 2 pairs
ratio, wall              1.19 (1.07-1.60), 5 pairs       1.08 (1.08-1.08), 2 pairs
ratio, wall, load ~1.5   1.18 (1.06-1.95), 5 pairs
warm store.top()         68 ms CPU, 60-135 ms wall       (0.04x pprof's CPU; 2026-12-05)
=======================  ==============================  ===============================

The files are decoded 100 at a time (``fast_decode``/``fast_rows``): each kind of message
of the group in one pass of the reader's column decoders, and the symbols reduced to the
distinct ones before they are named. In-process CPU for 2,000 windows: ~1.0 s column
decoding, 0.5 s inflating and splitting the top level (upb), 0.7 s naming the distinct
symbols and building rows, 0.3 s checks, 0.3 s Parquet writing; plus ~1.2 s of imports
(0.5 s of them pandas, which pyarrow imports at its first conversion). Decoded one file
at a time with upb's message objects (until 2026-12-06) the same ingest took 3.57x
(3.31-3.77) pprof's wall time at load ~2 and 2.65x its CPU, at 168 MB. Decoding in worker
processes (one per core, or one besides this process) was tried then and left out: at
load 3-10 it took 0.87-1.41x the wall time of one process and 10-17 % more CPU.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from pprof_parse.proto.profile_pb2 import Profile as ProfileMessage  # noqa: E402
from pprof_parse.store import ProfileStore  # noqa: E402

sys.path.append(str(REPO / "tests"))  # (after pprof_parse: tests/pprof_parse must not shadow it)
from goenv import build  # noqa: E402  (the tests' Go build helper)

T0 = 1_796_515_200 * 10**9  # 2026-12-05 00:00:00 UTC
STEP = 10 * 10**9


def make(n: int, out: Path, runs: int, seconds: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        binary = build(REPO / "examples" / "workload", Path(tmp) / "workload")
        sources = []
        for k in range(runs):
            d = Path(tmp) / f"run{k}"
            subprocess.run([str(binary), "-out", str(d), "-duration", f"{seconds}s"], check=True, capture_output=True)
            sources.append(ProfileMessage.FromString(gzip.decompress((d / "cpu.pb.gz").read_bytes())))
    for i in range(n):
        msg = sources[i % runs]
        msg.time_nanos = T0 + i * STEP
        (out / f"w{i:06d}.pb.gz").write_bytes(gzip.compress(msg.SerializeToString(), mtime=0))
    print(f"{n} windows from {runs} runs in {out}")


def ingest(src: Path, store_dir: Path, batch_size: int) -> None:
    shutil.rmtree(store_dir, ignore_errors=True)
    t = time.perf_counter()
    with ProfileStore(store_dir) as store:
        res = store.add(str(src / "*.pb.gz"), progress=False, batch_size=batch_size)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"ingest: {res.added} added, {len(res.failed)} failed, {wall:.2f} s in add, peak RSS {rss:.0f} MB")


def top(store_dir: Path, repeat: int) -> None:
    with ProfileStore(store_dir) as store:
        t = time.perf_counter()
        store.top()
        cold = time.perf_counter() - t
        walls, cpus = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            store.top()
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)  # (all of the process's threads, DuckDB's too)
        n = len(store.profiles)
    walls.sort()
    cpus.sort()
    print(f"top over {n} profiles: first {cold * 1e3:.0f} ms, warm median {walls[len(walls) // 2] * 1e3:.1f} ms wall "
          f"(min {walls[0] * 1e3:.1f}, max {walls[-1] * 1e3:.1f}), {cpus[len(cpus) // 2] * 1e3:.1f} ms CPU")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--n", type=int, default=2000)
    m.add_argument("--out", type=Path, default=REPO / "benchmarks" / ".data" / "w2000")
    m.add_argument("--runs", type=int, default=3)
    m.add_argument("--seconds", type=float, default=1.0)
    i = sub.add_parser("ingest")
    i.add_argument("src", type=Path)
    i.add_argument("store", type=Path)
    i.add_argument("--batch-size", type=int, default=500)
    t = sub.add_parser("top")
    t.add_argument("store", type=Path)
    t.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args(argv)
    if a.cmd == "make":
        make(a.n, a.out, a.runs, a.seconds)
    elif a.cmd == "ingest":
        ingest(a.src, a.store, a.batch_size)
    else:
        top(a.store, a.repeat)


if __name__ == "__main__":
    main()
