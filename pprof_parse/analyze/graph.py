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

from .._threads import thread_map
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
    Work and memory are proportional to the stack entries between the
    smallest and the largest sample asked for.
    """
    off = data.stack_offsets
    n = data.n_samples
    if samples is None or samples.size == n:
        locs = data.stack_locs
        per_sample_locs = np.diff(off)
        sample_ids = np.arange(n, dtype=np.int32)
    elif samples.size == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    else:
        lo, hi = int(samples.min()), int(samples.max()) + 1
        chosen = np.zeros(hi - lo, bool)
        chosen[samples - lo] = True
        sample_ids = (np.flatnonzero(chosen) + lo).astype(np.int32)  # frames always come in ascending sample order
        per_sample_locs = off[sample_ids + 1] - off[sample_ids]
        total = int(per_sample_locs.sum())
        if not data.stacks_decoded or 4 * total < int(off[hi] - off[lo]):
            # stacks still encoded, or few entries among many (e.g. inuse_space): just these samples'
            locs = data.stack_locs_of(sample_ids)
        else:
            entries = data.stack_locs[off[lo]:off[hi]]
            locs = entries if chosen.all() else entries[np.repeat(chosen, np.diff(off[lo:hi + 1]))]  # a boolean compress
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


#: node_weights works on runs of samples holding about this many stack entries,
#: which bounds its memory whatever the profile's size; runs go to a few
#: threads (:func:`pprof_parse._threads.thread_map`).
CHUNK_ENTRIES = 1 << 20


def node_weights(data: ProfileData, nodes: NodeTable, sample_index: int, *, mean: bool = False) -> NodeWeights:
    """Compute flat/cum (and inline edge flags) of every node."""
    n_nodes = nodes.n_nodes
    w = data.values[:, sample_index] if data.n_samples else np.zeros(0, np.int64)
    dw = data.values[:, 0] if mean and data.n_samples else None
    active = (w != 0) if dw is None else ((w != 0) | (dw != 0))
    depth = np.diff(data.stack_offsets)
    samples = np.flatnonzero(active & (depth > 0))
    if not data.stacks_decoded and 4 * samples.size > data.n_samples:
        data.stack_locs  # most stacks are needed: decode them all once (kept for the next report)
    one_slot = np.diff(nodes.slot_offsets).max(initial=1) <= 1
    slot_node = nodes.slot_node.astype(np.int32)

    def run(chunk: np.ndarray) -> tuple:
        frame_sample, frame_slot = expand_frames(data, nodes, chunk)
        frame_node = slot_node[frame_slot]
        frame_inline = None if one_slot else nodes.slot_inline[frame_slot]
        del frame_slot
        # flat: the leaf frame of each sample is its first frame
        per = np.diff(np.append(np.searchsorted(frame_sample, chunk), frame_sample.size))
        leaf_node = frame_node[np.cumsum(per) - per]
        flat = exact_bincount(leaf_node, w[chunk], n_nodes)
        flat_div = exact_bincount(leaf_node, dw[chunk], n_nodes) if dw is not None else None
        # cum: once per distinct (sample, node)
        us, un = distinct_pairs(frame_sample, frame_node, n_nodes)
        cum = exact_bincount(un, w[us], n_nodes)
        cum_div = exact_bincount(un, dw[us], n_nodes) if dw is not None else None
        return flat, flat_div, cum, cum_div, _edge_keys(frame_sample, frame_node, frame_inline, n_nodes)

    parts = thread_map(run, _sample_runs(samples, depth), "pprof-graph")
    flat, flat_div, cum, cum_div = (None if parts[0][k] is None else np.sum([p[k] for p in parts], axis=0, dtype=np.int64)
                                    for k in range(4))
    inline_in, noinline_in = _inline_flags([p[4] for p in parts], n_nodes)
    return NodeWeights(flat, cum, flat_div, cum_div, inline_in, noinline_in)


def _sample_runs(samples: np.ndarray, depth: np.ndarray) -> list[np.ndarray]:
    """Split ``samples`` (ascending) into runs of about :data:`CHUNK_ENTRIES` stack entries."""
    if samples.size == 0:
        return [samples]
    csum = np.cumsum(depth[samples])
    cuts = np.searchsorted(csum, np.arange(CHUNK_ENTRIES, int(csum[-1]), CHUNK_ENTRIES), side="left") + 1
    bounds = np.unique(np.concatenate(([0], np.minimum(cuts, samples.size), [samples.size])))
    return [samples[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


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


def _edge_keys(frame_sample, frame_node, frame_inline, n_nodes):
    """Call edges of a run of frames: ``(children of non-inline edges, inline edge keys, non-inline edge keys)``.

    An edge key is ``parent * n_nodes + child``; the parent of frame ``i``
    (leaf-first order) is frame ``i + 1`` of the same sample.
    """
    empty = np.zeros(0, np.int64)
    if frame_node.size < 2:
        return empty, empty, empty
    child = frame_node[:-1]
    parent = frame_node[1:]
    valid = (frame_sample[:-1] == frame_sample[1:]) & (child != parent)
    if frame_inline is None:  # no inline frames at all
        return np.unique(child[valid]), empty, empty
    inl = frame_inline[:-1]
    non = valid & ~inl
    m = valid & inl
    if not m.any():
        return np.unique(child[non]), empty, empty
    return (np.unique(child[non]), _sorted_unique(parent[m].astype(np.int64) * n_nodes + child[m]),
            _sorted_unique(parent[non].astype(np.int64) * n_nodes + child[non]))


def _inline_flags(edges: list, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Which nodes have inline / non-inline incoming edges (pprof's ``(inline)`` text marker).

    An edge is an inline call iff every occurrence of it is one.
    """
    inline_in = np.zeros(n_nodes, bool)
    noinline_in = np.zeros(n_nodes, bool)
    for children, _, _ in edges:
        noinline_in[children] = True
    k_inl = _sorted_unique(np.concatenate([e[1] for e in edges])) if edges else np.zeros(0, np.int64)
    if k_inl.size:
        k_non = np.concatenate([e[2] for e in edges])
        inline_in[k_inl[~np.isin(k_inl, k_non)] % n_nodes] = True
    return inline_in, noinline_in


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    a = np.sort(a)
    if a.size:
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a
