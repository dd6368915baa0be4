"""Where goroutines waited: the four profiles ``go tool trace -pprof=KIND`` writes, as tables.

Rules (``src/cmd/trace/pprof.go``, ``src/internal/trace/summary.go``), per goroutine:

* an interval opens at a state transition *into* the kind's state whose reason
  matches -- ``sched``: Runnable; ``syscall``: Syscall; ``net``: Waiting with reason
  ``network``; ``sync``: Waiting with a reason containing ``chan``, ``sync`` or
  ``select`` -- and closes at the goroutine's next transition to any other state
  (transitions that stay in the state, such as a generation's status events, keep it
  open). Intervals still open at the end of the trace are dropped;
* each interval is clipped to the goroutine's lifetime as Go's summary sees it:
  from its first transition into Running (0 if it never ran) to its end (a
  transition to NotExist, or a block with reason ``forever``; else the trace's
  last event). A goroutine the summary never registered counts nothing;
* a kept interval (positive overlap) adds 1 to ``count`` and its overlap in ns to
  ``delay_ns``, on the stack of the event that *opened* it (``Event.Stack()``: the
  blocking goroutine's own for GoBlock/GoStop/GoSyscallBegin, the unblocker's for
  GoUnblock, none for GoStatus), stacks with the same first 128 PCs merged.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd

from pprof_parse.errors import OptionError

__all__ = ["KINDS", "delay_profile"]

#: the kinds, with the state an interval is spent in
KINDS = {"sched": "Runnable", "syscall": "Syscall", "net": "Waiting", "sync": "Waiting"}
_MAX_PCS = 128


def _reason_matches(kind: str, reasons: "pd.Series") -> np.ndarray:
    r = reasons.astype(object).fillna("").astype(str)
    if kind == "net":
        return (r == "network").to_numpy()
    if kind == "sync":
        return (r.str.contains("chan", regex=False) | r.str.contains("sync", regex=False)
                | r.str.contains("select", regex=False)).to_numpy()
    return np.ones(len(r), bool)


def _lifetimes(tr: "pd.DataFrame", end_of_trace: int) -> "pd.DataFrame":
    """Per goroutine the summary's [StartTime, end] window (index: goroutine id)."""
    moving = tr[tr["from_state"] != tr["to_state"]]
    registered = moving.loc[moving["from_state"].isin(["Undetermined", "NotExist"]), "id"].unique()
    start = moving[moving["to_state"] == "Running"].groupby("id")["time"].min()
    ends_rows = (moving["to_state"] == "NotExist") | (
        (moving["to_state"] == "Waiting") & (moving["reason"].astype(object) == "forever"))
    end = moving[ends_rows].groupby("id")["time"].max()
    life = pd.DataFrame(index=pd.Index(registered, name="id"))
    life["start"] = start.reindex(life.index).fillna(0).astype(np.int64)
    life["end"] = end.reindex(life.index).fillna(end_of_trace).astype(np.int64)
    return life


def _intervals(tr: "pd.DataFrame", kind: str) -> "pd.DataFrame":
    """The opened-and-closed intervals: opening row's time and stack, closing time, goroutine."""
    in_state = (tr["to_state"] == KINDS[kind]).to_numpy()
    ids = tr["id"].to_numpy()
    new_g = np.r_[True, ids[1:] != ids[:-1]]
    run_start = in_state & (new_g | ~np.r_[False, in_state[:-1]])
    run_id = np.cumsum(run_start)  # numbers the runs of in-state rows (per goroutine)
    opens = in_state & _reason_matches(kind, tr["reason"])
    # the first matching row of each run opens it; the run's first row after it closes it
    pos = np.flatnonzero(opens)
    first_open = pos[np.r_[True, run_id[pos][1:] != run_id[pos][:-1]]] if len(pos) else pos
    leaves = np.flatnonzero(~in_state)  # rows that leave the state: the first after an opening closes it
    at = np.searchsorted(leaves, first_open)
    keep = at < len(leaves)
    first_open, run_end = first_open[keep], leaves[at[keep]]
    keep = ids[run_end] == ids[first_open]  # the closing transition is the same goroutine's
    first_open, run_end = first_open[keep], run_end[keep]
    time = tr["time"].to_numpy()
    return pd.DataFrame({"id": ids[first_open], "t0": time[first_open], "t1": time[run_end],
                         "stack": tr["stack"].to_numpy()[first_open]})


def _pcs_key(pcs) -> tuple:
    """Go's key: the first 128 PCs in a zero-padded array, so trailing zero PCs (the runtime's
    ``pc=0`` frames) merge with shorter stacks and with no stack."""
    pcs = list(pcs[:_MAX_PCS])
    while pcs and pcs[-1] == 0:
        pcs.pop()
    return tuple(pcs)


def delay_profile(events: "pd.DataFrame", stack_pcs, kind: str) -> "pd.DataFrame":
    """The ``go tool trace -pprof=KIND`` profile of ``events`` (a :attr:`Trace.events` table).

    ``stack_pcs(stack_id)`` gives a stack's PCs (leaf first). Returns one row per
    distinct stack (by its first 128 PCs): ``stack`` (a stack id with those PCs),
    ``count`` (intervals) and ``delay_ns`` (their total overlap, ns), largest first.

    Raises
    ------
    OptionError
        ``kind`` is not one of sched, syscall, net, sync.
    """
    if kind not in KINDS:
        raise OptionError(f"unknown delay profile kind {kind!r}: expected one of {', '.join(KINDS)}")
    gor = events[(events["kind"] == "StateTransition") & (events["resource"] == "goroutine")]
    tr = gor[["time", "id", "from_state", "to_state", "reason", "stack"]].reset_index(drop=True)
    tr = tr.iloc[np.argsort(tr["id"].to_numpy(), kind="stable")].reset_index(drop=True)
    life = _lifetimes(tr, int(events["time"].iloc[-1]))
    iv = _intervals(tr, kind).join(life, on="id", how="inner")
    overlap = np.minimum(iv["t1"], iv["end"]) - np.maximum(iv["t0"], iv["start"])
    disjoint = (iv["end"] < iv["t0"]) | (iv["t1"] < iv["start"])
    iv = iv.assign(delay_ns=overlap.where(~disjoint, 0))
    iv = iv[iv["delay_ns"] > 0]
    keys = {s: _pcs_key(stack_pcs(s)) for s in iv["stack"].unique().tolist()}
    iv = iv.assign(pcs=iv["stack"].map(keys))
    out = iv.groupby("pcs", sort=False).agg(stack=("stack", "last"), count=("stack", "size"),
                                            delay_ns=("delay_ns", "sum"))
    return out.sort_values("delay_ns", ascending=False, kind="stable").reset_index(drop=True)
