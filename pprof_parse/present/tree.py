"""Call trees: one row per distinct call path, the frame plotly's icicle draws.

A call tree merges samples whose stacks share a prefix (root first), as a
flame graph does. Unlike :meth:`pprof_parse.Profile.top`, a function appears
once *per path* that reaches it, so ``total`` is counted once per sample per
path and recursion shows up as nesting.

Two builders share the pruning step:

* :func:`call_tree` -- one profile, one sample type;
* :func:`diff_tree` -- two profiles (new and base) merged path by path, with
  ``new``, ``base`` and signed ``delta`` columns, for a diff-coloured flame.

Everything is column-wise: one pass per tree depth, no Python object per sample.
Public through :mod:`pprof_parse.figures` (import them from there; this module may move).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.graph import expand_frames
from ..analyze.label_frames import add_label_frames
from ..analyze.nodes import build_nodes
from ..analyze.sample_index import resolve_sample_index
from ..errors import OptionError

ROOT_NAME = "root"
OTHER_NAME = "other"

TREE_COLUMNS = ["id", "parent", "name", "self", "total", "depth"]


def _path_levels(profile, sample_index, granularity: str, noinlines: bool, tagroot=None, tagleaf=None):
    """Per-sample weights and the root-first frames of the samples with a non-zero weight.

    Returns ``(names, weights, frame_sample, frame_node, frame_level)`` where
    ``frame_level`` is 1 for the outermost frame (the synthetic root is level 0).
    """
    data = add_label_frames(profile.data, tagroot, tagleaf)
    si = resolve_sample_index(data, sample_index)
    nodes = build_nodes(data, granularity, noinlines=noinlines)
    w = data.values[:, si].astype(np.int64) if data.n_samples else np.zeros(0, np.int64)
    samples = np.flatnonzero(w != 0)
    frame_sample, frame_slot = expand_frames(data, nodes, samples)
    frame_node = nodes.slot_node[frame_slot]
    # frames come leaf first per sample; level counts from the root (1 = outermost)
    counts = np.bincount(frame_sample, minlength=data.n_samples) if frame_sample.size else np.zeros(data.n_samples, np.int64)
    starts = np.cumsum(counts) - counts
    pos = np.arange(frame_sample.size) - starts[frame_sample] if frame_sample.size else np.zeros(0, np.int64)
    level = counts[frame_sample] - pos if frame_sample.size else np.zeros(0, np.int64)
    names = nodes.info["name"].to_numpy(dtype=object)
    return si, names, w, samples, frame_sample, frame_node, level, counts


def _sum_by(inv: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """int64 group sums of ``w`` (1-D) by ``inv``: bincount, redone with integers past float64's exact range."""
    s = np.bincount(inv, weights=w, minlength=n)
    if s.size and np.abs(s).max() >= 2**52:
        out = np.zeros(n, np.int64)
        np.add.at(out, inv, w)
        return out
    return np.rint(s).astype(np.int64)


