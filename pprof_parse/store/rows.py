"""One profile as rows of the store's tables, with content-hashed ids (see :mod:`.schema`).

:class:`SymbolIds` gives each function, mapping, location and stack its id from its
content (pprof's merge keys) and queues the symbol rows not stored yet; two extractors
feed it: :func:`profile_rows` from a decoded
:class:`~pprof_parse.model.data.ProfileData` (any input ``read_profile`` takes) and
:mod:`.fast_rows` for a batch of small profile.proto files decoded together. Both give the
same rows (tested on every workload profile).

Ids are memoised per key for the whole ``add`` (a store's profiles share their symbols),
so a symbol is hashed once per ingest run.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from ..model.data import ProfileData
from .errors import StoreError
from .schema import SAMPLE_KEY_COLUMNS, encode_labels, hash_key

_U64_MASK = (1 << 64) - 1
SYMBOL_TABLES = ("stacks", "locations", "functions", "mappings")


class Header(NamedTuple):
    """The profile fields a ``profiles`` row keeps (named as in ``ProfileData``)."""

    sample_types: tuple
    default_sample_type: str
    time_nanos: int
    duration_nanos: int
    period_type: tuple  # ValueType
    period: int
    comments: tuple
    doc_url: str
    drop_frames: str
    keep_frames: str


def header_of(d: ProfileData) -> Header:
    return Header(d.sample_types, d.default_sample_type, int(d.time_nanos), int(d.duration_nanos), d.period_type,
                  int(d.period), tuple(d.comments), d.doc_url, d.drop_frames, d.keep_frames)


class ProfileRows(NamedTuple):
    """A profile's ``samples`` columns: ``stack_id`` and ``labels``, one value sequence per sample
    type (lists from :func:`profile_rows`; int64 and object numpy arrays from :mod:`.fast_rows`);
    and the id of its first mapping (the main binary, pprof's ``Mapping[0]``; 0 for none)."""

    stack_id: Sequence[int]
    labels: Sequence[str]
    values: dict[str, Sequence[int]]
    main_mapping_id: int = 0


def mapping_size(start: int, limit: int) -> int:
    """pprof's mapKey size: ``limit - start`` rounded up to 4 KiB."""
    size = (limit - start) & _U64_MASK
    return (size + 0xFFF) // 0x1000 * 0x1000


class SymbolIds:
    """Content-hashed ids of symbols, memoised per key, and the symbol rows queued for writing.

    ``known`` holds, per symbol table, the ids the store has already: their rows are not
    queued again.
    """

    def __init__(self, known: dict[str, set[int]] | None = None) -> None:
        known = known or {}
        self.stored = {t: set(known.get(t, ())) for t in SYMBOL_TABLES}
        self.queued: dict[str, list[tuple]] = {t: [] for t in SYMBOL_TABLES}
        self._functions: dict[tuple, int] = {}
        self._mappings: dict[tuple, int] = {}
        self._locations: dict[tuple, int] = {}
        self._stacks: dict[tuple, int] = {}
        self._labels: dict[tuple, str] = {}

    def take_queued(self) -> dict[str, list[tuple]]:
        out, self.queued = self.queued, {t: [] for t in SYMBOL_TABLES}
        return out

    def _new(self, table: str, key: tuple, memo: dict, row) -> int:
        sid = memo[key] = hash_key((table, *key))
        if sid not in self.stored[table]:
            self.stored[table].add(sid)
            self.queued[table].append((sid, *row(key)))
        return sid

    def function_id(self, name: str, system_name: str, filename: str, start_line: int) -> int:
        """pprof's functionKey: (start line, name, system name, file name)."""
        key = (name, system_name, filename, start_line)
        fid = self._functions.get(key)
        return fid if fid is not None else self._new("functions", key, self._functions, lambda k: k)

    def mapping_id(self, start: int, limit: int, offset: int, filename: str, build_id: str, flags: tuple) -> int:
        """pprof's mapKey: (size rounded up to 4 KiB, offset, build id, else file name); the row
        keeps the first file's addresses."""
        size = mapping_size(start, limit)
        key = (size, offset, "b", build_id) if build_id else (size, offset, "f", filename)
        mid = self._mappings.get(key)
        if mid is None:
            mid = self._new("mappings", key, self._mappings,
                            lambda k: (start, limit, offset, filename, build_id, *flags))
        return mid

    def location_id(self, address: int, mapping_id: int, is_folded: bool, lines: tuple) -> int:
        """pprof's locationKey: (address relative to the mapping, mapping, lines, is_folded);
        ``lines`` is ``((function_id, line, column), ...)`` innermost first."""
        key = (address, mapping_id, is_folded, lines)
        lid = self._locations.get(key)
        if lid is None:
            lid = self._new("locations", key, self._locations, lambda k: (
                k[1], k[0], k[2], [{"function_id": f, "line": ln, "column": c} for f, ln, c in k[3]]))
        return lid

    def stack_id(self, location_ids: tuple) -> int:
        """The stack's id: a hash of its location ids, leaf first."""
        sid = self._stacks.get(location_ids)
        if sid is None:
            sid = self._new("stacks", location_ids, self._stacks, lambda k: (list(k),))
        return sid

    def labels(self, string_labels: tuple, numeric_labels: tuple) -> str:
        """A sample's labels encoded (:func:`~.schema.encode_labels`), memoised."""
        key = (string_labels, numeric_labels)
        out = self._labels.get(key)
        if out is None:
            out = self._labels[key] = encode_labels(list(string_labels), list(numeric_labels))
        return out


def value_columns_of(type_names: list[str], source: str) -> list[str]:
    """The samples columns of a profile's sample types (their names).

    Raises
    ------
    StoreError
        A type name repeats, is empty, or takes a key column's name.
    """
    bad = [n for n in type_names if n in SAMPLE_KEY_COLUMNS or not n]
    if bad or len(set(type_names)) != len(type_names):
        raise StoreError(f"{source}: sample types {type_names} cannot be stored as columns (a name repeats, is "
                         f"empty or is one of {list(SAMPLE_KEY_COLUMNS)})")
    return type_names


def sample_rows(stacks: list[int], labels: list[str], values: list[list[int]], names: list[str],
                main_mapping_id: int) -> ProfileRows:
    """The samples rows, all-zero samples left out (pprof's merge drops them); ``values`` per sample."""
    keep = [i for i, v in enumerate(values) if any(v)]
    if len(keep) != len(values):
        stacks, labels, values = [stacks[i] for i in keep], [labels[i] for i in keep], [values[i] for i in keep]
    cols = list(zip(*values)) if values else [() for _ in names]
    return ProfileRows(stacks, labels, {n: list(c) for n, c in zip(names, cols)}, main_mapping_id)


def profile_rows(d: ProfileData, ids: SymbolIds, source: str) -> ProfileRows:
    """The ``samples`` rows of a decoded profile; new symbol rows are queued on ``ids``.

    Raises
    ------
    StoreError
        The sample types cannot be columns (:func:`value_columns_of`).
    """
    names = value_columns_of([t.type for t in d.sample_types], source)
    s = d.strings
    fids = [ids.function_id(s[n], s[sn], s[f], st) for n, sn, f, st in zip(
        d.func_name.tolist(), d.func_system_name.tolist(), d.func_filename.tolist(), d.func_start_line.tolist())]
    flags = d.map_flags.reshape(-1, 4).tolist()
    starts = d.map_start.tolist()
    mids = [ids.mapping_id(a, b, c, s[fn], s[bi], tuple(fl)) for a, b, c, fn, bi, fl in zip(
        starts, d.map_limit.tolist(), d.map_offset.tolist(), d.map_filename.tolist(), d.map_build_id.tolist(), flags)]
    off = d.loc_line_offsets.tolist()
    lf, ll, lc = d.line_function.tolist(), d.line_line.tolist(), d.line_column.tolist()
    lids = []
    for j, (m, a, folded) in enumerate(zip(d.loc_mapping.tolist(), d.loc_address.tolist(), d.loc_is_folded.tolist())):
        lines = tuple((fids[lf[k]], ll[k], lc[k]) for k in range(off[j], off[j + 1]))
        if m >= 0:
            lids.append(ids.location_id((a - starts[m]) & _U64_MASK, mids[m], bool(folded), lines))
        else:
            lids.append(ids.location_id(a, 0, bool(folded), lines))
    so, locs = d.stack_offsets.tolist(), d.stack_locs.tolist()
    stacks = [ids.stack_id(tuple(lids[x] for x in locs[so[i]:so[i + 1]])) for i in range(d.n_samples)]
    return sample_rows(stacks, _labels_of(d, ids), d.values.tolist(), names, mids[0] if mids else 0)


def _labels_of(d: ProfileData, ids: SymbolIds) -> list[str]:
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
    return [ids.labels(tuple(strs.get(i, ())), tuple(nums.get(i, ()))) for i in range(n)]
