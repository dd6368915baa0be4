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

from typing import NamedTuple, Sequence

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
_U64 = (1 << 64) - 1


class _MergedTables:
    """The merged string, mapping, function and location tables being built, each row
    once per pprof key (``*_of_key`` maps the key to the row's merged id). Rows are
    plain tuples (a merge builds thousands; NamedTuple rows made merges ~15 % slower):

    * mappings: ``(start, limit, offset, filename, build_id, flags)``, flags being
      (has_functions, has_filenames, has_line_numbers, has_inline_frames);
    * functions: ``(name, system_name, filename, start_line)``;
    * locations: ``(mapping, address, is_folded, lines)``, the address in the merged
      mapping's space, mapping -1 for none, lines ``((function, line, column), ...)``
      innermost first.

    Names, file names and build ids are merged string ids; a location's mapping and
    its lines' functions are merged mapping and function ids.
    """

    def __init__(self) -> None:
        self.strings = StringTable()
        self.mapping_of_key: dict[tuple, int] = {}
        self.mappings: list[tuple] = []
        self.function_of_key: dict[tuple, int] = {}
        self.functions: list[tuple] = []
        self.location_of_key: dict[tuple, int] = {}
        self.locations: list[tuple] = []


class _ProfileSamples(NamedTuple):
    """One profile's non-zero samples in merged ids."""

    stack_locs: np.ndarray  # merged location ids, the stacks end to end
    stack_counts: np.ndarray  # stack length of each sample
    values: np.ndarray  # (n_samples, n_types)
    labels: np.ndarray  # (n_labels, 5): sample (numbered across profiles), is_numeric, key, string or number, unit


class _SummedSamples(NamedTuple):
    """The samples left after summing equal ones and dropping the sums that cancel."""

    values: np.ndarray  # (n_kept, n_types)
    first_input: np.ndarray  # the input sample (position in the concatenation) each kept sample stands for
    stack_counts: np.ndarray
    stack_locs: np.ndarray  # merged location ids


class _Renumbering(NamedTuple):
    """Merged rows referenced by the kept samples and their final 0-based rows."""

    locations: list[int]  # merged location ids in final row order
    location_row: np.ndarray  # merged location id -> final row (-1: dropped)
    function_row: dict[int, int]  # merged function id -> final row (insertion order = row order)
    mapping_row: dict[int, int]  # merged mapping id -> final row (insertion order = row order)


def merge_data(ds: list[ProfileData]) -> ProfileData:
    """pprof's ``profile.Merge`` of profiles with identical sample and period types.

    Raises
    ------
    SampleTypeError
        Period types or sample types differ (pprof's ``compatible``).
    """
    for d in ds[1:]:
        _check_compatible(ds[0], d)
    n_types = len(ds[0].sample_types)
    tables = _MergedTables()
    merged_string_id = tables.strings
    samples = []
    samples_so_far = 0
    for d in ds:
        string_ids = np.array([merged_string_id(s) for s in d.strings], np.int64)
        mapping_ids, address_shifts = _merge_mappings(d, string_ids, tables)
        function_ids = _merge_functions(d, string_ids, tables)
        location_ids = _merge_locations(d, mapping_ids, address_shifts, function_ids, tables)
        samples.append(_samples_in_merged_ids(d, string_ids, location_ids, samples_so_far))
        samples_so_far += samples[-1].stack_counts.size
    labels = np.concatenate([s.labels for s in samples])
    # canonical label order within each sample
    labels = labels[np.lexsort((labels[:, 4], labels[:, 3], labels[:, 2], labels[:, 1], labels[:, 0]))]
    summed = _sum_equal_samples(samples, labels, n_types)
    renumbering = _compact_referenced(tables, summed.stack_locs)
    kept_labels = _labels_of_kept_samples(labels, summed.first_input, samples_so_far)
    return _merged_profile_data(ds, tables, summed, renumbering, kept_labels)


def _merge_mappings(d: ProfileData, string_ids: np.ndarray, tables: _MergedTables) -> tuple[list[int], list[int]]:
    """Add ``d``'s mappings to the merged table; returns each one's merged id and the
    shift from its addresses to the merged mapping's (merged start − own start)."""
    mapping_of_key, mappings = tables.mapping_of_key, tables.mappings
    flags = d.map_flags.reshape(-1, 4)
    merged_ids, address_shifts = [], []
    for j in range(d.map_id.size):
        start, limit, off = int(d.map_start[j]), int(d.map_limit[j]), int(d.map_offset[j])
        # pprof's mapping key: (size rounded up to 4 KiB, file offset, build id else file name)
        size = limit - start
        size = size + 0x1000 - 1
        size -= size % 0x1000
        build_id, filename = int(string_ids[d.map_build_id[j]]), int(string_ids[d.map_filename[j]])
        key = (size, off, ("b", build_id) if build_id else ("f", filename))
        g = mapping_of_key.get(key)
        if g is None:
            g = mapping_of_key[key] = len(mappings)
            mappings.append((start, limit, off, filename, build_id, tuple(bool(x) for x in flags[j])))
        merged_ids.append(g)
        merged_start = mappings[g][0]
        address_shifts.append(merged_start - start)
    return merged_ids, address_shifts


