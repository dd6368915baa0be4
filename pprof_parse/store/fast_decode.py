"""A batch of small, well-formed profile.proto files decoded together; the rest goes to the reader.

``read_profile`` is built for large profiles (bounds against hostile input, threads): on
a 7 KB CPU window it spends ~20 ms in set-up, and even a per-file decode pays Python's
per-object cost for each of the window's ~1,000 messages. A store ingests thousands of
such windows, so :func:`decode_files` decodes a batch of them at once: upb splits each
file's top level (``ProfileRaw``: the repeated messages stay bytes), then the functions,
mappings, locations and samples of all files are concatenated kind by kind and decoded
by the reader's column decoders (:mod:`pprof_parse.read._columns`) in one pass each, and
every reference is resolved within its file. :mod:`.fast_rows` turns the result into rows.

A file is left out -- the caller uses the reader, which raises the typed error or
handles the case -- for anything this path does not take: not gzip-or-raw proto, over
:data:`MAX_BYTES` once inflated, text or legacy forms, a parse error (a broken nested
message too: that file is set aside and the batch decoded again without it), strings
that are not UTF-8, a string table that is not exactly pprof's (``""`` first, no repeats:
two concatenated profiles repeat ``""``), any id or reference the reader's ``CheckValid``
rules refuse or warn about, sample types that cannot be columns, ``drop_frames``
(pruning). Every file is checked before an id is made, so a file left out queues no row.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from google.protobuf.message import DecodeError

from ..errors import PprofParseError
from ..model.data import ValueType
from ..proto import profile_pb2 as pb
from ..proto.wire import WireError
from ..read._columns import LocationColumns, SampleColumns, decode_locations, decode_samples, decode_scalars
from ..read.source import inflate
from .rows import Header, value_columns_of

#: larger inflated profiles go to the reader (its bounds and chunked decode pay off there)
MAX_BYTES = 1 << 20
_KINDS = ("function", "mapping", "location", "sample")


class File(NamedTuple):
    """One file's top level: its header, value column names, strings (UTF-8) and raw repeated messages."""

    size: int  # bytes, inflated
    header: Header
    type_names: list[str]
    strings: list[bytes]
    function: list[bytes]
    mapping: list[bytes]
    location: list[bytes]
    sample: list[bytes]


def parse_file(raw: bytes, source: str) -> File | None:
    """upb's split of ``raw``'s top level (gzip or plain), header fields resolved; None for what the
    reader must decide (see the module docstring)."""
    if not raw or len(raw) > MAX_BYTES:
        return None
    try:
        data = inflate(raw, source=source, max_inflated_bytes=MAX_BYTES)
        msg = pb.ProfileRaw.FromString(data)
        strings = list(msg.string_table)
        b"\0".join(strings).decode()  # (each one strict UTF-8, as upb's string fields; the reader replaces and warns)
    except (PprofParseError, ValueError, DecodeError, RuntimeError):  # (UnicodeDecodeError is a ValueError)
        return None
    if (not strings or strings[0] != b"" or len(set(strings)) != len(strings) or msg.drop_frames
            or len(msg.time_nanos) > 1):
        return None
    header = _header(msg, strings)
    if header is None:
        return None
    try:
        type_names = value_columns_of([t.type for t in header.sample_types], source)
    except PprofParseError:  # (StoreError: the reader path raises it)
        return None
    return File(len(data), header, type_names, strings, list(msg.function), list(msg.mapping), list(msg.location),
                 list(msg.sample))


def _header(msg, strings: list[bytes]) -> Header | None:
    n = len(strings)
    idx = [msg.default_sample_type, msg.keep_frames, msg.period_type.type, msg.period_type.unit, msg.doc_url,
           *msg.comment, *(x for st in msg.sample_type for x in (st.type, st.unit))]
    if not all(0 <= i < n for i in idx):
        return None
    s = {i: strings[i].decode() for i in idx}
    return Header(tuple(ValueType(s[st.type], s[st.unit]) for st in msg.sample_type), s[msg.default_sample_type],
                  int(msg.time_nanos[0]) if len(msg.time_nanos) else 0, int(msg.duration_nanos),
                  ValueType(s[msg.period_type.type], s[msg.period_type.unit]), int(msg.period),
                  tuple(s[c] for c in msg.comment), s[msg.doc_url], "", s[msg.keep_frames])


def decode_files(files: list[File]) -> tuple[list[int], "Batch | None"]:
    """The files this path takes (their indices in ``files``, parsed by :func:`parse_file`) and
    their decoded, checked and resolved columns (None when it takes none).

    Raises nothing for a bad file: it is left out of the indices (the reader then decides)."""
    taken = list(range(len(files)))
    while taken:
        got = _decode([files[i] for i in taken])
        if isinstance(got, Batch):
            got = _check(got)
        if isinstance(got, Batch):
            return taken, got
        taken = [i for k, i in enumerate(taken) if k not in got]  # (rare: decode the others again)
    return [], None


class Kind(NamedTuple):
    """One kind of message of a batch: decoded columns, owner file of each message, count per file."""

    cols: object
    owner: np.ndarray
    counts: np.ndarray


class Resolved(NamedTuple):
    """Row (in the batch's columns) of each reference: line -> function, location -> mapping
    (-1: none), sample stack entry -> location."""

    line_function: np.ndarray
    loc_mapping: np.ndarray
    stack_location: np.ndarray


class Batch(NamedTuple):
    """A batch's files and their messages' columns, concatenated kind by kind in file order."""

    files: list[File]
    function: Kind  # (n, 5) uint64: id, name, system_name, filename, start_line
    mapping: Kind  # (n, 10) uint64: id, start, limit, offset, filename, build_id, four has_* flags
    location: Kind  # LocationColumns
    sample: Kind  # SampleColumns
    resolved: Resolved | None = None


