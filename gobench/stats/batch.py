"""Vectorised summaries and U tests over many cells at once.

Same numbers as :func:`gobench.stats.summary.summarize` and
:func:`gobench.stats.utest.mann_whitney_u` (bit for bit: the same floating-point
operations in the same order), but one numpy pass over every cell of a run
instead of a Python call per cell.  Cells are slices ``[start, start+count)`` of
one flat array of values sorted within each cell.

Each public function has a plain counterpart in :mod:`gobench.stats.batch_reference`
(one cell at a time, with the per-sample functions), which runs instead when
``GOPHERLAB_ENGINE=reference`` (:func:`gopherlab_common.engine.reference_engine`).
"""
from __future__ import annotations

import math

import numpy as np

from gopherlab_common.engine import reference_engine

from .._arrays import distinct
from . import batch_reference
from ._mathx import norm_cdf
from .median import median_ci_orders
from .utest import (EXACT_LIMIT, TIES_EXACT_LIMIT, _u_cdf_table, exact_tied_u_cdf)

__all__ = ["medians_and_cis", "utests", "group_value_order", "group_sorted_values",
           "sorted_by_slots"]


def group_value_order(group: np.ndarray, values: np.ndarray, ngroups: int) -> np.ndarray:
    """Permutation sorting by *group*, then by value within a group (NaN first, as Go).

    Equivalent to ``np.lexsort((values, group))`` up to the order of equal values.
    The group ids are radix-sorted (stable, 16-bit digits); when the groups have
    similar sizes each group's values are then sorted as one row of a padded
    matrix (sorting many short rows is much cheaper than one long sort), else one
    quicksort of all values precedes the radix passes.
    """
    if reference_engine():
        return batch_reference.group_value_order(group, values, ngroups)
    n = len(values)
    nan = np.isnan(values)
    if nan.any():
        return np.lexsort((np.where(nan, 0.0, values), ~nan, group))
    counts = np.bincount(group, minlength=ngroups) if n else np.zeros(ngroups, np.int64)
    width = int(counts.max()) if n else 0
    if n and ngroups * width <= 2 * n + 4096:
        order = np.arange(n)
        if (group[1:] < group[:-1]).any():
            order = _radix(group, order, ngroups)
        starts = np.cumsum(counts) - counts
        g = group[order]
        within = np.arange(n) - starts[g]
        m = np.full((ngroups, width), np.inf)
        m[g, within] = values[order]
        # a real +inf must stay ahead of the padding: then the sort must be stable
        stable = bool(np.isposinf(values).any())
        p = np.argsort(m, axis=1, kind="stable" if stable else None)
        keep = np.arange(width)[None, :] < counts[:, None]
        return order[(starts[:, None] + p)[keep]]
    order = np.argsort(values, kind="quicksort")
    return _radix(group, order, ngroups)


def group_sorted_values(group: np.ndarray, values: np.ndarray, ngroups: int):
    """``values`` sorted by *group*, then by value (NaN first, as Go), and the group sizes.

    The values of :func:`group_value_order` without the permutation: when the
    groups have similar sizes each group is one row of a padded matrix sorted in
    place (``+inf`` padding sorts last; ties with a real ``+inf`` are the same value).
    """
    if reference_engine():
        return batch_reference.group_sorted_values(group, values, ngroups)
    n = len(values)
    counts = np.bincount(group, minlength=ngroups) if n else np.zeros(ngroups, np.int64)
    width = int(counts.max()) if n else 0
    if n == 0 or np.isnan(values).any() or ngroups * width > 2 * n + 4096:
        return values[group_value_order(group, values, ngroups)], counts
    order = np.arange(n)
    if (group[1:] < group[:-1]).any():
        order = _radix(group, order, ngroups)
    starts = np.cumsum(counts) - counts
    g = group[order]
    m = np.full((ngroups, width), np.inf)
    m[g, np.arange(n) - starts[g]] = values[order]
    m.sort(axis=1)
    return m[np.arange(width)[None, :] < counts[:, None]], counts


