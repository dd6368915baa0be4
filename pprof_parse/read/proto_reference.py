"""The reference decoder of profile.proto (``GOPHERLAB_ENGINE=reference``).

The plain counterpart of :func:`pprof_parse.read.proto.decode_proto`, written
for clarity and tested equal to it (``tests/pprof_parse/test_engines.py``):
the ``protobuf`` package's generated messages parse the bytes, and plain
Python loops resolve the ids into row indices as pprof's ``postDecode``
(``profile/encode.go``) does and check the profile as pprof's ``CheckValid``
(``profile/profile.go``) does. Every stack is decoded at once.

Two steps are not one ``pb.Profile`` parse, because upb alone would not see
what the fast path sees:

* the top level is parsed as ``pb.ProfileRaw``, which keeps the string table
  as bytes (Go does not promise UTF-8; ``pb.Profile`` refuses bad UTF-8 where
  pprof reads it) and ``time_nanos`` as a repeated field (a second occurrence
  means two concatenated profiles), and keeps each sample, location,
  function and mapping as its bytes;
* each of those is then checked against the wire rules that upb does not
  enforce (:func:`_check_wire`) and parsed with its own generated message
  (``pb.Sample``, ``pb.Location``, ``pb.Function``, ``pb.Mapping``).
"""

from __future__ import annotations


import numpy as np
from google.protobuf.message import DecodeError

from ..errors import ConcatenatedProfileError, InvalidProfileError, ProfileFormatError, warn
from ..model.data import ProfileData, ValueType
from ..proto import profile_pb2 as pb
from ..proto.wire import CONTINUATION, FIXED_SIZE, LEN, VARINT, WIRE_TYPES, VarintError, read_varint
from .proto import GUARD_BYTES, _check_counts, _check_sizes, _last_field_start, _locate_top_level_error, _payload_start

#: protobuf's largest field number (2**29 - 1); upb refuses a message with a larger one.
_MAX_FIELD = (1 << 29) - 1

#: The top-level field of each repeated message kind (to name the byte of an error in the input).
_FIELD_OF = {"sample": 2, "mapping": 3, "location": 4, "function": 5}


def decode_proto_reference(data: bytes, *, source: str = "<bytes>",
                           max_inflated_bytes: int | None = None) -> ProfileData:
    """Decode uncompressed profile.proto bytes, plainly: the same result as
    :func:`~pprof_parse.read.proto.decode_proto`, with its stacks decoded.

    ``max_inflated_bytes`` bounds the number of messages exactly as
    :func:`~pprof_parse.read.proto.decode_proto` does (the same checks run).

    Raises
    ------
    ProfileFormatError
        Not a protobuf message of the profile's shape, with the byte offset
        in ``data`` (inside a sample, location, function or mapping: the
        byte where its encoding breaks the wire rules of :func:`_check_wire`).
    InputLimitError
        More messages than ``max_inflated_bytes`` allows.
    ConcatenatedProfileError
        ``time_nanos`` occurs twice: two profiles were concatenated.
    InvalidProfileError
        pprof's ``CheckValid`` rules (reserved id 0, duplicate ids, unknown
        location or function references, value count differing from the
        sample types) and ``postDecode``'s (string indices in range,
        ``string_table[0] == ""``).
    """
    msg = _parse_top_level(data, source, max_inflated_bytes)
    strings = _string_table(msg, data, source)
    sample_types = tuple(_value_type(strings, st, f"sample_type[{i}]") for i, st in enumerate(msg.sample_type))
    functions = _functions(_parse_each(msg.function, pb.Function, "function", data, source), strings)
    mappings = _mappings(_parse_each(msg.mapping, pb.Mapping, "mapping", data, source), strings)
    locations = _locations(_parse_each(msg.location, pb.Location, "location", data, source),
                           functions["row"], mappings["row"], source)
    header = _header(msg, strings)
    if len(msg.sample) and not sample_types:
        raise InvalidProfileError("malformed profile: missing sample type information")
    samples = _samples(_parse_each(msg.sample, pb.Sample, "sample", data, source), len(sample_types),
                       locations["row"], len(strings))
    return ProfileData(strings=strings, sample_types=sample_types, **samples,
                       **locations["columns"], **functions["columns"], **mappings["columns"], **header)


# --- the top level -------------------------------------------------------------------------------

def _parse_top_level(data: bytes, source: str, max_inflated_bytes: int | None):
    """The top-level message as ``pb.ProfileRaw``, within the message-count limits, not concatenated."""
    if max_inflated_bytes is not None and len(data) > GUARD_BYTES:
        _check_sizes(data, max_inflated_bytes, source)  # (bounds on what upb would allocate)
    msg = pb.ProfileRaw()
    try:
        msg.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        offset, what = _locate_top_level_error(data)
        raise ProfileFormatError(f"parsing profile: not a valid profile.proto message ({what})",
                                 source=source, offset=offset) from e
    if max_inflated_bytes is not None:
        _check_counts(msg, max_inflated_bytes, source)
    if len(msg.time_nanos) > 1:
        raise ConcatenatedProfileError("concatenated profiles detected (time_nanos occurs twice)", source=source)
    return msg


