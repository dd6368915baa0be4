"""Numeric helpers with go-moremath's floating-point behaviour (Choose, normal CDF/InvCDF)."""
from __future__ import annotations

import ctypes
import math
from functools import lru_cache

__all__ = ["choose", "lgamma", "norm_cdf", "norm_inv_cdf", "sign"]

_libm = None
for _name in ("libm.so.6", "libm.dylib", None):
    try:  # glibc's lgamma is fdlibm's, as Go's math.Lgamma
        if _name is None:
            import ctypes.util
            _name = ctypes.util.find_library("m")
            if not _name:
                break
        _libm = ctypes.CDLL(_name)
        _libm.lgamma.restype = ctypes.c_double
        _libm.lgamma.argtypes = [ctypes.c_double]
        break
    except (OSError, AttributeError):
        _libm = None


def lgamma(x: float) -> float:
    """log|Γ(x)| (fdlibm algorithm when the C library provides it)."""
    if _libm is not None:
        return _libm.lgamma(x)
    return math.lgamma(x)  # pragma: no cover


_SMALL_FACT = [math.factorial(n) for n in range(21)]


@lru_cache(maxsize=None)
def choose(n: int, k: int) -> float:
    """Binomial coefficient as a float: exact up to n=20, ``exp(lchoose)`` above (as Go)."""
    if k == 0 or k == n:
        return 1.0
    if k < 0 or n < k:
        return 0.0
    if n <= 20:
        numer = 1
        for n1 in range(n - (k - 1), n + 1):
            numer *= n1
        return float(numer // _SMALL_FACT[k])
    a = lgamma(float(n + 1))
    b = lgamma(float(k + 1))
    c = lgamma(float(n - k + 1))
    return math.exp(a - b - c)


def sign(x: float) -> int:
    """-1, 0 or 1 (0 for NaN)."""
    if x < 0:
        return -1
    if x > 0:
        return 1
    return 0


def norm_cdf(x: float, mu: float = 0.0, sigma: float = 1.0) -> float:
    """Normal CDF as ``erfc(-(x-mu)/(sigma*sqrt2))/2``."""
    return math.erfc(-(x - mu) / (sigma * math.sqrt(2))) / 2


# Acklam's rational approximation of the inverse normal CDF, plus one Halley step.
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
      3.754408661907416e+00)


def norm_inv_cdf(p: float, mu: float = 0.0, sigma: float = 1.0) -> float:
    """Inverse normal CDF (Acklam's algorithm refined by one Halley step)."""
    if p < 0 or p > 1:
        return math.nan
    if p == 0:
        return -math.inf
    if p == 1:
        return math.inf
    plow = 0.02425
    if p < plow or 1 - plow < p:
        q = math.sqrt(-2 * math.log(p if p < plow else 1 - p))
        x = ((((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5])
             / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1))
        if p >= plow:
            x = -x
    else:
        q = p - 0.5
        r = q * q
        x = ((((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
             / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1))
    e = 0.5 * math.erfc(-x / math.sqrt(2)) - p
    u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    x = x - u / (1 + x * u / 2)
    return x * sigma + mu
