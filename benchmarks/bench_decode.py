#!/usr/bin/env python3
"""Why samples are decoded with numpy: upb per-message access vs the vectorised scanner.

    python benchmarks/bench_decode.py [PROFILE ...]   (default: benchmarks/.data/big.*.pb.gz)

For each profile (already inflated, so gzip is not part of the comparison):

- ``upb + fromiter``: ``Profile.ParseFromString`` with samples as messages, then
  the location ids and values of every sample pulled into flat numpy arrays
  (``np.fromiter(chain.from_iterable(...))``), the fastest pure-protobuf way we found;
- ``field scanner``: samples parsed as raw bytes by upb, then decoded by the
  general vectorised field scanner alone (``pprof_parse.read._wire.ScanTable``,
  one thread) -- the fallback path;
- ``varint stream``: the same samples through the fast path
  (``pprof_parse.read._tokens.TokenTable``, one thread);
- ``encoded stacks``: the same samples through the byte-level field walk that
  checks the location ids on their bytes and leaves the stacks encoded
  (``pprof_parse.read._columns._encoded_sample_chunk``, one thread), then
  ``+ decode all``: the same with every stack decoded afterwards;
- ``read_profile``: the whole decoder (chunked over threads), including
  locations, functions and validation (stacks left encoded where possible).
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
from pprof_parse.read._columns import _encoded_sample_chunk, _sample_chunk
from pprof_parse.read._stacks import EncodedStacks
from pprof_parse.read._tokens import TokenTable
from pprof_parse.read._wire import ScanTable
from pprof_parse.read.proto import decode_proto


def upb_fromiter(raw: bytes) -> int:
    m = pb.Profile()
    m.ParseFromString(raw)
    locs = np.fromiter(itertools.chain.from_iterable(s.location_id for s in m.sample), np.uint64)
    vals = np.fromiter(itertools.chain.from_iterable(s.value for s in m.sample), np.int64)
    counts = np.fromiter((len(s.location_id) for s in m.sample), np.int64, len(m.sample))
    return locs.size + vals.size + counts.size


def _raw_samples(raw: bytes):
    m = pb.ProfileRaw()
    m.ParseFromString(raw)
    parts = list(m.sample)
    lens = np.fromiter(map(len, parts), np.int64, len(parts))
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    return np.frombuffer(b"".join(parts), np.uint8), starts, starts + lens


def field_scanner(raw: bytes) -> int:
    cols = _sample_chunk(ScanTable(*_raw_samples(raw)), 0)
    return cols.locs.size + cols.vals.size


def varint_stream(raw: bytes) -> int:
    cols = _sample_chunk(TokenTable.from_bytes(*_raw_samples(raw)), 0)
    return cols.locs.size + cols.vals.size


def _n_locations(raw: bytes) -> int:
    return len(pb.ProfileRaw.FromString(raw).location)


def encoded_stacks(raw: bytes, n: int, decode: bool = False) -> int:
    buf, starts, ends = _raw_samples(raw)
    cols = _encoded_sample_chunk(buf, starts, ends, 0, n)
    if cols is None:
        raise SystemExit("the encoded path refused this profile (locations not numbered 1..n?)")
    if decode:
        seg = cols.locs.seg_len
        rows = EncodedStacks(cols.locs.payload, np.concatenate(([0], np.cumsum(seg))), n).decode_all()
        return rows.size + cols.vals.size
    return cols.vals.size


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
        a, b, c = timeit(upb_fromiter, raw), timeit(field_scanner, raw), timeit(varint_stream, raw)
        n = _n_locations(raw)
        e, g = timeit(lambda r: encoded_stacks(r, n), raw), timeit(lambda r: encoded_stacks(r, n, decode=True), raw)
        d = timeit(lambda r: decode_proto(r), raw)
        print(f"{f.name} ({len(raw) / 1e6:.1f} MB raw): upb + fromiter {a:.2f} s | field scanner {b:.2f} s | "
              f"varint stream {c:.2f} s | encoded stacks {e:.2f} s (+ decode all {g:.2f} s) | "
              f"read_profile decode {d:.2f} s")


if __name__ == "__main__":
    main()
