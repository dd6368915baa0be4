"""Turn a ``src`` argument into bytes, reading and inflating within a size limit.

Mirrors pprof's ``ParseData``: gzip is recognised by its magic ``1f 8b`` and
inflated, anything else is taken as it is (uncompressed profile.proto or text).

pprof reads whatever it is given, to the end; here every read is bounded
(issue 13): a path must be a regular file (``/dev/zero`` or a FIFO would never
end), a file object is read in chunks and refused as soon as it passes the
limit, and gzip is inflated a chunk at a time, refused as soon as the inflated
size passes the limit (a 10 MB gzip of zeros inflates to 10 GiB) and after a
first look at the inflated head (``check_head``: e.g. zeros are no
profile.proto, so such a bomb is refused at its first chunk).
"""

from __future__ import annotations

import os
import stat
import zlib
from typing import BinaryIO, Callable, Union

try:  # ISA-L's inflate is about twice as fast as zlib's, with zlib's API
    from isal import isal_zlib as _inflater
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _inflater = zlib

from ..errors import (
    ConcatenatedProfileError,
    EmptyProfileError,
    InflateLimitError,
    InputLimitError,
    ProfileFormatError,
)

Source = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]

#: Default ceiling (bytes) for a profile: the file or stream as read, and its
#: content once inflated. pprof has none. 64 MiB is twice the largest real
#: profile the project measures (a 340k-sample heap profile, 29 MB inflated,
#: read in ~330 MB); within it every input is read or refused in about 1 GB
#: (see :func:`pprof_parse.read.proto.decode_proto` for the per-message
#: bounds that keep it so). ``max_inflated_bytes=None`` lifts all of them.
DEFAULT_MAX_INFLATED_BYTES = 64 << 20

#: Bytes read from a file object, and inflated, per step.
CHUNK_BYTES = 1 << 20

#: Inflated bytes handed to ``check_head`` (or all of them, if fewer).
HEAD_BYTES = 64 << 10

GZIP_MAGIC = b"\x1f\x8b"

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


def read_source(src: Source, *, max_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES,
                text_ok: bool = False) -> tuple[bytes, str]:
    """Return ``(raw_bytes, name)`` for a path, a bytes-like object or a binary file.

    Parameters
    ----------
    src : str, os.PathLike, bytes-like or binary file object
        A path must name a regular file; a file object is read to its end.
    max_bytes : int or None
        Refuse input longer than this (None: no limit).
    text_ok : bool
        Accept a text-mode file object too (its text is encoded as UTF-8,
        lone surrogates as the bytes they escape; ``max_bytes`` then counts
        characters). For the runtime readers' text inputs.

    Raises
    ------
    ProfileFormatError
        The path is a directory, device, FIFO or socket (reading a device such
        as ``/dev/zero`` would never end: open it yourself and pass the file
        object to read a stream, within ``max_bytes``).
    InputLimitError
        The file, stream or bytes are longer than ``max_bytes`` (a regular
        file is refused by its size, before reading).
    OSError
        The path cannot be opened (missing, no permission).
    TypeError
        ``src`` is none of the above, or a file opened in text mode.
    """
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
        _check_size(len(data), max_bytes, "<bytes>", "input")
        return data, "<bytes>"
    if isinstance(src, (str, os.PathLike)):
        name = os.fspath(src)
        _check_kind(os.stat(name).st_mode, name)  # before opening: opening a FIFO waits for a writer
        with open(name, "rb") as f:
            st = os.fstat(f.fileno())  # (what was opened, if the path changed meanwhile)
            _check_kind(st.st_mode, name)
            _check_size(st.st_size, max_bytes, name, "file")
            return _read_stream(f.read, name, max_bytes), name  # (bounded too: the file may grow while read)
    read = getattr(src, "read", None)
    if read is None:
        raise TypeError(f"src must be a path, bytes or a binary file, not {type(src).__name__}")
    name = str(getattr(src, "name", "<file>"))
    return _read_stream(read, name, max_bytes, text_ok), name


def _check_kind(mode: int, name: str) -> None:
    if stat.S_ISDIR(mode):
        raise ProfileFormatError("is a directory, not a file", source=name)
    if not stat.S_ISREG(mode):
        kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
        raise ProfileFormatError(f"is {kind}, not a regular file: its end is not known, so it is not read "
                                 "(to read a stream, pass an open file object)", source=name)


