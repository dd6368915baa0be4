"""Stacks left encoded at read time (``pprof_parse.read._stacks``) against the eager decoder.

The byte rule that replaces decoding for pprof's "every location id is
defined" check must accept exactly the canonical ids ``1..n`` (anything else
goes to the eager decoder, which reports it); the lazily decoded stacks must
equal the eager ones on every real profile, whole or for any set of samples.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pprof_parse import _threads
from pprof_parse.proto import profile_pb2 as pb
from pprof_parse.read import _columns
from pprof_parse.read._stacks import EncodedStacks, check_ids, count_before, walk_fields
from pprof_parse.read.proto import _resolver, decode_proto
from pbwire import encode_varint




def _raw(parts: list[bytes]):
    lens = np.array([len(p) for p in parts], np.int64)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64) if parts else np.zeros(0, np.int64)
    return np.frombuffer(b"".join(parts), np.uint8), starts, lens


# ---- the byte rule -------------------------------------------------------------------------------

_N = st.sampled_from([1, 5, 127, 128, 300, 16383, 16384, 70000, 2**21 - 1, 2**21, 2**28 - 1, 2**28])


@st.composite
def _id_runs(draw):
    n = draw(_N)
    near = st.one_of(st.integers(1, n), st.integers(max(1, n - 3), n + 3), st.just(0),
                     st.integers(0, 2**35), st.sampled_from([127, 128, 16383, 16384, 2**21]))
    segs, canonical_ok = [], True
    for _ in range(draw(st.integers(0, 6))):
        seg = b""
        for v in draw(st.lists(near, max_size=8)):
            enc = encode_varint(v)
            if draw(st.integers(0, 19)) == 0:  # non-canonical: padded with a zero continuation
                enc = bytes([enc[0] | 0x80]) + enc[1:] + b"\x00" if len(enc) == 1 else enc[:-1] + bytes([enc[-1] | 0x80, 0])
                canonical_ok = False
            canonical_ok &= 1 <= v <= n
            seg += enc
        segs.append(seg)
    return n, segs, canonical_ok


@settings(max_examples=400, deadline=None)
@given(_id_runs())
def test_check_ids_accepts_exactly_canonical_ids_in_range(case):
    n, segs, ok = case
    payload = np.frombuffer(b"".join(segs), np.uint8)
    seg_len = np.array([len(s) for s in segs], np.int64)
    got = check_ids(payload, seg_len, n)
    if payload.size == 0:
        np.testing.assert_array_equal(got, np.zeros(len(segs)))
        return
    if not ok or n >= 2**28:  # (ids of five bytes or more are checked by decoding)
        assert got is None
        return
    assert got is not None
    np.testing.assert_array_equal(got, [sum(b < 0x80 for b in s) for s in segs])
    if segs:
        rows = EncodedStacks(payload, np.concatenate(([0], np.cumsum(seg_len))), n).decode_all()
        assert rows.dtype == np.int32
        assert (rows >= 0).all() and (rows < n).all()


def test_check_ids_refuses_a_segment_ending_inside_a_varint():
    payload = np.frombuffer(encode_varint(300) + encode_varint(5), np.uint8)
    assert check_ids(payload, np.array([1, 2], np.int64), 1000) is None
    np.testing.assert_array_equal(check_ids(payload, np.array([2, 1], np.int64), 1000), [1, 1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), max_size=200), st.data())
def test_count_before_is_a_prefix_count(flags, data):
    f = np.array(flags, bool)
    pos = np.array(data.draw(st.lists(st.integers(0, f.size), max_size=20)), np.int64)
    want = np.concatenate(([0], np.cumsum(f)))[pos] if pos.size else np.zeros(0, np.int64)
    np.testing.assert_array_equal(count_before(f, pos), want)


def test_walk_fields_refuses_what_the_general_scanner_must_read():
    two_byte_tag = bytes([(16 << 3) | 0, 0x01, 1]) + bytes([0x0A, 1, 5])  # field 16: a two-byte tag
    fixed = bytes([0x0A, 1, 5, (9 << 3) | 5, 1, 2, 3, 4])
    past_end = bytes([0x0A, 9, 5])
    for raw in (two_byte_tag, fixed, past_end):
        buf, starts, lens = _raw([raw])
        assert walk_fields(buf, starts, starts + lens) is None
    buf, starts, lens = _raw([bytes([0x0A, 2, 5, 6, 0x12, 1, 7])])
    f = walk_fields(buf, starts, starts + lens)
    assert sorted(f) == [1, 2] and f[1].payload_start.tolist() == [2] and f[1].payload_end.tolist() == [4]


# ---- whole samples: encoded path == eager path ---------------------------------------------------

@st.composite
def _samples(draw):
    n = draw(st.sampled_from([3, 200, 20000]))
    parts = []
    for _ in range(draw(st.integers(0, 20))):
        s = pb.Sample()
        s.location_id.extend(draw(st.lists(st.one_of(st.integers(1, n), st.integers(1, n), st.integers(0, n + 2)), max_size=10)))
        s.value.extend(draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=2, max_size=2)))
        for _ in range(draw(st.integers(0, 2))):
            lab = s.label.add(key=draw(st.integers(1, 9)))
            if draw(st.booleans()):
                lab.str = draw(st.integers(1, 9))
            else:
                lab.num, lab.num_unit = draw(st.integers(-5, 2**40)), draw(st.integers(0, 9))
        raw = s.SerializeToString()
        extra = draw(st.sampled_from(["none", "none", "split", "unpacked", "fixed32", "unknown-len"]))
        if extra == "split":
            raw += pb.Sample(location_id=[1, n], value=[4]).SerializeToString()
        elif extra == "unpacked":
            raw += bytes([0x08, 0x01])
        elif extra == "fixed32":
            raw += bytes([(9 << 3) | 5, 1, 2, 3, 4])
        elif extra == "unknown-len":
            raw += bytes([(7 << 3) | 2, 2, 0xFF, 0x80])
        parts.append(raw)
    return n, parts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_samples(), st.sampled_from([16, 64, 1 << 20]), st.sampled_from([1, 3]))
def test_drawn_samples_decode_the_same_encoded_or_not(case, chunk, threads):
    n, parts = case
    resolve = _resolver(np.arange(1, n + 1, dtype=np.uint64))
    old = _columns.CHUNK_BYTES, _threads.MAX_THREADS
    _columns.CHUNK_BYTES, _threads.MAX_THREADS = chunk, threads
    try:
        eager = _columns.decode_samples(*_raw(parts), resolve=resolve)
        lazy = _columns.decode_samples(*_raw(parts), resolve=resolve, n_locations=n)
    finally:
        _columns.CHUNK_BYTES, _threads.MAX_THREADS = old
    locs = lazy.locs.decode_all() if isinstance(lazy.locs, EncodedStacks) else lazy.locs
    np.testing.assert_array_equal(locs, eager.locs)
    assert locs.dtype == eager.locs.dtype or not len(parts)
    for a, b in zip(lazy[1:], eager[1:]):
        np.testing.assert_array_equal(a.astype(np.int64) if a.dtype.kind == "u" else a,
                                      b.astype(np.int64) if b.dtype.kind == "u" else b)


# ---- real profiles ---------------------------------------------------------------------------------

@pytest.mark.go
def test_real_profiles_keep_stacks_encoded_and_decode_them_exactly(workload_profiles, sample_profiles):
    rng = np.random.default_rng(7)
    encoded = 0
    for path in sorted(workload_profiles.glob("*.pb.gz")) + sorted(sample_profiles.glob("*.pb.gz")):
        data = gzip.decompress(path.read_bytes())
        d = decode_proto(data)
        raw = pb.ProfileRaw.FromString(data)
        resolve = _resolver(d.loc_id)
        eager = _columns.decode_samples(*_raw(list(raw.sample)), resolve=resolve)
        np.testing.assert_array_equal(np.diff(d.stack_offsets), eager.loc_counts)
        if d.n_samples and not d.stacks_decoded:
            encoded += 1
            pick = np.sort(rng.choice(d.n_samples, size=min(d.n_samples, 5), replace=False))
            want = np.concatenate([eager.locs[d.stack_offsets[i]:d.stack_offsets[i + 1]] for i in pick])
            np.testing.assert_array_equal(d.stack_locs_of(pick), want)
            assert not d.stacks_decoded  # only those samples were decoded
            kept = d.with_(values=d.values * 2)
            assert not kept.stacks_decoded
        np.testing.assert_array_equal(d.stack_locs, eager.locs)
        assert d.stacks_decoded
    assert encoded >= 6


def test_with_keeps_or_decodes_stacks_as_needed(sample_profiles):
    d = decode_proto(gzip.decompress((sample_profiles / "heap.pb.gz").read_bytes()))
    assert not d.stacks_decoded
    assert not d.with_(values=d.values).stacks_decoded
    moved = d.with_(stack_offsets=d.stack_offsets.copy())  # offsets alone: the stacks are decoded first
    assert moved.stacks_decoded
    np.testing.assert_array_equal(moved.stack_locs, d.stack_locs)
    with pytest.raises(TypeError, match="no field"):
        d.with_(stack=1)
