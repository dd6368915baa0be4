"""What a user asks of an execution trace first: where goroutines waited, how long the world stopped,
which regions were slow -- and, across many traces, where the rare long waits are.

Every function takes a :class:`~pprof_parse.runtime.trace.Trace` (or the tables it
returns) and gives a DataFrame; times are int64 nanoseconds on the trace's clock
(``Trace.events.time``), durations int64 ns.

* :func:`sched_latency` -- each runnable -> running wait (scheduler latency), with the
  goroutine's group (start function); :func:`latency_over_time` and
  :func:`latency_by_group` summarise it in time buckets and per group.
* :func:`blocking_by_reason` -- time spent blocked, by Go's block reason (and syscalls);
  :func:`delay_profiles` -- the four ``go tool trace -pprof=KIND`` profiles as
  :class:`~pprof_parse.Profile` objects (their flame graphs: :mod:`pprof_parse.figures`).
* :func:`gc_cycles` -- stop-the-world and mark-assist time per GC cycle.
* :func:`region_latency`, :func:`task_latency` -- per-name latency distributions of
  ``trace.WithRegion`` regions and ``trace.NewTask`` tasks.
* :func:`find_rare` (:func:`rare_events` for one trace read) -- the regions or goroutine waits longer than a threshold in many
  trace files, with their stacks.

Sources of the rules: Go's ``src/internal/trace`` (``resources.go`` states, ``event.go``
transitions, ``summary.go``), ``src/cmd/trace/pprof.go`` (what ``-pprof=sched`` counts).
"""

from __future__ import annotations

import glob
import os
import weakref

import numpy as np
from gopherlab_common.lazy import pd
from gopherlab_common.progress import progress_bar

from pprof_parse.errors import OptionError
from pprof_parse.runtime.trace.delay_pprof import delay_pprof
from pprof_parse.runtime.trace.delays import KINDS as DELAY_KINDS
from pprof_parse.runtime.trace.gc_cycles import gc_cycles
from pprof_parse.runtime.trace.model import read_trace


__all__ = ["sched_latency", "latency_over_time", "latency_by_group", "blocking_by_reason", "delay_profiles",
           "gc_cycles", "region_latency", "task_latency", "find_rare", "rare_events", "stack_text"]

#: group of a goroutine whose creation the trace did not see
UNKNOWN_GROUP = "(running before the trace began)"
_QUANTILES = {"p50_ns": 0.5, "p90_ns": 0.9, "p99_ns": 0.99}


# ---- goroutine state intervals -------------------------------------------------------------------

def _goroutine_intervals(trace) -> "pd.DataFrame":
    """Each goroutine state from entry to the goroutine's next change of state (cached per trace).

    Rows of :attr:`Trace.transitions` about goroutines that change the state (a generation's
    status events, X -> X, keep the interval open), per goroutine in time order. Columns:
    ``g``, ``from_state``, ``state`` (the state entered; both categorical), ``reason``
    (categorical, "" for none), ``stack`` (the entering event's own), ``transition_stack``,
    ``start``, ``end`` (ns; -1: still in the state at the trace's end).
    """
    cached = _INTERVALS.get(trace)
    if cached is None:
        cached = _INTERVALS[trace] = _intervals_of(trace.transitions)
    return cached


def _intervals_of(tr: "pd.DataFrame") -> "pd.DataFrame":
    tr = tr[(tr["resource"] == "goroutine").to_numpy()]
    from_s, to_s = _state_codes(tr["from_state"]), _state_codes(tr["to_state"])
    moving = from_s != to_s
    moves = tr[moving]
    order = np.argsort(moves["id"].to_numpy(), kind="stable")  # transitions are in time order already
    g = moves["id"].to_numpy()[order]
    start = moves["time"].to_numpy()[order]
    same_next = np.r_[g[1:] == g[:-1], False]
    end = np.where(same_next, np.r_[start[1:], 0], -1)
    states = pd.CategoricalDtype(list(_STATES))
    return pd.DataFrame({
        "g": g, "from_state": pd.Categorical.from_codes(from_s[moving][order], dtype=states),
        "state": pd.Categorical.from_codes(to_s[moving][order], dtype=states),
        "reason": _reason_codes(moves["reason"])[order],
        "stack": moves["stack"].to_numpy()[order], "transition_stack": moves["transition_stack"].to_numpy()[order],
        "start": start, "end": end,
    })


#: goroutine states (``src/internal/trace/resources.go``), the codes of the intervals' categoricals
_STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall")
_INTERVALS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _state_codes(col: "pd.Series") -> np.ndarray:
    """A categorical state column as codes into :data:`_STATES` (through its few categories:
    converting millions of rows to strings takes seconds)."""
    lookup = np.array([_STATES.index(c) if c in _STATES else -1 for c in col.cat.categories.astype(str)] + [-1])
    return lookup[col.cat.codes.to_numpy()]  # code -1 (NA) picks the appended -1