def _merge_functions(d: ProfileData, string_ids: np.ndarray, tables: _MergedTables) -> list[int]:
    """Add ``d``'s functions to the merged table; returns each one's merged id."""
    function_of_key, functions = tables.function_of_key, tables.functions
    merged_ids = []
    for n, sn, f, st in zip(d.func_name.tolist(), d.func_system_name.tolist(), d.func_filename.tolist(),
                            d.func_start_line.tolist()):
        key = (st, int(string_ids[n]), int(string_ids[sn]), int(string_ids[f]))  # pprof's functionKey
        g = function_of_key.get(key)
        if g is None:
            g = function_of_key[key] = len(functions)
            functions.append((key[1], key[2], key[3], key[0]))
        merged_ids.append(g)
    return merged_ids


def _merge_locations(d: ProfileData, mapping_ids: list[int], address_shifts: list[int], function_ids: list[int],
                     tables: _MergedTables) -> np.ndarray:
    """Add ``d``'s locations to the merged table; returns each one's merged id (int64)."""
    location_of_key, locations, mappings = tables.location_of_key, tables.locations, tables.mappings
    u64 = _U64  # (a local: this loop runs once per location)
    line_function = d.line_function.tolist()
    line_line, line_column = d.line_line.tolist(), d.line_column.tolist()
    line_offsets = d.loc_line_offsets.tolist()
    merged_ids = np.empty(d.loc_id.size, np.int64)
    for j, (m, a, folded) in enumerate(zip(d.loc_mapping.tolist(), d.loc_address.tolist(),
                                           d.loc_is_folded.tolist())):
        lines = tuple((function_ids[line_function[k]], line_line[k], line_column[k])
                      for k in range(line_offsets[j], line_offsets[j + 1]))
        if m >= 0:
            mapping = mapping_ids[m]
            address = (a + address_shifts[m]) & u64
            relative = (address - mappings[mapping][0]) & u64  # [0]: the merged mapping's start
        else:
            mapping, address, relative = -1, a, a
        # pprof's locations key: (address relative to its mapping, mapping, lines, is_folded)
        key = (relative, mapping, lines, bool(folded))
        g = location_of_key.get(key)
        if g is None:
            g = location_of_key[key] = len(locations)
            locations.append((mapping, address, bool(folded), lines))
        merged_ids[j] = g
    return merged_ids


def _samples_in_merged_ids(d: ProfileData, string_ids: np.ndarray, location_ids: np.ndarray,
                           first_sample: int) -> _ProfileSamples:
    """``d``'s samples, column-wise, in merged location and string ids; samples are
    numbered from ``first_sample`` in the label rows."""
    nonzero = (d.values != 0).any(axis=1) if d.n_samples else np.zeros(0, bool)  # Merge skips zero samples
    d = subset_samples(d, nonzero)
    n_str, n_num = d.label_sample.size, d.numlabel_sample.size
    labels = np.column_stack([
        np.concatenate([d.label_sample, d.numlabel_sample]) + first_sample,
        np.concatenate([np.zeros(n_str, np.int64), np.ones(n_num, np.int64)]),
        string_ids[np.concatenate([d.label_key, d.numlabel_key]).astype(np.int64)],
        np.concatenate([string_ids[d.label_str], d.numlabel_num]),
        np.concatenate([np.zeros(n_str, np.int64), string_ids[d.numlabel_unit]]),
    ]).astype(np.int64).reshape(-1, 5)
    return _ProfileSamples(location_ids[d.stack_locs], np.diff(d.stack_offsets), d.values, labels)


def _sum_equal_samples(samples: list[_ProfileSamples], labels: np.ndarray, n_types: int) -> _SummedSamples:
    """Sum the samples with equal (locations, labels); the sums that cancel vanish
    (pprof re-merges). ``labels`` are all label rows in canonical order."""
    stack_locs = np.concatenate([s.stack_locs for s in samples]).astype(np.int64)
    stack_counts = np.concatenate([s.stack_counts for s in samples]).astype(np.int64)
    values = np.concatenate([s.values for s in samples]).reshape(-1, n_types)
    group, first_of_group = group_samples(stack_locs, stack_counts, labels)
    sums = np.zeros((first_of_group.size, n_types), np.int64)
    np.add.at(sums, group, values)
    # sums that cancel vanish (pprof re-merges)
    nonzero = (sums != 0).any(axis=1) if first_of_group.size else np.zeros(0, bool)
    first_input = first_of_group[nonzero]
    kept_counts = stack_counts[first_input]
    stack_starts = np.cumsum(stack_counts) - stack_counts
    kept_entries = np.repeat(stack_starts[first_input], kept_counts) + offsets_in(kept_counts)
    return _SummedSamples(np.ascontiguousarray(sums[nonzero]), first_input, kept_counts, stack_locs[kept_entries])


