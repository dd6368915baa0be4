"""Decode profile.proto bytes into :class:`~pprof_parse.model.data.ProfileData`.

The top-level message is parsed by the ``protobuf`` package (upb backend)
with samples kept as raw bytes; samples are then decoded column-wise by
:mod:`._wire`. Fields may arrive in any order (Go writes mappings and the
string table last), so everything is decoded first and resolved after,
as pprof's ``postDecode`` does. Validation follows pprof's ``CheckValid``.
"""

from __future__ import annotations


import numpy as np
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from ..errors import ConcatenatedProfileError, InputLimitError, InvalidProfileError, ProfileFormatError, warn
from ..model.data import ProfileData, ValueType
from ..proto import profile_pb2 as pb
from ..proto.wire import (FIXED_SIZE, LEN, VARINT, WIRE_TYPES, VarintError, WireError, encode_varints, read_varint, tag,
                          varint_size)
from ._columns import decode_locations, decode_samples, decode_scalars


_TOP_NAMES = {1: "sample_type", 2: "sample", 3: "mapping", 4: "location", 5: "function", 6: "string_table",
              11: "period_type", 13: "comment"}


class _TopLevelError(Exception):
    def __init__(self, start: int, what: str):
        super().__init__(what)
        self.start, self.what = start, what


def _top_level_fields(data: bytes):
    """Yield ``(start, field, wire_type, end)`` of each top-level field, walking in pure Python.

    For the error paths and for finding the first sample (a few fields in):
    raises :class:`_TopLevelError` naming the byte where the encoding breaks.
    Lengths are Python ints (never cast), checked against the bytes left.
    """
    pos, n = 0, len(data)
    while pos < n:
        start = pos
        try:
            key, pos = read_varint(data, pos)
            field, wt = key >> 3, key & 7
            if field == 0 or wt not in WIRE_TYPES:
                raise _TopLevelError(start, f"invalid field number {field} / wire type {wt}")
            if wt == VARINT:
                _, pos = read_varint(data, pos)
            elif wt == LEN:
                ln, pos = read_varint(data, pos)
                if ln > n - pos:
                    raise _TopLevelError(start, f"field {_TOP_NAMES.get(field, field)} (length {ln}) runs past the end of the data")
                pos += ln
            else:
                pos += FIXED_SIZE[wt]
        except VarintError as e:
            raise _TopLevelError(start, str(e)) from None
        if pos > n:
            raise _TopLevelError(start, f"field {_TOP_NAMES.get(field, field)} truncated")
        yield start, field, wt, pos


def _locate_top_level_error(data: bytes) -> tuple[int, str]:
    """Where and why decoding breaks at the top level (error path only)."""
    try:
        for _ in _top_level_fields(data):
            pass
    except _TopLevelError as e:
        return e.start, e.what
    return len(data), "malformed nested message"


def _last_field_start(data: bytes) -> int:
    """Byte offset where the last top-level field starts (error path only)."""
    last = 0
    try:
        for last, *_ in _top_level_fields(data):
            pass
    except _TopLevelError as e:
        last = e.start
    return last


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _str(strings: list[str], idx: int, what: str) -> str:
    if idx < 0 or idx >= len(strings):
        raise InvalidProfileError(f"malformed profile: {what} refers to string index {idx}, but the string table has {len(strings)} entries")
    return strings[idx]


def _check_ids(ids: np.ndarray, noun: str, id_word: str = "id") -> None:
    if ids.size == 0:
        return
    if (ids == 0).any():
        raise InvalidProfileError(f"found {noun} with reserved {id_word}=0")
    s = np.sort(ids)
    dup = s[1:] == s[:-1]
    if dup.any():
        raise InvalidProfileError(f"multiple {noun}s with same id: {int(s[1:][dup][0])}")


