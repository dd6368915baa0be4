"""GC analysis on the cycle frames of :func:`read_gctrace` (and :func:`read_gc_pauses`).

Answers "are GC pauses getting worse, and why?": pause percentiles per time
window, GC frequency, live heap against the heap goal, the share of CPU the GC
takes, and several runs (GOGC=100 vs 50 vs GOMEMLIMIT) side by side.  Windows
are in seconds since process start (gctrace's ``@``) and never span two runs.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from pprof_parse.errors import OptionError
from pprof_parse.runtime.gctrace import read_gctrace
from pprof_parse.runtime.options import check_positive, check_quantiles

__all__ = ["pause_percentiles", "gc_frequency", "heap_vs_goal", "gc_cpu_share", "compare_runs", "stack_runs",
           "gctrace_wall_time"]


def _timeline(cycles: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(run, seconds, pause ms) from a gctrace frame or a read_gc_pauses frame."""
    run = cycles["run"] if "run" in cycles else pd.Series(0, index=cycles.index)
    if "start_s" in cycles:
        return run, cycles["start_s"], cycles["pause_ms"]
    if "pause_end" in cycles:
        end = cycles["pause_end"]
        first = end.groupby(run).transform("min")
        return run, (end - first).dt.total_seconds(), cycles["pause_ns"] / 1e6
    raise OptionError("cycles: expected a read_gctrace frame (start_s, pause_ms) or a read_gc_pauses frame "
                      "(pause_end, pause_ns)")


def pause_percentiles(cycles: pd.DataFrame, *, window: float = 10.0,
                      q=(0.5, 0.9, 0.99, 1.0)) -> pd.DataFrame:
    """GC pause percentiles per time window.

    Parameters
    ----------
    cycles : DataFrame
        :func:`read_gctrace` (pause = ``pause_ms``, time = ``start_s``) or
        :func:`read_gc_pauses` (``pause_ns``, time = ``pause_end`` relative to
        the run's first cycle).
    window : float
        Window width in seconds, > 0.
    q : sequence of float in [0, 1]

    Returns
    -------
    DataFrame
        One row per (run, window): ``run`` (int64), ``window_start_s``
        (float64), ``cycles`` (int64), ``p50_ms`` ... (float64 ms, named
        ``p{100*q:g}_ms``; ``p100_ms`` is the maximum), ``total_ms`` (float64).

    Raises
    ------
    OptionError
        ``window`` not a positive number, ``q`` not numbers in [0, 1], or
        ``cycles`` neither kind of frame.
    """
    window, q = check_positive("window", window), check_quantiles("q", q)
    run, t, pause = _timeline(cycles)
    df = pd.DataFrame({"run": run.to_numpy(), "w": np.floor(t.to_numpy() / window) * window,
                       "pause": pause.to_numpy()})
    g = df.groupby(["run", "w"], sort=True)["pause"]
    out = g.agg(["count", "sum"]).rename(columns={"count": "cycles", "sum": "total_ms"})
    for qq in q:
        out[f"p{100 * qq:g}_ms"] = g.quantile(qq)
    out = out.reset_index().rename(columns={"w": "window_start_s"})
    cols = ["run", "window_start_s", "cycles"] + [f"p{100 * qq:g}_ms" for qq in q] + ["total_ms"]
    return out[cols]


def gc_frequency(cycles: pd.DataFrame, *, window: float = 10.0) -> pd.DataFrame:
    """GC cycles per second per window, and the intervals between cycles.

    Returns
    -------
    DataFrame
        ``run``, ``window_start_s``, ``cycles`` (int64), ``per_s`` (float64,
        cycles / window; the last window of a run is divided by the part
        covered), ``forced`` (int64, ``(forced)`` cycles, gctrace only),
        ``median_interval_s`` (float64, between consecutive cycle starts).

    Raises
    ------
    OptionError
        ``window`` (seconds) not a positive number, or ``cycles`` neither a
        :func:`read_gctrace` nor a :func:`read_gc_pauses` frame.
    """
    window = check_positive("window", window)
    run, t, _ = _timeline(cycles)
    forced = cycles["forced"] if "forced" in cycles else pd.Series(False, index=cycles.index)
    df = pd.DataFrame({"run": run.to_numpy(), "t": t.to_numpy(), "forced": forced.to_numpy()})
    df["interval"] = df.groupby("run")["t"].diff()
    df["w"] = np.floor(df["t"] / window) * window
    g = df.groupby(["run", "w"], sort=True)
    out = pd.DataFrame({"cycles": g.size(), "forced": g["forced"].sum().astype(np.int64),
                        "median_interval_s": g["interval"].median()})
    end = df.groupby("run")["t"].max()
    span = np.minimum(window, end.reindex(out.index.get_level_values(0)).to_numpy()
                      - out.index.get_level_values(1).to_numpy())
    span = np.where(span <= 0, window, span)
    out["per_s"] = out["cycles"] / span
    out = out.reset_index().rename(columns={"w": "window_start_s"})
    return out[["run", "window_start_s", "cycles", "per_s", "forced", "median_interval_s"]]