def _string_table(msg, data: bytes, source: str) -> list[str]:
    """The string table, invalid UTF-8 replaced by U+FFFD (with a warning), as pprof reads it."""
    if not msg.string_table:
        raise ProfileFormatError("parsing profile: no string table before the end of the data (truncated, or not a "
                                 "profile.proto message?); the last top-level field starts at this byte offset",
                                 source=source, offset=_last_field_start(data))
    strings = []
    replaced = False
    for raw in msg.string_table:
        try:
            strings.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            strings.append(raw.decode("utf-8", "replace"))
            replaced = True
    if strings[0] != "":
        raise InvalidProfileError("malformed profile: string_table[0] must be ''")
    if replaced:
        warn(f"{source}: some strings are not valid UTF-8; invalid bytes were replaced by U+FFFD")
    return strings


def _string(strings: list[str], index: int, what: str) -> str:
    """``strings[index]``; pprof's ``getString`` refuses an index out of range."""
    if not 0 <= index < len(strings):
        raise InvalidProfileError(f"malformed profile: {what} refers to string index {index}, "
                                  f"but the string table has {len(strings)} entries")
    return strings[index]


def _value_type(strings: list[str], vt, what: str) -> ValueType:
    return ValueType(_string(strings, vt.type, f"{what}.type"), _string(strings, vt.unit, f"{what}.unit"))


def _header(msg, strings: list[str]) -> dict:
    """The profile's singular fields, strings resolved."""
    return dict(
        default_sample_type=_string(strings, msg.default_sample_type, "default_sample_type"),
        drop_frames=_string(strings, msg.drop_frames, "drop_frames"),
        keep_frames=_string(strings, msg.keep_frames, "keep_frames"),
        time_nanos=msg.time_nanos[0] if msg.time_nanos else 0,
        duration_nanos=msg.duration_nanos,
        period_type=_value_type(strings, msg.period_type, "period_type"),
        period=msg.period,
        comments=tuple(_string(strings, c, "comment") for c in msg.comment),
        doc_url=_string(strings, msg.doc_url, "doc_url"),
    )


# --- the repeated messages: wire rules, then upb -------------------------------------------------

class _WireRuleError(Exception):
    """Where (byte in the message) and why a message breaks a wire rule of :func:`_check_wire`."""

    def __init__(self, at: int, what: str):
        super().__init__(what)
        self.at, self.what = at, what


def _parse_each(payloads, message_class, kind: str, data: bytes, source: str) -> list:
    """Each payload (bytes of one ``kind`` message) checked by :func:`_check_wire`, then parsed
    by ``message_class``; a broken one is a :class:`ProfileFormatError` at its byte in ``data``."""
    messages = []
    for index, payload in enumerate(payloads):
        try:
            _check_wire(payload, message_class.DESCRIPTOR)
            messages.append(message_class.FromString(payload))
        except (_WireRuleError, DecodeError) as e:
            at, what = (e.at, e.what) if isinstance(e, _WireRuleError) else (0, f"not a valid {kind} message")
            raise ProfileFormatError(f"parsing profile: {kind} #{index}: {what} (at byte {at} of its encoding)",
                                     source=source, offset=_payload_start(data, _FIELD_OF[kind], index) + at) from e
    return messages


def _check_wire(payload: bytes, descriptor, base: int = 0) -> None:
    """Raise :class:`_WireRuleError` where ``payload`` (one message of ``descriptor``'s type,
    starting at byte ``base`` of the outermost message) breaks a wire rule.

    The rules are the fast path's field scanner's (``ScanTable``), which
    pprof's hand decoder (``profile/proto.go``) and protobuf-go's ``protowire``
    share; upb enforces only some: a field number from 1 to 2**29 - 1 and a
    wire type of 0, 1, 2 or 5; varints of at most 10 bytes and 64 bits (upb
    drops a 10th byte's higher bits); lengths and fixed-width fields within
    the message; a declared field with its declared wire type (upb keeps a
    mismatched one as an unknown field): 2 for a message (whose own fields are
    checked the same way), 0 or 2 (packed) for a repeated varint, 0 for a
    singular one. Byte positions as the fast path gives them: a varint's
    first byte, the tag of a bad field, the length of one too long, the
    payload of a mismatched or packed one.
    """
    pos, end = 0, len(payload)
    while pos < end:
        tag_at = pos
        tag, pos = _varint(payload, pos, base)
        field, wire = tag >> 3, tag & 7
        if field == 0 or wire not in WIRE_TYPES:
            raise _WireRuleError(base + tag_at, f"invalid wire type {wire} / field {field}")
        if field > _MAX_FIELD:
            raise _WireRuleError(base + tag_at, f"field number {field} is above protobuf's largest, {_MAX_FIELD}")
        value_at = pos
        if wire == VARINT:
            _, pos = _varint(payload, pos, base)
        elif wire == LEN:
            length, value_at = _varint(payload, pos, base)
            if length > end - value_at:
                raise _WireRuleError(base + pos, f"field {field} (length {length}) runs past the end of its message")
            pos = value_at + length
        else:
            pos += FIXED_SIZE[wire]
            if pos > end:
                raise _WireRuleError(base + value_at, f"field {field} runs past the end of its message")
        declared = descriptor.fields_by_number.get(field)
        if declared is not None:
            _check_declared_field(declared, wire, payload[value_at:pos], base + value_at)


