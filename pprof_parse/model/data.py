"""The columnar in-memory form of a profile (the ``model`` stage).

:class:`ProfileData` mirrors profile.proto with ids resolved to row indices
and every per-sample quantity held in flat numpy arrays. Strings stay indices
into :attr:`ProfileData.strings` (the profile's string table), so grouping by
function or file is integer work; :class:`pprof_parse.Profile` turns them into
categorical DataFrame columns on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple, Protocol

import numpy as np


class Slots(NamedTuple):
    """Every location's lines laid out as *slots*: one per line, innermost inlined
    function first, or one empty slot for a location without lines (pprof still
    makes a frame of it). All arrays are int64.

    ``offsets`` (n_locations + 1): location ``j`` owns slots ``offsets[j]:offsets[j+1]``;
    per slot: ``loc`` (its location row), ``within`` (0 = innermost) and ``line``
    (row in the line table, -1 for an empty slot).
    """

    offsets: np.ndarray
    loc: np.ndarray
    within: np.ndarray
    line: np.ndarray


class StackSource(Protocol):
    """Stacks not decoded yet (:class:`pprof_parse.read._stacks.EncodedStacks`): location
    rows of some samples' stacks, or of all, concatenated in the order asked (int32)."""

    def decode(self, samples: np.ndarray) -> np.ndarray: ...

    def decode_all(self) -> np.ndarray: ...


class ValueType(NamedTuple):
    """A sample type or period type: ``(type, unit)``, e.g. ``("alloc_space", "bytes")``."""

    type: str
    unit: str


@dataclass(frozen=True, eq=False)
class ProfileData:
    """A decoded profile, column-wise. All row indices are 0-based; -1 means "none".

    Samples: ``values`` is ``(n_samples, n_types)`` int64; the stack of sample
    ``i`` is ``stack_locs[stack_offsets[i]:stack_offsets[i+1]]`` (location row
    indices, leaf first). Labels are long arrays: string labels
    ``(label_sample, label_key, label_str)`` and numeric labels
    ``(numlabel_sample, numlabel_key, numlabel_num, numlabel_unit)``, keys and
    strings being string-table indices.

    Locations: row ``j`` has lines ``loc_line_offsets[j]:loc_line_offsets[j+1]``
    in the line table, innermost inlined function first (pprof's order: the
    last line is the physical caller).

    ``stack_locs`` may be given as a :class:`StackSource` (the proto reader
    does so): it is then decoded on first access, and :meth:`stack_locs_of`
    decodes only the samples it is asked for until then. Reports that use a
    few samples (``inuse_space`` of a heap profile) never decode the rest.
    """

    strings: list[str]
    sample_types: tuple[ValueType, ...]
    default_sample_type: str
    values: np.ndarray
    stack_offsets: np.ndarray
    stack_locs: np.ndarray = field(repr=False)  # (a _StackLocs descriptor, set below)
    label_sample: np.ndarray
    label_key: np.ndarray
    label_str: np.ndarray
    numlabel_sample: np.ndarray
    numlabel_key: np.ndarray
    numlabel_num: np.ndarray
    numlabel_unit: np.ndarray
    loc_id: np.ndarray
    loc_mapping: np.ndarray
    loc_address: np.ndarray
    loc_is_folded: np.ndarray
    loc_line_offsets: np.ndarray
    line_function: np.ndarray
    line_line: np.ndarray
    line_column: np.ndarray
    func_id: np.ndarray
    func_name: np.ndarray
    func_system_name: np.ndarray
    func_filename: np.ndarray
    func_start_line: np.ndarray
    map_id: np.ndarray
    map_start: np.ndarray
    map_limit: np.ndarray
    map_offset: np.ndarray
    map_filename: np.ndarray
    map_build_id: np.ndarray
    map_flags: np.ndarray  # (n, 4) bool: has_functions, has_filenames, has_line_numbers, has_inline_frames
    drop_frames: str = ""
    keep_frames: str = ""
    time_nanos: int = 0
    duration_nanos: int = 0
    period_type: ValueType = ValueType("", "")
    period: int = 0
    comments: tuple[str, ...] = ()
    doc_url: str = ""
    meta: dict = field(default_factory=dict)  # extra metadata (text forms: MemStats trailer, ...)

    @property
    def n_samples(self) -> int:
        return int(self.values.shape[0])

    def with_(self, **changes) -> "ProfileData":
        """Return a copy with some fields replaced (arrays are shared, never mutated).

        Stacks not decoded yet stay so unless ``stack_offsets`` changes alone.
        Raises TypeError for a name that is not a field.
        """
        unknown = changes.keys() - _FIELD_NAMES
        if unknown:
            raise TypeError(f"ProfileData has no field(s) {sorted(unknown)}")
        if "stack_offsets" in changes and "stack_locs" not in changes:
            changes["stack_locs"] = self.stack_locs
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name, value in changes.items():
            object.__setattr__(new, name, value)
        return new

    @property
    def stacks_decoded(self) -> bool:
        """False while ``stack_locs`` is still encoded (see the class docstring)."""
        return isinstance(self.__dict__["_stack_locs"], np.ndarray)

    def stack_locs_of(self, samples: np.ndarray) -> np.ndarray:
        """The stack entries of ``samples`` (sample indices), concatenated in that order:
        ``stack_locs[stack_offsets[i]:stack_offsets[i+1]]`` for each ``i`` in turn. Decodes only
        those stacks while ``stack_locs`` is still encoded."""
        src = self.__dict__["_stack_locs"]
        if not isinstance(src, np.ndarray):
            return src.decode(samples)
        off = self.stack_offsets
        per = off[samples + 1] - off[samples]
        total = int(per.sum())
        return src[np.repeat(off[samples] - (np.cumsum(per) - per), per) + np.arange(total)]

    def string(self, idx: int) -> str:
        return self.strings[idx]

    def slots(self) -> Slots:
        """The slot layout of the locations' lines (see :class:`Slots`)."""
        nlines = np.diff(self.loc_line_offsets)
        nslots = np.maximum(nlines, 1)
        offsets = np.concatenate(([0], np.cumsum(nslots))).astype(np.int64)
        loc = np.repeat(np.arange(nlines.size, dtype=np.int64), nslots)
        within = np.arange(int(offsets[-1]), dtype=np.int64) - offsets[loc]
        line = np.where(nlines[loc] > 0, self.loc_line_offsets[loc] + within, -1).astype(np.int64)
        return Slots(offsets, loc, within, line)

    def intern(self, s: str) -> tuple["ProfileData", int]:
        """Return ``(data, index)`` of ``s`` in the string table, appending it if missing."""
        try:
            return self, self.strings.index(s)
        except ValueError:
            return self.with_(strings=[*self.strings, s]), len(self.strings)


class _StackLocs:
    """The ``stack_locs`` attribute: an array, or a :class:`StackSource` decoded on first access."""

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__["_stack_locs"]
        if not isinstance(value, np.ndarray):
            value = value.decode_all()
            obj.__dict__["_stack_locs"] = value
        return value

    def __set__(self, obj, value) -> None:  # (the frozen dataclass's __init__ sets fields this way)
        obj.__dict__["_stack_locs"] = value


ProfileData.stack_locs = _StackLocs()  # after the dataclass is made, so the field has no default
_FIELD_NAMES = frozenset(f.name for f in fields(ProfileData))
