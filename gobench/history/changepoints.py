"""``change_points``: where a benchmark's level changed in a history, confirmed as benchstat would."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from gopherlab_common.lazy import pd

from ..errors import GobenchError, OptionError
from ..stats._options import check_level
from ..stats.batch import medians_and_cis
from ..units import better_direction, tidy_unit
from .confirm import PairStats, compare_segments
from .segments import candidate_breaks

__all__ = ["change_points", "COLUMNS"]

#: The columns of :func:`change_points`' frame, in order.
COLUMNS = ("name", "unit", "commit", "before", "after", "delta_pct", "p", "direction", "persisting",
           "pkg", "order", "n_before", "n_after")

_NEEDED = ("fullname", "unit", "value", "commit", "order")


@dataclass
class _Series:
    """Every series' runs, sorted by (series, commit order, value), and its cells (one per commit)."""

    keys: list            # (pkg, fullname, unit) per series
    vals: np.ndarray      # the runs
    cstart: np.ndarray    # per cell: first run in vals
    ccount: np.ndarray    # per cell: number of runs
    corder: np.ndarray    # per cell: the commit's order
    soff: np.ndarray      # series s has cells soff[s]:soff[s+1]

    def value_range(self, s: int, a: int, b: int) -> tuple[int, int]:
        """The runs of cells ``a..b-1`` of series *s*: ``(start, count)`` in :attr:`vals`."""
        lo, hi = self.soff[s] + a, self.soff[s] + b - 1
        start = int(self.cstart[lo])
        return start, int(self.cstart[hi] + self.ccount[hi]) - start


def _units(history, unit) -> list[str] | None:
    if unit is None:
        return None
    units = [unit] if isinstance(unit, str) else list(unit)
    tidied = [tidy_unit(u)[0] for u in units]
    have = set(history["unit"].unique().tolist())
    if not set(tidied) & have:
        raise OptionError(f"unit={unit!r}: the history has only {sorted(have)}")
    return tidied


def _series(history, units) -> _Series:
    """Group the history's runs by (pkg, fullname, unit) and commit; NaN and ±inf are left out."""
    missing = [c for c in _NEEDED if c not in history.columns]
    if missing:
        raise GobenchError(f"change_points needs a history frame (gobench.read_history); missing columns {missing}")
    h = history if units is None else history[history["unit"].isin(units)]
    h = h[np.isfinite(h["value"].to_numpy(np.float64))]
    pkg = h["pkg"].fillna("").astype(str) if "pkg" in h.columns else pd.Series("", index=h.index)
    sid, keys = _series_ids([pkg, h["fullname"].astype(str), h["unit"].astype(str)])
    order = h["order"].to_numpy(np.int64)
    values = h["value"].to_numpy(np.float64)
    cell = sid * (int(order.max()) + 1 if len(order) else 1) + order   # one key per (series, commit)
    o = np.lexsort((values, cell))
    sid, order, vals, cell = sid[o], order[o], values[o], cell[o]
    new = np.ones(len(vals), dtype=bool)
    new[1:] = cell[1:] != cell[:-1]
    cstart = np.flatnonzero(new)
    ccount = np.diff(np.append(cstart, len(vals)))
    soff = np.searchsorted(sid[cstart], np.arange(len(keys) + 1))
    return _Series(keys, vals, cstart, ccount, order[cstart], soff)


def _series_ids(columns) -> tuple[np.ndarray, list[tuple]]:
    """Dense ids of the rows' (pkg, fullname, unit) in sorted key order, and the keys.

    Each column is factorized on its own (sorted codes), the codes combined into one
    integer: much faster than factorizing tuples of strings."""
    codes, uniques = zip(*(pd.factorize(c, sort=True) for c in columns))
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for c, u in zip(codes, uniques):
        combined = combined * len(u) + c
    _, first_row, sid = np.unique(combined, return_index=True, return_inverse=True)
    keys = [tuple(u[c[i]] for c, u in zip(codes, uniques)) for i in first_row.tolist()]
    return sid.reshape(-1), keys


def _candidates(ser: _Series) -> dict[int, list[int]]:
    """Series -> candidate breaks (cell indices) from the per-commit medians (:mod:`.segments`)."""
    if len(ser.cstart) == 0:
        return {}
    medians = medians_and_cis(ser.vals, ser.cstart, ser.ccount, 0.95)[0]
    found = {}
    for s in range(len(ser.keys)):
        breaks = candidate_breaks(medians[ser.soff[s]:ser.soff[s + 1]])
        if breaks:
            found[s] = breaks
    return found


