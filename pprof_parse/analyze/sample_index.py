"""Choosing the sample value a report uses (pprof's ``-sample_index``)."""

from __future__ import annotations

import re

from ..errors import SampleTypeError
from ..model.data import ProfileData

_INT = re.compile(r"[+-]?[0-9]+\Z")


def resolve_sample_index(data: ProfileData, sample_index: int | str | None) -> int:
    """Return the position of the sample type to report on.

    Mirrors pprof's ``Profile.SampleIndexByName``: ``None`` (or ``""``) means
    ``default_sample_type`` when the profile names one that exists, else the
    **last** sample type (Go heap -> ``inuse_space``, allocs -> ``alloc_space``,
    CPU -> ``cpu``); an integer (or a decimal string) is a position; a name
    matches a sample type's ``type``, also after stripping a legacy ``inuse_``
    prefix (``inuse_space`` selects a profile's ``space``).

    Raises
    ------
    SampleTypeError
        Position out of range, or an unknown name (the message lists the valid names).
    """
    types = [t.type for t in data.sample_types]
    if not types:
        raise SampleTypeError("profile has no sample types")
    if sample_index is None or sample_index == "":
        if data.default_sample_type and data.default_sample_type in types:
            return types.index(data.default_sample_type)
        return len(types) - 1
    if isinstance(sample_index, bool):
        raise SampleTypeError(f"sample_index {sample_index!r} must be a position or a sample type name")
    if isinstance(sample_index, int) or (isinstance(sample_index, str) and _INT.match(sample_index)):
        i = int(sample_index)
        if i < 0 or i >= len(types):
            raise SampleTypeError(f"sample_index {sample_index} is outside the range [0..{len(types) - 1}]")
        return i
    if not isinstance(sample_index, str):
        raise SampleTypeError(f"sample_index must be an int or a str, not {type(sample_index).__name__}")
    no_inuse = sample_index.removeprefix("inuse_")
    for i, t in enumerate(types):
        if t == sample_index or t == no_inuse:
            return i
    raise SampleTypeError(f"sample_index {sample_index!r} must be one of: [{' '.join(types)}]")
