"""The two-sided Mann–Whitney U test exactly as benchstat v2 runs it.

Method choice (go-moremath ``MannWhitneyUTest``):

* no ties and n1, n2 ≤ 50 → exact null distribution of U;
* ties and n1, n2 ≤ 25 → exact *tie-conditional* distribution of U (every
  assignment of the pooled values to the two samples equally likely, ties kept
  as tie groups), computed by dynamic programming over the tie groups;
* otherwise → normal approximation with tie correction of the variance and a
  continuity correction of 0.5.

p = 2·P(U ≤ min(U1, U2)) in the exact cases (1 when U1 = U2; not clamped), and
2·min(Φ(z), 1 − Φ(z)) in the normal case.  A single tie group (all values equal)
or σ = 0 is the error ``all samples are equal``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import SamplesEqualError
from ._mathx import choose, norm_cdf, sign
from ._options import check_level

__all__ = ["UTestResult", "mann_whitney_u", "u_statistic", "exact_u_cdf", "exact_tied_u_cdf",
           "EXACT_LIMIT", "TIES_EXACT_LIMIT", "U_TEST_MIN_P",
           "min_samples_for_utest"]

EXACT_LIMIT = 50
TIES_EXACT_LIMIT = 25


@dataclass(frozen=True)
class UTestResult:
    """Result of :func:`mann_whitney_u`.

    Attributes
    ----------
    n1, n2 : int
        Sample sizes.
    u : float
        U statistic of the first sample (half-integers with ties).
    p : float
        Two-sided p-value.
    method : str
        ``"exact"``, ``"exact-ties"`` or ``"normal"``.
    """

    n1: int
    n2: int
    u: float
    p: float
    method: str


def u_statistic(x1, x2):
    """Return ``(U1, tie_sizes, from_x1)`` for samples *x1*, *x2* (mid-ranks for ties).

    ``tie_sizes`` lists the size of every group of equal values of the pooled
    sample in ascending order of value (1 for untied values), ``from_x1`` how
    many of each group's values come from *x1*.  A NaN ranks above every number
    and is a group of its own.
    """
    a = np.sort(np.asarray(x1, dtype=np.float64))
    b = np.sort(np.asarray(x2, dtype=np.float64))
    n1 = len(a)
    merged = np.concatenate([a, b])
    order = np.argsort(merged, kind="stable")
    sv = merged[order]
    from_1 = order < n1
    # group boundaries
    starts = np.flatnonzero(np.concatenate([[True], sv[1:] != sv[:-1]]))
    ends = np.concatenate([starts[1:], [len(sv)]])
    sizes = ends - starts
    midrank2 = starts + ends + 1  # 2 * mid-rank (1-based)
    c1 = np.add.reduceat(from_1.astype(np.int64), starts) if len(sv) else np.zeros(0, np.int64)
    r1_2 = int(np.dot(c1, midrank2))
    u1 = r1_2 / 2 - n1 * (n1 + 1) / 2
    return u1, tuple(int(t) for t in sizes), tuple(int(c) for c in c1)


@lru_cache(maxsize=None)
def _u_counts(n1: int, n2: int) -> np.ndarray:
    """Number of arrangements giving each U = 0..n1*n2 (no ties), as float64 (exact < 2**53)."""
    # counts[m][u] for sample sizes (i, j) built up with the classic recurrence
    # N(i, j; u) = N(i-1, j; u - j) + N(i, j-1; u)
    n, m = min(n1, n2), max(n1, n2)
    prev = [np.ones(1)] * (m + 1)  # i = 0: one arrangement with U = 0, for every j
    for i in range(1, n + 1):
        cur = [None] * (m + 1)
        cur[0] = np.ones(1)
        for j in range(1, m + 1):
            out = np.zeros(i * j + 1)
            a = prev[j]  # (i-1, j): shift by j
            out[j:j + len(a)] += a
            b = cur[j - 1]  # (i, j-1)
            out[:len(b)] += b
            cur[j] = out
        prev = cur
    return prev[m] if n > 0 else np.ones(1)


@lru_cache(maxsize=None)
def _u_cdf_table(n1: int, n2: int) -> np.ndarray:
    counts = _u_counts(n1, n2)
    return np.cumsum(counts) / choose(n1 + n2, n1)


def exact_u_cdf(u: float, n1: int, n2: int) -> float:
    """P(U ≤ u) under H0 without ties (exact null distribution)."""
    if u < 0:
        return 0.0
    if u >= n1 * n2:
        return 1.0
    return float(_u_cdf_table(n1, n2)[int(math.floor(u))])


@lru_cache(maxsize=65536)
def _tied_counts(n1: int, ties: tuple[int, ...]) -> tuple[np.ndarray, int]:
    """Counts of assignments by 2*R1 (twice the rank sum of sample 1), given tie groups."""
    N = sum(ties)
    max2r = N * (N + 1) + 1
    # dp[j, s]: ways to place j sample-1 items so far with 2*rank-sum s
    dp = np.zeros((n1 + 1, max2r + 1))
    dp[0, 0] = 1.0
    start = 0
    placed = 0
    for t in ties:
        w = 2 * start + t + 1  # twice the mid-rank of this group
        new = np.zeros_like(dp)
        for r in range(0, min(t, n1) + 1):
            c = choose(t, r) if t <= 20 else float(math.comb(t, r))
            shift = r * w
            if r == 0:
                new += dp
            else:
                new[r:, shift:] += c * dp[:n1 + 1 - r, :max2r + 1 - shift]
        dp = new
        start += t
        placed += t
    return dp[n1], max2r


def _go_div(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero; Python's ``//`` floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _two_u_min(n1: int, t, a) -> int:
    two_u, n1_k = -n1 * n1, n1
    for k in range(1, len(t) + 1):
        x = min(n1_k, t[k - 1])
        two_u += x * a[k]
        n1_k -= x
    return two_u


def _two_u_max(n1: int, t, a) -> int:
    two_u, n1_k = -n1 * n1, n1
    for k in range(len(t), 0, -1):
        x = min(n1_k, t[k - 1])
        two_u += x * a[k]
        n1_k -= x
    return two_u


@lru_cache(maxsize=1024)
def _go_tied_count(two_u: int, n1: int, t: tuple[int, ...]) -> float:
    """go-moremath's ``makeUmemo(twoU, n1, t)[K][{n1, twoU}]`` (Cheung & Klotz's
    recurrence over tie groups), with its float sums in the same order and its
    integer division truncating toward zero, as Go computes it.

    The count of sample-1 placements with 2U <= *two_u*; Go's truncation makes
    it differ from the true count in some two-group cases (a=[0, 5] against
    b=[0]*11+[5]: 66 of 91 where the true count is 0, hence benchstat's p=1.451).
    With three or more groups the base case only sees keys at or above their
    minimum 2U (non-negative numerators), so there it is the true count, which
    :func:`_tied_counts` computes much faster.
    """
    K = len(t)
    a = [0] * (K + 1)
    a[1] = t[0]
    for k in range(2, K + 1):
        a[k] = a[k - 1] + t[k - 2] + t[k - 1]
    memo: list[dict] = [dict() for _ in range(K + 1)]
    memo[K][(n1, two_u)] = 0.0
    tsum = sum(t)
    for k in range(K - 1, 1, -1):
        tsum -= t[k]
        for (n1_1, two_u_1) in memo[k + 1]:
            for rk in range(max(0, n1_1 - tsum), min(n1_1, t[k]) + 1):
                two_u_k = two_u_1 - rk * (a[k + 1] - 2 * n1_1 + rk)
                n1_k = n1_1 - rk
                if _two_u_min(n1_k, t[:k], a) <= two_u_k <= _two_u_max(n1_k, t[:k], a):
                    memo[k][(n1_k, two_u_k)] = 0.0
    n_2 = t[0] + t[1]
    for key in memo[2]:
        n1_2, two_u_2 = key
        acc = 0.0
        for r2 in range(max(0, n1_2 - t[0]), _go_div(two_u_2 - n1_2 * (t[0] - n1_2), n_2) + 1):
            acc += choose(t[0], n1_2 - r2) * choose(t[1], r2)
        memo[2][key] = acc
    tsum = t[0]
    for k in range(3, K + 1):
        tsum += t[k - 2]
        prev = memo[k - 1]
        for key in memo[k]:
            n1_k, two_u_k = key
            acc = 0.0
            for rk in range(max(0, n1_k - tsum), min(n1_k, t[k - 1]) + 1):
                two_u_p = two_u_k - rk * (a[k] - 2 * n1_k + rk)
                n1_p = n1_k - rk
                x = prev.get((n1_p, two_u_p))
                if x is None:
                    x = choose(tsum, n1_p) if _two_u_max(n1_p, t[:k - 1], a) < two_u_p else 0.0
                acc += x * choose(t[k - 1], rk)
            memo[k][key] = acc
    return memo[K][(n1, two_u)]


def exact_tied_u_cdf(u: float, n1: int, n2: int, ties: tuple[int, ...]) -> float:
    """P(U1 ≤ u) under the tie-conditional permutation distribution, as go-moremath's
    ``UDist.CDF`` computes it (see :func:`_go_tied_count`).

    Every choice of which *n1* of the pooled values (with the given tie-group
    sizes, in value order) belong to sample 1 is equally likely.
    """
    if u < 0:
        return 0.0
    if u >= n1 * n2:
        return 1.0
    if len(ties) == 2:
        # the only case where Go's recurrence is not the true count: its base case is
        # the top level (unfiltered), where its truncating division can add a term
        return _go_tied_count(int(2 * u), n1, tuple(ties)) / choose(n1 + n2, n1)
    counts, _ = _tied_counts(n1, ties)
    # 2U1 = 2R1 - n1(n1+1)
    lim = int(2 * u) + n1 * (n1 + 1)
    return float(counts[:lim + 1].sum()) / choose(n1 + n2, n1)


def mann_whitney_u(x1, x2) -> UTestResult:
    """Two-sided Mann–Whitney U test with benchstat's choice of method.

    Parameters
    ----------
    x1, x2 : array_like of float
        The baseline and the compared sample (any order).  A NaN ranks above
        every number, each NaN a tie group of its own (benchstat 712aea8 runs
        out of memory on a U test with a NaN: there is nothing of its to match).

    Returns
    -------
    UTestResult

    Raises
    ------
    SamplesEqualError
        All values equal (one tie group), or zero variance in the normal case.
    ValueError
        An empty sample.
    """
    n1, n2 = len(x1), len(x2)
    if n1 == 0 or n2 == 0:
        raise ValueError("sample is too small")
    u1, ties, _ = u_statistic(x1, x2)
    has_ties = any(t > 1 for t in ties)
    u2 = n1 * n2 - u1
    usmall = min(u1, u2)
    if (not has_ties and n1 <= EXACT_LIMIT and n2 <= EXACT_LIMIT) or (
            has_ties and n1 <= TIES_EXACT_LIMIT and n2 <= TIES_EXACT_LIMIT):
        if len(ties) == 1:
            raise SamplesEqualError()
        if u1 == u2:
            p = 1.0
        elif has_ties:
            p = exact_tied_u_cdf(usmall, n1, n2, ties) * 2
        else:
            p = exact_u_cdf(usmall, n1, n2) * 2
        return UTestResult(n1, n2, u1, p, "exact-ties" if has_ties else "exact")
    t = float(sum(x * x * x - x for x in ties))
    N = float(n1 + n2)
    mu = n1 * n2 / 2
    sigma = math.sqrt(float(n1 * n2) * ((N + 1) - t / (N * (N - 1))) / 12)
    if sigma == 0:
        raise SamplesEqualError()
    numer = u1 - mu
    numer -= sign(numer) * 0.5
    z = numer / sigma
    c = norm_cdf(z)
    p = 2 * min(c, 1 - c)
    return UTestResult(n1, n2, u1, p, "normal")


#: Smallest two-sided exact p-value achievable with n samples on each side (n = 1..9).
U_TEST_MIN_P = [1.0, 0.3333333333333333, 0.1, 0.02857142857142857, 0.007936507936507936,
                0.0021645021645021645, 0.0005827505827505828, 0.0001554001554001554,
                4.113533525298231e-05]


def min_samples_for_utest(alpha: float) -> tuple[str, int]:
    """Smallest n whose minimum achievable p is ≤ alpha: ``(">=", n)``, else ``(">", 10)``.

    Raises
    ------
    OptionError
        ``alpha`` is not in [0, 1].
    """
    check_level("alpha", alpha)
    for i, p in enumerate(U_TEST_MIN_P, 1):
        if p <= alpha:
            return ">=", i
    return ">", len(U_TEST_MIN_P) + 1
