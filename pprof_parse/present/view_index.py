"""The top table and the call tree of one profile, redrawn fast for another sample type or another
subset of its samples (an interactive explorer's controls).

:func:`~pprof_parse.present.top.top_table` and :func:`~pprof_parse.present.tree.call_tree` walk
every frame of every stack on each call. Most of what they compute does not depend on the sample
weights: the report node of every frame, the distinct (sample, node) pairs that ``cum`` counts,
the call edges the ``(inline)`` marker looks at, the call path of every frame. A
:class:`ViewIndex` computes those once for one granularity; a view for a sample type and a set
of kept samples (pprof's ``-focus``/``-ignore`` keep whole samples, stacks unchanged) is then a
few weighted counts over them: flat by leaf node, cum over the distinct pairs grouped by node,
and every call path's total as the difference of two prefix sums of the weights, the samples
being kept in depth-first order of their paths (the samples through a path are one run of it).
Other options (``-mean``, ``-noinlines``, ``-hide``/``-show``, label frames) are not indexed:
use ``Profile.top``/``call_tree`` for those.

:class:`~pprof_parse.present.derived_view.DerivedViewIndex` answers the same from call paths
built once per profile at the finest level (:mod:`~pprof_parse.present.slot_paths`), for every
granularity; this class builds one granularity from the samples and is its reference.

The results equal ``top_table`` of the filtered data with the whole profile's total (what
``Profile.top(focus=…)`` returns) and ``call_tree`` of the filtered profile, row for row
(``tests/pprof_parse/test_view_index.py``); the rules are theirs (pprof's ``graph.newGraph`` for
flat, cum and inline edges; the flame graph's pruning).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.filter import name_matches, samples_kept_by_name, warn_unmatched
from ..analyze.graph import exact_bincount, expand_frames
from ..analyze.nodes import build_nodes, sprint_keys
from ..analyze.sample_index import resolve_sample_index
from ..model.data import ProfileData
from .top import TOP_COLUMNS, report_total
from .tree import ROOT_NAME, TREE_COLUMNS, prune_tree


class ViewIndex:
    """The weight-independent arrays of one profile's top table and call tree at one granularity.

    Built once (about twice the cost of one ``top`` plus one ``call_tree``; on the 190k-sample
    benchmark CPU profile about 2 s of CPU and 150 MB); then :meth:`top` and :meth:`call_tree` take
    a sample index and a kept-sample mask (:meth:`kept`): a new sample type about 65 ms of CPU
    there and a new focus about 80 ms (mask included, figure not drawn), against 1.6 s for
    ``Profile.top`` and ``call_tree``. The call tree totals only the children of the paths above
    its pruning cutoff, found top down.

    Parameters
    ----------
    data : ProfileData
    granularity : {"functions", "filefunctions", "files", "lines", "addresses"}

    Raises
    ------
    OptionError
        Unknown granularity.
    """

    def __init__(self, data: ProfileData, granularity: str = "functions"):
        self.data, self.granularity = data, granularity
        self.nodes = build_nodes(data, granularity)
        n_nodes = self.nodes.n_nodes
        self.slot_line = data.slots().line  # each slot's line-table row (-1: none), for regex matches
        self.slot_count = np.bincount(self.nodes.slot_node, minlength=n_nodes)  # slots per node
        frame_sample, frame_slot = expand_frames(data, self.nodes)
        frame_node = self.nodes.slot_node[frame_slot].astype(np.int32)
        per_sample = np.bincount(frame_sample, minlength=data.n_samples) if frame_sample.size \
            else np.zeros(data.n_samples, np.int64)
        self.leaf_node = self._leaf_nodes(frame_node, per_sample)
        self._index_pairs(frame_sample, frame_node, n_nodes)
        self._index_edges(frame_sample, frame_node, self.nodes.slot_inline[frame_slot], n_nodes)
        self._index_paths(frame_node, per_sample)
        self.names, self.name_rank, self.sprint_rank = node_names(self.nodes)

    # ---- built once ----------------------------------------------------------------------------
    @staticmethod
    def _leaf_nodes(frame_node: np.ndarray, per_sample: np.ndarray) -> np.ndarray:
        """The node of each sample's first (leaf) frame; -1 for a sample without frames."""
        leaf = np.full(per_sample.size, -1, np.int64)
        has = per_sample > 0
        leaf[has] = frame_node[(np.cumsum(per_sample) - per_sample)[has]]
        return leaf

    def _index_pairs(self, frame_sample, frame_node, n_nodes: int) -> None:
        """The distinct (sample, node) pairs ``cum`` counts, grouped by node: ``pair_sample`` in node
        order, ``pair_nodes`` the nodes present and ``pair_starts`` where each one's samples start.

        One sort of a node-major key (``node * n_samples + sample``; adjacent repeats -- direct
        recursion, inline chains -- dropped first) both removes the repeats and groups by node."""
        n_samples = max(self.data.n_samples, 1)
        adjacent = np.ones(frame_node.size, bool)
        adjacent[1:] = (frame_node[1:] != frame_node[:-1]) | (frame_sample[1:] != frame_sample[:-1])
        key = frame_node[adjacent].astype(np.int64) * n_samples + frame_sample[adjacent]
        key.sort()
        key = key[np.r_[True, key[1:] != key[:-1]]] if key.size else key
        self.pair_sample = key % n_samples
        nodes = key // n_samples
        self.pair_starts = np.flatnonzero(np.r_[True, nodes[1:] != nodes[:-1]]) if nodes.size else nodes
        self.pair_nodes = nodes[self.pair_starts]

    def _index_edges(self, frame_sample, frame_node, frame_inline, n_nodes: int) -> None:
        """The call edge occurrences (frame ``i`` called from frame ``i + 1`` of the same sample, the
        two nodes distinct) into the nodes an inline call reaches somewhere -- only those nodes can
        get the ``(inline)`` marker: each occurrence's sample, its distinct edge, and whether it is
        an inline call."""
        valid = (frame_sample[:-1] == frame_sample[1:]) & (frame_node[:-1] != frame_node[1:])
        child = frame_node[:-1]
        inline = frame_inline[:-1] & valid
        callee = np.zeros(max(n_nodes, 1), bool)
        callee[child[inline]] = True
        valid &= callee[child]
        key = frame_node[1:][valid].astype(np.int64) * n_nodes + child[valid]
        edges, self.edge_of = np.unique(key, return_inverse=True)
        self.edge_child = edges % max(n_nodes, 1)
        self.edge_sample = frame_sample[:-1][valid]
        self.edge_inline = inline[valid]

    def _index_paths(self, frame_node, per_sample) -> None:
        """The call path (root first) of every frame (:func:`number_paths`) and the samples in
        depth-first order of their paths (:func:`sample_runs`)."""
        self.path_parent, self.path_node, self.path_depth, self.sample_path = number_paths(
            frame_node, per_sample, self.nodes.n_nodes)
        self.sample_order, self.path_first, self.path_end = sample_runs(self.path_parent, self.path_depth,
                                                                        self.sample_path)

    # ---- per view ------------------------------------------------------------------------------
    def kept(self, focus: str | None = None, ignore: str | None = None) -> np.ndarray:
        """The samples pprof's ``-focus``/``-ignore`` keep, as a boolean mask (all when both are unset);
        equal to :func:`~pprof_parse.analyze.filter.samples_kept_by_name`, with its warnings.

        When a regex matches whole report nodes (every line of a node matches or none: function
        names at the functions, filefunctions and lines granularities) and no mapping file, the
        samples are read from the nodes' (sample, node) pairs: a sample is kept when it has a
        focus node and no ignore node. Otherwise (a file granularity, a mapping match) the stacks
        are scanned as the filter does.

        Raises
        ------
        OptionError
            A regex Go would refuse (focus checked first).
        """
        matches = [name_matches(self.data, opt, rx) if rx else None
                   for opt, rx in (("focus", focus), ("ignore", ignore))]
        node_flags = [None if m is None else self._node_flags(*m) for m in matches]
        if any(m is not None and f is None for m, f in zip(matches, node_flags)):
            return samples_kept_by_name(self.data, focus=focus, ignore=ignore)
        (fm, im), (fn, ign) = matches, node_flags
        ignored = im[2] if im is not None else np.zeros(self.data.loc_id.size, bool)
        warn_unmatched(bool((fm[2] & ~ignored).any()) if fm is not None else True, bool(ignored.any()), focus, ignore)
        keep = self._samples_with(fn) if fn is not None else np.diff(self.data.stack_offsets) > 0
        if ign is not None and ign.any():
            keep &= ~self._samples_with(ign)
        return keep

    def _node_flags(self, line: np.ndarray, mapping: np.ndarray, _location) -> np.ndarray | None:
        """The nodes a regex matches, when it matches whole nodes and no mapping file; else None."""
        if mapping.any():
            return None
        slot_hit = np.where(self.slot_line >= 0, line[np.maximum(self.slot_line, 0)], False) if line.size else \
            np.zeros(self.slot_line.size, bool)
        n_nodes = self.nodes.n_nodes
        hits = np.bincount(self.nodes.slot_node[slot_hit], minlength=n_nodes)
        if not np.array_equal(hits, np.where(hits > 0, self.slot_count, 0)):
            return None  # some node has both matching and other lines
        return hits > 0

    def _samples_with(self, node_flag: np.ndarray) -> np.ndarray:
        """The samples whose stacks hold a flagged node (their (sample, node) pairs)."""
        return samples_of_groups(node_flag[self.pair_nodes], self.pair_starts, self.pair_sample, self.data.n_samples)

    def _weights(self, sample_index, kept: np.ndarray | None) -> tuple[int, np.ndarray]:
        """``(sample type position, int64 weight of every sample, 0 for the samples not kept)``."""
        si = resolve_sample_index(self.data, sample_index)
        w = self.data.values[:, si].astype(np.int64) if self.data.n_samples else np.zeros(0, np.int64)
        return si, (w if kept is None else np.where(kept, w, 0))

    def top(self, sample_index=None, kept: np.ndarray | None = None, *, cum: bool = False) -> pd.DataFrame:
        """``top_table`` of the kept samples, percentages of the whole profile's total (as
        :meth:`pprof_parse.Profile.top` with ``focus``/``ignore``); same columns and ``attrs``.

        Parameters
        ----------
        sample_index : int or str, optional
            Sample type (pprof's rules).
        kept : numpy.ndarray of bool, optional
            Which samples count (:meth:`kept`); default all.
        cum : bool
            Order by |cum| (pprof's ``-cum``).

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        """
        si, w = self._weights(sample_index, kept)
        has_leaf = (self.leaf_node >= 0) & (w != 0)
        flat = exact_bincount(self.leaf_node[has_leaf], w[has_leaf], self.nodes.n_nodes)
        cumv = self._cum(w)
        inline_in, noinline_in = self._inline_flags(w != 0)
        keep = (flat != 0) | (cumv != 0)
        ids = np.flatnonzero(keep)
        order = self._report_order(ids, flat[ids], cumv[ids], by_cum=cum)
        names = self.names[ids]
        ids = ids[order]
        total = report_total(self.data, si)
        flat, cumv = flat[ids], cumv[ids]
        df = pd.DataFrame({
            "name": pd.Series(names[order], dtype=object),
            "flat": flat, "flat_pct": _pct(flat, total), "sum_pct": _pct(np.cumsum(flat), total),
            "cum": cumv, "cum_pct": _pct(cumv, total),
            "inline": np.where(inline_in[ids], np.where(noinline_in[ids], "partial-inline", "inline"), ""),
        })[TOP_COLUMNS]
        df.attrs.update({"sample_type": self.data.sample_types[si].type, "unit": self.data.sample_types[si].unit,
                         "total": total, "granularity": self.granularity, "mean": False})
        return df

    def _report_order(self, ids: np.ndarray, flat: np.ndarray, cum: np.ndarray, by_cum: bool) -> np.ndarray:
        """:func:`~pprof_parse.present.top.node_order` of the nodes ``ids`` (positions in report
        order), from the names' ranks: |flat| descending, name, |cum| descending, the tie-break."""
        a, b = (-np.abs(cum), -np.abs(flat)) if by_cum else (-np.abs(flat), -np.abs(cum))
        return np.lexsort((self.sprint_rank[ids], b, self.name_rank[ids], a))

    def _cum(self, w: np.ndarray) -> np.ndarray:
        """Σ ``w`` of the samples through each node (each sample counted once per node)."""
        cumv = np.zeros(self.nodes.n_nodes, np.int64)
        if self.pair_nodes.size:
            cumv[self.pair_nodes] = np.add.reduceat(w[self.pair_sample], self.pair_starts)
        return cumv

    def _inline_flags(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nodes with an ordinary incoming call / with an incoming edge that is an inline call in every
        occurrence, over the active samples (pprof's ``(inline)`` marker)."""
        n_nodes = self.nodes.n_nodes
        on = active[self.edge_sample]
        n_edges = self.edge_child.size
        plain = np.bincount(self.edge_of[on & ~self.edge_inline], minlength=n_edges) > 0
        inline = np.bincount(self.edge_of[on & self.edge_inline], minlength=n_edges) > 0
        noinline_in = np.zeros(n_nodes, bool)
        noinline_in[self.edge_child[plain]] = True
        inline_in = np.zeros(n_nodes, bool)
        inline_in[self.edge_child[inline & ~plain]] = True
        return inline_in, noinline_in

    def call_tree(self, sample_index=None, kept: np.ndarray | None = None, *, min_fraction: float = 0.005,
                  max_nodes: int | None = 3000) -> pd.DataFrame:
        """``call_tree`` of the kept samples (the tree of ``Profile.filter(focus=…)``), pruned the same
        way (``min_fraction``, ``max_nodes`` as there); same columns and ``attrs``. With weights of
        both signs (diff profiles) a path is drawn when a kept sample with a nonzero weight reaches it.

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        OptionError
            Negative ``min_fraction`` or ``max_nodes`` < 2.
        """
        si, w = self._weights(sample_index, kept)
        nonneg = bool((w >= 0).all())
        # call_tree does not expand a path below the cutoff: its subtree stays in it as self
        cutoff = min_fraction * float(np.abs(w).sum()) if min_fraction > 0 and nonneg else 0.0
        new_parent, node, depth, total = self._drawn_tree(w, cutoff, nonneg)
        self_ = total - exact_bincount(new_parent, total[1:], total.size)  # less the drawn children
        names = self.names
        df = pd.DataFrame({
            "id": np.arange(total.size, dtype=np.int64),
            "parent": np.r_[-1, new_parent].astype(np.int64),
            "name": pd.array(np.where(node >= 0, names[np.maximum(node, 0)] if names.size else ROOT_NAME, ROOT_NAME),
                             dtype=object),
            "depth": depth.astype(np.int64),
        })
        out = prune_tree(df, {"self": self_, "total": total}, total, min_fraction=min_fraction,
                     max_nodes=max_nodes)[TREE_COLUMNS]
        st = self.data.sample_types[si]
        out.attrs.update({"sample_type": st.type, "unit": st.unit, "total": int(np.abs(w).sum()),
                          "granularity": self.granularity, "noinlines": False, "tagroot": None, "tagleaf": None,
                          "n_paths": int(total.size)})
        return out

    def _drawn_tree(self, w: np.ndarray, cutoff: float, nonneg: bool):
        """The drawn paths in numbering order, ``(parent position of each but the root, node, depth,
        total)``: with a cutoff (> 0) :meth:`_drawn_above`, else :meth:`_drawn_all`."""
        ids, total = self._drawn_above(w, cutoff) if cutoff > 0 else self._drawn_all(w, nonneg)
        new_parent = np.searchsorted(ids, self.path_parent[ids[1:]])  # a drawn path's parent is drawn (ids sorted)
        return new_parent, self.path_node[ids], self.path_depth[ids], total

    def _drawn_all(self, w: np.ndarray, nonneg: bool) -> tuple[np.ndarray, np.ndarray]:
        """Without a cutoff: every path a kept sample with a nonzero weight reaches (and the root),
        ``(path ids ascending, their totals)``."""
        total = self._path_totals(w)
        reached = total != 0 if nonneg else self._path_totals((w != 0).astype(np.int64)) > 0
        reached[0] = True
        ids = np.flatnonzero(reached)
        return ids, total[ids]

    def _drawn_above(self, w: np.ndarray, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
        """With a cutoff (weights >= 0): the root and every reached child of a path whose total is
        at least ``cutoff``, found top down (a path's total is no larger than its parent's, so only
        the children of drawn paths are looked at, not every path). ``(path ids ascending, totals)``.

        Children are contiguous: paths are numbered level by level in (parent, node) order, so
        ``path_parent`` is non-decreasing."""
        cs = self._prefix_sums(w)
        ids, totals = [np.zeros(1, np.int64)], [cs[-1:] - cs[:1]]
        frontier = ids[0] if totals[0][0] >= cutoff else ids[0][:0]
        while frontier.size:
            lo = np.searchsorted(self.path_parent, frontier, "left")
            n = np.searchsorted(self.path_parent, frontier, "right") - lo
            children = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
            total = cs[self.path_end[children]] - cs[self.path_first[children]]
            reached = total != 0
            ids.append(children[reached])
            totals.append(total[reached])
            frontier = children[total >= cutoff]
        ids, totals = np.concatenate(ids), np.concatenate(totals)
        order = np.argsort(ids)
        return ids[order], totals[order]

    def _prefix_sums(self, w: np.ndarray) -> np.ndarray:
        """0 then the running sums of ``w`` in the samples' depth-first order (exact int64)."""
        return np.concatenate(([0], np.cumsum(w[self.sample_order], dtype=np.int64)))

    def _path_totals(self, w: np.ndarray) -> np.ndarray:
        """Σ ``w`` of the samples through each path (exact int64 sums)."""
        cs = self._prefix_sums(w)
        return cs[self.path_end] - cs[self.path_first]



def node_names(nodes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The report names of the nodes of a :class:`~pprof_parse.analyze.nodes.NodeTable` (an
    object array by node id) and the ranks :func:`~pprof_parse.present.top.node_order` sorts by:
    of the name, and of ``fmt.Sprint(NodeInfo)``, its final tie-break between equally named nodes
    (computed for those only; 0 for the others, which never reach it)."""
    names = nodes.info["name"].to_numpy(dtype=object)
    # sorted as Go compares strings (bytes; arrow-backed strings sort by their UTF-8 bytes, Python
    # strings by code point: the same order)
    name_rank = np.asarray(pd.factorize(nodes.info["name"], sort=True)[0], np.int64)
    sprint = np.full(names.size, "", dtype=object)
    same = np.flatnonzero(np.bincount(name_rank, minlength=1)[name_rank] > 1)  # equally named nodes
    sprint[same] = sprint_keys(nodes.info.iloc[same])
    sprint_rank = np.asarray(pd.factorize(pd.Series(sprint, dtype=object), sort=True)[0], np.int64)
    return names, name_rank, sprint_rank


def samples_of_groups(flag: np.ndarray, starts: np.ndarray, pair_sample: np.ndarray, n_samples: int) -> np.ndarray:
    """A mask of the samples of the flagged groups of pairs (``pair_sample[starts[i]:starts[i + 1]]``
    is group ``i``'s)."""
    at = np.flatnonzero(flag)
    ends = np.r_[starts[1:], pair_sample.size]
    lo, n = starts[at], ends[at] - starts[at]
    rows = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
    out = np.zeros(n_samples, bool)
    out[pair_sample[rows]] = True
    return out


def number_paths(frame_node: np.ndarray, per_sample: np.ndarray, n_nodes: int):
    """The call paths (root first) of the frames, built level by level as ``call_tree`` builds
    them: at each depth, paths numbered by (parent path, node). Frames are leaf first per sample,
    ``per_sample`` of them each.

    Returns ``(path_parent, path_node, path_depth, sample_path)``: path 0 is the root (parent and
    node -1, depth 0); paths are numbered level by level in (parent, node) order, so
    ``path_parent`` is non-decreasing and a path's children are contiguous; ``sample_path`` is
    each sample's deepest path (0: no frames). The arrays a view gathers with stay 64-bit (numpy
    converts narrower indices on every use); the others are 32-bit.
    """
    n_nodes = max(n_nodes, 1)
    first_frame = np.cumsum(per_sample) - per_sample  # each sample's leaf frame; its outermost is the last
    deepest_first = np.argsort(-per_sample, kind="stable")  # samples, the deepest stacks first
    # how many samples reach each level (1 = the outermost frame): a prefix of deepest_first
    reaching = np.searchsorted(-per_sample[deepest_first], -np.arange(1, int(per_sample.max(initial=0)) + 1),
                               side="right")
    path_of_sample = np.zeros(per_sample.size, np.int64)
    parents, nodes, depths = [np.array([-1])], [np.array([-1])], [np.array([0])]
    next_id = 1
    for lv in range(1, reaching.size + 1):
        fs = deepest_first[:reaching[lv - 1]]
        sel = first_frame[fs] + per_sample[fs] - lv  # their frame at this level
        key, ids = _sorted_groups(path_of_sample[fs] * n_nodes + frame_node[sel],
                                  int(frame_node.size + 1) * n_nodes)
        parents.append(key // n_nodes)
        nodes.append(key % n_nodes)
        depths.append(np.full(key.size, lv))
        path_of_sample[fs] = next_id + ids
        next_id += key.size
    return (np.concatenate(parents).astype(np.int64), np.concatenate(nodes).astype(np.int32),
            np.concatenate(depths).astype(np.int32), path_of_sample)


def sample_runs(parent: np.ndarray, depth: np.ndarray, sample_path: np.ndarray):
    """Samples in depth-first order of their call paths (of :func:`number_paths`), so that the
    samples through any path are one run of that order (``path_first`` to ``path_end``): a path's
    total is then the difference of two prefix sums of the ordered weights.

    Returns ``(sample_order, path_first, path_end)``."""
    bounds = np.searchsorted(depth, np.arange(int(depth[-1]) + 2))
    size = np.ones(parent.size, np.int64)  # paths in each subtree, itself included
    for d in range(bounds.size - 2, 0, -1):  # deepest level first, each added to its parents
        lo, hi, up = bounds[d], bounds[d + 1], bounds[d - 1]
        size[up:lo] += np.rint(np.bincount(parent[lo:hi] - up, weights=size[lo:hi], minlength=lo - up)).astype(np.int64)
    pre = np.zeros(parent.size, np.int64)  # depth-first (preorder) position of each path
    for d in range(1, bounds.size - 1):  # a path comes after its parent and its earlier siblings' subtrees
        lo, hi = bounds[d], bounds[d + 1]
        par, sz = parent[lo:hi], size[lo:hi]
        before = np.cumsum(sz) - sz
        first = np.r_[True, par[1:] != par[:-1]]
        first_sibling = np.maximum.accumulate(np.where(first, np.arange(hi - lo), 0))
        pre[lo:hi] = pre[par] + 1 + before - before[first_sibling]
    key = pre[sample_path]
    order = np.argsort(key, kind="stable")
    before = np.concatenate(([0], np.cumsum(np.bincount(key, minlength=parent.size))))  # samples before a position
    return order, before[pre], before[pre + size]

def _sorted_groups(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for keys in ``[0, bound)``: each key's position is
    packed into the low bits of a copy, so one plain sort gives the groups and the inverse
    (numpy's sort of integers is several times faster than the argsort ``np.unique`` makes).
    Falls back to ``np.unique`` when the two do not fit in 63 bits."""
    pos_bits = max(int(key.size).bit_length(), 1)
    if key.size == 0 or int(bound).bit_length() + pos_bits > 63:
        return np.unique(key, return_inverse=True)
    packed = (key.astype(np.int64) << pos_bits) | np.arange(key.size, dtype=np.int64)
    packed.sort()
    sorted_key = packed >> pos_bits
    first = np.empty(key.size, bool)
    first[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=first[1:])
    inverse = np.empty(key.size, np.int64)
    inverse[packed & ((1 << pos_bits) - 1)] = np.cumsum(first) - 1
    return sorted_key[first], inverse


def _pct(values: np.ndarray, total: int) -> np.ndarray:
    """|value| / total × 100 (0 when the total is 0), as the top table computes it."""
    if total == 0:
        return np.zeros(values.shape, float)
    return np.abs(values / total) * 100.0
