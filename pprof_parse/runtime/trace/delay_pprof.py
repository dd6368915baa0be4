"""A delay table as the profile ``go tool trace -pprof=KIND`` writes: a :class:`~pprof_parse.Profile`.

Go's ``BuildProfile`` (``src/internal/trace/traceviewer/pprof.go``) writes sample types
``contentions/count`` and ``delay/nanoseconds``, period type ``trace/count`` with period 1,
one Location per PC (address = PC, one Line), one Function per (function, file) pair whose
name and system name are the function's, and no Mapping. This module encodes the same
profile.proto message from :meth:`Trace.delay_profile`'s rows and reads it back with
:func:`pprof_parse.read_profile`, so every Profile method (``top``, call trees, flame graphs)
works on it.
"""

from __future__ import annotations

from pprof_parse.proto.wire import LEN, VARINT, encode_varint, tag
from pprof_parse.reader import read_profile

__all__ = ["delay_pprof"]


def _field(number: int, payload: bytes) -> bytes:
    return encode_varint(tag(number, LEN)) + encode_varint(len(payload)) + payload


def _uint(number: int, value: int) -> bytes:
    return encode_varint(tag(number, VARINT)) + encode_varint(value)


def _packed(number: int, values) -> bytes:
    return _field(number, b"".join(encode_varint(int(v)) for v in values))


class _Strings:
    def __init__(self):
        self.table: list[str] = [""]
        self.ids: dict[str, int] = {"": 0}

    def id(self, s: str) -> int:
        if s not in self.ids:
            self.ids[s] = len(self.table)
            self.table.append(s)
        return self.ids[s]


def _encode(rows, frames_of) -> bytes:
    """profile.proto bytes of ``rows`` ((stack, count, delay_ns) tuples); ``frames_of(stack)``
    gives a stack's ``(pc, function, file, line)`` frames, leaf first."""
    strings = _Strings()
    locations: dict[int, int] = {}   # pc -> location id
    functions: dict[tuple, int] = {}  # (function, file) -> function id
    loc_msgs, fn_msgs, samples = [], [], []
    for stack, count, delay in rows:
        loc_ids = []
        for pc, func, file, line in frames_of(stack)[:128]:
            if pc not in locations:
                key = (func, file)
                if key not in functions:
                    functions[key] = len(functions) + 1
                    name = strings.id(func)
                    fn_msgs.append(_field(5, _uint(1, functions[key]) + _uint(2, name) + _uint(3, name)
                                          + _uint(4, strings.id(file))))
                locations[pc] = len(locations) + 1
                line_msg = _uint(1, functions[key]) + _uint(2, line)
                loc_msgs.append(_field(4, _uint(1, locations[pc]) + _uint(3, pc) + _field(4, line_msg)))
            loc_ids.append(locations[pc])
        samples.append(_field(2, _packed(1, loc_ids) + _packed(2, [count, delay])))
    head = (_field(1, _uint(1, strings.id("contentions")) + _uint(2, strings.id("count")))
            + _field(1, _uint(1, strings.id("delay")) + _uint(2, strings.id("nanoseconds"))))
    period = _field(11, _uint(1, strings.id("trace")) + _uint(2, strings.id("count"))) + _uint(12, 1)
    table = b"".join(_field(6, s.encode()) for s in strings.table)
    return head + b"".join(samples) + b"".join(loc_msgs) + b"".join(fn_msgs) + table + period


def delay_pprof(trace, kind: str):
    """``go tool trace -pprof=KIND`` of ``trace`` as a :class:`~pprof_parse.Profile`.

    Parameters
    ----------
    trace : Trace
    kind : {"sched", "sync", "net", "syscall"}

    Returns
    -------
    Profile
        Sample types ``contentions/count`` (waits) and ``delay/nanoseconds`` (ns), one sample
        per distinct stack of :meth:`Trace.delay_profile` (a sample with no locations for waits
        opened by an event without a stack), the same totals.

    Raises
    ------
    OptionError
        Another ``kind`` (from :meth:`Trace.delay_profile`).
    """
    table = trace.delay_profile(kind)
    rows = zip(table["stack"].tolist(), table["count"].tolist(), table["delay_ns"].tolist())
    data = _encode(rows, trace.stack)
    return read_profile(data)
