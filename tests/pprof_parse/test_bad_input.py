"""Bad input raises the package's typed errors (subclasses of ValueError) saying what and where."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest

import pprof_parse
from pprof_parse.errors import (
    ConcatenatedProfileError,
    EmptyProfileError,
    InflateLimitError,
    InvalidProfileError,
    ProfileFormatError,
)
from pprof_parse.proto import profile_pb2 as pb
from pbwire import encode_varint

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
    huge_string = b"\x32" + bytes.fromhex("8080808002") + b"\0" * (64 << 20)  # string_table entry of 64 MiB zeros
    bomb = gzip.compress(_real("heap") + huge_string, compresslevel=9)
    assert len(bomb) < 200_000
    with pytest.raises(InflateLimitError, match="limit of 1048576 bytes"):
        pprof_parse.read_profile(bomb, max_inflated_bytes=1 << 20)


def test_gzip_of_zeros_is_refused_at_its_head():
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    with pytest.raises(ProfileFormatError, match=r"byte offset 0: .*invalid field number 0"):
        pprof_parse.read_profile(bomb)


def test_uncompressed_and_file_objects_read_the_same():
    raw = _real("allocs")
    a = pprof_parse.read_profile(raw).top()
    b = pprof_parse.read_profile(io.BytesIO(gzip.compress(raw))).top()
    assert a.equals(b)


# (mutated real profiles, gzipped or not: tests/fuzz/, which holds every reader's fuzzing)


# --- hostile varints (issue 13): lengths >= 2**63, over-long and overflowing varints -------------
#
# Crafted by hand on purpose: these byte patterns are what a fuzzer (or an attacker) feeds the
# decoders. Each must be a ProfileFormatError naming the source and a byte offset, quickly.



def _f(field: int, wire: int, payload: bytes) -> bytes:
    if wire == 2:
        return encode_varint(field << 3 | 2) + encode_varint(len(payload)) + payload
    return encode_varint(field << 3 | wire) + payload


BIG_LEN = bytes.fromhex("f5ffffffffffffffff01")  # a 10-byte varint >= 2**63 (int64: negative)
MAX_LEN = bytes.fromhex("ffffffffffffffffff01")  # 2**64 - 1
OVERFLOW = bytes.fromhex("ffffffffffffffffff02")  # 10th byte > 1: more than 64 bits
TOO_LONG = bytes.fromhex("ffffffffffffffffffff01")  # 11 bytes


def _tiny(sample: bytes = _f(1, 2, encode_varint(1)) + _f(2, 2, encode_varint(5)), location: bytes = _f(1, 0, encode_varint(1)) + _f(4, 2, _f(1, 0, encode_varint(1))),
          function: bytes = _f(1, 0, encode_varint(1)) + _f(2, 0, encode_varint(1)), mapping: bytes = b"", tail: bytes = b"") -> bytes:
    """A minimal valid profile.proto (one sample type, sample, location, line, function) with parts replaced."""
    out = _f(1, 2, _f(1, 0, encode_varint(1)) + _f(2, 0, encode_varint(2)))
    out += _f(2, 2, sample) + _f(4, 2, location) + _f(5, 2, function)
    if mapping:
        out += _f(3, 2, mapping)
    out += b"".join(_f(6, 2, s) for s in (b"", b"a", b"b")) + tail
    return out


class _Deadline:
    """Fail (instead of hanging the run) if the block takes longer than ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        import signal

        def on_alarm(*_):
            raise TimeoutError(f"took more than {self.seconds} s")
        self.old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        import signal

        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.old)


def test_tiny_profile_reads():
    prof = pprof_parse.read_profile(_tiny())
    assert prof.samples.iloc[:, 0].tolist() == [5]


def test_length_of_2_63_is_a_format_error_not_index_error():
    with _Deadline(20), pytest.raises(ProfileFormatError, match=r"<bytes>: byte offset \d+"):
        pprof_parse.read_profile(bytes.fromhex("1a0c0a8ad2f8ffffffffffff01003200"))


