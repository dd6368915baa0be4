#!/usr/bin/env python3
"""Where one ``read_profile(f).top()`` process spends its time, stage by stage.

    python benchmarks/pprof_stages.py benchmarks/.data/big.heap.pb.gz [SAMPLE_INDEX] [--pandas-first]

Prints the wall time and the process CPU time (all threads) of: ``import
pprof_parse`` (numpy, protobuf, ours; it starts pandas' import on a thread),
reading + inflating, ``decode_proto``, pruning, waiting for pandas, and
``top()``. Interpreter start and exit are not included (compare with
``bench_pprof.py``'s whole-process figure). ``--pandas-first`` imports pandas
before anything else, so every stage runs alone and its CPU time is its own.
"""
import sys
import time

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
CLOCKS = [(time.perf_counter(), time.process_time())]


def mark() -> None:
    CLOCKS.append((time.perf_counter(), time.process_time()))


if "--pandas-first" in sys.argv:
    import pandas  # noqa: F401
    mark()
import pprof_parse  # noqa: E402
from pprof_parse.analyze.filter import translate_go_regex  # noqa: E402
from pprof_parse.analyze.prune import remove_uninteresting  # noqa: E402
from pprof_parse.read.proto import decode_proto  # noqa: E402
from pprof_parse.read.source import inflate, read_source  # noqa: E402

mark()
raw, name = read_source(ARGS[0])
data = inflate(raw, source=name)
del raw
mark()
d = decode_proto(data, source=name)
mark()
p = pprof_parse.Profile(remove_uninteresting(d, translate_go_regex), source=name)
mark()
import pandas  # noqa: E402,F401  (waits for the background import)

mark()
p.top(ARGS[1] if len(ARGS) > 1 else None)
mark()
names = (["import pandas"] if "--pandas-first" in sys.argv else []) + [
    "import pprof_parse", "read+inflate", "decode", "prune", "wait for pandas", "top"]
parts = [f"{n} {b[0] - a[0]:.2f}/{b[1] - a[1]:.2f}" for n, a, b in zip(names, CLOCKS, CLOCKS[1:])]
print("wall/cpu s: " + " | ".join(parts) + f" | total {CLOCKS[-1][0] - CLOCKS[0][0]:.2f}/{CLOCKS[-1][1] - CLOCKS[0][1]:.2f}")
