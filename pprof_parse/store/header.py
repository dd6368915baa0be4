"""The merged header of a selection of stored profiles, by pprof's rules (engine-independent).

``go tool pprof p1 p2 ...`` (``internal/driver/fetch.go: combineProfiles``) keeps the sample
types every profile has (by name, the first profile's order), converts each position to
the finest unit of its family (``measurement.ScaleProfiles``: value × ratio, ``math.Round``),
then merges: earliest time, durations added, largest period, comments de-duplicated,
first non-empty default sample type and doc URL. The sample type and unit rules are
:mod:`pprof_parse.analyze.merge`'s own (run on one header-only profile per distinct
header), so the store answers exactly as :func:`pprof_parse.merge` does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from gopherlab_common.lazy import pd

from ..analyze.measurement import scale
from ..analyze.merge import compatibilize_sample_types, scale_profiles
from ..model.data import ProfileData, ValueType
from .errors import StoreError


class MergedHeader(NamedTuple):
    """The merged profile's header and how each selected profile's values enter it."""

    sample_types: tuple[ValueType, ...]  # merged types (names = samples columns), finest units
    default_sample_type: str
    period_type: ValueType
    period: int
    time_nanos: int
    duration_nanos: int
    comments: tuple[str, ...]
    doc_url: str
    drop_frames: str
    keep_frames: str
    scales: object  # None when every ratio is 1, else DataFrame(profile_id, one float64 ratio column per type)


_EMPTY = np.zeros(0, np.int64)


def _header_only(types, units, default: str, period_type: str, period_unit: str) -> ProfileData:
    """A profile with this header and nothing else (what pprof's sample type rules look at)."""
    e, u = _EMPTY, np.zeros(0, np.uint64)
    return ProfileData(
        strings=[""], sample_types=tuple(ValueType(t, un) for t, un in zip(types, units)),
        default_sample_type=default, values=np.zeros((0, len(types)), np.int64), stack_offsets=np.zeros(1, np.int64),
        stack_locs=e, label_sample=e, label_key=e, label_str=e, numlabel_sample=e, numlabel_key=e, numlabel_num=e,
        numlabel_unit=e, loc_id=u, loc_mapping=e, loc_address=u, loc_is_folded=np.zeros(0, bool),
        loc_line_offsets=np.zeros(1, np.int64), line_function=e, line_line=e, line_column=e, func_id=u,
        func_name=e, func_system_name=e, func_filename=e, func_start_line=e, map_id=u, map_start=u, map_limit=u,
        map_offset=u, map_filename=e, map_build_id=e, map_flags=np.zeros((0, 4), bool),
        period_type=ValueType(period_type, period_unit), period=1)


def _signature(row) -> tuple:
    return (tuple(row.sample_types), tuple(row.sample_units), row.default_sample_type, row.period_type, row.period_unit)


def merged_header(profiles) -> MergedHeader:
    """The header of the merge of ``profiles`` (``profiles`` rows in merge order).

    Raises
    ------
    StoreError
        No profile selected.
    SampleTypeError
        No common sample type, incompatible units or period types (as :func:`pprof_parse.merge`).
    """
    if not len(profiles):
        raise StoreError("no profiles selected")
    rows = list(profiles.itertuples(index=False))
    sigs = list(dict.fromkeys(_signature(r) for r in rows))
    reps = [_header_only(*s) for s in sigs]
    kept = compatibilize_sample_types(reps)
    scaled = scale_profiles(kept) if len(sigs) > 1 else kept
    of_sig = {s: (k, sc) for s, k, sc in zip(sigs, kept, scaled)}
    first = of_sig[_signature(rows[0])][1]
    names = [t.type for t in first.sample_types]
    scales = _ratios(rows, of_sig, names)
    t = duration = period = 0
    comments: list[str] = []
    default = doc = ""
    for r in rows:  # pprof's combineHeaders, in merge order
        tn = int(r.time_nanos)
        if t == 0 or tn < t:
            t = tn
        duration += int(r.duration_nanos)
        p = _period_in(r, first.period_type.unit) if len(sigs) > 1 else int(r.period)
        if period == 0 or period < p:
            period = p
        for c in r.comments if r.comments is not None else ():
            if c not in comments:
                comments.append(c)
        default = default or of_sig[_signature(r)][0].default_sample_type
        doc = doc or (r.doc_url or "")
    return MergedHeader(first.sample_types, default, first.period_type, period, t, duration, tuple(comments),
                        doc, rows[0].drop_frames or "", rows[0].keep_frames or "", scales)


def _period_in(row, unit: str) -> int:
    if not (row.period_type or row.period_unit) or row.period_unit == unit:
        return int(row.period)
    return int(scale(int(row.period), row.period_unit, unit)[0])


def _ratios(rows, of_sig, names: list[str]):
    """Per profile, the ratio from its unit to the merged unit of each kept type (None if all are 1)."""
    from_unit_ratio = {}
    for s, (kept, scaled) in of_sig.items():
        units = dict(zip(s[0], s[1]))
        from_unit_ratio[s] = [1.0 if units[n] == t.unit else float(scale(1, units[n], t.unit)[0])
                              for n, t in zip(names, scaled.sample_types)]
    if all(r == 1.0 for rs in from_unit_ratio.values() for r in rs):
        return None
    table = {"profile_id": np.array([r.profile_id for r in rows], np.int64)}
    per_row = [from_unit_ratio[_signature(r)] for r in rows]
    for k, n in enumerate(names):
        table[n] = np.array([rs[k] for rs in per_row], np.float64)
    return pd.DataFrame(table)
