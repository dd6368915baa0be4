"""The columnar in-memory form of a profile (the ``model`` stage).

:class:`ProfileData` mirrors profile.proto with ids resolved to row indices
and every per-sample quantity held in flat numpy arrays. Strings stay indices
into :attr:`ProfileData.strings` (the profile's string table), so grouping by
function or file is integer work; :class:`pprof_parse.Profile` turns them into
categorical DataFrame columns on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

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
    """

    strings: list[str]
    sample_types: tuple[ValueType, ...]
    default_sample_type: str
    values: np.ndarray
    stack_offsets: np.ndarray
    stack_locs: np.ndarray
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
        """Return a copy with some fields replaced (arrays are shared, never mutated)."""
        return replace(self, **changes)

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
