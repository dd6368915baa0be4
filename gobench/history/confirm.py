"""benchstat's statistics between two stretches of a benchmark's history.

A *segment* is a run of consecutive commits; its sample is every run of every
one of its commits, pooled.  Two segments are compared as benchstat compares two
columns (:mod:`gobench.stats`, not re-implemented here): the median of each with
its order-statistic confidence interval, and the two-sided Mann–Whitney U test
(exact or normal, as benchmath picks).

Segments are ranges ``[start, start + count)`` of one flat array of values (one
benchmark's runs in commit order, each commit's values sorted).  Engines: ``fast``
sorts every segment needed at once and runs :func:`gobench.stats.batch.medians_and_cis`
and :func:`gobench.stats.batch.utests` over all pairs together; ``reference`` takes
one pair at a time through :func:`gobench.stats.summary.summarize` and
:func:`gobench.stats.summary.compare` (the same numbers, tested).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gopherlab_common.engine import reference_engine

from ..stats.batch import group_sorted_values, medians_and_cis, utests
from ..stats.summary import compare, summarize

__all__ = ["PairStats", "compare_segments"]


@dataclass
class PairStats:
    """Per pair of segments (arrays of one length): the medians and confidence
    intervals of the left (``before``) and right (``after``) segment, and the U test's p."""

    before: np.ndarray
    before_lo: np.ndarray
    before_hi: np.ndarray
    after: np.ndarray
    after_lo: np.ndarray
    after_hi: np.ndarray
    p: np.ndarray


def _segments_fast(vals, starts, counts, confidence):
    """Each distinct segment sorted, with its median and CI: ``(sorted, seg_start, center, lo, hi, index)``
    where ``index`` maps a (start, count) key to the segment's row."""
    keys = np.unique(np.stack([starts, counts], axis=1), axis=0)
    seg_counts = keys[:, 1]
    group = np.repeat(np.arange(len(keys)), seg_counts)
    within = np.arange(int(seg_counts.sum())) - np.repeat(np.cumsum(seg_counts) - seg_counts, seg_counts)
    gathered = vals[np.repeat(keys[:, 0], seg_counts) + within]
    sorted_vals, _ = group_sorted_values(group, gathered, len(keys))
    seg_start = np.cumsum(seg_counts) - seg_counts
    center, lo, hi = medians_and_cis(sorted_vals, seg_start, seg_counts, confidence)
    index = {(int(a), int(b)): i for i, (a, b) in enumerate(keys.tolist())}
    return sorted_vals, seg_start, center, lo, hi, index


def _compare_fast(vals, left, right, confidence) -> PairStats:
    starts = np.concatenate([left[0], right[0]])
    counts = np.concatenate([left[1], right[1]])
    sorted_vals, seg_start, center, lo, hi, index = _segments_fast(vals, starts, counts, confidence)
    li = np.array([index[(int(a), int(b))] for a, b in zip(left[0].tolist(), left[1].tolist())], dtype=np.int64)
    ri = np.array([index[(int(a), int(b))] for a, b in zip(right[0].tolist(), right[1].tolist())], dtype=np.int64)
    p, _ = utests(sorted_vals, seg_start[li], left[1], seg_start[ri], right[1])
    return PairStats(center[li], lo[li], hi[li], center[ri], lo[ri], hi[ri], np.asarray(p, dtype=np.float64))


def _compare_reference(vals, left, right, confidence, alpha) -> PairStats:
    rows = []
    for a0, an, b0, bn in zip(left[0].tolist(), left[1].tolist(), right[0].tolist(), right[1].tolist()):
        before = sorted(vals[a0:a0 + an].tolist())
        after = sorted(vals[b0:b0 + bn].tolist())
        sb, sa = summarize(before, confidence=confidence), summarize(after, confidence=confidence)
        p = compare(before, after, alpha=alpha).p
        rows.append((sb.center, sb.lo, sb.hi, sa.center, sa.lo, sa.hi, p))
    cols = np.array(rows, dtype=np.float64).reshape(-1, 7).T
    return PairStats(*cols)


def compare_segments(vals: np.ndarray, left, right, *, confidence: float, alpha: float) -> PairStats:
    """Compare segment pairs of *vals*.

    Parameters
    ----------
    vals : ndarray of float64
        The flat array of runs (NaN-free).
    left, right : (starts, counts)
        Two int64 arrays each, one entry per pair: the segment before and after.
        Every count is at least 1.
    confidence : float
        Level of the median confidence intervals (benchstat's ``-confidence``).
    alpha : float
        The U test's level (only the reference engine's :func:`compare` takes it;
        p does not depend on it).

    Returns
    -------
    PairStats
        ``before``/``after`` are R8 medians (benchstat's), ``*_lo``/``*_hi`` ∓inf
        when a segment is too small for the interval, ``p`` is 1 when all values are equal.
    """
    left = (np.asarray(left[0], dtype=np.int64), np.asarray(left[1], dtype=np.int64))
    right = (np.asarray(right[0], dtype=np.int64), np.asarray(right[1], dtype=np.int64))
    if len(left[0]) == 0:
        empty = np.zeros(0)
        return PairStats(empty, empty, empty, empty, empty, empty, empty)
    if reference_engine():
        return _compare_reference(vals, left, right, confidence, alpha)
    return _compare_fast(vals, left, right, confidence)
