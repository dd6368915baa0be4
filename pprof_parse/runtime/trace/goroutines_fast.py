"""The goroutine analysis of ``go tool trace``, computed columnwise from the transitions table.

The fast path of :func:`pprof_parse.runtime.trace.goroutines.goroutine_table`. Each
goroutine's state changes (``from_state != to_state``) are sorted by goroutine; the state
a change enters lasts until the goroutine's next change (or the end of the trace) and is
charged to the bucket Go's ``src/internal/trace/summary.go`` charges it to. Two pieces
of Go's summarizer couple goroutines and are run as short loops over the few events
they need: which P a syscalling goroutine holds (a P going idle marks its syscall as
blocked), and the GC ranges a goroutine spends time in. The reference path
(:mod:`.goroutines_reference`) must give the same table.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd

__all__ = ["fast_summary"]


def _codes(col: "pd.Series", names) -> tuple[np.ndarray, dict]:
    cats = list(col.cat.categories)
    return col.cat.codes.to_numpy(), {n: (cats.index(n) if n in cats else -2) for n in names}


def _moving_goroutine_rows(tr: "pd.DataFrame") -> np.ndarray:
    """Positions (in ``tr``) of goroutine transitions that change the state, sorted by goroutine."""
    moving = tr["from_state"].cat.codes.to_numpy() != tr["to_state"].cat.codes.to_numpy()
    pos = np.flatnonzero(moving & (tr["resource"] == "goroutine").to_numpy())
    return pos[np.argsort(tr["id"].to_numpy()[pos], kind="stable")]


def _syscall_block_times(tr: "pd.DataFrame", gpos: np.ndarray, st: dict) -> dict[int, int]:
    """Go's syscall/P bookkeeping: {position of a transition into Syscall: time its P went idle}.

    A goroutine entering a syscall is bound to the event's P; a P going idle while bound
    marks that syscall as blocked from then on; leaving the syscall unbinds the P the
    goroutine entered on, even if another goroutine has bound it since (as Go does).
    """
    frm, to = st["from"], st["to"]
    sys_rows = gpos[(frm[gpos] == st["Syscall"]) | (to[gpos] == st["Syscall"])]
    pfrm, pto = tr["from_state"].cat.codes.to_numpy(), tr["to_state"].cat.codes.to_numpy()
    idle = st["Idle"]
    prows = np.flatnonzero((tr["resource"] == "proc").to_numpy() & (pto == idle) & (pfrm != idle))
    rows = np.sort(np.concatenate([sys_rows, prows]))
    is_g = np.isin(rows, sys_rows)
    ids, times, ctx_p = tr["id"].to_numpy()[rows].tolist(), tr["time"].to_numpy()[rows].tolist(), \
        tr["p"].to_numpy()[rows].tolist()
    leaves, enters = (frm[rows] == st["Syscall"]).tolist(), (to[rows] == st["Syscall"]).tolist()
    syscalling_p: dict[int, int] = {}
    syscalling_g: dict[int, int] = {}
    open_at: dict[int, int] = {}
    blocked: dict[int, int] = {}
    for r, g_row, i, t, p, leave, enter in zip(rows.tolist(), is_g.tolist(), ids, times, ctx_p, leaves, enters):
        if not g_row:
            if i in syscalling_p:
                g = syscalling_p.pop(i)
                if g in open_at:
                    blocked[open_at[g]] = t
            continue
        if leave and open_at.pop(i, None) is not None:
            syscalling_p.pop(syscalling_g.pop(i, 0), None)
        if enter:
            syscalling_p[p] = i
            syscalling_g[i] = p
            open_at[i] = r
    return blocked


def _one_life_each(ids, creation, is_end) -> np.ndarray:
    """Row mask keeping, per goroutine, its last life (from a creation to its end, inclusive)."""
    n = len(ids)
    new_id = np.r_[True, ids[1:] != ids[:-1]] if n else np.zeros(0, bool)
    seg = np.cumsum(new_id | creation) - 1
    first = np.flatnonzero(new_id | creation)
    valid = creation[first][seg]  # a life starts with a creation (else: rows Go could not attribute)
    last_seg = np.maximum.reduceat(np.where(valid, seg, -1), np.flatnonzero(new_id)) if n else seg
    keep = valid & (seg == np.repeat(last_seg, np.diff(np.r_[np.flatnonzero(new_id), n])))
    ends_before = np.cumsum(is_end) - is_end
    keep &= ends_before == ends_before[first][seg]  # nothing after the goroutine's end
    return keep


def _sums(keys: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(keys[mask], weights=values[mask], minlength=n).astype(np.int64)


def fast_summary(tr, span, root_frames, sync_times, ranges_rows):
    """Per goroutine (sorted by id) Go's summary fields; see :func:`..goroutines.goroutine_table`.

    ``root_frames(stack_ids)`` gives the PCs and functions of the stacks' outermost frames
    (0 and "" for none); ``span`` is the times of the trace's first and last events;
    ``ranges_rows`` are the Range events as ``(time, kind, name, resource, id, g)``.
    Returns ``(base columns, {reason: ns array}, {range name: ns array})``.
    """
    first_ts, last_ts = span
    frm_all, st = _codes(tr["from_state"], ("Undetermined", "NotExist", "Running", "Runnable", "Waiting",
                                            "Syscall", "Idle"))
    st.update({"from": frm_all, "to": tr["to_state"].cat.codes.to_numpy()})
    gpos = _moving_goroutine_rows(tr)
    blocked = _syscall_block_times(tr, gpos, st)
    reason_all, rc = _codes(tr["reason"], ("forever",))
    frm, to, reason = frm_all[gpos], st["to"][gpos], reason_all[gpos]
    ids = tr["id"].to_numpy()[gpos]
    creation = (frm == st["Undetermined"]) | (frm == st["NotExist"])
    is_end = (to == st["NotExist"]) | ((to == st["Waiting"]) & (reason == rc["forever"]))
    keep = _one_life_each(ids, creation, is_end)
    gpos, frm, to, reason, ids, is_end = gpos[keep], frm[keep], to[keep], reason[keep], ids[keep], is_end[keep]
    t = tr["time"].to_numpy()[gpos]
    n = len(ids)
    new_id = np.r_[True, ids[1:] != ids[:-1]] if n else np.zeros(0, bool)
    first, last = np.flatnonzero(new_id), np.r_[np.flatnonzero(new_id)[1:] - 1, n - 1] if n else np.zeros(0, int)
    gi = np.cumsum(new_id) - 1  # goroutine index of each row
    ng = len(first)
    is_last = np.zeros(n, bool)
    is_last[last] = True
    next_t = np.where(is_last, last_ts, np.r_[t[1:], last_ts])
    dur = next_t - t
    blk = np.array([blocked.get(int(p), -1) for p in gpos[to == st["Syscall"]]], np.int64)
    sys_blk = np.full(n, -1, np.int64)
    sys_blk[to == st["Syscall"]] = blk

    # a goroutine alive when the trace began is charged its first state from the Sync on
    since_sync = np.zeros(n, np.int64)
    since_sync[first] = np.where(frm[first] == st["Undetermined"], t[first] - _last_sync(t[first], sync_times,
                                                                                          first_ts), 0)
    no_p = tr["p"].to_numpy()[gpos] == -1
    in_sys = to == st["Syscall"]
    was_blocked = in_sys & (sys_blk >= 0)
    closed_blocked, open_blocked = was_blocked & ~is_last, was_blocked & is_last
    syscall_dur = np.where(closed_blocked, sys_blk - t, dur)
    base = {
        "goroutine": ids[first],
        "exec_ns": _sums(gi, dur + since_sync, to == st["Running"], ng),
        "sched_wait_ns": _sums(gi, dur + since_sync, to == st["Runnable"], ng)
        + _sums(gi, last_ts - sys_blk, open_blocked, ng),  # Go: a blocked syscall open at the end
        "syscall_ns": _sums(gi, syscall_dur, in_sys, ng) + _sums(gi, since_sync, in_sys & ~no_p, ng),
        "syscall_block_ns": _sums(gi, next_t - sys_blk, closed_blocked, ng) + _sums(gi, since_sync, in_sys & no_p, ng),
    }
    base.update(_lifetimes(tr, gpos, t, frm, to, first, last, is_end, st, sync_times, first_ts, last_ts))
    base.update(_names(tr["transition_stack"].to_numpy()[gpos], gi, ng, root_frames))
    undetermined_first = np.zeros(n, bool)
    undetermined_first[first] = frm[first] == st["Undetermined"]
    waiting = (to == st["Waiting"]) & (~is_end | undetermined_first)  # forever: only its time since the Sync
    block = _block_by_reason(tr["reason"], gi, reason, np.where(is_end, 0, dur) + since_sync, waiting, ng)
    end = np.where(base["end_time"] > 0, base["end_time"], last_ts)
    ranges = _range_times(ranges_rows, sync_times, first_ts, base["goroutine"], t[first], end, base["end_time"] > 0)
    return base, block, ranges


def _lifetimes(tr, gpos, t, frm, to, first, last, is_end, st, sync_times, first_ts, last_ts) -> dict:
    """Creation (time, creator, its stack), first start, end, and Go's total time."""
    undetermined = frm[first] == st["Undetermined"]
    creation_time = np.where(undetermined, _last_sync(t[first], sync_times, first_ts), t[first]).astype(np.int64)
    running = np.flatnonzero(to == st["Running"])
    gi, at = np.unique(np.searchsorted(first, running, side="right") - 1, return_index=True)
    start_time = np.zeros(len(first), np.int64)
    start_time[gi] = t[running[at]]  # each goroutine's first Running row
    end_time = np.where(is_end[last], t[last], 0).astype(np.int64)
    total = np.where(end_time > 0, end_time - creation_time, 0)
    total = np.where(total == 0, last_ts - creation_time, total)  # Go recomputes a zero total at the end
    return {"creation_time": creation_time,
            "creator": np.where(undetermined, -1, tr["g"].to_numpy()[gpos[first]]).astype(np.int64),
            "creator_stack": np.where(undetermined, 0, tr["stack"].to_numpy()[gpos[first]]).astype(np.int64),
            "start_time": start_time, "end_time": end_time, "total_ns": total.astype(np.int64)}


