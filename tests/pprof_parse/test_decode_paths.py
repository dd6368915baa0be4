"""The two column decoders (varint-stream fast path and general field scanner) against upb.

upb's full parse of the same bytes is the reference: every column the fast
path produces must equal what the protobuf package reads, on real profiles
and on drawn messages that exercise the rare encodings (large and negative
varints, repeated fields split over several occurrences, unpacked elements,
unknown fields that force the general scanner, empty messages, chunk edges).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pprof_parse import _threads
from pprof_parse.proto import profile_pb2 as pb
from pprof_parse.read import _columns
from pprof_parse.read._tokens import NotTokens, TokenTable
from pprof_parse.proto.wire import WireError
from pprof_parse.read._wire import ScanTable


def _raw(parts: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lens = np.array([len(p) for p in parts], np.int64)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64) if parts else np.zeros(0, np.int64)
    return np.frombuffer(b"".join(parts), np.uint8), starts, lens


def _expected_samples(parts: list[bytes]):
    locs, loc_counts, vals, val_counts, owner, labels = [], [], [], [], [], []
    for i, raw in enumerate(parts):
        s = pb.Sample.FromString(raw)
        locs += list(s.location_id)
        loc_counts.append(len(s.location_id))
        vals += list(s.value)
        val_counts.append(len(s.value))
        for lab in s.label:
            owner.append(i)
            labels.append([0, lab.key, lab.str, lab.num, lab.num_unit])
    return (np.array(locs, np.uint64), np.array(loc_counts, np.int64), np.array(vals, np.int64),
            np.array(val_counts, np.int64), np.array(owner, np.int64), np.array(labels, np.int64).reshape(-1, 5))


def _check_samples(cols: _columns.SampleColumns, parts: list[bytes]) -> None:
    locs, loc_counts, vals, val_counts, owner, labels = _expected_samples(parts)
    np.testing.assert_array_equal(cols.locs.astype(np.uint64), locs)
    np.testing.assert_array_equal(cols.loc_counts, loc_counts)
    np.testing.assert_array_equal(cols.vals.astype(np.uint64).view(np.int64), vals)
    np.testing.assert_array_equal(cols.val_counts, val_counts)
    np.testing.assert_array_equal(cols.label_owner, owner)
    np.testing.assert_array_equal(cols.labels, labels)


def _profiles(workload_profiles: Path, sample_profiles: Path) -> list[Path]:
    files = sorted(workload_profiles.glob("*.pb.gz")) + sorted(sample_profiles.glob("*.pb.gz"))
    assert len(files) >= 8
    return files


@pytest.mark.go
def test_both_paths_read_real_profiles_as_upb_does(workload_profiles, sample_profiles):
    fast_used = 0
    for path in _profiles(workload_profiles, sample_profiles):
        raw = pb.ProfileRaw.FromString(gzip.decompress(path.read_bytes()))
        full = pb.Profile.FromString(gzip.decompress(path.read_bytes()))
        samples = list(raw.sample)
        buf, starts, lens = _raw(samples)
        tables = [ScanTable(buf, starts, starts + lens)]
        try:
            tables.append(TokenTable.from_bytes(buf, starts, starts + lens))
            fast_used += 1
        except NotTokens:
            pass
        for t in tables:
            _check_samples(_columns._sample_chunk(t, 0), samples)
        # locations with their lines, functions, mappings
        loc = _columns.decode_locations(*_raw(list(raw.location)))
        np.testing.assert_array_equal(loc.id, [l.id for l in full.location])
        np.testing.assert_array_equal(loc.mapping_id, [l.mapping_id for l in full.location])
        np.testing.assert_array_equal(loc.address, [l.address for l in full.location])
        np.testing.assert_array_equal(loc.line_counts, [len(l.line) for l in full.location])
        np.testing.assert_array_equal(loc.line_function_id, [ln.function_id for l in full.location for ln in l.line])
        np.testing.assert_array_equal(loc.line_line, [ln.line for l in full.location for ln in l.line])
        fn = _columns.decode_scalars(*_raw(list(raw.function)), (1, 2, 3, 4, 5))
        np.testing.assert_array_equal(fn, [[f.id, f.name, f.system_name, f.filename, f.start_line] for f in full.function])
        mp = _columns.decode_scalars(*_raw(list(raw.mapping)), range(1, 11))
        np.testing.assert_array_equal(mp[:, :4], [[m.id, m.memory_start, m.memory_limit, m.file_offset] for m in full.mapping])
        np.testing.assert_array_equal(mp[:, 6:] != 0, [[m.has_functions, m.has_filenames, m.has_line_numbers, m.has_inline_frames]
                                                       for m in full.mapping])
    assert fast_used >= 8  # Go's encoding always fits the fast path


_u64 = st.integers(0, 2**64 - 1)
_small = st.integers(1, 70000)
_i64 = st.integers(-(2**63), 2**63 - 1)


@st.composite
def _sample_bytes(draw) -> bytes:
    s = pb.Sample()
    s.location_id.extend(draw(st.lists(st.one_of(_small, _u64), max_size=12)))
    s.value.extend(draw(st.lists(st.one_of(st.integers(-5, 300), _i64), max_size=4)))
    for _ in range(draw(st.integers(0, 3))):
        lab = s.label.add()
        lab.key = draw(st.integers(0, 40))
        if draw(st.booleans()):
            lab.str = draw(st.integers(0, 40))
        else:
            lab.num = draw(_i64)
            lab.num_unit = draw(st.integers(0, 40))
    raw = s.SerializeToString()
    extra = draw(st.sampled_from(["none", "split", "unpacked", "fixed32", "empty", "label-twice"]))
    if extra == "split":  # a second occurrence of each repeated field: proto merges them
        more = pb.Sample(location_id=[7, 300], value=[1])
        raw += more.SerializeToString()
    elif extra == "unpacked":  # location ids as separate varint fields (wire type 0)
        raw += bytes([0x08, 0x05, 0x08, 0xAC, 0x02])
    elif extra == "fixed32":  # an unknown fixed-width field: only the general scanner reads this
        raw += bytes([(9 << 3) | 5, 1, 2, 3, 4])
    elif extra == "empty":
        raw = b""
    elif extra == "label-twice":  # a Label whose key appears twice: the last one counts
        raw += bytes([0x1A, 0x04, 0x08, 0x03, 0x08, 0x05])
    return raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_sample_bytes(), max_size=25), st.sampled_from([16, 64, 1 << 20]), st.sampled_from([1, 3]))
def test_drawn_samples_decode_as_upb_does(parts, chunk, threads):
    old = _columns.CHUNK_BYTES, _threads.MAX_THREADS
    _columns.CHUNK_BYTES, _threads.MAX_THREADS = chunk, threads
    try:
        cols = _columns.decode_samples(*_raw(parts))
    finally:
        _columns.CHUNK_BYTES, _threads.MAX_THREADS = old
    _check_samples(cols, parts)


def test_fast_path_declines_what_it_cannot_read():
    # an unknown string field whose bytes end inside a "varint", then a location id
    raw = bytes([0x22, 0x01, 0xFF, 0x08, 0x01])
    buf, starts, lens = _raw([raw])
    with pytest.raises(NotTokens):
        TokenTable.from_bytes(buf, starts, starts + lens)
    _check_samples(_columns.decode_samples(buf, starts, lens), [raw])  # the general scanner reads it
    # a packed field whose length ends inside a varint is broken for both
    buf, starts, lens = _raw([bytes([0x0A, 0x01, 0x81, 0x01])])
    with pytest.raises(NotTokens):
        TokenTable.from_bytes(buf, starts, starts + lens)
    with pytest.raises(WireError):
        _columns.decode_samples(buf, starts, lens)


def test_broken_sample_names_message_and_byte():
    good = pb.Sample(location_id=[1, 2], value=[3]).SerializeToString()
    bad = bytes([0x0A, 0x05, 0x01])  # packed location ids claim 5 bytes, 1 follows
    with pytest.raises(WireError) as e:
        _columns.decode_samples(*_raw([good, good, bad]))
    assert e.value.index == 2
    assert 2 * len(good) <= e.value.offset < 2 * len(good) + len(bad)


@pytest.mark.go
def test_samples_read_in_place_only_when_back_to_back(workload_profiles, tmp_path):
    """The runtime interleaves samples with locations (copied out of upb); a profile
    re-written by ``go tool pprof -proto`` has them in one run, read in place at the
    exact payload offsets."""
    import subprocess

    from goenv import go_binary, go_env

    from pprof_parse.read.proto import _back_to_back

    src = workload_profiles / "heap.pb.gz"
    out = tmp_path / "rewritten.pb.gz"
    subprocess.run([go_binary(), "tool", "pprof", "-proto", "-output", str(out), str(src)], check=True,
                   capture_output=True, env=go_env())
    for path, in_place in ((src, False), (out, True)):
        data = gzip.decompress(path.read_bytes())
        parts = list(pb.ProfileRaw.FromString(data).sample)
        assert len(parts) > 2
        lens = np.array([len(p) for p in parts], np.int64)
        starts = _back_to_back(data, 2, lens)
        assert (starts is not None) == in_place, path.name
        if in_place:
            assert [data[a:a + n] for a, n in zip(starts.tolist(), lens.tolist())] == parts