def _check_declared_field(declared, wire: int, value: bytes, at: int) -> None:
    """A declared field's wire type (and a message's or packed field's contents), for :func:`_check_wire`."""
    field = declared.number
    if declared.type == declared.TYPE_MESSAGE:
        if wire != LEN:
            raise _WireRuleError(at, f"field {field} (a message) has wire type {wire}")
        _check_wire(value, declared.message_type, at)
    elif declared.is_repeated:
        if wire not in (VARINT, LEN):
            raise _WireRuleError(at, f"field {field} (repeated varints) has wire type {wire}")
        if wire == LEN:
            _check_packed(value, at)
    elif wire != VARINT:
        raise _WireRuleError(at, f"field {field} (a varint) has wire type {wire}")


def _check_packed(value: bytes, at: int) -> None:
    """A packed field's payload (at byte ``at``) holds whole varints; an error is placed at its start."""
    if value and value[-1] >= CONTINUATION:
        raise _WireRuleError(at, "packed field ends inside a varint")
    pos = 0
    try:
        while pos < len(value):
            _, pos = read_varint(value, pos)
    except VarintError as e:
        raise _WireRuleError(at, str(e)) from None


def _varint(payload: bytes, pos: int, base: int) -> tuple[int, int]:
    """``(value, next position)`` of the varint at ``pos`` (:func:`~pprof_parse.proto.wire.read_varint`);
    a broken one is a :class:`_WireRuleError` at byte ``base + pos``."""
    try:
        return read_varint(payload, pos)
    except VarintError as e:
        raise _WireRuleError(base + pos, str(e)) from None


# --- postDecode and CheckValid, one message kind at a time ---------------------------------------

def _rows_by_id(messages: list, noun: str, id_word: str) -> dict[int, int]:
    """``{id: row}``; pprof's ``CheckValid`` refuses id 0 and an id given twice."""
    rows: dict[int, int] = {}
    for row, m in enumerate(messages):
        if m.id == 0:
            raise InvalidProfileError(f"found {noun} with reserved {id_word}=0")
        if m.id in rows:
            raise InvalidProfileError(f"multiple {noun}s with same id: {m.id}")
        rows[m.id] = row
    return rows


def _check_string_refs(m, fields: tuple[str, ...], owner: str, n_strings: int) -> None:
    """The string-table indices in ``m``'s ``fields`` are in range (pprof's ``getString``)."""
    for what in fields:
        index = getattr(m, what)
        if not 0 <= index < n_strings:
            raise InvalidProfileError(f"malformed profile: {owner} {what} refers to string index {index} of {n_strings}")


def _functions(functions: list, strings: list[str]) -> dict:
    """``row``: function id -> row; ``columns``: the ``func_*`` fields of ProfileData."""
    row = _rows_by_id(functions, "function", "ID")
    for f in functions:
        _check_string_refs(f, ("name", "system_name", "filename"), f"function id {f.id}:", len(strings))
    columns = dict(
        func_id=np.array([f.id for f in functions], np.uint64),
        func_name=np.array([f.name for f in functions], np.int64),
        func_system_name=np.array([f.system_name for f in functions], np.int64),
        func_filename=np.array([f.filename for f in functions], np.int64),
        func_start_line=np.array([f.start_line for f in functions], np.int64),
    )
    return dict(row=row, columns=columns)


