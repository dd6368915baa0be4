#!/usr/bin/env python3
"""Why samples are decoded with numpy: upb per-message access vs the vectorised scanner.

    python benchmarks/bench_decode.py [PROFILE ...]   (default: benchmarks/.data/big.*.pb.gz)

For each profile (already inflated, so gzip is not part of the comparison):

- ``upb + fromiter``: ``Profile.ParseFromString`` with samples as messages, then
  the location ids and values of every sample pulled into flat numpy arrays
  (``np.fromiter(chain.from_iterable(...))``), the fastest pure-protobuf way we found;
- ``upb raw + numpy``: what ``read_profile`` does -- samples parsed as raw bytes
  by upb, then decoded column-wise (``pprof_parse.read._wire``);
- ``read_profile``: the whole decoder, including locations, functions and validation.
"""

from __future__ import annotations

import gzip
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from pprof_parse.proto import profile_pb2 as pb
from pprof_parse.read._wire import decode_packed, scan_fields
from pprof_parse.read.proto import decode_proto


def upb_fromiter(raw: bytes) -> int:
    m = pb.Profile()
    m.ParseFromString(raw)
    locs = np.fromiter(itertools.chain.from_iterable(s.location_id for s in m.sample), np.uint64)
    vals = np.fromiter(itertools.chain.from_iterable(s.value for s in m.sample), np.int64)
    counts = np.fromiter((len(s.location_id) for s in m.sample), np.int64, len(m.sample))
    return locs.size + vals.size + counts.size


def upb_raw_numpy(raw: bytes) -> int:
    m = pb.ProfileRawSamples()
    m.ParseFromString(raw)
    buf = np.frombuffer(b"".join(m.sample), np.uint8)
    lens = np.fromiter(map(len, m.sample), np.int64, len(m.sample))
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    fl = scan_fields(buf, starts, starts + lens)
    sel = fl.field == 1
    locs, _ = decode_packed(buf, fl.start[sel], fl.length[sel], fl.msg[sel])
    sel = fl.field == 2
    vals, _ = decode_packed(buf, fl.start[sel], fl.length[sel], fl.msg[sel])
    return locs.size + vals.size


def timeit(fn, raw, runs=3) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(raw)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or sorted((Path(__file__).parent / ".data").glob("big*.pb.gz"))
    for f in files:
        raw = gzip.decompress(f.read_bytes())
        a, b = timeit(upb_fromiter, raw), timeit(upb_raw_numpy, raw)
        c = timeit(lambda r: decode_proto(r), raw)
        print(f"{f.name} ({len(raw) / 1e6:.1f} MB raw): upb + fromiter {a:.2f} s | upb raw + numpy {b:.2f} s | "
              f"read_profile decode {c:.2f} s")


if __name__ == "__main__":
    main()