def _pairs(ser: _Series, breaks: dict[int, list[int]], last: bool = False):
    """For every break of every series, the runs of the segment before it and of the one
    after it (or, with *last*, of the series' last segment): ``(who, left, right)``."""
    who, left, right = [], ([], []), ([], [])
    for s, bs in breaks.items():
        bounds = [0, *bs, int(ser.soff[s + 1] - ser.soff[s])]
        for j in range(1, len(bounds) - 1):
            a = ser.value_range(s, bounds[j - 1], bounds[j])
            b = ser.value_range(s, bounds[-2] if last else bounds[j], bounds[-1] if last else bounds[j + 1])
            who.append((s, j - 1))
            for side, (st, n) in ((left, a), (right, b)):
                side[0].append(st)
                side[1].append(n)
    return who, left, right


def _passes(st: PairStats, alpha: float, min_delta_pct: float | None) -> np.ndarray:
    """benchstat's verdict of a pair: p ≤ alpha, the two medians' intervals apart,
    and (if asked) a change of at least *min_delta_pct* percent."""
    apart = (st.before_hi < st.after_lo) | (st.after_hi < st.before_lo)
    ok = (st.p <= alpha) & apart
    if min_delta_pct is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            ok &= np.abs(_delta_pct(st)) >= min_delta_pct
    return ok


def _delta_pct(st: PairStats) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (st.after / st.before - 1.0) * 100.0


def _confirm(ser, breaks, alpha, confidence, min_delta_pct):
    """Drop unconfirmed candidates, the least significant of each series first, re-testing
    the merged neighbours, until every remaining break passes (:func:`_passes`)."""
    breaks = {s: list(b) for s, b in breaks.items()}
    while True:
        who, left, right = _pairs(ser, breaks)
        if not who:
            return breaks, who, None
        st = compare_segments(ser.vals, left, right, confidence=confidence, alpha=alpha)
        ok = _passes(st, alpha, min_delta_pct)
        if ok.all():
            return breaks, who, st
        worst: dict[int, tuple[float, int]] = {}
        for i in np.flatnonzero(~ok).tolist():
            s, j = who[i]
            if s not in worst or st.p[i] > worst[s][0]:
                worst[s] = (float(st.p[i]), j)
        for s, (_, j) in worst.items():
            del breaks[s][j]
            if not breaks[s]:
                del breaks[s]


def _persisting(ser, breaks, st, alpha, confidence, min_delta_pct) -> np.ndarray:
    """Per confirmed break: the last segment still differs from the one before the break,
    the same way and by benchstat's verdict (:func:`_passes`)."""
    _, left, right = _pairs(ser, breaks, last=True)
    last = compare_segments(ser.vals, left, right, confidence=confidence, alpha=alpha)
    same_way = np.sign(last.after - last.before) == np.sign(st.after - st.before)
    return _passes(last, alpha, min_delta_pct) & same_way


def _frame(ser, who, breaks, st, persisting, commit_of, better_of):
    """The result rows, in series order then commit order."""
    rows = []
    delta = _delta_pct(st)
    for i, (s, j) in enumerate(who):
        pkg, name, unit = ser.keys[s]
        b = breaks[s][j]
        order = int(ser.corder[ser.soff[s] + b])
        worse = st.after[i] > st.before[i] if better_of(unit) == "lower" else st.after[i] < st.before[i]
        _, n_before = ser.value_range(s, ([0] + breaks[s])[j], b)
        _, n_after = ser.value_range(s, b, (breaks[s] + [int(ser.soff[s + 1] - ser.soff[s])])[j + 1])
        rows.append((name, unit, commit_of[order], float(st.before[i]), float(st.after[i]), float(delta[i]),
                     float(st.p[i]), "regression" if worse else "improvement", bool(persisting[i]),
                     pkg or None, order, n_before, n_after))
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype({"order": "int64", "n_before": "int64",
                                                             "n_after": "int64", "persisting": bool})


def _check_options(alpha, min_delta_pct):
    check_level("alpha", alpha)
    if not alpha > 0:
        raise OptionError(f"alpha={alpha!r}: must be above 0")
    if min_delta_pct is not None and not (isinstance(min_delta_pct, (int, float))
                                          and math.isfinite(min_delta_pct) and min_delta_pct >= 0):
        raise OptionError(f"min_delta_pct={min_delta_pct!r}: want None or a finite percentage ≥ 0")


