"""The two halves of every stack through one report node: the sandwich view's data.

A sandwich of a node X (a function at the ``functions`` granularity) splits each sample
whose stack contains X at X's *outermost* call:

* the **callers half** -- the frames above that call, from X's direct caller up to the
  root (level 1 = the direct caller);
* the **callees half** -- the frames below it, from X's direct callee down to the leaf
  (level 1 = the direct callee). Direct recursion (X calling X) is one call: the split
  is below the whole run of X frames.

Each sample is split once, so both halves of X hold each sample's value once, as pprof's
``cum`` of X does; a sample that re-enters X through other functions (X -> a -> X -> b)
keeps its inner call of X inside the callees half (as speedscope's sandwich does).
Frames are pprof's report nodes (:mod:`.nodes`): inlined calls expanded, leaf first per
location. Values are not touched here; the trees are made by the present stage.

Two implementations, picked by ``GOPHERLAB_ENGINE``
(:func:`gopherlab_common.engine.reference_engine`): the column-wise split of all stacks at
once, and a plain loop over the samples (:func:`focus_paths`) that also builds the trees
(:func:`path_tree`), tested equal.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..model.data import ProfileData
from .graph import expand_frames
from .nodes import NodeTable


class HalfStacks(NamedTuple):
    """One half of the split stacks, one entry per frame (int64 arrays of equal length).

    ``frame_sample`` (sample row), ``frame_node`` (node id), ``level`` (1 = the frame
    next to the focus node, counting away from it).
    """

    frame_sample: np.ndarray
    frame_node: np.ndarray
    level: np.ndarray


class SplitStacks(NamedTuple):
    """The samples through the focus node (ascending rows with a non-zero value) and
    their two halves (:class:`HalfStacks`)."""

    samples: np.ndarray
    callers: HalfStacks
    callees: HalfStacks


def split_at_focus(data: ProfileData, nodes: NodeTable, node: int, sample_index: int) -> SplitStacks:
    """Split every stack through ``node`` at its outermost run of ``node`` frames, column-wise.

    Parameters
    ----------
    data : ProfileData
    nodes : NodeTable
        The report nodes (:func:`~pprof_parse.analyze.nodes.build_nodes`) ``node`` is an id of.
    node : int
        The focus node's id.
    sample_index : int
        Samples whose value at this index is 0 are left out (as pprof's graph leaves them).

    Returns
    -------
    SplitStacks
        Frames in ascending sample order; within a sample in any order (the trees built
        from them do not depend on it).
    """
    w = data.values[:, sample_index] if data.n_samples else np.zeros(0, np.int64)
    candidates = np.flatnonzero((w != 0) & _stacks_through(data, nodes, node))
    frame_sample, frame_slot = expand_frames(data, nodes, candidates)
    frame_node = nodes.slot_node[frame_slot].astype(np.int64)
    frame_sample = frame_sample.astype(np.int64)
    if frame_node.size == 0:
        empty = HalfStacks(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))
        return SplitStacks(np.zeros(0, np.int64), empty, empty)
    # position of each frame from the root (0 = outermost); frames come leaf first per sample
    starts = np.flatnonzero(np.concatenate(([True], frame_sample[1:] != frame_sample[:-1])))
    counts = np.diff(np.append(starts, frame_sample.size))
    samples = frame_sample[starts]
    seg = np.repeat(np.arange(samples.size), counts)
    from_root = (starts + counts - 1)[seg] - np.arange(frame_node.size)
    is_focus = frame_node == node
    # outermost focus frame of each sample, and the end of its run towards the leaf
    never = np.iinfo(np.int64).max
    first = np.minimum.reduceat(np.where(is_focus, from_root, never), starts)
    past_run = np.where(~is_focus & (from_root > first[seg]), from_root, never)
    run_end = np.minimum.reduceat(past_run, starts)  # first non-focus frame below the run
    run_end = np.minimum(run_end, counts)
    through = first != never
    keep = through[seg]
    above = keep & (from_root < first[seg])
    below = keep & (from_root >= run_end[seg])
    callers = HalfStacks(frame_sample[above], frame_node[above], (first[seg] - from_root)[above])
    callees = HalfStacks(frame_sample[below], frame_node[below], (from_root - run_end[seg] + 1)[below])
    return SplitStacks(samples[through], callers, callees)


def _stacks_through(data: ProfileData, nodes: NodeTable, node: int) -> np.ndarray:
    """Per sample: does its stack hold a location with a ``node`` frame (bool, n_samples)?
    One pass over the stack entries, so only those samples' frames are expanded."""
    slot_offsets = nodes.slot_offsets
    hits = np.concatenate(([0], np.cumsum(nodes.slot_node == node)))
    loc_has = hits[slot_offsets[1:]] > hits[slot_offsets[:-1]]
    if not loc_has.any():
        return np.zeros(data.n_samples, bool)
    entries = np.concatenate(([0], np.cumsum(loc_has[data.stack_locs])))
    off = data.stack_offsets
    return entries[off[1:]] > entries[off[:-1]]


# ---- the reference path: plain loops over samples --------------------------------------------


def sample_frames(data: ProfileData, nodes: NodeTable, sample: int) -> list[int]:
    """One sample's frames as node ids, root first (each location's lines: the physical
    call outermost, its inlined calls below it)."""
    locs = data.stack_locs_of(np.array([sample], np.int64))
    leaf_first = []
    for loc in locs:
        for slot in range(int(nodes.slot_offsets[loc]), int(nodes.slot_offsets[loc + 1])):
            leaf_first.append(int(nodes.slot_node[slot]))
    return leaf_first[::-1]


def focus_paths(data: ProfileData, nodes: NodeTable, node: int, sample_index: int) -> list[tuple[int, list, list]]:
    """The reference split: ``(sample, callers, callees)`` per sample through ``node``.

    ``callers`` lists node ids from the direct caller up to the root; ``callees`` from the
    direct callee down to the leaf. Samples with value 0 at ``sample_index`` are left out.
    """
    out = []
    for sample in range(data.n_samples):
        if data.values[sample, sample_index] == 0:
            continue
        path = sample_frames(data, nodes, sample)
        if node not in path:
            continue
        first = path.index(node)  # the outermost call
        last = first
        while last + 1 < len(path) and path[last + 1] == node:  # direct recursion: one call
            last += 1
        callers = path[:first][::-1]
        callees = path[last + 1:]
        out.append((sample, callers, callees))
    return out


def path_tree(paths: list[tuple[int, list]], weights: np.ndarray, names, root_name: str) -> pd.DataFrame:
    """The tree of ``paths`` (``(sample, node ids from the root's child outwards)``), unpruned.

    A plain trie: each path adds its sample's weight to every prefix (``total``) and to its
    last node (``self``; an empty path to the root). Rows are numbered as
    :func:`pprof_parse.present.tree.call_tree` numbers its paths: the root 0, then level by
    level, within a level by (parent id, node id).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``parent`` (-1 for the root), ``name`` (``root_name`` for the root),
        ``depth``, ``self``, ``total`` (int64, the weights' unit).
    """
    children: list[dict] = [{}]  # per tree row: node id -> child's key (level, parent row, node)
    keys = [(0, -1, -1)]
    total = [0]
    self_ = [0]
    for sample, path in paths:
        v = int(weights[sample])
        row = 0
        total[0] += v
        for level, node in enumerate(path, start=1):
            if node not in children[row]:
                children[row][node] = len(keys)
                keys.append((level, row, node))
                children.append({})
                total.append(0)
                self_.append(0)
            row = children[row][node]
            total[row] += v
        self_[row] += v
    # number the rows as call_tree does: by level, then parent's number, then node id
    order = [0]
    number = {0: 0}
    for level in range(1, max(k[0] for k in keys) + 1):
        rows = [r for r, k in enumerate(keys) if k[0] == level]
        rows.sort(key=lambda r: (number[keys[r][1]], keys[r][2]))
        for r in rows:
            number[r] = len(order)
            order.append(r)
    return pd.DataFrame({
        "id": np.arange(len(order), dtype=np.int64),
        "parent": np.array([number[keys[r][1]] if r else -1 for r in order], np.int64),
        "name": pd.array([names[keys[r][2]] if r else root_name for r in order], dtype=object),
        "depth": np.array([keys[r][0] for r in order], np.int64),
        "self": np.array([self_[r] for r in order], np.int64),
        "total": np.array([total[r] for r in order], np.int64),
    })
