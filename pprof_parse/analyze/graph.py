"""flat and cum per report node, as pprof's ``graph.newGraph`` computes them.

For each sample with weight ``w = value[sample_index]`` (and ``dw =
value[0]`` with ``mean``), frames are walked root to leaf; ``cum`` gets ``w``
once per *distinct* node of the sample (recursion counted once), ``flat``
gets ``w`` at the leaf node (the innermost inline frame of the first
location). Samples with ``w == dw == 0`` are skipped. Everything is computed
column-wise over all frames at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.data import ProfileData
from .nodes import NodeTable


@dataclass(frozen=True)
class NodeWeights:
    """Per-node sums: ``flat``, ``cum`` (int64) and, with ``mean``, their divisors."""

    flat: np.ndarray
    cum: np.ndarray
    flat_div: np.ndarray | None
    cum_div: np.ndarray | None
    inline_in: np.ndarray  # node has an incoming edge that is an inline call
    noinline_in: np.ndarray  # node has an incoming edge that is an ordinary call


def expand_frames(data: ProfileData, nodes: NodeTable, samples: np.ndarray | None = None):
    """Frames of the given samples, leaf first: ``(frame_sample, frame_slot)``.

    Frames come in ascending sample order (``samples`` may be in any order).
    ``frame_slot`` indexes ``nodes.slot_node``; samples default to all. Indices
    are 32-bit where they fit (halving memory traffic on large profiles).
    """
    off = data.stack_offsets
    n = data.n_samples
    if samples is None or samples.size == n:
        locs = data.stack_locs
        per_sample_locs = np.diff(off)
        sample_ids = np.arange(n, dtype=np.int32)
    else:
        chosen = np.zeros(n, bool)
        chosen[samples] = True
        samples = np.flatnonzero(chosen)  # frames always come in ascending sample order
        per_sample_locs = off[samples + 1] - off[samples]
        locs = data.stack_locs[np.repeat(chosen, np.diff(off))]  # a boolean compress, no index array
        sample_ids = samples.astype(np.int32)
    it = np.int32 if nodes.slot_offsets[-1] < 2**31 else np.int64
    slot_off = nodes.slot_offsets.astype(it)
    nslots_loc = np.diff(slot_off)
    entry_sample = np.repeat(sample_ids, per_sample_locs)
    starts = slot_off[locs]
    if nslots_loc.max(initial=1) <= 1:  # one slot per location: frames are the stack entries
        return entry_sample, starts
    else:
        nslots = nslots_loc[locs]
        # frame_slot = start slot of the entry + position within the entry, built in place
        csum = np.cumsum(nslots, dtype=np.int64)
        total = int(csum[-1]) if csum.size else 0
        ft = np.int32 if total < 2**31 else np.int64
        starts = starts.astype(ft, copy=False)
        csum -= nslots  # exclusive prefix sums: first frame of each entry
        starts -= csum.astype(ft)
        del csum
        frame_slot = np.repeat(starts, nslots)
        del starts
        frame_slot += np.arange(total, dtype=ft)
        frame_sample = np.repeat(entry_sample, nslots)
    return frame_sample, frame_slot


def node_weights(data: ProfileData, nodes: NodeTable, sample_index: int, *, mean: bool = False) -> NodeWeights:
    """Compute flat/cum (and inline edge flags) of every node."""
    n_nodes = nodes.n_nodes
    w = data.values[:, sample_index] if data.n_samples else np.zeros(0, np.int64)
    dw = data.values[:, 0] if mean and data.n_samples else None
    active = (w != 0) if dw is None else ((w != 0) | (dw != 0))
    samples = np.flatnonzero(active & (np.diff(data.stack_offsets) > 0))
    one_slot = np.diff(nodes.slot_offsets).max(initial=1) <= 1
    if one_slot and samples.size == data.n_samples:
        # no inline lines: a frame is a stack entry, its node that of its location
        loc_node = nodes.slot_node.astype(np.int32)[nodes.slot_offsets[:-1]]
        frame_node = loc_node[data.stack_locs]
        frame_sample = np.repeat(np.arange(data.n_samples, dtype=np.int32), np.diff(data.stack_offsets))
        frame_inline = None
    else:
        frame_sample, frame_slot = expand_frames(data, nodes, samples)
        frame_node = nodes.slot_node.astype(np.int32)[frame_slot]
        frame_inline = nodes.slot_inline[frame_slot]

    # flat: the leaf frame of each sample is its first frame
    counts = np.bincount(frame_sample, minlength=data.n_samples)[samples] if frame_sample.size else np.zeros(samples.size, np.int64)
    first = np.cumsum(counts) - counts
    leaf_node = frame_node[first] if frame_node.size else np.zeros(0, np.int64)
    # cum: once per distinct (sample, node)
    cum = np.zeros(n_nodes, np.int64)
    cum_div = np.zeros(n_nodes, np.int64) if dw is not None else None
    for a, b in _sample_chunks(frame_sample):
        us, un = distinct_pairs(frame_sample[a:b], frame_node[a:b], n_nodes)
        cum += exact_bincount(un, w[us], n_nodes)
        if dw is not None:
            cum_div += exact_bincount(un, dw[us], n_nodes)
    flat = exact_bincount(leaf_node, w[samples], n_nodes)
    flat_div = exact_bincount(leaf_node, dw[samples], n_nodes) if dw is not None else None

    # inline markers: edge parent->node is inline iff every occurrence is an inline call
    inline_in, noinline_in = _inline_edges(frame_sample, frame_node, frame_inline, n_nodes)
    return NodeWeights(flat, cum, flat_div, cum_div, inline_in, noinline_in)


CHUNK_FRAMES = 4 << 20  # frames per chunk for the cum de-duplication (bounds memory)


def _sample_chunks(frame_sample: np.ndarray):
    """``(start, stop)`` frame ranges of about :data:`CHUNK_FRAMES`, cut at sample boundaries
    (frames are in sample order, and de-duplication never crosses a sample)."""
    n = frame_sample.size
    cuts = [0]
    while cuts[-1] + CHUNK_FRAMES < n:
        c = cuts[-1] + CHUNK_FRAMES
        c = int(np.searchsorted(frame_sample, frame_sample[c], side="left"))
        if c <= cuts[-1]:  # one sample larger than a chunk
            c = int(np.searchsorted(frame_sample, frame_sample[cuts[-1] + CHUNK_FRAMES], side="right"))
        cuts.append(c)
    cuts.append(n)
    return zip(cuts[:-1], cuts[1:])


def distinct_pairs(frame_sample: np.ndarray, frame_node: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``(sample, node)`` pairs: a plain sort of a combined key.

    (``np.unique``'s hash path is pathologically slow on these structured keys;
    adjacent repeats -- direct recursion, inline chains within one function --
    are dropped first, which is cheap.)
    """
    n = max(n_nodes, 1)
    if frame_node.size == 0:
        return frame_sample[:0], frame_node[:0]
    keep = np.ones(frame_node.size, bool)
    keep[1:] = (frame_node[1:] != frame_node[:-1]) | (frame_sample[1:] != frame_sample[:-1])
    base = int(frame_sample[0])  # frames are in sample order
    small = (int(frame_sample[-1]) - base + 1) * n < 2**32
    kt = np.uint32 if small else np.int64
    key = frame_sample[keep].astype(kt)
    key -= kt(base)
    key *= kt(n)
    key += frame_node[keep].astype(kt)
    key.sort()
    first = np.ones(key.size, bool)
    first[1:] = key[1:] != key[:-1]
    key = key[first]
    return (key // kt(n)).astype(np.int64) + base, (key % kt(n)).astype(np.int32)


def exact_bincount(idx: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """``Σ weights`` per index as int64, exactly.

    ``np.bincount`` sums in float64, exact while Σ|weights| < 2**53; beyond
    that (huge byte counts, diff profiles) the integer ``np.add.at`` is used.
    """
    if weights.size == 0:
        return np.zeros(n, np.int64)
    if float(np.abs(weights.astype(np.float64)).sum()) < 2.0**53:
        return np.rint(np.bincount(idx, weights=weights, minlength=n)).astype(np.int64)
    out = np.zeros(n, np.int64)
    np.add.at(out, idx, weights.astype(np.int64))
    return out


def _inline_edges(frame_sample, frame_node, frame_inline, n_nodes):
    """Which nodes have inline / non-inline incoming edges (pprof's ``(inline)`` text marker)."""
    inline_in = np.zeros(n_nodes, bool)
    noinline_in = np.zeros(n_nodes, bool)
    if frame_node.size < 2:
        return inline_in, noinline_in
    # the parent of frame i (leaf-first order) is frame i+1 of the same sample
    child = frame_node[:-1]
    parent = frame_node[1:]
    valid = (frame_sample[:-1] == frame_sample[1:]) & (child != parent)
    if frame_inline is None:  # no inline frames at all
        noinline_in[child[valid]] = True
        return inline_in, noinline_in
    inl = frame_inline[:-1]
    noinline_in[child[valid & ~inl]] = True
    m = valid & inl
    if m.any():
        k_inl = _sorted_unique(parent[m].astype(np.int64) * n_nodes + child[m])
        targets = np.zeros(n_nodes, bool)
        targets[k_inl % n_nodes] = True
        mn = valid & ~inl & targets[child]
        k_non = _sorted_unique(parent[mn].astype(np.int64) * n_nodes + child[mn])
        pure = k_inl[~np.isin(k_inl, k_non)]
        inline_in[pure % n_nodes] = True
    return inline_in, noinline_in


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    a = np.sort(a)
    if a.size:
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a
