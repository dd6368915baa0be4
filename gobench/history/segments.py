"""Candidate change points of one benchmark's per-commit medians, by ruptures.

The signal is a series of per-commit medians (one value per commit, in commit
order).  It is put on a log scale (a step is then a ratio, the same for a fast
and a slow benchmark) when every median is positive, and divided by the
commit-to-commit noise, estimated robustly: σ = 1.4826 · median|xᵢ₊₁ − xᵢ| / √2
(the median absolute difference of neighbours: a few steps move only a few
differences, so σ is the noise, not the changes; at least :data:`SIGMA_FLOOR`,
so a constant series is not divided by zero).  A Hampel filter then holds each
commit within :data:`CLIP_SIGMAS` σ of the median of the :data:`HAMPEL_WINDOW`
commits around it: on a loaded machine single commits run 2–3× slow, and such a
commit must not pull a segment boundary to itself.

Segmentation: the optimal partition under a penalty per change point, minimising
Σ over segments of Σ (zᵢ − segment mean)² + pen · (number of changes) (least
squares, ruptures' ``l2`` cost), found exactly by PELT (Killick et al. 2012).
With unit noise, a change of size Δ between segments of n₁ and n₂ commits lowers
the cost by n₁n₂/(n₁+n₂) · Δ²; ``pen`` = :data:`PENALTY_PER_LOG_T` · ln T keeps
pure noise whole (the largest chance gain grows like ln T); at T = 40 (pen 22)
a step of 2.1σ between two halves of 20 commits is a candidate, and one of 2.9σ
with only 3 commits at the new level.  Calibrated on
simulated histories (200 benchmarks, 5 runs a commit, 3 % run noise and
heavy-tailed Student-t(3) commit noise): no false change point at T = 10 and 40,
1 % of benchmarks at T = 200, while 95–99 % of ±10 % steps at T = 40 are found
(``benchmarks/bench_history.py`` has the timing).  Segments span at least
:data:`MIN_COMMITS` commits; every candidate is then confirmed or dropped by
:mod:`gobench.history.confirm` on the raw runs.

Engines: ``fast`` runs ruptures' C implementation (``KernelCPD`` with the linear
kernel, which is the ``l2`` cost); ``reference`` runs ruptures' plain ``Pelt``
with the ``l2`` cost (``jump=1``: every commit is a possible change point), the
same optimisation in Python.  Both give the same change points (tested).
"""
from __future__ import annotations

import math

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import LazyModule

__all__ = ["candidate_breaks", "standardized", "SIGMA_FLOOR", "PENALTY_PER_LOG_T", "MIN_COMMITS"]

rpt = LazyModule("ruptures")

#: Smallest noise σ, in log units (0.1 %) or, for a signal that is not all positive,
#: as a fraction of its largest magnitude.
SIGMA_FLOOR = 1e-3
#: The penalty per change point is this times ln(number of commits).
PENALTY_PER_LOG_T = 6.0
#: Fewest commits in a segment.
MIN_COMMITS = 3
#: A commit counts for at most this many σ away from its neighbourhood's median...
CLIP_SIGMAS = 3.0
#: ...over this many commits centred on it.
HAMPEL_WINDOW = 5


def standardized(medians: np.ndarray) -> np.ndarray:
    """The per-commit medians on a log scale (when all positive) in units of their noise σ.

    NaN medians must have been removed.  Returns a float64 array of the same length.
    """
    x = np.asarray(medians, dtype=np.float64)
    positive = bool((x > 0).all())
    if positive:
        x = np.log(x)
        floor = SIGMA_FLOOR
    else:
        floor = SIGMA_FLOOR * (float(np.abs(x).max()) or 1.0)
    d = np.abs(np.diff(x))
    sigma = 1.4826 * float(np.median(d)) / math.sqrt(2) if len(d) else 0.0
    sigma = max(sigma, floor)
    z = (x - float(np.median(x))) / sigma
    return _hampel(z)


def _hampel(z: np.ndarray) -> np.ndarray:
    """*z* with each value held within :data:`CLIP_SIGMAS` of the median of the
    :data:`HAMPEL_WINDOW` commits around it (a Hampel filter): one or two odd
    commits lose their pull, a level that lasts is the local median."""
    half = HAMPEL_WINDOW // 2
    if len(z) < HAMPEL_WINDOW:
        return z
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(z, half, mode="edge"), HAMPEL_WINDOW)
    local = np.median(windows, axis=1)
    return np.clip(z, local - CLIP_SIGMAS, local + CLIP_SIGMAS)


def candidate_breaks(medians: np.ndarray) -> list[int]:
    """Indices ``i`` (0 < i < T) where a new level starts at commit ``i``, ascending.

    Parameters
    ----------
    medians : ndarray of float64, shape (T,)
        One benchmark and unit's per-commit medians, in commit order, no NaN.

    Returns
    -------
    list of int
        Empty when T < 2 · :data:`MIN_COMMITS` or nothing beats the penalty.
    """
    t = len(medians)
    if t < 2 * MIN_COMMITS:
        return []
    z = standardized(medians)
    if not np.any(z != z[0]):
        return []
    pen = PENALTY_PER_LOG_T * math.log(t)
    if reference_engine():
        algo = rpt.Pelt(model="l2", min_size=MIN_COMMITS, jump=1).fit(z)
    else:
        algo = rpt.KernelCPD(kernel="linear", min_size=MIN_COMMITS).fit(z.reshape(-1, 1))
    return [int(b) for b in algo.predict(pen=pen)[:-1]]