def _raw_tree(names, weights: np.ndarray, samples: np.ndarray, frame_sample, frame_node, level, counts,
              cutoff: float = 0.0):
    """The tree before pruning. ``weights`` is ``(n_samples, k)``: one total/self column pair per column.

    With ``cutoff`` > 0 (only valid for non-negative weights, where a child's total never exceeds
    its parent's), a path whose first-column total is below ``cutoff`` is not expanded further: its
    whole subtree stays in it as self, which pruning merges into ``other`` anyway.
    """
    k = weights.shape[1]
    n_nodes = max(len(names), 1)
    path_of_sample = np.zeros(weights.shape[0], np.int64)  # synthetic root = path 0
    alive = np.ones(weights.shape[0], bool)
    parents = [np.array([-1], np.int64)]
    node_of = [np.array([-1], np.int64)]
    depth_of = [np.array([0], np.int64)]
    totals = [weights[samples].sum(axis=0, keepdims=True)]
    next_id = 1
    max_level = int(level.max()) if level.size else 0
    lvl = level.astype(np.int16) if max_level < 2**15 else level  # 16-bit keys: numpy's radix sort
    order = np.argsort(lvl, kind="stable") if level.size else level
    bounds = np.searchsorted(level[order], np.arange(1, max_level + 2)) if level.size else np.zeros(1, np.int64)
    for lv in range(1, max_level + 1):
        sel = order[bounds[lv - 1]:bounds[lv]]
        fs = frame_sample[sel]
        if cutoff > 0:
            live = alive[fs]
            sel, fs = sel[live], fs[live]
            if not sel.size:
                break
        fn = frame_node[sel]
        key = path_of_sample[fs] * n_nodes + fn
        ukey, inv = np.unique(key, return_inverse=True)
        ids = next_id + np.arange(ukey.size)
        parents.append(ukey // n_nodes)
        node_of.append(ukey % n_nodes)
        depth_of.append(np.full(ukey.size, lv, np.int64))
        tot = np.stack([_sum_by(inv, weights[fs, j], ukey.size) for j in range(k)], axis=1)
        totals.append(tot)
        path_of_sample[fs] = ids[inv]
        if cutoff > 0:
            alive[fs[tot[inv, 0] < cutoff]] = False
        next_id += ukey.size
    parent = np.concatenate(parents)
    node = np.concatenate(node_of)
    total = np.concatenate(totals)
    # self: each sample's weight lands on its deepest path (empty stacks stay on the root)
    self_ = np.stack([_sum_by(path_of_sample[samples], weights[samples, j], parent.size) for j in range(k)], axis=1)
    name = np.where(node >= 0, np.asarray(names, dtype=object)[np.maximum(node, 0)] if len(names) else ROOT_NAME, ROOT_NAME)
    df = pd.DataFrame({
        "id": np.arange(parent.size, dtype=np.int64),
        "parent": parent.astype(np.int64),
        "name": pd.array(name, dtype=object),
        "depth": np.concatenate(depth_of),
    })
    return df, total, self_


def _ancestors_closed(parent: np.ndarray, keep: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Make ``keep`` closed under "parent of a kept node is kept" (one vectorised pass per depth)."""
    keep = keep.copy()
    order = np.argsort(depth, kind="stable")
    d_sorted = depth[order]
    max_depth = int(d_sorted[-1]) if d_sorted.size else 0
    bounds = np.searchsorted(d_sorted, np.arange(max_depth + 2))
    for d in range(max_depth, 0, -1):
        ids = order[bounds[d]:bounds[d + 1]]
        ids = ids[keep[ids]]
        keep[parent[ids]] = True
    return keep


def prune_tree(df: pd.DataFrame, value_cols: dict[str, np.ndarray], width: np.ndarray, *, min_fraction: float,
               max_nodes: int | None) -> pd.DataFrame:
    """Drop nodes whose ``width`` is below the thresholds; merge each parent's dropped children
    into one ``other`` child (its values = the sum of the dropped subtrees' totals).

    The flame graph's pruning (:func:`call_tree`'s ``min_fraction``/``max_nodes``).

    Parameters
    ----------
    df : pandas.DataFrame
        Tree rows ``id, parent, name, depth``, root first (id 0, parent -1), a parent before its children.
    value_cols : dict of str to numpy.ndarray
        Per-row int64 columns to carry (``self``, ``total``...), each of length ``len(df)``.
    width : numpy.ndarray
        Per-row weight the thresholds look at (|width| against ``min_fraction`` of the root's).
    min_fraction, max_nodes
        As :func:`call_tree`'s.

    Raises
    ------
    OptionError
        Negative ``min_fraction`` or ``max_nodes`` < 2.
    """
    n = len(df)
    parent = df["parent"].to_numpy()
    depth = df["depth"].to_numpy()
    root_width = float(np.abs(width[0])) if n else 0.0
    if min_fraction < 0:
        raise OptionError(f"min_fraction {min_fraction!r} must be >= 0")
    if max_nodes is not None and max_nodes < 2:
        raise OptionError(f"max_nodes {max_nodes!r} must be at least 2 (the root and one node)")
    aw = np.abs(width)
    keep = aw >= min_fraction * root_width
    keep[0] = True
    keep = _ancestors_closed(parent, keep, depth)

    def with_others(keep):
        dropped = ~keep
        dropped[0] = False
        # dropped children of kept parents start the subtrees merged into "other"
        heads = np.flatnonzero(dropped & keep[np.maximum(parent, 0)] & (parent >= 0))
        return keep, heads

    base_keep = keep
    keep, heads = with_others(keep)
    if max_nodes is not None:
        rank = np.argsort(-aw, kind="stable")
        size = int(keep.sum()) + np.unique(parent[heads]).size
        if size > max_nodes:
            # the largest "keep the top-k paths" whose tree plus its "other" nodes fits: binary search on k
            def attempt(k):
                k2 = np.zeros(n, bool)
                k2[rank[:k]] = True
                k2[0] = True
                kk, hh = with_others(_ancestors_closed(parent, k2, depth) & base_keep)
                return kk, hh, int(kk.sum()) + np.unique(parent[hh]).size

            lo, hi = 1, max_nodes
            keep, heads, _ = attempt(1)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                kk, hh, sz = attempt(mid)
                if sz <= max_nodes:
                    lo, keep, heads = mid, kk, hh
                else:
                    hi = mid - 1
    kept_ids = np.flatnonzero(keep)
    out = df.iloc[kept_ids].reset_index(drop=True)
    new_id = np.full(n, -1, np.int64)
    new_id[kept_ids] = np.arange(kept_ids.size)
    out["id"] = np.arange(kept_ids.size, dtype=np.int64)
    out["parent"] = np.where(out["parent"].to_numpy() >= 0, new_id[np.maximum(out["parent"].to_numpy(), 0)], -1)
    cols = {c: v[kept_ids] for c, v in value_cols.items()}
    if heads.size:
        hp = parent[heads]
        up, inv = np.unique(hp, return_inverse=True)
        o = pd.DataFrame({
            "id": kept_ids.size + np.arange(up.size, dtype=np.int64),
            "parent": new_id[up],
            "name": pd.array([OTHER_NAME] * up.size, dtype=object),
            "depth": df["depth"].to_numpy()[up] + 1,
        })
        for c, v in value_cols.items():
            if c.startswith("self"):
                src = c.replace("self", "total", 1)
                agg = np.zeros(up.size, np.int64)
                np.add.at(agg, inv, value_cols[src][heads])
            else:
                agg = np.zeros(up.size, np.int64)
                np.add.at(agg, inv, v[heads])
            cols[c] = np.concatenate([cols[c], agg])
        out = pd.concat([out, o], ignore_index=True)
    for c, v in cols.items():
        out[c] = v.astype(np.int64)
    return out


def call_tree(profile, sample_index: int | str | None = None, *, min_fraction: float = 0.005,
              max_nodes: int | None = 3000, granularity: str = "functions",
              noinlines: bool = False, tagroot: str | list[str] | None = None,
              tagleaf: str | list[str] | None = None) -> pd.DataFrame:
    """The profile's call tree, one row per distinct call path, pruned for plotting.

    Parameters
    ----------
    profile : pprof_parse.Profile
    sample_index : int or str, optional
        Sample type (position or name, pprof's rules; default as :meth:`Profile.top`).
    min_fraction : float
        Paths whose |total| is below this fraction of the root total (0.005 =
        0.5 %) are merged into one ``other`` child of their parent. ``0`` keeps all.
    max_nodes : int or None
        Upper bound on the number of rows (``other`` nodes included); the
        smallest paths are merged first. ``None``: no bound.
    granularity : {"functions", "filefunctions", "files", "lines", "addresses"}
        What a node is (pprof's granularity; default one node per function).
    noinlines : bool
        Attribute inlined calls to their first out-of-line caller.
    tagroot, tagleaf : str or list of str, optional
        pprof's ``-tagroot``/``-tagleaf``: label values as pseudo-frames at the root / leaf
        of every path, as :meth:`Profile.top` takes them
        (:func:`~pprof_parse.analyze.label_frames.add_label_frames`).

    Returns
    -------
    pandas.DataFrame
        ====== ====== ===============================================================
        column dtype  meaning
        ====== ====== ===============================================================
        id     int64  row id (0 = the synthetic root); parents come before children
        parent int64  id of the parent path, -1 for the root
        name   object node name at the granularity (pprof's printable name);
                      ``"root"`` for the root, ``"other"`` for merged small paths
        depth  int64  0 for the root, 1 for outermost frames (``main``, ``goexit``)
        self   int64  value of samples whose stack ends at this path (sample unit)
        total  int64  value of samples whose stack goes through this path,
                      counted once per sample
        ====== ====== ===============================================================

        ``total(root) = Σ value`` over all samples, ``Σ self = total(root)``,
        and each node's total is the sum of its children's totals plus its
        self. ``df.attrs``: ``sample_type``, ``unit``, ``total`` (Σ|value|,
        pprof's report total), ``granularity``, ``noinlines``, ``tagroot``,
        ``tagleaf`` (as given), ``n_paths`` (paths built before pruning; with ``min_fraction`` > 0 and non-negative values the
        subtrees of paths below the cut are not built).

    Raises
    ------
    SampleTypeError
        Unknown sample index.
    OptionError
        Unknown granularity, negative ``min_fraction`` or ``max_nodes`` < 2.
    """
    si, names, w, samples, fs, fn, lv, counts = _path_levels(profile, sample_index, granularity, noinlines,
                                                             tagroot, tagleaf)
    # paths below min_fraction end up in "other" whatever lies under them: do not expand them
    cutoff = min_fraction * float(np.abs(w).sum()) if min_fraction > 0 and (w >= 0).all() else 0.0
    df, total, self_ = _raw_tree(names, w[:, None], samples, fs, fn, lv, counts, cutoff=cutoff)
    n_paths = len(df)
    out = prune_tree(df, {"self": self_[:, 0], "total": total[:, 0]}, total[:, 0],
                 min_fraction=min_fraction, max_nodes=max_nodes)
    out = out[TREE_COLUMNS]
    st = profile.data.sample_types[si]
    out.attrs.update({"sample_type": st.type, "unit": st.unit, "total": int(np.abs(w).sum()),
                      "granularity": granularity, "noinlines": noinlines, "tagroot": tagroot,
                      "tagleaf": tagleaf, "n_paths": n_paths})
    return out


DIFF_COLUMNS = ["id", "parent", "name", "depth", "new", "base", "delta", "self_new", "self_base", "self_delta"]


def diff_tree(profile, base, sample_index: int | str | None = None, *, normalize: bool = False,
              min_fraction: float = 0.005, max_nodes: int | None = 3000, granularity: str = "functions",
              noinlines: bool = False) -> pd.DataFrame:
    """Call trees of ``profile`` (new) and ``base`` merged by call path, with signed deltas.

    Paths are matched by their node names from the root down; a path present in
    only one profile has 0 on the other side.

    Parameters
    ----------
    profile, base : pprof_parse.Profile
        The newer and the older profile; the sample type must exist in both.
    sample_index : int or str, optional
        Resolved on ``profile``; looked up by name in ``base``.
    normalize : bool
        Scale base values by ``total(new) / total(base)`` first (pprof's
        ``-normalize``), so a longer capture does not paint everything red.
    min_fraction, max_nodes, granularity, noinlines
        As :func:`call_tree`; pruning uses ``new + base`` as the path's width.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``parent``, ``name``, ``depth`` as in :func:`call_tree`, then
        int64 columns ``new``, ``base``, ``delta`` (= new - base; > 0 grew) for
        path totals and ``self_new``, ``self_base``, ``self_delta`` for self
        values. ``df.attrs``: ``sample_type``, ``unit``, ``total_new``,
        ``total_base``, ``normalize``.

    Raises
    ------
    SampleTypeError
        Unknown sample index in either profile.
    """
    si = profile.sample_index(sample_index)
    st = profile.data.sample_types[si]
    bsi = base.sample_index(st.type)
    trees = []
    for prof, idx in ((profile, si), (base, bsi)):
        _, names, w, samples, fs, fn, lv, counts = _path_levels(prof, idx, granularity, noinlines)
        t, total, self_ = _raw_tree(names, w[:, None], samples, fs, fn, lv, counts)
        t["total"], t["self"] = total[:, 0], self_[:, 0]
        trees.append(t)
    new_t, base_t = trees
    scale = 1.0
    if normalize and base_t["total"].iloc[0] != 0:
        scale = new_t["total"].iloc[0] / base_t["total"].iloc[0]
    # merge level by level: a merged path = (merged parent id, name)
    new_map = np.zeros(len(new_t), np.int64)
    base_map = np.zeros(len(base_t), np.int64)
    rows = [("root", -1, 0)]
    max_depth = int(max(new_t["depth"].max(), base_t["depth"].max()))
    for d in range(1, max_depth + 1):
        nd = new_t.index[new_t["depth"].to_numpy() == d]
        bd = base_t.index[base_t["depth"].to_numpy() == d]
        keys = pd.DataFrame({
            "p": np.concatenate([new_map[new_t["parent"].to_numpy()[nd]], base_map[base_t["parent"].to_numpy()[bd]]]),
            "name": np.concatenate([new_t["name"].to_numpy()[nd], base_t["name"].to_numpy()[bd]]),
        })
        codes, uniq = pd.MultiIndex.from_frame(keys).factorize()
        first_id = len(rows)
        for p, name in uniq:
            rows.append((name, p, d))
        new_map[nd] = first_id + codes[:nd.size]
        base_map[bd] = first_id + codes[nd.size:]
    m = len(rows)
    df = pd.DataFrame({
        "id": np.arange(m, dtype=np.int64),
        "parent": np.array([r[1] for r in rows], np.int64),
        "name": pd.array([r[0] for r in rows], dtype=object),
        "depth": np.array([r[2] for r in rows], np.int64),
    })
    vals = {}
    for col, src in (("new", "total"), ("self_new", "self")):
        v = np.zeros(m, np.int64)
        np.add.at(v, new_map, new_t[src].to_numpy())
        vals[col] = v
    for col, src in (("base", "total"), ("self_base", "self")):
        v = np.zeros(m, np.float64)
        np.add.at(v, base_map, base_t[src].to_numpy() * scale)
        vals[col] = np.rint(v).astype(np.int64)
    width = np.abs(vals["new"]) + np.abs(vals["base"])
    # "other" nodes: totals sum dropped subtrees; self columns are filled from totals by prune_tree
    value_cols = {"total_new": vals["new"], "total_base": vals["base"],
                  "self_new": vals["self_new"], "self_base": vals["self_base"]}
    out = prune_tree(df, value_cols, width, min_fraction=min_fraction, max_nodes=max_nodes)
    out = out.rename(columns={"total_new": "new", "total_base": "base"})
    out["delta"] = out["new"] - out["base"]
    out["self_delta"] = out["self_new"] - out["self_base"]
    out = out[DIFF_COLUMNS]
    out.attrs.update({"sample_type": st.type, "unit": st.unit, "total_new": int(vals["new"][0]),
                      "total_base": int(vals["base"][0]), "normalize": normalize, "granularity": granularity,
                      "n_paths": m})
    return out
