"""pprof's unit arithmetic (``internal/measurement``): unit families, ``Scale``, ``ScaledLabel``, ``Label``.

Used by numeric tag ranges and tag formatting (:mod:`.tagfilter`), by the merge of
profiles in compatible units (:mod:`.merge`) and by the ``-top`` text report
(:mod:`pprof_parse.present.textreport`).
"""

from __future__ import annotations

import numpy as np

#: (canonical name, aliases, factor to the family's base unit) per unit family, in pprof's
#: order, with the family's default (name, factor) for a unit it does not know.
UNIT_FAMILIES = (
    ((("B", ("b", "byte"), 1.0), ("kB", ("kb", "kbyte", "kilobyte"), float(1 << 10)),
      ("MB", ("mb", "mbyte", "megabyte"), float(1 << 20)), ("GB", ("gb", "gbyte", "gigabyte"), float(1 << 30)),
      ("TB", ("tb", "tbyte", "terabyte"), float(1 << 40)), ("PB", ("pb", "pbyte", "petabyte"), float(1 << 50))),
     ("B", 1.0)),
    ((("ns", ("ns", "nanosecond"), 1.0), ("us", ("μs", "us", "microsecond"), 1e3),
      ("ms", ("ms", "millisecond"), 1e6), ("s", ("s", "sec", "second"), 1e9), ("hrs", ("hour", "hr"), 3.6e12)),
     ("s", 1e9)),
    ((("n*GCU", ("nanogcu",), 1e-9), ("u*GCU", ("microgcu",), 1e-6), ("m*GCU", ("milligcu",), 1e-3),
      ("GCU", ("gcu",), 1.0), ("k*GCU", ("kilogcu",), 1e3), ("M*GCU", ("megagcu",), 1e6),
      ("G*GCU", ("gigagcu",), 1e9), ("T*GCU", ("teragcu",), 1e12), ("P*GCU", ("petagcu",), 1e15)),
     ("GCU", 1.0)),
)

_INT64_MIN = -(1 << 63)


def sniff_unit(family, unit: str) -> tuple[str, float] | None:
    """pprof's ``UnitType.sniffUnit``: lower-case, drop a plural ``s`` (names longer than 2),
    look up the aliases of ``family`` (one entry of :data:`UNIT_FAMILIES`); ``(name, factor)`` or None."""
    u = unit.lower()
    if len(u) > 2 and u.endswith("s"):
        u = u[:-1]
    for name, aliases, factor in family[0]:
        if u in aliases:
            return name, factor
    return None


def _autoscale(family, value: float):
    f, unit = 0.0, ""
    for name, _aliases, factor in family[0]:
        if factor >= f and value / factor >= 1.0:
            f, unit = factor, name
    if f == 0:
        return None
    return value / f, unit


def scale(value, from_unit: str, to_unit: str):
    """pprof's ``measurement.Scale``: convert ``value`` from ``from_unit`` to ``to_unit``.

    Parameters
    ----------
    value : int or numpy.ndarray of int
        Values in ``from_unit`` (int64; arrays are scaled element-wise, and ``to_unit`` of
        ``"auto"``/``"minimum"`` needs a scalar, the unit depending on the value).
    from_unit, to_unit : str
        Unit names as pprof spells them (``"bytes"``, ``"kb"``, ``"ns"``, ``"ms"``...),
        matched case-insensitively; ``"minimum"``/``"auto"`` pick the largest unit of the
        family in which the value is at least 1.

    Returns
    -------
    (float or ndarray, str)
        The scaled value(s) and the canonical target unit; a unit pprof does not know is
        returned unchanged, ``""`` for unit-less targets (``count``, ``sample``, ``unit``,
        ``minimum``, ``auto``).
    """
    if np.ndim(value) == 0 and _INT64_MIN < int(value) < 0:  # Go: -MinInt64 overflows, so it is not negated
        v, u = scale(-int(value), from_unit, to_unit)
        return -v, u
    for family in UNIT_FAMILIES:
        f = sniff_unit(family, from_unit)
        if f is None:
            continue
        v = np.asarray(value, dtype=np.float64) * f[1] if np.ndim(value) else float(value) * f[1]
        if to_unit in ("minimum", "auto"):
            a = _autoscale(family, v)
            if a is not None:
                return a
            return v / family[1][1], family[1][0]
        t = sniff_unit(family, to_unit)
        if t is None:
            return v / family[1][1], family[1][0]
        return v / t[1], t[0]
    v = np.asarray(value, dtype=np.float64) if np.ndim(value) else float(value)
    if to_unit in ("count", "sample", "unit", "minimum", "auto"):
        return v, ""
    return v, to_unit


def go_f2(v: float) -> str:
    """Go's ``%.2f`` (Python rounds the exact binary value the same way; NaN and the infinities
    are spelled as Go spells them)."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    return f"{v:.2f}"


def scaled_label(value: int, from_unit: str, to_unit: str) -> str:
    """pprof's ``measurement.ScaledLabel``: ``%.2f`` of the scaled value, ``.00`` dropped, the
    unit appended; ``"0"`` for zero."""
    v, u = scale(int(value), from_unit, to_unit)
    s = go_f2(v)
    if s.endswith(".00"):
        s = s[:-3]
    if s in ("0", "-0"):
        return "0"
    return s + u


def label(value: int, unit: str) -> str:
    """pprof's ``measurement.Label``: the value auto-scaled to a readable unit (``"64kB"``, ``"1.50s"``)."""
    return scaled_label(value, unit, "auto")