def sorted_by_slots(group: np.ndarray, slot: np.ndarray, values: np.ndarray, ngroups: int):
    """:func:`group_sorted_values` when every value already has a distinct *slot* within
    its group: each group is one row of a padded matrix (``+inf`` padding, sorted last;
    ties with a real ``+inf`` are the same value), sorted in place.

    None when slots collide, the matrix would be mostly padding, or there are NaNs
    (Go sorts them first; the general function handles that).
    """
    if reference_engine():
        return batch_reference.sorted_by_slots(group, slot, values, ngroups)
    n = len(values)
    if n == 0:
        return None
    width = int(slot.max()) + 1
    if ngroups * width > 2 * n + 4096 or np.isnan(values).any():
        return None
    flat = group * width + slot
    used = np.zeros(ngroups * width, dtype=bool)
    used[flat] = True
    if np.count_nonzero(used) < n:      # two values in one slot
        return None
    del used
    m = np.full(ngroups * width, np.inf)
    m[flat] = values
    m = m.reshape(ngroups, width)
    m.sort(axis=1)
    counts = np.bincount(group, minlength=ngroups)
    return m[np.arange(width)[None, :] < counts[:, None]], counts


def _radix(group: np.ndarray, order: np.ndarray, ngroups: int) -> np.ndarray:
    """Stable sort of *order* by ``group[order]`` in 16-bit digits."""
    if ngroups <= 1 << 16 and len(order) and order[0] == 0 and order[-1] == len(order) - 1 \
            and len(order) == len(group):
        if (order[1:] > order[:-1]).all():   # the identity: one counting pass, no gathers
            return np.argsort(group.astype(np.uint16), kind="stable")
    g = group[order]
    shift = 0
    while True:
        digit = ((g >> shift) & 0xFFFF).astype(np.uint16)
        o = np.argsort(digit, kind="stable")
        order, g = order[o], g[o]
        shift += 16
        if (1 << shift) >= max(ngroups, 1):
            break
    return order


def medians_and_cis(values: np.ndarray, starts: np.ndarray, counts: np.ndarray,
                    confidence: float):
    """Median (R8) and order-statistic CI of each cell (as :func:`~gobench.stats.summary.summarize`).

    Cells of equal size share one set of order statistics, so each size is one
    vectorised gather.  Every cell holds at least one value.

    Returns
    -------
    center, lo, hi : ndarray of float64
        ``lo``/``hi`` are ∓inf where the CI needs more samples.

    Raises
    ------
    OptionError
        ``confidence`` is not in [0, 1].
    """
    if reference_engine():
        return batch_reference.medians_and_cis(values, starts, counts, confidence)
    center = np.empty(len(starts))
    lo = np.empty(len(starts))
    hi = np.empty(len(starts))
    for n in distinct(counts).tolist():
        sel = np.flatnonzero(counts == n)
        s = starts[sel]
        h = 1 / 3.0 + 0.5 * (n + 1 / 3.0)
        frac, kf = math.modf(h)
        k = int(kf)
        if k <= 0:
            center[sel] = values[s]
        elif k >= n:
            center[sel] = values[s + n - 1]
        else:
            a = values[s + k - 1]
            b = values[s + k]
            center[sel] = a + frac * (b - a)
        lo_o, hi_o = median_ci_orders(n, confidence)
        lo[sel] = -np.inf if lo_o < 1 else values[s + lo_o - 1]
        hi[sel] = np.inf if hi_o - 1 >= n else values[s + hi_o - 1]
    return center, lo, hi


