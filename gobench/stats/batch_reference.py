"""The plain reference of :mod:`gobench.stats.batch`: one cell at a time.

Selected by ``GOPHERLAB_ENGINE=reference`` (:mod:`gopherlab_common.engine`).
Each function loops over the cells (or pairs of cells) and calls the per-sample
functions benchstat's statistics are written as (:func:`~gobench.stats.summary.summarize`,
:func:`~gobench.stats.utest.mann_whitney_u`, Python's ``sorted``), so it gives the
same numbers as the vectorised functions, bit for bit: those perform the same
floating-point operations in the same order.  Slow on big runs, and meant to be.

Layout of the inputs, as in :mod:`gobench.stats.batch`: a run's values are one
flat array; cell *i* is the slice ``values[starts[i]:starts[i] + counts[i]]``,
sorted.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import SamplesEqualError
from .summary import summarize
from .utest import mann_whitney_u

__all__ = ["go_sorted", "group_value_order", "group_sorted_values", "sorted_by_slots",
           "medians_and_cis", "utests"]


def _go_order_key(v: float) -> tuple:
    """Sort key of Go's ``sort.Float64s``: NaN before every number, numbers ascending."""
    return (0, 0.0) if math.isnan(v) else (1, v)


def go_sorted(values) -> list[float]:
    """*values* sorted as Go's ``sort.Float64s`` sorts them (NaN first), as a list."""
    return sorted(values, key=_go_order_key)


def group_value_order(group: np.ndarray, values: np.ndarray, ngroups: int) -> np.ndarray:
    """Positions of *values* sorted by *group*, then by value (NaN first, as Go).

    Same contract as :func:`gobench.stats.batch.group_value_order`; ties keep
    their input order (a stable sort).
    """
    g, v = group.tolist(), values.tolist()
    order = sorted(range(len(v)), key=lambda i: (g[i], _go_order_key(v[i])))
    return np.array(order, dtype=np.int64)


def group_sorted_values(group: np.ndarray, values: np.ndarray, ngroups: int):
    """``(sorted_values, counts)``: each group's values sorted (NaN first), groups in order.

    ``counts[k]`` is the number of values of group *k*, for k in ``range(ngroups)``.
    """
    cells: list[list[float]] = [[] for _ in range(ngroups)]
    for k, v in zip(group.tolist(), values.tolist()):
        cells[k].append(v)
    flat = [v for cell in cells for v in go_sorted(cell)]
    counts = np.array([len(cell) for cell in cells], dtype=np.int64)
    return np.array(flat, dtype=np.float64), counts


def sorted_by_slots(group: np.ndarray, slot: np.ndarray, values: np.ndarray, ngroups: int):
    """:func:`group_sorted_values` when every value has its own *slot* within its group.

    None when there are no values, two values share a slot of one group, or a
    value is NaN: the preconditions of the vectorised function.  (That one also
    steps aside when its padded matrix would be mostly padding, a question of
    speed only; the caller then calls :func:`group_sorted_values`, which gives
    the same result.)
    """
    if len(values) == 0 or any(math.isnan(v) for v in values.tolist()):
        return None
    seen: set[tuple[int, int]] = set()
    for k, s in zip(group.tolist(), slot.tolist()):
        if (k, s) in seen:
            return None
        seen.add((k, s))
    return group_sorted_values(group, values, ngroups)


def medians_and_cis(values: np.ndarray, starts: np.ndarray, counts: np.ndarray,
                    confidence: float):
    """``(center, lo, hi)`` arrays: each cell's :func:`summarize` (median and its CI).

    ``lo``/``hi`` are ∓inf where the confidence interval needs more samples.
    Raises :class:`~gobench.errors.OptionError` for a confidence outside [0, 1].
    """
    center, lo, hi = [], [], []
    for s, n in zip(starts.tolist(), counts.tolist()):
        summary = summarize(values[s:s + n].tolist(), "nothing", confidence)
        center.append(summary.center)
        lo.append(summary.lo)
        hi.append(summary.hi)
    return (np.array(center, dtype=np.float64), np.array(lo, dtype=np.float64),
            np.array(hi, dtype=np.float64))


def utests(values: np.ndarray, a_start, a_count, b_start, b_count):
    """``(p, equal)``: the two-sided :func:`mann_whitney_u` of each pair of cells.

    Pair *i* compares the baseline cell at ``a_start[i]`` (``a_count[i]``
    values) with the cell at ``b_start[i]``.  Where the test finds all samples
    equal, ``p`` is 1.0 and ``equal`` is True (benchstat's ``all samples are
    equal``).  Raises ``ValueError`` for an empty cell, as :func:`mann_whitney_u`.
    """
    pairs = zip(np.asarray(a_start).tolist(), np.asarray(a_count).tolist(),
                np.asarray(b_start).tolist(), np.asarray(b_count).tolist())
    p, equal = [], []
    for sa, na, sb, nb in pairs:
        try:
            p.append(mann_whitney_u(values[sa:sa + na], values[sb:sb + nb]).p)
            equal.append(False)
        except SamplesEqualError:
            p.append(1.0)
            equal.append(True)
    return np.array(p, dtype=np.float64), np.array(equal, dtype=bool)
