"""A decoded batch of profiles (:mod:`.fast_decode`) as rows of the store's tables.

Each symbol kind of the whole batch is reduced to its distinct values
(:func:`.dedupe.distinct`: functions by their strings and start line, mappings by their
fields, locations by address, mapping and lines, stacks by their locations, label sets
by their labels), then :class:`~.rows.SymbolIds` names each distinct one, in order of
first occurrence (the order a file-by-file walk meets them). The rows equal those
:func:`~.rows.profile_rows` gives for each file's ``ProfileData`` (tested on every
workload profile). One difference: a mangled C++/Rust name (never in Go profiles) is
kept without the reader's warning.
"""

from __future__ import annotations

import numpy as np

from ..read._columns import LocationColumns, SampleColumns
from ..read.demangle import simplify_name
from .dedupe import distinct
from .fast_decode import Batch, File, decode_files, parse_file
from .rows import Header, ProfileRows, SymbolIds

class NameCache:
    """Function names as the reader's default demangling leaves them, per (name, system_name)."""

    def __init__(self) -> None:
        self._out: dict[tuple[str, str], str] = {}

    def final_name(self, name: str, system: str) -> str:
        """The name ``read_profile`` shows (``read.demangle.demangle_names``, default mode)."""
        key = (name, system)
        out = self._out.get(key)
        if out is None:
            out = self._out[key] = name if name and system != name else simplify_name(system, "default")
        return out


#: files decoded together, at most (the decode's temporaries grow with the group, ~0.5 MB an
#: 8.7 KB window: ingest of 2,000 peaked at 376 MB decoding 500 at once, 186 MB with 100, same CPU)
GROUP_FILES = 100
#: and at most this many inflated bytes (the last file may cross it)
GROUP_BYTES = 4 << 20


def batch_rows(raws: list[tuple[str, bytes]], ids: SymbolIds,
               names: NameCache) -> list[tuple[Header, ProfileRows] | None]:
    """The header and samples rows of each ``(source, raw bytes)`` (gzip or plain profile.proto),
    new symbol rows queued on ``ids``; None where the reader must decide (see :mod:`.fast_decode`).

    The files are parsed one by one and decoded in groups of :data:`GROUP_FILES` files or
    :data:`GROUP_BYTES` bytes, in order. ``ProfileRows`` here holds numpy arrays: int64
    stack ids, object labels, int64 values.
    """
    out: list[tuple[Header, ProfileRows] | None] = [None] * len(raws)
    group: list[tuple[int, File]] = []
    size = 0
    for i, (source, raw) in enumerate(raws):
        f = parse_file(raw, source)
        if f is not None:
            group.append((i, f))
            size += f.size
        if group and (i == len(raws) - 1 or len(group) >= GROUP_FILES or size >= GROUP_BYTES):
            _decode_group(group, out, ids, names)
            group, size = [], 0
    return out


def _decode_group(group: list[tuple[int, File]], out: list, ids: SymbolIds, names: NameCache) -> None:
    """Rows of the files of ``group`` (position in ``out``, parsed file) that the batch path takes."""
    taken, batch = decode_files([f for _, f in group])
    if batch is not None:
        for k, rows in zip(taken, _rows(batch, ids, names)):
            out[group[k][0]] = (group[k][1].header, rows)