def _reason_codes(col: "pd.Series") -> "pd.Categorical":
    """The reason column with only the reasons used as categories and NA as ""."""
    codes = col.cat.codes.to_numpy()
    used = np.unique(codes)
    names = [col.cat.categories[c] if c >= 0 else "" for c in used]
    new = np.searchsorted(used, codes)
    uniq = list(dict.fromkeys(names))
    remap = np.array([uniq.index(n) for n in names])
    return pd.Categorical.from_codes(remap[new], categories=uniq)


def _groups(trace, iv: "pd.DataFrame") -> "pd.Series":
    """Start function per goroutine (index ``g``): the leaf of the stack GoCreate recorded."""
    created = iv[(iv["from_state"] == "NotExist") & (iv["transition_stack"] > 0)].drop_duplicates("g")
    names = {s: (trace.stack(s)[0][1] if trace.stack(s) else UNKNOWN_GROUP)
             for s in created["transition_stack"].unique().tolist()}
    return created.set_index("g")["transition_stack"].map(names)


def sched_latency(trace) -> "pd.DataFrame":
    """Every wait of a goroutine in the run queue: runnable -> running (scheduler latency).

    Parameters
    ----------
    trace : Trace

    Returns
    -------
    DataFrame
        One row per wait, in goroutine then time order:

        ============  =======  =============================================================
        ``g``         int64    goroutine id
        ``group``     category start function (leaf of the creation stack); goroutines
                               alive when the trace began: ``UNKNOWN_GROUP``
        ``start``     int64    ns, when it became runnable
        ``end``       int64    ns, when it left the run queue (-1: still runnable at the end)
        ``latency_ns`` int64   ``end - start`` (-1 when open)
        ``stack``     int64    stack id of the event that made it runnable (the goroutine's own
                               for a preemption or ``Gosched``, the unblocker's for an unblock)
        ``first_run`` bool     the wait from creation (or from the trace's start) to the
                               goroutine's first run, which ``go tool trace -pprof=sched``
                               leaves out
        ============  =======  =============================================================

        ``attrs["origin"]``: the trace's first event time (ns).

    Notes
    -----
    The sum of ``latency_ns`` over closed rows with ``first_run`` False equals the total of
    ``go tool trace -pprof=sched`` (``src/cmd/trace/pprof.go``: an interval opens on entry
    to Runnable, closes at the next change of state, and is clipped to the goroutine's life
    from its first run).
    """
    iv = _goroutine_intervals(trace)
    first_running = iv[iv["state"] == "Running"].groupby("g")["start"].min()
    groups = _groups(trace, iv)
    w = iv[iv["state"] == "Runnable"].reset_index(drop=True)
    first = w["g"].map(first_running)
    out = pd.DataFrame({
        "g": w["g"], "group": pd.Categorical(w["g"].map(groups).fillna(UNKNOWN_GROUP)),
        "start": w["start"], "end": w["end"],
        "latency_ns": np.where(w["end"] >= 0, w["end"] - w["start"], -1),
        "stack": w["stack"], "first_run": (first.isna() | (w["start"] < first)).to_numpy(),
    })
    out.attrs["origin"] = int(trace.events["time"].iloc[0])
    return out


def _summary(groups, col: str) -> "pd.DataFrame":
    """count, total, quantiles and max of ``col`` per group (int64 ns)."""
    out = groups[col].agg(["count", "sum", "max"]).rename(columns={"sum": "total_ns", "max": "max_ns"})
    for name, q in _QUANTILES.items():
        out[name] = groups[col].quantile(q, interpolation="higher")
    out = out[["count", "total_ns", "p50_ns", "p90_ns", "p99_ns", "max_ns"]]
    return out.astype(np.int64)