def _last_sync(t: np.ndarray, sync_times: np.ndarray, first_ts: int) -> np.ndarray:
    """Go's ``syncTs`` at each time: the last Sync before it (the first event's time before any)."""
    at = np.searchsorted(sync_times, t, side="right") - 1
    return np.where(at >= 0, sync_times[np.maximum(at, 0)], first_ts) if len(sync_times) else np.full_like(t, first_ts)


def _names(tstack, gi, ng, root_frames) -> dict:
    """Go's Name and PC: the outermost frame of the first transition stack with a named root
    (a stack whose root has no name sets only the PC, and a later one overwrites it)."""
    pcs, names = root_frames(tstack)
    has = (tstack != 0) & ((pcs != 0) | (names != ""))
    named = has & (names != "")
    name = np.full(ng, "", dtype=object)
    pc = np.zeros(ng, np.uint64)
    rows = np.flatnonzero(has)[::-1]
    g, at = np.unique(gi[rows], return_index=True)
    pc[g] = pcs[rows[at]]  # the last frame-bearing stack's PC, unless a named one came first
    rows = np.flatnonzero(named)
    g, at = np.unique(gi[rows], return_index=True)
    name[g], pc[g] = names[rows[at]], pcs[rows[at]]
    return {"name": name, "start_pc": pc}


