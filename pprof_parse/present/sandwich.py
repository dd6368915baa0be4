"""The sandwich view of one function: who calls it (above) and what it calls (below).

For one report node X (matched by a regex as pprof's ``-peek`` matches, or picked by its
printable name from a flame-graph frame), two call trees in the frame layout of
:func:`~pprof_parse.present.tree.call_tree`, so the flame graph's icicle code draws them:

* ``callers`` -- rooted at X; its children are X's direct callers, their children the
  callers' callers, up to the outermost frames (an inverted flame graph of X);
* ``callees`` -- rooted at X; X's direct callees below it, down to the leaves (the call
  tree of the stacks below X).

Stacks are split at X's outermost call (:mod:`pprof_parse.analyze.sandwich`), so each tree's
root total is X's ``cum`` (each sample once). The first levels are pprof's ``-peek`` rows:
each direct caller's total is the weight of its edge into X, each direct callee's the weight
of X's edge to it, whenever no sample re-enters X through another function (then the inner
call is drawn inside the callees tree, and its edges are not first-level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.goregex import GoRegexp
from ..analyze.graph import NodeWeights, node_weights
from ..analyze.nodes import NodeTable, build_nodes, sprint_key
from ..analyze.sandwich import focus_paths, path_tree, split_at_focus
from ..errors import OptionError
from ..model.data import ProfileData
from .top import node_order
from .tree import TREE_COLUMNS, _raw_tree, prune_tree


@dataclass(frozen=True)
class Sandwich:
    """One function's sandwich: its flat and cum, and its callers and callees trees.

    Attributes
    ----------
    name : str
        The node's printable name at ``granularity`` (pprof's).
    flat, cum : int
        As ``Profile.top`` / ``Profile.peek`` give them, in ``unit``.
    callers, callees : pandas.DataFrame
        Call-tree frames (columns ``id, parent, name, depth, self, total``, as
        :func:`~pprof_parse.present.tree.call_tree`), each rooted at the function
        (``depth`` 0, ``total`` = ``cum``). ``callers``: depth 1 = direct callers, ``self`` of
        a row = samples whose stack starts there (the root's: the function is outermost);
        ``callees``: depth 1 = direct callees, ``self`` = samples ending there (the root's:
        the function's own time at its outermost call). Both pruned for plotting (rows
        below ``min_fraction`` of ``cum`` merged into ``other``). ``attrs``: ``sample_type``,
        ``unit``, ``total``, ``granularity``, ``relation`` (``"callers"``/``"callees"``),
        ``focus`` (= ``name``).
    total : int
        The report total the percentages are of (pprof's: the whole profile unless
        ``relative_percentages``).
    sample_type, unit, granularity : str
    matches : tuple of str
        Every node the regex matched, in pprof's ``-peek`` order (this one first).
    """

    name: str
    flat: int
    cum: int
    callers: pd.DataFrame
    callees: pd.DataFrame
    total: int
    sample_type: str
    unit: str
    granularity: str
    matches: tuple[str, ...]

    @property
    def flat_pct(self) -> float:
        """|flat| / total × 100 (0 when the total is 0)."""
        return abs(self.flat / self.total) * 100.0 if self.total else 0.0

    @property
    def cum_pct(self) -> float:
        """|cum| / total × 100 (0 when the total is 0)."""
        return abs(self.cum / self.total) * 100.0 if self.total else 0.0


class SandwichIndex:
    """The report nodes and their flat/cum for one (profile, sample index, granularity):
    made once, then any node's sandwich is built from it (the flame widget keeps one).

    Raises OptionError for an unknown granularity.
    """

    def __init__(self, data: ProfileData, sample_index: int, *, total: int, granularity: str = "functions",
                 noinlines: bool = False):
        self.data = data
        self.sample_index = sample_index
        self.total = total
        self.granularity = granularity
        self.nodes: NodeTable = build_nodes(data, granularity, noinlines=noinlines)
        self.weights: NodeWeights = node_weights(data, self.nodes, sample_index)
        self.names = self.nodes.info["name"].to_numpy(dtype=object)
        self.ordered = self._report_order()

    def _report_order(self) -> np.ndarray:
        """Node ids with a non-zero flat or cum, in pprof's report order (as ``-peek`` lists them)."""
        nw = self.weights
        live = np.flatnonzero((nw.flat != 0) | (nw.cum != 0))
        sprint = [sprint_key(r) for r in self.nodes.info.iloc[live].itertuples(index=False)]
        return live[node_order(self.names[live], sprint, nw.flat[live], nw.cum[live], False)]

    def matching(self, regex: GoRegexp) -> np.ndarray:
        """Ids of the nodes whose printable name ``regex`` finds (unanchored), in report order."""
        live = self.ordered
        return live[regex.match_many([str(self.names[i]) for i in live])] if live.size else live

    def named(self, name: str) -> int:
        """The id of the first node (report order) whose printable name is ``name``.

        Raises OptionError when no node with a value has that name.
        """
        hits = self.ordered[self.names[self.ordered] == name] if self.ordered.size else self.ordered
        if not hits.size:
            raise OptionError(f"no node named {name!r} has samples of this sample type")
        return int(hits[0])

    def sandwich(self, node: int, *, matches: tuple[str, ...] = (), min_fraction: float = 0.005,
                 max_nodes: int | None = 3000) -> Sandwich:
        """The :class:`Sandwich` of node id ``node``; ``min_fraction``/``max_nodes`` prune each tree
        as :func:`~pprof_parse.present.tree.call_tree` does (``0``/``None``: keep every path).

        Raises OptionError for a negative ``min_fraction`` or ``max_nodes`` < 2.
        """
        name = str(self.names[node])
        w = self.data.values[:, self.sample_index].astype(np.int64) if self.data.n_samples else np.zeros(0, np.int64)
        callers, callees = (_focus_trees_reference if reference_engine() else _focus_trees)(
            self.data, self.nodes, node, self.sample_index, w, self.names, min_fraction)
        st = self.data.sample_types[self.sample_index]
        frames = []
        for relation, raw in (("callers", callers), ("callees", callees)):
            df, self_, total = raw
            out = prune_tree(df, {"self": self_, "total": total}, total, min_fraction=min_fraction,
                         max_nodes=max_nodes)[TREE_COLUMNS]
            out.attrs.update({"sample_type": st.type, "unit": st.unit, "total": self.total,
                              "granularity": self.granularity, "relation": relation, "focus": name})
            frames.append(out)
        return Sandwich(name, int(self.weights.flat[node]), int(self.weights.cum[node]), frames[0], frames[1],
                        self.total, st.type, st.unit, self.granularity, matches or (name,))


def _focus_trees(data, nodes, node, si, w, names, min_fraction):
    """Both trees before pruning, column-wise: ``((frame, self, total), (frame, self, total))``."""
    split = split_at_focus(data, nodes, node, si)
    ws = w[split.samples]
    # a path below the pruning cut is not expanded (only valid for non-negative values)
    cutoff = min_fraction * float(np.abs(ws).sum()) if min_fraction > 0 and (ws >= 0).all() else 0.0
    out = []
    for half in (split.callers, split.callees):
        df, total, self_ = _raw_tree(names, w[:, None], split.samples, half.frame_sample, half.frame_node,
                                     half.level, None, cutoff=cutoff)
        df.loc[0, "name"] = str(names[node])
        out.append((df, self_[:, 0], total[:, 0]))
    return out


def _focus_trees_reference(data, nodes, node, si, w, names, min_fraction):
    """Both trees before pruning, by a plain loop over the samples (:func:`~pprof_parse.analyze.sandwich.focus_paths`)."""
    paths = focus_paths(data, nodes, node, si)
    out = []
    for half in (1, 2):
        tree = path_tree([(p[0], p[half]) for p in paths], w, names, str(names[node]))
        out.append((tree[["id", "parent", "name", "depth"]].copy(), tree["self"].to_numpy(), tree["total"].to_numpy()))
    return out


def sandwich_of(data: ProfileData, regex: GoRegexp, sample_index: int, *, total: int,
                granularity: str = "functions", noinlines: bool = False, min_fraction: float = 0.005,
                max_nodes: int | None = 3000) -> Sandwich:
    """The sandwich of the first node (pprof's report order) whose printable name ``regex`` finds.

    ``data`` is already filtered (as for :func:`~pprof_parse.present.views.peek_table`);
    ``total`` is the report total. See :class:`Sandwich` and :meth:`SandwichIndex.sandwich`.

    Raises
    ------
    OptionError
        No node matches (pprof's ``no matches found for regexp: ...``); an unknown
        granularity; bad pruning options.
    """
    index = SandwichIndex(data, sample_index, total=total, granularity=granularity, noinlines=noinlines)
    matched = index.matching(regex)
    if not matched.size:
        raise OptionError(f"no matches found for regexp: {regex.pattern}")
    names = tuple(str(index.names[i]) for i in matched)
    return index.sandwich(int(matched[0]), matches=names, min_fraction=min_fraction, max_nodes=max_nodes)


__all__ = ["Sandwich", "SandwichIndex", "sandwich_of"]
