"""The batched statistics (``gobench.stats.batch``) = the per-sample statistics, under both engines.

Every test here runs twice (the ``engine`` fixture): with the vectorised paths
(``GOPHERLAB_ENGINE=fast``) and with their plain references, which loop over the
cells and call :func:`summarize` / :func:`mann_whitney_u`.  Both must give the
per-sample functions' numbers bit for bit.  The inputs that steer the fast path
to each of its ways (blocks of equal-size pairs, several blocks of one size,
one pooled sort) are built from real sizes, and each test checks that its input
does take that way, so no threshold is rebound.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gobench.errors import SamplesEqualError
from gobench.stats import batch
from gobench.stats.batch import (group_sorted_values, group_value_order, medians_and_cis,
                                 sorted_by_slots, utests)
from gobench.stats.summary import summarize
from gobench.stats.utest import mann_whitney_u

pytestmark = pytest.mark.usefixtures("engine")


def _bits(a) -> list[int]:
    return np.asarray(a, dtype=np.float64).view(np.int64).tolist()


def _cells(rng, sizes, count: int) -> list[np.ndarray]:
    """*count* sorted samples of sizes drawn from *sizes*: normal values, few distinct
    values (many ties), all equal, and benchmark-like lognormal times."""
    cells = []
    for _ in range(count):
        n = int(rng.choice(sizes))
        kind = rng.integers(0, 4)
        if kind == 0:
            x = rng.normal(0, 1, n)
        elif kind == 1:
            x = rng.integers(0, 4, n).astype(float)
        elif kind == 2:
            x = np.full(n, 5.0)
        else:
            x = np.round(rng.lognormal(0, 0.03, n) * 100, 1)
        cells.append(np.sort(x))
    return cells


def _flat(cells):
    """``(values, starts, counts)`` of the cells laid end to end."""
    values = np.concatenate(cells)
    counts = np.array([len(c) for c in cells])
    return values, np.cumsum(counts) - counts, counts


def test_group_value_order_equals_lexsort():
    rng = np.random.default_rng(2)
    for n, g in [(1000, 70000), (20000, 9000), (50, 3), (0, 1)]:
        grp = rng.integers(0, g, n)
        v = rng.integers(0, 5, n).astype(float)
        o = group_value_order(grp, v, g)
        w = np.lexsort((v, grp))
        np.testing.assert_array_equal(grp[o], grp[w])
        np.testing.assert_array_equal(v[o], v[w])
    v = np.array([2.0, np.nan, 1.0])
    assert list(group_value_order(np.zeros(3, dtype=np.int64), v, 1)) == [1, 2, 0]


# (way of ranking, sizes of the cells, number of cells, number of pairs)
_WAYS = {
    "blocks": ([1, 6, 20, 26, 60, 100], 400, 300),       # 36 size pairs: a block per size pair
    "pooled-sort": (list(range(1, 31)), 400, 600),        # > 64 size pairs: one pooled sort
    "nan": ([4, 9], 60, 80),           # pairs with a NaN one by one, the others by pooled sort
    "several-blocks": ([25], 12, 1400),                   # one size pair, more pairs than a block
}


@pytest.mark.parametrize("way", list(_WAYS))
def test_batch_utests_are_bit_identical_to_scalar(way):
    sizes, ncells, npairs = _WAYS[way]
    rng = np.random.default_rng(7)
    cells = _cells(rng, sizes, ncells)
    if way == "nan":
        cells = [np.concatenate([[np.nan], c[1:]]) if k % 3 == 0 else c
                 for k, c in enumerate(cells)]
    values, starts, counts = _flat(cells)
    a = rng.integers(0, ncells, npairs)
    b = rng.integers(0, ncells, npairs)
    ranked = batch._rank_stats(values, starts[a], counts[a], starts[b], counts[b])
    assert (ranked is None) == (way in ("pooled-sort", "nan"))     # the input takes its way
    if way == "several-blocks":
        assert npairs > batch.RANK_BLOCK_VALUES // 50
    p, eq = utests(values, starts[a], counts[a], starts[b], counts[b])
    want: dict[tuple[int, int], float | None] = {}
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        if (i, j) not in want:
            try:
                want[i, j] = mann_whitney_u(cells[i], cells[j]).p
            except SamplesEqualError:
                want[i, j] = None
        if want[i, j] is None:
            assert eq[k] and p[k] == 1.0
        else:
            assert not eq[k] and _bits([p[k]]) == _bits([want[i, j]]), (i, j)


def test_utests_of_no_pairs():
    p, eq = utests(np.array([1.0, 2.0]), [], [], [], [])
    assert p.shape == (0,) and eq.shape == (0,) and eq.dtype == bool


@pytest.mark.parametrize("confidence", [0.95, 0.5, 0.99, 1.0])
def test_medians_and_cis_are_bit_identical_to_summarize(confidence):
    rng = np.random.default_rng(9)
    cells = _cells(rng, list(range(1, 45)), 300)
    values, starts, counts = _flat(cells)
    center, lo, hi = medians_and_cis(values, starts, counts, confidence)
    for k, c in enumerate(cells):
        s = summarize(c.tolist(), "nothing", confidence)
        assert _bits([center[k], lo[k], hi[k]]) == _bits([s.center, s.lo, s.hi]), k


def test_medians_and_cis_refuse_a_bad_confidence():
    from gobench.errors import OptionError
    with pytest.raises(OptionError, match="confidence"):
        medians_and_cis(np.array([1.0, 2.0]), np.array([0]), np.array([2]), 1.5)


def test_group_sorted_values_sorts_each_group_nan_first():
    rng = np.random.default_rng(3)
    group = rng.integers(0, 40, 2000)
    values = rng.normal(0, 1, 2000)
    values[::50] = np.inf
    for nan in (False, True):
        if nan:
            values[::77] = np.nan
        got, counts = group_sorted_values(group, values, 41)      # group 40 is empty
        assert counts.tolist() == np.bincount(group, minlength=41).tolist()
        ends = np.cumsum(counts)
        for k in range(41):
            mine = values[group == k]
            want = np.concatenate([mine[np.isnan(mine)], np.sort(mine[~np.isnan(mine)])])
            np.testing.assert_array_equal(got[ends[k] - counts[k]:ends[k]], want)


def test_sorted_by_slots_equals_group_sorted_values():
    rng = np.random.default_rng(4)
    group = rng.integers(0, 50, 3000)
    slot = np.empty_like(group)
    for g in range(50):                       # distinct slots within each group
        idx = np.flatnonzero(group == g)
        slot[idx] = rng.permutation(len(idx) + 3)[:len(idx)]
    values = rng.normal(0, 1, 3000)
    values[::97] = np.inf
    got = sorted_by_slots(group, slot, values, 50)
    want = group_sorted_values(group, values, 50)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    same = np.flatnonzero(group == group[0])
    slot[same[1]] = slot[same[0]]
    assert sorted_by_slots(group, slot, values, 50) is None          # a collision
    values[5] = np.nan
    assert sorted_by_slots(group, np.arange(3000) % 60, values, 50) is None
    assert sorted_by_slots(group[:0], slot[:0], values[:0], 50) is None


def _real_cells(paths) -> tuple[np.ndarray, list[tuple[int, int]], list[int]]:
    """The samples of real files as cells (one per file, package, benchmark and unit), in
    file order and unsorted, and the pairs (first file's cell, a later file's cell)."""
    import gobench
    with pytest.MonkeyPatch.context() as mp:     # the fast reader: the cells are only input here
        mp.setenv("GOPHERLAB_ENGINE", "fast")
        frames = [gobench.read_bench(str(p)) for p in paths]
    cells: dict[tuple, list[float]] = {}
    for k, df in enumerate(frames):
        for key, vals in df.groupby(["pkg", "fullname", "unit"], sort=True, dropna=False)["value"]:
            cells[(k, *key)] = vals.tolist()
    ids = {key: i for i, key in enumerate(cells)}
    pairs = [(ids[(0, *key[1:])], i) for key, i in ids.items()
             if key[0] > 0 and (0, *key[1:]) in ids]
    return [np.array(v) for v in cells.values()], pairs


@pytest.mark.filterwarnings("ignore::gobench.errors.BenchFormatWarning")   # unit-metadata.txt
def test_reference_and_fast_agree_on_real_runs(monkeypatch, engine):
    """The cells of real runs (the benchstat vectors' inputs, the bundled sample):
    the other engine's group sort, medians, CIs and U tests are the same bits."""
    from gobench_vectors import INPUTS, need_vectors
    from goenv import REPO
    need_vectors()
    sample = REPO / "gopherlab" / "data" / "bench"
    runs = [[INPUTS / "old.txt", INPUTS / "new.txt"],
            [INPUTS / "old.txt", INPUTS / "new-from-json.txt", INPUTS / "edge-cases.txt"],
            [INPUTS / "unit-metadata.txt"], [sample / "old.txt", sample / "new.txt"]]
    other = "reference" if engine == "fast" else "fast"
    for run in runs:
        cells, pairs = _real_cells(run)
        group = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
        pooled = np.concatenate(cells)

        def results():
            values, counts = group_sorted_values(group, pooled, len(cells))
            starts = np.cumsum(counts) - counts
            a = np.array([i for i, _ in pairs], dtype=np.int64)
            b = np.array([j for _, j in pairs], dtype=np.int64)
            return ((values, counts) + medians_and_cis(values, starts, counts, 0.95)
                    + utests(values, starts[a], counts[a], starts[b], counts[b]))

        mine = results()
        monkeypatch.setenv("GOPHERLAB_ENGINE", other)
        theirs = results()
        monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
        assert len(cells) >= 3 and (len(pairs) >= 3 or len(run) == 1)
        for x, y in zip(mine, theirs):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()
        for k, c in enumerate(cells):       # each cell is its own sample, sorted
            s = int(np.sum(mine[1][:k]))
            np.testing.assert_array_equal(mine[0][s:s + len(c)], np.sort(c))
