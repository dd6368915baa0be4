"""The reference decoder of profile.proto (``GOPHERLAB_ENGINE=reference``): being written."""

from __future__ import annotations

from ..model.data import ProfileData


def decode_proto_reference(data: bytes, *, source: str = "<bytes>",
                           max_inflated_bytes: int | None = None) -> ProfileData:
    raise NotImplementedError("the reference decoder is not written yet")
