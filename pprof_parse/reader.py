"""``read_profile``: the entry point of the pipeline, from any profile input to a :class:`Profile`.

It sits above the stages it calls: :func:`~pprof_parse.read.profile_reader.decode_profile`
(``read``: sniff, inflate, decode, demangle), then pprof's load-time pruning
(:func:`~pprof_parse.analyze.prune.remove_uninteresting`, an ``analyze`` step), then the
:class:`~pprof_parse.profile.Profile` facade.
"""

from __future__ import annotations

from .analyze.prune import remove_uninteresting
from .profile import Profile
from .read.profile_reader import decode_profile
from .read.source import DEFAULT_MAX_INFLATED_BYTES, Source

__all__ = ["read_profile", "DEFAULT_MAX_INFLATED_BYTES"]


def read_profile(src: Source, *, max_inflated_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES,
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
    decoded, name = decode_profile(src, max_inflated_bytes=max_inflated_bytes, demangle=demangle)
    if not all_frames:  # (pprof prunes every input: fetchProfiles, after symbolization)
        decoded = remove_uninteresting(decoded)
    return Profile(decoded, source=name)
