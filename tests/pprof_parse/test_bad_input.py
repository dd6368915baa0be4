"""Bad input raises the package's typed errors (subclasses of ValueError) saying what and where."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pprof_parse
from pprof_parse.errors import (
    ConcatenatedProfileError,
    EmptyProfileError,
    InflateLimitError,
    InvalidProfileError,
    PprofParseError,
    ProfileFormatError,
)
from pprof_parse.proto import profile_pb2 as pb

DATA = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "profiles"


def _real(kind: str = "heap") -> bytes:
    return gzip.decompress((DATA / f"{kind}.pb.gz").read_bytes())


def _mutated(kind: str, mutate) -> bytes:
    msg = pb.Profile()
    msg.ParseFromString(_real(kind))
    mutate(msg)
    return msg.SerializeToString()


def test_sample_data_reads():
    for path in sorted(DATA.glob("*.pb.gz")):
        prof = pprof_parse.read_profile(path)
        assert len(prof) > 0, path


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pb.gz"
    p.write_bytes(b"")
    with pytest.raises(EmptyProfileError, match="empty input file") as e:
        pprof_parse.read_profile(p)
    assert str(p) in str(e.value)
    assert isinstance(e.value, ValueError)


def test_empty_gzip():
    with pytest.raises(EmptyProfileError):
        pprof_parse.read_profile(gzip.compress(b""))


def test_truncated_gzip():
    raw = (DATA / "heap.pb.gz").read_bytes()
    with pytest.raises(ProfileFormatError, match="truncated gzip") as e:
        pprof_parse.read_profile(raw[: len(raw) // 2])
    assert e.value.offset == len(raw) // 2


def test_random_bytes():
    rnd = bytes(range(256)) * 8 + os.urandom(512)
    with pytest.raises(ProfileFormatError, match="byte offset"):
        pprof_parse.read_profile(rnd)


def test_text_file_that_is_not_a_profile(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello, this is not a profile\n")
    with pytest.raises(ProfileFormatError, match=r"notes\.txt.*text"):
        pprof_parse.read_profile(p)


def test_dangling_location_id():
    def mutate(m):
        m.sample[3].location_id[0] = 987654321

    with pytest.raises(InvalidProfileError, match=r"sample #3 has nil location \(location id 987654321"):
        pprof_parse.read_profile(_mutated("heap", mutate))


def test_value_count_does_not_match_sample_types():
    def mutate(m):
        m.sample[5].value.append(1)

    with pytest.raises(InvalidProfileError, match=r"sample #5 has 5 values vs\. 4 types"):
        pprof_parse.read_profile(_mutated("heap", mutate))


@pytest.mark.parametrize("noun,mutate,message", [
    ("location", lambda m: setattr(m.location[1], "id", m.location[0].id), "multiple locations with same id"),
    ("location", lambda m: setattr(m.location[0], "id", 0), "found location with reserved id=0"),
    ("function", lambda m: setattr(m.function[1], "id", m.function[0].id), "multiple functions with same id"),
    ("function", lambda m: setattr(m.function[0], "id", 0), "found function with reserved ID=0"),
    ("mapping", lambda m: setattr(m.mapping[0], "id", 0), "found mapping with reserved ID=0"),
    ("line", lambda m: setattr(m.location[0].line[0], "function_id", 424242), r"has a line with nil function \(function id 424242\)"),
    ("string", lambda m: setattr(m.function[0], "name", 10**6), r"function id \d+: name refers to string index 1000000"),
])
def test_check_valid_rules(noun, mutate, message):
    with pytest.raises(InvalidProfileError, match=message):
        pprof_parse.read_profile(_mutated("cpu", mutate))


def test_string_table_must_start_empty():
    def mutate(m):
        m.string_table[0] = "x"

    with pytest.raises(InvalidProfileError, match=r"string_table\[0\] must be ''"):
        pprof_parse.read_profile(_mutated("cpu", mutate))


def test_concatenated_gzip_members():
    raw = (DATA / "cpu.pb.gz").read_bytes()
    with pytest.raises(ConcatenatedProfileError, match="concatenated"):
        pprof_parse.read_profile(raw + raw)


def test_concatenated_uncompressed():
    raw = _real("cpu")
    with pytest.raises(ConcatenatedProfileError, match="time_nanos occurs twice"):
        pprof_parse.read_profile(raw + raw)


def test_gzip_bomb_stops_at_the_limit():
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(InflateLimitError, match="limit of 1048576 bytes"):
        pprof_parse.read_profile(bomb, max_inflated_bytes=1 << 20)


def test_uncompressed_and_file_objects_read_the_same():
    raw = _real("allocs")
    a = pprof_parse.read_profile(raw).top()
    b = pprof_parse.read_profile(io.BytesIO(gzip.compress(raw))).top()
    assert a.equals(b)


SEEDS = ["cpu", "heap", "mutex", "goroutine"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SEEDS), data=st.data())
def test_fuzz_mutated_profiles_raise_only_typed_errors(kind, data):
    """Mutated real profiles: only PprofParseError subclasses may escape, and success means a usable Profile."""
    raw = bytearray(_real(kind))
    n_mut = data.draw(st.integers(1, 8))
    for _ in range(n_mut):
        op = data.draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete"]))
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if op == "flip" and raw:
            raw[pos] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif op == "truncate":
            del raw[pos:]
        elif op == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del raw[pos:pos + data.draw(st.integers(1, 16))]
    blob = bytes(raw)
    if data.draw(st.booleans()):
        blob = gzip.compress(blob)
    try:
        prof = pprof_parse.read_profile(blob)
    except PprofParseError as e:
        assert isinstance(e, ValueError)
        assert str(e)
        return
    # decoded: every view and top() must work without other errors
    prof.samples, prof.frames, prof.locations, prof.functions, prof.mappings
    if prof.sample_types:
        prof.top()