def _decode(files: list[File]) -> Batch | set[int]:
    """Each kind's messages of all files decoded in one pass; or the file (index in ``files``)
    holding a message that does not decode."""
    decoders = {"function": lambda *r: decode_scalars(*r, (1, 2, 3, 4, 5)),
                "mapping": lambda *r: decode_scalars(*r, range(1, 11)),
                "location": decode_locations, "sample": decode_samples}
    kinds = {}
    for kind in _KINDS:
        parts = [m for f in files for m in getattr(f, kind)]
        counts = np.fromiter((len(getattr(f, kind)) for f in files), np.int64, len(files))
        owner = np.repeat(np.arange(len(files)), counts)
        lens = np.fromiter(map(len, parts), np.int64, len(parts))
        try:
            cols = decoders[kind](np.frombuffer(b"".join(parts), np.uint8), np.cumsum(lens) - lens, lens)
        except WireError as err:
            return {int(owner[err.index])}
        kinds[kind] = Kind(cols, owner, counts)
    return Batch(files, **kinds)


def _check(b: Batch) -> set[int] | Batch:
    """The files (indices in ``b.files``) breaking a rule the reader would report or warn about;
    or, when there are none, ``b`` with its references resolved."""
    nstr = np.fromiter((len(f.strings) for f in b.files), np.int64, len(b.files))
    nt = np.fromiter((len(f.type_names) for f in b.files), np.int64, len(b.files))
    s: SampleColumns = b.sample.cols
    label_file = b.sample.owner[s.label_owner]
    bad = set(_strings_out_of_range(b.function.cols[:, 1:4], b.function.owner, nstr))
    bad.update(_strings_out_of_range(b.mapping.cols[:, 4:6], b.mapping.owner, nstr))
    bad.update(_strings_out_of_range(s.labels[:, [1, 2, 4]], label_file, nstr))
    bad.update(b.sample.owner[s.val_counts != nt[b.sample.owner]].tolist())
    bad.update(np.flatnonzero((b.sample.counts > 0) & (nt == 0)).tolist())
    resolved, unresolved = _resolve(b)
    bad.update(unresolved)
    return bad or b._replace(resolved=resolved)


def _strings_out_of_range(idx: np.ndarray, owner: np.ndarray, nstr: np.ndarray) -> list[int]:
    """Files of the rows of ``idx`` (string indices, one row per message) holding an index outside
    their file's string table."""
    v = idx.astype(np.uint64).view(np.int64)
    return owner[((v < 0) | (v >= nstr[owner][:, None])).any(axis=1)].tolist()


def _resolve(b: Batch) -> tuple[Resolved, set[int]]:
    """Every reference resolved within its file, and the files with an id 0, a repeated id or a
    reference to an id they do not define (a location's unknown mapping too: the reader warns)."""
    loc: LocationColumns = b.location.cols
    s: SampleColumns = b.sample.cols
    line_owner = np.repeat(b.location.owner, loc.line_counts)
    stack_owner = np.repeat(b.sample.owner, s.loc_counts)
    fn_rows, bad = _lookup(b.function.owner, b.function.cols[:, 0], line_owner, loc.line_function_id)
    map_rows, bad_m = _lookup(b.mapping.owner, b.mapping.cols[:, 0], b.location.owner, loc.mapping_id)
    loc_rows, bad_l = _lookup(b.location.owner, loc.id, stack_owner, s.locs)
    bad |= bad_m | bad_l
    bad.update(line_owner[fn_rows < 0].tolist())
    bad.update(b.location.owner[(map_rows < 0) & (loc.mapping_id != 0)].tolist())
    bad.update(stack_owner[loc_rows < 0].tolist())
    return Resolved(fn_rows, map_rows, loc_rows), bad


def _lookup(def_owner: np.ndarray, def_ids: np.ndarray, ref_owner: np.ndarray,
            ref_ids: np.ndarray) -> tuple[np.ndarray, set[int]]:
    """Row of each reference among the definitions of the same file (-1: undefined), and the
    files whose definitions hold an id 0 or an id twice (pprof's ``CheckValid``)."""
    def_ids, ref_ids = def_ids.astype(np.uint64), ref_ids.astype(np.uint64)
    dk, rk = _file_keys(def_owner, def_ids, ref_owner, ref_ids)
    order = np.argsort(dk, kind="stable")
    sk = dk[order]
    bad = set(def_owner[order[1:][sk[1:] == sk[:-1]]].tolist()) | set(def_owner[def_ids == 0].tolist())
    if not sk.size:
        return np.full(rk.size, -1, np.int64), bad
    pos = np.minimum(np.searchsorted(sk, rk), sk.size - 1)
    return np.where(sk[pos] == rk, order[pos], -1), bad


def _file_keys(def_owner: np.ndarray, def_ids: np.ndarray, ref_owner: np.ndarray,
               ref_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One uint64 key per (file, id): ``file << 40 | id`` when ids are below 2**40 (Go numbers
    them 1..n), else ``file * m + rank of the id`` among the ``m`` distinct ids."""
    top = max(int(def_ids.max(initial=0)), int(ref_ids.max(initial=0)))
    if top < 1 << 40:
        shift = np.uint64(40)
        return (def_owner.astype(np.uint64) << shift) | def_ids, (ref_owner.astype(np.uint64) << shift) | ref_ids
    uniq, inv = np.unique(np.concatenate((def_ids, ref_ids)), return_inverse=True)
    key = np.concatenate((def_owner, ref_owner)).astype(np.uint64) * np.uint64(uniq.size)
    key += inv.reshape(-1).astype(np.uint64)
    return key[:def_ids.size], key[def_ids.size:]
