"""The protobuf wire codec (``pprof_parse.proto.wire``): varint read, write and size, scalar and vectorised.

Expected bytes come from the test suite's own encoder (``tests/pbwire.py``,
written independently of the codec) or are spelled out, never from the codec
itself; the edges are protobuf's: 0, 127/128 (one/two bytes), 2**63 - 1,
2**64 - 1, negative int64 (ten bytes of two's complement), a 10th byte above
1 (over 64 bits), an 11th byte, and data ending inside a varint.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbwire import encode_varint as independent_varint
from pprof_parse.proto.wire import (
    LEN, VARINT, VarintError, WireError, decode_packed, encode_varint, encode_varints, le_words, read_varint,
    read_varints, tag, varint_ends, varint_size, varint_sizes, varint_values,
)

#: (value, its varint) at the edges, spelled out
EDGES = [
    (0, "00"),
    (1, "01"),
    (127, "7f"),
    (128, "8001"),
    (300, "ac02"),
    (16383, "ff7f"),
    (16384, "808001"),
    (2**32 - 1, "ffffffff0f"),
    (2**63 - 1, "ffffffffffffffff7f"),
    (2**63, "80808080808080808001"),
    (2**64 - 1, "ffffffffffffffffff01"),
    (-1, "ffffffffffffffffff01"),
    (-2, "feffffffffffffffff01"),
    (-(2**63), "80808080808080808001"),
]

INT64 = st.integers(-(2**63), 2**63 - 1)
UINT64 = st.integers(0, 2**64 - 1)


@pytest.mark.parametrize("value,hexed", EDGES)
def test_scalar_edges_round_trip(value, hexed):
    enc = bytes.fromhex(hexed)
    assert independent_varint(value) == enc  # (the expectation itself agrees with the test encoder)
    assert encode_varint(value) == enc
    assert varint_size(value) == len(enc)
    assert read_varint(b"\x99" + enc + b"\x05", 1) == (value & (2**64 - 1), 1 + len(enc))


def test_negative_int64_takes_ten_bytes():
    assert len(encode_varint(-1)) == len(encode_varint(-(2**63))) == 10
    assert varint_size(-5) == 10


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1])
def test_encode_refuses_values_outside_64_bits(value):
    with pytest.raises(ValueError, match="outside the varint range"):
        encode_varint(value)


@pytest.mark.parametrize("data,pos,message", [
    (b"", 0, "truncated varint"),
    (b"\x08\x80", 1, "truncated varint"),
    (b"\xff" * 9, 0, "truncated varint"),
    (b"\x00" + b"\xff" * 9 + b"\x02", 1, "varint overflows 64 bits"),  # a 10th byte above 1
    (b"\xff" * 9 + b"\x7f", 0, "varint overflows 64 bits"),
    (b"\xff" * 10 + b"\x01", 0, "varint overflows 64 bits"),  # 11 bytes: the 10th continues
])
def test_scalar_read_errors_name_the_varint_start(data, pos, message):
    with pytest.raises(VarintError) as e:
        read_varint(data, pos)
    assert str(e.value) == message and e.value.offset == pos


def test_tag():
    assert tag(2, LEN) == 0x12 and tag(1, VARINT) == 0x08 and tag(16, VARINT) == 0x80
    assert encode_varint(tag(16, LEN)) == b"\x82\x01"


@settings(max_examples=300, deadline=None)
@given(st.one_of(INT64, UINT64))
def test_scalar_round_trip(value):
    enc = encode_varint(value)
    assert enc == independent_varint(value)
    assert varint_size(value) == len(enc)
    assert read_varint(enc, 0) == (value & (2**64 - 1), len(enc))


# ---- vectorised ---------------------------------------------------------------------------------

def test_vectorised_edges():
    signed = np.array([v for v, _ in EDGES if v < 2**63], np.int64)
    data, sizes = encode_varints(signed)
    assert data.tobytes() == b"".join(independent_varint(int(v)) for v in signed)
    assert sizes.tolist() == [len(independent_varint(int(v))) for v in signed]
    unsigned = np.array([v & (2**64 - 1) for v, _ in EDGES], np.uint64)
    data, sizes = encode_varints(unsigned)
    assert data.tobytes() == b"".join(bytes.fromhex(h) for _, h in EDGES)
    assert varint_sizes(unsigned).tolist() == sizes.tolist()
    assert varint_values(data, varint_ends(data)).astype(np.uint64).tolist() == unsigned.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 2**14 - 1), st.integers(2**14, 2**28 - 1), UINT64), min_size=1, max_size=300))
def test_varint_values_every_length(values):
    """1-2-byte varints go through the table, 3-4-byte ones through the shifts, 5-10-byte
    ones byte by byte; all must read back what was encoded, in the narrowest dtype."""
    data = np.frombuffer(b"".join(map(independent_varint, values)), np.uint8)
    got = varint_values(data, varint_ends(data))
    assert got.astype(np.uint64).tolist() == values
    top = max(values)
    assert got.dtype == (np.uint16 if top < 2**14 else np.uint32 if top < 2**32 else np.uint64)  # 2 bytes hold 14 bits


@settings(max_examples=200, deadline=None)
@given(st.lists(INT64, max_size=200))
def test_vectorised_write_matches_the_test_encoder(values):
    v = np.array(values, np.int64)
    data, sizes = encode_varints(v)
    assert data.tobytes() == b"".join(map(independent_varint, values))
    assert sizes.tolist() == [varint_size(x) for x in values]
    if values:
        assert varint_values(data, varint_ends(data)).astype(np.uint64).view(np.int64).tolist() == values


def test_varint_values_refuses_over_64_bits():
    for bad in (b"\xff" * 9 + b"\x02", b"\xff" * 10 + b"\x01"):
        data = np.frombuffer(b"\x05" + bad + b"\x01", np.uint8)
        assert varint_values(data, varint_ends(data)) is None


def test_read_varints_at_positions():
    data = b"".join(independent_varint(v) for v in (5, 300, 2**64 - 1, 2**63 - 1))
    buf = np.frombuffer(data, np.uint8)
    pos = np.array([0, 1, 3, 13])
    values, counts = read_varints(buf, pos, np.full(4, len(data)))
    assert values.tolist() == [5, 300, 2**64 - 1, 2**63 - 1] and counts.tolist() == [1, 2, 10, 9]


@pytest.mark.parametrize("data,limit,message", [
    (b"\x01\x80\x80", 3, "truncated varint"),  # runs past the data
    (b"\x01\xac\x02", 2, "truncated varint"),  # runs past its limit
    (b"\x01" + b"\xff" * 9 + b"\x02", 11, "varint overflows 64 bits"),
    (b"\x01" + b"\xff" * 10 + b"\x01", 12, "varint overflows 64 bits"),  # 11 bytes: the 10th continues
])
def test_read_varints_errors_name_message_and_first_byte(data, limit, message):
    buf = np.frombuffer(data, np.uint8)
    pos, lim = np.array([0, 1]), np.array([1, limit])
    assert read_varints(buf, pos, lim) is None
    with pytest.raises(WireError) as e:
        read_varints(buf, pos, lim, owner=np.array([7, 8]))
    assert (e.value.message, e.value.index, e.value.offset) == (message, 8, 1)


def test_decode_packed_counts_per_segment():
    segs = [[1, 2, 3], [], [300, 2**64 - 1], [0]]
    blobs = [b"".join(map(independent_varint, s)) for s in segs]
    buf = np.frombuffer(b"\xee" + b"\xee".join(blobs), np.uint8)  # a junk byte before each segment
    start = np.cumsum([1] + [len(b) + 1 for b in blobs[:-1]])
    values, counts = decode_packed(buf, start, np.array([len(b) for b in blobs]), np.arange(4))
    assert values.astype(np.uint64).tolist() == [v for s in segs for v in s]
    assert counts.tolist() == [3, 0, 2, 1]


@pytest.mark.parametrize("seg2,message", [
    (b"\x05\x80", "packed field ends inside a varint"),
    (b"\x05" + b"\xff" * 9 + b"\x02", "varint overflows 64 bits"),
    (b"\x05" + b"\xff" * 10 + b"\x01", "varint longer than 10 bytes"),
])
def test_decode_packed_errors_name_the_segment(seg2, message):
    seg1 = b"\x01\x02"
    buf = np.frombuffer(seg1 + seg2, np.uint8)
    with pytest.raises(WireError) as e:
        decode_packed(buf, np.array([0, 2]), np.array([2, len(seg2)]), np.array([40, 41]))
    assert (e.value.message, e.value.index, e.value.offset) == (message, 41, 2)


def test_le_words_read_overlapping_little_endian_words():
    buf = np.frombuffer(bytes([1, 2, 3, 4, 5]), np.uint8)
    assert le_words(buf, 2).tolist() == [0x0201, 0x0302, 0x0403, 0x0504]
    assert le_words(buf[1:], 4).tolist() == [0x05040302]


# ---- the encoder's sample layout (present/write.py) ----------------------------------------------

def test_written_samples_are_what_upb_writes():
    """Samples with empty stacks, large and negative values, string and numeric labels (zero fields
    omitted) come out of the column-wise encoder byte for byte as upb serialises them."""
    from pprof_parse.present.write import encode_profile
    from pprof_parse.proto import profile_pb2 as pb
    from pprof_parse.read.proto import decode_proto

    m = pb.Profile(string_table=["", "count", "n", "bytes", "k", "v"], sample_type=[pb.ValueType(type=1, unit=2),
                                                                                     pb.ValueType(type=3, unit=3)])
    m.function.add(id=1, name=4)
    for i in range(1, 300):
        m.location.add(id=i, line=[pb.Line(function_id=1, line=i)])
    m.sample.add(location_id=[1, 2, 299], value=[1, 2**63 - 1])
    m.sample.add(location_id=[], value=[-1, 0])
    m.sample.add(location_id=[128, 1], value=[-(2**63), 300],
                 label=[pb.Label(key=4, str=5), pb.Label(key=5, num=-7, num_unit=3), pb.Label(key=4, num=0, num_unit=3)])
    m.sample.add(location_id=list(range(1, 300)), value=[5, 6], label=[pb.Label(key=5, num=2**40)])
    again = pb.Profile.FromString(encode_profile(decode_proto(m.SerializeToString())))
    assert [s.SerializeToString() for s in again.sample] == [s.SerializeToString() for s in m.sample]
