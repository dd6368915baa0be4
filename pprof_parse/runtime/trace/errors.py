"""The errors of the execution-trace reader: where in the file, and what Go's parser would say.

::

    RuntimeFormatError (pprof_parse.errors; a PprofParseError and ValueError)
    └── TraceFormatError          the bytes are not a valid v2 execution trace: truncated,
        │                         a corrupt batch, an event Go's ordering rejects (byte offset)
        └── TraceVersionError     the header names a version this reader does not read
                                  (the v1 format of Go 1.11-1.21, or an unknown one)

Messages follow Go's ``internal/trace`` wording where one exists ("invalid batch size
70000, maximum is 65536", "broken trace: failed to advance") after the source and the
byte offset of the batch or event at fault.
"""

from __future__ import annotations

from pprof_parse.errors import RuntimeFormatError

__all__ = ["TraceFormatError", "TraceVersionError"]


class TraceFormatError(RuntimeFormatError):
    """The input is not a valid Go 1.22+ execution trace.

    ``source`` names the input, ``offset`` the byte offset of the batch or event at
    fault (None when the fault is not at one place, e.g. a generation with no
    frequency event), ``reason`` the message without them.
    """

    def __init__(self, msg: str, *, source: str = "<input>", offset: int | None = None):
        self.offset = offset
        self.reason = msg
        where = msg if offset is None else f"byte offset {offset}: {msg}"
        super().__init__(where, source=source)


class TraceVersionError(TraceFormatError):
    """The header names a trace version this reader does not read; ``version`` holds N of ``go 1.N``
    (None when the header is not a trace header at all)."""

    def __init__(self, msg: str, *, source: str = "<input>", version: int | None = None):
        self.version = version
        super().__init__(msg, source=source, offset=0)
