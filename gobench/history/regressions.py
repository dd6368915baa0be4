"""``regression_table``: one row per benchmark and unit of a history, the worst lasting regression first.

The rows are :func:`gobench.history.change_points`' confirmed changes, summed up per
(pkg, benchmark, unit), and a measure of how noisy the benchmark is: the median over
its commits of benchstat's ``±`` (the half-width of the median's confidence
interval, in percent of the median, as benchstat prints it).  A benchmark whose
``±`` is wider than the changes sought cannot show such a change commit by commit,
so it is flagged ``too noisy`` instead of being judged; the Go performance
dashboard's rule is the same idea (a change counts when the intervals either side
separate).
"""
from __future__ import annotations

import math

import numpy as np
from gopherlab_common.lazy import pd

from ..errors import OptionError
from ..stats.batch import medians_and_cis
from .changepoints import _check_options, _series, _units, change_points

__all__ = ["regression_table", "noise_pct", "REGRESSION_COLUMNS", "STATUSES", "DEFAULT_SOUGHT_PCT"]

#: The columns of :func:`regression_table`'s frame, in order.
REGRESSION_COLUMNS = ("name", "unit", "status", "delta_pct", "commit", "before", "after", "p", "noise_pct",
                      "noisy", "changes", "commits", "pkg")

#: ``status`` values, in the order rows are sorted by.
STATUSES = ("regression", "improvement", "unchanged", "too noisy")

#: The changes sought, in percent, when neither ``min_delta_pct`` nor ``sought_pct`` is given.
DEFAULT_SOUGHT_PCT = 5.0


