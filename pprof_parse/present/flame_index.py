"""The search index of a flame graph: which frames a regex matches, and the exact matched total.

pprof's ``-focus=REGEX`` keeps a sample when any location of its stack matches: a line's
function name or file name (raw, as in the profile), or the location's mapping file
(``Location.matchesName``, see :func:`~pprof_parse.analyze.filter.apply_filters`). The
matched total is the sum of the kept samples' values, which is ``Profile.top(focus=REGEX)
["flat"].sum()``. A flame graph shows a *pruned* call tree (``call_tree(max_nodes=...)``
merges small paths into ``other`` frames), so its frames alone cannot give that sum; this
module builds, for one tree and the profile it was drawn from, a small **search index**
from which the sum is exact for every regex:

* ``texts`` -- the distinct strings a regex is tested on (function names, file names,
  mapping files of the samples drawn);
* per tree row, the texts of the frames drawn there (``node_off``/``node_ids``; also what
  the box highlights) -- a row whose frames do not all carry the same texts (one name in
  two files) is listed in ``mixed``;
* ``groups`` -- the samples whose texts are not all on their drawn path: the samples inside
  an ``other`` frame (texts of the merged frames below it) and the samples through a
  ``mixed`` row, grouped by (deepest drawn row, texts not on the path) with their summed
  value.

The matched total, as :func:`matched_total` (Python) and ``flame_search.js`` (the browser)
compute it: walk the rows parents first; a row *matches* when one of its texts matches and
it is neither ``mixed``, ``other`` nor the root; add the ``total`` of every matching row
with no matching ancestor (all its samples match, each counted once); then add the value
of every group whose row has no matching ancestor (itself included) and one of whose texts
matches. A sample's texts are exactly its path's texts plus its group's, so the sum equals
pprof's for every regex. The index is checked when built: the samples walked down the
tree must give every row's ``total``, else the tree was not drawn from this profile with
these options (:class:`~pprof_parse.errors.OptionError`).

Size: the workload's profiles need a few hundred groups (10-20 kB of JSON). A profile whose
small paths are nearly all distinct (~200k CPU samples on random deep paths) would need
millions of text ids, so the groups are kept within a ``budget`` (largest values first) and
the rest merged per row (``coarse_*``); a regex then resolves such a row exactly when a text
all its samples carry matches, or when no text of any merged sample does, and otherwise
leaves a remainder, reported as bounds (``low``/``high``) instead of one value.

Regexes: :func:`matched_total` and :func:`search_matches` use Go's syntax
(:func:`~pprof_parse.analyze.goregex.compile_regex`, as ``-focus``); the browser's dialect is
described in :mod:`.flame_search`. :func:`~.flame.flame_figure` (``search=profile``) puts the
index in the trace's ``meta`` under :data:`META_KEY`.
"""

from __future__ import annotations

import html

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.goregex import compile_regex
from ..analyze.graph import expand_frames
from ..analyze.label_frames import add_label_frames
from ..analyze.nodes import build_nodes
from ..analyze.sample_index import resolve_sample_index
from ..errors import OptionError
from .top import report_total

__all__ = ["META_KEY", "embeddable", "matched_total", "search_index", "search_matches"]

#: The key of a flame trace's ``meta`` dict holding its search index.
META_KEY = "gopherlab_search"

_OTHER = "other"
#: Default :func:`search_index` budget: text ids in exact groups (about 0.5 MB of JSON).
DEFAULT_BUDGET = 100_000


# ---- the index -------------------------------------------------------------------------------


