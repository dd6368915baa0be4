"""The ``events`` table: one row per parsed event, columns as Go's ``trace.Event`` accessors give them.

Built column by column with numpy from the ordering's output (:mod:`.order`): the raw
type and arguments are gathered by source index, then each kind's fields are filled in
by masks over the type column, following ``src/internal/trace/event.go``
(``StateTransition``, ``Range``, ``Metric``, ``Task``, ``Region``, ``Log``, ``Stack``).
Times get Go's final rule (``reader.go``): every event is later than the one before,
by at least 1 ns.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd

from pprof_parse.runtime.trace import spec

__all__ = ["COLUMNS", "STATES", "event_columns", "events_frame", "experimental_frame"]

#: the parsed states, goroutine and proc together (categories of from_state/to_state)
STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall", "Idle")
_GO = np.array([STATES.index(s) for s in spec.GO_STATES], dtype=np.int8)       # GS_* -> STATES code
_PROC = np.array([STATES.index(s) for s in spec.PROC_STATES], dtype=np.int8)   # PS_* -> STATES code
RESOURCES = ("goroutine", "proc", "none")

COLUMNS = ("time", "kind", "type", "m", "p", "g", "stack", "resource", "id", "from_state", "to_state", "reason",
           "transition_stack", "name", "value", "reclaimed", "task", "parent", "message", "gen")

# transition rules: type -> (resource, id source, from, to); id source "a0" or "g"/"p" (the context)
_GO_TRANSITIONS = {
    14: ("a0", spec.GS_NOT_EXIST, spec.GS_RUNNABLE), 47: ("a0", spec.GS_NOT_EXIST, spec.GS_WAITING),
    15: ("a0", spec.GS_NOT_EXIST, spec.GS_SYSCALL), 16: ("a0", spec.GS_RUNNABLE, spec.GS_RUNNING),
    17: ("g", spec.GS_RUNNING, spec.GS_NOT_EXIST), 18: ("g", spec.GS_SYSCALL, spec.GS_NOT_EXIST),
    19: ("g", spec.GS_RUNNING, spec.GS_RUNNABLE), 20: ("g", spec.GS_RUNNING, spec.GS_WAITING),
    21: ("a0", spec.GS_WAITING, spec.GS_RUNNABLE), 45: ("a0", spec.GS_WAITING, spec.GS_RUNNABLE),
    46: ("a0", spec.GS_WAITING, spec.GS_RUNNABLE), 22: ("g", spec.GS_RUNNING, spec.GS_SYSCALL),
    23: ("g", spec.GS_SYSCALL, spec.GS_RUNNING), 24: ("g", spec.GS_SYSCALL, spec.GS_RUNNABLE),
}
# the transition stack: GoCreate* the new goroutine's (a1); these the event's own stack
_OWN_STACK_TRANSITIONS = (19, 20, 22, 25, 48)


class _Raw:
    """The ordered events' raw fields, gathered from the decoded events and the extras.

    ``decoded`` is consumed: each generation's arrays are dropped once gathered (the list's
    entries become None), so the decoded and the ordered copies of the trace do not both
    stay in memory.
    """

    def __init__(self, decoded: list, emitted):
        src = np.frombuffer(emitted.src, dtype=np.int64)
        n = len(src)
        self.n = n
        self.typ = np.empty(n, np.int16)
        self.time = np.empty(n, np.int64)
        self.args = np.zeros((4, n), np.uint64)
        self.gen = np.empty(n, np.int64)
        self.offset = np.full(n, -1, np.int64)
        base = 0
        for k in range(len(decoded)):
            d, decoded[k] = decoded[k], None
            rows = np.flatnonzero((src >= base) & (src < base + len(d.typ)))
            at = src[rows] - base
            self.typ[rows], self.time[rows], self.offset[rows] = d.typ[at], d.time[at], d.offset[at]
            self.args[:, rows] = d.args[:, at]
            self.gen[rows] = k
            base += len(d.typ)
        ext = np.flatnonzero(src < 0)
        at = -src[ext] - 1
        extra = emitted.extra
        self.typ[ext] = np.array(extra.typ, np.int16)[at]
        self.time[ext] = np.array(extra.time, np.int64)[at]
        self.args[0, ext] = np.array(extra.a0, np.uint64)[at]
        self.args[1, ext] = np.array(extra.a1, np.uint64)[at]
        self.gen[ext] = np.array(extra.gen, np.int64)[at]
        self.m = np.frombuffer(emitted.m, dtype=np.int64).copy()
        self.p = np.frombuffer(emitted.p, dtype=np.int64).copy()
        self.g = np.frombuffer(emitted.g, dtype=np.int64).copy()
        self.x = np.frombuffer(emitted.x, dtype=np.int64).astype(np.uint64)


def _strictly_increasing(t: np.ndarray) -> np.ndarray:
    """Go's rule ``if t <= last { t = last + 1 }`` with ``last`` starting at 0, vectorised:
    ``t'[i] - i`` is the running maximum of ``t[i] - i``."""
    i = np.arange(len(t), dtype=np.int64)
    u = np.maximum.accumulate(np.concatenate(([1], t - i)))[1:]
    return u + i


