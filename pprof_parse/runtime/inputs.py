"""What the runtime readers take as input, and how they load it (bounded) and report what they skip.

Every reader of this subpackage (:func:`~pprof_parse.read_gctrace` and its
siblings, :func:`~pprof_parse.read_memstats`, :func:`~pprof_parse.read_gc_pauses`,
:func:`~pprof_parse.load_memstats`, :func:`~pprof_parse.read_runtime_metrics`,
:func:`~pprof_parse.read_runtime_histograms`, :func:`~pprof_parse.read_prometheus`,
:func:`~pprof_parse.read_goroutines`, :func:`~pprof_parse.find_leaks`) takes its
input as pandas' ``read_*`` functions do, and as :func:`~pprof_parse.read_profile`
does:

* a ``str`` or :class:`os.PathLike` is a **path**, always (never the content,
  even when it holds a line end). It must name a regular file: a directory,
  device, FIFO or socket is refused before it is read. A path that does not
  exist gives a :class:`~pprof_parse.errors.RuntimeFormatError` whose message
  says how to pass text instead;
* ``bytes`` (``bytearray``, ``memoryview``) are the **content**, as
  :func:`~pprof_parse.read_profile` takes them (pandas' readers do not take
  bytes; the runtime's outputs are bytes on the wire, so they are kept);
* an open **file object**, text or binary (``open(p)``, ``open(p, "rb")``,
  :class:`io.StringIO`, :class:`io.BytesIO`, a socket's ``makefile()``), is
  read to its end: its content;
* ``text=`` (keyword-only) is a ``str`` of **content**. It replaces the source
  argument: passing both, or neither, is a :class:`TypeError`.

A path or file object longer than :data:`MAX_TEXT_BYTES` is refused (a
:class:`~pprof_parse.errors.RuntimeFormatError`), and gzip input that inflates
past it too; bytes and text the caller already holds are not limited.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from gopherlab_common.inputs import check_one_input, looks_like_text

from pprof_parse.errors import InputLimitError, ProfileFormatError, RuntimeFormatError, warn
from pprof_parse.read.source import inflate, read_source

__all__ = ["MAX_TEXT_BYTES", "TEXT_HINT", "decode_text", "load_source", "load_text", "one_source", "series_sources",
           "strip_bom", "warn_unparsed"]

#: The runtime readers refuse a file or stream longer than this (bytes) and gzip input that
#: inflates past it: a 100,001-goroutine ``debug=2`` dump is 30 MB, so 256 MiB leaves room for
#: real dumps while a device such as ``/dev/zero`` or a gzip bomb is refused at once. Bytes or
#: text the caller already holds are not limited.
MAX_TEXT_BYTES = 256 << 20

#: What a message about a path that cannot be opened adds (a str is never taken as content).
TEXT_HINT = "a str is a path: to parse text, pass text=... or an io.StringIO"

_TEXT_NAME = "<text>"


class _Text:
    """A ``text=`` argument on its way to :func:`load_source` (content, not a path)."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text= must be a str, not {type(text).__name__} "
                        "(bytes and file objects are passed as the source)")
    return text


def one_source(src, text):
    """The one input of a single-source reader: ``src``, or the ``text=`` string.

    Raises
    ------
    TypeError
        Both or neither are given, or ``text`` is not a ``str``.
    """
    check_one_input(src, text, "a source (path, bytes or file object)")
    return src if text is None else _Text(_check_text(text))


def series_sources(srcs, text, *, single=(dict,)) -> list:
    """The inputs of a reader of several snapshots, one per snapshot, in order.

    ``srcs`` is one source (a path, bytes, a file object or one of ``single``'s
    types) or a sequence of them; ``text`` a ``str`` or a sequence of ``str``.
    Exactly one of the two is given.

    Raises
    ------
    TypeError
        Both or neither are given, or an entry of ``text`` is not a ``str``.
    """
    check_one_input(srcs, text, "sources (paths, bytes or file objects)")
    if text is None:
        if isinstance(srcs, (str, bytes, bytearray, memoryview, os.PathLike, *single)) or hasattr(srcs, "read"):
            return [srcs]
        return list(srcs)
    texts = [text] if isinstance(text, str) else list(text)
    return [_Text(_check_text(t)) for t in texts]


def _path_name(path: str) -> str:
    """A path for messages; one that holds text (a line end, or very long) is shortened."""
    return repr(path[:40]) + "..." if looks_like_text(path) else path


