"""Checks of the option values the statistics take: ``assume``, ``confidence``, ``alpha``."""
from __future__ import annotations

import math
from numbers import Real

from ..errors import OptionError

ASSUMPTIONS = ("nothing", "exact")


def check_assume(assume) -> str:
    """Return ``assume`` if it is one of benchmath's assumptions (``Unit … assume=``), else raise.

    Raises
    ------
    OptionError
        ``assume`` is not ``"nothing"`` or ``"exact"``.
    """
    if assume not in ASSUMPTIONS:
        raise OptionError(f"assume must be one of {', '.join(map(repr, ASSUMPTIONS))}, not {assume!r}")
    return assume


def check_level(name: str, value) -> float:
    """Return ``value`` if it is a number in [0, 1], benchstat's range for ``-alpha`` and ``-confidence``.

    Raises
    ------
    OptionError
        ``value`` is not a real number (bools neither), is NaN, or lies outside [0, 1].
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise OptionError(f"{name} must be a number in [0, 1], not {type(value).__name__}")
    if math.isnan(value) or not 0 <= value <= 1:
        raise OptionError(f"{name} must be in range [0, 1], not {value!r}")
    return value
