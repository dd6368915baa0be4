"""``math.Log`` and ``math.Exp`` with the exact rounding of Go on amd64.

benchstat's CSV prints geomeans with every digit, so the last bit matters.
Go's amd64 ``Log`` is the classic fdlibm ``e_log`` reduction and polynomial;
its ``Exp`` reduces the argument by ln 2, scales it by 1/16, evaluates a Taylor
polynomial and squares four times, using fused multiply–adds on CPUs with FMA
(assumed here, as on every current x86-64 server).  Both are re-derived here
in plain Python; FMA is emulated exactly with integer arithmetic.
"""
from __future__ import annotations

import ctypes
import math
import struct

import numpy as np

__all__ = ["go_log", "go_log_array", "go_exp", "fma"]

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
       2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
       1.479819860511658591e-01)
_SQRT2_2 = 7.07106781186547524401e-01


def go_log(x: float) -> float:
    """Natural logarithm, rounded as Go's ``math.Log`` on amd64."""
    if math.isnan(x) or x == math.inf:
        return x
    if x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    if x < _MIN_NORMAL:
        f1, ki = _asm_frexp_subnormal(x)
    else:
        f1, ki = math.frexp(x)
    if f1 < _SQRT2_2:
        f1 *= 2
        ki -= 1
    return _log_reduced(f1 - 1, float(ki))


_MIN_NORMAL = 2.2250738585072014e-308


def _asm_frexp_subnormal(x: float) -> tuple[float, int]:
    """Frexp as Go's amd64 ``Log`` does it, with bit operations that do not normalise a
    subnormal: its mantissa bits under the exponent of 0.5, and exponent -1022.
    (So Go's Log(4e-320) is about Log(2**-1023); benchstat's geomean of 4e-320 is
    1.11253692925559e-308.)"""
    m = struct.unpack("<Q", struct.pack("<d", x))[0] & ((1 << 52) - 1)
    return 0.5 + m * 2.0 ** -53, -1022


def _log_reduced(f, k):
    """log(1+f) + k·ln2 by fdlibm's polynomial (floats or numpy arrays alike)."""
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    L1, L2, L3, L4, L5, L6, L7 = _LG
    t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)))
    t2 = s4 * (L2 + s4 * (L4 + s4 * L6))
    R = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + k * _LN2_LO)) - f)

def _c_fma():
    """The C library's ``fma`` (IEEE fused multiply-add, correctly rounded), or None.

    Looked up in glibc's ``libm.so.6``, else among the symbols the process has already
    loaded (``CDLL(None)``: CPython links the C math library); None where neither has
    it, and then :func:`_fma_exact` does the work."""
    for name in ("libm.so.6", None):
        try:
            f = ctypes.CDLL(name).fma
        except (OSError, AttributeError, TypeError):  # TypeError: CDLL(None) on Windows
            continue
        f.restype = ctypes.c_double
        f.argtypes = [ctypes.c_double, ctypes.c_double, ctypes.c_double]
        if f(0.1, 10.0, -1.0) == _fma_exact(0.1, 10.0, -1.0) != 0.1 * 10.0 - 1.0:
            return f
    return None


def fma(a: float, b: float, c: float) -> float:
    """Fused multiply–add ``a*b + c`` with a single rounding (the C library's, about ten
    times faster than :func:`_fma_exact`; the two are tested equal)."""
    return _fma(a, b, c)


def _fma_exact(a: float, b: float, c: float) -> float:
    """Fused multiply–add ``a*b + c`` with a single rounding (exact integer arithmetic)."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    if a == 0 or b == 0 or c == 0:
        return a * b + c  # only one rounding happens anyway
    fa, ea = math.frexp(a)
    fb, eb = math.frexp(b)
    fc, ec = math.frexp(c)
    ip = int(fa * _TWO53) * int(fb * _TWO53)
    ep = ea + eb - 106
    ic = int(fc * _TWO53)
    ec -= 53
    e = min(ep, ec)
    total = (ip << (ep - e)) + (ic << (ec - e))
    if total == 0:
        return 0.0
    # scale the exact integer down to at most 64 significant bits with a sticky
    # bit, so float() performs the one and only rounding
    shift = abs(total).bit_length() - 64
    if shift > 0:
        mag = abs(total)
        low = mag & ((1 << shift) - 1)
        mag = (mag >> shift) | (1 if low else 0)
        total = mag if total > 0 else -mag
        e += shift
    return math.ldexp(float(total), e)


_TWO53 = 9007199254740992.0
_fma = _c_fma() or _fma_exact


def go_log_array(xs):
    """:func:`go_log` element-wise on a numpy array (same operations, same bits)."""
    x = np.asarray(xs, dtype=np.float64)
    out = np.empty_like(x)
    special = ~(np.isfinite(x) & (x > 0))
    f1, ki = np.frexp(np.where(special, 1.0, x))
    sub = ~special & (x < _MIN_NORMAL)
    if sub.any():   # as Go's amd64 Log: subnormals are not normalised
        m = (x[sub].view(np.uint64) & np.uint64((1 << 52) - 1)).astype(np.float64)
        f1[sub] = 0.5 + m * 2.0 ** -53
        ki[sub] = -1022
    small = f1 < _SQRT2_2
    f1 = np.where(small, f1 * 2, f1)
    out[:] = _log_reduced(f1 - 1, (ki - small).astype(np.float64))
    if special.any():  # as go_log: NaN and +Inf unchanged, 0 -> -Inf, negative -> NaN
        xs = x[special]
        out[special] = np.where((xs != xs) | (xs == np.inf), xs,
                                np.where(xs == 0, -np.inf, np.nan))
    return out


_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_OVERFLOW = 7.09782712893384e+02
_TAYLOR = (2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
           8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
           0.5, 1.0)


def go_exp(x: float) -> float:
    """e**x, rounded as Go's ``math.Exp`` on amd64 with FMA."""
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf:
        return 0.0
    if x > _OVERFLOW:
        return math.inf
    k = round(x * _LOG2E)  # CVTSD2SL: round half to even
    kf = float(k)
    x = fma(-kf, _LN2U, x)
    x = fma(-kf, _LN2L, x)
    x *= 0.0625
    p = _TAYLOR[0]
    for c in _TAYLOR[1:]:
        p = fma(p, x, c)
    x = x * p
    for _ in range(3):
        x = x * (x + 2.0)
    x = fma(x, x + 2.0, 1.0)
    e = k + 0x3FF
    if e <= 0:
        if e < -52:
            return 0.0
        return x * math.ldexp(1.0, e + 0x3FE - 0x3FF) * math.ldexp(1.0, 1 - 0x3FF)
    if e >= 0x7FF:
        return math.inf
    return x * math.ldexp(1.0, k)