def _rank_stats_block(values, a_start, b_start, n1: int, n2: int):
    """Rank statistics of pairs of sorted samples all of sizes *n1* and *n2*.

    Each pair is one row ``[a | b]`` of a matrix; a stable row sort merges the two
    sorted runs.  Returns twice the rank sum of *a* (mid-ranks, 1-based), the tie
    term Σ(t³ − t) over the pooled tie groups, the number of tie groups, and per row
    the group-start mask of the pooled sorted values (for the tie sizes of the exact
    tied test).  The sums run over the tie groups of all rows at once: a group
    starting at position g with t members, k of them from *a*, adds k·(2g + t + 1)
    to the rank sum (its mid-rank, doubled, is 2g + t + 1).
    """
    n = n1 + n2
    rows = len(a_start)
    m = np.empty((rows, n))
    m[:, :n1] = values[a_start[:, None] + np.arange(n1)]
    m[:, n1:] = values[b_start[:, None] + np.arange(n2)]
    order = np.argsort(m, axis=1, kind="stable")
    sv = np.take_along_axis(m, order, axis=1)
    new = np.empty(m.shape, dtype=bool)
    new[:, 0] = True
    np.not_equal(sv[:, 1:], sv[:, :-1], out=new[:, 1:])
    start = np.flatnonzero(new)                      # every group, row by row
    size = np.diff(start, append=rows * n)           # a row's last group ends with it
    before = np.zeros(rows * n + 1, dtype=np.int32)  # members of a before each position
    np.cumsum((order < n1).ravel(), out=before[1:])
    from_a = before[start + size] - before[start]
    row, g = np.divmod(start, n)
    r1x2 = np.bincount(row, weights=from_a * (2 * g + size + 1), minlength=rows)
    tie_t = np.bincount(row, weights=size * size * size - size, minlength=rows)
    ngroups = np.bincount(row, minlength=rows)
    return r1x2, tie_t, ngroups, new


#: pooled values ranked at a time by :func:`_rank_stats` (a block's temporaries stay
#: small and are reused: one block of all 1M pooled values of case B raised the build's
#: traced peak from 71 to 89 MB, and fresh pages are slow on the project's VMs)
RANK_BLOCK_VALUES = 1 << 16