def event_columns(decoded, emitted, string_maps, stack_maps, pool, source: str) -> dict:
    """The events table's columns as numpy arrays (codes for the categorical ones); :func:`events_frame`
    makes the DataFrame (see :class:`~pprof_parse.runtime.trace.Trace` for the columns).

    ``decoded`` (the generations' :class:`~.decode.GenEvents`) is consumed: its entries are
    dropped as they are gathered. ``string_maps``/``stack_maps`` are the generations'
    :class:`~.tables.IdMap`; ``pool`` the :class:`~.tables.StringPool` (names are added to it).

    Raises
    ------
    TraceFormatError
        An event refers to a stack or string id its generation does not define.
    """
    r = _Raw(decoded, emitted)
    cols = _base_columns(r)
    strings = _resolve_ids(r, string_maps, stack_maps, source)
    _fill_transitions(r, cols, strings)
    _fill_annotations(r, cols, strings, emitted, string_maps, pool)
    exp = np.flatnonzero((r.typ >= 128) & (r.typ < spec.N_SPECS))  # AllocFree events keep their raw arguments
    cols["experimental"] = (exp, r.args[:3, exp].copy())
    return _narrow(cols)


def _narrow(cols: dict) -> dict:
    """Ids that fit in 32 bits (string codes, stack ids, P, generation index) stored as int32."""
    for name in ("reason", "name", "message", "stack", "transition_stack", "p", "gen"):
        cols[name] = cols[name].astype(np.int32)
    return cols


def _base_columns(r: _Raw) -> dict:
    n = r.n
    return {
        "time": _strictly_increasing(r.time), "type": r.typ, "m": r.m, "p": r.p, "g": r.g,
        "stack": np.zeros(n, np.int64), "resource": np.full(n, -1, np.int8), "id": np.full(n, -1, np.int64),
        "from_state": np.full(n, -1, np.int8), "to_state": np.full(n, -1, np.int8),
        "reason": np.full(n, -1, np.int64), "transition_stack": np.zeros(n, np.int64),
        "name": np.full(n, -1, np.int64), "value": np.full(n, -1, np.int64), "task": np.full(n, -1, np.int64),
        "parent": np.full(n, -1, np.int64), "message": np.full(n, -1, np.int64), "gen": r.gen,
    }


def _resolve_ids(r: _Raw, string_maps, stack_maps, source):
    """Global ids for every string and stack argument (checked as Go's ``validateTableIDs``),
    returned as ``{(type, arg position): global ids of those rows}``; own stacks go to ``r.stack``."""
    r.stack = np.zeros(r.n, np.int64)
    r.new_stack = np.zeros(r.n, np.int64)
    resolved = {}
    for typ in np.unique(r.typ).tolist():
        rows = np.flatnonzero(r.typ == typ)
        stack_pos = (0,) if typ == spec.CPU_SAMPLE else spec.STACK_ARGS.get(typ, ())
        for k, pos in enumerate(stack_pos):
            ids = _map_by_gen(r, rows, r.args[pos, rows], stack_maps, "stack", source)
            (r.stack if k == 0 else r.new_stack)[rows] = ids
        for pos in spec.STRING_ARGS.get(typ, ()):
            resolved[(typ, pos)] = _map_by_gen(r, rows, r.args[pos, rows], string_maps, "string", source)
    return resolved


def _map_by_gen(r, rows, ids, maps, what, source):
    out = np.zeros(len(rows), np.int64)
    gens = r.gen[rows]
    for k in np.unique(gens).tolist():
        sel = gens == k
        if k >= 0:
            out[sel] = maps[k].map(ids[sel], what, source, r.offset[rows[sel]])
    return out