def _slot_texts(data, noinlines: bool) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Per slot, the id of its text set (string indices a focus regex is tested on), and the sets.

    A slot is a frame: one line of a location (function name and file), or a location without
    lines; both carry the location's mapping file. With ``noinlines`` a slot is a whole location
    and carries all its lines' texts (pprof's focus still tests every line).
    """
    nloc = data.loc_id.size
    mapfile = np.full(nloc, -1, np.int64)
    has_map = data.loc_mapping >= 0
    if data.map_filename.size:
        mapfile[has_map] = data.map_filename[data.loc_mapping[has_map]]
    fname = data.func_name[data.line_function] if data.line_function.size else np.zeros(0, np.int64)
    ffile = data.func_filename[data.line_function] if data.line_function.size else np.zeros(0, np.int64)
    if noinlines:
        off = data.loc_line_offsets
        sets = [tuple(sorted({*fname[off[j]:off[j + 1]].tolist(), *ffile[off[j]:off[j + 1]].tolist(),
                              *([int(mapfile[j])] if mapfile[j] >= 0 else [])})) for j in range(nloc)]
        uniq: dict[tuple[int, ...], int] = {}
        ids = np.array([uniq.setdefault(s, len(uniq)) for s in sets], np.int64)
        return ids, list(uniq)
    slots = data.slots()
    has_line = slots.line >= 0
    li = np.maximum(slots.line, 0)
    triple = np.stack([np.where(has_line, fname[li] if fname.size else -1, -1),
                       np.where(has_line, ffile[li] if ffile.size else -1, -1),
                       mapfile[slots.loc]], axis=1)
    uniq_rows, inv = np.unique(triple, axis=0, return_inverse=True)
    sets = [tuple(sorted({int(x) for x in row if x >= 0})) for row in uniq_rows]
    return inv.reshape(-1).astype(np.int64), sets


def _frames(data, nodes, weights: np.ndarray):
    """The frames of the samples with a non-zero weight: ``(samples, frame_sample, frame_slot, level)``,
    ``level`` 1 for the outermost frame (the call tree's depth)."""
    samples = np.flatnonzero(weights != 0)
    fs, slot = expand_frames(data, nodes, samples)
    fs = fs.astype(np.int64)
    counts = np.bincount(fs, minlength=data.n_samples)
    starts = np.cumsum(counts) - counts
    level = counts[fs] - (np.arange(fs.size) - starts[fs])
    return samples, fs, slot.astype(np.int64), level


def _child_lookup(tree: pd.DataFrame, codes: pd.Index):
    """Sorted ``(parent row, name code)`` keys of the tree's rows and their rows; keys two rows
    share (two nodes printed alike under one parent) are set aside as ambiguous."""
    parent = tree["parent"].to_numpy()
    code = codes.get_indexer(tree["name"].astype(object).to_numpy())
    key = parent * len(codes) + code
    key[0] = -1  # the root has no parent
    order = np.argsort(key, kind="stable")
    ks = key[order]
    dup = np.zeros(ks.size, bool)
    if ks.size > 1:
        same = ks[1:] == ks[:-1]
        dup[1:] |= same
        dup[:-1] |= same
    return ks[~dup], order[~dup], np.unique(ks[dup]), order[dup]


def _walk(tree, names_code, frame_code, samples, fs, level, n_codes):
    """Walk every sample down the drawn tree, outermost frame first.

    Returns ``(end_row, frame_row, opaque)``: per sample the deepest row its path reaches (an
    ``other`` row once a frame is not drawn), per frame the row it is drawn in, or -1 for the
    frames below where the path left the drawn rows; ``opaque`` marks the rows no sample is
    walked into (two siblings printed alike, and their subtrees): their samples end at the
    siblings' parent, all their texts in their groups.
    """
    keys, rows, ambiguous, amb_rows = _child_lookup(tree, names_code)
    parent = tree["parent"].to_numpy()
    is_other = (tree["name"].astype(object).to_numpy() == _OTHER) & (np.arange(len(tree)) > 0)
    other_of = np.full(len(tree), -1, np.int64)
    other_of[parent[is_other]] = np.flatnonzero(is_other)
    n = int(fs.max()) + 1 if fs.size else 0
    cur = np.zeros(max(n, 1), np.int64)
    attached = np.ones(max(n, 1), bool)
    frame_row = np.full(fs.size, -1, np.int64)
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(1, int(level.max(initial=0)) + 2))
    for lv in range(1, bounds.size):
        sel = order[bounds[lv - 1]:bounds[lv]]
        sel = sel[attached[fs[sel]]]
        if not sel.size:
            continue
        s = fs[sel]
        key = cur[s] * n_codes + frame_code[sel]
        pos = np.minimum(np.searchsorted(keys, key), max(keys.size - 1, 0))
        found = keys[pos] == key if keys.size else np.zeros(key.size, bool)
        frame_row[sel[found]] = rows[pos[found]]
        cur[s[found]] = rows[pos[found]]
        lost = s[~found]
        if lost.size:
            attached[lost] = False
            amb = np.isin(key[~found], ambiguous)
            # an "other" row may hold a real frame of that name (a label value) merged with the rest
            dest = np.where(amb | (is_other[cur[lost]] & (other_of[cur[lost]] < 0)), cur[lost], other_of[cur[lost]])
            if (dest < 0).any():
                raise _mismatch(f"a path below row {int(cur[lost][dest < 0][0])} is not drawn and has no 'other' row")
            cur[lost] = dest
    opaque = np.zeros(len(tree), bool)
    opaque[amb_rows] = True
    for r in range(1, len(tree)):  # parents come before children
        opaque[r] |= opaque[parent[r]]
    return cur[samples] if samples.size else np.zeros(0, np.int64), frame_row, opaque


