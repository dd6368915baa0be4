"""Merging and subtracting profiles (``ProfileData``) with ``go tool pprof``'s semantics.

* :func:`combine` is ``go tool pprof p1 p2 ...`` (``internal/driver/fetch.go:
  combineProfiles``): ``profile.CompatibilizeSampleTypes`` (keep the sample
  types every profile has, by type name, in the first profile's order),
  ``measurement.ScaleProfiles`` (per position, convert to the finest unit of
  the family, ``math.Round``), then ``profile.Merge``: samples with equal
  (locations, string labels, numeric labels with units) are summed, all-zero
  samples dropped, ids renumbered 1..n in first-seen order, and the header
  combined (earliest time, durations added, largest period, comments
  de-duplicated, first non-empty default sample type / doc URL).
* :func:`subtract` is ``-diff_base`` / ``-base`` with optional ``-normalize``
  (``fetch.go:fetchProfiles``): base samples are labelled
  ``pprof::base=true`` (``diff_base`` only), the source is scaled by
  Σbase/Σsource per sample type when normalizing, the base is negated
  (``Profile.Scale(-1)``), and both are merged. Reports then take the total
  over the base samples only (``-diff_base``) or over everything (``-base``).

The public functions on :class:`~pprof_parse.Profile` objects (``merge``, ``diff``,
``delta_table``) are in :mod:`pprof_parse.compare`.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import OptionError, SampleTypeError
from ..model.data import ProfileData, ValueType
from ..model.grouping import group_samples, offsets_in
from ..model.strings import StringTable
from .measurement import UNIT_FAMILIES, scale, sniff_unit

BASE_LABEL = "pprof::base"


# ---- sample type / unit reconciliation ------------------------------------------------------
def compatibilize_sample_types(ds: list[ProfileData]) -> list[ProfileData]:
    """pprof's ``CompatibilizeSampleTypes``: keep the types (by name) all profiles have.

    Raises
    ------
    SampleTypeError
        No sample type is common to all profiles.
    """
    names = [t.type for t in ds[0].sample_types]
    common = [n for n in names if all(any(t.type == n for t in d.sample_types) for d in ds)]
    if not common:
        raise SampleTypeError("profiles have empty common sample type list")
    out = []
    for d in ds:
        types = [t.type for t in d.sample_types]
        remap = [types.index(n) for n in common]
        if remap == list(range(len(types))):
            out.append(d)
            continue
        dflt = d.default_sample_type if d.default_sample_type in common else common[0]
        out.append(d.with_(sample_types=tuple(d.sample_types[i] for i in remap),
                           values=np.ascontiguousarray(d.values[:, remap]), default_sample_type=dflt))
    return out


def _compatible_units(u1: str, u2: str) -> bool:
    if u1 == u2:
        return True
    return any(sniff_unit(f, u1) is not None and sniff_unit(f, u2) is not None for f in UNIT_FAMILIES)


def _ratio(from_unit: str, to_unit: str) -> float:
    return float(scale(1, from_unit, to_unit)[0])


def _common_type(ts: list[ValueType]) -> ValueType | None:
    """pprof's ``measurement.CommonValueType``: the finest of compatible types (None for one type)."""
    if len(ts) <= 1:
        return None
    best = ts[0]
    for t in ts[1:]:
        if best.type.removesuffix("s") != t.type.removesuffix("s") or not _compatible_units(best.unit, t.unit):
            raise SampleTypeError(f"incompatible types: {best.type}/{best.unit} {t.type}/{t.unit}")
        if _ratio(t.unit, best.unit) < 1:
            best = t
    return best


def scale_n(d: ProfileData, ratios: Sequence[float]) -> ProfileData:
    """pprof's ``Profile.ScaleN``: ``value = math.Round(value * ratio)`` for each type whose
    ratio is not 1; samples left without a non-zero *scaled* value are dropped."""
    r = np.asarray(ratios, np.float64)
    if (r == 1).all():
        return d
    v = d.values.astype(np.float64) * np.where(r == 1, 1.0, r)
    vals = np.where(r == 1, d.values, _go_round(v).astype(np.int64))
    keep = (vals[:, r != 1] != 0).any(axis=1)
    return subset_samples(d.with_(values=vals), keep)


