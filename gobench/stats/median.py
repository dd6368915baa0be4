"""The median and its distribution-free confidence interval (benchmath's AssumeNothing summary)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral

from ..errors import OptionError
from ._mathx import choose, norm_cdf, norm_inv_cdf
from ._options import check_level

__all__ = ["QuantileCI", "quantile_ci", "median_ci_orders", "median", "min_samples_for_ci",
           "quantile_r8"]

_APPROX_THRESHOLD = 30


@dataclass(frozen=True)
class QuantileCI:
    """Order statistics bounding a quantile's confidence interval.

    Attributes
    ----------
    n : int
        Sample size.
    quantile : float
        The quantile (0.5 for the median).
    confidence : float
        Achieved coverage (>= the requested level unless the sample is too small).
    lo_order, hi_order : int
        1-based order statistics of the bounds; ``lo_order < 1`` means −∞ and
        ``hi_order > n`` means +∞.
    ambiguous : bool
        True when a tie between two equally likely extensions was broken (to the left).
    """

    n: int
    quantile: float
    confidence: float
    lo_order: int
    hi_order: int
    ambiguous: bool = False


def _binom_pmf(n: int, p: float, k: int) -> float:
    if k < 0 or k > n:
        return 0.0
    return choose(n, k) * math.pow(p, k) * math.pow(1 - p, n - k)


@lru_cache(maxsize=4096)
def quantile_ci(n: int, q: float = 0.5, confidence: float = 0.95) -> QuantileCI:
    """Order-statistic confidence interval for the *q* quantile of *n* samples.

    Mirrors go-moremath ``stats.QuantileCI``: for n ≤ 30 the interval grows one
    Binomial(n, q) PMF step at a time from the mode, preferring the left side on
    ties, until the accumulated probability reaches *confidence*; above 30 a normal
    approximation with continuity correction is rounded outward to order statistics
    and the top bound dropped if coverage allows.  ``confidence >= 1`` gives (−∞, +∞).

    Raises
    ------
    OptionError
        ``n`` is not an int ≥ 0, or ``q`` or ``confidence`` is not in [0, 1].
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 0:
        raise OptionError(f"n must be an int >= 0, not {n!r}")
    check_level("q", q)
    check_level("confidence", confidence)
    if confidence >= 1:
        return QuantileCI(n, q, 1.0, 0, n + 1)
    ambiguous = False
    if n <= _APPROX_THRESHOLD:
        x = int(math.ceil((n + 1) * q) - 1)
        if q == 0:
            x = 0
        accum = _binom_pmf(n, q, x)
        lo, hi = x, x + 1
        lp, rp = _binom_pmf(n, q, lo - 1), _binom_pmf(n, q, hi)
        ambiguous = rp == accum
        while accum < confidence and (lp > 0 or rp > 0):
            ambiguous = lp == rp
            if lp >= rp:
                accum += lp
                lo -= 1
                lp = _binom_pmf(n, q, lo - 1)
            else:
                accum += rp
                hi += 1
                rp = _binom_pmf(n, q, hi)
        conf = accum
    else:
        mu = n * q
        sigma = math.sqrt(n * q * (1 - q))
        alpha = (1 - confidence) / 2
        l1 = norm_inv_cdf(alpha, mu, sigma)
        r1 = 2 * mu - l1
        lo = int(math.floor(math.floor(l1 - 0.5) + 0.5)) + 1
        hi = int(math.floor(math.ceil(r1 - 0.5) + 0.5)) + 1

        def cdf(a, b):
            return norm_cdf(b - 0.5, mu, sigma) - norm_cdf(a - 0.5, mu, sigma)

        conf = cdf(lo, hi)
        biased = cdf(lo, hi - 1)
        if biased >= confidence and biased < conf:
            conf, ambiguous = biased, True
            hi -= 1
        if lo <= 0 and hi >= n + 1:
            conf, ambiguous = 1.0, False
    lo = max(lo, 0)
    hi = min(hi, n + 1)
    return QuantileCI(n, q, conf, lo, hi, ambiguous)


def median_ci_orders(n: int, confidence: float) -> tuple[int, int]:
    """``(lo_order, hi_order)`` of the median CI for *n* samples."""
    ci = quantile_ci(n, 0.5, confidence)
    return ci.lo_order, ci.hi_order


@lru_cache(maxsize=64)
def min_samples_for_ci(confidence: float) -> tuple[str, int]:
    """Smallest n with a finite median CI: ``(">=", n)``, or ``(">", 50)`` if none up to 50.

    Raises
    ------
    OptionError
        ``confidence`` is not in [0, 1].
    """
    check_level("confidence", confidence)
    for n in range(2, 51):
        lo, hi = median_ci_orders(n, confidence)
        if 0 < lo and hi <= n:
            return ">=", n
    return ">", 50


def quantile_r8(sorted_xs, q: float) -> float:
    """Hyndman–Fan R8 quantile of sorted values (benchstat's median for q=0.5)."""
    n = len(sorted_xs)
    if n == 0:
        return math.nan
    if q <= 0:
        return sorted_xs[0]
    if q >= 1:
        return sorted_xs[-1]
    h = 1 / 3.0 + q * (n + 1 / 3.0)
    frac, kf = math.modf(h)
    k = int(kf)
    if k <= 0:
        return sorted_xs[0]
    if k >= n:
        return sorted_xs[-1]
    a, b = sorted_xs[k - 1], sorted_xs[k]
    return a + frac * (b - a)


def median(sorted_xs) -> float:
    """Median of sorted values, computed as benchstat does (R8 quantile at 0.5)."""
    return quantile_r8(sorted_xs, 0.5)