def _fill_transitions(r: _Raw, c: dict, strings: dict) -> None:
    typ = r.typ
    c["stack"] = r.stack
    for t, (who, old, new) in _GO_TRANSITIONS.items():
        rows = typ == t
        if rows.any():
            c["resource"][rows] = 0
            c["id"][rows] = r.args[0, rows].view(np.int64) if who == "a0" else r.g[rows]
            c["from_state"][rows], c["to_state"][rows] = _GO[old], _GO[new]
    for t in (14, 47):
        rows = typ == t
        c["transition_stack"][rows] = r.new_stack[rows]
    for t in _OWN_STACK_TRANSITIONS:
        rows = typ == t
        c["transition_stack"][rows] = r.stack[rows]
    for t in (19, 20):
        if (t, 0) in strings:  # (a GoSwitch's synthetic GoBlock has string id 0: "")
            c["reason"][typ == t] = strings[(t, 0)]
    status = (typ == 25) | (typ == 48)
    if status.any():
        c["resource"][status] = 0
        c["id"][status] = r.args[0, status].view(np.int64)
        x = r.x[status]
        c["from_state"][status] = _GO[(x >> np.uint64(32)).astype(np.int64)]
        wire = (x & np.uint64(0xFFFFFFFF)).astype(np.int64)
        c["to_state"][status] = _GO[np.array(spec.GO_STATUS_TO_STATE)[wire]]
    _fill_proc_transitions(r, c)


def _fill_proc_transitions(r: _Raw, c: dict) -> None:
    typ = r.typ
    rules = {10: ("a0", spec.PS_IDLE, spec.PS_RUNNING), 11: ("p", spec.PS_RUNNING, spec.PS_IDLE)}
    for t, (who, old, new) in rules.items():
        rows = typ == t
        c["resource"][rows] = 1
        c["id"][rows] = r.args[0, rows].view(np.int64) if who == "a0" else r.p[rows]
        c["from_state"][rows], c["to_state"][rows] = _PROC[old], _PROC[new]
    steal = typ == 12
    c["resource"][steal] = 1
    c["id"][steal] = r.args[0, steal].view(np.int64)
    was_abandoned = r.x[steal] == spec.PROC_SYSCALL_ABANDONED
    c["from_state"][steal] = np.where(was_abandoned, _PROC[spec.PS_IDLE], _PROC[spec.PS_RUNNING])
    c["to_state"][steal] = _PROC[spec.PS_IDLE]
    status = typ == 13
    c["resource"][status] = 1
    c["id"][status] = r.args[0, status].view(np.int64)
    x = r.x[status].astype(np.int64)
    c["from_state"][status] = _PROC[x & 0xFF]
    c["to_state"][status] = _PROC[np.array(spec.PROC_STATUS_TO_STATE)[x >> 8]]


def _fill_annotations(r: _Raw, c: dict, strings: dict, emitted, string_maps, pool) -> None:
    typ = r.typ
    a = r.args
    for t, name in spec.METRIC_NAMES.items():
        rows = typ == t
        c["name"][rows] = pool.id(name)
        c["value"][rows] = a[0, rows].view(np.int64)
    label = typ == 39
    c["name"][label] = strings.get((39, 0), 0)
    c["resource"][label], c["id"][label] = 0, r.g[label]
    _fill_ranges(r, c, strings, string_maps, pool)
    for t in (40, 41, 42, 43, 44):
        rows = typ == t
        c["task"][rows] = a[0, rows].view(np.int64)
    begin = typ == 40
    c["parent"][begin] = np.where(a[1, begin] == 0, -1, a[1, begin].view(np.int64))
    c["name"][begin] = strings.get((40, 2), 0)
    end = np.flatnonzero(typ == 41)
    if len(end):
        info = [emitted.task_ends[k] for k in r.x[end].tolist()]
        c["parent"][end] = np.array([p for p, _ in info], np.uint64).view(np.int64)
        c["name"][end] = [pool.id(s) for _, s in info]
    for t in (42, 43):
        c["name"][typ == t] = strings.get((t, 1), 0)
    log = typ == 44
    c["name"][log] = strings.get((44, 1), 0)
    c["message"][log] = strings.get((44, 2), 0)
    sync = typ == spec.SYNC
    c["value"][sync] = a[0, sync].view(np.int64)


