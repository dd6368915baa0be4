"""Frame pruning: pprof's ``Profile.Prune`` (``drop_frames``/``keep_frames`` at load) and
``Profile.PruneFrom`` (``-prune_from``), plus the column-wise stack surgery the filters share.

Stacks are ``stack_locs[stack_offsets[i]:stack_offsets[i+1]]`` (leaf first);
an *entry* is one position of that array and its *pos* its depth (0 = leaf).
Locations own their lines, so cutting lines changes the location for every
sample that uses it -- exactly as pprof mutates its shared ``Location``.
"""

from __future__ import annotations

import re

import numpy as np

from ..model.data import ProfileData
from .goregex import GoRegexp, compile_regex

# ---- stack surgery ------------------------------------------------------------------------


def line_layout(data: ProfileData) -> tuple[np.ndarray, np.ndarray]:
    """``(line_loc, line_within)`` for every row of the line table: its location and index in it (0 = innermost)."""
    nlines = np.diff(data.loc_line_offsets)
    line_loc = np.repeat(np.arange(data.loc_id.size), nlines)
    within = np.arange(line_loc.size) - data.loc_line_offsets[line_loc] if line_loc.size else line_loc
    return line_loc, within


def per_sample_count(data: ProfileData, entry_flag: np.ndarray) -> np.ndarray:
    """How many entries of each sample's stack are flagged (a prefix sum, no per-entry sample ids)."""
    cs = np.concatenate(([0], np.cumsum(entry_flag, dtype=np.int64)))
    return np.diff(cs[data.stack_offsets])


def keep_entries(data: ProfileData, keep: np.ndarray) -> ProfileData:
    """Remove the stack entries where ``keep`` is False (samples stay, possibly with shorter stacks)."""
    if keep.all():
        return data
    cs = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    return data.with_(stack_locs=data.stack_locs[keep], stack_offsets=cs[data.stack_offsets])


def slice_stacks(data: ProfileData, lo: np.ndarray, hi: np.ndarray) -> ProfileData:
    """Keep, in every sample, the entries at depths ``lo <= pos < hi`` (clipped to the stack)."""
    off = data.stack_offsets
    n = np.diff(off)
    lo = np.clip(lo, 0, n)
    hi = np.clip(hi, lo, n)
    if (lo == 0).all() and (hi == n).all():
        return data
    cnt = hi - lo
    new_off = np.concatenate(([0], np.cumsum(cnt))).astype(np.int64)
    idx = np.repeat(off[:-1] + lo - new_off[:-1], cnt) + np.arange(int(new_off[-1]))
    return data.with_(stack_locs=data.stack_locs[idx], stack_offsets=new_off)


def keep_samples(data: ProfileData, keep: np.ndarray) -> ProfileData:
    """Keep the samples where ``keep`` is True, with their stacks and labels (renumbered in order)."""
    if keep.all():
        return data
    counts = np.diff(data.stack_offsets)
    new_index = np.cumsum(keep) - 1
    ls, ns = keep[data.label_sample], keep[data.numlabel_sample]
    kept = np.flatnonzero(keep)
    new_off = np.concatenate(([0], np.cumsum(counts[kept]))).astype(np.int64)
    idx = np.repeat(data.stack_offsets[kept] - new_off[:-1], counts[kept]) + np.arange(int(new_off[-1]))
    return data.with_(
        values=data.values[keep],
        stack_locs=data.stack_locs[idx],
        stack_offsets=new_off,
        label_sample=new_index[data.label_sample[ls]], label_key=data.label_key[ls], label_str=data.label_str[ls],
        numlabel_sample=new_index[data.numlabel_sample[ns]], numlabel_key=data.numlabel_key[ns],
        numlabel_num=data.numlabel_num[ns], numlabel_unit=data.numlabel_unit[ns],
    )


def keep_lines(data: ProfileData, keep: np.ndarray) -> ProfileData:
    """Remove the rows of the line table where ``keep`` is False (locations keep their other lines)."""
    if keep.all():
        return data
    cs = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    return data.with_(
        loc_line_offsets=cs[data.loc_line_offsets],
        line_function=data.line_function[keep], line_line=data.line_line[keep], line_column=data.line_column[keep])


def flagged_entries(data: ProfileData, loc_flag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sample, pos)`` of the stack entries whose location is flagged, in stack order."""
    idx = np.flatnonzero(loc_flag[data.stack_locs])
    smp = np.searchsorted(data.stack_offsets, idx, side="right") - 1
    return smp, idx - data.stack_offsets[smp]


def first_flagged(smp: np.ndarray, pos: np.ndarray, n: int, *, last: bool = False) -> np.ndarray:
    """Per sample, the leaf-most (``last``: root-most) pos among the given entries (in stack
    order, as :func:`flagged_entries` returns them); -1 when none."""
    out = np.full(n, -1, np.int64)
    if smp.size:
        edge = smp[1:] != smp[:-1]
        pick = np.concatenate((edge, [True])) if last else np.concatenate(([True], edge))
        out[smp[pick]] = pos[pick]
    return out


# ---- pprof's name simplification -------------------------------------------------------

_RESERVED = ("(anonymous namespace)", "operator()")
_BRACKET = re.compile("|".join(re.escape(x) for x in (*_RESERVED, "(")))


def simplify_func(name: str) -> str:
    """pprof's ``simplifyFunc``: drop a leading ``.`` and cut at the first ``(`` that does not start
    ``(anonymous namespace)`` or ``operator()``. Note Go method names such as ``main.(*T).m``
    simplify to ``main.`` -- pprof's rule, kept as is."""
    f = name[1:] if name.startswith(".") else name
    for m in _BRACKET.finditer(f):
        if m.group(0) not in _RESERVED:
            return f[:m.start()]
    return f


