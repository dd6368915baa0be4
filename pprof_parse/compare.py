"""Comparing :class:`~pprof_parse.Profile` objects: :func:`merge`, :func:`diff`, :func:`delta_table`.

The facade over :mod:`pprof_parse.analyze.merge` (which merges and subtracts the columnar
``ProfileData`` with pprof's semantics; the rules and their sources are listed there):

* :func:`merge` is ``go tool pprof p1 p2 ...``;
* :func:`diff` is ``-diff_base`` / ``-base`` with optional ``-normalize``;
* :func:`delta_table` is the per-function comparison people read: base, new,
  delta and delta % per node, sorted by |delta| (``present``'s top table of each side).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from .analyze.merge import combine, prepare_diff, subtract
from .analyze.sample_index import resolve_sample_index
from .errors import OptionError
from .model.data import ProfileData
from .present.top import top_table
from .profile import Profile

__all__ = ["delta_table", "diff", "merge"]


def _datas(profiles) -> list[ProfileData]:
    """One Profile (or ProfileData) or an iterable of them, as a non-empty list of ProfileData."""
    if isinstance(profiles, (Profile, ProfileData)):
        profiles = [profiles]
    out = [p.data if isinstance(p, Profile) else p for p in profiles]
    if not out:
        raise OptionError("no profiles to merge")
    return out


def merge(profiles: Iterable) -> Profile:
    """Merge profiles as ``go tool pprof p1 p2 ...`` does.

    Parameters
    ----------
    profiles : iterable of Profile
        One or more profiles (e.g. several heap snapshots, CPU profiles of
        several runs or hosts).

    Returns
    -------
    Profile
        Sample types common to all (by name, first profile's order) in the
        finest unit; equal (stack, labels) samples summed; all-zero samples
        dropped; ids renumbered; earliest time, summed durations, largest
        period.

    Raises
    ------
    SampleTypeError
        No common sample type, incompatible units, or different period types.
    """
    ps = list(profiles) if not isinstance(profiles, Profile) else [profiles]
    ds = _datas(ps)
    src = ps[0].source if len(ps) == 1 else "merge(" + ", ".join(str(getattr(p, "source", "?")) for p in ps) + ")"
    return Profile(combine(ds), source=src)


def diff(profile, base, *, normalize: bool = False, mode: str = "diff_base") -> Profile:
    """Compare with a base profile as ``go tool pprof -diff_base=base`` (or ``-base``) does.

    Parameters
    ----------
    profile, base : Profile or list of Profile
        Several profiles on either side are merged first, as pprof's driver
        merges its sources and its base list. (``go tool pprof``'s command
        line keeps only the last ``-base``/``-diff_base`` flag: its flag set
        stores one string per list flag.)
    normalize : bool
        pprof's ``-normalize``: scale the source per sample type by
        Σbase/Σsource (rounded with Go's ``math.Round``) before subtracting.
    mode : {"diff_base", "base"}
        ``"diff_base"``: base samples keep the label ``pprof::base=true``, so
        they never cancel against source samples and reports use Σ|base| as
        the total (percentages relative to the base). ``"base"``: plain
        subtraction; equal stacks cancel and vanish, the total is Σ|merged|
        (meant for cumulative profiles taken later from the same process).

    Returns
    -------
    Profile
        source + (−1 × base), merged (``top()`` shows negative values for
        what shrank). ``to_proto`` keeps the ``pprof::base`` labels, so
        ``go tool pprof`` reports the written file as the original diff.

    Raises
    ------
    SampleTypeError
        The profiles cannot be merged (different sample or period types).
    OptionError (a ValueError)
        Unknown ``mode``.
    """
    data = subtract(_datas(profile), _datas(base), normalize=normalize, mode=mode)
    return Profile(data, source=f"diff({_name(profile)} - {_name(base)})")


def _name(x) -> str:
    if isinstance(x, (list, tuple)):
        return "+".join(_name(p) for p in x)
    return str(getattr(x, "source", "?"))


def delta_table(profile, base, sample_index=None, *, normalize: bool = False, granularity: str = "functions",
                cum: bool = False) -> pd.DataFrame:
    """Per-node comparison of two profiles: ``base``, ``new``, ``delta``, ``delta_pct``.

    Parameters
    ----------
    profile, base : Profile or list of Profile
        The newer profile(s) and the base (merged first when lists).
    sample_index : int or str, optional
        As :meth:`Profile.top` (default: the source's default sample type).
    normalize : bool
        Scale the new profile to the base's totals first (pprof ``-normalize``).
    granularity : str
        Node granularity, as :meth:`Profile.top`.
    cum : bool
        Compare cumulative values instead of flat ones.

    Returns
    -------
    pandas.DataFrame
        Index ``name`` (pprof's node name); columns ``base``, ``new``,
        ``delta`` (= new − base, in the sample type's unit) and ``delta_pct``
        (100 × delta / |base|; ±inf for nodes absent from the base), sorted by
        |delta| descending, then name. The values are exactly pprof's flat
        (or cum) of the two sides of ``-diff_base`` (``diff(...).top()``
        sums both sides into one number per node). ``attrs`` holds
        ``sample_type``, ``unit``, ``base_total`` and ``new_total``.
    """
    p, pb = prepare_diff(_datas(profile), _datas(base), normalize=normalize, mode="base")
    si = resolve_sample_index(p, sample_index)
    col = "cum" if cum else "flat"
    tn = top_table(p, si, granularity=granularity)
    tb = top_table(pb, si, granularity=granularity)
    new = tn.groupby("name", sort=False)[col].sum()
    old = tb.groupby("name", sort=False)[col].sum()
    df = pd.concat({"base": old, "new": new}, axis=1).fillna(0).astype(np.int64)
    df["delta"] = df["new"] - df["base"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * df["delta"].to_numpy(np.float64) / np.abs(df["base"].to_numpy(np.float64))
    df["delta_pct"] = np.where((df["base"] == 0) & (df["delta"] == 0), 0.0, pct)
    df = df[(df["base"] != 0) | (df["new"] != 0)]
    df.index.name = "name"
    order = np.lexsort((df.index.to_numpy(str), -np.abs(df["delta"].to_numpy())))
    df = df.iloc[order]
    st = p.sample_types[si]
    df.attrs.update(sample_type=st.type, unit=st.unit, base_total=int(np.abs(pb.values[:, si]).sum()) if pb.n_samples else 0,
                    new_total=int(np.abs(p.values[:, si]).sum()) if p.n_samples else 0)
    return df
