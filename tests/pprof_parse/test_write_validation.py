"""Corrupted real profiles: we raise typed errors naming the field and id/offset, and
go tool pprof rejects (or, for dangling mappings, accepts) the very same bytes."""

from __future__ import annotations

import gzip
import subprocess
import warnings

import pytest

import pprof_parse
from pprof_parse.errors import (
    ConcatenatedProfileError,
    InvalidProfileError,
    PprofParseWarning,
    ProfileFormatError,
)
from pprof_parse.proto import profile_pb2 as pb
from goenv import go_binary, go_env

pytestmark = pytest.mark.go


def _raw(workload_profiles, kind="cpu") -> bytes:
    return gzip.decompress((workload_profiles / f"{kind}.pb.gz").read_bytes())


def _mutated(raw: bytes, mutate) -> bytes:
    m = pb.Profile()
    m.ParseFromString(raw)
    mutate(m)
    return m.SerializeToString()


def _pprof_accepts(tmp_path, data: bytes) -> tuple[bool, str]:
    f = tmp_path / "corrupt.pb"
    f.write_bytes(data)
    proc = subprocess.run([go_binary(), "tool", "pprof", "-raw", str(f)], capture_output=True, text=True, env=go_env())
    return proc.returncode == 0, proc.stderr


def _dup_mapping(m):
    m.mapping.add().CopyFrom(m.mapping[0])


def _value_count(m):
    m.sample[1].value.append(7)


CASES = [
    # (id, profile, mutation, our error, message regex, pprof's message)
    ("location-id-0", "cpu", lambda m: setattr(m.location[0], "id", 0), InvalidProfileError,
     r"found location with reserved id=0", "malformed profile"),  # pprof: the renamed id leaves a nil location
    ("function-id-0", "heap", lambda m: setattr(m.function[0], "id", 0), InvalidProfileError,
     r"found function with reserved ID=0", "reserved ID=0"),
    ("mapping-id-0", "mutex", lambda m: setattr(m.mapping[0], "id", 0), InvalidProfileError,
     r"found mapping with reserved ID=0", "reserved ID=0"),
    ("duplicate-location", "cpu", lambda m: setattr(m.location[1], "id", m.location[0].id), InvalidProfileError,
     r"multiple locations with same id: \d+", "malformed profile"),
    ("duplicate-function", "goroutine", lambda m: setattr(m.function[2], "id", m.function[1].id), InvalidProfileError,
     r"multiple functions with same id: \d+", "multiple functions with same id"),
    ("duplicate-mapping", "heap", _dup_mapping, InvalidProfileError,
     r"multiple mappings with same id: 1", "multiple mappings with same id"),
    ("sample-nil-location", "heap", lambda m: m.sample[4].location_id.append(99999), InvalidProfileError,
     r"sample #4 has nil location \(location id 99999", "nil location"),
    ("line-nil-function", "block", lambda m: setattr(m.location[2].line[0], "function_id", 77777), InvalidProfileError,
     r"location id: \d+ has a line with nil function \(function id 77777\)", "nil function"),
    ("value-count", "cpu", _value_count, InvalidProfileError,
     r"sample #1 has 3 values vs\. 2 types", "sample has 3 values vs. 2 types"),
    ("no-sample-types", "mutex", lambda m: m.ClearField("sample_type"), InvalidProfileError,
     r"missing sample type information", "missing sample type information"),
    ("label-string-index", "cpu", lambda m: setattr(m.sample[0].label[0], "str", 10**6), InvalidProfileError,
     r"sample #0: label str refers to string index 1000000", "unrecognized profile format"),
    ("function-name-index", "heap", lambda m: setattr(m.function[3], "name", 10**6), InvalidProfileError,
     r"function id \d+: name refers to string index 1000000", "unrecognized profile format"),
    ("default-sample-type-index", "allocs", lambda m: setattr(m, "default_sample_type", 10**6), InvalidProfileError,
     r"default_sample_type refers to string index 1000000", "unrecognized profile format"),
    ("string-table-0", "goroutine", lambda m: m.string_table.__setitem__(0, "x"), InvalidProfileError,
     r"string_table\[0\] must be ''", "unrecognized profile format"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_check_valid_corruptions(workload_profiles, tmp_path, case):
    _, kind, mutate, err, message, pprof_message = case
    raw = _raw(workload_profiles, kind)
    if kind == "cpu" and "label" in case[0]:
        m = pb.Profile()
        m.ParseFromString(raw)
        if not m.sample[0].label:
            pytest.skip("first CPU sample has no label in this run")
    data = _mutated(raw, mutate)
    with pytest.raises(err, match=message) as e:
        pprof_parse.read_profile(data)
    assert isinstance(e.value, ValueError)
    ok, stderr = _pprof_accepts(tmp_path, data)
    assert not ok and pprof_message in stderr
    # gzip-compressed, the same error
    with pytest.raises(err, match=message):
        pprof_parse.read_profile(gzip.compress(data))


def test_dangling_mapping_is_accepted_like_pprof(workload_profiles, tmp_path):
    data = _mutated(_raw(workload_profiles, "heap"), lambda m: setattr(m.location[0], "mapping_id", 4242))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        prof = pprof_parse.read_profile(data)
    assert any(issubclass(x.category, PprofParseWarning) and "mapping id 4242" in str(x.message) for x in w)
    assert prof.locations["mapping_id"].iloc[0] == 0
    assert _pprof_accepts(tmp_path, data)[0]


@pytest.mark.parametrize("kind", ["cpu", "heap"])
def test_concatenated_profiles(workload_profiles, tmp_path, kind):
    raw = _raw(workload_profiles, kind)
    gz = (workload_profiles / f"{kind}.pb.gz").read_bytes()
    for data in (raw + raw, gz + gz):
        with pytest.raises(ConcatenatedProfileError, match="concatenated"):
            pprof_parse.read_profile(data)
    ok, stderr = _pprof_accepts(tmp_path, gz + gz)
    assert not ok and "concatenated profiles detected" in stderr


@pytest.mark.parametrize("kind", ["cpu", "heap", "goroutine"])
def test_truncated_protobuf_names_the_offset(workload_profiles, tmp_path, kind):
    raw = _raw(workload_profiles, kind)
    for cut in (1, 7, len(raw) // 3, len(raw) // 2, len(raw) - 1):
        with pytest.raises(ProfileFormatError) as e:
            pprof_parse.read_profile(raw[:cut])
        assert e.value.offset is not None and 0 <= e.value.offset < cut
        assert "byte offset" in str(e.value)
    assert not _pprof_accepts(tmp_path, raw[: len(raw) // 2])[0]


def test_written_profile_passes_validation(workload_profiles):
    """What to_proto writes satisfies every rule (and pprof reads it: see test_write)."""
    for kind in ("cpu", "heap", "goroutine", "mutex"):
        prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
        again = pprof_parse.read_profile(prof.to_proto())
        assert again.samples.equals(prof.samples)