def _read_stream(read: Callable, name: str, max_bytes: int | None, text_ok: bool = False) -> bytes:
    """Read to the end in chunks, refusing as soon as more than ``max_bytes`` arrive."""
    def as_bytes(piece) -> bytes:
        if isinstance(piece, str):
            if not text_ok:
                raise TypeError("src is a text file; open it in binary mode ('rb')")
            return piece.encode("utf-8", "surrogateescape")
        return bytes(piece)

    if max_bytes is None:
        return as_bytes(read())
    parts, total = [], 0
    while True:
        piece = read(min(CHUNK_BYTES, max_bytes + 1 - total))
        if not piece:
            break
        total += len(piece)
        parts.append(as_bytes(piece))
        _check_size(total, max_bytes, name, "stream", at_least=True)
    return b"".join(parts)


def _check_size(size: int, max_bytes: int | None, name: str, what: str, at_least: bool = False) -> None:
    if max_bytes is not None and size > max_bytes:
        has = "goes on" if at_least else f"has {size} bytes,"
        raise InputLimitError(f"the {what} {has} past the limit of {max_bytes} bytes "
                              "(pass max_inflated_bytes=None to read it anyway)", source=name, offset=max_bytes)


def inflate(data: bytes, *, source: str, max_inflated_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES,
            check_head: Callable[[bytes], None] | None = None) -> bytes:
    """Inflate ``data`` if it is gzip, else return it unchanged (checking its size and head).

    Inflates a chunk at a time (:data:`CHUNK_BYTES`), so memory and time stay
    proportional to what is kept: the limit is enforced as the output grows,
    and ``check_head(head)`` sees the first :data:`HEAD_BYTES` inflated bytes
    (or the uncompressed data's) before the rest is inflated; it raises to
    refuse the input.

    Raises
    ------
    EmptyProfileError
        ``data`` (or its inflated content) is empty.
    ProfileFormatError
        The gzip stream is corrupt or truncated (the offset is in the compressed input).
    ConcatenatedProfileError
        The gzip file has several members (``cat a.pb.gz b.pb.gz``).
    InflateLimitError
        The inflated size passes ``max_inflated_bytes`` (None: no limit); an
        uncompressed input that long raises :class:`InputLimitError`.
    """
    if not data:
        raise EmptyProfileError("empty input file", source=source)
    if not data.startswith(GZIP_MAGIC):
        _check_size(len(data), max_inflated_bytes, source, "input")
        if check_head is not None:
            check_head(data[:HEAD_BYTES])
        return data
    d = _inflater.decompressobj(wbits=31)
    parts: list[bytes] = []
    total = 0
    pending = data
    checked = check_head is None
    try:
        while not d.eof:
            before = len(pending)
            piece = d.decompress(pending, CHUNK_BYTES)
            pending = d.unconsumed_tail
            if not piece and (not pending or len(pending) == before):
                break  # truncated: no more input, or no progress
            total += len(piece)
            if max_inflated_bytes is not None and total > max_inflated_bytes:
                raise InflateLimitError(
                    f"gzip data inflates past the limit of {max_inflated_bytes} bytes "
                    "(pass max_inflated_bytes=None, or a larger limit, if the profile is genuinely that large)",
                    source=source, offset=len(data) - len(pending))
            parts.append(piece)
            if not checked and (total >= HEAD_BYTES or d.eof):
                checked = True
                check_head(b"".join(parts)[:HEAD_BYTES])
    except (zlib.error, _inflater.error) as e:
        raise ProfileFormatError(f"decompressing profile: corrupt gzip data ({e})", source=source) from e
    if not d.eof:
        raise ProfileFormatError(
            f"decompressing profile: truncated gzip stream (input ends at byte {len(data)})",
            source=source,
            offset=len(data),
        )
    rest = d.unused_data
    if rest.strip(b"\0"):
        if rest.startswith(GZIP_MAGIC):
            raise ConcatenatedProfileError(
                "concatenated profiles detected (a second gzip member starts here)",
                source=source,
                offset=len(data) - len(rest),
            )
        raise ProfileFormatError(
            f"decompressing profile: {len(rest)} bytes of trailing garbage after the gzip stream",
            source=source,
            offset=len(data) - len(rest),
        )
    result = b"".join(parts)
    del parts
    if not result:
        raise EmptyProfileError("empty input file (the gzip stream inflates to nothing)", source=source)
    if not checked:
        check_head(result[:HEAD_BYTES])
    return result
