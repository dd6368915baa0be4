"""One row per GC cycle of an execution trace, from its GC and stop-the-world ranges.

The phases are the runtime's (``src/runtime/mgc.go``): sweep termination (stop-the-world),
the concurrent mark phase, mark termination (stop-the-world); mark assists are goroutines
helping the mark phase. ``tests/runtime/trace/test_gc_vs_gctrace.py`` checks the cycles and
pauses against ``GODEBUG=gctrace=1`` of the same run.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd

__all__ = ["gc_cycles"]


def gc_cycles(trace) -> "pd.DataFrame":
    """Stop-the-world and mark-assist time per GC cycle.

    A cycle is a ``GC concurrent mark phase`` range of :attr:`Trace.ranges` with both ends in
    the trace; its ``stop-the-world (GC sweep termination)`` is the one before the mark phase
    starts, its ``stop-the-world (GC mark termination)`` the one after it ends
    (``src/runtime/mgc.go``: sweep termination, mark, mark termination); ``GC mark assist``
    ranges are counted in the cycle whose mark phase they start in.

    Returns
    -------
    DataFrame
        One row per cycle in time order: ``cycle`` (0, 1, ... in this trace), ``start`` and
        ``end`` (ns: the mark phase), ``mark_ns``, ``sweep_term_ns``, ``mark_term_ns``,
        ``stw_ns`` (their sum), ``assist_ns`` (mark assist time summed over goroutines),
        ``assists`` (count); int64 ns, 0 where the trace lacks that part.
    """
    r = trace.ranges
    marks = r[(r["name"] == "GC concurrent mark phase") & r["start"].notna() & r["end"].notna()]
    marks = marks.sort_values("start")
    start = marks["start"].to_numpy(np.int64)
    end = marks["end"].to_numpy(np.int64)
    n = len(start)
    out = pd.DataFrame({"cycle": np.arange(n, dtype=np.int64), "start": start, "end": end, "mark_ns": end - start})
    sweep_term = _assign(r, "stop-the-world (GC sweep termination)", start, before=True)
    mark_term = _assign(r, "stop-the-world (GC mark termination)", end, before=False)
    assist = _assign(r, "GC mark assist", start, before=False, count=True)
    out["sweep_term_ns"] = sweep_term[0]
    out["mark_term_ns"] = mark_term[0]
    out["stw_ns"] = out["sweep_term_ns"] + out["mark_term_ns"]
    out["assist_ns"], out["assists"] = assist
    return out


def _assign(r, name: str, edges: np.ndarray, *, before: bool, count: bool = False):
    """Durations of complete ranges called ``name``, summed per cycle: a range belongs to the first
    cycle edge at or after its start (``before``) or to the last edge at or before its start."""
    rows = r[(r["name"] == name) & r["start"].notna() & r["end"].notna()]
    s = rows["start"].to_numpy(np.int64)
    d = rows["duration"].to_numpy(np.int64)
    if before:
        at = np.searchsorted(edges, s, side="left")
    else:
        at = np.searchsorted(edges, s, side="right") - 1
    ok = (at >= 0) & (at < len(edges))
    total = np.bincount(at[ok], weights=d[ok], minlength=len(edges)).astype(np.int64)
    return (total, np.bincount(at[ok], minlength=len(edges)).astype(np.int64)) if count else (total,)
