"""Rows of small, well-formed profile.proto files straight from upb's message; the rest goes to the reader.

``read_profile`` is built for large profiles (chunked numpy decoding, threads, bounds
against hostile input): on a 9 KB CPU window it spends ~20 ms in set-up. A store ingests
thousands of such windows, so :func:`message_rows` reads them with upb's message objects
in one pass and gives the rows :func:`~.rows.profile_rows` gives for the reader's
``ProfileData`` (names demangled as the reader's default does). It answers ``None`` --
and the caller uses the reader, which raises the typed error or handles the case -- for
anything it does not take: not gzip-or-raw proto, over :data:`MAX_BYTES` once inflated,
text or legacy forms, a parse error, a string table that is not exactly pprof's (``""``
first, no repeats: two concatenated profiles repeat ``""``), any id or reference the
reader's ``CheckValid`` rules refuse or warn about, ``drop_frames`` (pruning). One
difference: a mangled C++/Rust name (never in Go profiles) is kept without the reader's
warning. Everything is checked before an id is made, so a deferred file queues no row.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from ..model.data import ValueType
from ..proto import profile_pb2 as pb
from ..read.demangle import simplify_name
from ..read.source import inflate
from .rows import Header, ProfileRows, SymbolIds, sample_rows, value_columns_of

#: larger inflated profiles go to the reader (its bounds and chunked decode pay off there)
MAX_BYTES = 1 << 20
_U64_MASK = (1 << 64) - 1


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


def _parse(raw: bytes, source: str):
    if not raw or len(raw) > MAX_BYTES:
        return None
    try:
        return pb.Profile.FromString(inflate(raw, source=source, max_inflated_bytes=MAX_BYTES))
    except (ValueError, DecodeError, RuntimeError):  # (the reader decides, and raises its typed error)
        return None


def _strings(msg) -> list[str] | None:
    strings = list(msg.string_table)
    if not strings or strings[0] != "" or len(set(strings)) != len(strings) or msg.drop_frames:
        return None
    return strings


def _indices_ok(indices, n: int) -> bool:
    return all(0 <= i < n for i in indices)


def message_rows(raw: bytes, source: str, ids: SymbolIds, names: NameCache) -> tuple[Header, ProfileRows] | None:
    """The header and samples rows of ``raw`` (gzip or plain profile.proto), symbol rows queued
    on ``ids``; None when the reader must decide (see the module docstring).

    Raises
    ------
    StoreError
        The sample types cannot be columns (as :func:`~.rows.profile_rows`).
    """
    msg = _parse(raw, source)
    strings = _strings(msg) if msg is not None else None
    if strings is None:
        return None
    header = _header(msg, strings)
    functions = _functions(msg, strings, names)
    mappings = _mappings(msg, strings)
    locations = _locations(msg, functions, mappings) if functions is not None and mappings is not None else None
    samples = _samples(msg, strings, locations, len(header.sample_types)) if locations is not None else None
    if header is None or samples is None:
        return None
    type_names = value_columns_of([t.type for t in header.sample_types], source)
    return header, _rows(ids, functions, mappings, locations, samples, type_names)


def _header(msg, strings: list[str]) -> Header | None:
    n = len(strings)
    idx = [msg.default_sample_type, msg.keep_frames, msg.period_type.type, msg.period_type.unit, msg.doc_url,
           *msg.comment, *(x for st in msg.sample_type for x in (st.type, st.unit))]
    if not _indices_ok(idx, n):
        return None
    s = strings
    return Header(tuple(ValueType(s[st.type], s[st.unit]) for st in msg.sample_type), s[msg.default_sample_type],
                  int(msg.time_nanos), int(msg.duration_nanos),
                  ValueType(s[msg.period_type.type], s[msg.period_type.unit]), int(msg.period),
                  tuple(s[c] for c in msg.comment), s[msg.doc_url], "", s[msg.keep_frames])


def _functions(msg, strings: list[str], names: NameCache) -> dict | None:
    """Function id -> (name as shown, system name, file name, start line)."""
    n = len(strings)
    out = {}
    final_name = names.final_name
    for f in msg.function:
        name, system, filename = f.name, f.system_name, f.filename
        if not (0 <= name < n and 0 <= system < n and 0 <= filename < n) or f.id == 0:
            return None
        out[f.id] = (final_name(strings[name], strings[system]), strings[system], strings[filename], f.start_line)
    return out if len(out) == len(msg.function) else None


def _mappings(msg, strings: list[str]) -> dict | None:
    """Mapping id -> (start, limit, offset, file name, build id, flags)."""
    n = len(strings)
    out = {}
    for m in msg.mapping:
        if not (0 <= m.filename < n and 0 <= m.build_id < n) or m.id == 0:
            return None
        out[m.id] = (m.memory_start, m.memory_limit, m.file_offset, strings[m.filename], strings[m.build_id],
                     (m.has_functions, m.has_filenames, m.has_line_numbers, m.has_inline_frames))
    return out if len(out) == len(msg.mapping) else None


def _locations(msg, functions: dict, mappings: dict) -> dict | None:
    """Location id -> (mapping id or 0, address, is_folded, ((function id, line, column), ...))."""
    out = {loc.id: (loc.mapping_id, loc.address, loc.is_folded,
                    tuple([(ln.function_id, ln.line, ln.column) for ln in loc.line])) for loc in msg.location}
    if len(out) != len(msg.location) or 0 in out:
        return None
    used_functions = {f for v in out.values() for f, _, _ in v[3]}
    used_mappings = {v[0] for v in out.values()} - {0}
    if not (used_functions <= functions.keys() and used_mappings <= mappings.keys()):
        return None
    return out


def _samples(msg, strings: list[str], locations: dict, n_types: int) -> list | None:
    """Per sample: (location ids, values, string labels, numeric labels)."""
    n = len(strings)
    if len(msg.sample) and not n_types:
        return None
    out = []
    for smp in msg.sample:
        values = list(smp.value)
        if len(values) != n_types:
            return None
        strs, nums = [], []
        for lb in smp.label:
            if not (0 <= lb.key < n and 0 <= lb.str < n and 0 <= lb.num_unit < n):
                return None
            if lb.str:
                strs.append((strings[lb.key], strings[lb.str]))
            elif lb.num or lb.num_unit:  # (pprof drops labels with neither)
                nums.append((strings[lb.key], lb.num, strings[lb.num_unit]))
        out.append((tuple(smp.location_id), values, tuple(strs), tuple(nums)))
    if not {x for locs, _, _, _ in out for x in locs} <= locations.keys():
        return None
    return out


def _rows(ids: SymbolIds, functions: dict, mappings: dict, locations: dict, samples: list,
          type_names: list[str]) -> ProfileRows:
    """Ids for every symbol (new rows queued) and the samples rows."""
    function_id, location_id, stack_id = ids.function_id, ids.location_id, ids.stack_id
    fid = {k: function_id(*v) for k, v in functions.items()}
    mid = {k: ids.mapping_id(*v) for k, v in mappings.items()}
    lid = {}
    for k, (m, address, folded, lines) in locations.items():
        lines = tuple([(fid[f], ln, c) for f, ln, c in lines])
        if m:
            lid[k] = location_id((address - mappings[m][0]) & _U64_MASK, mid[m], bool(folded), lines)
        else:
            lid[k] = location_id(address, 0, bool(folded), lines)
    stacks = [stack_id(tuple([lid[x] for x in locs])) for locs, _, _, _ in samples]
    labels = [ids.labels(strs, nums) if strs or nums else "" for _, _, strs, nums in samples]
    main = mid[next(iter(mappings))] if mappings else 0  # (dicts keep the message's order)
    return sample_rows(stacks, labels, [v for _, v, _, _ in samples], type_names, main)