def _mismatch(detail: str) -> OptionError:
    return OptionError(f"the tree was not drawn from this profile with these options ({detail}); "
                       "build it with call_tree(profile, ...) and pass the same sample_index, "
                       "noinlines, tagroot and tagleaf")


def _check_totals(tree: pd.DataFrame, end_row: np.ndarray, w: np.ndarray, opaque: np.ndarray) -> None:
    """Every row's total, summed from the walked samples, must be the tree's (opaque rows: their
    parent's total holds them)."""
    n = len(tree)
    got = np.zeros(n, np.int64)
    np.add.at(got, end_row, w)
    parent = tree["parent"].to_numpy()
    for r in range(n - 1, 0, -1):  # parents come before children
        got[parent[r]] += got[r]
    want = tree["total"].to_numpy().astype(np.int64)
    bad = np.flatnonzero((got != want) & ~opaque)
    if bad.size:
        r = int(bad[0])
        raise _mismatch(f"row {r} ({tree['name'].iloc[r]!r}) totals {int(want[r])} in the tree, "
                        f"{int(got[r])} from the samples")


def _row_texts(frame_row, frame_ts, set_off, set_ids, n_rows, n_strings):
    """Per row, the texts of its frames (CSR ``(off, ids)``), and whether its frames carry
    different text sets (``mixed``)."""
    drawn = frame_row >= 0
    key = _distinct(frame_row[drawn] * (set_off.size - 1) + frame_ts[drawn])
    row, ts = key // (set_off.size - 1), key % (set_off.size - 1)
    mixed = np.bincount(row, minlength=n_rows) > 1
    owner, text = _take(set_off, set_ids, ts)
    pair = _distinct(row[owner] * n_strings + text)
    return _by_owner(pair // n_strings, pair % n_strings, n_rows), mixed


def _csr(sets: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Text sets as offsets and ids: set ``t`` is ``ids[off[t]:off[t + 1]]``."""
    off = np.cumsum([0] + [len(x) for x in sets]).astype(np.int64)
    ids = np.fromiter((i for x in sets for i in x), np.int64, count=int(off[-1]))
    return off, ids


def _take(off: np.ndarray, ids: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, id)`` pairs of the CSR sets ``which`` (owner = position in ``which``)."""
    n = off[which + 1] - off[which]
    owner = np.repeat(np.arange(which.size), n)
    first = np.repeat(off[which] - np.cumsum(n) + n, n)
    return owner, ids[first + np.arange(owner.size)]


def _sample_texts(samples, fs, frame_row, frame_ts, set_off, set_ids, mixed, n_strings):
    """Per sample, the texts of its frames off the drawn path (below an ``other`` row, or at a
    row flagged in ``mixed``): sorted unique ``(sample position, string id)`` pairs."""
    pos = np.full(int(samples.max()) + 1 if samples.size else 0, -1, np.int64)
    pos[samples] = np.arange(samples.size)
    off_path = (frame_row < 0) | mixed[np.maximum(frame_row, 0)]
    owner, text = _take(set_off, set_ids, frame_ts[off_path])
    key = _distinct(pos[fs[off_path]][owner] * n_strings + text)
    return key // n_strings, key % n_strings


def _distinct(key: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an int64 array (a plain sort: faster than ``np.unique``'s
    hashing on millions of keys)."""
    key = np.sort(key)
    return key[np.r_[True, key[1:] != key[:-1]]] if key.size else key


def _groups(end_row, w_kept, who, text, n_strings: int):
    """Samples with the same deepest row and the same off-path texts, summed.

    Returns ``(row, value, off, ids)`` per group, largest |value| first. Samples are keyed by
    two independent 64-bit sums of random numbers per text (a set's fingerprint; two
    different sets share both with probability about 2**-128) and their row.
    """
    rng = np.random.default_rng(0x5EA4C4)
    r1, r2 = (rng.integers(0, 2**63, n_strings, dtype=np.int64).astype(np.uint64) for _ in range(2))
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if who.size else np.zeros(0, np.int64)
    members = who[starts]
    h1 = np.add.reduceat(r1[text], starts) if who.size else np.zeros(0, np.uint64)
    h2 = np.add.reduceat(r2[text], starts) if who.size else np.zeros(0, np.uint64)
    keys = np.stack([end_row[members].astype(np.uint64), h1, h2], axis=1)
    _, first, inv = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    value = np.zeros(first.size, np.int64)
    np.add.at(value, inv, w_kept[members])
    order = np.argsort(-np.abs(value), kind="stable")
    order = order[value[order] != 0]
    rep = starts[first[order]]  # the first pair of each group's representative sample
    n = np.diff(np.r_[starts, who.size])[first[order]]
    off = np.r_[0, np.cumsum(n)].astype(np.int64)
    ids = text[np.repeat(rep - off[:-1], n) + np.arange(int(off[-1]))]
    return end_row[members[first[order]]], value[order], off, ids


def _split_budget(groups, budget: int, n_strings: int):
    """Keep the largest groups whole while their texts fit ``budget`` ids; merge the rest per row.

    Returns ``(exact groups, coarse)``: ``coarse`` (None when everything fits) holds per merged
    row its groups' positive and negative sums and the texts all of them carry, and the texts
    any merged group carries (one list for all rows).
    """
    row, value, off, ids = groups
    fits = int(np.searchsorted(off[1:], budget, side="right"))
    exact = (row[:fits], value[:fits], off[:fits + 1], ids[:off[fits]])
    rest = np.arange(fits, row.size)
    if not rest.size:
        return exact, None
    crow, cinv = np.unique(row[rest], return_inverse=True)
    v = value[rest]
    pos_sum, neg_sum = np.zeros(crow.size, np.int64), np.zeros(crow.size, np.int64)
    np.add.at(pos_sum, cinv, np.where(v > 0, v, 0))
    np.add.at(neg_sum, cinv, np.where(v < 0, v, 0))
    owner, text = _take(off, ids, rest)
    pair = np.sort(cinv[owner] * n_strings + text)
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    count = np.diff(np.r_[starts, pair.size])
    pair = pair[starts]
    every = count == np.bincount(cinv, minlength=crow.size)[pair // n_strings]
    return exact, {"row": crow, "pos": pos_sum, "neg": neg_sum,
                   "all": _by_owner(pair[every] // n_strings, pair[every] % n_strings, crow.size),
                   "any": _distinct(text)}


def _by_owner(owner: np.ndarray, ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of ``ids`` grouped by ``owner`` (already sorted by owner)."""
    return np.r_[0, np.cumsum(np.bincount(owner, minlength=n))].astype(np.int64), ids


def search_index(profile, tree: pd.DataFrame, *, sample_index: int | str | None = None,
                 noinlines: bool | None = None, tagroot: str | list[str] | None = None,
                 tagleaf: str | list[str] | None = None, budget: int = DEFAULT_BUDGET) -> dict:
    """The search index of a drawn call tree (see the module docstring for how it is used).

    Parameters
    ----------
    profile : pprof_parse.Profile
        The profile ``tree`` was built from (anything with a ``data`` ProfileData).
    tree : pandas.DataFrame
        From :func:`pprof_parse.figures.call_tree` (pruned or not).
    sample_index : int or str, optional
        Default the tree's ``attrs["sample_type"]``.
    noinlines, tagroot, tagleaf
        As given to ``call_tree`` (default the tree's ``attrs`` entries when present, else
        ``False``/``None``). The granularity is the tree's ``attrs["granularity"]``.
    budget : int
        Most text ids the exact groups may hold (the index's size; ~6 bytes each in JSON).
        Past it, the smallest groups are merged per row (``coarse_*``): a regex then matches
        all of such a row's samples (a text they all carry), none (no text of any merged
        sample matches) or maybe some -- an unresolved remainder, which
        :func:`search_matches` reports as bounds.
        The workload's profiles fit in the default; a CPU profile with ~200k samples on
        random deep paths does not.

    Returns
    -------
    dict
        JSON-ready: ``texts`` (list of str), ``node_off``/``node_ids`` (per row, the text ids of
        its frames, CSR: row ``r``'s are ``node_ids[node_off[r]:node_off[r+1]]``), ``mixed``
        (rows whose frames differ in their texts), ``total`` (per row, signed, sample unit),
        ``group_row``/``group_value``/``group_off``/``group_ids`` (CSR), ``coarse_row``/
        ``coarse_pos``/``coarse_neg``/``coarse_all_off``/``coarse_all_ids`` (per row of merged
        groups past ``budget``: sums and the texts all its samples carry), ``coarse_any_ids``
        (texts any merged sample carries), ``tagroot``/``tagleaf`` (as used), ``report_total``
        (pprof's total: Σ|value| of the whole profile), ``unit``, ``sample_type``.

    Raises
    ------
    OptionError
        ``tree`` is not a call tree of this profile with these options (a row's total differs
        from the samples walked down to it), or an unknown granularity.
    SampleTypeError
        Unknown sample index.
    """
    missing = [c for c in ("id", "parent", "name", "total") if c not in tree.columns]
    if missing or not len(tree):
        raise OptionError(f"tree frame lacks column(s) {missing or ['rows']}; build it with call_tree()")
    a = tree.attrs
    noinlines = bool(a.get("noinlines", False)) if noinlines is None else noinlines
    tagroot = a.get("tagroot") if tagroot is None else tagroot
    tagleaf = a.get("tagleaf") if tagleaf is None else tagleaf
    data = add_label_frames(profile.data, tagroot, tagleaf)
    si = resolve_sample_index(data, a.get("sample_type") if sample_index is None else sample_index)
    nodes = build_nodes(data, a.get("granularity", "functions"), noinlines=noinlines)
    w = data.values[:, si].astype(np.int64) if data.n_samples else np.zeros(0, np.int64)
    samples, fs, slot, level = _frames(data, nodes, w)
    slot_ts, sets = _slot_texts(data, noinlines)
    set_off, set_ids = _csr(sets)
    frame_ts = slot_ts[slot]
    codes = pd.Index(pd.unique(np.concatenate([tree["name"].astype(object).to_numpy(),
                                                nodes.info["name"].astype(object).to_numpy()])))
    frame_code = codes.get_indexer(nodes.info["name"].astype(object).to_numpy())[nodes.slot_node[slot]]
    end_row, frame_row, opaque = _walk(tree, codes, frame_code, samples, fs, level, len(codes))
    _check_totals(tree, end_row, w[samples], opaque)
    n_strings = len(data.strings)
    node_texts, mixed = _row_texts(frame_row, frame_ts, set_off, set_ids, len(tree), n_strings)
    is_other = (tree["name"].astype(object).to_numpy() == _OTHER) & (np.arange(len(tree)) > 0)
    # texts at "other" rows (never matched as a row) go to the groups, like those of mixed rows
    who, text = _sample_texts(samples, fs, frame_row, frame_ts, set_off, set_ids, mixed | is_other, n_strings)
    exact, coarse = _split_budget(_groups(end_row, w[samples], who, text, n_strings), budget, n_strings)
    out = _compact(data, si, tree, node_texts, mixed, exact, coarse)
    out.update({"tagroot": tagroot, "tagleaf": tagleaf})  # for Profile.top(focus=..., tagroot=...)
    return out


def _compact(data, si, tree, node_texts, mixed, exact, coarse) -> dict:
    """The index as JSON-ready lists, the texts used renumbered 0..n-1."""
    parts = [node_texts[1], exact[3]] + ([coarse["any"]] if coarse else [])
    used, inv = np.unique(np.concatenate(parts), return_inverse=True)
    inv = inv.reshape(-1)
    cuts = np.cumsum([p.size for p in parts])[:-1]
    renum = np.split(inv, cuts)
    st = data.sample_types[si]
    n = len(tree)
    out = {
        "texts": [data.strings[int(t)] for t in used],
        "node_off": node_texts[0].tolist(), "node_ids": renum[0].tolist(),
        "mixed": np.flatnonzero(mixed).tolist(),
        "total": tree["total"].astype(np.int64).tolist(),
        "parent": tree["parent"].astype(np.int64).tolist(),
        "is_other": ((tree["name"].astype(object).to_numpy() == _OTHER) & (np.arange(n) > 0)).tolist(),
        "group_row": exact[0].tolist(), "group_value": exact[1].tolist(),
        "group_off": exact[2].tolist(), "group_ids": renum[1].tolist(),
        "coarse_row": [], "coarse_pos": [], "coarse_neg": [], "coarse_all_off": [0], "coarse_all_ids": [],
        "coarse_any_ids": [],
        "report_total": int(report_total(data, si)), "unit": st.unit, "sample_type": st.type,
    }
    if coarse:
        lookup = dict(zip(used.tolist(), range(used.size)))
        out.update({
            "coarse_row": coarse["row"].tolist(), "coarse_pos": coarse["pos"].tolist(),
            "coarse_neg": coarse["neg"].tolist(),
            "coarse_all_off": coarse["all"][0].tolist(),
            "coarse_all_ids": [lookup[int(t)] for t in coarse["all"][1]],
            "coarse_any_ids": renum[2].tolist(),
        })
    return out


def embeddable(index: dict) -> dict:
    """``index`` as a figure carries it: its ``texts`` HTML-escaped (``html.escape``) and
    ``texts_escaped`` set, so no profile string reaches a page's figure data raw, as every
    other string a figure holds (``flame_search.js`` and :func:`search_matches` unescape them
    before testing a regex)."""
    return {**index, "texts": [html.escape(t) for t in index["texts"]], "texts_escaped": True}


def _texts(index: dict) -> list[str]:
    """The texts a regex is tested on, unescaped if the index is :func:`embeddable`'s."""
    return [html.unescape(t) for t in index["texts"]] if index.get("texts_escaped") else index["texts"]


# ---- evaluating it (the browser does the same in flame_search.js) ------------------------------


def _any_hit(hit: np.ndarray, off, ids) -> np.ndarray:
    """Per CSR set: whether one of its texts matched."""
    off, ids = np.asarray(off, np.int64), np.asarray(ids, np.int64)
    c = np.r_[0, np.cumsum(hit[ids].astype(np.int64))] if ids.size else np.zeros(1, np.int64)
    return c[off[1:]] > c[off[:-1]]


def search_matches(index: dict, regex: str) -> dict:
    """What the search box shows for ``regex`` (Go syntax), computed from ``index`` in Python.

    Returns
    -------
    dict
        ``value`` (int: the matched total, sample unit; with an unresolved remainder the part
        resolved), ``low``/``high`` (int: bounds, equal to ``value`` when ``exact``), ``exact``
        (bool), ``percent`` (float: |value| / ``report_total`` × 100), ``rows`` (bool array:
        the rows to highlight -- rows with a matching frame, and ``other`` rows holding one).

    Raises
    ------
    OptionError
        ``regex`` is not a valid Go regular expression.
    """
    rx = compile_regex("focus", regex)
    texts = _texts(index)
    hit = rx.match_many(texts) if texts else np.zeros(0, bool)
    row_hit = _any_hit(hit, index["node_off"], index["node_ids"])
    chain_hit = row_hit.copy()
    chain_hit[0] = False
    chain_hit[index["mixed"]] = False
    chain_hit[np.asarray(index["is_other"], bool)] = False
    parent, total = index["parent"], index["total"]
    under = np.zeros(len(total), bool)  # a row or one of its ancestors matches
    value = 0
    for r in range(1, len(total)):  # parents come before children
        if chain_hit[r] and not under[parent[r]]:
            value += total[r]
        under[r] = chain_hit[r] or under[parent[r]]
    for r, v, h in zip(index["group_row"], index["group_value"],
                       _any_hit(hit, index["group_off"], index["group_ids"])):
        if h:
            row_hit[r] = True
            value += 0 if under[r] else v
    low = high = value
    some = bool(hit[np.asarray(index["coarse_any_ids"], np.int64)].any()) if index["coarse_any_ids"] else False
    every = _any_hit(hit, index["coarse_all_off"], index["coarse_all_ids"])
    for r, pos, neg, all_hit in zip(index["coarse_row"], index["coarse_pos"], index["coarse_neg"], every):
        if under[r] or not some:
            continue
        row_hit[r] = True
        if all_hit:
            value, low, high = value + pos + neg, low + pos + neg, high + pos + neg
        else:
            low, high = low + neg, high + pos
    rt = index["report_total"]
    return {"value": int(value), "low": int(low), "high": int(high), "exact": low == high,
            "percent": abs(value) / rt * 100 if rt else 0.0, "rows": row_hit}


def matched_total(index: dict, regex: str) -> int:
    """The matched total of ``regex`` (Go syntax) from a search index: equal to
    ``Profile.top(focus=regex)["flat"].sum()`` for the tree's sample type (when the index
    has no merged groups, or the regex resolves them; see :func:`search_matches`).

    Raises
    ------
    OptionError
        ``regex`` is not a valid Go regular expression, or it leaves a remainder unresolved
        (the index went past its budget; the message gives the bounds).
    """
    m = search_matches(index, regex)
    if not m["exact"]:
        raise OptionError(f"the search index cannot resolve {regex!r} exactly: between {m['low']} and "
                          f"{m['high']} (the index was built past its budget; pass a larger budget)")
    return m["value"]