def _mappings(mappings: list, strings: list[str]) -> dict:
    """``row``: mapping id -> row; ``columns``: the ``map_*`` fields of ProfileData."""
    row = _rows_by_id(mappings, "mapping", "ID")
    for m in mappings:
        _check_string_refs(m, ("filename", "build_id"), f"mapping id {m.id}:", len(strings))
    flags = [(m.has_functions, m.has_filenames, m.has_line_numbers, m.has_inline_frames) for m in mappings]
    columns = dict(
        map_id=np.array([m.id for m in mappings], np.uint64),
        map_start=np.array([m.memory_start for m in mappings], np.uint64),
        map_limit=np.array([m.memory_limit for m in mappings], np.uint64),
        map_offset=np.array([m.file_offset for m in mappings], np.uint64),
        map_filename=np.array([m.filename for m in mappings], np.int64),
        map_build_id=np.array([m.build_id for m in mappings], np.int64),
        map_flags=np.array(flags, bool).reshape(len(mappings), 4),
    )
    return dict(row=row, columns=columns)


def _locations(locations: list, function_row: dict[int, int], mapping_row: dict[int, int], source: str) -> dict:
    """``row``: location id -> row; ``columns``: the ``loc_*`` and ``line_*`` fields of ProfileData.

    Each line's function must exist (``CheckValid``: "has a line with nil
    function"); a mapping id that names no mapping is no mapping (-1), which
    pprof accepts silently and we accept with a warning.
    """
    row = _rows_by_id(locations, "location", "id")
    line_offsets, line_function, line_line, line_column = [0], [], [], []
    for loc in locations:
        for line in loc.line:
            if line.function_id not in function_row:
                raise InvalidProfileError(f"location id: {loc.id} has a line with nil function "
                                          f"(function id {line.function_id})")
            line_function.append(function_row[line.function_id])
            line_line.append(line.line)
            line_column.append(line.column)
        line_offsets.append(len(line_function))
    mapping = [-1 if loc.mapping_id == 0 else mapping_row.get(loc.mapping_id, -1) for loc in locations]
    dangling = [loc for loc, m in zip(locations, mapping) if loc.mapping_id != 0 and m == -1]
    if dangling:
        warn(
            f"{source}: {len(dangling)} locations refer to unknown mappings (first: location id {dangling[0].id} "
            f"-> mapping id {dangling[0].mapping_id}); pprof accepts this and so do we (no mapping)")
    columns = dict(
        loc_id=np.array([loc.id for loc in locations], np.uint64),
        loc_mapping=np.array(mapping, np.int64),
        loc_address=np.array([loc.address for loc in locations], np.uint64),
        loc_is_folded=np.array([loc.is_folded for loc in locations], bool),
        loc_line_offsets=np.array(line_offsets, np.int64),
        line_function=np.array(line_function, np.int32),
        line_line=np.array(line_line, np.int64),
        line_column=np.array(line_column, np.int64),
    )
    return dict(row=row, columns=columns)


def _samples(samples: list, n_types: int, location_row: dict[int, int], n_strings: int) -> dict:
    """The sample fields of ProfileData (values, stacks, labels).

    Per sample, as ``CheckValid`` and ``postDecode``: every location id is
    defined, there is one value per sample type, and each label's key, str
    and num_unit index the string table. A label with a ``str`` is a string
    label; else one with a ``num`` or a ``num_unit`` is numeric; pprof drops
    one with neither.
    """
    values, stack_offsets, stack_locs = [], [0], []
    label = {"sample": [], "key": [], "str": []}
    numlabel = {"sample": [], "key": [], "num": [], "unit": []}
    for i, s in enumerate(samples):
        for location_id in s.location_id:
            if location_id not in location_row:
                raise InvalidProfileError(f"malformed profile: sample #{i} has nil location "
                                          f"(location id {location_id} is not defined)")
            stack_locs.append(location_row[location_id])
        stack_offsets.append(len(stack_locs))
        if len(s.value) != n_types:
            raise InvalidProfileError(f"malformed profile: mismatch: sample #{i} has {len(s.value)} values "
                                      f"vs. {n_types} types")
        values.extend(s.value)
        for lab in s.label:
            _check_string_refs(lab, ("key", "str", "num_unit"), f"sample #{i}: label", n_strings)
            if lab.str != 0:
                for name, value in (("sample", i), ("key", lab.key), ("str", lab.str)):
                    label[name].append(value)
            elif lab.num != 0 or lab.num_unit != 0:
                for name, value in (("sample", i), ("key", lab.key), ("num", lab.num), ("unit", lab.num_unit)):
                    numlabel[name].append(value)
    columns = dict(
        values=np.array(values, np.int64).reshape(len(samples), n_types),
        stack_offsets=np.array(stack_offsets, np.int64),
        stack_locs=np.array(stack_locs, np.int32),
        label_sample=np.array(label["sample"], np.int32),
        label_key=np.array(label["key"], np.int64),
        label_str=np.array(label["str"], np.int64),
        numlabel_sample=np.array(numlabel["sample"], np.int32),
        numlabel_key=np.array(numlabel["key"], np.int64),
        numlabel_num=np.array(numlabel["num"], np.int64),
        numlabel_unit=np.array(numlabel["unit"], np.int64),
    )
    return columns
