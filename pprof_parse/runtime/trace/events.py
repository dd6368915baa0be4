"""The ``events`` table: one row per parsed event, columns as Go's ``trace.Event`` accessors give them.

Built column by column with numpy from the ordering's output (:mod:`.order`): the raw
type and arguments are gathered by source index (:mod:`.gather`), then each kind's fields
are filled in by masks over the type column, following ``src/internal/trace/event.go``
(``StateTransition``, ``Range``, ``Metric``, ``Task``, ``Region``, ``Log``, ``Stack``).
Times get Go's final rule (``reader.go``): every event is later than the one before,
by at least 1 ns. The columns are kept narrow, the few-kinds ones sparse
(:mod:`.store`); :func:`events_frame` makes the DataFrame, or a part of it, on demand.
"""

from __future__ import annotations

import functools

import numpy as np
from gopherlab_common.lazy import pd

from pprof_parse.runtime.trace import spec
from pprof_parse.runtime.trace.gather import Raw
from pprof_parse.runtime.trace.narrow import narrowed
from pprof_parse.runtime.trace.store import EventStore, Sparse

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


def _strictly_increasing(t: np.ndarray) -> np.ndarray:
    """Go's rule ``if t <= last { t = last + 1 }`` with ``last`` starting at 0, vectorised and in
    place (``t`` is returned): ``t'[i] - i`` is the running maximum of ``t[i] - i`` (and of 1)."""
    if len(t):
        i = np.arange(len(t), dtype=np.int64)
        t -= i
        t[0] = max(t[0], 1)
        np.maximum.accumulate(t, out=t)
        t += i
    return t


def event_columns(decoded, emitted, string_maps, stack_maps, pool, source: str) -> EventStore:
    """The events table's columns, kept in an :class:`~.store.EventStore` (narrow dtypes, codes for
    the categorical columns); :func:`events_frame` makes the DataFrame (see
    :class:`~pprof_parse.runtime.trace.Trace` for the columns).

    ``decoded`` (the generations' :class:`~.decode.GenEvents`) and ``emitted``'s columns are
    consumed (:class:`~.gather.Raw`). ``string_maps``/``stack_maps`` are the generations'
    :class:`~.tables.IdMap`; ``pool`` the :class:`~.tables.StringPool` (names are added to it).

    Raises
    ------
    TraceFormatError
        An event refers to a stack or string id its generation does not define.
    """
    r = Raw(decoded, emitted)
    of_type = RowsByType(r.typ)
    strings = _resolve_ids(r, of_type, string_maps, stack_maps, source)
    r.offset = None  # only the id checks need it
    cols = _base_columns(r)
    _fill_transitions(r, of_type, cols, strings)
    _fill_annotations(r, of_type, cols, strings, emitted, string_maps, pool)
    exp = of_type(*range(128, spec.N_SPECS))  # AllocFree events keep their raw arguments
    experimental = (exp, np.array([a[exp].astype(np.uint64) for a in r.args[:3]]).reshape(3, len(exp)))
    cols["id"] = narrowed(cols["id"])
    return EventStore(r.n, cols, experimental)


class RowsByType:
    """The rows of each event type: ``of_type(t, ...)`` gives the rows of those types, increasing.
    One stable sort of the type column serves every per-type fill below, instead of a comparison
    over all rows for each type."""

    def __init__(self, typ: np.ndarray):
        self.order = np.argsort(typ, kind="stable")
        self.bounds = np.concatenate(([0], np.cumsum(np.bincount(typ, minlength=spec.SYNC + 1))))

    def __call__(self, *types: int) -> np.ndarray:
        parts = [self.order[self.bounds[t]:self.bounds[t + 1]] for t in types if t + 1 < len(self.bounds)]
        if len(parts) == 1:
            return parts[0]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, self.order.dtype)

    def present(self) -> list[int]:
        """The types that have rows, increasing."""
        return np.flatnonzero(np.diff(self.bounds)).tolist()


def _base_columns(r: Raw) -> dict:
    n = r.n
    return {
        "time": _strictly_increasing(r.time), "type": r.typ, "m": r.m, "p": r.p, "g": r.g,
        "stack": r.stack, "resource": np.full(n, -1, np.int8), "id": np.full(n, -1, np.int64),
        "from_state": np.full(n, -1, np.int8), "to_state": np.full(n, -1, np.int8),
        "reason": np.full(n, -1, np.int32), "transition_stack": np.zeros(n, np.int32),
        "name": Sparse(n, np.int32), "value": Sparse(n, np.int64), "reclaimed": Sparse(n, np.int64),
        "task": Sparse(n, np.int64), "parent": Sparse(n, np.int64), "message": Sparse(n, np.int32), "gen": r.gen,
    }


