"""A granularity's view index derived from the slot-level call paths (:class:`SlotPaths`), not
rebuilt from the samples: the fast path of the explorer's change of granularity.

:class:`DerivedViewIndex` answers what :class:`~pprof_parse.present.view_index.ViewIndex` answers
(``kept``, ``top``, ``call_tree``), with the same results, from the shared slot-level arrays and
a table ``slot -> node`` of the granularity (:func:`~pprof_parse.analyze.nodes.build_nodes`):

* flat by each sample's leaf slot's node;
* cum: the slots' cum (distinct (sample, slot) pairs) summed by node, less ``w`` times (k - 1)
  for each sample holding k >= 2 slots of one node (found among the slot-group pairs
  :class:`SlotPaths` lists; pprof counts a sample once per node: ``graph.newGraph``);
* the ``(inline)`` marker from the slot edges mapped to node edges (an edge between two slots of
  one node is no edge, as pprof's ``newGraph`` skips a call within a node);
* the call tree found top down on each view: a drawn path of the granularity is the union of the
  slot paths whose slots map to its nodes; its children are the slot children of those, grouped
  by (parent, node) as :func:`~pprof_parse.present.view_index.number_paths` numbers paths, so the
  drawn paths come in the order and with the totals ``ViewIndex`` gives. Without a cutoff (a
  ``min_fraction`` of 0, weights of both signs) every reached path is drawn this way: as slow
  as a full build.

:func:`view_index_at` chooses: this index, or ``ViewIndex`` under ``GOPHERLAB_ENGINE=reference``
(the plain build from the samples, which ``tests/pprof_parse/test_derived_view.py`` checks this
one against on real profiles).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.engine import reference_engine

from ..analyze.graph import exact_bincount
from ..analyze.nodes import build_nodes
from .slot_paths import SlotPaths
from .view_index import ViewIndex, node_names, samples_of_groups


def view_index_at(base: SlotPaths, granularity: str = "functions") -> ViewIndex:
    """The view index of ``base``'s profile at ``granularity``: a :class:`DerivedViewIndex`, or a
    :class:`~pprof_parse.present.view_index.ViewIndex` built from the samples under
    ``GOPHERLAB_ENGINE=reference`` or when a node of the granularity spans two slot groups
    (never for pprof's granularities; see :func:`~pprof_parse.present.slot_paths.slot_groups`).

    Raises
    ------
    OptionError
        Unknown granularity.
    """
    if reference_engine():
        return ViewIndex(base.data, granularity)
    nodes = build_nodes(base.data, granularity)
    if not nodes_within_groups(nodes.slot_node, base.slot_group, nodes.n_nodes):
        return ViewIndex(base.data, granularity)
    return DerivedViewIndex(base, nodes)


def nodes_within_groups(slot_node: np.ndarray, slot_group: np.ndarray, n_nodes: int) -> bool:
    """Whether the slots of every node are in one slot group."""
    group_of = np.zeros(max(n_nodes, 1), np.int64)
    group_of[slot_node] = slot_group
    return bool(np.array_equal(group_of[slot_node], slot_group))


class DerivedViewIndex(ViewIndex):
    """:class:`~pprof_parse.present.view_index.ViewIndex`'s answers for one granularity, from a
    :class:`SlotPaths` (see the module's docstring). Made by :func:`view_index_at`.

    On the 190k-sample benchmark CPU profile deriving a granularity takes 0.04-0.1 s of CPU and
    a few MB (a build from the samples: 2 s and 150 MB); a view about as long as ``ViewIndex``'s.

    Parameters
    ----------
    base : SlotPaths
    nodes : NodeTable
        The granularity's nodes (:func:`~pprof_parse.analyze.nodes.build_nodes` of ``base.data``),
        each within one slot group (:func:`nodes_within_groups`).
    """

    def __init__(self, base: SlotPaths, nodes):  # noqa: D107 -- ViewIndex's build is not run
        self.base, self.data, self.granularity, self.nodes = base, base.data, nodes.granularity, nodes
        slot_node, n_nodes = nodes.slot_node, nodes.n_nodes
        self.slot_line = base.slot_line
        self.slot_count = np.bincount(slot_node, minlength=n_nodes)
        self.leaf_node = np.where(base.leaf_slot >= 0, slot_node[np.maximum(base.leaf_slot, 0)], -1) \
            if slot_node.size else np.full(base.leaf_slot.size, -1, np.int64)
        self.sample_order = base.sample_order
        self._derive_repeats(slot_node, n_nodes)
        self._derive_edges(slot_node, n_nodes)
        self.names, self.name_rank, self.sprint_rank = node_names(nodes)

    def _derive_repeats(self, slot_node: np.ndarray, n_nodes: int) -> None:
        """The samples holding k >= 2 slots of one node: ``repeat_sample``, ``repeat_node`` and
        ``repeat_extra`` (k - 1), from the slot-group pairs."""
        n = max(n_nodes, 1)
        key, count = np.unique(self.base.multi_sample * n + slot_node[self.base.multi_slot], return_counts=True)
        twice = count > 1
        self.repeat_sample, self.repeat_node = key[twice] // n, key[twice] % n
        self.repeat_extra = count[twice] - 1

    def _derive_edges(self, slot_node: np.ndarray, n_nodes: int) -> None:
        """The slot edges that are node edges into nodes an inline call reaches (``edge_of_slot_edge``:
        the node edge of each slot edge, -1 for none) and each node edge's callee (``edge_child``)."""
        b, n = self.base, max(n_nodes, 1)
        child, parent = slot_node[b.edge_child], slot_node[b.edge_parent]
        self.slot_edge_inline = b.slot_inline[b.edge_child]
        valid = child != parent
        callee = np.zeros(n, bool)
        callee[child[valid & self.slot_edge_inline]] = True
        valid &= callee[child]
        edges, inverse = np.unique(parent[valid] * n + child[valid], return_inverse=True)
        self.edge_of_slot_edge = np.full(child.size, -1, np.int64)
        self.edge_of_slot_edge[valid] = inverse
        self.edge_child = edges % n

    # ---- per view ------------------------------------------------------------------------------
    def _samples_with(self, node_flag: np.ndarray) -> np.ndarray:
        """The samples whose stacks hold a flagged node (the (sample, slot) pairs of its slots)."""
        m = self.base.slot_samples
        return samples_of_groups(node_flag[self.nodes.slot_node], m.indptr[:-1], m.indices, self.data.n_samples)

    def _cum(self, w: np.ndarray) -> np.ndarray:
        """Σ ``w`` of the samples through each node: the slots' sums by node, less the repeats."""
        n_nodes = self.nodes.n_nodes
        slot_cum = np.asarray(self.base.slot_samples @ w, dtype=np.int64)  # int64 sums, exact
        return exact_bincount(self.nodes.slot_node, slot_cum, n_nodes) - \
            exact_bincount(self.repeat_node, w[self.repeat_sample] * self.repeat_extra, n_nodes)

    def _inline_flags(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`ViewIndex._inline_flags`, over the slot edges' occurrences."""
        b, n_nodes = self.base, self.nodes.n_nodes
        hit = np.bincount(b.occ_edge[active[b.occ_sample]], minlength=self.edge_of_slot_edge.size) > 0
        hit &= self.edge_of_slot_edge >= 0
        plain = np.zeros(self.edge_child.size, bool)
        plain[self.edge_of_slot_edge[hit & ~self.slot_edge_inline]] = True
        inline = np.zeros(self.edge_child.size, bool)
        inline[self.edge_of_slot_edge[hit & self.slot_edge_inline]] = True
        noinline_in = np.zeros(n_nodes, bool)
        noinline_in[self.edge_child[plain]] = True
        inline_in = np.zeros(n_nodes, bool)
        inline_in[self.edge_child[inline & ~plain]] = True
        return inline_in, noinline_in

    def _drawn_tree(self, w: np.ndarray, cutoff: float, nonneg: bool):
        """The drawn paths in ``ViewIndex``'s numbering order, ``(parent position of each but the
        root, node, depth, total)``, found top down over the slot paths (see the module)."""
        cs = self._prefix_sums(w)
        rc = None if nonneg else self._prefix_sums((w != 0).astype(np.int64))  # reaching samples

        def expanded(total, reach):  # the paths whose children are drawn
            return total >= cutoff if cutoff > 0 else (total != 0 if nonneg else reach > 0)

        root_total, root_reach = cs[-1:] - cs[:1], (rc[-1:] - rc[:1] if rc is not None else None)
        parents, nodes, depths, totals = [np.zeros(0, np.int64)], [np.array([-1])], [np.array([0])], [root_total]
        members = np.zeros(int(expanded(root_total, root_reach)[0]), np.int64)  # slot paths of expanded paths
        member_pos = np.zeros(members.size, np.int64)  # ... and those paths' positions
        next_pos, depth = 1, 0
        while members.size:
            depth += 1
            kids, pos, total, reach = self._reached_children(members, member_pos, cs, rc)
            key, group = np.unique(pos * max(self.nodes.n_nodes, 1) + self.nodes.slot_node[self.base.path_slot[kids]],
                                   return_inverse=True)
            total = exact_bincount(group, total, key.size)
            reach = np.bincount(group, weights=reach, minlength=key.size) if reach is not None else None
            parents.append(key // max(self.nodes.n_nodes, 1))
            nodes.append(key % max(self.nodes.n_nodes, 1))
            depths.append(np.full(key.size, depth))
            totals.append(total)
            more = expanded(total, reach)[group]
            members, member_pos = kids[more], next_pos + group[more]
            next_pos += key.size
        return (np.concatenate(parents), np.concatenate(nodes), np.concatenate(depths),
                np.concatenate(totals).astype(np.int64))

    def _reached_children(self, members, member_pos, cs, rc):
        """The slot children of ``members`` that a kept sample with a nonzero weight reaches: ``(slot
        path, its parent's drawn position, total, reaching samples or None)``."""
        b = self.base
        lo = b.child_start[members]
        n = b.child_start[members + 1] - lo
        kids = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        pos = np.repeat(member_pos, n)
        first, end = b.path_first[kids], b.path_end[kids]
        total = cs[end] - cs[first]
        reach = rc[end] - rc[first] if rc is not None else None
        live = total != 0 if rc is None else reach > 0
        return kids[live], pos[live], total[live], (reach[live] if reach is not None else None)
