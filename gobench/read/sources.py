"""Turning what the caller passes into named benchmark texts.

A *source* is a path (``str`` or :class:`os.PathLike`), ``bytes``, or an open
file (text or binary), as with pandas' ``read_*`` functions: a ``str`` is always
a path, even when it holds a line end (a missing one is an :class:`OSError`
whose message says how to pass text). Text goes in through a file object
(:class:`io.StringIO`) or, where a reader has it, the keyword-only ``text=``
(:func:`source_or_text` marks it as content). Bytes are content, as
:func:`pprof_parse.read_profile` takes them (pandas' readers do not take bytes).

Bytes are decoded as UTF-8 (a UTF-8 BOM is dropped; undecodable bytes are kept as
surrogate escapes, like Go keeps raw bytes).  UTF-16 with a BOM, or without one
but with the tell-tale NUL byte of every ASCII character (Windows PowerShell's
``>``), is decoded as UTF-16; UTF-16 that does not decode raises
:class:`~gobench.errors.BenchEncodingError` instead of silently giving nothing.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping

from gopherlab_common.inputs import check_one_input, looks_like_text

from ..errors import BenchEncodingError, GobenchError

__all__ = ["Input", "TextSource", "decode_bytes", "input_from_bytes", "open_source", "label_inputs", "read_path",
           "check_regular_file", "source_or_text", "MAX_INPUT_BYTES", "TEXT_HINT"]

#: What a message about a path that cannot be opened adds (a str is never taken as content).
TEXT_HINT = "a str is a path: to parse text, pass text=... or io.StringIO(text)"

#: Longest input read (bytes): a path's file, or a file object's stream. Benchmark
#: files are kilobytes to tens of megabytes (the benchmarks' largest: 9 MB);
#: anything past this is refused at once (a regular file by its size) rather
#: than read for minutes.
MAX_INPUT_BYTES = 256 << 20

_CHUNK = 1 << 20

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


class Input:
    """One input: ``path`` for messages, ``label`` (benchstat's ``.file``) and its text.

    Made from text, or (:func:`input_from_bytes`) from UTF-8 ``data``, decoded only
    when ``text`` is first asked for: the vectorised scanner reads the bytes.
    """

    __slots__ = ("path", "label", "_text", "data")

    def __init__(self, path: str, label: str, text: str | None = None, data: bytes | None = None):
        if text is None and data is None:
            raise TypeError("Input needs text or data")
        self.path, self.label, self._text, self.data = path, label, text, data

    @property
    def text(self) -> str:
        if self._text is None:   # data: bytes, or a read-only mmap of a big file
            self._text = str(self.data, "utf-8", "surrogateescape")
        return self._text

    def utf8(self) -> bytes:
        """The text as UTF-8 bytes (undecodable bytes as they were; an ``mmap`` when
        the command line mapped a big file)."""
        if self.data is None:
            self.data = self._text.encode("utf-8", "surrogateescape")
        return self.data

    def __eq__(self, other) -> bool:
        if not isinstance(other, Input):
            return NotImplemented
        return (self.path, self.label, self.text) == (other.path, other.label, other.text)

    def __repr__(self) -> str:
        return f"Input(path={self.path!r}, label={self.label!r}, text=<{len(self.text)} chars>)"


class TextSource:
    """Benchmark text given as ``text=`` (content, not a path), on its way to :func:`open_source`."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text= must be a str, not {type(text).__name__} "
                            "(bytes and file objects are passed as the source)")
        self.text = text


def source_or_text(src, text):
    """A reader's input: ``src``, or ``text`` marked as content (:class:`TextSource`).

    ``text`` is a ``str``, or a list/tuple or dict (label -> str) of them, in the
    shapes ``src`` may take; exactly one of ``src`` and ``text`` is given.

    Raises
    ------
    TypeError
        Both or neither are given, or an entry of ``text`` is not a ``str``.
    """
    check_one_input(src, text, "a source (path, bytes or file object)")
    if text is None:
        return src
    if isinstance(text, Mapping):
        return {label: TextSource(t) for label, t in text.items()}
    if isinstance(text, (list, tuple)):
        return [TextSource(t) for t in text]
    return TextSource(text)


def _shown(path: str) -> str:
    """A path for messages; one that holds text (a line end, a NUL, or very long) is shortened."""
    return path[:40] + "..." if looks_like_text(path) else path


def input_from_bytes(path: str, label: str, data: bytes) -> Input:
    """An :class:`Input` of raw file bytes, decoded as :func:`decode_bytes` does; plain
    UTF-8 keeps the bytes and decodes them only on demand."""
    if _sniff(data) == (None, 0):
        return Input(path, label, data=data)
    return Input(path, label, decode_bytes(data, path))


