#!/usr/bin/env python3
"""Where one ``read_profile(f).top()`` process spends its time, stage by stage.

    python benchmarks/pprof_stages.py benchmarks/.data/big.heap.pb.gz [SAMPLE_INDEX]

Prints the wall time of: ``import pprof_parse`` (numpy, protobuf, ours; it
starts pandas' import on a thread), reading + inflating, ``decode_proto``,
pruning, waiting for pandas, and ``top()``. Interpreter start and exit are
not included (compare with ``bench_pprof.py``'s whole-process figure).
"""
import sys
import time

T0 = time.perf_counter()
import pprof_parse  # noqa: E402
from pprof_parse.analyze.filter import translate_go_regex  # noqa: E402
from pprof_parse.analyze.prune import remove_uninteresting  # noqa: E402
from pprof_parse.read.proto import decode_proto  # noqa: E402
from pprof_parse.read.source import inflate, read_source  # noqa: E402

T1 = time.perf_counter()
raw, name = read_source(sys.argv[1])
data = inflate(raw, source=name)
del raw
T2 = time.perf_counter()
d = decode_proto(data, source=name)
T3 = time.perf_counter()
p = pprof_parse.Profile(remove_uninteresting(d, translate_go_regex), source=name)
T4 = time.perf_counter()
import pandas  # noqa: E402,F401  (waits for the background import)

T5 = time.perf_counter()
p.top(sys.argv[2] if len(sys.argv) > 2 else None)
T6 = time.perf_counter()
print(f"import {T1 - T0:.2f} s | read+inflate {T2 - T1:.2f} s | decode {T3 - T2:.2f} s | prune {T4 - T3:.2f} s | "
      f"wait for pandas {T5 - T4:.2f} s | top {T6 - T5:.2f} s | total {T6 - T0:.2f} s")