def load_source(src=None, *, text: str | None = None) -> tuple[bytes, str, float | None]:
    """Return ``(data, name, mtime)`` for one input, under the rules of this module.

    ``name`` is the path, the file object's ``name``, ``"<stream>"``,
    ``"<bytes>"`` or ``"<text>"``; ``mtime`` the file's modification time (Unix
    seconds) for paths, else None. Gzip is left compressed (:func:`load_text`
    inflates it; goroutine profiles go to the proto reader as they are).

    Raises
    ------
    RuntimeFormatError
        The path cannot be read (missing: the message says how to pass text;
        a directory, device, FIFO or socket), or the file or stream is longer
        than :data:`MAX_TEXT_BYTES`.
    TypeError
        ``src`` is none of the accepted kinds, or see :func:`one_source`.
    """
    src = one_source(src, text)
    if isinstance(src, _Text):
        return src.value.encode("utf-8", "surrogateescape"), _TEXT_NAME, None
    if isinstance(src, (bytes, bytearray, memoryview)):
        return bytes(src), "<bytes>", None
    is_path = isinstance(src, (str, os.PathLike))
    if not is_path and not hasattr(src, "read"):
        raise TypeError(f"expected a path, bytes or file object (or text=...), got {type(src).__name__}")
    name = _path_name(str(os.fspath(src))) if is_path else str(getattr(src, "name", None) or "<stream>")
    try:
        data, _ = read_source(src, max_bytes=MAX_TEXT_BYTES, text_ok=True)
        mtime = Path(src).stat().st_mtime if is_path else None
    except InputLimitError:
        raise RuntimeFormatError(f"input is longer than the runtime readers' limit of {MAX_TEXT_BYTES} bytes "
                                 "(pass the bytes yourself to read it anyway)", source=name) from None
    except ProfileFormatError as e:  # a directory, device, FIFO or socket
        raise RuntimeFormatError(f"cannot read: {e.reason}", source=name) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise RuntimeFormatError(_unreadable(src, e), source=name) from e
    return data, name, mtime


def _unreadable(src, e: Exception) -> str:
    """``cannot read: <reason>``, with :data:`TEXT_HINT` when the path may have been meant as text."""
    why = f"cannot read: {getattr(e, 'strerror', None) or e}"
    missing = isinstance(e, FileNotFoundError) or getattr(e, "errno", None) == errno.ENAMETOOLONG or (
        isinstance(e, ValueError) and not isinstance(e, OSError))
    return f"{why} ({TEXT_HINT})" if isinstance(src, str) and missing else why


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def strip_bom(data: bytes) -> bytes:
    """``data`` without a leading byte order mark, as UTF-8.

    A UTF-8 BOM (what Windows editors put first) is dropped; text with a UTF-16
    BOM (Windows PowerShell 5's ``>`` redirection) is re-encoded as UTF-8
    (undecodable units become U+FFFD).  Anything else is returned unchanged.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            if enc == "utf-8":
                return data[len(bom):]
            return data[len(bom):].decode(enc, "replace").encode("utf-8", "surrogateescape")
    return data


def decode_text(data: bytes, source: str | None = None) -> str:
    """Bytes to text with ``\\n`` line ends: UTF-8, any BOM removed, and ``\\r\\n`` and lone
    ``\\r`` (old Mac) line ends turned into ``\\n`` -- Python's universal newlines.

    Bytes that are not UTF-8 (the runtime writes UTF-8; a damaged or foreign file may not)
    become U+FFFD, with one :class:`~pprof_parse.errors.PprofParseWarning` naming the first
    such byte's offset and line: pandas keeps text in Arrow when pyarrow is installed, which
    cannot hold the surrogate escapes a lossless decode would leave.
    """
    raw = strip_bom(data)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        text = raw.decode("utf-8", "replace")
        line = raw.count(b"\n", 0, e.start) + 1
        warn(f"{source or '<input>'}: bytes that are not UTF-8 from byte offset {e.start} (line {line}) "
             "are shown as U+FFFD")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def load_text(src=None, *, text: str | None = None) -> tuple[str, str, float | None]:
    """Like :func:`load_source`, but gunzipped (bounded) and decoded by :func:`decode_text`.

    Raises what :func:`load_source` raises; :class:`RuntimeFormatError` for gzip
    that inflates past :data:`MAX_TEXT_BYTES`; :class:`ProfileFormatError` (from
    :func:`pprof_parse.read.source.inflate`) for gzip that is corrupt or truncated.
    """
    data, name, mtime = load_source(src, text=text)
    if data[:2] == b"\x1f\x8b":  # pprof_parse's bounded inflate (gzip bombs, truncation, concatenation)
        try:
            data = inflate(data, source=name, max_inflated_bytes=MAX_TEXT_BYTES)
        except InputLimitError:
            raise RuntimeFormatError(f"gzip input inflates past the runtime readers' limit of {MAX_TEXT_BYTES} "
                                     "bytes", source=name) from None
    return decode_text(data, name), name, mtime


def warn_unparsed(source: str, unparsed: list, what: str, where: str) -> None:
    """Report kept-but-not-understood lines once per read (a ``PprofParseWarning``)."""
    if unparsed:
        line, text = unparsed[0]
        warn(f"{source}: {len(unparsed)} line(s) are not {what}, kept in {where} "
                      f"(first at line {line}: {text[:60]!r})")
