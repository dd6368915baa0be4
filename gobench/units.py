"""Benchmark units as benchunit treats them: tidying, classes and scaling.

* :func:`tidy_unit` / :func:`tidy` – ``ns`` in a unit's numerator becomes ``sec``
  (value / 1e9) and ``MB`` becomes ``B`` (value * 1e6); ``ns/op`` → ``sec/op``,
  ``MB/s`` → ``B/s``; denominators are never changed (``ops/ns`` stays).
* :func:`class_of` – ``"binary"`` (IEC prefixes Ki, Mi, … powers of 1024) when a
  numerator token is ``B``, ``MB`` or ``bytes``; otherwise ``"decimal"`` (SI prefixes).
* :class:`Scaler`, :func:`common_scale`, :func:`scale` – the prefix and number of
  decimals benchstat picks for a row of values (from the smallest non-zero magnitude).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["tidy", "tidy_unit", "class_of", "Scaler", "common_scale", "scale",
           "DECIMAL", "BINARY", "better_direction"]

DECIMAL = "decimal"
BINARY = "binary"

_SEPARATORS = "*/-"


def _tokens(unit: str):
    """Yield ``(token, offset, in_denominator)`` for each token of *unit*."""
    denom = False
    i, n = 0, len(unit)
    while i < n:
        ch = unit[i]
        if ch == "*":
            denom = False
            i += 1
        elif ch == "/":
            denom = True
            i += 1
        elif ch == "-" or _go_space(ch):
            i += 1
        else:
            j = i
            while j < n and not (unit[j] in _SEPARATORS or _go_space(unit[j])):
                j += 1
            yield unit[i:j], i, denom
            i = j


def _go_space(ch: str) -> bool:
    # unicode.IsSpace: Python's isspace also accepts \x1c-\x1f, Go does not.
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f"


_FAST = {"ns/op": ("sec/op", 1e-9), "MB/s": ("B/s", 1e6),
         "B/op": ("B/op", 1.0), "allocs/op": ("allocs/op", 1.0)}


@lru_cache(maxsize=4096)
def tidy_unit(unit: str) -> tuple[str, float]:
    """Return ``(tidied_unit, factor)`` such that ``value * factor`` is in the tidied unit.

    Parameters
    ----------
    unit : str
        A unit as written in a benchmark result line, e.g. ``"ns/op"``, ``"gc-ns/op"``.

    Returns
    -------
    tuple of (str, float)
        ``("sec/op", 1e-9)`` for ``"ns/op"``; ``(unit, 1.0)`` when nothing changes.
    """
    fast = _FAST.get(unit)
    if fast is not None:
        return fast
    if "ns" not in unit and "MB" not in unit:
        return unit, 1.0
    factor = 1.0
    edits = []
    for tok, pos, denom in _tokens(unit):
        if denom:
            continue
        if tok == "ns":
            edits.append((pos, 2, "sec"))
            factor /= 1e9
        elif tok == "MB":
            edits.append((pos, 2, "B"))
            factor *= 1e6
    for pos, ln, rep in reversed(edits):
        unit = unit[:pos] + rep + unit[pos + ln:]
    return unit, factor


def tidy(value: float, unit: str) -> tuple[float, str]:
    """Tidy one measurement: ``tidy(598.5, "ns/op") == (5.985e-07, "sec/op")``."""
    new, factor = tidy_unit(unit)
    return value * factor, new


@lru_cache(maxsize=4096)
def class_of(unit: str) -> str:
    """``"binary"`` if a numerator token of *unit* is ``B``, ``MB`` or ``bytes``, else ``"decimal"``."""
    for tok, _, denom in _tokens(unit):
        if not denom and tok in ("B", "MB", "bytes"):
            return BINARY
    return DECIMAL


@dataclass(frozen=True)
class Scaler:
    """Formats values with a fixed prefix and number of decimals (benchunit.Scaler).

    Attributes
    ----------
    prec : int
        Digits after the decimal point.
    factor : float
        Value of one prefix unit (1000 for ``k``, 1024 for ``Ki``).
    prefix : str
        SI or IEC prefix, ``""`` for none.
    """

    prec: int
    factor: float
    prefix: str

    def format(self, value: float) -> str:
        """Format *value* scaled by this scaler, e.g. ``Scaler(3, 1e-6, "µ").format(5e-5)``."""
        v = value / self.factor
        if not math.isfinite(v):
            if v != v:
                return "NaN" + self.prefix
            return ("+Inf" if v > 0 else "-Inf") + self.prefix
        return f"{v:.{self.prec}f}{self.prefix}"


def _mk_factors(prefixes, base, exp0, step):
    out = []
    exp = exp0
    for p in prefixes:
        f = float(base) ** exp
        if base == 10:
            t100, t10, t1 = (float(f"99.995e{exp}"), float(f"9.9995e{exp}"), float(f".99995e{exp}"))
        else:
            t100 = float.fromhex(f"0x1.8ffae147ae148p{6 + exp}")
            t10 = float.fromhex(f"0x1.3ffbe76c8b439p{3 + exp}")
            t1 = float.fromhex(f"0x1.fff972474538fp{-1 + exp}")
        out.append((f, p, t100, t10, t1))
        exp -= step
    return out


_SI = _mk_factors(["T", "G", "M", "k", "", "m", "µ", "n"], 10, 12, 3)
_IEC = _mk_factors(["Ti", "Gi", "Mi", "Ki", ""], 2, 40, 10)
_SIGFIGS = [float(f"9.9995e{e}") for e in range(-1, -9, -1)]


def common_scale(values, cls: str) -> Scaler:
    """Choose one :class:`Scaler` for all *values* (benchunit.CommonScale).

    The smallest non-zero magnitude decides: the largest prefix f with
    ``min >= 99.995 f`` gets 1 decimal, ``>= 9.9995 f`` 2, ``>= 0.99995 f`` 3; values
    below every prefix get up to 10 decimals.  All zero gives 3 decimals, no prefix.
    """
    mn = 0.0
    for v in values:
        v = abs(v)
        if v != 0 and (mn == 0 or v < mn):
            mn = v
    if mn == 0:
        return Scaler(3, 1.0, "")
    factors = _IEC if cls == BINARY else _SI
    for f, p, t100, t10, t1 in factors:
        if mn >= t100:
            return Scaler(1, f, p)
        if mn >= t10:
            return Scaler(2, f, p)
        if mn >= t1:
            return Scaler(3, f, p)
    f, p = factors[-1][0], factors[-1][1]
    val = mn / f
    for i, thresh in enumerate(_SIGFIGS):
        if val >= thresh or i == len(_SIGFIGS) - 1:
            return Scaler(i + 3, f, p)
    raise AssertionError("unreachable")


def scale(value: float, cls: str) -> str:
    """Format one value with its own scale (benchunit.Scale)."""
    return common_scale([value], cls).format(value)


_LOWER_IS_BETTER = {"sec/op", "ns/op", "B/op", "allocs/op"}
_HIGHER_IS_BETTER = {"B/s", "MB/s"}


def better_direction(unit: str, metadata: str | None = None) -> str:
    """``"lower"`` or ``"higher"``: which way is better for *unit*.

    The ``Unit <unit> better=higher|lower`` metadata (benchfmt's unit metadata) wins
    when given; otherwise lower is better for time, bytes and counts per op
    (``sec/op``, ``B/op``, ``allocs/op``, any other unit) and higher is better for
    rates (``B/s``, any ``…/s``).  Used by ``gopherlab compare``'s gate, the delta
    charts and the benchmark history.
    """
    if metadata in ("lower", "higher"):
        return metadata
    if unit in _LOWER_IS_BETTER:
        return "lower"
    if unit in _HIGHER_IS_BETTER or unit.endswith("/s"):
        return "higher"
    return "lower"
