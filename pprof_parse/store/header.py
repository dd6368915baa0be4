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
    main_mapping_id: int  # the first profile's first mapping (kept first, as pprof's merge keeps it)
    scales: object  # None when every ratio is 1, else DataFrame(profile_id, one float64 ratio column per type)


_EMPTY = np.zeros(0, np.int64)


def header_only(types, units, default: str, period_type: str, period_unit: str) -> ProfileData:
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


#: the column select_profiles(..., with_signature=True) adds: the header fields pprof's type rules read
SIGNATURE = "_signature"


def _signature_fields(profiles, i: int) -> tuple:
    """Row ``i``'s (sample types, units, default type, period type, period unit)."""
    col = lambda c: profiles.column(c)[i].as_py()  # noqa: E731
    return (tuple(col("sample_types")), tuple(col("sample_units")), col("default_sample_type") or "",
            col("period_type") or "", col("period_unit") or "")


def _earliest_time(times: np.ndarray) -> int:
    """pprof's combineHeaders time: ``if t == 0 || p.TimeNanos < t { t = p.TimeNanos }`` in order:
    the earliest time after the last profile without one (0 when the last has none)."""
    zeros = np.nonzero(times == 0)[0]
    rest = times[zeros[-1] + 1:] if zeros.size else times
    return int(rest.min()) if rest.size else 0


def _first_nonempty(values: list) -> str:
    return next((v for v in values if v), "")


def merged_header(profiles) -> MergedHeader:
    """The header of the merge of ``profiles`` (rows in merge order: a pyarrow Table from
    ``select_profiles(..., with_signature=True)``).

    Raises
    ------
    StoreError
        No profile selected.
    SampleTypeError
        No common sample type, incompatible units or period types (as :func:`pprof_parse.merge`).
    """
    if not profiles.num_rows:
        raise StoreError("no profiles selected")
    sig_of_row = profiles.column(SIGNATURE).to_pylist()
    first_row = {}
    for i, sig in enumerate(sig_of_row):
        first_row.setdefault(sig, i)
    sigs = list(first_row)
    fields = [_signature_fields(profiles, first_row[sg]) for sg in sigs]
    kept = compatibilize_sample_types([header_only(*f) for f in fields])
    scaled = scale_profiles(kept) if len(sigs) > 1 else kept
    first = scaled[0]
    names = [t.type for t in first.sample_types]
    ratios = {sg: _unit_ratios(f, sc, names) for sg, f, sc in zip(sigs, fields, scaled)}
    comments: dict[str, None] = {}
    for cs in profiles.column("comments").to_pylist() if _any_comments(profiles) else ():
        comments.update(dict.fromkeys(cs or ()))
    return MergedHeader(
        first.sample_types, _first_nonempty([k.default_sample_type for k in kept]), first.period_type,
        _largest_period(profiles, sig_of_row, first.period_type.unit, len(sigs) > 1),
        _earliest_time(np.asarray(profiles.column("time_nanos"), np.int64)),
        int(np.asarray(profiles.column("duration_nanos"), np.int64).sum()), tuple(comments),
        _first_nonempty(profiles.column("doc_url").to_pylist()), profiles.column("drop_frames")[0].as_py() or "",
        profiles.column("keep_frames")[0].as_py() or "", int(profiles.column("main_mapping_id")[0].as_py() or 0),
        _scales(profiles, sig_of_row, ratios, names))


def _any_comments(profiles) -> bool:
    lengths = profiles.column("comments").combine_chunks().value_lengths().fill_null(0)
    return int(np.asarray(lengths).sum()) > 0


def _largest_period(profiles, sig_of_row: list, unit: str, convert: bool) -> int:
    periods = np.asarray(profiles.column("period"), np.int64)
    if convert:
        punits = profiles.column("period_unit").to_pylist()
        ptypes = profiles.column("period_type").to_pylist()
        periods = np.array([_period_in(int(p), t, u, unit) for p, t, u in zip(periods.tolist(), ptypes, punits)],
                           np.int64)
    return int(periods.max()) if periods.size else 0


def _period_in(period: int, ptype: str, punit: str, unit: str) -> int:
    if not (ptype or punit) or punit == unit:
        return period
    return int(scale(period, punit, unit)[0])


def _unit_ratios(fields: tuple, scaled: ProfileData, names: list[str]) -> list[float]:
    """The ratio from a header's own unit to the merged unit, per kept type."""
    units = dict(zip(fields[0], fields[1]))
    return [1.0 if units[n] == t.unit else float(scale(1, units[n], t.unit)[0])
            for n, t in zip(names, scaled.sample_types)]


def _scales(profiles, sig_of_row: list, ratios: dict, names: list[str]):
    """Per profile, the ratios of its values to the merged units (None if all are 1)."""
    if all(r == 1.0 for rs in ratios.values() for r in rs):
        return None
    per_row = [ratios[sg] for sg in sig_of_row]
    table = {"profile_id": np.asarray(profiles.column("profile_id"), np.int64)}
    for k, n in enumerate(names):
        table[n] = np.array([rs[k] for rs in per_row], np.float64)
    return pd.DataFrame(table)