def _compact_referenced(tables: _MergedTables, stack_locs: np.ndarray) -> _Renumbering:
    """The locations, functions and mappings the kept stacks reference, numbered in
    first-seen order (locations by first position in ``stack_locs``)."""
    n = stack_locs.size
    first_position = np.full(len(tables.locations), n, np.int64)
    first_position[stack_locs[::-1]] = np.arange(n - 1, -1, -1)  # the earliest position wins
    used = np.nonzero(first_position < n)[0]
    locations = used[np.argsort(first_position[used], kind="stable")].tolist()
    location_row = np.full(len(tables.locations), -1, np.int64)
    location_row[locations] = np.arange(len(locations))
    function_row: dict[int, int] = {}
    mapping_row: dict[int, int] = {0: 0} if tables.mappings else {}  # pprof keeps the first main binary first
    merged_locations = tables.locations
    for g in locations:
        mapping, _, _, lines = merged_locations[g]
        if mapping >= 0 and mapping not in mapping_row:
            mapping_row[mapping] = len(mapping_row)
        for f, _, _ in lines:
            if f not in function_row:
                function_row[f] = len(function_row)
    return _Renumbering(locations, location_row, function_row, mapping_row)


def _labels_of_kept_samples(labels: np.ndarray, first_input: np.ndarray, n_input: int) -> dict[str, np.ndarray]:
    """The label columns of ``ProfileData`` for the kept samples (each takes the labels
    of the input sample it stands for)."""
    kept_row = np.full(n_input, -1, np.int64)
    kept_row[first_input] = np.arange(first_input.size)
    rows = labels[kept_row[labels[:, 0]] >= 0] if labels.size else labels
    sample = kept_row[rows[:, 0]]
    numeric = rows[:, 1] == 1
    i64 = lambda x: np.asarray(x, np.int64)  # noqa: E731
    return dict(label_sample=i64(sample[~numeric]), label_key=i64(rows[~numeric, 2]),
                label_str=i64(rows[~numeric, 3]),
                numlabel_sample=i64(sample[numeric]), numlabel_key=i64(rows[numeric, 2]),
                numlabel_num=i64(rows[numeric, 3]), numlabel_unit=i64(rows[numeric, 4]))


def _columns(rows: list[tuple], width: int) -> list[list]:
    """The columns of a list of ``width``-tuples (``width`` empty lists for no rows)."""
    return [list(c) for c in zip(*rows)] if rows else [[] for _ in range(width)]


def _merged_profile_data(ds: list[ProfileData], tables: _MergedTables, summed: _SummedSamples,
                         renumbering: _Renumbering, labels: dict[str, np.ndarray]) -> ProfileData:
    """The merged ``ProfileData``: kept samples, referenced rows renumbered, combined header."""
    i64 = lambda x: np.asarray(x, np.int64)  # noqa: E731
    locations, functions, mappings = tables.locations, tables.functions, tables.mappings
    function_row, mapping_row = renumbering.function_row, renumbering.mapping_row
    loc_mapping, loc_address, loc_folded, loc_lines = _columns([locations[g] for g in renumbering.locations], 4)
    line_fn, line_ln, line_col = _columns([line for lines in loc_lines for line in lines], 3)
    fn_name, fn_system_name, fn_filename, fn_start_line = _columns([functions[f] for f in function_row], 4)
    map_start, map_limit, map_offset, map_filename, map_build_id, map_flags = _columns(
        [mappings[m] for m in mapping_row], 6)
    n_locs, n_funcs, n_maps = len(loc_mapping), len(fn_name), len(map_start)
    hdr = _combine_headers(ds)
    return ProfileData(
        strings=tables.strings.strings, sample_types=ds[0].sample_types,
        default_sample_type=hdr["default_sample_type"], values=summed.values,
        stack_offsets=np.concatenate(([0], np.cumsum(summed.stack_counts))).astype(np.int64),
        stack_locs=i64(renumbering.location_row[summed.stack_locs]), **labels,
        loc_id=np.arange(1, n_locs + 1, dtype=np.uint64),
        loc_mapping=i64([mapping_row[m] if m >= 0 else -1 for m in loc_mapping]),
        loc_address=np.array(loc_address, np.uint64), loc_is_folded=np.array(loc_folded, bool),
        loc_line_offsets=np.concatenate(([0], np.cumsum([len(ls) for ls in loc_lines], dtype=np.int64))
                                        ).astype(np.int64),
        line_function=i64([function_row[f] for f in line_fn]),
        line_line=i64(line_ln), line_column=i64(line_col),
        func_id=np.arange(1, n_funcs + 1, dtype=np.uint64),
        func_name=i64(fn_name), func_system_name=i64(fn_system_name),
        func_filename=i64(fn_filename), func_start_line=i64(fn_start_line),
        map_id=np.arange(1, n_maps + 1, dtype=np.uint64),
        map_start=np.array(map_start, np.uint64), map_limit=np.array(map_limit, np.uint64),
        map_offset=np.array(map_offset, np.uint64), map_filename=i64(map_filename),
        map_build_id=i64(map_build_id), map_flags=np.array(map_flags, bool).reshape(-1, 4),
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
