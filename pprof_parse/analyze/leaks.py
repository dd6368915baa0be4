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

from collections import Counter

import numpy as np
import pandas as pd

from pprof_parse.read.goroutines import read_goroutines

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


def find_leaks(snapshots, *, times=None, ignore_top_functions=(), ignore_created_by=(),
               ignore_any_function=(), default_ignore: bool = True, min_increase: int = 3,
               min_growth_per_min: float = 1.0, long_blocked_minutes: int = 10) -> pd.DataFrame:
    """Rank goroutine groups by leak likelihood across snapshots of one process.

    Parameters
    ----------
    snapshots : sequence of path, bytes, text, Profile or DataFrame
        Goroutine dumps (``debug=2``, panics, SIGQUIT), ``debug=1`` text or
        proto goroutine profiles, in time order; ``goroutineleak`` profiles may
        be mixed in (they count as evidence, not as a snapshot of all goroutines).
    times : sequence of float, optional
        Seconds (any origin), one per entry of ``snapshots``.  Default: the
        profile's ``time_nanos`` or the file's mtime.
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
        monotonic          bool    never decreased and grew by ``min_increase`` or more
        wait_minutes_max   Int64   longest ``, N minutes`` seen (``debug=2``)
        long_blocked       bool    ``wait_minutes_max >= long_blocked_minutes``
        certain            bool    nil-channel operation or ``select {}`` outside main
        leak_profile       int64   goroutines of the group in goroutineleak profiles
                                   (max over them) or flagged ``(leaked)``
        stack              object  representative stack (tuple, leaf first)
        ================== ======= ==================================================

        ``attrs``: ``times`` (seconds of the full snapshots), ``filtered``
        (goroutines dropped as runtime-internal or ignored, per snapshot).

    Raises
    ------
    ValueError
        Times not increasing (pass ``times=``; copied files lose their mtime),
        or no full snapshot.

    Notes
    -----
    A stable worker pool -- many goroutines parked in ``chan receive`` with a
    flat count -- has no growth, is reachable (no goroutineleak hit) and is not
    in a certain-leak state, so it is not a suspect.  ``, N minutes`` is a
    GC-stamped floor (``runtime/traceback.go``, ``gp.waitsince``), so it only
    counts for states where a long park is itself suspicious.
    """
    frames = [_as_frame(s) for s in snapshots]
    if times is not None:
        if len(times) != len(frames):
            raise ValueError(f"{len(times)} times for {len(frames)} snapshots")
        tall = np.asarray(times, dtype=float)
    else:
        tall = np.array([_snapshot_time(f) for f in frames], dtype=float)
    is_leakprof = [f.attrs.get("sample_type") == "goroutineleak" for f in frames]
    full = [i for i, lp in enumerate(is_leakprof) if not lp]
    if not full:
        raise ValueError("no goroutine snapshot among the inputs (only goroutineleak profiles)")
    t = tall[full]
    if len(t) > 1 and (np.isnan(t).any() or (np.diff(t) <= 0).any()):
        raise ValueError(f"snapshot times must be increasing, got {list(t)}; pass times= "
                         "(files copied or checked out carry no usable mtime)")
    ign_top = set(ignore_top_functions) | (set(DEFAULT_IGNORE) if default_ignore else set())
    ign_created = set(ignore_created_by)
    ign_any = set(ignore_any_function)

    def keep(df: pd.DataFrame) -> pd.Series:
        m = ~df["system"].to_numpy()
        if ign_top:
            m &= ~(df["top_function"].isin(ign_top).to_numpy()
                   | df["stack"].map(lambda s: bool(s) and s[0] in ign_top).to_numpy())
        if ign_created:
            m &= ~(df["created_by"].isin(ign_created).to_numpy() | df["entry_function"].isin(ign_created).to_numpy())
        if ign_any:
            m &= ~df["stack"].map(lambda s: not ign_any.isdisjoint(s)).to_numpy()
        return m

    per_snap, filtered, meta_rows = [], [], []
    leakprof: dict = {}
    for i, df in enumerate(frames):
        m = keep(df)
        kept = df[m]
        key = list(zip(kept["top_function"], kept["entry_function"]))
        if is_leakprof[i]:
            cnt = Counter()
            for k, c in zip(key, kept["count"]):
                cnt[k] += int(c)
            for k, c in cnt.items():
                leakprof[k] = max(leakprof.get(k, 0), c)
            continue
        filtered.append(int(df.loc[~m, "count"].sum()))
        cnt = Counter()
        for k, c in zip(key, kept["count"]):
            cnt[k] += int(c)
        per_snap.append(cnt)
        meta_rows.append(kept.assign(_key=key, _snap=len(per_snap) - 1))
    meta = pd.concat(meta_rows, ignore_index=True) if meta_rows else pd.DataFrame()
    keys = sorted(set().union(*per_snap) | set(leakprof))
    mat = np.array([[c.get(k, 0) for c in per_snap] for k in keys], dtype=np.int64).reshape(len(keys), len(per_snap))
    slope = _slopes(mat, t) * 60.0
    groups = {k: g for k, g in meta.groupby("_key", sort=False)} if len(meta) else {}
    rows = []
    for gi, k in enumerate(keys):
        g = groups.get(k)
        counts = mat[gi]
        state = _mode(g["state"].dropna()) if g is not None else None
        wmax = g["wait_minutes"].max() if g is not None else pd.NA
        flagged = int(g.loc[g["leaked"], "count"].groupby(g["_snap"]).sum().max()) if g is not None and g["leaked"].any() else 0
        lp = max(leakprof.get(k, 0), flagged)
        inc = int(counts[-1] - counts[0])
        mono = len(counts) > 1 and bool((np.diff(counts) >= 0).all()) and inc >= min_increase
        long_b = (not pd.isna(wmax)) and int(wmax) >= long_blocked_minutes
        certain = state in _CERTAIN and k[1] not in ("main.main", "runtime.main")
        growing = mono and slope[gi] >= min_growth_per_min and state not in _ACTIVE
        reasons = []
        if certain:
            reasons.append(f"certain leak: {state}")
        if lp:
            reasons.append(f"{lp} in goroutineleak profile")
        if growing:
            reasons.append(f"grows {slope[gi]:.3g}/min, never shrinks")
        if long_b and state in _STRONG:
            reasons.append(f"blocked >= {int(wmax)} min in {state}")
        score = (1000.0 * certain + 100.0 * bool(lp) + (slope[gi] if growing else 0.0)
                 + (10.0 if long_b and state in _STRONG else 0.0) + 1e-3 * float(counts[-1]))
        if g is not None:
            last = g[g["_snap"] == g["_snap"].max()]
            stack, labels = last["stack"].iloc[0], _mode_dict(g["labels"])
            created = _mode(g["created_by"].dropna())
        else:
            stack, labels, created = (), {}, None
        rows.append({
            "suspect": bool(reasons), "reason": "; ".join(reasons), "score": score,
            "top_function": k[0], "entry_function": k[1], "created_by": created, "state": state,
            "labels": labels, "counts": tuple(int(x) for x in counts), "first": int(counts[0]),
            "last": int(counts[-1]), "peak": int(counts.max()), "growth": inc,
            "growth_per_min": float(slope[gi]), "monotonic": mono, "wait_minutes_max": wmax,
            "long_blocked": long_b, "certain": certain, "leak_profile": lp, "stack": stack,
        })
    out = pd.DataFrame(rows, columns=[
        "suspect", "reason", "score", "top_function", "entry_function", "created_by", "state", "labels",
        "counts", "first", "last", "peak", "growth", "growth_per_min", "monotonic", "wait_minutes_max",
        "long_blocked", "certain", "leak_profile", "stack"])
    out = out.astype({"wait_minutes_max": "Int64", "created_by": "str", "state": "str",
                      "top_function": "str", "entry_function": "str", "reason": "str"})
    out = out.sort_values(["suspect", "score"], ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["times"] = [float(x) for x in t]
    out.attrs["filtered"] = filtered
    return out


def _slopes(mat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of ``mat`` against ``t`` (per second)."""
    if mat.shape[1] < 2:
        return np.full(mat.shape[0], np.nan)
    tc = t - t.mean()
    den = float((tc * tc).sum())
    return (mat - mat.mean(axis=1, keepdims=True)) @ tc / den


def _mode(s: pd.Series):
    if not len(s):
        return None
    return Counter(s).most_common(1)[0][0]


def _mode_dict(s: pd.Series) -> dict:
    if not len(s):
        return {}
    return dict(Counter(tuple(sorted(d.items())) for d in s).most_common(1)[0][0])


def leak_timeseries(leaks: pd.DataFrame, *, top: int | None = None) -> pd.DataFrame:
    """Long form of :func:`find_leaks`' ``counts`` for plotting growth per group.

    Returns
    -------
    DataFrame
        ``group`` (int64, row of ``leaks``), ``top_function`` (str), ``suspect``
        (bool), ``t`` (float64, seconds since the first snapshot), ``count`` (int64).
    """
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