def _rank_stats(values, a_start, a_count, b_start, b_count):
    """Per pair: ``(r1x2, tie_t, ngroups, tie_sizes)`` (see :func:`_rank_stats_block`);
    ``tie_sizes(i)`` lists pair *i*'s pooled tie-group sizes in ascending value order.

    Pairs of equal sizes are done a block of rows at a time; NaN-free values only (None
    otherwise, or when there are too many different sizes for blocks to pay).
    """
    npair = len(a_start)
    size_key = a_count.astype(np.int64) * (1 << 32) + b_count
    keys, inv = np.unique(size_key, return_inverse=True)
    if len(keys) > 64 or np.isnan(values).any():
        return None
    inv = inv.reshape(-1)
    r1x2 = np.empty(npair)
    tie_t = np.empty(npair)
    ngroups = np.empty(npair, dtype=np.int64)
    where: dict[int, list] = {}
    for k, key in enumerate(keys.tolist()):
        sel_all = np.flatnonzero(inv == k) if len(keys) > 1 else np.arange(npair)
        n1, n2 = divmod(key, 1 << 32)
        step = max(1, RANK_BLOCK_VALUES // max(n1 + n2, 1))
        where[k] = []
        for c in range(0, len(sel_all), step):
            sel = sel_all[c:c + step]
            r1x2[sel], tie_t[sel], ngroups[sel], new = _rank_stats_block(
                values, a_start[sel], b_start[sel], n1, n2)
            where[k].append((sel, new))

    def tie_sizes(i: int) -> tuple:
        for sel, new in where[int(inv[i])]:
            if sel[0] <= i <= sel[-1]:
                row = new[int(np.searchsorted(sel, i))]
                return tuple(np.diff(np.append(np.flatnonzero(row), len(row))).tolist())
        raise KeyError(i)

    return r1x2, tie_t, ngroups, tie_sizes


def _rank_stats_sorted(values, a_start, a_count, b_start, b_count):
    """:func:`_rank_stats` by one sort of all pooled values (pairs of any sizes)."""
    npair = len(a_start)
    tot = a_count + b_count
    pair = np.repeat(np.arange(npair), tot)
    offs = np.cumsum(tot) - tot
    within = np.arange(int(tot.sum())) - np.repeat(offs, tot)
    from_a = within < np.repeat(a_count, tot)
    src = np.where(from_a, np.repeat(a_start, tot) + within,
                   np.repeat(b_start - a_count, tot) + within)
    v = values[src]
    order = group_value_order(pair, v, npair)
    v, pair_s, from_a = v[order], pair[order], from_a[order]
    rank0 = np.arange(len(v)) - np.repeat(offs, tot)  # 0-based rank within the pair
    newgrp = np.ones(len(v), dtype=bool)
    newgrp[1:] = (v[1:] != v[:-1]) | (pair_s[1:] != pair_s[:-1])
    gstart = np.flatnonzero(newgrp)
    gend = np.append(gstart[1:], len(v))
    gsize = gend - gstart
    gpair = pair_s[gstart]
    # twice the mid-rank (1-based) of each group
    g_mid2 = rank0[gstart] * 2 + gsize + 1
    na_in_g = np.add.reduceat(from_a.astype(np.int64), gstart)
    r1x2 = np.bincount(gpair, weights=(na_in_g * g_mid2).astype(np.float64), minlength=npair)
    ngroups = np.bincount(gpair, minlength=npair)
    tie_t = np.bincount(gpair, weights=(gsize ** 3 - gsize).astype(np.float64), minlength=npair)
    gptr = np.searchsorted(gpair, np.arange(npair + 1))
    gs_list = gsize.tolist()

    def tie_sizes(i: int) -> tuple:
        return tuple(gs_list[gptr[i]:gptr[i + 1]])

    return r1x2, tie_t, ngroups, tie_sizes


def utests(values: np.ndarray, a_start, a_count, b_start, b_count):
    """Two-sided Mann–Whitney U tests of cell pairs (baseline a, compared b).

    Each cell's values are sorted (``values[start:start + count]``).  Pairs with a
    NaN are tested one at a time (see :func:`_pairs_with_nan`).  The method
    of each pair is :func:`gobench.stats.utest.mann_whitney_u`'s: exact without
    ties up to 50 values a side, exact tie-conditional with ties up to 25, else
    the normal approximation.

    Returns
    -------
    p : ndarray of float64
        p-values (1.0 where the samples are all equal).
    equal : ndarray of bool
        True where benchstat reports ``all samples are equal``.
    """
    if reference_engine():
        return batch_reference.utests(values, a_start, a_count, b_start, b_count)
    a_start, a_count = np.asarray(a_start), np.asarray(a_count)
    b_start, b_count = np.asarray(b_start), np.asarray(b_count)
    with_nan = _pairs_with_nan(values, a_start, a_count, b_start, b_count)
    if not with_nan.any():
        return _ranked_utests(values, a_start, a_count, b_start, b_count)
    p = np.empty(len(a_start))
    equal = np.empty(len(a_start), dtype=bool)
    for sel, test in ((with_nan, batch_reference.utests), (~with_nan, _ranked_utests)):
        p[sel], equal[sel] = test(values, a_start[sel], a_count[sel], b_start[sel], b_count[sel])
    return p, equal


def _pairs_with_nan(values, a_start, a_count, b_start, b_count) -> np.ndarray:
    """Mask of the pairs with a NaN in either cell.

    Those are tested one by one with :func:`~gobench.stats.utest.mann_whitney_u`
    (which ranks a NaN above every number, each NaN a tie group of its own):
    benchstat 712aea8 runs out of memory on any U test with a NaN, so there is no
    behaviour of its to follow, and both engines then agree by construction.
    """
    nan = np.isnan(values)
    if not nan.any():
        return np.zeros(len(a_start), dtype=bool)
    before = np.concatenate([[0], np.cumsum(nan)])
    return ((before[a_start + a_count] > before[a_start])
            | (before[b_start + b_count] > before[b_start]))


def _ranked_utests(values, a_start, a_count, b_start, b_count):
    """:func:`utests` of NaN-free pairs: rank statistics of all pairs, then the exact
    and the normal p-values, each for all its pairs at once."""
    npair = len(a_start)
    p = np.ones(npair)
    equal = np.zeros(npair, dtype=bool)
    if npair == 0:
        return p, equal
    stats = _rank_stats(values, a_start, a_count, b_start, b_count)
    if stats is None:
        stats = _rank_stats_sorted(values, a_start, a_count, b_start, b_count)
    r1x2, tie_t, ngroups, tie_sizes = stats
    n1 = a_count.astype(np.int64)
    n2 = b_count.astype(np.int64)
    u1 = r1x2 / 2 - n1 * (n1 + 1) / 2
    has_ties = ngroups < n1 + n2
    exact = ((~has_ties) & (n1 <= EXACT_LIMIT) & (n2 <= EXACT_LIMIT)) | (
        has_ties & (n1 <= TIES_EXACT_LIMIT) & (n2 <= TIES_EXACT_LIMIT))
    _exact_p_values(p, equal, np.flatnonzero(exact), u1, n1, n2, ngroups, tie_sizes)
    _normal_p_values(p, equal, np.flatnonzero(~exact), u1, n1, n2, tie_t)
    p[equal] = 1.0
    return p, equal


def _exact_p_values(p, equal, pairs, u1, n1, n2, ngroups, tie_sizes) -> None:
    """Fill ``p``/``equal`` of the *pairs* tested exactly: one tie group is ``equal``;
    U1 = U2 gives 1; else 2·P(U ≤ min(U1, U2)) from the null distribution of U
    (the tie-conditional one, pair by pair, where there are ties)."""
    equal[pairs] = ngroups[pairs] == 1
    pairs = pairs[~equal[pairs]]
    u2 = n1[pairs] * n2[pairs] - u1[pairs]
    p[pairs[u1[pairs] == u2]] = 1.0
    rest = pairs[u1[pairs] != u2]
    usmall = np.minimum(u1, n1 * n2 - u1)
    has_ties = ngroups[rest] < n1[rest] + n2[rest]
    _untied_exact_p_values(p, rest[~has_ties], usmall, n1, n2)
    for i in rest[has_ties].tolist():
        p[i] = exact_tied_u_cdf(float(usmall[i]), int(n1[i]), int(n2[i]), tie_sizes(i)) * 2


def _untied_exact_p_values(p, pairs, usmall, n1, n2) -> None:
    """Fill ``p`` of tie-free *pairs* from the cached CDF table of U for their sizes."""
    if not len(pairs):
        return
    keys = n1[pairs] * 1000 + n2[pairs]
    for key in distinct(keys).tolist():
        sel = pairs[keys == key]
        a, b = divmod(key, 1000)
        table = _u_cdf_table(a, b)
        us = usmall[sel]
        idx = np.floor(us).astype(np.int64)
        cdf = np.where(us < 0, 0.0, np.where(us >= a * b, 1.0, table[np.clip(idx, 0, len(table) - 1)]))
        p[sel] = cdf * 2


def _normal_p_values(p, equal, pairs, u1, n1, n2, tie_t) -> None:
    """Fill ``p``/``equal`` of the *pairs* tested by the normal approximation (tie-corrected
    variance, continuity correction 0.5), with go-moremath's float operations in the same
    order; σ = 0 is ``equal``."""
    if not len(pairs):
        return
    big_n = (n1[pairs] + n2[pairs]).astype(np.float64)
    prod = (n1[pairs] * n2[pairs]).astype(np.float64)
    sigma = np.sqrt(prod * ((big_n + 1) - tie_t[pairs] / (big_n * (big_n - 1))) / 12)
    zero = sigma == 0
    equal[pairs[zero]] = True
    numer = u1[pairs] - prod / 2
    numer = numer - np.sign(numer) * 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numer / sigma
    c = np.array([norm_cdf(x) for x in z.tolist()])
    p[pairs] = np.where(zero, p[pairs], 2 * np.minimum(c, 1 - c))