def change_points(history, *, unit=None, alpha: float = 0.05, min_delta_pct: float | None = None):
    """The commits where a benchmark's level changed, each confirmed with benchstat's statistics.

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`gobench.read_history`'s frame (columns ``fullname``, ``unit``,
        ``value``, ``commit``, ``order``; ``pkg`` when present tells packages apart).
        Every run of a commit counts (``go test -count``); NaN and infinite values
        are left out.
    unit : str or list of str, optional
        Only these units (tidied as benchstat does: ``ns/op`` means ``sec/op``);
        default every unit.
    alpha : float, default 0.05
        The U test's level; the median intervals are at confidence ``1 - alpha``.
    min_delta_pct : float, optional
        Also require the medians to differ by at least this many percent.

    Returns
    -------
    pandas.DataFrame
        One row per confirmed change, by (pkg, name, unit), then commit order:

        ==========  =======  ===================================================
        name        str      the full benchmark name as benchstat prints it
                             (``Sum/size=1KiB-2``)
        unit        str      tidied unit (``sec/op``, ``B/op``, ``B/s``…)
        commit      str      the first commit at the new level
        before      float64  median of the runs of the segment before the change
        after       float64  median of the runs of the segment after it
        delta_pct   float64  ``(after / before - 1) · 100``
        p           float64  two-sided Mann–Whitney U test, before vs after
        direction   str      ``regression`` or ``improvement`` (``Unit … better=``
                             metadata, else lower is better except for rates, as
                             :func:`gobench.units.better_direction`)
        persisting  bool     the last segment still differs from *before*, the
                             same way, by the same test (the change is still there
                             at the last commit)
        pkg         str      the ``pkg:`` configuration, None without one
        order       int64    the commit's ``order``
        n_before    int64    runs in the segment before
        n_after     int64    runs in the segment after
        ==========  =======  ===================================================

    Raises
    ------
    gobench.errors.OptionError
        ``alpha`` not in (0, 1], a negative or non-finite ``min_delta_pct``, or a
        ``unit`` the history does not have.
    gobench.errors.GobenchError
        *history* lacks the columns above.

    Notes
    -----
    **Method.** Per (pkg, benchmark, unit), the per-commit medians (benchstat's
    median of each commit's runs) are segmented by **ruptures** (Truong, Oudre &
    Vayatis 2020): exact PELT with the least-squares cost on the log medians in
    units of their commit-to-commit noise (odd single commits held back by a
    Hampel filter), a penalty of 6 ln T per change and segments of at least three
    commits (:mod:`gobench.history.segments` says why and how it was calibrated).
    ruptures was chosen because it needs only numpy and scipy; the other
    maintained change-point libraries do not fit a package on numpy ≥ 2
    (``apache-otava`` 0.8, the former Hunter that implements MongoDB's E-divisive
    means, pins ``numpy==2.2`` and pulls BigQuery, Postgres and Slack clients;
    ``signal-processing-algorithms`` 2.1.6 needs ``numpy<2``).  E-divisive means
    was not re-written here: with a confirmation step on the raw runs, a
    least-squares search on medians is enough, and it is exact and fast.

    **Confirmation.** Each candidate splits the commits into the segment before it
    and the one after it (up to the neighbouring candidates).  All runs of each
    segment are pooled and compared as benchstat compares two columns
    (:mod:`gobench.stats`): the change stands when the U test's p ≤ ``alpha``
    *and* the two medians' confidence intervals do not overlap (the test the Go
    performance dashboard scores regressions by), and, if given, the change is at
    least ``min_delta_pct``.  Candidates that fail are dropped one per benchmark at
    a time (the least significant first) and the merged neighbours re-tested, so
    every reported change is judged between the segments that remain.

    **Noise.** Pure noise is not flagged: the penalty is scaled by the noise of
    the per-commit medians, one or two slow commits cannot form a segment, and a
    candidate must also separate the pooled runs' intervals.  A change in the
    last two commits is not reported yet (it needs three commits at the new level).  A benchmark with
    too few runs for a 95 % interval on either side (fewer than 6) is never
    reported; one commit or fewer than four give no change points.

    Every unit is tested as above, ``Unit … assume=exact`` ones too (benchstat
    skips the test for them; in a history an exact value either moves between
    segments or does not, and the intervals of constant segments are points).

    ``GOPHERLAB_ENGINE=reference`` runs ruptures' plain ``Pelt`` and benchstat's
    statistics one pair at a time: the same frame (tested).
    """
    _check_options(alpha, min_delta_pct)
    ser = _series(history, _units(history, unit))
    confidence = 1.0 - alpha
    breaks, who, st = _confirm(ser, _candidates(ser), alpha, confidence, min_delta_pct)
    if not who:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(COLUMNS, (
            object, object, object, float, float, float, float, object, bool, object, "int64", "int64", "int64"))})
    persisting = _persisting(ser, breaks, st, alpha, confidence, min_delta_pct)
    firsts = history.drop_duplicates("order")
    commit_of = dict(zip(firsts["order"].tolist(), firsts["commit"].tolist()))
    meta = history.attrs.get("units", {})
    return _frame(ser, who, breaks, st, persisting, commit_of,
                  lambda u: better_direction(u, meta.get(f"{u}:better")))