def _sniff(data: bytes) -> tuple[str | None, int]:
    """``(encoding, bytes of byte-order mark)``: UTF-16 by its BOM or by the NUL byte of
    every ASCII character; ``(None, 0)`` for plain UTF-8."""
    if data[:3] == b"\xef\xbb\xbf":
        return None, 3
    if data[:2] == b"\xff\xfe":
        return "utf-16-le", 2
    if data[:2] == b"\xfe\xff":
        return "utf-16-be", 2
    if len(data) >= 2 and b"\x00" in data[:4096]:
        head = data[:4096]
        even_nul = head[0::2].count(0)
        odd_nul = head[1::2].count(0)
        half = len(head) // 2
        if odd_nul > 0.4 * half and even_nul < 0.1 * half:
            return "utf-16-le", 0
        if even_nul > 0.4 * half and odd_nul < 0.1 * half:
            return "utf-16-be", 0
    return None, 0


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode benchmark bytes to text (see module docstring for the rules)."""
    enc, skip = _sniff(data)
    data = data[skip:]
    if enc is not None:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            raise BenchEncodingError(
                f"{name}: input looks like {enc.upper()} but does not decode "
                f"(byte {e.start}: {e.reason}); re-encode it as UTF-8") from None
    return data.decode("utf-8", errors="surrogateescape")


def check_regular_file(mode: int, path: str) -> None:
    """Refuse a path that is not a regular file (``st_mode`` from ``os.stat``/``os.fstat``).

    A device (``/dev/zero``), FIFO or socket has no known end: reading it could
    last forever, so it is refused before reading (and, for a FIFO, before
    opening: that waits for a writer).

    Raises
    ------
    GobenchError
        ``PATH: is a character device, not a regular file ...`` (or a FIFO, socket, ...;
        a directory is left to ``open``, which raises :class:`IsADirectoryError`).
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return  # (a directory: open() raises IsADirectoryError, as before)
    kind = next((k for t, k in _KINDS if t(mode)), "not a regular file")
    raise GobenchError(f"{path}: is {kind}, not a regular file: not read (to read a stream, "
                       "pass an open file object)")


def read_path(path: str, max_bytes: int | None = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them (None: no limit).

    Raises
    ------
    GobenchError
        Not a regular file (see :func:`check_regular_file`), longer than
        ``max_bytes``, or a ``str`` holding a NUL character (no path can).
    OSError
        The file cannot be opened (``cannot read benchmark file: ...``; a
        missing file's message adds :data:`TEXT_HINT`).
    """
    if "\x00" in path:  # (os.stat would raise a bare ValueError)
        raise GobenchError(f"{_shown(path)!r}: cannot read benchmark file: a path holds no NUL character "
                           f"({TEXT_HINT})")
    try:
        check_regular_file(os.stat(path).st_mode, path)
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            check_regular_file(st.st_mode, path)
            _check_size(st.st_size, max_bytes, path, "file")
            return _read_stream(f.read, path, max_bytes)
    except OSError as e:
        hint = f" ({TEXT_HINT})" if isinstance(e, FileNotFoundError) or e.errno == errno.ENAMETOOLONG else ""
        raise type(e)(e.errno, f"cannot read benchmark file: {e.strerror}{hint}", _shown(path)) from None


def _read_stream(read, name: str, max_bytes: int | None):
    """Read to the end in chunks (bytes or str, as the stream gives), refused past ``max_bytes``."""
    if max_bytes is None:
        return read()
    parts, total = [], 0
    while True:
        piece = read(min(_CHUNK, max_bytes + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
        _check_size(total, max_bytes, name, "stream", at_least=True)
    if not parts:
        return b""
    return (b"" if isinstance(parts[0], (bytes, bytearray)) else "").join(parts)


def _check_size(size: int, max_bytes: int | None, name: str, what: str, at_least: bool = False) -> None:
    if max_bytes is not None and size > max_bytes:
        has = "goes on" if at_least else f"has {size} bytes,"
        raise GobenchError(f"{name}: the {what} {has} past the limit of {max_bytes} bytes "
                           "(gobench.read.sources.MAX_INPUT_BYTES)")


def open_source(src, label: str | None = None, *, max_bytes: int | None = MAX_INPUT_BYTES) -> Input:
    """Read one source into an :class:`Input` (``label`` defaults to the path).

    ``src`` is a path (``str`` or path-like), bytes, a file object (text or
    binary) or a :class:`TextSource`. A path must name a regular file; a file
    object is read in chunks; either is refused as soon as it passes
    ``max_bytes`` (None: no limit). Bytes and text the caller holds are not limited.

    Raises
    ------
    GobenchError
        A path that is not a regular file, or input past ``max_bytes``.
    BenchEncodingError
        UTF-16 input that does not decode (see :func:`decode_bytes`).
    OSError
        The path cannot be opened (see :func:`read_path`).
    TypeError
        ``src`` is none of the above.
    """
    if isinstance(src, TextSource):
        name = label if label is not None else "<text>"
        return Input("<text>", name, src.text)
    if isinstance(src, (str, os.PathLike)):
        path = os.fspath(src)
        data = read_path(path, max_bytes)
        return Input(path, label if label is not None else path, decode_bytes(data, path))
    if isinstance(src, (bytes, bytearray, memoryview)):
        name = label if label is not None else "<bytes>"
        return Input(name, name, decode_bytes(bytes(src), name))
    if hasattr(src, "read"):
        name = getattr(src, "name", None)
        name = name if isinstance(name, str) else ("<file>" if label is None else label)
        data = _read_stream(src.read, name, max_bytes)
        text = decode_bytes(data, name) if isinstance(data, (bytes, bytearray)) else data
        return Input(name, label if label is not None else name, text)
    raise TypeError(f"benchmark source must be a path, bytes, file object or text=..., not {type(src).__name__}")


def label_inputs(paths: list[str], labels: list[str | None]) -> list[str]:
    """benchfmt.Files' labels: unlabelled paths given more than once become ``path#0``, ``path#1``."""
    count: dict[str, int] = {}
    for p, lab in zip(paths, labels):
        if lab is None:
            count[p] = count.get(p, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for p, lab in zip(paths, labels):
        if lab is not None:
            out.append(lab)
        elif count[p] == 1:
            out.append(p)
        else:
            i = seen.get(p, 0)
            seen[p] = i + 1
            out.append(f"{p}#{i}")
    return out
