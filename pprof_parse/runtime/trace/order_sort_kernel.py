"""Go's ``slices.SortFunc`` compiled with numba, for the fast ordering's frontier of thread cursors.

The same steps as :mod:`~pprof_parse.runtime.trace.gosort` (Go's ``src/slices/zsortanyfunc.go``,
pattern-defeating quicksort; not stable past 12 entries, so its exact steps decide which of two
cursors with the same time is tried first), over ``d``, an int64 array of cursor numbers, with
``key[d[k]]`` as the sort key. Imported only by :mod:`~.order_kernel` (numba is optional).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["sort_cursors"]

_INCREASING, _DECREASING, _UNKNOWN = 1, 2, 0


@njit(cache=True, _nrt=False)
def _less(d, key, i, j):
    return key[d[i]] < key[d[j]]


@njit(cache=True, _nrt=False)
def _swap(d, i, j):
    d[i], d[j] = d[j], d[i]


@njit(cache=True, _nrt=False)
def _insertion_sort(d, key, a, b):
    for i in range(a + 1, b):
        j = i
        while j > a and _less(d, key, j, j - 1):
            _swap(d, j, j - 1)
            j -= 1


@njit(cache=True, _nrt=False)
def _sift_down(d, key, lo, hi, first):
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and _less(d, key, first + child, first + child + 1):
            child += 1
        if not _less(d, key, first + root, first + child):
            return
        _swap(d, first + root, first + child)
        root = child


@njit(cache=True, _nrt=False)
def _heap_sort(d, key, a, b):
    first, hi = a, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(d, key, i, hi, first)
    for i in range(hi - 1, -1, -1):
        _swap(d, first, first + i)
        _sift_down(d, key, 0, i, first)


@njit(cache=True, _nrt=False)
def _bit_length(n):
    k = 0
    while n > 0:
        n >>= 1
        k += 1
    return k


@njit(cache=True, _nrt=False)
def _break_patterns(d, a, b):
    length = b - a
    if length >= 8:
        random = np.uint64(length)
        modulus = np.uint64(1) << np.uint64(_bit_length(length))
        mid = a + (length // 4) * 2
        for idx in range(mid - 1, mid + 2):
            random ^= random << np.uint64(13)
            random ^= random >> np.uint64(7)
            random ^= random << np.uint64(17)
            other = np.int64(random & (modulus - np.uint64(1)))
            if other >= length:
                other -= length
            _swap(d, idx, a + other)


@njit(cache=True, _nrt=False)
def _order2(d, key, a, b):
    """``(a, b)`` in key order, and 1 if they were swapped."""
    if key[d[b]] < key[d[a]]:
        return b, a, 1
    return a, b, 0


@njit(cache=True, _nrt=False)
def _median(d, key, a, b, c):
    """The median of three entries, and the swaps it took."""
    a, b, s1 = _order2(d, key, a, b)
    b, c, s2 = _order2(d, key, b, c)
    a, b, s3 = _order2(d, key, a, b)
    return b, s1 + s2 + s3


@njit(cache=True, _nrt=False)
def _choose_pivot(d, key, a, b):
    n = b - a
    swaps = 0
    i, j, k = a + n // 4 * 1, a + n // 4 * 2, a + n // 4 * 3
    if n >= 8:
        if n >= 50:
            i, s = _median(d, key, i - 1, i, i + 1)
            swaps += s
            j, s = _median(d, key, j - 1, j, j + 1)
            swaps += s
            k, s = _median(d, key, k - 1, k, k + 1)
            swaps += s
        j, s = _median(d, key, i, j, k)
        swaps += s
    if swaps == 0:
        return j, _INCREASING
    if swaps == 12:
        return j, _DECREASING
    return j, _UNKNOWN


@njit(cache=True, _nrt=False)
def _partition(d, key, a, b, pivot):
    _swap(d, a, pivot)
    p = key[d[a]]
    i, j = a + 1, b - 1
    while i <= j and key[d[i]] < p:
        i += 1
    while i <= j and not key[d[j]] < p:
        j -= 1
    if i > j:
        _swap(d, j, a)
        return j, True
    _swap(d, i, j)
    i, j = i + 1, j - 1
    while True:
        while i <= j and key[d[i]] < p:
            i += 1
        while i <= j and not key[d[j]] < p:
            j -= 1
        if i > j:
            break
        _swap(d, i, j)
        i, j = i + 1, j - 1
    _swap(d, j, a)
    return j, False


@njit(cache=True, _nrt=False)
def _partition_equal(d, key, a, b, pivot):
    _swap(d, a, pivot)
    p = key[d[a]]
    i, j = a + 1, b - 1
    while True:
        while i <= j and not p < key[d[i]]:
            i += 1
        while i <= j and p < key[d[j]]:
            j -= 1
        if i > j:
            return i
        _swap(d, i, j)
        i, j = i + 1, j - 1


@njit(cache=True, _nrt=False)
def _partial_insertion_sort(d, key, a, b):
    i = a + 1
    for _ in range(5):
        while i < b and not _less(d, key, i, i - 1):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        _swap(d, i, i - 1)
        if i - a >= 2:
            j = i - 1
            while j >= 1 and _less(d, key, j, j - 1):
                _swap(d, j, j - 1)
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b and _less(d, key, j, j - 1):
                _swap(d, j, j - 1)
                j += 1
    return False


@njit(cache=True, _nrt=False)
def _reverse(d, a, b):
    i, j = a, b - 1
    while i < j:
        _swap(d, i, j)
        i, j = i + 1, j - 1


@njit(cache=True, _nrt=False)
def _pdqsort(d, key, a, b, limit, was_balanced, was_partitioned, todo, top):
    """One call of Go's ``pdqsortCmpFunc``; its recursive call on the smaller side is pushed on
    ``todo`` (rows: a, b, limit, was_balanced, was_partitioned; ``top`` entries in use) above the
    rest of this call (numba cannot cache a recursive function), so ranges are sorted in Go's
    order. Returns the new ``top``."""
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(d, key, a, b)
            return top
        if limit == 0:
            _heap_sort(d, key, a, b)
            return top
        if not was_balanced:
            _break_patterns(d, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(d, key, a, b)
        if hint == _DECREASING:
            _reverse(d, a, b)
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if was_balanced and was_partitioned and hint == _INCREASING:
            if _partial_insertion_sort(d, key, a, b):
                return top
        if a > 0 and not key[d[a - 1]] < key[d[pivot]]:
            a = _partition_equal(d, key, a, b, pivot)
            continue
        mid, was_partitioned = _partition(d, key, a, b, pivot)
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            top = _push(todo, top, mid + 1, b, limit, was_balanced, was_partitioned)  # the rest of this call
            return _push(todo, top, a, mid, limit, True, True)                       # the recursive call
        was_balanced = right >= threshold
        top = _push(todo, top, a, mid, limit, was_balanced, was_partitioned)
        return _push(todo, top, mid + 1, b, limit, True, True)


@njit(cache=True, _nrt=False)
def _push(todo, top, a, b, limit, was_balanced, was_partitioned):
    todo[0, top], todo[1, top], todo[2, top] = a, b, limit
    todo[3, top], todo[4, top] = was_balanced, was_partitioned
    return top + 1


@njit(cache=True, _nrt=False)
def sort_cursors(d, n, key, todo):
    """Sort ``d[:n]`` (cursor numbers) by ``key[cursor]`` exactly as Go's ``slices.SortFunc``;
    ``todo`` is an int64 work area of shape ``(5, k)``, k at least ``2 * bit_length(n) + 2``."""
    top = _push(todo, 0, 0, n, _bit_length(n), True, True)
    while top > 0:
        top -= 1
        top = _pdqsort(d, key, todo[0, top], todo[1, top], todo[2, top], todo[3, top] != 0, todo[4, top] != 0,
                       todo, top)