def _index_of(ids: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Row index of each referenced id, -1 where the id is unknown (ids are unique)."""
    return _resolver(ids)(refs)


def _resolver(ids: np.ndarray):
    """A function mapping ids to row indices (-1 where unknown); ids are unique."""
    rt = np.int32 if ids.size < 2**31 else np.int64
    if ids.size == 0:
        return lambda refs: np.full(refs.shape, -1, rt)
    top = int(ids.max())
    n = ids.size
    if _ids_are_rows(ids):
        # ids are 1..n in order (the runtime and pprof number them so): row = id - 1

        def identity(refs: np.ndarray) -> np.ndarray:
            rows = np.subtract(refs, 1, dtype=rt, casting="unsafe")
            if refs.size and (int(refs.min()) == 0 or int(refs.max()) > n):
                rows[(refs == 0) | (refs > n)] = -1
            return rows
        return identity
    if top <= 4 * ids.size + (1 << 20):  # ids are small (Go numbers them 1..n): a dense table
        table = np.full(top + 2, -1, rt)
        table[ids.astype(np.int64)] = np.arange(ids.size)

        def dense(refs: np.ndarray) -> np.ndarray:
            if refs.size and int(refs.max()) > top + 1:
                refs = np.minimum(refs.astype(np.uint64), np.uint64(top + 1))
            return table[refs]
        return dense
    order = np.argsort(ids, kind="stable")
    sids = ids[order]

    def sparse(refs: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(sids, refs), sids.size - 1)
        return np.where(sids[pos] == refs, order[pos], -1).astype(rt)
    return sparse


def _ids_are_rows(ids: np.ndarray) -> bool:
    """True if the ids are ``1..n`` in order (the runtime and pprof number them so): row = id - 1."""
    return bool(ids.size) and int(ids[0]) == 1 and int(ids[-1]) == ids.size and bool((np.diff(ids.astype(np.int64)) == 1).all())


def _decode(raw, what: str, source: str, decoder, data: bytes, field: int):
    """Run a column decoder over repeated raw messages (``bytes`` copied out of upb).

    ``data``/``field``: the profile bytes and the top-level field the messages
    came from, to name the byte offset of an error in the input.
    """
    parts = raw if isinstance(raw, list) else list(raw)
    lens = np.fromiter(map(len, parts), np.int64, len(parts))
    starts = np.concatenate(([0], np.cumsum(lens)[:-1])) if lens.size else np.zeros(0, np.int64)
    return _decode_in(parts, starts, lens, what, source, decoder, data=data, field=field)


def _decode_in(buf, starts: np.ndarray, lens: np.ndarray, what: str, source: str, decoder, *,
               data: bytes, field: int | None = None):
    """Run a column decoder over messages ``buf[starts[i]:starts[i]+lens[i]]``; wire errors name
    the message and byte. ``field`` None: ``buf`` is ``data`` itself (messages read in place);
    else the messages are copies of top-level ``field``'s payloads, found again in ``data``."""
    try:
        return decoder(buf, starts, lens)
    except WireError as e:
        at = e.offset - int(starts[e.index]) if lens.size else 0
        offset = e.offset if field is None else _payload_start(data, field, e.index) + at
        raise ProfileFormatError(f"parsing profile: {what} #{e.index}: {e.message} (at byte {at} of its encoding)",
                                 source=source, offset=offset) from e


def _payload_start(data: bytes, field: int, index: int) -> int:
    """Byte offset in ``data`` of the payload of top-level ``field``'s occurrence ``index``
    (error path only: a Python walk of the top-level fields)."""
    seen = 0
    for start, f, wt, end in _top_level_fields(data):
        if f == field and wt == LEN:
            if seen == index:
                _, payload_start = read_varint(data, read_varint(data, start)[1])  # past the tag, then the length
                return payload_start
            seen += 1
    return 0


def _back_to_back(data: bytes, field: int, lens: np.ndarray) -> np.ndarray | None:
    """Payload offsets of the top-level ``field`` occurrences if they lie back to back in ``data``.

    pprof's encoder (``go tool pprof -proto``, merged profiles) writes all
    samples in one run after the sample types, so their payloads can be read
    in place instead of copied out of upb (the runtime's own writer
    interleaves them with new locations and functions). The
    layout is verified record by record -- each expected position holds this
    field's tag and a length varint equal to the length upb found -- so any
    other layout returns None (and the caller copies).
    """
    n = lens.size
    if n == 0:
        return np.zeros(0, np.int64)
    key = tag(field, LEN)
    if varint_size(key) > 1:
        return None
    size = len(data)
    try:  # walk the top-level fields to the first occurrence (a few sample types precede it)
        pos = next(start for start, f, wt, _ in _top_level_fields(data) if f == field and wt == LEN)
    except (StopIteration, _TopLevelError):
        return None
    second = pos + 1 + varint_size(int(lens[0])) + int(lens[0])
    if n > 1 and (second >= size or data[second] != key):
        return None  # the second sample does not follow the first (cheap test before the full one)
    len_bytes, nbytes = encode_varints(lens)  # the length varints, as they must be
    rec = 1 + nbytes + lens
    rec_start = pos + np.concatenate(([0], np.cumsum(rec)[:-1]))
    if int(rec_start[-1] + rec[-1]) > size:
        return None
    buf = np.frombuffer(data, np.uint8)
    if (buf[rec_start] != key).any():
        return None
    first = np.cumsum(nbytes) - nbytes  # where each length's bytes start in len_bytes
    if (buf[np.repeat(rec_start + 1 - first, nbytes) + np.arange(len_bytes.size)] != len_bytes).any():
        return None
    return rec_start + 1 + nbytes


def check_proto_head(head: bytes, *, source: str) -> None:
    """Refuse ``head`` (the first bytes of an input) if it cannot start a profile.proto message.

    Walks the top-level fields that lie wholly in ``head`` (at most 4096): an
    invalid field number or wire type, or a broken varint, raises
    :class:`ProfileFormatError` with its byte offset; a field running past the
    end of ``head`` ends the walk (the rest is not known yet). Used while
    inflating, so that a gzip of zeros or garbage is refused at its first chunk.
    """
    try:
        for k, _ in enumerate(_top_level_fields(head)):
            if k >= 4096:
                return
    except _TopLevelError as e:
        if "runs past the end" in e.what or "truncated" in e.what:
            return  # (the rest of the field is beyond the head)
        raise ProfileFormatError(f"parsing profile: not a valid profile.proto message ({e.what})", source=source,
                                 offset=e.start) from None


#: Inputs up to this many bytes skip the pre-parse bounds of :func:`_check_sizes` (their
#: worst case, all two-byte messages, costs upb ~170 MB).
GUARD_BYTES = 8 << 20

_SKIM = None


def _skim_class():
    """A message type with only fields 9 (time_nanos) and 13 (comment), as ``repeated bytes``:
    parsing a profile with it yields the payloads of their packed occurrences (everything
    else stays unknown, kept as raw bytes, nothing per element)."""
    global _SKIM
    if _SKIM is None:
        fdp = descriptor_pb2.FileDescriptorProto(name="pprof_parse_skim.proto", package="pprof_parse_skim",
                                                 syntax="proto3")
        m = fdp.message_type.add(name="PackedInts")
        fd = descriptor_pb2.FieldDescriptorProto
        for num in (9, 13):
            m.field.add(name=f"f{num}", number=num, type=fd.TYPE_BYTES, label=fd.LABEL_REPEATED)
        pool = descriptor_pool.DescriptorPool()
        pool.Add(fdp)
        _SKIM = message_factory.GetMessageClass(pool.FindMessageTypeByName("pprof_parse_skim.PackedInts"))
    return _SKIM


def _limits(max_inflated_bytes: int) -> tuple[int, int]:
    """``(messages, tag bytes)`` allowed for a byte limit: see :func:`decode_proto`."""
    return max(max_inflated_bytes // 16, 1 << 16), max(max_inflated_bytes // 5, 1 << 18)


def _check_sizes(data: bytes, max_inflated_bytes: int, source: str) -> None:
    """Bounds on what upb would allocate, checked on the bytes before it parses them.

    upb keeps ~42 bytes per element of a repeated field (measured: 10 M
    two-byte ``string_table`` entries, 20 MB, take 420 MB) and ~16 per varint
    of a packed one. Every length-delimited top-level field starts with a byte
    ``0x0a + 8k`` (fields 1-15, wire type 2), so their number is at most the
    count of such bytes (one vectorised pass; a real profile has 5-15 % of
    them). Packed ``time_nanos``/``comment`` payloads are measured by a parse
    that keeps only them (:func:`_skim_class`).
    """
    messages, tags = _limits(max_inflated_bytes)
    buf = np.frombuffer(data, np.uint8)
    n = int(np.count_nonzero(((buf - np.uint8(0x0A)) & np.uint8(0x87)) == 0))
    if n > tags:
        raise InputLimitError(
            f"parsing profile: up to {n} length-delimited fields (string table entries, samples, locations...) in "
            f"{len(data)} bytes: more than the {tags} a limit of max_inflated_bytes={max_inflated_bytes} allows "
            "(pass max_inflated_bytes=None to read it anyway)", source=source)
    skim = _skim_class()()
    try:
        skim.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError):
        return  # (the real parse reports it, with the byte offset)
    packed = sum(map(len, skim.f9)) + sum(map(len, skim.f13))
    if packed > messages:
        raise InputLimitError(
            f"parsing profile: {packed} bytes of packed time_nanos/comment values: more than the {messages} a limit "
            f"of max_inflated_bytes={max_inflated_bytes} allows (pass max_inflated_bytes=None to read it anyway)",
            source=source)


def _check_counts(msg, max_inflated_bytes: int, source: str) -> None:
    """Exact message counts (known after the parse, before any Python object is made per message)."""
    messages, _ = _limits(max_inflated_bytes)
    counts = {what: len(getattr(msg, what)) for what in
              ("sample_type", "sample", "mapping", "location", "function", "string_table", "comment", "time_nanos")}
    if sum(counts.values()) > messages:
        listed = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        raise InputLimitError(
            f"parsing profile: {listed}: more than the {messages} messages a limit of "
            f"max_inflated_bytes={max_inflated_bytes} allows (pass max_inflated_bytes=None to read it anyway)",
            source=source)


def decode_proto(data: bytes, *, source: str = "<bytes>",
                 max_inflated_bytes: int | None = None) -> ProfileData:
    """Decode uncompressed profile.proto bytes.

    ``max_inflated_bytes`` (the byte limit :func:`~pprof_parse.read_profile`
    applies; None here by default: no bounds) also bounds the number of
    messages, so that every input within it is read or refused in about 1 GB
    and seconds: at most ``max_inflated_bytes // 16`` messages in all (4 M for
    the default 64 MiB; a real profile's messages average 20-90 bytes, the
    330k-sample heap profile the benchmarks use has ~0.5 M), and, checked on
    the bytes before upb parses them for inputs over 8 MiB, at most
    ``max_inflated_bytes // 5`` bytes that could start a length-delimited
    top-level field and as many packed ``time_nanos``/``comment`` bytes as
    messages. pprof has no such bounds; its encoder and the Go runtime's never
    write duplicate strings or empty messages, which these bombs are made of.

    Raises
    ------
    ProfileFormatError
        Not a protobuf message of the profile's shape (with the byte offset).
    InputLimitError
        More messages than ``max_inflated_bytes`` allows (see above).
    ConcatenatedProfileError
        ``time_nanos`` occurs twice: two profiles were concatenated.
    InvalidProfileError
        pprof's ``CheckValid`` rules: reserved id 0, duplicate ids, unknown
        location/function references, value count differing from the
        sample types, string indices out of range, ``string_table[0] != ""``.
    """
    msg = _parse_top_level(data, source, max_inflated_bytes)
    strings = _string_table(msg, data, source)
    nstr = len(strings)
    sample_types = tuple(
        ValueType(_str(strings, st.type, f"sample_type[{i}].type"), _str(strings, st.unit, f"sample_type[{i}].unit"))
        for i, st in enumerate(msg.sample_type)
    )
    functions = _functions(msg, data, source, nstr)
    mappings = _mappings(msg, data, source, nstr)
    locations = _locations(msg, data, source, functions["func_id"], mappings["map_id"])
    header = _header(msg, strings)  # (read now, so upb's copy can be freed before the samples)
    if len(msg.sample) and not sample_types:
        raise InvalidProfileError("malformed profile: missing sample type information")
    parts = list(msg.sample)
    lens = np.fromiter(map(len, parts), np.int64, len(parts))
    starts = _back_to_back(data, 2, lens)
    del msg  # free upb's copy of the profile before the numpy work
    if starts is not None:
        parts = None  # one run (as pprof writes them): read in place, the copies are not needed
    cols = _sample_columns(parts, starts, lens, data, source, locations["loc_id"])
    del parts
    samples = _samples(cols, data, lens, len(sample_types), nstr)
    return ProfileData(strings=strings, sample_types=sample_types, **samples, **locations, **functions, **mappings,
                       **header)


def _parse_top_level(data: bytes, source: str, max_inflated_bytes: int | None):
    """upb's parse of the top level (samples and the other repeated messages kept as raw bytes),
    within the bounds of ``max_inflated_bytes``; one ``time_nanos`` at most."""
    if max_inflated_bytes is not None and len(data) > GUARD_BYTES:
        _check_sizes(data, max_inflated_bytes, source)
    msg = pb.ProfileRaw()
    try:
        msg.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        offset, what = _locate_top_level_error(data)
        raise ProfileFormatError(f"parsing profile: not a valid profile.proto message ({what})", source=source, offset=offset) from e
    if max_inflated_bytes is not None:
        _check_counts(msg, max_inflated_bytes, source)
    concatenated = len(msg.time_nanos) > 1  # (declared repeated in ProfileRaw to see this)
    if concatenated:
        raise ConcatenatedProfileError("concatenated profiles detected (time_nanos occurs twice)", source=source)
    return msg


def _string_table(msg, data: bytes, source: str) -> list[str]:
    """The string table, decoded as UTF-8 (invalid bytes replaced, with a warning); ``[0]`` must be ''."""
    raw_strings = list(msg.string_table)
    if not raw_strings:
        raise ProfileFormatError("parsing profile: no string table before the end of the data (truncated, or not a "
                                 "profile.proto message?); the last top-level field starts at this byte offset",
                                 source=source, offset=_last_field_start(data))
    strings = [b.decode("utf-8", "replace") for b in raw_strings]
    if strings[0] != "":
        raise InvalidProfileError("malformed profile: string_table[0] must be ''")
    if any("\ufffd" in s and not _valid_utf8(b) for s, b in zip(strings, raw_strings)):  # (only U+FFFDs are suspects)
        warn(f"{source}: some strings are not valid UTF-8; invalid bytes were replaced by U+FFFD")
    return strings


def _functions(msg, data: bytes, source: str, nstr: int) -> dict[str, np.ndarray]:
    """The ``func_*`` columns of :class:`ProfileData` (ids checked, string indices in range)."""
    ftab = _decode(msg.function, "function", source, lambda *r: decode_scalars(*r, (1, 2, 3, 4, 5)), data, 5)
    func_id = ftab[:, 0]
    ftab = ftab[:, 1:].view(np.int64)  # name, system_name, filename, start_line
    _check_ids(func_id, "function", "ID")
    if func_id.size and ((ftab[:, :3] < 0) | (ftab[:, :3] >= nstr)).any():
        row, col = np.argwhere((ftab[:, :3] < 0) | (ftab[:, :3] >= nstr))[0]
        raise InvalidProfileError(
            f"malformed profile: function id {int(func_id[row])}: {('name', 'system_name', 'filename')[col]} "
            f"refers to string index {int(ftab[row, col])} of {nstr}")
    return dict(func_id=func_id, func_name=ftab[:, 0].copy(), func_system_name=ftab[:, 1].copy(),
                func_filename=ftab[:, 2].copy(), func_start_line=ftab[:, 3].copy())


def _mappings(msg, data: bytes, source: str, nstr: int) -> dict[str, np.ndarray]:
    """The ``map_*`` columns of :class:`ProfileData` (ids checked, string indices in range)."""
    mtab = _decode(msg.mapping, "mapping", source, lambda *r: decode_scalars(*r, range(1, 11)), data, 3)
    map_id, map_start, map_limit, map_offset = (mtab[:, i].copy() for i in range(4))
    _check_ids(map_id, "mapping", "ID")
    map_filename, map_build_id = mtab[:, 4].view(np.int64), mtab[:, 5].view(np.int64)
    for arr, what in ((map_filename, "filename"), (map_build_id, "build_id")):
        bad = (arr < 0) | (arr >= nstr)
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidProfileError(f"malformed profile: mapping id {int(map_id[i])}: {what} refers to string index {int(arr[i])} of {nstr}")
    return dict(map_id=map_id, map_start=map_start, map_limit=map_limit, map_offset=map_offset,
                map_filename=map_filename, map_build_id=map_build_id,
                map_flags=mtab[:, 6:10] != 0)  # has_functions, has_filenames, has_line_numbers, has_inline_frames


def _locations(msg, data: bytes, source: str, func_id: np.ndarray, map_id: np.ndarray) -> dict[str, np.ndarray]:
    """The ``loc_*`` and ``line_*`` columns of :class:`ProfileData`: ids checked, every line's function
    defined; a location whose mapping is unknown keeps none (with a warning, as pprof accepts it)."""
    lc = _decode(msg.location, "location", source, decode_locations, data, 4)
    loc_id = lc.id
    _check_ids(loc_id, "location")
    loc_line_offsets = np.concatenate(([0], np.cumsum(lc.line_counts))).astype(np.int64)
    line_function = _index_of(func_id, lc.line_function_id)
    if (line_function < 0).any():
        li = int(np.argmax(line_function < 0))
        owner = int(np.searchsorted(loc_line_offsets, li, side="right") - 1)
        raise InvalidProfileError(f"location id: {int(loc_id[owner])} has a line with nil function (function id {int(lc.line_function_id[li])})")
    loc_mapping = np.where(lc.mapping_id == 0, -1, _index_of(map_id, lc.mapping_id))
    dangling = (lc.mapping_id != 0) & (loc_mapping < 0)
    if dangling.any():
        i = int(np.argmax(dangling))
        warn(
            f"{source}: {int(dangling.sum())} locations refer to unknown mappings (first: location id {int(loc_id[i])} "
            f"-> mapping id {int(lc.mapping_id[i])}); pprof accepts this and so do we (no mapping)")
    return dict(loc_id=loc_id, loc_mapping=loc_mapping.astype(np.int64), loc_address=lc.address,
                loc_is_folded=lc.is_folded, loc_line_offsets=loc_line_offsets, line_function=line_function,
                line_line=lc.line_line, line_column=lc.line_column)


def _header(msg, strings: list[str]) -> dict:
    """The profile's singular fields (names resolved in the string table)."""
    def s(idx: int, what: str) -> str:
        return _str(strings, idx, what)

    return dict(
        default_sample_type=s(msg.default_sample_type, "default_sample_type"),
        drop_frames=s(msg.drop_frames, "drop_frames"),
        keep_frames=s(msg.keep_frames, "keep_frames"),
        time_nanos=int(msg.time_nanos[0]) if len(msg.time_nanos) else 0,
        duration_nanos=int(msg.duration_nanos),
        period_type=ValueType(s(msg.period_type.type, "period_type.type"), s(msg.period_type.unit, "period_type.unit")),
        period=int(msg.period),
        comments=tuple(s(c, "comment") for c in msg.comment),
        doc_url=s(msg.doc_url, "doc_url"),
    )


def _sample_columns(parts: list[bytes] | None, starts: np.ndarray | None, lens: np.ndarray, data: bytes, source: str,
                    loc_id: np.ndarray):
    """The samples' raw columns (:func:`._columns.decode_samples`): read in place at ``starts`` in
    ``data`` if given, else from ``parts`` (their copies out of upb). Location ids become row
    indices in the decoding threads; with locations numbered 1..n, stacks are checked on their
    bytes and left encoded (see ``._stacks``)."""
    resolve = _resolver(loc_id)
    n_locations = loc_id.size if _ids_are_rows(loc_id) else None

    def decoder(*r):
        return decode_samples(*r, resolve=resolve, n_locations=n_locations)
    if starts is None:  # interleaved with locations (as the runtime writes them): decode the copies
        return _decode(parts, "sample", source, decoder, data, 2)
    return _decode_in(np.frombuffer(data, np.uint8), starts, lens, "sample", source, decoder, data=data)


def _samples(cols, data: bytes, lens: np.ndarray, nt: int, nstr: int) -> dict[str, np.ndarray]:
    """The sample and label columns of :class:`ProfileData`: every location defined, ``nt`` values
    a sample, label string indices in range; labels with neither a string nor a number dropped (as pprof)."""
    stack_locs, loc_counts, vals_u, val_counts, lab_owner, ltab4 = cols
    ns = loc_counts.size
    stack_offsets = np.concatenate(([0], np.cumsum(loc_counts))).astype(np.int64)
    if isinstance(stack_locs, np.ndarray) and (stack_locs < 0).any():
        k = int(np.argmax(stack_locs < 0))
        i = int(np.searchsorted(stack_offsets, k, side="right") - 1)
        loc = decode_samples(np.frombuffer(b"".join(pb.ProfileRaw.FromString(data).sample[i:i + 1]), np.uint8),
                             np.zeros(1, np.int64), np.array([lens[i]])).locs  # the bad id, for the message
        raise InvalidProfileError(f"malformed profile: sample #{i} has nil location "
                                  f"(location id {int(loc[k - stack_offsets[i]])} is not defined)")
    if ns and (val_counts != nt).any():
        i = int(np.argmax(val_counts != nt))
        raise InvalidProfileError(f"malformed profile: mismatch: sample #{i} has {int(val_counts[i])} values vs. {nt} types")
    values = vals_u.astype(np.uint64, copy=False).view(np.int64).reshape(ns, nt) if nt else np.zeros((ns, 0), np.int64)
    # labels (columns key, str, num, num_unit; the last occurrence of a field has won, as in proto3)
    lkey, lstr, lnum, lunit = ltab4[:, 1], ltab4[:, 2], ltab4[:, 3], ltab4[:, 4]
    for arr, what in ((lkey, "key"), (lstr, "str"), (lunit, "num_unit")):
        bad = (arr < 0) | (arr >= nstr)
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidProfileError(f"malformed profile: sample #{int(lab_owner[i])}: label {what} refers to string index {int(arr[i])} of {nstr}")
    is_str = lstr != 0
    is_num = ~is_str & ((lnum != 0) | (lunit != 0))  # pprof drops labels with neither
    return dict(values=values, stack_offsets=stack_offsets, stack_locs=stack_locs,
                label_sample=lab_owner[is_str], label_key=lkey[is_str], label_str=lstr[is_str],
                numlabel_sample=lab_owner[is_num], numlabel_key=lkey[is_num], numlabel_num=lnum[is_num],
                numlabel_unit=lunit[is_num])
