"""A continuous profiler's CPU windows with a known step, made from the workload's real CPU profile.

Every window is the committed ``cpu.pb.gz`` (real stacks and symbols) with its time moved 30 s
further; ``runtime.asyncPreempt``'s samples are scaled by a seeded factor in 0.7-1.3 per window
(noise in every share), and from window ``STEP_AT`` on ``main.fib``'s samples are multiplied by
``FACTOR``: its share steps up. Windows alternate between the directories ``pod-a`` and ``pod-b``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import pprof_parse

N_WINDOWS = 24
STEP_AT = 10
FACTOR = 4
STEPPED = "main.fib"
NOISY = "runtime.asyncPreempt"
#: 2026-12-01T23:55:00Z (the windows cross midnight: two day partitions)
T0 = 1_796_169_300 * 10**9
EVERY_S = 30


def _leaf_names(d) -> np.ndarray:
    """The function name of each sample's leaf frame (innermost line of its first location)."""
    leaf_loc = d.stack_locs[d.stack_offsets[:-1]]
    return np.array(d.strings, object)[d.func_name[d.line_function[d.loc_line_offsets[leaf_loc]]]]


def write_windows(cpu_path: Path, out: Path, *, n: int = N_WINDOWS, step_at: int = STEP_AT) -> list[Path]:
    """Write the windows as ``out/pod-{a,b}/cpu-NN.pb.gz``; return their paths in time order."""
    d = pprof_parse.read_profile(cpu_path).data
    names = _leaf_names(d)
    stepped, noisy = names == STEPPED, names == NOISY
    assert stepped.any() and noisy.any(), "the sample profile lost the functions the windows vary"
    rng = np.random.default_rng(16)
    paths = []
    for k in range(n):
        vals = d.values.astype(np.float64)
        vals[noisy] *= rng.uniform(0.7, 1.3)
        if k >= step_at:
            vals[stepped] *= FACTOR
        path = out / ("pod-a" if k % 2 == 0 else "pod-b") / f"cpu-{k:02d}.pb.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = d.with_(values=np.round(vals).astype(np.int64), time_nanos=T0 + k * EVERY_S * 10**9)
        pprof_parse.Profile(data, source=str(path)).to_proto(path)
        paths.append(path)
    return paths