def _go_round(x: np.ndarray) -> np.ndarray:
    """Go's ``math.Round``: half away from zero (numpy rounds half to even)."""
    return np.trunc(x + np.copysign(0.5, x)) if x.size else x


def scale_profiles(ds: list[ProfileData]) -> list[ProfileData]:
    """pprof's ``measurement.ScaleProfiles``: per position, convert every profile to the finest unit."""
    if len(ds) <= 1:
        return ds
    pts = [d.period_type for d in ds]
    ptype = _common_type(pts) if all(p.type or p.unit for p in pts) else None
    nt = len(ds[0].sample_types)
    if any(len(d.sample_types) != nt for d in ds):
        raise SampleTypeError(f"inconsistent samples type count: {[len(d.sample_types) for d in ds]}")
    common = [_common_type([d.sample_types[i] for d in ds]) for i in range(nt)]
    out = []
    for d in ds:
        changes = {}
        if ptype is not None:
            changes["period"] = int(scale(d.period, d.period_type.unit, ptype.unit)[0])
            changes["period_type"] = ValueType(d.period_type.type, ptype.unit)
        ratios = [1.0 if c is None else _ratio(t.unit, c.unit) for t, c in zip(d.sample_types, common)]
        changes["sample_types"] = tuple(t if c is None else ValueType(t.type, c.unit) for t, c in zip(d.sample_types, common))
        out.append(scale_n(d.with_(**changes), ratios))
    return out


def _check_compatible(a: ProfileData, b: ProfileData) -> None:
    if tuple(a.period_type) != tuple(b.period_type):
        raise SampleTypeError(f"incompatible period types {a.period_type.type}/{a.period_type.unit} and "
                              f"{b.period_type.type}/{b.period_type.unit}")
    if tuple(map(tuple, a.sample_types)) != tuple(map(tuple, b.sample_types)):
        fmt = lambda d: "[" + " ".join(f"{t.type}/{t.unit}" for t in d.sample_types) + "]"  # noqa: E731
        raise SampleTypeError(f"incompatible sample types {fmt(a)} and {fmt(b)}")


# ---- sample subsets and labels ----------------------------------------------------------------
def subset_samples(d: ProfileData, keep: np.ndarray) -> ProfileData:
    """The profile with only the samples where ``keep`` is true (tables untouched)."""
    if keep.all():
        return d
    idx = np.nonzero(keep)[0]
    new_of_old = np.full(d.n_samples, -1, np.int64)
    new_of_old[idx] = np.arange(idx.size)
    counts = np.diff(d.stack_offsets)[idx]
    sel = np.repeat(keep, np.diff(d.stack_offsets))
    lk = keep[d.label_sample] if d.label_sample.size else np.zeros(0, bool)
    nk = keep[d.numlabel_sample] if d.numlabel_sample.size else np.zeros(0, bool)
    return d.with_(
        values=d.values[idx], stack_offsets=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        stack_locs=d.stack_locs[sel],
        label_sample=new_of_old[d.label_sample[lk]], label_key=d.label_key[lk], label_str=d.label_str[lk],
        numlabel_sample=new_of_old[d.numlabel_sample[nk]], numlabel_key=d.numlabel_key[nk],
        numlabel_num=d.numlabel_num[nk], numlabel_unit=d.numlabel_unit[nk])


def set_label(d: ProfileData, key: str, value: str) -> ProfileData:
    """pprof's ``Profile.SetLabel(key, [value])``: every sample gets ``key=value`` (replacing that key)."""
    d, k = d.intern(key)
    d, v = d.intern(value)
    other = d.label_key != k
    n = d.n_samples
    return d.with_(label_sample=np.concatenate([d.label_sample[other], np.arange(n)]).astype(np.int64),
                   label_key=np.concatenate([d.label_key[other], np.full(n, k)]).astype(np.int64),
                   label_str=np.concatenate([d.label_str[other], np.full(n, v)]).astype(np.int64))