class _Strings:
    """The batch's strings: ``text[g]`` of global index ``g``; ``of(file, index)`` arrays."""

    def __init__(self, tables: list[list[bytes]]) -> None:
        flat = [s for t in tables for s in t]
        index = {s: i for i, s in enumerate(dict.fromkeys(flat))}  # (C loops over all; Python per distinct)
        self.text = [s.decode() for s in index]  # (UTF-8 checked by fast_decode)
        self.flat = np.fromiter(map(index.__getitem__, flat), np.int64, len(flat))
        sizes = np.fromiter(map(len, tables), np.int64, len(tables))
        self.base = np.cumsum(sizes) - sizes

    def of(self, owner: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Global indices of the strings ``index`` (int64-able) of files ``owner``."""
        return self.flat[self.base[owner] + index.astype(np.int64)]


def _runs(offsets: np.ndarray, items: np.ndarray, rows: np.ndarray) -> list[list]:
    """The item runs of ``rows`` (``items[offsets[r]:offsets[r + 1]]``) as lists of Python values."""
    lengths = offsets[rows + 1] - offsets[rows]
    ends = np.cumsum(lengths)
    take = np.repeat(offsets[rows] - (ends - lengths), lengths) + np.arange(int(ends[-1]) if ends.size else 0)
    flat = items[take].tolist()
    bounds = [0, *ends.tolist()]
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def _rows(b: Batch, ids: SymbolIds, names: NameCache) -> list[ProfileRows]:
    strings = _Strings([f.strings for f in b.files])
    fid = _function_ids(b, strings, ids, names)
    mid, map_start = _mapping_ids(b, strings, ids)
    lid = _location_ids(b, fid, mid, map_start, ids)
    s: SampleColumns = b.sample.cols
    stack = _stack_ids(s, lid[b.resolved.stack_location], ids)
    labels = _label_sets(b, strings, ids)
    return _per_file(b, stack, labels, mid)


def _function_ids(b: Batch, strings: _Strings, ids: SymbolIds, names: NameCache) -> np.ndarray:
    """Each function's id (pprof's functionKey: name as shown, system name, file name, start line)."""
    c, owner = b.function.cols, b.function.owner
    heads = np.column_stack([strings.of(owner, c[:, k]) for k in (1, 2, 3)] + [c[:, 4].view(np.int64)])
    d = distinct(heads)
    t = strings.text
    out = [ids.function_id(names.final_name(t[n], t[sn]), t[sn], t[fn], line)
           for n, sn, fn, line in heads[d.first].tolist()]
    return np.asarray(out, np.int64)[d.inverse] if out else np.zeros(0, np.int64)


def _mapping_ids(b: Batch, strings: _Strings, ids: SymbolIds) -> tuple[np.ndarray, np.ndarray]:
    """Each mapping's id (pprof's mapKey), and its start address (uint64)."""
    c, owner = b.mapping.cols, b.mapping.owner
    heads = np.column_stack([c[:, 1:4].view(np.int64), strings.of(owner, c[:, 4]), strings.of(owner, c[:, 5]),
                             (c[:, 6:10] != 0).astype(np.int64)]) if c.size else np.zeros((0, 9), np.int64)
    d = distinct(heads)
    t = strings.text
    out = [ids.mapping_id(start, limit, offset, t[fn], t[bid], tuple(bool(x) for x in flags))
           for (start, limit, offset), fn, bid, flags in
           zip(c[d.first, 1:4].tolist(), heads[d.first, 3].tolist(), heads[d.first, 4].tolist(),
               heads[d.first, 5:9].tolist())]
    mid = np.asarray(out, np.int64)[d.inverse] if out else np.zeros(0, np.int64)
    return mid, c[:, 1].copy()


def _location_ids(b: Batch, fid: np.ndarray, mid: np.ndarray, map_start: np.ndarray, ids: SymbolIds) -> np.ndarray:
    """Each location's id (pprof's locationKey: address relative to its mapping, mapping, lines,
    is_folded)."""
    loc: LocationColumns = b.location.cols
    m = b.resolved.loc_mapping
    has = m >= 0
    address = loc.address.astype(np.uint64)
    address[has] -= map_start[m[has]]  # (wraps as uint64, as pprof's unsigned arithmetic)
    heads = np.column_stack([address.view(np.int64), np.where(has, mid[np.maximum(m, 0)] if mid.size else 0, 0),
                             loc.is_folded.astype(np.int64)])
    items = np.column_stack([fid[b.resolved.line_function] if fid.size else np.zeros(0, np.int64),
                             loc.line_line, loc.line_column])
    offsets = np.concatenate(([0], np.cumsum(loc.line_counts))).astype(np.int64)
    d = distinct(heads, offsets, items)
    out = [ids.location_id(a & 0xFFFFFFFFFFFFFFFF, mp, bool(folded), tuple(map(tuple, lines)))
           for lines, (a, mp, folded) in zip(_runs(offsets, items, d.first), heads[d.first].tolist())]
    return np.asarray(out, np.int64)[d.inverse] if out else np.zeros(0, np.int64)


def _stack_ids(s: SampleColumns, stack_lids: np.ndarray, ids: SymbolIds) -> np.ndarray:
    """Each sample's stack id (its location ids, leaf first)."""
    offsets = np.concatenate(([0], np.cumsum(s.loc_counts))).astype(np.int64)
    d = distinct(np.zeros((s.loc_counts.size, 0), np.int64), offsets, stack_lids.reshape(-1, 1))
    out = [ids.stack_id(tuple(run)) for run in _runs(offsets, stack_lids, d.first)]
    return np.asarray(out, np.int64)[d.inverse] if out else np.zeros(0, np.int64)


def _label_sets(b: Batch, strings: _Strings, ids: SymbolIds) -> np.ndarray:
    """Each sample's labels encoded (object array of str); pprof drops a label with neither a
    string nor a number."""
    s: SampleColumns = b.sample.cols
    lab = s.labels
    is_str = lab[:, 2] != 0
    keep = is_str | (lab[:, 3] != 0) | (lab[:, 4] != 0)
    owner, lab, is_str = s.label_owner[keep], lab[keep], is_str[keep]
    file = b.sample.owner[owner]
    items = np.column_stack([is_str.astype(np.int64), strings.of(file, lab[:, 1]),
                             np.where(is_str, strings.of(file, lab[:, 2]), lab[:, 3]),
                             np.where(is_str, 0, strings.of(file, lab[:, 4]))])
    n = s.loc_counts.size
    offsets = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=n)))).astype(np.int64)
    d = distinct(np.zeros((n, 0), np.int64), offsets, items)
    t = strings.text
    out = np.empty(d.first.size, object)
    for k, run in enumerate(_runs(offsets, items, d.first)):
        out[k] = ids.labels(tuple((t[key], t[v]) for st, key, v, _ in run if st),
                            tuple((t[key], v, t[u]) for st, key, v, u in run if not st)) if run else ""
    return out[d.inverse]


def _per_file(b: Batch, stack: np.ndarray, labels: np.ndarray, mid: np.ndarray) -> list[ProfileRows]:
    """Each file's samples rows, all-zero samples left out (pprof's merge drops them)."""
    s: SampleColumns = b.sample.cols
    values = s.vals.astype(np.uint64).view(np.int64)
    nonzero = np.concatenate(([0], np.cumsum(values != 0)))
    ends = np.cumsum(s.val_counts)
    keep = nonzero[ends] != nonzero[ends - s.val_counts]
    sample_end, map_end = np.cumsum(b.sample.counts).tolist(), np.cumsum(b.mapping.counts).tolist()
    out, s0, v0 = [], 0, 0
    for f, s1, m1, nm in zip(b.files, sample_end, map_end, b.mapping.counts.tolist()):
        nt = len(f.type_names)
        k = keep[s0:s1]
        vals = values[v0:v0 + (s1 - s0) * nt].reshape(s1 - s0, nt)[k]
        out.append(ProfileRows(stack[s0:s1][k], labels[s0:s1][k], {n: vals[:, j] for j, n in enumerate(f.type_names)},
                               int(mid[m1 - nm]) if nm else 0))
        s0, v0 = s1, v0 + (s1 - s0) * nt
    return out
