"""Checks of the runtime analyses' option values: a bad value is an :class:`~pprof_parse.errors.OptionError`.

The message names the option and what it accepts, as pprof's option errors do,
instead of the ``ZeroDivisionError``, empty frame or pandas ``TypeError`` the
value would otherwise cause further down.
"""

from __future__ import annotations

import math
import numbers

from pprof_parse.errors import OptionError

__all__ = ["check_count", "check_names", "check_number", "check_positive", "check_quantiles"]


def _real(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def check_positive(name: str, v) -> float:
    """``v`` as a float if it is a finite number > 0 (a window in seconds), else OptionError."""
    if not (_real(v) and math.isfinite(v) and v > 0):
        raise OptionError(f"{name} must be a positive number of seconds, not {v!r}")
    return float(v)


def check_quantiles(name: str, q) -> list[float]:
    """``q`` (a sequence of numbers in [0, 1]) as a list of floats, else OptionError."""
    qs = list(q) if not isinstance(q, (str, bytes)) and hasattr(q, "__iter__") else None
    if qs is None or not qs or not all(_real(x) and 0 <= x <= 1 for x in qs):
        raise OptionError(f"{name} must be a non-empty sequence of numbers in [0, 1], not {q!r}")
    return [float(x) for x in qs]


def check_count(name: str, v, *, allow_none: bool = False) -> int | None:
    """``v`` if it is an int >= 0 (or None when ``allow_none``), else OptionError."""
    if v is None and allow_none:
        return None
    if not (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0):
        raise OptionError(f"{name} must be a non-negative integer{' or None' if allow_none else ''}, not {v!r}")
    return int(v)


def check_number(name: str, v) -> float:
    """``v`` as a float if it is a finite number, else OptionError."""
    if not (_real(v) and math.isfinite(v)):
        raise OptionError(f"{name} must be a finite number, not {v!r}")
    return float(v)


def check_names(name: str, v) -> set[str]:
    """``v`` (an iterable of str, not one str) as a set, else OptionError."""
    items = list(v) if not isinstance(v, (str, bytes)) and hasattr(v, "__iter__") else None
    if items is None or not all(isinstance(x, str) for x in items):
        raise OptionError(f"{name} must be an iterable of function names (str), not {v!r}")
    return set(items)
