"""Per-sample summaries and pairwise comparisons (benchmath's assumptions).

* ``assume="nothing"`` (default): center = median, interval = order-statistics CI
  of the median, comparison = two-sided Mann–Whitney U test.
* ``assume="exact"`` (``Unit <unit> assume=exact``): center = mode, interval =
  [min, max] at confidence 1, a warning if the values differ; comparisons always
  report p = 0 so the delta is always shown.

Warnings are kept as strings, exactly the messages benchstat prints.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..present.gofmt import go_float, go_pct_delta
import numpy as np

from ._gomath import go_exp, go_log, go_log_array
from ._mathx import sign
from ._options import check_assume, check_level
from .median import median_ci_orders, min_samples_for_ci, quantile_r8
from ..errors import SamplesEqualError
from .utest import mann_whitney_u, min_samples_for_utest

__all__ = ["Summary", "Comparison", "summarize", "compare", "geomean", "geomeans", "geomeans_flat",
           "pct_range_string", "format_delta"]


@dataclass
class Summary:
    """Summary of one sample: ``center`` within [``lo``, ``hi``] at ``confidence``.

    ``lo``/``hi`` are ±inf when the sample is too small for the confidence level.
    """

    center: float
    lo: float
    hi: float
    confidence: float
    warnings: list[str] = field(default_factory=list)

    def pct_range(self) -> str:
        """The ``±`` text: ``"5%"``, ``"∞"``, ``"?"`` (see :func:`pct_range_string`)."""
        return pct_range_string(self.center, self.lo, self.hi)


@dataclass
class Comparison:
    """Comparison of a sample with its baseline: p-value, sizes, alpha, warnings."""

    p: float
    n1: int
    n2: int
    alpha: float
    warnings: list[str] = field(default_factory=list)

    def note(self) -> str:
        """``"p=0.442 n=8"`` / ``"p=0.057 n=4+5"``; no ``p=`` part when p is 0."""
        s = f"p={self.p:0.3f} " if self.p != 0 else ""
        if self.n1 == self.n2:
            return s + f"n={self.n1}"
        return s + f"n={self.n1}+{self.n2}"

    def significant(self) -> bool:
        """True when p ≤ alpha (benchstat shows ``~`` only when p > alpha)."""
        return not (self.p > self.alpha)

    def format_delta(self, old: float, new: float) -> str:
        """See :func:`format_delta`."""
        return format_delta(self, old, new)


def pct_range_string(center: float, lo: float, hi: float) -> str:
    """``max(hi/center − 1, 1 − lo/center)`` as a whole percentage.

    ``∞`` when a bound is infinite, ``?`` when the bounds and center differ in
    sign (NaN has sign 0, as Go's ``mathx.Sign``), ``0%`` when the center is 0.
    """
    if lo == -math.inf or hi == math.inf or lo == math.inf or hi == -math.inf:
        return "∞"
    if center > 0:
        if not (lo > 0 and hi > 0):
            return "?"
    elif center < 0:
        if not (lo < 0 and hi < 0):
            return "?"
    else:  # zero or NaN: sign 0
        if sign(lo) != 0 or sign(hi) != 0:
            return "?"
        if center == 0:
            return "0%"
    v = max(hi / center - 1, 1 - lo / center)
    if v != v:
        return "NaN%"
    v *= 100
    if math.isinf(v):   # hi/center overflows for subnormal centers; Go's %.0f says +Inf
        return "+Inf%" if v > 0 else "-Inf%"
    return f"{v:.0f}%"


def format_delta(cmp: Comparison, old: float, new: float) -> str:
    """The delta column: ``~`` if p > alpha, ``0.00%`` if equal, ``?`` if old is 0, else ``%+.2f%%``."""
    if cmp.p > cmp.alpha:
        return "~"
    if old == new:
        return "0.00%"
    if old == 0:
        return "?"
    return go_pct_delta((new / old - 1.0) * 100.0)


def summarize(sorted_values, assume: str = "nothing", confidence: float = 0.95) -> Summary:
    """Summarise a **sorted** sample (see module docstring).

    Raises
    ------
    OptionError
        ``assume`` is not ``"nothing"``/``"exact"``, or ``confidence`` is not in [0, 1].
    """
    check_assume(assume)
    check_level("confidence", confidence)
    xs = sorted_values
    n = len(xs)
    if assume == "exact":
        val, count = xs[0], 1
        mode, mode_count = val, 1
        for v in xs[1:]:
            if v == val:
                count += 1
                if count > mode_count:
                    mode, mode_count = val, count
            else:
                val, count = v, 1
        s = Summary(mode, xs[0], xs[-1], 1.0)
        if mode_count != n:
            s.warnings.append(f"exact distribution expected, but values range from "
                              f"{go_float(xs[0])} to {go_float(xs[-1])}")
        return s
    lo_o, hi_o = median_ci_orders(n, confidence)
    center = quantile_r8(xs, 0.5)
    lo = -math.inf if lo_o < 1 else xs[lo_o - 1]
    hi = math.inf if hi_o - 1 >= n else xs[hi_o - 1]
    s = Summary(center, lo, hi, confidence)
    if math.isinf(lo) or math.isinf(hi):
        op, need = min_samples_for_ci(confidence)
        s.warnings.append(f"need {op} {need} samples for confidence interval at level "
                          f"{go_float(confidence)}")
    return s


def compare(base, values, assume: str = "nothing", alpha: float = 0.05) -> Comparison:
    """Compare sample *values* with *base* (both any order).

    Raises
    ------
    OptionError
        ``assume`` is not ``"nothing"``/``"exact"``, or ``alpha`` is not in [0, 1].
    """
    check_assume(assume)
    check_level("alpha", alpha)
    n1, n2 = len(base), len(values)
    if assume == "exact":
        return Comparison(0.0, n1, n2, 0.0)
    try:
        res = mann_whitney_u(base, values)
    except SamplesEqualError as e:
        return Comparison(1.0, n1, n2, alpha, [str(e)])
    c = Comparison(res.p, n1, n2, alpha)
    if c.p > c.alpha:
        op, need = min_samples_for_utest(alpha)
        if n1 < need and n2 < need:
            c.warnings.append(f"need {op} {need} samples to detect a difference at alpha level "
                              f"{go_float(alpha)}")
    return c


def geomean(xs) -> float:
    """Geometric mean as go-moremath computes it (running mean of logs); NaN if empty or any x ≤ 0."""
    n = len(xs)
    if n == 0:
        return math.nan
    if n >= 16:
        arr = np.asarray(xs, dtype=np.float64)
        if not (arr > 0).all():
            # Go returns NaN at the first x <= 0; NaN values propagate to NaN too
            return math.nan
        logs = go_log_array(arr).tolist()
    else:
        logs = []
        for x in xs:
            if x <= 0:
                return math.nan
            logs.append(go_log(x))
    m = 0.0
    for i, lx in enumerate(logs):
        m += (lx - m) / (i + 1)
    return go_exp(m)


def geomeans(lists: list[list[float]]) -> list[float]:
    """:func:`geomean` of many lists at once (same bits; NaN for empty or non-positive lists)."""
    k = len(lists)
    if k == 0:
        return []
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=k)
    flat = np.fromiter((v for x in lists for v in x), dtype=np.float64, count=int(lens.sum()))
    return geomeans_flat(flat, lens)


def geomeans_flat(flat, lens) -> list[float]:
    """:func:`geomean` of consecutive runs of *flat* (``lens[i]`` values each) at once.

    The running mean of logs advances in lockstep over all runs with numpy,
    performing exactly the scalar recurrence ``m += (log x - m) / (i + 1)``.
    """
    lens = np.asarray(lens, dtype=np.int64)
    k = len(lens)
    if k == 0:
        return []
    width = int(lens.max())
    out = np.full(k, np.nan)
    if width == 0:
        return out.tolist()
    vals = np.ones((k, width))
    mask = np.arange(width)[None, :] < lens[:, None]
    vals[mask] = flat
    ok = (lens > 0) & np.where(mask, vals > 0, True).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = go_log_array(vals.ravel()).reshape(k, width)
        m = np.zeros(k)
        for i in range(width):
            live = i < lens
            m = np.where(live, m + (logs[:, i] - m) / (i + 1), m)
    res = out.tolist()
    for j in np.flatnonzero(ok).tolist():
        res[j] = go_exp(float(m[j]))
    return res
