"""The fuzz harness itself: its bounds catch a spin, a memory blow-up, a dying call and an escape."""

from __future__ import annotations

import gzip
import random

import pytest

from fuzz.harness import (
    Chooser, FUZZED, READERS, Worker, encode_fields, is_bad, mutate, parse_fields, seeds_profile_proto,
)


@pytest.fixture(scope="module")
def small_worker():
    w = Worker(mem_mb=256, cpu_s=1.0, wall_s=20.0)
    yield w
    w.close()


@pytest.mark.parametrize("data,outcome,exc", [
    (b"spin", "timeout", "FuzzTimeout"),
    (b"alloc", "memory", "MemoryError"),
    (b"exit", "crash", "Crash"),
    (b"raise", "escape", "KeyError"),
    (b"fine", "ok", None),
])
def test_bounds_and_outcomes(small_worker, data, outcome, exc):
    res = small_worker.run("_selftest", data)
    assert res["outcome"] == outcome and res.get("exc") == exc, res
    assert is_bad(res) == (outcome != "ok")
    # the worker is usable after each of them
    assert small_worker.run("_selftest", b"fine")["outcome"] == "ok"


def test_every_reader_has_seeds():
    assert set(FUZZED) >= {"profile_proto", "profile_legacy_cpu", "profile_text", "gctrace", "memstats",
                           "runtime_metrics", "prometheus", "goroutines", "bench", "benchstat", "benchstat_report",
                           "cli_top", "cli_benchstat", "cli_compare"}
    for name in FUZZED:
        if name != "prometheus":  # needs prometheus_client (a dev dependency)
            assert READERS[name].seeds(), name


def test_proto_wire_round_trip_and_mutations_stay_bytes():
    label, raw, kind = seeds_profile_proto()[0]
    assert encode_fields(parse_fields(raw)) == raw
    rng = random.Random(0)
    outs = {mutate(raw, "proto", Chooser(rng)) for _ in range(50)}
    assert len(outs) > 40 and all(isinstance(o, bytes) for o in outs)
    assert any(o[:2] == b"\x1f\x8b" and gzip.decompress(o) for o in outs)
