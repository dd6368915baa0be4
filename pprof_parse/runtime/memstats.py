"""Read runtime.MemStats snapshots: the heap ``debug=1`` trailer and expvar ``/debug/vars``.

A snapshot holds the scalar MemStats fields and the two 256-entry rings
``PauseNs``/``PauseEnd``.  :func:`read_memstats` gives one row per snapshot;
:func:`read_gc_pauses` turns a series of snapshots into one row per GC cycle,
merging overlapping rings without double counting and reporting the cycles
that fell out of the ring between two snapshots.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from pprof_parse.errors import OptionError, RuntimeFormatError, warn
from pprof_parse.read.memstats_trailer import FIELDS, RING, check_memstats_fields, parse_memstats_trailer
from pprof_parse.read.numbers import Unfit
from pprof_parse.runtime.inputs import load_text, series_sources

__all__ = ["read_memstats", "read_gc_pauses", "load_memstats"]


def _finite_float(s: str) -> float:
    # json.loads hook: a literal like 1e309 overflows to inf, which Go's encoder never writes
    v = float(s)
    if math.isinf(v):
        raise Unfit(f"number {s[:40]} does not fit a float64")
    return v


def loads_json(text: str, name: str, *, line: int | None = None, what: str = "bad JSON"):
    """``json.loads`` whose errors are RuntimeFormatError with the line: a syntax error, a
    float literal overflowing float64, an integer past Python's 4,300-digit limit.
    ``line``: the line ``text`` starts at, when it is one line of a bigger source."""
    try:
        return json.loads(text, parse_float=_finite_float)
    except json.JSONDecodeError as e:
        raise RuntimeFormatError(f"{what}: {e.msg} (column {e.colno})", source=name,
                                 line=line if line is not None else e.lineno) from e
    except (ValueError, RecursionError) as e:  # Unfit, or int() refusing > 4,300 digits; deep nesting
        at, key = _number_at(text)
        where = f"{key}: " if key else ""
        raise RuntimeFormatError(f"{what}: {where}{e}"[:200], source=name,
                                 line=line if line is not None else at) from e


def _number_at(text: str) -> tuple[int | None, str | None]:
    """Line and member name of the first number literal too long or too large for float64 (for messages)."""
    m = re.search(r'(?:"((?:[^"\\\n]|\\.){0,200})"\s*:\s*)?-?(?:\d{300,}|\d(?:\.\d*)?[eE]\+?\d{3,})', text)
    if m is None:
        return None, None
    return text.count("\n", 0, m.start()) + 1, m[1]


def load_memstats(src=None, *, text: str | None = None) -> dict:
    """One MemStats snapshot as a dict keyed by the Go field names.

    Parameters
    ----------
    src : str, os.PathLike, bytes or file object
        A path (``str`` or path-like), or the content as bytes or an open file
        (text or binary), of: the heap profile's ``debug=1`` text (its
        ``# runtime.MemStats`` trailer), the expvar ``/debug/vars`` JSON (its
        ``memstats`` member) or a bare ``json.Marshal(runtime.MemStats)``; a
        byte order mark and ``\\r\\n`` or ``\\r`` line ends are accepted. The
        rules: :mod:`pprof_parse.runtime.inputs`.
    text : str, keyword-only
        The content as a ``str``, instead of ``src``.

    Returns
    -------
    dict
        Scalars (int; ``GCCPUFraction`` float; ``EnableGC``/``DebugGC`` bool),
        ``PauseNs``/``PauseEnd`` (lists of 256 ints, ns and Unix ns), and extra
        keys ``_source``, ``_mtime`` and, for expvar, ``_vars`` (the other
        published variables).

    Raises
    ------
    RuntimeFormatError
        The source cannot be read; neither form; bad JSON; a trailer line whose
        value cannot be read; or a field whose value does not fit the column
        :func:`read_memstats` gives it: the counters and byte counts (``uint64``
        in Go) must be integers in ``[0, 2^63)`` (int64 columns),
        ``GCCPUFraction`` a finite float, ``EnableGC``/``DebugGC`` booleans,
        ``PauseNs``/``PauseEnd`` 256 integers in ``[0, 2^63)``.  The message
        names the source, the line and the field.
    TypeError
        Both or neither of ``src`` and ``text`` are given.
    """
    text, name, mtime = load_text(src, text=text)
    out: dict = {"_source": name, "_mtime": mtime}
    if text.lstrip().startswith("{"):
        return _from_json(text, name, out)
    out.update(parse_memstats_trailer(text, source=name))
    return out


def _from_json(text: str, name: str, out: dict) -> dict:
    """``out`` with the MemStats of an expvar ``/debug/vars`` or bare MemStats JSON document."""
    d = loads_json(text, name)
    ms = d.get("memstats", d) if isinstance(d, dict) else None
    if not isinstance(ms, dict) or "NumGC" not in ms:
        raise RuntimeFormatError("JSON has no memstats.NumGC: not expvar /debug/vars or MemStats",
                                 source=name)
    out.update({k: v for k, v in ms.items() if k != "BySize"})
    out["_vars"] = {k: v for k, v in d.items() if k != "memstats"} if "memstats" in d else {}

    def line_of(key):
        i = text.find(f'"{key}"')
        return text.count("\n", 0, i) + 1 if i >= 0 else None

    check_memstats_fields(out, name, line_of)
    return out


def _snapshots(srcs, text) -> list[dict]:
    return [s if isinstance(s, dict) else load_memstats(s) for s in series_sources(srcs, text)]


def _times(snaps: list[dict], times) -> np.ndarray:
    if times is not None:
        t = np.asarray(times, dtype=float)
        if len(t) != len(snaps):
            raise OptionError(f"{len(t)} times for {len(snaps)} snapshots")
        return t
    out = []
    for s in snaps:
        now = (s.get("_vars") or {}).get("now_unix_ns")
        if isinstance(now, (int, float)) and not isinstance(now, bool) and abs(now) < 2**64:
            out.append(now / 1e9)  # an expvar the service publishes with the scrape time
        elif s.get("_mtime") is not None:
            out.append(s["_mtime"])
        elif s.get("LastGC"):
            out.append(s["LastGC"] / 1e9)
        else:
            out.append(np.nan)
    return np.asarray(out, dtype=float)


def read_memstats(srcs=None, *, text=None, times=None) -> pd.DataFrame:
    """One row per MemStats snapshot.

    Parameters
    ----------
    srcs : path, bytes, file object, dict, or a list of them
        Heap ``debug=1`` profiles and/or expvar ``/debug/vars`` JSON, one per
        snapshot, in time order: a ``str`` or path-like is a path; bytes or an
        open file the content; a dict a :func:`load_memstats` result (see
        :func:`load_memstats` and :mod:`pprof_parse.runtime.inputs`).
    text : str or list of str, keyword-only
        The snapshots' content as strings, instead of ``srcs``.
    times : sequence of float, optional
        Snapshot times in seconds (any origin).  Default: an expvar
        ``now_unix_ns`` variable if the service publishes one, else the file's
        mtime, else ``LastGC`` (the end of the last GC: a lower bound).

    Returns
    -------
    DataFrame
        ``t`` (float64, seconds), then every scalar MemStats field under its Go
        name (int64 bytes / counts; ``LastGC`` Unix ns; ``PauseTotalNs`` ns;
        ``GCCPUFraction`` float64 in [0, 1], cumulative since start; ``EnableGC``,
        ``DebugGC`` bool; ``MaxRSS`` bytes, heap trailer only, else NA), then
        ``source`` (str).  Fields a source lacks are NA.

    Raises
    ------
    RuntimeFormatError
        As :func:`load_memstats`, naming the snapshot's source.
    OptionError
        ``times`` does not hold one time per snapshot.
    TypeError
        Both or neither of ``srcs`` and ``text`` are given.

    Notes
    -----
    Mirrors ``runtime.ReadMemStats`` as printed by ``writeHeapInternal``
    (``runtime/pprof/pprof.go``: ``# Stack = inuse / sys`` pairs split into
    ``StackInuse``/``StackSys`` etc.) and ``expvar``'s ``memstats`` variable.
    """
    snaps = _snapshots(srcs, text)
    t = _times(snaps, times)
    rows = [{k: s.get(k) for k in FIELDS} for s in snaps]
    df = pd.DataFrame(rows, columns=FIELDS)
    for k in FIELDS:
        if k in ("EnableGC", "DebugGC"):
            df[k] = df[k].astype("boolean")
        elif k == "GCCPUFraction":
            df[k] = df[k].astype("float64")
        else:
            df[k] = df[k].astype("Int64")
    df.insert(0, "t", t)
    df["source"] = pd.Series([s["_source"] for s in snaps], dtype="str")
    return df


def read_gc_pauses(srcs=None, *, text=None, times=None) -> pd.DataFrame:
    """Per-cycle GC pauses from the ``PauseNs``/``PauseEnd`` rings of a series of snapshots.

    Parameters
    ----------
    srcs, text : as for :func:`read_memstats`, in time order.
    times : sequence of float, optional
        Only used for ``snapshot_t``.

    Returns
    -------
    DataFrame
        One row per GC cycle seen in any snapshot, each cycle once:

        ========== ================ ==================================================
        run        int64            0-based; NumGC going down starts a new process run
        gc         int64            cycle number, 1-based (as gctrace's ``gc N``)
        pause_ns   int64            sum of the cycle's STW pauses, ns
        pause_end  datetime64[ns,   end of the cycle's last pause (``PauseEnd``)
                   UTC]
        snapshot   int64            index of the first snapshot holding the cycle
        snapshot_t float64          that snapshot's time (see :func:`read_memstats`)
        ========== ================ ==================================================

        ``attrs["lost_cycles"]``: list of ``(run, first_gc, last_gc)`` ranges that
        were overwritten in the ring before any snapshot saw them (more than 256
        cycles between two snapshots; also reported as a ``PprofParseWarning``);
        ``attrs["pause_total_ns"]``: per run,
        ``(NumGC, PauseTotalNs)`` of the last snapshot carrying ``PauseTotalNs``
        (expvar has it, the heap trailer does not), to check sums against.

    Raises
    ------
    RuntimeFormatError, OptionError, TypeError
        As :func:`read_memstats`; also a snapshot without the 256-entry ``PauseNs`` ring.

    Notes
    -----
    ``runtime/mstats.go``/``mgc.go``: cycle k (1-based) is written at
    ``PauseNs[(k-1) % 256]`` before ``NumGC`` becomes k, so a snapshot holds
    cycles ``max(1, NumGC-255) .. NumGC``; the latest is at
    ``(NumGC+255) % 256``.
    """
    snaps = _snapshots(srcs, text)
    t = _times(snaps, times)
    run, last_gc = 0, 0
    rows_gc, rows_ns, rows_end, rows_snap, rows_run = [], [], [], [], []
    lost: list[tuple[int, int, int]] = []
    totals: dict[int, tuple[int, int]] = {}
    for i, s in enumerate(snaps):
        n = int(s["NumGC"])
        ring_ns, ring_end = s.get("PauseNs"), s.get("PauseEnd")
        if ring_ns is None or len(ring_ns) != RING:
            raise RuntimeFormatError(f"PauseNs has {0 if ring_ns is None else len(ring_ns)} entries, "
                                     f"expected {RING}", source=s["_source"])
        if n < last_gc:  # the counter went back: another process
            run, last_gc = run + 1, 0
        oldest = max(1, n - RING + 1)
        first_new = last_gc + 1
        if oldest > first_new:
            lost.append((run, first_new, oldest - 1))
            first_new = oldest
        for k in range(first_new, n + 1):
            j = (k - 1) % RING
            rows_gc.append(k)
            rows_ns.append(ring_ns[j])
            rows_end.append(ring_end[j] if ring_end is not None else 0)
            rows_snap.append(i)
            rows_run.append(run)
        last_gc = max(last_gc, n)
        if s.get("PauseTotalNs") is not None:
            totals[run] = (n, int(s["PauseTotalNs"]))
    end = np.asarray(rows_end, dtype="int64")
    df = pd.DataFrame({
        "run": np.asarray(rows_run, dtype="int64"),
        "gc": np.asarray(rows_gc, dtype="int64"),
        "pause_ns": np.asarray(rows_ns, dtype="int64"),
        "pause_end": pd.to_datetime(np.where(end > 0, end, np.iinfo("int64").min).view("datetime64[ns]"),
                                    utc=True),
        "snapshot": np.asarray(rows_snap, dtype="int64"),
        "snapshot_t": t[np.asarray(rows_snap, dtype="int64")] if rows_snap else np.array([], dtype=float),
    })
    if lost:
        n_lost = sum(b - a + 1 for _, a, b in lost)
        warn(f"{n_lost} GC cycle(s) fell out of the 256-entry PauseNs ring between snapshots "
                      f"(first lost: {lost[0][1]}..{lost[0][2]}); snapshot more often. See attrs['lost_cycles']")
    df.attrs["lost_cycles"] = lost
    df.attrs["pause_total_ns"] = totals
    return df