def heap_vs_goal(cycles: pd.DataFrame) -> pd.DataFrame:
    """Live heap, heap at mark termination and goal per cycle (gctrace).

    Returns
    -------
    DataFrame
        ``run``, ``gc``, ``start_s``, ``heap_live_mb``, ``heap_end_mb``,
        ``heap_goal_mb`` (int64 MiB, floored by the runtime), ``goal_ratio``
        (float64, heap_end / goal; > 1 means the heap overshot its goal, e.g.
        assists could not keep up), ``overshoot`` (bool), ``live_ratio``
        (float64, live / goal; close to 1 means the goal is pinned by
        GOMEMLIMIT, not GOGC), ``implied_gogc`` (float64, ``100*(goal - live) /
        (live + stacks + globals)``, the GC guide's target-heap formula solved
        for GOGC; NaN when live is 0 MiB).
    """
    c = cycles
    roots = c["heap_live_mb"] + c["stacks_mb"].fillna(0) + c["globals_mb"].fillna(0)
    out = c[["run", "gc", "start_s", "heap_live_mb", "heap_end_mb", "heap_goal_mb"]].copy()
    goal = c["heap_goal_mb"].where(c["heap_goal_mb"] > 0)
    out["goal_ratio"] = c["heap_end_mb"] / goal
    out["overshoot"] = c["heap_end_mb"] > c["heap_goal_mb"]
    out["live_ratio"] = c["heap_live_mb"] / goal
    out["implied_gogc"] = (100.0 * (c["heap_goal_mb"] - c["heap_live_mb"]) / roots.where(c["heap_live_mb"] > 0))
    return out.reset_index(drop=True)


def gc_cpu_share(cycles: pd.DataFrame, *, window: float | None = None) -> pd.DataFrame:
    """Share of the available CPU spent in GC.

    Per cycle: the cycle's GC CPU (the five CPU terms of gctrace) over
    ``procs`` × the wall time since the previous cycle started -- what this cycle
    cost relative to the time it covers.  Per window: summed GC CPU over
    ``procs`` × window.

    Returns
    -------
    DataFrame
        Per cycle (``window=None``): ``run``, ``gc``, ``start_s``,
        ``gc_cpu_ms``, ``share`` (float64, 0..1; NaN for a run's first cycle),
        ``cumulative_pct`` (int64, gctrace's own cumulative ``%``).  Per window:
        ``run``, ``window_start_s``, ``gc_cpu_ms``, ``share``.

    Raises
    ------
    OptionError
        ``window`` (seconds) neither None nor a positive number.

    Notes
    -----
    gctrace's ``%`` (= ``GCCPUFraction``) is cumulative since start and
    truncated, so it cannot show trends; this differences instead.  The GC CPU
    limiter caps GC at about 50 % over a window (``runtime/mgclimit.go``).
    """
    c = cycles
    if window is None:
        wall = c.groupby("run")["start_s"].diff() * 1000.0
        out = c[["run", "gc", "start_s", "gc_cpu_ms"]].copy()
        out["share"] = c["gc_cpu_ms"] / (c["procs"] * wall)
        out["cumulative_pct"] = c["cpu_pct"]
        return out.reset_index(drop=True)
    window = check_positive("window", window)
    w = np.floor(c["start_s"] / window) * window
    g = c.assign(w=w).groupby(["run", "w"], sort=True)
    out = pd.DataFrame({"gc_cpu_ms": g["gc_cpu_ms"].sum(), "procs": g["procs"].max()})
    out["share"] = out["gc_cpu_ms"] / (out["procs"] * window * 1000.0)
    return out.drop(columns="procs").reset_index().rename(columns={"w": "window_start_s"})


def stack_runs(runs: dict) -> pd.DataFrame:
    """Concatenate several gctrace frames with a ``label`` column (plotting side by side).

    ``runs`` maps a label (e.g. ``"GOGC=50"``) to a :func:`read_gctrace` frame
    or a source it reads (a path, bytes or file object: a ``str`` is a path;
    for text, pass ``read_gctrace(text=...)``).  Returns the frames concatenated,
    with ``label`` categorical in the order of ``runs``.  Raises what
    :func:`read_gctrace` raises, and :class:`OptionError` for an empty ``runs``.
    """
    if not runs:
        raise OptionError("runs is empty: give at least one label -> gctrace frame or source")
    parts = []
    for label, c in runs.items():
        df = c if isinstance(c, pd.DataFrame) else read_gctrace(c)
        parts.append(df.assign(label=str(label)))
    out = pd.concat(parts, ignore_index=True)
    out["label"] = pd.Categorical(out["label"], categories=[str(k) for k in runs])
    return out