def _i64(values: np.ndarray) -> np.ndarray:
    """Unsigned wire values as int64 (2^64-1 reads as -1, as the uint64 view did)."""
    return values.astype(np.int64)


def _resolve_ids(r: Raw, of_type: RowsByType, string_maps, stack_maps, source):
    """Global ids for every string and stack argument (checked as Go's ``validateTableIDs``),
    returned as ``{(type, arg position): global ids of those rows}``; own stacks go to ``r.stack``
    (int32), a created goroutine's start stack to ``r.new_stack`` (:class:`~.store.Sparse`)."""
    r.stack = np.zeros(r.n, np.int32)
    r.new_stack = Sparse(r.n, np.int32, 0)
    resolved = {}
    for typ in of_type.present():
        rows = of_type(typ)
        stack_pos = (0,) if typ == spec.CPU_SAMPLE else spec.STACK_ARGS.get(typ, ())
        for k, pos in enumerate(stack_pos):
            ids = _map_by_gen(r, rows, r.args[pos][rows], stack_maps, "stack", source)
            if k == 0:
                r.stack[rows] = ids
            else:
                r.new_stack[rows] = ids
        for pos in spec.STRING_ARGS.get(typ, ()):
            resolved[(typ, pos)] = _map_by_gen(r, rows, r.args[pos][rows], string_maps, "string", source)
    return resolved


def _map_by_gen(r, rows, ids, maps, what, source):
    out = np.zeros(len(rows), np.int64)
    gens = r.gen[rows]
    by_gen = np.argsort(gens, kind="stable")
    sorted_gens = gens[by_gen]
    present = np.flatnonzero(np.r_[True, sorted_gens[1:] != sorted_gens[:-1]])
    for lo, hi in zip(present.tolist(), present[1:].tolist() + [len(rows)]):
        k, sel = int(sorted_gens[lo]), by_gen[lo:hi]
        if k >= 0:
            out[sel] = maps[k].map(ids[sel], what, source, r.offset[rows[sel]])
    return out


def _fill_transitions(r: Raw, of_type: RowsByType, c: dict, strings: dict) -> None:
    c["stack"] = r.stack
    for t, (who, old, new) in _GO_TRANSITIONS.items():
        rows = of_type(t)
        if len(rows):
            c["resource"][rows] = 0
            c["id"][rows] = _i64(r.args[0][rows]) if who == "a0" else r.g[rows]
            c["from_state"][rows], c["to_state"][rows] = _GO[old], _GO[new]
    for t in (14, 47):
        rows = of_type(t)
        c["transition_stack"][rows] = r.new_stack.take(rows)
    for t in _OWN_STACK_TRANSITIONS:
        rows = of_type(t)
        c["transition_stack"][rows] = r.stack[rows]
    for t in (19, 20):
        if (t, 0) in strings:  # (a GoSwitch's synthetic GoBlock has string id 0: "")
            c["reason"][of_type(t)] = strings[(t, 0)]
    status = of_type(25, 48)
    if len(status):
        c["resource"][status] = 0
        c["id"][status] = _i64(r.args[0][status])
        x = r.x_at(status)
        c["from_state"][status] = _GO[(x >> np.uint64(32)).astype(np.int64)]
        wire = (x & np.uint64(0xFFFFFFFF)).astype(np.int64)
        c["to_state"][status] = _GO[np.array(spec.GO_STATUS_TO_STATE)[wire]]
    _fill_proc_transitions(r, of_type, c)


def _fill_proc_transitions(r: Raw, of_type: RowsByType, c: dict) -> None:
    rules = {10: ("a0", spec.PS_IDLE, spec.PS_RUNNING), 11: ("p", spec.PS_RUNNING, spec.PS_IDLE)}
    for t, (who, old, new) in rules.items():
        rows = of_type(t)
        c["resource"][rows] = 1
        c["id"][rows] = _i64(r.args[0][rows]) if who == "a0" else r.p[rows]
        c["from_state"][rows], c["to_state"][rows] = _PROC[old], _PROC[new]
    steal = of_type(12)
    c["resource"][steal] = 1
    c["id"][steal] = _i64(r.args[0][steal])
    was_abandoned = r.x_at(steal) == spec.PROC_SYSCALL_ABANDONED
    c["from_state"][steal] = np.where(was_abandoned, _PROC[spec.PS_IDLE], _PROC[spec.PS_RUNNING])
    c["to_state"][steal] = _PROC[spec.PS_IDLE]
    status = of_type(13)
    c["resource"][status] = 1
    c["id"][status] = _i64(r.args[0][status])
    x = r.x_at(status).astype(np.int64)
    c["from_state"][status] = _PROC[x & 0xFF]
    c["to_state"][status] = _PROC[np.array(spec.PROC_STATUS_TO_STATE)[x >> 8]]


