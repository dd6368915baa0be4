"""``read_profile``: sniff the input and hand it to the right decoder (the ``read`` stage)."""

from __future__ import annotations

from ..errors import ProfileFormatError
from ..model.profile import Profile
from .legacy_text import decode_legacy_text
from .proto import decode_proto
from .source import DEFAULT_MAX_INFLATED_BYTES, Source, inflate, read_source


def read_profile(src: Source, *, max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
                 all_frames: bool = False) -> Profile:
    """Read a Go profile: gzip or uncompressed profile.proto, or a ``debug=1`` text profile.

    Parameters
    ----------
    src : str, os.PathLike, bytes or binary file
        A path, the profile's bytes, or a file opened in binary mode.
    max_inflated_bytes : int
        Refuse gzip input that inflates past this many bytes (default 4 GiB).
    all_frames : bool
        Keep the frames the profile's ``drop_frames``/``keep_frames`` would
        prune (pprof's ``-all_frames``); by default they are pruned at load as
        pprof does (see :func:`pprof_parse.analyze.prune.remove_uninteresting`).

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
    EmptyProfileError, ConcatenatedProfileError, InflateLimitError, ProfileFormatError
        The bytes are not a (single) profile; the message names the source and
        byte offset (text forms: the line number).
    InvalidProfileError
        The profile breaks pprof's validity rules (reserved or duplicate ids,
        dangling references, value count differing from the sample types).
    """
    raw, name = read_source(src)
    data = inflate(raw, source=name, max_inflated_bytes=max_inflated_bytes)
    del raw  # (the compressed copy, when it was gzip)
    head = data.lstrip()[:64]
    if _looks_like_text(head):
        try:
            return Profile(decode_legacy_text(data, source=name), source=name)
        except ProfileFormatError as err:
            # A few bytes of profile.proto can all be printable; without a text header
            # and without a single space it is more likely a (broken) proto.
            if not getattr(err, "unrecognized", False) or b" " in data:
                raise
    decoded = decode_proto(data, source=name)
    if not all_frames:
        from ..analyze.filter import translate_go_regex
        from ..analyze.prune import remove_uninteresting

        decoded = remove_uninteresting(decoded, translate_go_regex)
    return Profile(decoded, source=name)


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\t\r\n" for c in text)
