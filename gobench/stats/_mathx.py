"""Numeric helpers with go-moremath's floating-point behaviour (Choose, normal CDF/InvCDF)."""
from __future__ import annotations

import ctypes
import math
from functools import lru_cache

from ._gomath import go_exp, go_log

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


_LGAM_R = (1.39200533467621045958e+00, 7.21935547567138069525e-01, 1.71933865632803078993e-01,
           1.86459191715652901344e-02, 7.77942496381893596434e-04, 7.32668430744625636189e-06)
_LGAM_S = (-7.72156649015328655494e-02, 2.14982415960608852501e-01, 3.25778796408930981787e-01,
           1.46350472652464452805e-01, 2.66422703033638609560e-02, 1.84028451407337715652e-03,
           3.19475326584100867617e-05)
_LGAM_W = (4.18938533204672725052e-01, 8.33333333333329678849e-02, -2.77777777728775536470e-03,
           7.93650558643019558500e-04, -5.95187557450339963135e-04, 8.36339918996282139126e-04,
           -1.63092934096575273989e-03)


def _go_lgamma(x: float) -> float:
    """Go's ``math.Lgamma`` for x >= 2 (its port of fdlibm's e_lgamma_r, with Go's Log).

    glibc's lgamma differs from it in the last bit for some integers (14, 48, 74),
    which changes binomial coefficients above 20 and so median CIs and exact U tests.
    """
    if x == 2:
        return 0.0
    if x < 8:
        i = int(x)
        y = x - float(i)
        s0, s1, s2, s3, s4, s5, s6 = _LGAM_S
        r1, r2, r3, r4, r5, r6 = _LGAM_R
        p = y * (s0 + y * (s1 + y * (s2 + y * (s3 + y * (s4 + y * (s5 + y * s6))))))
        q = 1 + y * (r1 + y * (r2 + y * (r3 + y * (r4 + y * (r5 + y * r6)))))
        lg = 0.5 * y + p / q
        if i >= 3:
            z = 1.0
            for j in range(i - 1, 1, -1):     # (y+i-1)·…·(y+2), in Go's order
                z *= y + j
            lg += go_log(z)
        return lg
    if x < 2.0 ** 58:
        t = go_log(x)
        z = 1 / x
        y = z * z
        w0, w1, w2, w3, w4, w5, w6 = _LGAM_W
        w = w0 + z * (w1 + y * (w2 + y * (w3 + y * (w4 + y * (w5 + y * w6)))))
        return (x - 0.5) * (t - 1) + w
    return x * (go_log(x) - 1)


def lgamma(x: float) -> float:
    """log|Γ(x)| as Go's ``math.Lgamma`` (exactly for x = 1 and x >= 2; fdlibm's algorithm
    from the C library, or Python's, elsewhere)."""
    if x == 1:
        return 0.0
    if 2 <= x < math.inf:
        return _go_lgamma(x)
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
    return go_exp(a - b - c)


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
