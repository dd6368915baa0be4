"""The ``# runtime.MemStats`` trailer of the heap profile's ``debug=1`` text, as a dict.

``runtime/pprof.writeHeapInternal`` ends the heap (and allocs) text with one
``# Field = value`` line per ``runtime.MemStats`` field (``runtime/pprof/pprof.go``),
three of them as pairs (``# Stack = inuse / sys``, ``# MSpan = ...``, ``# MCache = ...``).
Two readers need it: the heap text decoder (:mod:`pprof_parse.read.legacy_text`, which
keeps it in ``meta["memstats"]``) and the MemStats reader of the runtime diagnostics
(:func:`pprof_parse.runtime.load_memstats`), so it lives here, below both.

:func:`check_memstats_fields` is the rule both of that reader's inputs (this trailer and
expvar's JSON) follow: every field must fit the column :func:`pprof_parse.runtime.read_memstats`
gives it.
"""

from __future__ import annotations

import math
import re
from typing import Callable

from ..errors import RuntimeFormatError
from .numbers import INT64_MAX, to_float, to_int

__all__ = ["FIELDS", "RING", "check_memstats_fields", "parse_memstats_trailer"]

#: Scalar fields in ``runtime.MemStats`` order (``runtime/mstats.go``), then MaxRSS (heap trailer, Go 1.21+).
FIELDS = [
    "Alloc", "TotalAlloc", "Sys", "Lookups", "Mallocs", "Frees", "HeapAlloc", "HeapSys", "HeapIdle",
    "HeapInuse", "HeapReleased", "HeapObjects", "StackInuse", "StackSys", "MSpanInuse", "MSpanSys",
    "MCacheInuse", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys", "NextGC", "LastGC", "PauseTotalNs",
    "NumGC", "NumForcedGC", "GCCPUFraction", "EnableGC", "DebugGC", "MaxRSS",
]
#: ``len(MemStats.PauseNs)``: the pause rings' length.
RING = 256

_TRAILER_RE = re.compile(r"^# (\w+) = (.*)$", re.M | re.ASCII)
_PAIRS = {"Stack": ("StackInuse", "StackSys"), "MSpan": ("MSpanInuse", "MSpanSys"),
          "MCache": ("MCacheInuse", "MCacheSys")}
_BOOLS = ("EnableGC", "DebugGC")
_RINGS = ("PauseNs", "PauseEnd")


def parse_memstats_trailer(text: str, *, source: str, first_line: int = 1) -> dict:
    """The MemStats fields of the trailer in ``text``, keyed by the Go field names.

    Parameters
    ----------
    text : str
        Text holding a ``# runtime.MemStats`` line, ``\\n`` line ends; the trailer's
        ``# Field = value`` lines follow it (other lines are skipped).
    source : str
        The input's name, for error messages.
    first_line : int
        The line number of ``text``'s first line in the input (errors carry input lines).

    Returns
    -------
    dict
        Scalars as int, float (``GCCPUFraction``) or bool (``EnableGC``, ``DebugGC``);
        ``PauseNs``/``PauseEnd`` as lists of 256 ints; the pairs split into their two fields.

    Raises
    ------
    RuntimeFormatError
        No ``# runtime.MemStats`` line; a value that cannot be read; no ``NumGC``; or a field
        that does not fit its column (:func:`check_memstats_fields`). The message names the
        source and the line.
    """
    i = text.find("# runtime.MemStats")
    if i < 0:
        raise RuntimeFormatError("no '# runtime.MemStats' trailer (need heap?debug=1) and not JSON", source=source)
    base = first_line + text.count("\n", 0, i)
    out: dict = {}
    lines: dict[str, int] = {}
    for m in _TRAILER_RE.finditer(text, i):
        key, raw = m[1], m[2]
        line = base + text.count("\n", i, m.start())
        try:
            if key in _PAIRS:
                a, b = raw.split("/")
                out[_PAIRS[key][0]], out[_PAIRS[key][1]] = to_int(a.strip()), to_int(b.strip())
                lines[_PAIRS[key][0]] = lines[_PAIRS[key][1]] = line
            else:
                out[key] = _trailer_value(raw)
                lines[key] = line
        except ValueError as e:
            raise RuntimeFormatError(f"cannot read {key} = {raw[:40]!r}: {e}", source=source, line=line) from e
    if "NumGC" not in out:
        raise RuntimeFormatError("MemStats trailer without NumGC", source=source, line=base)
    check_memstats_fields(out, source, lines.get)
    return out


def _trailer_value(v: str):
    """A trailer value: ``[n n ...]``, ``true``/``false``, an integer or a float (:class:`Unfit` if none)."""
    v = v.strip()
    if v.startswith("[") and v.endswith("]"):
        return [to_int(x, hi=2**64 - 1) for x in v[1:-1].split()]
    if v in ("true", "false"):
        return v == "true"
    if v.isascii() and v.isdigit():
        return to_int(v, hi=2**64 - 1)
    return to_float(v)


def check_memstats_fields(out: dict, source: str, line_of: Callable[[str], int | None]) -> None:
    """Every MemStats field read must fit its column; whole floats <= 2^53 become ints in place.

    Counters and byte counts (``uint64`` in Go) must be integers in ``[0, 2^63)`` (int64
    columns), ``GCCPUFraction`` a finite float, ``EnableGC``/``DebugGC`` booleans,
    ``PauseNs``/``PauseEnd`` :data:`RING` integers in ``[0, 2^63)``. Keys starting with
    ``_`` and fields not listed are left alone. ``line_of(field)`` gives the field's line
    (or None) for the message.

    Raises
    ------
    RuntimeFormatError
        A field that does not fit, naming the source, the line and the field.
    """
    for k, v in list(out.items()):
        if k.startswith("_"):
            continue
        if k in _BOOLS:
            ok = isinstance(v, bool)
            want = "true or false"
        elif k == "GCCPUFraction":
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            want = "a finite float64"
        elif k in _RINGS:
            ok = isinstance(v, list) and all(type(x) is int and 0 <= x <= INT64_MAX for x in v)
            want = "a list of integers in [0, 2^63)"
        elif k in FIELDS:
            if isinstance(v, float) and v.is_integer() and 0 <= v <= 2**53:  # re-encoded by JavaScript
                v = out[k] = int(v)
            ok = type(v) is int and 0 <= v <= INT64_MAX
            want = "an integer in [0, 2^63) (an int64 column)"
        else:
            continue
        if not ok:
            shown = repr(v) if not isinstance(v, list) else f"a list of {len(v)}"
            raise RuntimeFormatError(f"MemStats.{k} is {shown[:60]}, not {want}", source=source, line=line_of(k))
    for k in _RINGS:
        if k in out and len(out[k]) != RING:
            raise RuntimeFormatError(f"MemStats.{k} has {len(out[k])} entries, expected {RING}",
                                     source=source, line=line_of(k))
