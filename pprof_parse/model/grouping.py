"""pprof's sample key: samples with the same locations and labels are one sample.

``profile.Merge`` (and ``to_proto``'s compaction) sum samples whose key —
the location ids in order plus the string and numeric labels — is equal.
:func:`group_samples` finds those groups over columnar samples.
"""

from __future__ import annotations

import numpy as np


def offsets_in(counts: np.ndarray) -> np.ndarray:
    """0..n-1 within each group of ``counts`` consecutive items."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, element-wise on uint64 (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _seg_sum(h: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Wrapping uint64 sum of ``h`` per group of ``counts`` consecutive items."""
    cs = np.concatenate(([np.uint64(0)], np.cumsum(h, dtype=np.uint64)))
    ends = np.cumsum(counts)
    return cs[ends] - cs[ends - counts]


def group_samples(gl: np.ndarray, cnt: np.ndarray, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group samples by pprof's sample key: (location ids, labels). Returns ``(group of each
    sample, first sample of each group)`` with groups numbered in first-seen order.

    Vectorised: 2×64-bit position-dependent hashes of the stack and an order-free hash of
    the labels pick candidate groups, then every sample is compared element by element
    with its group's first sample; a hash collision (never seen) falls back to exact
    Python grouping.
    """
    n = cnt.size
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    with np.errstate(over="ignore"):
        pos = offsets_in(cnt).astype(np.uint64)
        x = (gl.astype(np.uint64) + np.uint64(1)) * np.uint64(0x100000001B3) + pos
        h1 = _seg_sum(_mix(x), cnt)
        h2 = _seg_sum(_mix(x ^ np.uint64(0x5DEECE66D)), cnt)
        nlab = np.bincount(lab[:, 0], minlength=n).astype(np.int64) if lab.size else np.zeros(n, np.int64)
        h3 = np.zeros(n, np.uint64)
        if lab.size:
            lh = _mix(lab[:, 1].astype(np.uint64) ^ _mix(lab[:, 2].astype(np.uint64) ^ _mix(
                lab[:, 3].astype(np.int64).view(np.uint64) ^ _mix(lab[:, 4].astype(np.uint64)))))
            np.add.at(h3, lab[:, 0], lh)
        key = _mix(h1 ^ _mix(h2 ^ _mix(h3 ^ _mix(cnt.astype(np.uint64) ^ (nlab.astype(np.uint64) << np.uint64(32))))))
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inv = rank[inv.ravel()]
    rep = first[order]
    # exact check against each group's first sample
    r = rep[inv]
    off = np.cumsum(cnt) - cnt
    ok = np.array_equal(gl[np.repeat(off, cnt) + offsets_in(cnt)], gl[np.repeat(off[r], cnt) + offsets_in(cnt)])
    if ok and lab.size:
        loff = np.cumsum(nlab) - nlab
        within = offsets_in(nlab)
        ok = np.array_equal(lab[np.repeat(loff, nlab) + within, 1:], lab[np.repeat(loff[r], nlab) + within, 1:])
    if ok:
        return inv.astype(np.int64), rep.astype(np.int64)
    return group_samples_exact(gl, cnt, lab)


def group_samples_exact(gl: np.ndarray, cnt: np.ndarray, lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same grouping with Python tuples as keys (the fallback)."""
    n = cnt.size
    per: list[list] = [[] for _ in range(n)]
    for row in lab.tolist():
        per[row[0]].append(tuple(row[1:]))
    g = gl.tolist()
    off = (np.cumsum(cnt) - cnt).tolist()
    c = cnt.tolist()
    keys: dict[tuple, int] = {}
    inv = np.empty(n, np.int64)
    rep: list[int] = []
    for i in range(n):
        k = (tuple(g[off[i]:off[i] + c[i]]), tuple(per[i]))
        j = keys.get(k)
        if j is None:
            j = keys[k] = len(rep)
            rep.append(i)
        inv[i] = j
    return inv, np.asarray(rep, np.int64)
