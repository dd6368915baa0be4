"""Reduced samples + symbol tables -> one :class:`~pprof_parse.model.data.ProfileData` (engine-independent).

An engine's :func:`aggregate_samples` gives ``(stack_id, labels, value per type)`` summed
over the selected profiles; :class:`SymbolTables` holds the store's ``stacks``,
``locations``, ``functions`` and ``mappings`` as sorted numpy columns; :func:`assemble`
joins them into the merged profile, which every :class:`~pprof_parse.Profile` view then
reads. Rows are numbered in stack order; addresses are rebuilt from the stored
mapping-relative ones (``mapping.start + address``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from gopherlab_common.lazy import LazyModule

from ..model.data import ProfileData
from ..model.strings import StringTable
from .errors import StoreError
from .header import MergedHeader
from .schema import StoreLayout, decode_labels

pq = LazyModule("pyarrow.parquet")
pa = LazyModule("pyarrow")


class _Lists(NamedTuple):
    """A list column as offsets (n + 1, int64) and the flat values."""

    offsets: np.ndarray
    values: object


def _read(layout: StoreLayout, table: str):
    files = layout.table_files(table)
    if not files:
        return None
    try:
        return pa.concat_tables([pq.read_table(f) for f in files])
    except (OSError, pa.ArrowInvalid) as err:
        raise StoreError(f"{layout.root}: reading table {table}: {err}") from None


def _lists(column) -> _Lists:
    arr = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    offsets = np.asarray(arr.offsets, np.int64) - int(arr.offsets[0].as_py()) if len(arr) else np.zeros(1, np.int64)
    return _Lists(offsets, arr.flatten())


def _sorted(ids: np.ndarray):
    order = np.argsort(ids, kind="stable")
    return ids[order], order


class SymbolTables:
    """The store's symbol tables in memory, each sorted by id (read once per store state).

    Raises
    ------
    StoreError
        A table's files do not read.
    """

    def __init__(self, layout: StoreLayout) -> None:
        self._stacks(_read(layout, "stacks"))
        self._locations(_read(layout, "locations"))
        self._functions(_read(layout, "functions"))
        self._mappings(_read(layout, "mappings"))

    def _stacks(self, t) -> None:
        if t is None:
            self.stack_ids, self.stack_offsets, self.stack_locs = np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.int64)
            return
        ids, order = _sorted(t.column("stack_id").to_numpy())
        lists = _lists(t.column("location_ids"))
        self.stack_ids, self.stack_offsets, self.stack_locs = _reorder_lists(ids, order, lists.offsets,
                                                                            lists.values.to_numpy())

    def _locations(self, t) -> None:
        if t is None:
            z = np.zeros(0, np.int64)
            self.loc_ids, self.loc_mapping, self.loc_address, self.loc_folded = z, z, np.zeros(0, np.uint64), np.zeros(0, bool)
            self.loc_line_offsets, self.line_function, self.line_line, self.line_column = np.zeros(1, np.int64), z, z, z
            return
        ids, order = _sorted(t.column("location_id").to_numpy())
        self.loc_ids = ids
        self.loc_mapping = t.column("mapping_id").to_numpy()[order]
        self.loc_address = t.column("address").to_numpy().astype(np.uint64)[order]
        self.loc_folded = t.column("is_folded").to_numpy(zero_copy_only=False)[order]
        lists = _lists(t.column("lines"))
        flat = lists.values
        cols = [flat.field(n).to_numpy(zero_copy_only=False).astype(np.int64) for n in ("function_id", "line", "column")]
        stacked = np.column_stack(cols) if cols[0].size else np.zeros((0, 3), np.int64)
        _, self.loc_line_offsets, lines = _reorder_lists(ids, order, lists.offsets, stacked)
        self.line_function, self.line_line, self.line_column = lines[:, 0], lines[:, 1], lines[:, 2]

    def _functions(self, t) -> None:
        if t is None:
            self.func_ids = np.zeros(0, np.int64)
            self.func_name = self.func_system_name = self.func_filename = np.zeros(0, object)
            self.func_start_line = np.zeros(0, np.int64)
            return
        ids, order = _sorted(t.column("function_id").to_numpy())
        self.func_ids = ids
        obj = lambda c: np.asarray(t.column(c).to_pylist(), object)[order]  # noqa: E731
        self.func_name, self.func_system_name, self.func_filename = obj("name"), obj("system_name"), obj("filename")
        self.func_start_line = t.column("start_line").to_numpy()[order]

    def _mappings(self, t) -> None:
        self.mappings = {}  # mapping id -> row dict (few)
        if t is not None:
            for r in t.to_pylist():
                self.mappings.setdefault(r["mapping_id"], r)


def _reorder_lists(ids, order, offsets, values):
    """A list column's (offsets, values) in ``order``, with ``ids`` already ordered."""
    lengths = np.diff(offsets)[order]
    new_offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    take = np.repeat(offsets[:-1][order], lengths) + (np.arange(int(new_offsets[-1])) - np.repeat(new_offsets[:-1], lengths))
    return ids, new_offsets, values[take]