def normalize_to(d: ProfileData, base: ProfileData) -> ProfileData:
    """pprof's ``Profile.Normalize(base)``: scale each type by Σbase/Σsource (0 if Σsource is 0)."""
    _check_compatible(d, base)
    bs = base.values.sum(axis=0) if base.n_samples else np.zeros(len(base.sample_types), np.int64)
    ss = d.values.sum(axis=0) if d.n_samples else np.zeros(len(d.sample_types), np.int64)
    ratios = [0.0 if s == 0 else float(b) / float(s) for b, s in zip(bs.tolist(), ss.tolist())]
    return scale_n(d, ratios)


# ---- profile.Merge ---------------------------------------------------------------------------
def merge_data(ds: list[ProfileData]) -> ProfileData:
    """pprof's ``profile.Merge`` of profiles with identical sample and period types.

    Raises
    ------
    SampleTypeError
        Period types or sample types differ (pprof's ``compatible``).
    """
    for d in ds[1:]:
        _check_compatible(ds[0], d)
    gs = StringTable()
    map_keys: dict[tuple, int] = {}
    map_rows: list[tuple] = []  # (start, limit, offset, filename, build_id, flags)
    func_keys: dict[tuple, int] = {}
    func_rows: list[tuple] = []  # (name, system_name, filename, start_line)
    loc_keys: dict[tuple, int] = {}
    loc_rows: list[tuple] = []  # (map, address, folded, lines)
    entries, counts, vals, labs = [], [], [], []
    base = 0
    for pi, d in enumerate(ds):
        sg = np.array([gs(s) for s in d.strings], np.int64)
        # mappings: key = (size rounded up to 4 KiB, file offset, build id else file name)
        mg, moff = [], []
        fl = d.map_flags.reshape(-1, 4)
        for j in range(d.map_id.size):
            start, limit, off = int(d.map_start[j]), int(d.map_limit[j]), int(d.map_offset[j])
            size = limit - start
            size = size + 0x1000 - 1
            size -= size % 0x1000
            bid, fn = int(sg[d.map_build_id[j]]), int(sg[d.map_filename[j]])
            key = (size, off, ("b", bid) if bid else ("f", fn))
            g = map_keys.get(key)
            if g is None:
                g = map_keys[key] = len(map_rows)
                map_rows.append((start, limit, off, fn, bid, tuple(bool(x) for x in fl[j])))
            mg.append(g)
            moff.append(map_rows[g][0] - start)
        fg = []
        for n, sn, f, st in zip(d.func_name.tolist(), d.func_system_name.tolist(), d.func_filename.tolist(),
                                d.func_start_line.tolist()):
            key = (st, int(sg[n]), int(sg[sn]), int(sg[f]))  # pprof's functionKey
            g = func_keys.get(key)
            if g is None:
                g = func_keys[key] = len(func_rows)
                func_rows.append((key[1], key[2], key[3], key[0]))
            fg.append(g)
        # locations: key = (address relative to its mapping, mapping, lines, is_folded)
        lf = d.line_function.tolist()
        ll, lc = d.line_line.tolist(), d.line_column.tolist()
        offs = d.loc_line_offsets.tolist()
        lg = np.empty(d.loc_id.size, np.int64)
        for j, (m, a, folded) in enumerate(zip(d.loc_mapping.tolist(), d.loc_address.tolist(), d.loc_is_folded.tolist())):
            lines = tuple((fg[lf[k]], ll[k], lc[k]) for k in range(offs[j], offs[j + 1]))
            if m >= 0:
                gm = mg[m]
                addr = (a + moff[m]) & ((1 << 64) - 1)
                rel = (addr - map_rows[gm][0]) & ((1 << 64) - 1)
            else:
                gm, addr, rel = -1, a, a
            key = (rel, gm, lines, bool(folded))
            g = loc_keys.get(key)
            if g is None:
                g = loc_keys[key] = len(loc_rows)
                loc_rows.append((gm, addr, bool(folded), lines))
            lg[j] = g
        # samples, column-wise: global location ids and labels in global string ids
        keep_s = (d.values != 0).any(axis=1) if d.n_samples else np.zeros(0, bool)  # Merge skips zero samples
        d = subset_samples(d, keep_s)
        entries.append(lg[d.stack_locs])
        counts.append(np.diff(d.stack_offsets))
        vals.append(d.values)
        labs.append(np.column_stack([
            np.concatenate([d.label_sample, d.numlabel_sample]) + base,
            np.concatenate([np.zeros(d.label_sample.size, np.int64), np.ones(d.numlabel_sample.size, np.int64)]),
            sg[np.concatenate([d.label_key, d.numlabel_key]).astype(np.int64)],
            np.concatenate([sg[d.label_str], d.numlabel_num]),
            np.concatenate([np.zeros(d.label_sample.size, np.int64), sg[d.numlabel_unit]]),
        ]).astype(np.int64).reshape(-1, 5))
        base += d.n_samples

    nt = len(ds[0].sample_types)
    gl = np.concatenate(entries).astype(np.int64)
    cnt = np.concatenate(counts).astype(np.int64)
    allv = np.concatenate(vals).reshape(-1, nt)
    lab = np.concatenate(labs)
    lab = lab[np.lexsort((lab[:, 4], lab[:, 3], lab[:, 2], lab[:, 1], lab[:, 0]))]  # canonical order per sample
    inv, rep = group_samples(gl, cnt, lab)
    nm = rep.size
    values = np.zeros((nm, nt), np.int64)
    np.add.at(values, inv, allv)
    keep = (values != 0).any(axis=1) if nm else np.zeros(0, bool)  # sums that cancel vanish (pprof re-merges)
    kept_rep = rep[keep]
    off = np.cumsum(cnt) - cnt
    out_cnt = cnt[kept_rep]
    sel = np.repeat(off[kept_rep], out_cnt) + offsets_in(out_cnt)
    stack_g = gl[sel]
    # compact: locations/functions/mappings referenced by kept samples, numbered in first-seen order
    first = np.full(len(loc_rows), stack_g.size, np.int64)
    first[stack_g[::-1]] = np.arange(stack_g.size - 1, -1, -1)  # the earliest position wins
    used = np.nonzero(first < stack_g.size)[0]
    locs_order = used[np.argsort(first[used], kind="stable")].tolist()
    loc_new = np.full(len(loc_rows), -1, np.int64)
    loc_new[locs_order] = np.arange(len(locs_order))
    func_new: dict[int, int] = {}
    map_new: dict[int, int] = {0: 0} if map_rows else {}  # pprof keeps the first main binary first
    for g in locs_order:
        gm = loc_rows[g][0]
        if gm >= 0 and gm not in map_new:
            map_new[gm] = len(map_new)
        for f, _, _ in loc_rows[g][3]:
            if f not in func_new:
                func_new[f] = len(func_new)
    out_of_sample = np.full(cnt.size, -1, np.int64)
    out_of_sample[kept_rep] = np.arange(kept_rep.size)
    lrow = lab[out_of_sample[lab[:, 0]] >= 0] if lab.size else lab
    lrow_s = out_of_sample[lrow[:, 0]]
    is_num = lrow[:, 1] == 1
    lab_s, lab_k, lab_v = lrow_s[~is_num], lrow[~is_num, 2], lrow[~is_num, 3]
    nl_s, nl_k, nl_n, nl_u = lrow_s[is_num], lrow[is_num, 2], lrow[is_num, 3], lrow[is_num, 4]
    stack_counts = out_cnt
    flat_stack = loc_new[stack_g]
    i64 = lambda x: np.asarray(x, np.int64)  # noqa: E731
    nlines = [len(loc_rows[g][3]) for g in locs_order]
    line_fn = [func_new[f] for g in locs_order for f, _, _ in loc_rows[g][3]]
    line_ln = [ln for g in locs_order for _, ln, _ in loc_rows[g][3]]
    line_col = [c for g in locs_order for _, _, c in loc_rows[g][3]]
    funcs = [func_rows[f] for f in func_new]
    maps = [map_rows[m] for m in map_new]
    hdr = _combine_headers(ds)
    return ProfileData(
        strings=gs.strings, sample_types=ds[0].sample_types, default_sample_type=hdr["default_sample_type"],
        values=np.ascontiguousarray(values[keep]),
        stack_offsets=np.concatenate(([0], np.cumsum(stack_counts))).astype(np.int64),
        stack_locs=i64(flat_stack),
        label_sample=i64(lab_s), label_key=i64(lab_k), label_str=i64(lab_v),
        numlabel_sample=i64(nl_s), numlabel_key=i64(nl_k), numlabel_num=i64(nl_n), numlabel_unit=i64(nl_u),
        loc_id=np.arange(1, len(locs_order) + 1, dtype=np.uint64),
        loc_mapping=i64([map_new[loc_rows[g][0]] if loc_rows[g][0] >= 0 else -1 for g in locs_order]),
        loc_address=np.array([loc_rows[g][1] for g in locs_order], np.uint64),
        loc_is_folded=np.array([loc_rows[g][2] for g in locs_order], bool),
        loc_line_offsets=np.concatenate(([0], np.cumsum(nlines, dtype=np.int64))).astype(np.int64),
        line_function=i64(line_fn), line_line=i64(line_ln), line_column=i64(line_col),
        func_id=np.arange(1, len(funcs) + 1, dtype=np.uint64),
        func_name=i64([f[0] for f in funcs]), func_system_name=i64([f[1] for f in funcs]),
        func_filename=i64([f[2] for f in funcs]), func_start_line=i64([f[3] for f in funcs]),
        map_id=np.arange(1, len(maps) + 1, dtype=np.uint64),
        map_start=np.array([m[0] for m in maps], np.uint64), map_limit=np.array([m[1] for m in maps], np.uint64),
        map_offset=np.array([m[2] for m in maps], np.uint64), map_filename=i64([m[3] for m in maps]),
        map_build_id=i64([m[4] for m in maps]), map_flags=np.array([m[5] for m in maps], bool).reshape(-1, 4),
        drop_frames=ds[0].drop_frames, keep_frames=ds[0].keep_frames,
        time_nanos=hdr["time_nanos"], duration_nanos=hdr["duration_nanos"],
        period_type=ds[0].period_type, period=hdr["period"], comments=hdr["comments"], doc_url=hdr["doc_url"],
    )




