"""Numbers in the Go runtime's text output, checked to fit the column they go into.

The text readers (the heap profile's ``# runtime.MemStats`` trailer here, and the
runtime diagnostics in :mod:`pprof_parse.runtime`: gctrace, MemStats, metrics) hold
counters in int64 columns and rates in float64 ones. ``int()`` and ``float()``
accept more than the runtime prints (``_`` separators, non-ASCII digits, spaces,
4,300-digit integers); these functions accept what Go's ``%d``/``%v`` print and
refuse the rest with :class:`Unfit`.
"""

from __future__ import annotations

__all__ = ["INT64_MAX", "Unfit", "to_float", "to_int"]

#: The largest int64 (Go's ``math.MaxInt64``).
INT64_MAX = 2**63 - 1


class Unfit(ValueError):
    """A number in the input that does not fit its column (int64 / float64)."""


def to_int(s: str, *, lo: int = 0, hi: int = INT64_MAX) -> int:
    """An ASCII decimal integer in ``[lo, hi]`` (default: a non-negative int64), else :class:`Unfit`.

    Unlike ``int()``, refuses ``_`` separators, non-ASCII digits and spaces, and
    checks the length before converting (Python refuses more than 4,300 digits
    with a bare ``ValueError``).
    """
    t = s[1:] if s[:1] in "+-" else s
    if not (0 < len(t) <= 20 and t.isascii() and t.isdigit()):
        raise Unfit(f"{s[:40]!r} is not an integer")
    v = int(s)
    if not lo <= v <= hi:
        raise Unfit(f"{s[:40]}{'...' if len(s) > 40 else ''} does not fit an int64 column")
    return v


def to_float(s: str) -> float:
    """A decimal number as float64; :class:`Unfit` if it is not one or overflows to +-inf.

    ``Inf``/``+Inf``/``-Inf``/``NaN`` spelled out (as Go's ``%v`` prints them) are kept.
    """
    t = s.strip("+-")
    if t in ("Inf", "inf", "NaN", "nan"):
        return float(s.replace("Inf", "inf"))
    if not (t.isascii() and t and (t[0].isdigit() or t[0] == ".")) or "_" in t or len(s) > 400:
        raise Unfit(f"{s[:40]!r} is not a float64 number")
    try:
        v = float(s)
    except ValueError:
        raise Unfit(f"{s[:40]!r} is not a float64 number") from None
    if v in (float("inf"), float("-inf")):
        raise Unfit(f"{s[:40]} does not fit a float64")
    return v
