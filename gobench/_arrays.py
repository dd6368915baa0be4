"""Small numpy helpers shared by the scanner, the table builder and the statistics.

Both exist for speed on the command line, where a run is a fraction of a second:

* :func:`distinct` replaces a plain ``np.unique(a)``, which in numpy >= 2.3
  imports ``numpy.ma`` on its first call (about 10 ms on a quiet machine) to
  rule out masked input.  Measured as whole ``gopherlab benchstat`` processes
  on case B of ``benchmarks/bench_gobench.py``, 25 interleaved rounds each
  (2026-12-05, 2 cores at load 8-12, so noisy): with ``np.unique`` instead,
  the command took x1.08 wall (x1.04 CPU), and x1.10 wall (x1.08 CPU) on the
  tree before issue 14;
* :func:`dense_unique` numbers small non-negative integer keys with a presence
  table (linear time) instead of a sort.
"""
from __future__ import annotations

import numpy as np

__all__ = ["distinct", "dense_unique"]


def distinct(a: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array without NaNs (``np.unique(a)``)."""
    s = np.sort(np.asarray(a).reshape(-1))
    if len(s) < 2:
        return s
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def dense_unique(keys: np.ndarray, size: int | None = None):
    """``np.unique(keys, return_index=True, return_inverse=True)`` for non-negative ints.

    Returns ``(uniq, first, inverse)``: the distinct keys ascending, the index of
    each one's first occurrence, and each key's position in ``uniq`` (1-D int64).
    When the keys are dense (``size`` = 1 + max key, at most about four times
    their number) it runs in linear time with a presence table instead of sorting.
    """
    n = len(keys)
    if size is None:
        size = int(keys.max()) + 1 if n else 0
    if n == 0 or size > 4 * n + 4096:
        u, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        return u, first, inv.reshape(-1)
    first = np.full(size, -1, dtype=np.int64)
    first[keys[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)  # first occurrence wins
    present = first >= 0
    uniq = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return uniq, first[uniq], rank[keys]
