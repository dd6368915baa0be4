"""benchstat's statistics checked against brute force and exact arithmetic.

The per-sample functions have one implementation, so these tests run once; the
batched statistics and their plain references are tested under both engines in
``test_stats_batch.py``.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from gobench.stats import (compare, exact_u_cdf, geomean, mann_whitney_u, pct_range_string,
                           quantile_ci, summarize)
from gobench.errors import SamplesEqualError
from gobench.stats.utest import U_TEST_MIN_P


def _brute_p(x1, x2):
    """Two-sided p as benchstat defines it, by enumerating every split of the pooled values."""
    pooled = list(x1) + list(x2)
    n1, n2 = len(x1), len(x2)
    ranks = _midranks(pooled)
    u_obs = sum(ranks[:n1]) - Fraction(n1 * (n1 + 1), 2)
    u_small = min(u_obs, n1 * n2 - u_obs)
    total = hits = 0
    for idx in itertools.combinations(range(n1 + n2), n1):
        u = sum(ranks[i] for i in idx) - Fraction(n1 * (n1 + 1), 2)
        total += 1
        hits += u <= u_small
    return 2 * Fraction(hits, total), u_obs


def _midranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [Fraction(0)] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        r = Fraction(i + 1 + j + 1, 2)
        for k in range(i, j + 1):
            ranks[order[k]] = r
        i = j + 1
    return ranks


small_ints = st.lists(st.integers(0, 4), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(small_ints, small_ints)
def test_exact_u_with_ties_matches_permutation_distribution(x1, x2):
    # the recurrence itself is the permutation distribution; Go's truncating integer
    # division in its base case is not (see test_exact_u_as_go_moremath), so it is
    # replaced by floor division here
    from gobench.stats import utest
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(utest, "_go_div", lambda a, b: a // b)
        utest._go_tied_count.cache_clear()
        _check_exact_u(x1, x2)
    utest._go_tied_count.cache_clear()


def _check_exact_u(x1, x2):
    if len(set(x1 + x2)) == 1:
        with pytest.raises(SamplesEqualError):
            mann_whitney_u(x1, x2)
        return
    res = mann_whitney_u(x1, x2)
    want, u = _brute_p(x1, x2)
    assert res.u == u
    if u == len(x1) * len(x2) - u:
        assert res.p == 1
    else:
        assert res.p == pytest.approx(float(want), rel=1e-12, abs=1e-15)
    assert res.method in ("exact", "exact-ties")


# MannWhitneyUTest(x1, x2, LocationDiffers).P of go-moremath (the version benchstat
# 712aea8 uses), printed as float64 bits by a Go 1.27 program; 400 such random cases
# agreed bit for bit. The first six are p > 1: Go's tie-group recurrence truncates a
# negative division toward zero (a=[0, 5] vs b=[0]*11+[5] gives benchstat's p=1.451).
GO_UTEST = """
[3 3 3 2 1 0 3 0 3] | [2 3 1] | 4607428069688783071
[1 0] | [1 1 0 1 1 0 1] | 4607933018737912491
[1 0 0 1 1 1 1 1 0 0] | [1] | 4608410673243845725
[2 1 3 0] | [2] | 4608083138725491507
[2 0 1] | [1 1 2 1] | 4607311093075085136
[1 0 1 0 0 0 1 1 0 0 1 1] | [1] | 4607528849540584369
[3 1 2 1 0 0] | [0 3 1 3 2 3 2 3 4 0] | 4597284397640961373
[2 1 4 1] | [3 0 3 5 4 3 5 3] | 4596592136039897696
[1 0 0 1 1 1 0 1 0 0] | [1 1 1 0 1 1 1 1] | 4597808410525852575
[1 4 3 3 1 2 3 1 1 2] | [1 3 0 1 1 2 1 0] | 4590701331393615219
[2 0 1 2 1 0 0] | [2 1 1 2 2 1 1 1] | 4599432868112546778
[3 0 5 4 4 2 5 2 2] | [5 5 4 6 3 4 2 4 1 0 3 0 5] | 4604488117823958118
[1 0 1 0 1 4] | [3 2 1] | 4599247505170840820
[0 5] | [0 0 0 0 0 0 0 0 0 0 0 5] | 4609211513137623895
""".strip().splitlines()


@pytest.mark.parametrize("line", GO_UTEST)
def test_exact_u_as_go_moremath(line):
    import struct
    a, b, bits = line.split("|")
    x1 = [float(v) for v in a.strip()[1:-1].split()]
    x2 = [float(v) for v in b.strip()[1:-1].split()]
    got = mann_whitney_u(x1, x2).p
    assert struct.unpack("<Q", struct.pack("<d", got))[0] == int(bits)


def test_tied_case_from_the_notes_differs_from_scipy():
    # benchstat's tie-conditional exact p is neither SciPy's exact nor asymptotic p
    x1 = [1, 2, 2, 3, 3, 4]
    x2 = [3, 4, 4, 5, 5, 6]
    want, _ = _brute_p(x1, x2)
    got = mann_whitney_u(x1, x2).p
    assert got == pytest.approx(float(want), rel=1e-12)
    assert got != pytest.approx(mannwhitneyu(x1, x2, method="asymptotic").pvalue, rel=1e-6)


def test_tied_exact_up_to_25_then_normal():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 6, 25).astype(float)
    b = rng.integers(1, 7, 25).astype(float)
    assert mann_whitney_u(a, b).method == "exact-ties"
    a2 = np.append(a, 3.0)
    r = mann_whitney_u(a2, b)
    assert r.method == "normal"
    assert r.p == pytest.approx(mannwhitneyu(a2, b, method="asymptotic", use_continuity=True).pvalue,
                                rel=1e-12)


@pytest.mark.parametrize("n1,n2", [(3, 4), (8, 8), (12, 12), (20, 31), (50, 50)])
def test_exact_without_ties_matches_scipy_exact(n1, n2):
    rng = np.random.default_rng(n1 * 100 + n2)
    a = rng.normal(size=n1)
    b = rng.normal(size=n2) + 0.4
    r = mann_whitney_u(a, b)
    assert r.method == "exact"
    assert r.p == pytest.approx(mannwhitneyu(a, b, method="exact").pvalue, rel=1e-9)


def test_normal_without_ties_above_50():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=60), rng.normal(size=60) + 0.3
    r = mann_whitney_u(a, b)
    assert r.method == "normal"
    assert r.p == pytest.approx(mannwhitneyu(a, b, method="asymptotic").pvalue, rel=1e-12)


def test_min_p_table_is_the_exact_extreme():
    for n, p in enumerate(U_TEST_MIN_P, 1):
        assert 2 * exact_u_cdf(0, n, n) == pytest.approx(p, rel=1e-15)
        assert p == pytest.approx(2 / math.comb(2 * n, n), rel=1e-15)


def _binom_cover(n, lo, hi):
    """P(lo <= K < hi) for K ~ Binomial(n, 1/2), exactly."""
    return sum(Fraction(math.comb(n, k), 2 ** n) for k in range(max(lo, 0), min(hi, n + 1)))


@pytest.mark.parametrize("conf", [0.5, 0.8, 0.9, 0.95, 0.99])
def test_median_ci_against_binomial_sums(conf):
    for n in range(1, 31):
        ci = quantile_ci(n, 0.5, conf)
        cover = _binom_cover(n, ci.lo_order, ci.hi_order)
        assert ci.confidence == pytest.approx(float(cover), rel=1e-12)
        full = ci.lo_order <= 0 and ci.hi_order >= n + 1
        if not full:
            assert cover >= Fraction(conf).limit_denominator(10 ** 6) - Fraction(1, 10 ** 12)
            # minimal: dropping either end order statistic loses coverage
            assert _binom_cover(n, ci.lo_order + 1, ci.hi_order) < conf
            assert _binom_cover(n, ci.lo_order, ci.hi_order - 1) < conf


def test_median_ci_table_from_the_notes():
    want = {6: (1, 6), 7: (1, 7), 8: (1, 7), 9: (2, 8), 10: (2, 9), 12: (3, 10), 20: (6, 15),
            25: (8, 18), 30: (10, 21), 40: (14, 27)}
    for n, (lo, hi) in want.items():
        ci = quantile_ci(n, 0.5, 0.95)
        assert (ci.lo_order, ci.hi_order) == (lo, hi)
    # large n: normal approximation still covers at the right level
    for n in (31, 40, 100, 1000):
        ci = quantile_ci(n, 0.5, 0.95)
        assert float(_binom_cover(n, ci.lo_order, ci.hi_order)) >= 0.94


def test_summary_and_warnings():
    s = summarize(sorted([5.0, 1.0, 3.0]), "nothing", 0.95)
    assert s.center == 3.0 and math.isinf(s.lo) and s.pct_range() == "∞"
    assert s.warnings == ["need >= 6 samples for confidence interval at level 0.95"]
    s = summarize([1.0, 2, 3, 4, 5, 6, 7, 8], "nothing", 0.95)
    assert (s.center, s.lo, s.hi) == (4.5, 1.0, 7.0)
    e = summarize([100.0, 100.0, 101.0], "exact")
    assert e.center == 100 and e.warnings == ["exact distribution expected, but values range from 100 to 101"]
    c = compare([1.0, 2, 3], [4.0, 5, 6], "nothing", 0.05)
    assert c.p == pytest.approx(0.1) and c.format_delta(2, 5) == "~"
    assert c.warnings == ["need >= 4 samples to detect a difference at alpha level 0.05"]
    assert compare([0.0] * 8, [0.0] * 8).warnings == ["all samples are equal"]
    x = compare([1.0], [2.0], "exact")
    assert x.p == 0 and x.note() == "n=1" and x.format_delta(1, 2) == "+100.00%"


def test_pct_range_string():
    assert pct_range_string(10, 9, 12) == "20%"
    assert pct_range_string(0, 0, 0) == "0%"
    assert pct_range_string(1, -1, 2) == "?"
    assert pct_range_string(1, -math.inf, 2) == "∞"


def test_geomean():
    assert geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert math.isnan(geomean([])) and math.isnan(geomean([1.0, 0.0]))


def test_geomeans_batch_is_bit_identical_to_scalar():
    from gobench.stats import summary as sm
    rng = np.random.default_rng(5)
    lists = [list(np.exp(rng.normal(0, 20, int(n)))) for n in rng.integers(0, 40, 300)]
    lists += [[1.0, 0.0, 2.0], [float("nan"), 1.0], [], [3.0]]
    got = sm.geomeans(lists)
    for g, xs in zip(got, lists):
        want = sm.geomean(xs)
        assert (math.isnan(g) and math.isnan(want)) or g == want


def test_dense_unique_matches_numpy():
    from gobench._arrays import dense_unique
    rng = np.random.default_rng(11)
    for n, m in [(1000, 50), (10, 5), (5000, 100000), (1, 1), (300, 300), (0, 1)]:
        k = rng.integers(0, m, n)
        got = dense_unique(k)
        want = np.unique(k, return_index=True, return_inverse=True)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w.reshape(-1))


def test_distinct_matches_numpy_unique():
    from gobench._arrays import distinct
    rng = np.random.default_rng(12)
    for n, m in [(1000, 50), (3, 1), (1, 7), (0, 1), (400, 10**12)]:
        k = rng.integers(-m, m, n)
        np.testing.assert_array_equal(distinct(k), np.unique(k))
        np.testing.assert_array_equal(distinct(k / 7), np.unique(k / 7))


def test_lgamma_and_median_ci_as_go():
    """Go's math.Lgamma (printed by a Go 1.27 program): glibc's lgamma is one ulp off at
    14, 48 and 74, which flipped the tie-break of QuantileCI(30, 0.5, 0.5)."""
    import struct
    from gobench.stats._mathx import lgamma
    from gobench.stats.median import median_ci_orders

    def bits(x):
        return struct.unpack("<Q", struct.pack("<d", x))[0]

    go = {14: 22.552163853123428, 48: 136.80272263732635, 74: 243.26884900298268}
    for x, want in go.items():
        assert bits(lgamma(float(x))) == bits(want)
    assert median_ci_orders(30, 0.5) == (14, 18)     # go-moremath QuantileCI; was (13, 17)


def test_duplicate_units_in_a_line(tmp_path):
    """Two values of one unit on a line land in one cell (the slot path steps aside);
    the expected text is benchstat 712aea8's."""
    from gobench.compare import run_benchstat
    p = tmp_path / "d.txt"
    p.write_text("".join(f"BenchmarkA 1 {5 + i} ns/op {7 + i} ns/op\n" for i in range(8)))
    out, err = run_benchstat([str(p)])
    assert out.splitlines()[-1].split() == ["A", "9.500n", "±", "26%"] and err == ""