def latency_over_time(lat: "pd.DataFrame", *, buckets: int = 60) -> "pd.DataFrame":
    """Scheduler latency percentiles in equal time buckets (by when the wait ended).

    Parameters
    ----------
    lat : DataFrame
        :func:`sched_latency`'s table (open waits are left out).
    buckets : int
        Number of equal buckets between the first and last wait's end (≥ 1).

    Returns
    -------
    DataFrame
        One row per bucket with a wait: ``bucket_start_ns`` (int64, ns since
        ``lat.attrs["origin"]``), ``bucket_ns`` (int64, its width), ``count``, ``total_ns``,
        ``p50_ns``, ``p90_ns``, ``p99_ns``, ``max_ns`` (int64 ns; quantiles are observed
        values, ``interpolation="higher"``).

    Raises
    ------
    OptionError
        ``buckets`` < 1.
    """
    if buckets < 1:
        raise OptionError(f"buckets must be at least 1, not {buckets}")
    done = lat[lat["end"] >= 0]
    t = done["end"].to_numpy() - lat.attrs.get("origin", 0)
    if len(t) == 0:
        return pd.DataFrame(columns=["bucket_start_ns", "bucket_ns", "count", "total_ns", "p50_ns", "p90_ns",
                                     "p99_ns", "max_ns"], dtype=np.int64)
    lo, width = int(t.min()), max(1, -(-(int(t.max()) - int(t.min()) + 1) // buckets))
    idx = (t - lo) // width
    out = _summary(done.assign(bucket=idx).groupby("bucket"), "latency_ns").reset_index()
    out.insert(0, "bucket_start_ns", (lo + out.pop("bucket") * width).astype(np.int64))
    out.insert(1, "bucket_ns", np.int64(width))
    return out


def latency_by_group(lat: "pd.DataFrame") -> "pd.DataFrame":
    """Scheduler latency per goroutine group (start function), largest total first.

    Returns one row per group: ``group``, ``goroutines``, ``count``, ``total_ns``, ``p50_ns``,
    ``p90_ns``, ``p99_ns``, ``max_ns`` (int64 ns), over the closed waits of ``lat``
    (:func:`sched_latency`), first runs included.
    """
    done = lat[lat["end"] >= 0]
    groups = done.groupby("group", sort=False, observed=True)
    out = _summary(groups, "latency_ns")
    out.insert(0, "goroutines", groups["g"].nunique().astype(np.int64))
    return out.sort_values("total_ns", ascending=False, kind="stable").reset_index()


def blocking_by_reason(trace) -> "pd.DataFrame":
    """Time goroutines spent blocked, per reason: Go's block reasons, plus ``syscall``.

    Returns
    -------
    DataFrame
        One row per reason, largest total first: ``reason`` (GoBlock's reason string --
        ``chan receive``, ``select``, ``sync``, ``network``, ``sleep``, ... -- or ``syscall``
        for time in system calls), ``count`` (waits), ``total_ns``, ``p50_ns``, ``p90_ns``,
        ``p99_ns``, ``max_ns`` (int64 ns). Waits still open at the trace's end are left out;
        unlike ``-pprof=``, time before a goroutine first ran is counted.
    """
    iv = _goroutine_intervals(trace)
    iv = iv[(iv["end"] >= 0) & iv["state"].isin(["Waiting", "Syscall"])]
    reason = iv["reason"].cat.rename_categories([c or "(none: a coroutine switch)"
                                                 for c in iv["reason"].cat.categories])
    if "syscall" not in reason.cat.categories:
        reason = reason.cat.add_categories(["syscall"])
    reason = reason.where((iv["state"] != "Syscall").to_numpy(), "syscall")
    iv = iv.assign(reason=reason, wait_ns=iv["end"] - iv["start"])
    out = _summary(iv.groupby("reason", sort=False, observed=True), "wait_ns")
    out = out.sort_values("total_ns", ascending=False, kind="stable").reset_index()
    return out.assign(reason=out["reason"].astype(str))


def delay_profiles(trace, kinds=tuple(DELAY_KINDS)) -> dict:
    """``{kind: Profile}``: ``go tool trace -pprof=KIND`` for each of ``kinds`` (sched, sync,
    net, syscall), as :class:`~pprof_parse.Profile` objects (sample types ``contentions/count``
    and ``delay/nanoseconds``), ready for :func:`pprof_parse.figures.flame_figure`.

    Raises :class:`~pprof_parse.errors.OptionError` for an unknown kind.
    """
    return {k: delay_pprof(trace, k) for k in kinds}


# ---- GC ------------------------------------------------------------------------------------------

# ---- regions and tasks ---------------------------------------------------------------------------

def _by_name(table: "pd.DataFrame") -> "pd.DataFrame":
    done = table[table["duration"].notna()]
    done = done.assign(duration=done["duration"].astype(np.int64))
    out = _summary(done.groupby("name", sort=False), "duration")
    return out.sort_values("p99_ns", ascending=False, kind="stable").reset_index()


def region_latency(trace) -> "pd.DataFrame":
    """Latency distribution of each user region type (``trace.WithRegion``/``StartRegion``).

    ``trace`` is a Trace, or a :attr:`Trace.regions` table (several traces' concatenated).
    Returns one row per region name, slowest p99 first: ``name``, ``count``, ``total_ns``,
    ``p50_ns``, ``p90_ns``, ``p99_ns``, ``max_ns`` (int64 ns), over the regions with both
    ends in the trace.
    """
    return _by_name(trace if isinstance(trace, pd.DataFrame) else trace.regions)


def task_latency(trace) -> "pd.DataFrame":
    """Latency distribution of each task type (``trace.NewTask``): the columns of
    :func:`region_latency`, over tasks that began and ended in the trace (a Trace, or a
    :attr:`Trace.tasks` table)."""
    return _by_name(trace if isinstance(trace, pd.DataFrame) else trace.tasks)


# ---- rare events across traces -------------------------------------------------------------------

def stack_text(trace, stack_id: int, *, depth: int = 8) -> str:
    """The ``depth`` innermost function names of a stack, leaf first, joined by ``" < "``;
    ``""`` for stack 0."""
    return " < ".join(f[1] for f in trace.stack(int(stack_id))[:depth])


def _expand(paths) -> list[str]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out = []
    for p in map(os.fspath, items):
        found = sorted(glob.glob(p, recursive=True)) if glob.has_magic(p) else [p]
        if not found:
            raise FileNotFoundError(f"no trace file matches {p!r}")
        out += found
    return out


def rare_events(trace, *, threshold_ns: int, kind: str = "region", file: str = "") -> "pd.DataFrame":
    """:func:`find_rare` in one trace already read: the regions (``kind="region"``) or goroutine
    waits (``"goroutine-wait"``) lasting at least ``threshold_ns``, in trace order, with
    :func:`find_rare`'s columns (``file`` is ``file``).

    Raises :class:`~pprof_parse.errors.OptionError` for another ``kind`` or a negative threshold.
    """
    _check_rare(kind, threshold_ns)
    if kind == "region":
        r = trace.regions
        r = r[r["duration"].notna() & (r["duration"] >= threshold_ns)]
        rows = pd.DataFrame({"name": r["name"].astype(str), "g": r["g"], "start": r["start"].astype(np.int64),
                             "duration_ns": r["duration"].astype(np.int64), "stack": r["start_stack"]})
    else:
        iv = _goroutine_intervals(trace)
        iv = iv[(iv["end"] >= 0) & iv["state"].isin(["Runnable", "Waiting", "Syscall"])]
        iv = iv[(iv["end"] - iv["start"]) >= threshold_ns]
        name = np.where((iv["state"] == "Runnable").to_numpy(), "runnable",
                        np.where((iv["state"] == "Syscall").to_numpy(), "syscall", iv["reason"].astype(object)))
        rows = pd.DataFrame({"name": name, "g": iv["g"], "start": iv["start"],
                             "duration_ns": iv["end"] - iv["start"], "stack": iv["stack"]})
    rows.insert(0, "file", file)
    rows["stack_text"] = [stack_text(trace, s) for s in rows["stack"].tolist()]
    return rows.reset_index(drop=True)


def _check_rare(kind: str, threshold_ns: int) -> None:
    if kind not in ("region", "goroutine-wait"):
        raise OptionError(f"kind must be 'region' or 'goroutine-wait', not {kind!r}")
    if threshold_ns < 0:
        raise OptionError(f"threshold_ns must be ≥ 0, not {threshold_ns}")


def find_rare(paths, *, threshold_ns: int, kind: str = "region", progress: bool = True) -> "pd.DataFrame":
    """The regions or goroutine waits longer than ``threshold_ns`` in many trace files.

    Parameters
    ----------
    paths : str, path-like, or list of them
        Trace files or glob patterns (``**`` allowed; matches sorted by name).
    threshold_ns : int
        Keep what lasted at least this long (ns).
    kind : {"region", "goroutine-wait"}
        ``region``: user regions (both ends in the trace). ``goroutine-wait``: every
        interval a goroutine spent runnable, blocked or in a syscall.
    progress : bool
        A tqdm bar over the files (closed when done; no monitor thread is left running).

    Returns
    -------
    DataFrame
        One row per event found, longest first: ``file``, ``name`` (region name; for waits
        ``runnable``, ``syscall`` or the block reason), ``g``, ``start`` (ns, the file's
        trace clock), ``duration_ns`` (int64 ns), ``stack`` (stack id in that file: the
        region's begin stack, or the event that began the wait), ``stack_text``
        (:func:`stack_text`).

    Raises
    ------
    FileNotFoundError
        A pattern that matches nothing.
    OptionError
        Another ``kind``, or a negative threshold.
    TraceFormatError, TraceVersionError
        A file that is not a readable trace (named in the message).
    """
    _check_rare(kind, threshold_ns)
    files = _expand(paths)
    bar = progress_bar(total=len(files), desc="find_rare", unit="file") if progress else None
    found = []
    try:
        for path in files:
            found.append(rare_events(read_trace(path), threshold_ns=int(threshold_ns), kind=kind, file=path))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    cols = ["file", "name", "g", "start", "duration_ns", "stack", "stack_text"]
    if not found:
        return pd.DataFrame(columns=cols)
    out = pd.concat(found, ignore_index=True)[cols]
    return out.sort_values("duration_ns", ascending=False, kind="stable").reset_index(drop=True)
