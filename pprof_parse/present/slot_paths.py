"""The granularity-independent half of the explorer's view index: the call paths of one profile
at its finest level, the (location, line) slot, built once and shared by every granularity.

Every report node of every granularity is a function of the slot (pprof's ``NodeInfo`` is made
from one location and one of its lines), so a granularity is a table ``slot -> node``
(:func:`~pprof_parse.analyze.nodes.build_nodes`), and what
:class:`~pprof_parse.present.view_index.ViewIndex` computes per granularity follows from slot
level arrays through that table (:mod:`~pprof_parse.present.derived_view`):

* flat: each sample's leaf slot;
* cum: the distinct (sample, slot) pairs (a sparse 0/1 matrix), less the samples holding two
  slots of one node; those can only be samples holding two slots of one *slot group* (slots
  sharing a function name, or a file, function start line and mapping file: every granularity
  merges slots only within a group), listed here once;
* the ``(inline)`` marker: the distinct (callee slot, caller slot) call edges into groups some
  inline call reaches, with the samples of each occurrence;
* the call tree: the slot-level call paths, numbered as ``ViewIndex`` numbers its paths, with the
  samples in depth-first order of them; a coarser tree's drawn paths are unions of slot paths
  found top down.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from gopherlab_common.lazy import LazyModule, pd  # pandas on first use

from ..analyze.graph import expand_frames
from ..analyze.nodes import pprof_filename
from ..model.data import ProfileData
from .view_index import number_paths, sample_runs

sparse = LazyModule("scipy.sparse")  # on the first build


class SlotPaths:
    """The slot-level arrays of one profile (see the module's docstring).

    Built once per profile: on the 190k-sample benchmark CPU profile (5.1 M frames, 3.5 M slot
    paths) about 2.1-2.5 s of CPU, 170 MB kept (410 MB at the peak of the build); each
    granularity is then derived from it in 0.04-0.1 s of CPU
    (:func:`~pprof_parse.present.derived_view.view_index_at`).

    Parameters
    ----------
    data : ProfileData
    """

    def __init__(self, data: ProfileData):
        self.data = data
        slots = data.slots()
        self.n_slots = int(slots.offsets[-1])
        self.slot_line = slots.line  # each slot's line-table row (-1: none)
        self.slot_inline = slots.within != (np.diff(slots.offsets)[slots.loc] - 1)  # an inlined call
        self.slot_group = slot_groups(data, slots.loc, slots.line)
        frame_sample, frame_slot = expand_frames(data, SimpleNamespace(slot_offsets=slots.offsets))
        frame_slot = frame_slot.astype(np.int64)
        per_sample = np.bincount(frame_sample, minlength=data.n_samples) if frame_sample.size \
            else np.zeros(data.n_samples, np.int64)
        has = per_sample > 0
        self.leaf_slot = np.full(data.n_samples, -1, np.int64)  # each sample's first (leaf) frame's slot
        self.leaf_slot[has] = frame_slot[(np.cumsum(per_sample) - per_sample)[has]]
        self._index_pairs(frame_sample, frame_slot)
        self._index_edges(frame_sample, frame_slot)
        parent, self.path_slot, depth, sample_path = number_paths(frame_slot, per_sample, self.n_slots)
        self.sample_order, self.path_first, self.path_end = sample_runs(parent, depth, sample_path)
        # children are contiguous and numbered in parent order: path p's are child_start[p]:child_start[p + 1]
        self.child_start = np.concatenate(([1], 1 + np.cumsum(np.bincount(parent[1:], minlength=parent.size))))

    def _index_pairs(self, frame_sample, frame_slot) -> None:
        """The distinct (sample, slot) pairs, as a sparse 0/1 matrix ``slot_samples`` (a row per
        slot, its samples ascending), and the pairs of samples holding two or more slots of one
        slot group (``multi_sample``, ``multi_slot``)."""
        n_samples = max(self.data.n_samples, 1)
        adjacent = np.ones(frame_slot.size, bool)  # repeats in a row (direct recursion) dropped before the sort
        adjacent[1:] = (frame_slot[1:] != frame_slot[:-1]) | (frame_sample[1:] != frame_sample[:-1])
        key = np.sort(frame_slot[adjacent] * n_samples + frame_sample[adjacent])
        key = key[np.r_[True, key[1:] != key[:-1]]] if key.size else key
        pair_sample, slot = key % n_samples, key // n_samples
        # a 0/1 matrix: slot_samples @ w sums w over each slot's samples (a sparse product: a third
        # of the time of a gather of w and np.add.reduceat over the pairs)
        row_end = np.cumsum(np.bincount(slot, minlength=self.n_slots))
        self.slot_samples = sparse.csr_matrix((np.ones(key.size, np.int64), pair_sample, np.r_[0, row_end]),
                                              shape=(self.n_slots, self.data.n_samples))
        n_groups, n_slots = int(self.slot_group.max(initial=0)) + 1, max(self.n_slots, 1)
        sg = pair_sample * n_groups + self.slot_group[slot]
        if (n_samples * n_groups).bit_length() + n_slots.bit_length() <= 63:  # (sample, group, slot) packed
            packed = np.sort(sg * n_slots + slot)
            sg, slot = packed // n_slots, packed % n_slots
        else:
            order = np.argsort(sg, kind="stable")
            sg, slot = sg[order], slot[order]
        multi = np.zeros(sg.size, bool)  # pairs by (sample, group): with the next or the previous pair's
        multi[:-1] = sg[1:] == sg[:-1]
        multi[1:] |= multi[:-1].copy()
        self.multi_sample = sg[multi] // n_groups
        self.multi_slot = slot[multi]

    def _index_edges(self, frame_sample, frame_slot) -> None:
        """The call edge occurrences (frame ``i`` called from frame ``i + 1`` of the same sample,
        distinct slots) whose callee is in a group an inline call reaches: only those can give a
        node of some granularity the ``(inline)`` marker. ``edge_child``/``edge_parent``: the
        distinct (callee slot, caller slot) edges; ``occ_edge``/``occ_sample``: each occurrence."""
        valid = (frame_sample[:-1] == frame_sample[1:]) & (frame_slot[:-1] != frame_slot[1:])
        child = frame_slot[:-1]
        inline_groups = np.zeros(int(self.slot_group.max(initial=0)) + 1, bool)
        inline_groups[self.slot_group[child[valid & self.slot_inline[child]]]] = True
        valid &= inline_groups[self.slot_group[child]]
        key = frame_slot[1:][valid] * max(self.n_slots, 1) + child[valid]
        edges, self.occ_edge = np.unique(key, return_inverse=True)
        self.edge_child = edges % max(self.n_slots, 1)
        self.edge_parent = edges // max(self.n_slots, 1)
        self.occ_sample = frame_sample[:-1][valid]


def slot_groups(data: ProfileData, slot_loc: np.ndarray, slot_line: np.ndarray) -> np.ndarray:
    """Each slot's group: the connected components of "same function name" (the empty name
    included) and "same (file, function start line, mapping file)". Every granularity's node
    holds slots of one group: ``functions``, ``filefunctions``, ``lines`` and ``addresses`` keep the
    name, ``files`` keeps the file, the start line (its nodes have no name) and the mapping file
    (:func:`~pprof_parse.analyze.nodes.build_nodes`)."""
    strings = np.asarray(data.strings, dtype=object)
    has_fn = slot_line >= 0
    fi = np.where(has_fn, data.line_function[np.maximum(slot_line, 0)] if data.line_function.size else 0, 0)
    if data.func_name.size:
        name = strings[np.where(has_fn, data.func_name[fi], 0)]
        file = strings[np.where(has_fn, data.func_filename[fi], 0)]
        start = np.where(has_fn, data.func_start_line[fi], 0)
    else:
        name = file = strings[np.zeros(slot_loc.size, np.int64)]
        start = np.zeros(slot_loc.size, np.int64)
    mapping = data.loc_mapping[slot_loc]
    mfile_idx = data.map_filename[np.maximum(mapping, 0)] if data.map_filename.size else 0
    mfile = strings[np.where(mapping >= 0, mfile_idx, 0)]
    a = pd.factorize(pd.Series(name, dtype=object))[0]
    distinct, inverse = np.unique(file.astype(str), return_inverse=True)  # each file name cleaned once
    cleaned = np.array([pprof_filename(f) for f in distinct], dtype=object)[inverse]
    files = pd.DataFrame({"f": cleaned, "s": start, "m": mfile})
    b = files.groupby(["f", "s", "m"], sort=False, dropna=False).ngroup().to_numpy()
    return _components(a, b)


def _components(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of the items linked by equal ``a`` or equal ``b`` labels (0-based ids),
    by repeated min-label propagation through both labelings (a handful of passes: few slots)."""
    label = np.arange(a.size, dtype=np.int64)
    while True:
        prev = label
        for keys in (a, b):
            low = np.full(int(keys.max(initial=-1)) + 1, a.size, np.int64)
            np.minimum.at(low, keys, label)
            label = low[keys]
        if np.array_equal(label, prev):
            break
    return np.unique(label, return_inverse=True)[1].astype(np.int64)
