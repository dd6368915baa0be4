"""The compiled decoder (decode_kernel) equals the numpy decoder and its Python walk (decode.py).

On every real trace the tests make and on the bundled sample, every decoded column of every
generation is the same; on cut and flipped bytes both give the same result or the same error
(type, message, byte offset). A large generation is decoded compiled, a small one and
``GOPHERLAB_ENGINE=reference`` are not.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

from pprof_parse.runtime.trace import TraceFormatError, decode, order_fast  # noqa: E402
from pprof_parse.runtime.trace.wire import read_generations, read_header  # noqa: E402

BUNDLED = Path(__file__).resolve().parents[3] / "gopherlab" / "data" / "runtime" / "trace" / "tracegen.trace"


def decoded(data: bytes, compiled: bool, monkeypatch) -> list:
    """Every generation's columns (typ, time, args, offset, threads) with the walk chosen, or the error."""
    monkeypatch.setattr(decode, "_compiled_wanted", lambda batches: compiled)
    out = []
    try:
        version = read_header(data, "t")
        for g in read_generations(data, version, "t"):
            ev = decode.decode_generation(g, data, "t")
            out.append((ev.typ, ev.time, ev.args, ev.offset, ev.threads))
    except TraceFormatError as e:
        out.append((type(e), str(e), e.offset))
    return out


def assert_same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert len(x) == len(y)
        for u, v in zip(x, y):
            if isinstance(u, np.ndarray):
                assert u.dtype == v.dtype and np.array_equal(u, v)
            else:
                assert u == v


def python_walk_refused(*args, **kwargs):
    raise AssertionError("the compiled decoder fell back to the numpy path")


@pytest.mark.go
@pytest.mark.parametrize("name", ["start", "generations", "flight", "gotest", "allocfree", "bundled"])
def test_compiled_equals_numpy_decoder_on_real_traces(traces, name, monkeypatch):
    data = {**traces, "bundled": BUNDLED}[name].read_bytes()
    python = decoded(data, False, monkeypatch)
    if name != "allocfree":  # its type bytes 128+ send every chunk to the numpy path
        monkeypatch.setattr(decode, "_walk_events", python_walk_refused)
    compiled = decoded(data, True, monkeypatch)
    assert all(isinstance(gen[0], np.ndarray) for gen in python)   # no error
    assert sum(len(gen[0]) for gen in python) > 50   # a flight snapshot may hold only a few dozen
    assert_same(compiled, python)


def payload_positions(data: bytes) -> list[int]:
    """Byte offsets inside the bundled trace's event batches (where the walk reads)."""
    g = next(iter(read_generations(data, read_header(data, "t"), "t")))
    return [p for bs in g.batches.values() for b in bs for p in range(b.start, b.end)]


def test_same_error_on_flipped_and_cut_bytes(monkeypatch):
    data = BUNDLED.read_bytes()
    positions = payload_positions(data)
    rng = random.Random(18)
    errors = 0
    for trial in range(60):
        broken = bytearray(data)
        for p in rng.sample(positions, 1 + trial % 3):
            broken[p] = rng.choice((0x80, 0xFF, 0x7F, rng.randrange(256)))
        if trial % 4 == 0:
            broken = broken[:rng.choice(positions)]
        python = decoded(bytes(broken), False, monkeypatch)
        compiled = decoded(bytes(broken), True, monkeypatch)
        assert_same(compiled, python)
        errors += python[-1][0] is TraceFormatError
    assert errors > 10


def test_a_large_generation_is_decoded_compiled(monkeypatch):
    data = BUNDLED.read_bytes()
    g = next(iter(read_generations(data, read_header(data, "t"), "t")))
    batches = [(m, b) for m, bs in g.batches.items() for b in bs]
    assert not decode._compiled_wanted(batches)   # 225 KB of payload: the numpy path
    monkeypatch.setattr(order_fast, "MIN_COMPILED_EVENTS", 1000)
    assert decode._compiled_wanted(batches)
    monkeypatch.setattr(decode, "_walk_events", python_walk_refused)
    assert len(decode.decode_generation(g, data, "t").typ) == 49179


def test_the_reference_engine_decodes_without_the_kernel(monkeypatch):
    data = BUNDLED.read_bytes()
    g = next(iter(read_generations(data, read_header(data, "t"), "t")))
    monkeypatch.setattr(order_fast, "MIN_COMPILED_EVENTS", 0)
    monkeypatch.setattr(decode, "_decode_chunk_compiled", python_walk_refused)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    assert len(decode.decode_generation(g, data, "t").typ) == 49179
