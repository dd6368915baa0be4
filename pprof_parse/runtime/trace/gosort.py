"""Go's ``slices.SortFunc`` (pattern-defeating quicksort), step for step, for the ordering's ties.

Go's trace reader sorts its frontier of thread cursors by time when the earliest event cannot
happen yet (``reader.go``); for more than 12 cursors ``slices.SortFunc`` is not stable, so
which of two cursors with the same time is tried first depends on the algorithm's exact
steps. This is ``src/slices/zsortanyfunc.go`` (``pdqsortCmpFunc`` and its helpers) with
``cmp(a, b) < 0`` as ``key(a) < key(b)``; tested against Go on inputs full of ties.
"""

from __future__ import annotations

__all__ = ["sort_func"]

_MASK = (1 << 64) - 1


def sort_func(data: list, key) -> None:
    """Sort ``data`` in place by ``key`` exactly as Go's ``slices.SortFunc`` orders it."""
    n = len(data)
    _pdqsort(data, 0, n, n.bit_length(), key)


def _insertion_sort(d, a, b, key):
    for i in range(a + 1, b):
        j = i
        while j > a and key(d[j]) < key(d[j - 1]):
            d[j], d[j - 1] = d[j - 1], d[j]
            j -= 1


def _sift_down(d, lo, hi, first, key):
    root = lo
    while True:
        child = 2 * root + 1
        if child >= hi:
            return
        if child + 1 < hi and key(d[first + child]) < key(d[first + child + 1]):
            child += 1
        if not key(d[first + root]) < key(d[first + child]):
            return
        d[first + root], d[first + child] = d[first + child], d[first + root]
        root = child


def _heap_sort(d, a, b, key):
    first, hi = a, b - a
    for i in range((hi - 1) // 2, -1, -1):
        _sift_down(d, i, hi, first, key)
    for i in range(hi - 1, -1, -1):
        d[first], d[first + i] = d[first + i], d[first]
        _sift_down(d, 0, i, first, key)


_INCREASING, _DECREASING, _UNKNOWN = 1, 2, 0


def _pdqsort(d, a, b, limit, key):
    was_balanced = was_partitioned = True
    while True:
        length = b - a
        if length <= 12:
            _insertion_sort(d, a, b, key)
            return
        if limit == 0:
            _heap_sort(d, a, b, key)
            return
        if not was_balanced:
            _break_patterns(d, a, b)
            limit -= 1
        pivot, hint = _choose_pivot(d, a, b, key)
        if hint == _DECREASING:
            d[a:b] = d[a:b][::-1]
            pivot = (b - 1) - (pivot - a)
            hint = _INCREASING
        if was_balanced and was_partitioned and hint == _INCREASING:
            if _partial_insertion_sort(d, a, b, key):
                return
        if a > 0 and not key(d[a - 1]) < key(d[pivot]):
            a = _partition_equal(d, a, b, pivot, key)
            continue
        mid, was_partitioned = _partition(d, a, b, pivot, key)
        left, right = mid - a, b - mid
        threshold = length // 8
        if left < right:
            was_balanced = left >= threshold
            _pdqsort(d, a, mid, limit, key)
            a = mid + 1
        else:
            was_balanced = right >= threshold
            _pdqsort(d, mid + 1, b, limit, key)
            b = mid


def _partition(d, a, b, pivot, key):
    d[a], d[pivot] = d[pivot], d[a]
    p = key(d[a])
    i, j = a + 1, b - 1
    while i <= j and key(d[i]) < p:
        i += 1
    while i <= j and not key(d[j]) < p:
        j -= 1
    if i > j:
        d[j], d[a] = d[a], d[j]
        return j, True
    d[i], d[j] = d[j], d[i]
    i, j = i + 1, j - 1
    while True:
        while i <= j and key(d[i]) < p:
            i += 1
        while i <= j and not key(d[j]) < p:
            j -= 1
        if i > j:
            break
        d[i], d[j] = d[j], d[i]
        i, j = i + 1, j - 1
    d[j], d[a] = d[a], d[j]
    return j, False


def _partition_equal(d, a, b, pivot, key):
    d[a], d[pivot] = d[pivot], d[a]
    p = key(d[a])
    i, j = a + 1, b - 1
    while True:
        while i <= j and not p < key(d[i]):
            i += 1
        while i <= j and p < key(d[j]):
            j -= 1
        if i > j:
            return i
        d[i], d[j] = d[j], d[i]
        i, j = i + 1, j - 1


def _partial_insertion_sort(d, a, b, key):
    i = a + 1
    for _ in range(5):
        while i < b and not key(d[i]) < key(d[i - 1]):
            i += 1
        if i == b:
            return True
        if b - a < 50:
            return False
        d[i], d[i - 1] = d[i - 1], d[i]
        if i - a >= 2:
            j = i - 1
            while j >= 1 and key(d[j]) < key(d[j - 1]):
                d[j], d[j - 1] = d[j - 1], d[j]
                j -= 1
        if b - i >= 2:
            j = i + 1
            while j < b and key(d[j]) < key(d[j - 1]):
                d[j], d[j - 1] = d[j - 1], d[j]
                j += 1
    return False


def _break_patterns(d, a, b):
    length = b - a
    if length >= 8:
        random = length
        modulus = 1 << length.bit_length()
        for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
            random ^= (random << 13) & _MASK
            random ^= random >> 7
            random ^= (random << 17) & _MASK
            other = random & (modulus - 1)
            if other >= length:
                other -= length
            d[idx], d[a + other] = d[a + other], d[idx]


def _choose_pivot(d, a, b, key):
    n = b - a
    swaps = [0]
    i, j, k = a + n // 4 * 1, a + n // 4 * 2, a + n // 4 * 3
    if n >= 8:
        if n >= 50:
            i = _median(d, i - 1, i, i + 1, swaps, key)
            j = _median(d, j - 1, j, j + 1, swaps, key)
            k = _median(d, k - 1, k, k + 1, swaps, key)
        j = _median(d, i, j, k, swaps, key)
    if swaps[0] == 0:
        return j, _INCREASING
    if swaps[0] == 12:
        return j, _DECREASING
    return j, _UNKNOWN


def _median(d, a, b, c, swaps, key):
    def order2(x, y):
        if key(d[y]) < key(d[x]):
            swaps[0] += 1
            return y, x
        return x, y
    a, b = order2(a, b)
    b, c = order2(b, c)
    a, b = order2(a, b)
    return b