def _rows_of(sorted_ids: np.ndarray, wanted: np.ndarray, what: str) -> np.ndarray:
    pos = np.searchsorted(sorted_ids, wanted)
    pos = np.minimum(pos, max(sorted_ids.size - 1, 0))
    if wanted.size and (sorted_ids.size == 0 or (sorted_ids[pos] != wanted).any()):
        missing = wanted[(sorted_ids.size == 0) | (sorted_ids[pos] != wanted)] if sorted_ids.size else wanted
        raise StoreError(f"store is missing {what} {int(missing[0])} (and {missing.size - 1} more)")
    return pos


def _gather(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For list rows ``rows``: the flat positions of their items, and the new offsets."""
    lengths = offsets[rows + 1] - offsets[rows]
    new_offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    take = np.repeat(offsets[rows], lengths) + (np.arange(int(new_offsets[-1])) - np.repeat(new_offsets[:-1], lengths))
    return take, new_offsets


def _label_columns(labels, strings: StringTable) -> dict[str, np.ndarray]:
    """ProfileData's label arrays of the samples' encoded label strings."""
    cols = {k: [] for k in ("ls", "lk", "lv", "ns", "nk", "nv", "nu")}
    decoded: dict[str, tuple] = {}
    for i, text in enumerate(labels):
        if not text:
            continue
        got = decoded.get(text)
        if got is None:
            got = decoded[text] = decode_labels(text)
        strs, nums = got
        for k, v in strs:
            cols["ls"].append(i), cols["lk"].append(strings(k)), cols["lv"].append(strings(v))
        for k, v, u in nums:
            cols["ns"].append(i), cols["nk"].append(strings(k)), cols["nv"].append(v), cols["nu"].append(strings(u))
    a = {k: np.asarray(v, np.int64) for k, v in cols.items()}
    return dict(label_sample=a["ls"], label_key=a["lk"], label_str=a["lv"], numlabel_sample=a["ns"],
                numlabel_key=a["nk"], numlabel_num=a["nv"], numlabel_unit=a["nu"])


def assemble(reduced, header: MergedHeader, symbols: SymbolTables) -> ProfileData:
    """The merged profile of reduced samples (an engine's ``aggregate_samples`` with ``by_labels=True``,
    value columns in ``header.sample_types`` order).

    Raises
    ------
    StoreError
        A stack, location, function or mapping the samples reference is not in the store.
    """
    stack_ids = reduced["stack_id"].to_numpy(np.int64)
    labels = reduced["labels"].tolist() if "labels" in reduced else [""] * stack_ids.size
    values = np.column_stack([reduced[t.type].to_numpy(np.int64) for t in header.sample_types]).reshape(
        stack_ids.size, len(header.sample_types))
    srows = _rows_of(symbols.stack_ids, stack_ids, "stack")
    take, stack_offsets = _gather(symbols.stack_offsets, srows)
    loc_ids_used, stack_locs = np.unique(symbols.stack_locs[take], return_inverse=True)
    lrows = _rows_of(symbols.loc_ids, loc_ids_used, "location")
    line_take, loc_line_offsets = _gather(symbols.loc_line_offsets, lrows)
    func_ids_used, line_function = np.unique(symbols.line_function[line_take], return_inverse=True)
    frows = _rows_of(symbols.func_ids, func_ids_used, "function")
    strings = StringTable()
    intern = lambda xs: np.asarray([strings(x) for x in xs], np.int64)  # noqa: E731
    mapping = _mapping_columns(symbols, symbols.loc_mapping[lrows], symbols.loc_address[lrows], intern,
                               header.main_mapping_id)
    nf, nl = frows.size, lrows.size
    return ProfileData(
        strings=strings.strings, sample_types=header.sample_types, default_sample_type=header.default_sample_type,
        values=np.ascontiguousarray(values), stack_offsets=stack_offsets, stack_locs=stack_locs.astype(np.int64),
        **_label_columns(labels, strings),
        loc_id=np.arange(1, nl + 1, dtype=np.uint64), loc_mapping=mapping.pop("loc_mapping"),
        loc_address=mapping.pop("loc_address"), loc_is_folded=symbols.loc_folded[lrows].astype(bool),
        loc_line_offsets=loc_line_offsets, line_function=line_function.astype(np.int64),
        line_line=symbols.line_line[line_take], line_column=symbols.line_column[line_take],
        func_id=np.arange(1, nf + 1, dtype=np.uint64), func_name=intern(symbols.func_name[frows]),
        func_system_name=intern(symbols.func_system_name[frows]), func_filename=intern(symbols.func_filename[frows]),
        func_start_line=symbols.func_start_line[frows].astype(np.int64), **mapping,
        drop_frames=header.drop_frames, keep_frames=header.keep_frames, time_nanos=header.time_nanos,
        duration_nanos=header.duration_nanos, period_type=header.period_type, period=header.period,
        comments=header.comments, doc_url=header.doc_url)


def _mapping_columns(symbols: SymbolTables, loc_mapping_ids: np.ndarray, rel_address: np.ndarray, intern,
                     main: int) -> dict:
    """Mapping arrays of the used mappings (``main`` first when used: pprof's merge keeps the first
    profile's main binary first) and each location's mapping row and absolute address."""
    used = [int(m) for m in dict.fromkeys(loc_mapping_ids.tolist()) if m != 0]
    if main in used:
        used.remove(main)
        used.insert(0, main)
    missing = [m for m in used if m not in symbols.mappings]
    if missing:
        raise StoreError(f"store is missing mapping {missing[0]}")
    rows = [symbols.mappings[m] for m in used]
    row_of = {m: i for i, m in enumerate(used)}
    loc_mapping = np.asarray([row_of.get(int(m), -1) for m in loc_mapping_ids.tolist()], np.int64)
    starts = np.asarray([r["start"] for r in rows], np.uint64)
    address = rel_address.astype(np.uint64).copy()
    has = loc_mapping >= 0
    address[has] = address[has] + starts[loc_mapping[has]]
    u64 = lambda k: np.asarray([r[k] for r in rows], np.uint64)  # noqa: E731
    return dict(loc_mapping=loc_mapping, loc_address=address,
                map_id=np.arange(1, len(rows) + 1, dtype=np.uint64), map_start=starts, map_limit=u64("limit"),
                map_offset=u64("offset"), map_filename=intern([r["filename"] for r in rows]),
                map_build_id=intern([r["build_id"] for r in rows]),
                map_flags=np.asarray([[r["has_functions"], r["has_filenames"], r["has_line_numbers"],
                                       r["has_inline_frames"]] for r in rows], bool).reshape(-1, 4))
