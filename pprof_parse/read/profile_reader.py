"""``decode_profile``: sniff the input and hand it to the right decoder (the ``read`` stage).

The bytes go from :mod:`.source` (path, bytes or file; bounded gzip inflate) to one
decoder: profile.proto (:mod:`.proto`, or :mod:`.proto_reference` under
``GOPHERLAB_ENGINE=reference``), the ``debug=1`` text forms (:mod:`.legacy_text`) or
Go < 1.9's binary CPU profile (:mod:`.legacy_cpu`); then :mod:`.demangle`. The result
is a :class:`~pprof_parse.model.data.ProfileData`; :func:`pprof_parse.read_profile`
prunes it (an ``analyze`` step) and wraps it in a :class:`~pprof_parse.Profile`.
"""

from __future__ import annotations

from gopherlab_common.engine import reference_engine

from ..errors import ProfileFormatError
from ..model.data import ProfileData
from .demangle import check_demangle_mode, demangle_names
from .legacy_cpu import decode_legacy_cpu, is_legacy_cpu
from .legacy_text import decode_legacy_text
from .proto import check_proto_head, decode_proto
from .proto_reference import decode_proto_reference
from .source import DEFAULT_MAX_INFLATED_BYTES, Source, inflate, read_source


def decode_profile(src: Source, *, max_inflated_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES,
                   demangle: str = "default") -> tuple[ProfileData, str]:
    """Decode a Go profile of any form into the columnar model, unpruned.

    Parameters
    ----------
    src, max_inflated_bytes, demangle
        As for :func:`pprof_parse.read_profile`.

    Returns
    -------
    (ProfileData, str)
        The decoded profile (frames that ``drop_frames``/``keep_frames`` name still
        in it) and the source's name (the path, or ``"<bytes>"``).

    Raises
    ------
    As :func:`pprof_parse.read_profile`.
    """
    check_demangle_mode(demangle)
    raw, name = read_source(src, max_bytes=max_inflated_bytes)
    data = inflate(raw, source=name, max_inflated_bytes=max_inflated_bytes, check_head=lambda h: _check_head(h, name))
    del raw  # (the compressed copy, when it was gzip)
    if is_legacy_cpu(data):  # Go < 1.9 binary CPU profile (pprof's parseCPU)
        return decode_legacy_cpu(data, source=name), name
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:64]  # (a UTF-8 BOM before a text profile)
    if _looks_like_text(head):
        try:
            return demangle_names(decode_legacy_text(data, source=name), demangle, source=name), name
        except ProfileFormatError as err:
            # A few bytes of profile.proto can all be printable; without a text header
            # and without a single space it is more likely a (broken) proto.
            if not getattr(err, "unrecognized", False) or b" " in data:
                raise
    decode = decode_proto_reference if reference_engine() else decode_proto  # (GOPHERLAB_ENGINE)
    decoded = decode(data, source=name, max_inflated_bytes=max_inflated_bytes)
    return demangle_names(decoded, demangle, source=name), name  # pprof demangles before pruning


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _check_head(head: bytes, source: str) -> None:
    """Refuse, while inflating, a head that starts no profile this reader takes (zeros, garbage)."""
    if _looks_like_text(head.removeprefix(b"\xef\xbb\xbf").lstrip()[:64]) or is_legacy_cpu(head):
        return
    check_proto_head(head, source=source)