def _func_flags(data: ProfileData, match) -> np.ndarray:
    """``match(simplified names)`` (a bool per distinct name) spread to every function; False for
    functions without a name."""
    uniq, inv = np.unique(data.func_name, return_inverse=True)
    if not uniq.size:
        return np.zeros(0, bool)
    names = [data.strings[int(u)] for u in uniq]
    named = np.array([bool(n) for n in names], bool)
    return (named & match([simplify_func(n) for n in names]))[inv]


# ---- Prune (drop_frames / keep_frames) -------------------------------------------------


def prune(data: ProfileData, drop: GoRegexp, keep: GoRegexp | None = None) -> ProfileData:
    """pprof's ``Profile.Prune``: remove frames beneath (leafward of) a frame matching ``drop``.

    Per location, the outermost line whose simplified function name fully
    matches ``drop`` and not ``keep`` is found: if it is the location's last
    (physical) line the whole location is "pruned", else only it and its
    inlined callees are cut off and the location is "pruned beneath". In every
    sample, scanning from the root, nothing is cut before the first frame that
    is neither; after it, the first flagged location cuts the stack there
    (a pruned location is removed with everything leafward of it, a
    pruned-beneath one stays as the new leaf).
    """
    def dropped(names: list[str]) -> np.ndarray:
        hit = drop.match_many(names)
        return hit & ~keep.match_many(names) if keep is not None else hit

    fn = _func_flags(data, dropped)
    if not fn.any():
        return data
    line_loc, within = line_layout(data)
    nlines = np.diff(data.loc_line_offsets)
    hit = fn[data.line_function]
    i_loc = np.full(data.loc_id.size, -1, np.int64)
    np.maximum.at(i_loc, line_loc[hit], within[hit])
    beneath = i_loc >= 0
    whole = beneath & (i_loc == nlines - 1)
    # lines: partially pruned locations keep only the lines outside the match
    data = keep_lines(data, ~(beneath & ~whole)[line_loc] | (within > i_loc[line_loc]))

    n = data.n_samples
    fs, fp = flagged_entries(data, beneath)
    us, up = flagged_entries(data, ~beneath)
    user = first_flagged(us, up, n, last=True)  # root-most frame that is neither
    cand = fp < user[fs]
    c = first_flagged(fs[cand], fp[cand], n, last=True)
    has = c >= 0
    cut = np.zeros(n, np.int64)
    cut[has] = c[has] + whole[data.stack_locs[data.stack_offsets[:-1][has] + c[has]]]
    return slice_stacks(data, cut, np.diff(data.stack_offsets))


def prune_from(data: ProfileData, rx: GoRegexp) -> ProfileData:
    """pprof's ``Profile.PruneFrom`` (``-prune_from``): make the leaf-most matching frame the leaf.

    Per location the innermost line whose simplified function name matches
    ``rx`` (unanchored) becomes line 0 (its inlined callees are dropped); each
    sample is cut so its leaf-most matching location is the leaf, so callee
    costs fold into that frame's flat. Samples without a match are unchanged.
    """
    fn = _func_flags(data, rx.match_many)
    if not fn.any():
        return data
    line_loc, within = line_layout(data)
    hit = fn[data.line_function]
    first = np.full(data.loc_id.size, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, line_loc[hit], within[hit])
    beneath = first != np.iinfo(np.int64).max
    data = keep_lines(data, within >= np.where(beneath, first, 0)[line_loc])
    p = first_flagged(*flagged_entries(data, beneath), data.n_samples)
    return slice_stacks(data, np.maximum(p, 0), np.diff(data.stack_offsets))


def remove_uninteresting(data: ProfileData) -> ProfileData:
    """pprof's ``RemoveUninteresting``: :func:`prune` with the profile's own ``drop_frames`` /
    ``keep_frames``, compiled as ``^(pattern)$`` (a full match), as pprof does at load unless
    ``-all_frames``.

    Raises
    ------
    OptionError
        The profile's drop/keep frames do not compile (``parsing drop_frames regexp `...`: ...``).
    """
    if not data.drop_frames:
        return data
    drop = compile_regex("drop_frames", data.drop_frames, anchored=True)
    keep = compile_regex("keep_frames", data.keep_frames, anchored=True) if data.keep_frames else None
    return prune(data, drop, keep)
