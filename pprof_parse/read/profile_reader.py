"""``read_profile``: sniff the input and hand it to the right decoder (the ``read`` stage)."""

from __future__ import annotations

from gopherlab_common.engine import reference_engine

from ..errors import ProfileFormatError
from ..model.profile import Profile
from .legacy_text import decode_legacy_text
from .proto import check_proto_head, decode_proto
from .proto_reference import decode_proto_reference
from .source import DEFAULT_MAX_INFLATED_BYTES, Source, inflate, read_source


def read_profile(src: Source, *, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
                 all_frames: bool = False, demangle: str = "default") -> Profile:
    """Read a Go profile: gzip or uncompressed profile.proto, or a ``debug=1`` text profile.

    Parameters
    ----------
    src : str, os.PathLike, bytes or binary file
        A path, the profile's bytes, or a file opened in binary mode.
    max_inflated_bytes : int or None
        Refuse a profile longer than this many bytes, as read or once
        inflated (default 64 MiB; gzip is refused as soon as it inflates past
        it), or with more messages than that size allows (see
        :func:`~pprof_parse.read.proto.decode_proto`): every input within the
        default is read or refused in about 1 GB and seconds. None lifts these
        limits (for huge real profiles).
    all_frames : bool
        Keep the frames the profile's ``drop_frames``/``keep_frames`` would
        prune (pprof's ``-all_frames``); by default they are pruned at load as
        pprof does (see :func:`pprof_parse.analyze.prune.remove_uninteresting`).
    demangle : {"default", "templates", "full", "none"}
        Function names as pprof's ``-symbolize=demangle=MODE`` shows them. The
        default, like pprof's, drops argument lists and template parameters of
        C++/Rust-shaped and Go-generic names (``std::vector<int>::push_back(int)``
        -> ``std::vector::push_back``); ``"templates"`` drops only argument
        lists; ``"full"`` and ``"none"`` keep the system names as written
        (see :mod:`pprof_parse.read.demangle`; mangled ``_Z...`` names are kept).

    Returns
    -------
    Profile
        Works for every Go profile type: cpu, heap, allocs, goroutine,
        goroutineleak, mutex, block, threadcreate. The ``debug=1`` text
        forms of heap/allocs, mutex, block, goroutine, goroutineleak and
        threadcreate are read by :func:`~pprof_parse.read.legacy_text.decode_legacy_text`
        (with function names from the symbol lines, goroutine labels, heap
        values unsampled, mutex values not re-multiplied by the sampling period).

    Raises
    ------
    EmptyProfileError, ConcatenatedProfileError, ProfileFormatError
        The bytes are not a (single) profile; the message names the source and
        byte offset (text forms: the line number). A path that is not a
        regular file (a device, FIFO or directory) is refused before reading.
    InputLimitError, InflateLimitError
        Past ``max_inflated_bytes`` (the file, the stream, the inflated data,
        or the number of messages).
    InvalidProfileError
        The profile breaks pprof's validity rules (reserved or duplicate ids,
        dangling references, value count differing from the sample types).
    """
    from .demangle import demangle_names, _check_mode
    from .legacy_cpu import decode_legacy_cpu, is_legacy_cpu

    _check_mode(demangle)
    raw, name = read_source(src, max_bytes=max_inflated_bytes)
    data = inflate(raw, source=name, max_inflated_bytes=max_inflated_bytes, check_head=lambda h: _check_head(h, name))
    del raw  # (the compressed copy, when it was gzip)
    if is_legacy_cpu(data):  # Go < 1.9 binary CPU profile (pprof's parseCPU)
        return Profile(decode_legacy_cpu(data, source=name), source=name)
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:64]  # (a UTF-8 BOM before a text profile)
    if _looks_like_text(head):
        try:
            return Profile(demangle_names(decode_legacy_text(data, source=name), demangle, source=name), source=name)
        except ProfileFormatError as err:
            # A few bytes of profile.proto can all be printable; without a text header
            # and without a single space it is more likely a (broken) proto.
            if not getattr(err, "unrecognized", False) or b" " in data:
                raise
    decode = decode_proto_reference if reference_engine() else decode_proto  # (GOPHERLAB_ENGINE)
    decoded = decode(data, source=name, max_inflated_bytes=max_inflated_bytes)
    decoded = demangle_names(decoded, demangle, source=name)  # pprof demangles before pruning
    if not all_frames:
        from ..analyze.prune import remove_uninteresting

        decoded = remove_uninteresting(decoded)
    return Profile(decoded, source=name)


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
    if _looks_like_text(head.removeprefix(b"\xef\xbb\xbf").lstrip()[:64]):
        return
    try:
        from .legacy_cpu import is_legacy_cpu
    except ImportError:  # (Go's legacy binary CPU profile: another change)
        is_legacy_cpu = None
    if is_legacy_cpu is not None and is_legacy_cpu(head):
        return
    check_proto_head(head, source=source)