def test_length_of_2_63_does_not_loop(tmp_path):
    """These 18 bytes made read_profile (and ``gopherlab top``) loop forever, memory growing ~4 MB/s."""
    import subprocess
    import sys

    p = tmp_path / "loop.pb"
    p.write_bytes(bytes.fromhex("1a0e080112f5ffffffffffffffff01003200"))
    r = subprocess.run([str(Path(sys.executable).with_name("gopherlab")), "top", str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "byte offset" in r.stderr, r.stderr


HOSTILE = {
    # top level (upb parses it; the error path walks it in Python)
    "top/too-long": _tiny(tail=_f(12, 0, TOO_LONG)),
    "top/big-len": _tiny(tail=b"\x32" + BIG_LEN + b"\x00"),
    "top/len-past-end": _tiny(tail=b"\x32\x05ab"),
    # sample: location ids (encoded-stacks walk, token table, field scanner)
    "sample/ids-big-len": _tiny(sample=b"\x0a" + BIG_LEN + b"\x01" + _f(2, 2, encode_varint(5))),
    "sample/ids-max-len": _tiny(sample=b"\x0a" + MAX_LEN + b"\x01" + _f(2, 2, encode_varint(5))),
    "sample/id-too-long": _tiny(sample=_f(1, 2, TOO_LONG) + _f(2, 2, encode_varint(5))),
    "sample/id-overflow": _tiny(sample=_f(1, 2, OVERFLOW) + _f(2, 2, encode_varint(5))),
    "sample/value-overflow": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 2, OVERFLOW)),
    "sample/value-too-long": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 2, TOO_LONG)),
    "sample/unpacked-value-overflow": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 0, OVERFLOW)),
    "sample/label-big-len": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 2, encode_varint(5)) + b"\x1a" + BIG_LEN + b"\x08\x01"),
    "sample/label-key-overflow": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 2, encode_varint(5)) + _f(3, 2, _f(1, 0, OVERFLOW))),
    "sample/fixed64-then-big-len": _tiny(sample=_f(1, 2, encode_varint(1)) + _f(2, 2, encode_varint(5)) + _f(9, 1, bytes(8)) + b"\x52" + BIG_LEN + b"\x00"),
    # location and its lines
    "location/line-big-len": _tiny(location=_f(1, 0, encode_varint(1)) + b"\x22" + BIG_LEN + b"\x08\x01"),
    "location/line-max-len": _tiny(location=_f(1, 0, encode_varint(1)) + b"\x22" + MAX_LEN + b"\x08\x01"),
    "location/address-overflow": _tiny(location=_f(1, 0, encode_varint(1)) + _f(3, 0, OVERFLOW) + _f(4, 2, _f(1, 0, encode_varint(1)))),
    "location/id-too-long": _tiny(location=_f(1, 0, TOO_LONG) + _f(4, 2, _f(1, 0, encode_varint(1)))),
    # function, mapping
    "function/name-overflow": _tiny(function=_f(1, 0, encode_varint(1)) + _f(2, 0, OVERFLOW)),
    "function/big-len": _tiny(function=_f(1, 0, encode_varint(1)) + b"\x12" + BIG_LEN + b"\x00"),
    "mapping/big-len": _tiny(mapping=_f(1, 0, encode_varint(1)) + b"\x12" + BIG_LEN + b"\x00"),
    "mapping/start-too-long": _tiny(mapping=_f(1, 0, encode_varint(1)) + _f(2, 0, TOO_LONG)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_varints_are_format_errors_with_offsets(name):
    blob = HOSTILE[name]
    with _Deadline(20), pytest.raises(ProfileFormatError) as e:
        pprof_parse.read_profile(blob)
    assert e.value.source == "<bytes>" and e.value.offset is not None, str(e.value)
    assert 0 <= e.value.offset < len(blob), str(e.value)
    assert f"byte offset {e.value.offset}" in str(e.value)
