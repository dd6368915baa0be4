"""A profile for profile-guided optimisation: what ``go build -pgo=PATH`` accepts.

:func:`pgo` merges CPU profiles (pprof's merge, optionally weighted with pprof's
``Profile.ScaleN``), checks the result against the rules of the Go compiler's PGO
reader and writes it as gzip profile.proto. The rules, from ``cmd/internal/pgo``
(``FromPProf`` and ``createNamedEdgeMap``, Go 1.21+), which ``go build`` runs through
``go tool preprofile``:

* the profile must hold a sample type ``samples/count`` or ``cpu/nanoseconds`` (the
  first of them is the edge weight); a profile without one is an error ("profile does
  not contain a sample index with value/type ...") -- the error users hit with a
  merged profile that lost its CPU sample types (grafana/pyroscope#2233);
* some function must carry ``Function.start_line`` (Go 1.20+ writes it): the
  compiler keys call edges by line offset from the function's start;
* a profile without samples of non-zero weight is accepted but changes nothing.

Here the first two are :class:`PgoProfileError`, raised before anything is written,
and so is the third (asking for PGO and getting none is a mistake worth saying), and
negative values (a ``diff`` profile: the compiler would add them up as weights).
"""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

from ..analyze.merge import scale_n
from ..compare import merge
from ..errors import OptionError, PprofParseError
from ..profile import Profile
from ..reader import read_profile

__all__ = ["PgoProfileError", "pgo", "pgo_sample_index"]

#: the sample types the Go compiler weighs call edges by, in its order of preference
#: within a profile (cmd/internal/pgo.FromPProf takes the first one present)
PGO_SAMPLE_TYPES = (("samples", "count"), ("cpu", "nanoseconds"))


class PgoProfileError(PprofParseError, ValueError):
    """A profile ``go build -pgo`` would refuse or ignore; the message says which
    profile (its source) and which of the compiler's rules it breaks."""


def pgo(profiles, path=None, *, weights: Sequence[float] | None = None, compresslevel: int = 6) -> Profile:
    """Merge CPU profiles into one that ``go build -pgo=PATH`` accepts, and write it.

    Parameters
    ----------
    profiles : Profile, path, or iterable of Profile / path
        CPU profiles (``/debug/pprof/profile``, ``-cpuprofile``), or one profile
        merged already (``store.merge(where=...)``). Paths are read with
        :func:`~pprof_parse.read_profile`.
    path : str, os.PathLike, binary file or None
        Where to write the gzip profile.proto (``default.pgo`` in the main
        package's directory is what ``go build -pgo=auto`` picks up); None
        writes nothing (:meth:`Profile.to_proto` writes it later).
    weights : sequence of float, optional
        One factor per profile, applied before merging as pprof's
        ``Profile.ScaleN`` does (``value = math.Round(value * w)``, samples left
        at 0 dropped). The merge is a plain sum of samples, so a profile of a
        longer window counts more; the Go PGO guide asks for windows of equal
        length, and ``weights`` (e.g. ``1/duration``) evens them out.
    compresslevel : int
        gzip level of the written file (0-9, default 6).

    Returns
    -------
    Profile
        The merged profile that was written (pprof's merge rules: sample types
        common to all, equal stacks summed, earliest time, summed durations).

    Raises
    ------
    PgoProfileError
        A profile without a ``samples/count`` or ``cpu/nanoseconds`` sample type
        (a heap, mutex or goroutine profile, or a merge that dropped them);
        no ``Function.start_line`` anywhere (a Go before 1.20); no sample with
        a non-zero CPU value; negative values (a diff profile).
    OptionError
        No profiles, or ``weights`` not one finite number ≥ 0 per profile.
    SampleTypeError
        The CPU profiles cannot be merged (different period types).
    """
    inputs = _as_profiles(profiles)
    for prof in inputs:
        pgo_sample_index(prof)
    merged = merge(_weighted(inputs, weights))
    _check_weights_usable(merged)
    if path is not None:
        merged.to_proto(path, compresslevel=compresslevel)
    return merged


def pgo_sample_index(profile: Profile) -> int:
    """The sample index the Go compiler weighs this profile's call edges by.

    The first sample type that is ``samples/count`` or ``cpu/nanoseconds``
    (cmd/internal/pgo.FromPProf: "Samples count is the raw data collected, and
    CPU nanoseconds is just a scaled version of it").

    Raises
    ------
    PgoProfileError
        The profile has neither (the compiler's "profile does not contain a
        sample index with value/type samples/count or cpu/nanoseconds").
    """
    for i, vt in enumerate(profile.sample_types):
        if (vt.type, vt.unit) in PGO_SAMPLE_TYPES:
            return i
    have = ", ".join(f"{vt.type}/{vt.unit}" for vt in profile.sample_types) or "none"
    raise PgoProfileError(
        f"{profile.source}: not a CPU profile: go build -pgo needs a sample type samples/count or "
        f"cpu/nanoseconds to weigh call edges, this profile has {have}")


def _as_profiles(profiles) -> list[Profile]:
    """Step 1: the inputs as a non-empty list of Profile (paths read)."""
    if isinstance(profiles, (Profile, str, os.PathLike)):
        profiles = [profiles]
    out = [p if isinstance(p, Profile) else read_profile(p) for p in profiles]
    if not out:
        raise OptionError("pgo: no profiles given")
    return out


def _weighted(inputs: list[Profile], weights: Sequence[float] | None) -> list[Profile]:
    """Step 2: each profile scaled by its weight (pprof's ScaleN on every sample type)."""
    if weights is None:
        return inputs
    ws = list(weights)
    if len(ws) != len(inputs):
        raise OptionError(f"pgo: {len(ws)} weights for {len(inputs)} profiles")
    for w in ws:
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise OptionError(f"pgo: weights must be finite numbers >= 0, not {w!r}")
    return [p if w == 1 else Profile(scale_n(p.data, [float(w)] * len(p.sample_types)), source=p.source)
            for p, w in zip(inputs, ws)]


def _check_weights_usable(merged: Profile) -> None:
    """Step 3: the merged profile gives the compiler edge weights it can use."""
    data = merged.data
    col = data.values[:, pgo_sample_index(merged)] if data.n_samples else np.zeros(0, np.int64)
    if (col < 0).any():
        raise PgoProfileError(f"{merged.source}: negative sample values (a diff profile?): the compiler "
                              "would sum them into call-edge weights")
    if not (col > 0).any():
        raise PgoProfileError(f"{merged.source}: no CPU samples: go build -pgo would accept it and optimise nothing")
    if not (data.func_start_line != 0).any():
        raise PgoProfileError(f"{merged.source}: no function has start_line (profiles from Go 1.20+ have it): "
                              "go build -pgo keys call edges by line offset from the function's start")
