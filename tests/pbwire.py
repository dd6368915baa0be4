"""Test helper: protobuf's varint encoding, to craft profile.proto bytes by hand (hostile ones included).

Written independently of ``pprof_parse.proto.wire`` on purpose: the decoders'
tests and the codec's own test build their inputs and expected bytes with it,
so a mistake in the codec cannot confirm itself. Tests that only need bytes to
mutate (the fuzz harness) use the codec.
"""

from __future__ import annotations


def encode_varint(v: int) -> bytes:
    """``v`` as a protobuf varint (7 bits a byte, low first); a negative value as its 64-bit two's
    complement. Values of 2**64 and more are encoded as they are (over-long varints, for hostile input)."""
    if v < 0:
        v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)
