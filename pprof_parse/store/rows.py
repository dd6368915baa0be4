"""One decoded profile as rows of the store's tables (content-hashed ids; see :mod:`.schema`).

:func:`profile_rows` turns a :class:`~pprof_parse.model.data.ProfileData` (as
``read_profile`` holds it: demangled, pruned) into its ``samples`` columns and the
symbol rows it references; :class:`SymbolIds` remembers the ids already stored or
queued, so a symbol row is made once per store.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..model.data import ProfileData
from .errors import StoreError
from .schema import SAMPLE_KEY_COLUMNS, as_id, combine_parts, encode_labels, hash_sequences, hash_strings

_U64_MASK = (1 << 64) - 1


class SymbolIds:
    """The ids of every symbol row stored or queued for writing, per table, plus the
    rows queued (plain Python lists of tuples, flushed by the writer)."""

    def __init__(self, known: dict[str, set[int]] | None = None) -> None:
        known = known or {}
        self.seen = {t: set(known.get(t, ())) for t in ("stacks", "locations", "functions", "mappings")}
        self.queued: dict[str, list[tuple]] = {t: [] for t in self.seen}
        self._function_id_of: dict[tuple, int] = {}  # (name, system_name, filename, start_line) -> id

    def take_queued(self) -> dict[str, list[tuple]]:
        out, self.queued = self.queued, {t: [] for t in self.seen}
        return out

    def function_id(self, key: tuple) -> int:
        fid = self._function_id_of.get(key)
        if fid is None:
            fid = self._function_id_of[key] = hash_strings(("f", *key))
        return fid

    def queue_new(self, table: str, ids: np.ndarray, row_of) -> None:
        """Queue ``row_of(i)`` for each position ``i`` whose id is not seen yet."""
        seen, rows = self.seen[table], self.queued[table]
        for i, x in enumerate(ids.tolist()):
            if x not in seen:
                seen.add(x)
                rows.append(row_of(i))


class ProfileRows(NamedTuple):
    """A profile's ``samples`` columns (``stack_id``, ``labels``, one int64 array per sample type)."""

    stack_id: np.ndarray
    labels: list[str]
    values: dict[str, np.ndarray]


def _function_ids(d: ProfileData, ids: SymbolIds) -> np.ndarray:
    s = d.strings
    out = np.empty(d.func_id.size, np.int64)
    for j, (n, sn, f, st) in enumerate(zip(d.func_name.tolist(), d.func_system_name.tolist(),
                                           d.func_filename.tolist(), d.func_start_line.tolist())):
        key = (s[n], s[sn], s[f], st)
        out[j] = ids.function_id(key)
    ids.queue_new("functions", out, lambda j: (int(out[j]), s[d.func_name[j]], s[d.func_system_name[j]],
                                               s[d.func_filename[j]], int(d.func_start_line[j])))
    return out


def _mapping_ids(d: ProfileData, ids: SymbolIds) -> np.ndarray:
    """pprof's mapKey: (size rounded up to 4 KiB, offset, build id, else file name)."""
    s = d.strings
    out = np.empty(d.map_id.size, np.int64)
    for j in range(d.map_id.size):
        size = (int(d.map_limit[j]) - int(d.map_start[j])) & _U64_MASK
        size = (size + 0xFFF) // 0x1000 * 0x1000
        build_id, filename = s[d.map_build_id[j]], s[d.map_filename[j]]
        out[j] = hash_strings(("m", size, int(d.map_offset[j]), "b", build_id) if build_id
                              else ("m", size, int(d.map_offset[j]), "f", filename))
    flags = d.map_flags.reshape(-1, 4)
    ids.queue_new("mappings", out, lambda j: (int(out[j]), int(d.map_start[j]), int(d.map_limit[j]),
                                              int(d.map_offset[j]), s[d.map_filename[j]], s[d.map_build_id[j]],
                                              *(bool(x) for x in flags[j])))
    return out