def _block_by_reason(reason_col, gi, reason, dur, waiting, ng) -> dict:
    cats = list(reason_col.cat.categories)
    out = {}
    for code in np.unique(reason[waiting]).tolist():
        text = cats[code] if code >= 0 else ""
        out[text] = out.get(text, 0) + _sums(gi, dur, waiting & (reason == code), ng)
    return out


def _range_times(rows, sync_times, first_ts, gids, seen, end, ended) -> dict:
    """Go's RangeTime: time in goroutine-scoped ranges (mark assist, stop-the-world) and in
    P-scoped ranges (sweeps) that began and ended on the same goroutine; RangeActive counts
    from the generation's Sync; a range open at the goroutine's end counts to that end."""
    index = {g: k for k, g in enumerate(gids.tolist())}
    seen, end, ended = seen.tolist(), end.tolist(), ended.tolist()
    out: dict[str, np.ndarray] = {}
    open_: dict[tuple, int] = {}
    ranges_p: dict[tuple, int] = {}

    def live(g, t):  # Go's map holds the goroutine (from its first transition on), and it has not ended
        k = index.get(g)
        return k if k is not None and seen[k] < t and not (ended[k] and end[k] < t) else None

    for t, kind, name, resource, rid, g in rows:
        if resource == "goroutine":
            k = live(rid, t)
        elif kind != "RangeEnd":
            k = live(g, t) if resource == "proc" else None
            if k is not None:
                ranges_p[(rid, name)] = g
        else:
            owner = ranges_p.pop((rid, name), None) if resource == "proc" else None
            k = live(g, t) if owner is not None and owner == g else None
        if k is None:
            continue
        if kind == "RangeActive":
            at = np.searchsorted(sync_times, t, side="right") - 1
            sync = int(sync_times[at]) if at >= 0 else first_ts
            if (k, name) in open_:
                _add(out, name, k, len(gids), sync - open_[(k, name)])
            open_[(k, name)] = sync
        elif kind == "RangeBegin":
            open_[(k, name)] = t
        elif (k, name) in open_:
            _add(out, name, k, len(gids), t - open_.pop((k, name)))
    for (k, name), since in open_.items():
        _add(out, name, k, len(gids), end[k] - since)
    return out


def _add(out: dict, name: str, k: int, n: int, ns: int) -> None:
    if name not in out:
        out[name] = np.zeros(n, np.int64)
    out[name][k] += ns