def _combine_headers(ds: list[ProfileData]) -> dict:
    """pprof's ``combineHeaders``."""
    t = dur = period = 0
    comments: list[str] = []
    dflt = doc = ""
    for d in ds:
        if t == 0 or d.time_nanos < t:
            t = d.time_nanos
        dur += d.duration_nanos
        if period == 0 or period < d.period:
            period = d.period
        for c in d.comments:
            if c not in comments:
                comments.append(c)
        dflt = dflt or d.default_sample_type
        doc = doc or d.doc_url
    return {"time_nanos": int(t), "duration_nanos": int(dur), "period": int(period), "comments": tuple(comments),
            "default_sample_type": dflt, "doc_url": doc}


def combine(ds: list[ProfileData]) -> ProfileData:
    """pprof's driver ``combineProfiles``: compatibilize, scale, merge (a single profile is returned as is)."""
    ds = scale_profiles(compatibilize_sample_types(ds))
    if len(ds) == 1:
        return ds[0]
    return merge_data(ds)


# ---- diff -------------------------------------------------------------------------------------
def prepare_diff(profile: list[ProfileData], base: list[ProfileData], *, normalize: bool = False,
                 mode: str = "diff_base") -> tuple[ProfileData, ProfileData]:
    """The source and the base as pprof holds them just before negating the base
    (each side combined, ``pprof::base`` labelled for ``diff_base``, source normalized).

    Raises
    ------
    OptionError
        ``mode`` is not ``"diff_base"`` or ``"base"``; or a side is empty.
    SampleTypeError
        A side's profiles cannot be merged.
    """
    if mode not in ("diff_base", "base"):
        raise OptionError(f"mode must be 'diff_base' or 'base', not {mode!r}")
    if not profile or not base:
        raise OptionError("no profiles to merge")
    p = combine(profile)
    pb = combine(base)
    if mode == "diff_base":
        pb = set_label(pb, BASE_LABEL, "true")
    if normalize:
        p = normalize_to(p, pb)
    return p, pb


def subtract(profile: list[ProfileData], base: list[ProfileData], *, normalize: bool = False,
             mode: str = "diff_base") -> ProfileData:
    """pprof's ``-diff_base``/``-base``: source + (−1 × base), merged (see :func:`prepare_diff`)."""
    p, pb = prepare_diff(profile, base, normalize=normalize, mode=mode)
    pb = scale_n(pb, [-1.0] * len(pb.sample_types))
    return combine([p, pb])