def _fill_ranges(r: _Raw, c: dict, strings: dict, string_maps, pool) -> None:
    typ = r.typ
    for t, name in spec.RANGE_NAMES.items():
        rows = typ == t
        c["name"][rows] = pool.id(name)
        if t in (28, 29, 30):
            c["resource"][rows] = 2
        elif t in (31, 32, 33):
            c["resource"][rows] = 1
            c["id"][rows] = r.args[0, rows].view(np.int64) if t == 31 else r.p[rows]
        else:
            c["resource"][rows] = 0
            c["id"][rows] = r.args[0, rows].view(np.int64) if t == 34 else r.g[rows]
    sweep_end = typ == 33
    c["value"][sweep_end] = r.args[0, sweep_end].view(np.int64)
    c.setdefault("reclaimed", np.full(r.n, -1, np.int64))[sweep_end] = r.args[1, sweep_end].view(np.int64)
    stw = np.flatnonzero((typ == 26) | (typ == 27))
    if len(stw):
        kinds = np.zeros(len(stw), np.int64)
        is_begin = typ[stw] == 26
        begin_rows = stw[is_begin]
        kinds[is_begin] = _kind_ids(r, begin_rows, r.args[0, begin_rows], string_maps)
        end_rows = stw[~is_begin]
        kinds[~is_begin] = _kind_ids(r, end_rows, r.x[end_rows], string_maps)
        text = pool.strings
        c["name"][stw] = [pool.id(f"stop-the-world ({text[k]})") for k in kinds.tolist()]
        c["resource"][stw] = 0
        c["id"][stw] = r.g[stw]


def _kind_ids(r, rows, ids, string_maps):
    """STW kind strings: an STWEnd carries its STWBegin's id, read in the End's generation (as Go
    does); an id that generation lacks reads as ""."""
    out = np.zeros(len(rows), np.int64)
    for k in np.unique(r.gen[rows]).tolist():
        sel = r.gen[rows] == k
        keys, values = string_maps[k].keys, string_maps[k].values
        pos = np.minimum(np.searchsorted(keys, ids[sel]), len(keys) - 1)
        out[sel] = np.where(keys[pos] == ids[sel], values[pos], 0)
    return out


def experimental_frame(c: dict):  # c: event_columns' dict (its "type" and "experimental")
    """The AllocFree experiment's events (``GODEBUG=traceallocfree=1``): ``event`` (row of the
    events table), ``type``, ``id`` (span base, object address or stack address) and the
    type's other arguments, ``arg1`` and ``arg2`` (Span*: pages and kind/class; HeapObject*:
    the type id; GoroutineStack*: the order); -1 where the type has fewer."""
    rows, args = c["experimental"]
    typ = c["type"][rows]
    nargs = spec.N_ARGS[typ]
    a = args.view(np.int64).copy()
    a[1, nargs < 2] = -1
    a[2, nargs < 3] = -1
    return pd.DataFrame({"event": rows, "type": pd.Categorical([spec.NAMES[t] for t in typ.tolist()]),
                         "id": a[0], "arg1": a[1], "arg2": a[2]})


def events_frame(c: dict, pool):
    """The events DataFrame from :func:`event_columns`' arrays (categoricals share the string pool)."""
    names = pool.strings
    cat = pd.Categorical.from_codes
    type_names = {t: spec.NAMES[t] for t in np.unique(c["type"]).tolist()}
    codes = np.array(sorted(type_names), dtype=np.int16)
    type_cat = pd.Categorical.from_codes(np.searchsorted(codes, c["type"]).astype(np.int32),
                                         categories=[type_names[t] for t in codes.tolist()])
    kind_of = np.array([spec.KIND_ORDER.index(spec.KINDS[t]) for t in codes.tolist()], np.int8)
    kind = cat(kind_of[np.searchsorted(codes, c["type"])], categories=list(spec.KIND_ORDER))
    strings_cat = pd.CategoricalDtype(categories=names)  # the pool holds each string once
    out = {
        "time": c["time"], "kind": kind, "type": type_cat, "m": c["m"], "p": c["p"], "g": c["g"],
        "stack": c["stack"], "resource": cat(c["resource"], categories=list(RESOURCES)), "id": c["id"],
        "from_state": cat(c["from_state"], categories=list(STATES)),
        "to_state": cat(c["to_state"], categories=list(STATES)),
        "reason": cat(c["reason"], dtype=strings_cat), "transition_stack": c["transition_stack"],
        "name": cat(c["name"], dtype=strings_cat), "value": c["value"],
        "reclaimed": c.get("reclaimed", np.full(len(c["time"]), -1, np.int64)),
        "task": c["task"], "parent": c["parent"], "message": cat(c["message"], dtype=strings_cat), "gen": c["gen"],
    }
    return pd.DataFrame(out, copy=False)