def compare_runs(runs: dict) -> pd.DataFrame:
    """One summary row per run: how GC settings change frequency, pauses, heap and CPU.

    Parameters
    ----------
    runs : dict
        Label -> :func:`read_gctrace` frame or source, e.g.
        ``{"GOGC=100": a, "GOGC=50": b, "GOMEMLIMIT=24MiB": c}``.

    Returns
    -------
    DataFrame
        Index ``label``; columns ``cycles`` (int64), ``duration_s``,
        ``gc_per_s``, ``pause_p50_ms``, ``pause_p99_ms``, ``pause_max_ms``,
        ``pause_total_ms``, ``heap_live_mb_mean``, ``heap_goal_mb_mean``,
        ``heap_peak_mb`` (max ``heap_end_mb``), ``gc_cpu_share`` (GC CPU ms over
        procs × duration), all float64.
    """
    s = stack_runs(runs)
    rows = []
    for label, c in s.groupby("label", sort=False, observed=True):
        dur = float(c["start_s"].max() - c["start_s"].min()) if len(c) > 1 else np.nan
        procs = float(c["procs"].max())
        rows.append({
            "label": label, "cycles": len(c), "duration_s": dur,
            "gc_per_s": (len(c) - 1) / dur if dur and dur > 0 else np.nan,
            "pause_p50_ms": c["pause_ms"].quantile(0.5), "pause_p99_ms": c["pause_ms"].quantile(0.99),
            "pause_max_ms": c["pause_ms"].max(), "pause_total_ms": c["pause_ms"].sum(),
            "heap_live_mb_mean": c["heap_live_mb"].mean(), "heap_goal_mb_mean": c["heap_goal_mb"].mean(),
            "heap_peak_mb": float(c["heap_end_mb"].max()),
            "gc_cpu_share": c["gc_cpu_ms"].iloc[1:].sum() / (procs * dur * 1000.0) if dur and dur > 0 else np.nan,
        })
    return pd.DataFrame(rows).set_index("label")


def gctrace_wall_time(cycles: pd.DataFrame, pauses: pd.DataFrame) -> pd.DataFrame:
    """Put gctrace cycles on the wall clock using MemStats ``PauseEnd``.

    gctrace's ``@`` is seconds since runtime init; ``PauseEnd`` is Unix time.
    A cycle ends (mark termination restarts the world) at ``start_s`` plus its
    three clock phases, so ``PauseEnd - that`` is the process start time; the
    median over the cycles both sources hold is used.

    Parameters
    ----------
    cycles : DataFrame from :func:`read_gctrace` (one run)
    pauses : DataFrame from :func:`read_gc_pauses` (same process)

    Returns
    -------
    DataFrame
        ``cycles`` plus ``start`` and ``end`` (datetime64[ns, UTC]).
        ``attrs["process_start"]`` (Timestamp) and ``attrs["residual_ms"]``
        (float, median absolute deviation of the per-cycle offsets: the
        alignment's precision, about gctrace's rounding).

    Raises
    ------
    OptionError (a ValueError)
        No cycle number in common.
    """
    end_s = cycles["start_s"] + (cycles["sweep_term_ms"] + cycles["mark_ms"] + cycles["mark_term_ms"]) / 1e3
    m = pd.DataFrame({"gc": cycles["gc"].to_numpy(), "end_s": end_s.to_numpy()}).merge(
        pauses[["gc", "pause_end"]], on="gc")
    m = m[m["pause_end"].notna()]
    if not len(m):
        raise OptionError("cycles and pauses have no GC cycle in common (not the same process run?)")
    off = m["pause_end"].astype("int64").to_numpy() / 1e9 - m["end_s"].to_numpy()
    start = float(np.median(off))
    out = cycles.copy()
    out["start"] = pd.to_datetime(((cycles["start_s"] + start) * 1e9).round().astype("int64"), utc=True)
    out["end"] = pd.to_datetime(((end_s + start) * 1e9).round().astype("int64"), utc=True)
    out.attrs["process_start"] = pd.Timestamp(start * 1e9, unit="ns", tz="UTC")
    out.attrs["residual_ms"] = float(np.median(np.abs(off - start)) * 1e3)
    return out
