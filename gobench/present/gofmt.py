"""Go's ``fmt`` float formats that benchstat output relies on."""
from __future__ import annotations

import math

__all__ = ["go_float", "go_g", "go_pct_delta"]


def go_float(x: float) -> str:
    """Format *x* as Go's ``%v`` / ``fmt.Sprint`` does for a float64.

    Shortest round-trip digits (as Python's ``repr``); exponent form iff the decimal
    exponent is < -4 or >= 6 (strconv 'g' with precision -1), with at least two
    exponent digits: ``1e+06``, ``1.234567e+06``, ``123456.7``, ``1e-05``, ``0.0001``.
    ``NaN``, ``+Inf``, ``-Inf`` as Go spells them.
    """
    return go_g(x, 6)


def go_pct_delta(x: float) -> str:
    """Go's ``fmt.Sprintf("%+.2f%%", x)``: ``+12.34%``, and ``+Inf%``, ``-Inf%``, ``+NaN%``
    (Python would say ``+inf%`` and ``+nan%``)."""
    if x != x:
        return "+NaN%"
    if math.isinf(x):
        return "+Inf%" if x > 0 else "-Inf%"
    return f"{x:+.2f}%"


def go_g(x: float, eprec: int = 6) -> str:
    """Shortest ``%g``-style formatting with Go's exponent threshold *eprec*."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    r = repr(x)
    sign = ""
    if r[0] == "-":
        sign, r = "-", r[1:]
    # decompose repr into digits and decimal exponent
    if "e" in r:
        mant, e = r.split("e")
        e = int(e)
    else:
        mant, e = r, 0
    if "." in mant:
        ip, fp = mant.split(".")
    else:
        ip, fp = mant, ""
    if fp == "0":
        fp = ""
    digits = (ip + fp).lstrip("0")
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    # dp: position of decimal point relative to start of digits
    dp = len(ip) + e - lead_zeros
    digits = digits.rstrip("0") or "0"
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        es = "-" if exp < 0 else "+"
        ae = abs(exp)
        return f"{sign}{m}e{es}{ae:02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * (-dp)}{digits}"
    if dp >= len(digits):
        return f"{sign}{digits}{'0' * (dp - len(digits))}"
    return f"{sign}{digits[:dp]}.{digits[dp:]}"