def _location_ids(d: ProfileData, function_ids: np.ndarray, mapping_ids: np.ndarray,
                  ids: SymbolIds) -> tuple[np.ndarray, np.ndarray]:
    """pprof's locationKey, hashed: (address relative to the mapping, mapping, is_folded, lines).
    Returns (location ids, stored addresses)."""
    has_map = d.loc_mapping >= 0
    mrow = np.where(has_map, d.loc_mapping, 0)
    starts = d.map_start[mrow] if d.map_start.size else np.zeros(d.loc_id.size, np.uint64)
    address = np.where(has_map, d.loc_address.astype(np.uint64) - starts.astype(np.uint64),
                       d.loc_address.astype(np.uint64))
    mapping = np.where(has_map, mapping_ids[mrow] if mapping_ids.size else 0, 0).astype(np.int64)
    line_hash = combine_parts(function_ids[d.line_function] if d.line_function.size else np.zeros(0, np.int64),
                              d.line_line, d.line_column)
    lines_of_loc = hash_sequences(line_hash, d.loc_line_offsets)
    loc = as_id(combine_parts(address, mapping, d.loc_is_folded.astype(np.uint64), lines_of_loc))
    off = d.loc_line_offsets

    def row(j: int) -> tuple:
        lines = [{"function_id": int(function_ids[d.line_function[k]]), "line": int(d.line_line[k]),
                  "column": int(d.line_column[k])} for k in range(off[j], off[j + 1])]
        return int(loc[j]), int(mapping[j]), int(address[j]), bool(d.loc_is_folded[j]), lines

    ids.queue_new("locations", loc, row)
    return loc, address


def _stack_ids(d: ProfileData, location_ids: np.ndarray, ids: SymbolIds) -> np.ndarray:
    locs = location_ids[d.stack_locs] if d.stack_locs.size else np.zeros(0, np.int64)
    stack = as_id(hash_sequences(locs, d.stack_offsets))
    off = d.stack_offsets
    ids.queue_new("stacks", stack, lambda i: (int(stack[i]), locs[off[i]:off[i + 1]].tolist()))
    return stack


def _sample_labels(d: ProfileData) -> list[str]:
    """Each sample's pprof labels, encoded (:func:`~.schema.encode_labels`)."""
    n = d.n_samples
    if not d.label_sample.size and not d.numlabel_sample.size:
        return [""] * n
    s = d.strings
    strs: dict[int, list] = {}
    for i, k, v in zip(d.label_sample.tolist(), d.label_key.tolist(), d.label_str.tolist()):
        strs.setdefault(i, []).append((s[k], s[v]))
    nums: dict[int, list] = {}
    for i, k, v, u in zip(d.numlabel_sample.tolist(), d.numlabel_key.tolist(), d.numlabel_num.tolist(),
                          d.numlabel_unit.tolist()):
        nums.setdefault(i, []).append((s[k], int(v), s[u]))
    return [encode_labels(strs.get(i, []), nums.get(i, [])) for i in range(n)]


def value_columns_of(d: ProfileData, source: str) -> list[str]:
    """The samples columns of a profile's types (their names).

    Raises
    ------
    StoreError
        A type name repeats or takes a key column's name.
    """
    names = [t.type for t in d.sample_types]
    bad = [n for n in names if n in SAMPLE_KEY_COLUMNS or not n]
    if bad or len(set(names)) != len(names):
        raise StoreError(f"{source}: sample types {names} cannot be stored as columns (a name repeats, is empty "
                         f"or is one of {list(SAMPLE_KEY_COLUMNS)})")
    return names


def profile_rows(d: ProfileData, ids: SymbolIds, source: str) -> ProfileRows:
    """The ``samples`` columns of one profile; new symbol rows are queued on ``ids``.

    Samples whose values are all zero are left out (pprof's merge drops them).

    Raises
    ------
    StoreError
        The sample types cannot be columns (:func:`value_columns_of`).
    """
    names = value_columns_of(d, source)
    function_ids = _function_ids(d, ids)
    mapping_ids = _mapping_ids(d, ids)
    location_ids, _ = _location_ids(d, function_ids, mapping_ids, ids)
    stack = _stack_ids(d, location_ids, ids)
    labels = _sample_labels(d)
    nonzero = (d.values != 0).any(axis=1) if d.n_samples else np.zeros(0, bool)
    if not nonzero.all():
        keep = np.nonzero(nonzero)[0]
        stack = stack[keep]
        labels = [labels[i] for i in keep.tolist()]
        values = d.values[keep]
    else:
        values = d.values
    return ProfileRows(stack, labels, {n: np.ascontiguousarray(values[:, k], np.int64) for k, n in enumerate(names)})