def _pct_range(center: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """benchstat's ``±`` as a number: ``max(hi/center − 1, 1 − lo/center) · 100`` per cell;
    NaN where benchstat prints ``∞`` or ``?`` (too few runs, bounds of another sign)
    (``gobench.stats.summary.pct_range_string``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.maximum(hi / center - 1.0, 1.0 - lo / center) * 100.0
    same_sign = ((center > 0) & (lo > 0) & (hi > 0)) | ((center < 0) & (lo < 0) & (hi < 0))
    ok = np.isfinite(lo) & np.isfinite(hi) & same_sign
    zero = (center == 0) & (lo == 0) & (hi == 0)
    return np.where(zero, 0.0, np.where(ok, v, np.nan))


def noise_pct(history, *, unit=None, confidence: float = 0.95):
    """How wide each benchmark's per-commit interval is: the median over its commits of benchstat's ``±``.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`gobench.read_history`'s frame.
    unit : str or list of str, optional
        As for :func:`~gobench.history.change_points`.
    confidence : float, default 0.95
        Level of the median's interval (benchstat's ``-confidence``).

    Returns
    -------
    pandas.DataFrame
        One row per (pkg, name, unit): ``pkg`` (None without one), ``name``, ``unit``,
        ``noise_pct`` (float64, percent; NaN when no commit has the runs an interval
        needs: 6 at 95 %), ``commits`` (int64, commits with runs).

    Raises
    ------
    gobench.errors.OptionError, gobench.errors.GobenchError
        As :func:`~gobench.history.change_points`.
    """
    ser = _series(history, _units(history, unit))
    if len(ser.cstart) == 0:
        return pd.DataFrame({"pkg": [], "name": [], "unit": [], "noise_pct": pd.Series(dtype=float),
                             "commits": pd.Series(dtype="int64")})
    center, lo, hi = medians_and_cis(ser.vals, ser.cstart, ser.ccount, confidence)
    pct = _pct_range(center, lo, hi)
    rows = []
    for s, (pkg, name, u) in enumerate(ser.keys):
        cells = pct[ser.soff[s]:ser.soff[s + 1]]
        finite = cells[np.isfinite(cells)]
        rows.append((pkg or None, name, u, float(np.median(finite)) if len(finite) else math.nan,
                     int(ser.soff[s + 1] - ser.soff[s])))
    return pd.DataFrame(rows, columns=["pkg", "name", "unit", "noise_pct", "commits"]).astype({"commits": "int64"})


def _worst(changes, noise: float, noisy: bool):
    """The changes of one benchmark that count, and its status: persisting changes, and for a
    too-noisy benchmark only those larger than its noise. Returns ``(status, row or None)``:
    the worst persisting regression, else the largest persisting improvement."""
    kept = changes[changes["persisting"]]
    if noisy:
        kept = kept[np.abs(kept["delta_pct"]) > noise]
    for status in ("regression", "improvement"):
        rows = kept[kept["direction"] == status]
        if len(rows):
            return status, rows.loc[np.abs(rows["delta_pct"]).idxmax()]
    return ("too noisy" if noisy else "unchanged"), None


def _rows(noise, changes, sought: float):
    """One tuple per benchmark and unit (:data:`REGRESSION_COLUMNS` order)."""
    pkg = changes["pkg"].astype(object).fillna("")
    by_key = {k: g for k, g in changes.groupby([pkg, changes["name"], changes["unit"]], sort=False)}
    empty = changes.iloc[:0]
    out = []
    for r in noise.itertuples(index=False):
        mine = by_key.get((r.pkg or "", r.name, r.unit), empty)
        noisy = bool(r.noise_pct > sought)       # NaN (no interval) is not judged noisy
        status, w = _worst(mine, r.noise_pct, noisy)
        picked = (math.nan, None, math.nan, math.nan, math.nan) if w is None else (
            float(w["delta_pct"]), w["commit"], float(w["before"]), float(w["after"]), float(w["p"]))
        out.append((r.name, r.unit, status, *picked, r.noise_pct, noisy, len(mine), r.commits, r.pkg))
    return out


def _sorted(df):
    """Regressions first, worst (largest |delta|) first; then improvements, unchanged, too noisy."""
    rank = df["status"].map({s: i for i, s in enumerate(STATUSES)})
    size = -np.abs(df["delta_pct"].to_numpy(np.float64))
    return (df.assign(_r=rank, _s=np.nan_to_num(size, nan=0.0, neginf=-np.inf))
            .sort_values(["_r", "_s", "name", "unit"], kind="stable").drop(columns=["_r", "_s"])
            .reset_index(drop=True))


def regression_table(history, changes=None, *, unit=None, alpha: float = 0.05, min_delta_pct: float | None = None,
                sought_pct: float | None = None):
    """Every benchmark and unit of a history judged once: its worst lasting regression, or why there is none.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`gobench.read_history`'s frame.
    changes : pandas.DataFrame, optional
        :func:`~gobench.history.change_points`' frame; default: computed here with
        *unit*, *alpha* and *min_delta_pct*.
    unit, alpha, min_delta_pct
        As for :func:`~gobench.history.change_points` (the intervals are at
        confidence ``1 - alpha``).
    sought_pct : float, optional
        The smallest change worth finding, in percent: a benchmark whose noise
        (``noise_pct``) is wider is ``noisy``.  Default *min_delta_pct*, else
        :data:`DEFAULT_SOUGHT_PCT` (5 %).

    Returns
    -------
    pandas.DataFrame
        One row per (pkg, name, unit), sorted by ``status`` (:data:`STATUSES`
        order), then by ``|delta_pct|``, largest first:

        ==========  =======  ===================================================
        name        str      full benchmark name (``Sum/size=1KiB-2``)
        unit        str      tidied unit
        status      str      ``regression``: a persisting change in the bad
                             direction; ``improvement``: a persisting change,
                             none bad; ``unchanged``: no persisting change;
                             ``too noisy``: ``noisy`` and no persisting change
                             larger than the noise
        delta_pct   float64  the worst persisting regression's change (the
                             largest improvement's for ``improvement``), NaN
                             otherwise; signed as ``change_points``' (a
                             regression of a rate is negative)
        commit      str      its first commit at the new level (None without)
        before      float64  segment medians either side, and the U test's p
        after, p             (``change_points``' columns)
        noise_pct   float64  median over commits of benchstat's ``±`` of the
                             commit's runs, percent (NaN: no commit has runs
                             enough for an interval, 6 at 95 %)
        noisy       bool     ``noise_pct > sought_pct``
        changes     int64    confirmed changes (persisting or not)
        commits     int64    commits with runs
        pkg         str      the ``pkg:`` configuration, None without one
        ==========  =======  ===================================================

        ``attrs``: ``sought_pct``, ``alpha``.

    Raises
    ------
    gobench.errors.OptionError
        As :func:`~gobench.history.change_points`; a negative or non-finite ``sought_pct``.
    gobench.errors.GobenchError
        *history* lacks :func:`~gobench.history.change_points`' columns.

    Notes
    -----
    A noisy benchmark's changes still count when they exceed its noise: a +60 %
    step of a benchmark whose commits scatter ±10 % is a finding, a +4 % one is not.
    A change that did not last to the last commit (``persisting`` False, e.g.
    reverted) sets no status; ``changes`` counts it.  The revert itself lasts: a
    benchmark slower from one commit and back from a later one is an
    ``improvement`` at the later commit (as :func:`~gobench.history.change_points`
    judges persistence: the last segment against the one just before the change).
    """
    _check_options(alpha, min_delta_pct)
    sought = sought_pct if sought_pct is not None else (
        min_delta_pct if min_delta_pct is not None else DEFAULT_SOUGHT_PCT)
    if not (isinstance(sought, (int, float)) and math.isfinite(sought) and sought >= 0):
        raise OptionError(f"sought_pct={sought_pct!r}: want a finite percentage ≥ 0")
    if changes is None:
        changes = change_points(history, unit=unit, alpha=alpha, min_delta_pct=min_delta_pct)
    noise = noise_pct(history, unit=unit, confidence=1.0 - alpha)
    df = pd.DataFrame(_rows(noise, changes, float(sought)), columns=list(REGRESSION_COLUMNS))
    df = df.astype({"changes": "int64", "commits": "int64", "noisy": bool, "delta_pct": float,
                    "before": float, "after": float, "p": float, "noise_pct": float, "commit": object, "pkg": object})
    for c in ("commit", "pkg"):
        df[c] = df[c].where(df[c].notna(), None)
    df = _sorted(df)
    df.attrs.update(sought_pct=float(sought), alpha=alpha)
    return df