def _fill_annotations(r: Raw, of_type: RowsByType, c: dict, strings: dict, emitted, string_maps, pool) -> None:
    a = r.args
    for t, name in spec.METRIC_NAMES.items():
        rows = of_type(t)
        c["name"][rows] = pool.id(name)
        c["value"][rows] = _i64(a[0][rows])
    label = of_type(39)
    c["name"][label] = strings.get((39, 0), 0)
    c["resource"][label], c["id"][label] = 0, r.g[label]
    _fill_ranges(r, of_type, c, strings, string_maps, pool)
    for t in (40, 41, 42, 43, 44):
        rows = of_type(t)
        c["task"][rows] = _i64(a[0][rows])
    begin = of_type(40)
    c["parent"][begin] = np.where(a[1][begin] == 0, -1, _i64(a[1][begin]))
    c["name"][begin] = strings.get((40, 2), 0)
    end = of_type(41)
    if len(end):
        info = [emitted.task_ends[k] for k in r.x_at(end).tolist()]
        c["parent"][end] = np.array([p for p, _ in info], np.uint64).view(np.int64)
        c["name"][end] = [pool.id(s) for _, s in info]
    for t in (42, 43):
        c["name"][of_type(t)] = strings.get((t, 1), 0)
    log = of_type(44)
    c["name"][log] = strings.get((44, 1), 0)
    c["message"][log] = strings.get((44, 2), 0)
    sync = of_type(spec.SYNC)
    c["value"][sync] = _i64(a[0][sync])


def _fill_ranges(r: Raw, of_type: RowsByType, c: dict, strings: dict, string_maps, pool) -> None:
    for t, name in spec.RANGE_NAMES.items():
        rows = of_type(t)
        c["name"][rows] = pool.id(name)
        if t in (28, 29, 30):
            c["resource"][rows] = 2
        elif t in (31, 32, 33):
            c["resource"][rows] = 1
            c["id"][rows] = _i64(r.args[0][rows]) if t == 31 else r.p[rows]
        else:
            c["resource"][rows] = 0
            c["id"][rows] = _i64(r.args[0][rows]) if t == 34 else r.g[rows]
    sweep_end = of_type(33)
    c["value"][sweep_end] = _i64(r.args[0][sweep_end])
    c["reclaimed"][sweep_end] = _i64(r.args[1][sweep_end])
    stw = of_type(26, 27)
    if len(stw):
        kinds = np.zeros(len(stw), np.int64)
        is_begin = r.typ[stw] == 26
        begin_rows = stw[is_begin]
        kinds[is_begin] = _kind_ids(r, begin_rows, r.args[0][begin_rows], string_maps)
        end_rows = stw[~is_begin]
        kinds[~is_begin] = _kind_ids(r, end_rows, r.x_at(end_rows), string_maps)
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


def events_frame(store: EventStore, pool, rows: np.ndarray | None = None):
    """The events DataFrame, or the part of it at ``rows`` (increasing indices; the frame's index
    is then ``rows``), from ``store`` (:func:`event_columns`); the categoricals share the string pool."""
    col = functools.partial(store.column, rows=rows)
    typ = col("type")
    names = pool.strings
    cat = pd.Categorical.from_codes
    type_names = {t: spec.NAMES[t] for t in np.unique(store.raw("type")).tolist()}
    codes = np.array(sorted(type_names), dtype=np.int16)
    type_code = np.searchsorted(codes, typ)
    type_cat = cat(type_code.astype(np.int32), categories=[type_names[t] for t in codes.tolist()])
    kind_of = np.array([spec.KIND_ORDER.index(spec.KINDS[t]) for t in codes.tolist()], np.int8)
    kind = cat(kind_of[type_code], categories=list(spec.KIND_ORDER))
    del typ, type_code
    strings_cat = pd.CategoricalDtype(categories=names)  # the pool holds each string once
    out = {"time": col("time"), "kind": kind, "type": type_cat}
    for name in COLUMNS[3:]:
        if name in ("resource", "from_state", "to_state"):
            out[name] = cat(col(name), categories=list(RESOURCES if name == "resource" else STATES))
        elif name in ("reason", "name", "message"):
            out[name] = cat(col(name), dtype=strings_cat)
        else:
            out[name] = col(name)
    return pd.DataFrame(out, index=None if rows is None else rows, copy=False)
