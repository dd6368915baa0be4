"""Rank goroutine groups by how likely they leak, from several snapshots of one process.

Goroutines are grouped by ``(top_function, entry_function)`` -- the leaf-most
non-runtime frame and the goroutine's start function -- a key every form
(``debug=2``, ``debug=1``, proto) carries, so a series may mix forms.  The
evidence per group: its count in each snapshot and the growth per minute
(least squares), monotonicity, the wait state, ``, N minutes``, goroutineleak
profile hits and ``(leaked)`` flags, and certain leaks (nil-channel operations,
``select {}`` outside ``main``).  Runtime-internal goroutines are dropped, and
goleak-style ignore lists apply.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from pprof_parse.errors import OptionError
from pprof_parse.runtime.goroutines import read_goroutines
from pprof_parse.runtime.inputs import series_sources
from pprof_parse.runtime.options import check_count, check_names, check_number, check_positive

__all__ = ["find_leaks", "leak_timeseries", "DEFAULT_IGNORE"]

#: Top functions of goroutines that are never leaks (goleak's built-in filters:
#: the os/signal loop, the testing framework, runtime/trace).
DEFAULT_IGNORE = (
    "os/signal.signal_recv", "os/signal.loop", "testing.RunTests", "testing.(*T).Run",
    "testing.(*T).Parallel", "testing.runFuzzing", "testing.runFuzzTests", "testing.tRunner",
    "runtime/trace.Start.func1", "runtime.ReadTrace",
)

_CERTAIN = {"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)"}
# states in which being parked for minutes is itself suspicious (unlike an idle
# worker in "chan receive"/"select", or "IO wait" on an idle connection)
_STRONG = {"chan send", "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock",
           "sync.WaitGroup.Wait", "sync.Cond.Wait", "semacquire"}
_ACTIVE = {"running", "runnable", "syscall", "preempted", "copystack"}


def _as_frame(s):
    if isinstance(s, pd.DataFrame):
        return s
    return read_goroutines(s)


def _snapshot_time(df: pd.DataFrame) -> float:
    t = df.attrs.get("time")
    if t is not None and not pd.isna(t):
        return pd.Timestamp(t).timestamp()
    m = df.attrs.get("mtime")
    return float(m) if m is not None else np.nan


def find_leaks(snapshots=None, *, text=None, times=None, interval: float | None = None, ignore_top_functions=(), ignore_created_by=(),
               ignore_any_function=(), default_ignore: bool = True, min_increase: int = 3,
               min_growth_per_min: float = 1.0, long_blocked_minutes: int = 10, large_group: int = 100,
               large_group_minutes: int = 1) -> pd.DataFrame:
    """Rank goroutine groups by leak likelihood across snapshots of one process.

    Parameters
    ----------
    snapshots : sequence of path, bytes, file object, Profile or DataFrame
        Goroutine dumps (``debug=2``, panics, SIGQUIT), ``debug=1`` text or
        proto goroutine profiles, in time order; ``goroutineleak`` profiles may
        be mixed in (they count as evidence, not as a snapshot of all goroutines).
        Each is what :func:`read_goroutines` takes (a ``str`` is a path) or its
        frame.
    text : sequence of str, keyword-only
        The snapshots' text (dumps or ``debug=1`` profiles), instead of ``snapshots``.
    times : sequence of float, optional
        Seconds (any origin), one per entry of ``snapshots``, increasing.
        Default: the profile's ``time_nanos`` or the file's mtime; when those
        are missing or not increasing (files copied or checked out share one
        mtime), the snapshots' order: growth is then measured per snapshot
        (``growth_per_snapshot``), ``growth_per_min`` is NaN and
        ``attrs["time_basis"]`` says ``"order"``.
    interval : float, optional
        Instead of ``times``: snapshots were taken this many seconds apart
        (goroutineleak profiles in the list count as taken with the snapshot
        before them).
    ignore_top_functions, ignore_created_by, ignore_any_function : iterable of str
        goleak's ``IgnoreTopFunction`` (matches the top function or the leaf),
        ``IgnoreCreatedBy`` (the creator or start function) and
        ``IgnoreAnyFunction`` (any frame).
    default_ignore : bool
        Also ignore :data:`DEFAULT_IGNORE` (signal loop, testing, trace).
    min_increase : int
        A growing group must gain at least this many goroutines.
    min_growth_per_min : float
        ... at no less than this many goroutines per minute.
    long_blocked_minutes : int
        ``, N minutes`` at or above this counts as long-blocked.
    large_group, large_group_minutes : int
        A group of at least ``large_group`` goroutines parked at least
        ``large_group_minutes`` in a state where that is suspicious (``chan
        send``, locks, ``WaitGroup.Wait``) is flagged too: evidence a single
        snapshot can show.

    Returns
    -------
    DataFrame
        One row per group, suspects first, then by ``score``:

        ================== ======= ==================================================
        suspect            bool    flagged as a probable leak
        reason             str     the evidence that made it a suspect ("" if none)
        score              float64 ranking score (certain > leak profile > growth)
        top_function       str     leaf-most non-runtime function
        entry_function     str     the goroutine's start function
        created_by         str     creator (``debug=2`` only, else NA)
        state              str     most common wait state (inferred for proto)
        labels             object  most common pprof label dict
        counts             object  tuple: goroutines in each full snapshot
        first, last, peak  int64   count in the first / last snapshot, maximum
        growth             int64   last - first
        growth_per_min     float64 least-squares slope of count over time, per minute
                                   (NaN with one snapshot or without times)
        growth_per_snapshot float64 least-squares slope of count over the
                                   snapshots' order (NaN with one snapshot)
        monotonic          bool    never decreased and grew by ``min_increase`` or more
        wait_minutes_max   Int64   longest ``, N minutes`` seen (``debug=2``)
        long_blocked       bool    ``wait_minutes_max >= long_blocked_minutes``
        certain            bool    nil-channel operation or ``select {}`` outside main
        leak_profile       int64   goroutines of the group in goroutineleak profiles
                                   (max over them) or flagged ``(leaked)``
        stack              object  representative stack (tuple of functions, leaf first)
        frames             object  the same as ``(function, file, line)`` tuples
        ================== ======= ==================================================

        ``attrs``: ``times`` (seconds of the full snapshots; with
        ``time_basis == "order"`` the snapshot numbers 0, 1, 2, ...),
        ``time_basis`` (``"times"``: given, from the profiles or the files'
        mtimes; ``"order"``: unknown, the snapshots' order used instead),
        ``growth_measurable`` (False with a single snapshot: growth cannot be
        measured, only the one-snapshot evidence -- certain leaks, the
        goroutineleak profile, long or large blocked groups -- applies),
        ``filtered`` (goroutines dropped as runtime-internal or ignored, per
        snapshot).

    Raises
    ------
    OptionError (a ValueError)
        ``times=`` not increasing or of another length than ``snapshots``,
        ``times=`` and ``interval=`` both given, ``interval`` not a positive
        number, a count option not a non-negative integer, an ignore list that
        is a single str, or no full snapshot.
    RuntimeFormatError
        A snapshot :func:`read_goroutines` cannot read.
    TypeError
        Both or neither of ``snapshots`` and ``text`` are given.

    Notes
    -----
    A stable worker pool -- many goroutines parked in ``chan receive`` with a
    flat count -- has no growth, is reachable (no goroutineleak hit) and is not
    in a certain-leak state, so it is not a suspect.  ``, N minutes`` is a
    GC-stamped floor (``runtime/traceback.go``, ``gp.waitsince``), so it only
    counts for states where a long park is itself suspicious.
    """
    for name, v in (("min_increase", min_increase), ("long_blocked_minutes", long_blocked_minutes),
                    ("large_group", large_group), ("large_group_minutes", large_group_minutes)):
        check_count(name, v)
    check_number("min_growth_per_min", min_growth_per_min)
    ign_top = check_names("ignore_top_functions", ignore_top_functions) | (set(DEFAULT_IGNORE) if default_ignore
                                                                           else set())
    ign_created = check_names("ignore_created_by", ignore_created_by)
    ign_any = check_names("ignore_any_function", ignore_any_function)
    if times is not None and interval is not None:
        raise OptionError("pass times= or interval=, not both")
    frames = [_as_frame(s) for s in series_sources(snapshots, text, single=(pd.DataFrame,))]
    if interval is not None:
        interval = check_positive("interval", interval)
        k = np.cumsum([f.attrs.get("sample_type") != "goroutineleak" for f in frames]) - 1
        times = list(np.maximum(k, 0) * float(interval))
    given = times is not None
    if given:
        if len(times) != len(frames):
            raise OptionError(f"{len(times)} times for {len(frames)} snapshots")
        tall = np.asarray(times, dtype=float)
    else:
        tall = np.array([_snapshot_time(f) for f in frames], dtype=float)
    is_leakprof = [f.attrs.get("sample_type") == "goroutineleak" for f in frames]
    full = [i for i, lp in enumerate(is_leakprof) if not lp]
    if not full:
        raise OptionError("no goroutine snapshot among the inputs (only goroutineleak profiles)")
    t = tall[full]
    time_basis = "times"
    if len(t) > 1 and (np.isnan(t).any() or (np.diff(t) <= 0).any()):
        if given:
            raise OptionError(f"snapshot times must be increasing, got {list(t)}")
        # no usable clock (copied files share one mtime): the list order is the time order
        t = np.arange(len(t), dtype=float)
        time_basis = "order"

    def keep(df: pd.DataFrame) -> np.ndarray:
        m = ~df["system"].to_numpy(dtype=bool)
        if ign_top:
            m &= ~(df["top_function"].isin(ign_top).to_numpy(dtype=bool)
                   | _by_signature(df, lambda s: bool(s) and s[0] in ign_top))
        if ign_created:
            m &= ~(df["created_by"].isin(ign_created).to_numpy(dtype=bool)
                   | df["entry_function"].isin(ign_created).to_numpy(dtype=bool))
        if ign_any:
            m &= ~_by_signature(df, lambda s: not ign_any.isdisjoint(s))
        return m

    aggs, votes, filtered, leakprof = [], [], [], []
    n_full = 0
    for i, df in enumerate(frames):
        m = keep(df)
        kept = df.loc[m]
        a = _aggregate(kept)
        if is_leakprof[i]:
            leakprof.append(a["count"])
            continue
        filtered.append(int(df.loc[~m, "count"].sum()))
        aggs.append(a.assign(_snap=n_full))
        votes.append(_votes(kept).assign(_snap=n_full))
        n_full += 1
    allagg = pd.concat(aggs)
    counts = allagg.pivot_table(index=_KEY, columns="_snap", values="count", aggfunc="sum", fill_value=0)
    lp_prof = pd.concat(leakprof).groupby(level=[0, 1]).max() if leakprof else pd.Series(dtype=np.int64)
    keys = counts.index.union(lp_prof.index) if len(lp_prof) else counts.index
    counts = counts.reindex(keys, fill_value=0).reindex(columns=range(n_full), fill_value=0)
    mat = counts.to_numpy(dtype=np.int64)
    per_snap = _slopes(mat, np.arange(n_full, dtype=float))
    slope = _slopes(mat, t) * 60.0 if time_basis == "times" else np.full(len(keys), np.nan)
    by = allagg.groupby(level=[0, 1])
    wmax = by["wait_max"].max().reindex(keys)
    flagged = allagg.groupby([allagg.index.get_level_values(0), allagg.index.get_level_values(1), "_snap"])[
        "leaked"].sum().groupby(level=[0, 1]).max().reindex(keys, fill_value=0)
    lp = np.maximum(lp_prof.reindex(keys, fill_value=0).to_numpy(dtype=np.int64), flagged.to_numpy(dtype=np.int64))
    last = allagg.sort_values("_snap").groupby(level=[0, 1])[["stack", "frames"]].last().reindex(keys)
    vote = pd.concat(votes)
    state = _winner(vote, "state", keys)
    created = _winner(vote, "created_by", keys)
    labels = _winner(vote, "labels", keys).map(lambda x: dict(x) if isinstance(x, tuple) else {})

    rows = []
    for gi, k in enumerate(keys):
        c = mat[gi]
        st, w, lpk = state.iloc[gi], wmax.iloc[gi], int(lp[gi])
        st = None if pd.isna(st) else st
        inc = int(c[-1] - c[0])
        mono = len(c) > 1 and bool((np.diff(c) >= 0).all()) and inc >= min_increase
        long_b = (not pd.isna(w)) and int(w) >= long_blocked_minutes
        certain = st in _CERTAIN and k[1] not in ("main.main", "runtime.main")
        if time_basis == "times":
            growing = mono and slope[gi] >= min_growth_per_min and st not in _ACTIVE
        else:  # no clock: a steady climb over the snapshots is the evidence
            growing = mono and per_snap[gi] > 0 and st not in _ACTIVE
        strong = long_b and st in _STRONG
        large = (not strong and st in _STRONG and not pd.isna(w) and int(w) >= large_group_minutes
                 and int(c[-1]) >= large_group)
        reasons = []
        if certain:
            reasons.append(f"certain leak: {st}")
        if lpk:
            reasons.append(f"{lpk} flagged by the runtime's leak detector (goroutineleak)")
        if growing:
            reasons.append(f"grows {slope[gi]:.3g}/min, never shrinks" if time_basis == "times"
                           else f"grows {per_snap[gi]:.3g} per snapshot, never shrinks")
        if strong:
            reasons.append(f"blocked >= {int(w)} min in {st}")
        if large:
            reasons.append(f"{int(c[-1])} goroutines blocked >= {int(w)} min in {st}")
        rate = (slope[gi] if time_basis == "times" else per_snap[gi]) if growing else 0.0
        score = (1000.0 * certain + 100.0 * bool(lpk) + rate
                 + (10.0 if strong or large else 0.0) + 1e-3 * float(c[-1]))
        stack, fr = last["stack"].iloc[gi], last["frames"].iloc[gi]
        rows.append({
            "suspect": bool(reasons), "reason": "; ".join(reasons), "score": score,
            "top_function": k[0], "entry_function": k[1], "created_by": created.iloc[gi], "state": st,
            "labels": labels.iloc[gi], "counts": tuple(int(x) for x in c), "first": int(c[0]),
            "last": int(c[-1]), "peak": int(c.max()), "growth": inc,
            "growth_per_min": float(slope[gi]), "growth_per_snapshot": float(per_snap[gi]), "monotonic": mono, "wait_minutes_max": w,
            "long_blocked": long_b, "certain": certain, "leak_profile": lpk,
            "stack": stack if isinstance(stack, tuple) else (), "frames": fr if isinstance(fr, tuple) else (),
        })
    out = pd.DataFrame(rows, columns=[
        "suspect", "reason", "score", "top_function", "entry_function", "created_by", "state", "labels",
        "counts", "first", "last", "peak", "growth", "growth_per_min", "growth_per_snapshot", "monotonic", "wait_minutes_max",
        "long_blocked", "certain", "leak_profile", "stack", "frames"])
    out = out.astype({"wait_minutes_max": "Int64", "created_by": "str", "state": "str",
                      "top_function": "str", "entry_function": "str", "reason": "str"})
    out = out.sort_values(["suspect", "score"], ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["times"] = [float(x) for x in t]
    out.attrs["time_basis"] = time_basis
    out.attrs["growth_measurable"] = n_full > 1
    out.attrs["filtered"] = filtered
    return out


_KEY = ["top_function", "entry_function"]


def _by_signature(df: pd.DataFrame, pred) -> np.ndarray:
    """Evaluate ``pred(stack)`` once per signature (stacks are shared), broadcast to rows."""
    sig = df["signature"].to_numpy()
    uniq, first = np.unique(sig, return_index=True)
    stacks = df["stack"].to_numpy()[first]
    ok = np.fromiter((bool(pred(s)) for s in stacks), dtype=bool, count=len(stacks))
    return ok[np.searchsorted(uniq, sig)]


def _aggregate(kept: pd.DataFrame) -> pd.DataFrame:
    """Per group: count, longest wait, goroutines flagged leaked, a representative stack."""
    k = kept[_KEY].astype(object)
    cnt = kept["count"].to_numpy(dtype=np.int64)
    f = pd.DataFrame({"top_function": k["top_function"].to_numpy(), "entry_function": k["entry_function"].to_numpy(),
                      "count": cnt, "wait_max": kept["wait_minutes"].astype("Float64").to_numpy(
                          dtype=float, na_value=np.nan),
                      "leaked": np.where(kept["leaked"].to_numpy(dtype=bool), cnt, 0),
                      "stack": kept["stack"].to_numpy(), "frames": kept["frames"].to_numpy()})
    g = f.groupby(_KEY, sort=False, dropna=False)
    return g.agg(count=("count", "sum"), wait_max=("wait_max", "max"), leaked=("leaked", "sum"),
                 stack=("stack", "first"), frames=("frames", "first"))


def _labels_codes(labels: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes per row and the sorted-items tuple per code.

    Label dicts are shared between goroutines with the same header, so they
    are told apart by identity first and converted once each."""
    ids = np.fromiter(map(id, labels), dtype=np.int64, count=len(labels))
    uniq, first, inv = np.unique(ids, return_index=True, return_inverse=True)
    keys = [tuple(sorted(labels[i].items())) if labels[i] else () for i in first]
    return inv.reshape(-1), keys


def _votes(kept: pd.DataFrame) -> pd.DataFrame:
    """Goroutine counts per (group, state, created_by, labels) for majority votes."""
    codes, keys = _labels_codes(kept["labels"].to_numpy())
    v = pd.DataFrame({
        "top_function": kept["top_function"].astype(object).to_numpy(),
        "entry_function": kept["entry_function"].astype(object).to_numpy(),
        "state": kept["state"].astype(object).to_numpy(),
        "created_by": kept["created_by"].astype(object).to_numpy(),
        "labels": codes,
        "count": kept["count"].to_numpy(dtype=np.int64),
    }).groupby(_KEY + ["state", "created_by", "labels"], sort=False, dropna=False)["count"].sum().reset_index()
    lk = np.empty(len(keys), dtype=object)
    for i, k in enumerate(keys):
        lk[i] = k
    v["labels"] = lk[v["labels"].to_numpy()] if len(v) else v["labels"].astype(object)
    return v


def _winner(vote: pd.DataFrame, col: str, keys: pd.Index) -> pd.Series:
    """Most common non-missing value of ``col`` per group (weighted by goroutines)."""
    v = vote[vote[col].notna()] if col != "labels" else vote
    if not len(v):
        return pd.Series([None] * len(keys), index=keys, dtype=object)
    s = v.groupby(_KEY + [col], sort=False, dropna=False)["count"].sum()
    s = s.sort_values(ascending=False, kind="stable")
    top = s[~s.index.droplevel(2).duplicated()]
    return pd.Series(top.index.get_level_values(2), index=top.index.droplevel(2), dtype=object).reindex(keys)


def _slopes(mat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of ``mat`` against ``t`` (per second)."""
    if mat.shape[1] < 2:
        return np.full(mat.shape[0], np.nan)
    tc = t - t.mean()
    den = float((tc * tc).sum())
    return (mat - mat.mean(axis=1, keepdims=True)) @ tc / den


def leak_timeseries(leaks: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """Long form of :func:`find_leaks`' ``counts`` for plotting growth per group.

    Returns
    -------
    DataFrame
        ``group`` (int64, row of ``leaks``), ``top_function`` (str), ``suspect``
        (bool), ``t`` (float64, seconds since the first snapshot), ``count`` (int64);
        ``top``: only the first ``top`` groups (None: all).

    Raises
    ------
    OptionError
        ``top`` is neither None nor a non-negative integer.
    """
    top = check_count("top", top, allow_none=True)
    times = np.asarray(leaks.attrs.get("times", []), dtype=float)
    sel = leaks if top is None else leaks.head(top)
    n = len(times)
    return pd.DataFrame({
        "group": np.repeat(sel.index.to_numpy(), n),
        "top_function": np.repeat(sel["top_function"].to_numpy(), n),
        "suspect": np.repeat(sel["suspect"].to_numpy(), n),
        "t": np.tile(times - (times[0] if n else 0.0), len(sel)),
        "count": np.array([c for cs in sel["counts"] for c in cs], dtype=np.int64),
    })
