"""``read_profile``: sniff the input and hand it to the right decoder (the ``read`` stage)."""

from __future__ import annotations

from ..errors import ProfileFormatError
from ..model.profile import Profile
from .proto import decode_proto
from .source import DEFAULT_MAX_INFLATED_BYTES, Source, inflate, read_source


def read_profile(src: Source, *, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES) -> Profile:
    """Read a Go profile: gzip or uncompressed profile.proto.

    Parameters
    ----------
    src : str, os.PathLike, bytes or binary file
        A path, the profile's bytes, or a file opened in binary mode.
    max_inflated_bytes : int
        Refuse gzip input that inflates past this many bytes (default 4 GiB).

    Returns
    -------
    Profile
        Works for every Go profile type: cpu, heap, allocs, goroutine,
        goroutineleak, mutex, block, threadcreate.

    Raises
    ------
    EmptyProfileError, ConcatenatedProfileError, InflateLimitError, ProfileFormatError
        The bytes are not a (single) profile; the message names the source and byte offset.
    InvalidProfileError
        The profile breaks pprof's validity rules (reserved or duplicate ids,
        dangling references, value count differing from the sample types).
    """
    raw, name = read_source(src)
    data = inflate(raw, source=name, max_inflated_bytes=max_inflated_bytes)
    head = data.lstrip()[:64]
    if _looks_like_text(head):
        raise ProfileFormatError(
            "parsing profile: this is a text file, not profile.proto "
            f"(it starts with {head[:40]!r})", source=name, offset=0)
    return Profile(decode_proto(data, source=name), source=name)


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)
