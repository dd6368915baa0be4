"""Bad traces: typed errors with the byte offset, never a raw exception or a hang (issue 18 item 6)."""

from __future__ import annotations

import random
import time

import pytest

from pprof_parse.errors import PprofParseError, RuntimeFormatError
from pprof_parse.runtime.trace import TraceFormatError, TraceVersionError, read_trace

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture(scope="module")
def small_trace(traces) -> bytes:
    return traces["gotest"].read_bytes()


@pytest.mark.parametrize("header, version", [
    (b"go 1.21 trace\x00\x00\x00", 21), (b"go 1.11 trace\x00\x00\x00", 11), (b"go 1.24 trace\x00\x00\x00", 24),
    (b"go 1.99 trace\x00\x00\x00", 99),
])
def test_unsupported_versions_are_named(header, version):
    with pytest.raises(TraceVersionError, match=rf"go 1\.{version}\b") as err:
        read_trace(header + b"\x01\x01\x00\x00" + b"\x80" * 9 + b"\x00")
    assert err.value.version == version and err.value.offset == 0


@pytest.mark.parametrize("data", [b"", b"not a trace at all", b"go 1.26 trace", b"\x00" * 64, b"go 1.x trace\0\0\0"])
def test_not_a_trace(data):
    with pytest.raises(TraceVersionError, match="not a Go execution trace"):
        read_trace(data)


def test_errors_are_in_the_package_tree():
    assert issubclass(TraceFormatError, RuntimeFormatError) and issubclass(TraceVersionError, TraceFormatError)
    assert issubclass(TraceFormatError, PprofParseError) and issubclass(TraceFormatError, ValueError)


@pytest.mark.go
def test_truncated_go126_trace_names_the_offset(small_trace):
    cut = len(small_trace) // 2
    with pytest.raises(TraceFormatError) as err:
        read_trace(small_trace[:cut])
    assert err.value.offset is not None and 0 < err.value.offset <= cut
    assert "byte offset" in str(err.value)


@pytest.mark.go
def test_missing_end_of_generation(small_trace):
    assert small_trace[-1] == 52
    with pytest.raises(TraceFormatError, match="incomplete generation"):
        read_trace(small_trace[:-1])


@pytest.mark.go
def test_oversized_batch(small_trace):
    data = bytearray(small_trace)
    # the first batch's size field: type byte, gen, m, time uvarints, then the 10-byte size
    pos = 17
    for _ in range(3):
        while data[pos] & 0x80:
            pos += 1
        pos += 1
    data[pos:pos + 10] = bytes([0x80 | 0x70, 0x80 | 0x22, 0x84] + [0x80] * 6 + [0])  # 70000 with padding
    with pytest.raises(TraceFormatError, match=r"invalid batch size 70000, maximum is 65536") as err:
        read_trace(bytes(data))
    assert err.value.offset == 16


@pytest.mark.go
def test_cut_and_flipped_inputs_give_only_typed_errors(small_trace):
    """Truncate at many offsets and flip bytes: every outcome is a Trace or a TraceFormatError,
    each read bounded in time."""
    rng = random.Random(18)
    n = len(small_trace)
    cases = [small_trace[:k] for k in sorted(rng.sample(range(n), 40))]
    for _ in range(60):
        data = bytearray(small_trace)
        for _ in range(rng.choice((1, 3, 10))):
            data[rng.randrange(16, n)] = rng.randrange(256)
        cases.append(bytes(data))
    outcomes = {"ok": 0, "error": 0}
    for data in cases:
        start = time.perf_counter()
        try:
            read_trace(data)
            outcomes["ok"] += 1
        except TraceFormatError as e:
            assert e.offset is None or 0 <= e.offset <= len(data), e
            outcomes["error"] += 1
        assert time.perf_counter() - start < 20
    assert outcomes["error"] >= 40  # every truncation inside a 1.26 trace is an error


def test_path_size_limit(tmp_path, monkeypatch):
    import pprof_parse.runtime.inputs as inputs
    monkeypatch.setattr(inputs, "MAX_TEXT_BYTES", 1000)
    big = tmp_path / "big.trace"
    big.write_bytes(b"go 1.26 trace\x00\x00\x00" + b"\x00" * 2000)
    with pytest.raises(RuntimeFormatError, match="limit"):
        read_trace(big)


def test_missing_path_and_wrong_argument(tmp_path):
    with pytest.raises(RuntimeFormatError, match="cannot read"):
        read_trace(tmp_path / "nope.trace")
    with pytest.raises(TypeError):
        read_trace(12)


@pytest.mark.go
def test_keep_complete_generations_of_a_cut_trace(traces):
    """on_error="keep": a trace cut inside its last generation gives the events of the
    generations before it (then a final Sync), equal to the whole trace's, and a warning."""
    from parsed_text import render
    from pprof_parse.errors import PprofParseWarning

    data = traces["generations"].read_bytes()
    full = read_trace(data)
    assert len(full.generations) >= 3
    last_start = full.generations["gen"].size - 1
    cut_at = len(data) - 10  # inside the last generation: its end-of-generation byte is gone
    with pytest.warns(PprofParseWarning, match=r"kept the \d+ complete generation\(s\) before an error"):
        cut = read_trace(data[:cut_at], on_error="keep")
    assert len(cut.generations) == last_start
    ours, whole = render(cut), render(full)
    assert ours[:-1] == whole[:len(ours) - 1]
    assert cut.events["kind"].iloc[-1] == "Sync"
    with pytest.raises(TraceFormatError):
        read_trace(data[:cut_at])


def test_on_error_value_is_checked():
    from pprof_parse.errors import OptionError
    with pytest.raises(OptionError, match="on_error"):
        read_trace(b"go 1.26 trace\x00\x00\x00", on_error="ignore")
