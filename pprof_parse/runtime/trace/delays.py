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

Three implementations, equal on every trace (``GOPHERLAB_ENGINE`` picks the fast or the
reference one): the fast one works on the :class:`~.store.EventStore`'s columns (the
``events`` table is not built), with a compiled walk over the transitions in time order for a
large trace (:mod:`.delays_compiled`), else with numpy a group of goroutines at a time
(:mod:`.delays_fast`); the reference one walks the transitions one at a time in Python, as
Go's ``pprof.go`` does.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import pd

from pprof_parse.errors import OptionError
from pprof_parse.runtime.trace import delays_compiled, delays_fast, spec

__all__ = ["KINDS", "delay_profile"]

#: the kinds, with the state an interval is spent in
KINDS = {"sched": "Runnable", "syscall": "Syscall", "net": "Waiting", "sync": "Waiting"}
_MAX_PCS = 128
# codes of the store's from_state/to_state columns (events.STATES)
_UNDETERMINED, _NOT_EXIST, _RUNNABLE, _RUNNING, _WAITING, _SYSCALL = range(6)
_STATE_CODE = {"Runnable": _RUNNABLE, "Syscall": _SYSCALL, "Waiting": _WAITING}
_TRANSITION_TYPES = frozenset(t for t, k in spec.KINDS.items() if k == "StateTransition")


def _reason_matches(kind: str, reason: str) -> bool:
    """Whether a wait with ``reason`` counts in profile ``kind`` (Go's ``pprof.go`` filters)."""
    if kind == "net":
        return reason == "network"
    if kind == "sync":
        return "chan" in reason or "sync" in reason or "select" in reason
    return True


def _pcs_key(pcs) -> tuple:
    """Go's key: the first 128 PCs in a zero-padded array, so trailing zero PCs (the runtime's
    ``pc=0`` frames) merge with shorter stacks and with no stack."""
    pcs = list(pcs[:_MAX_PCS])
    while pcs and pcs[-1] == 0:
        pcs.pop()
    return tuple(pcs)


def delay_profile(store, strings: list[str], stack_pcs, kind: str) -> "pd.DataFrame":
    """The ``go tool trace -pprof=KIND`` profile of the events in ``store`` (an
    :class:`~.store.EventStore`; ``strings`` the string pool its reason codes index).

    ``stack_pcs(stack_id)`` gives a stack's PCs (leaf first). Returns one row per
    distinct stack (by its first 128 PCs): ``stack`` (a stack id with those PCs, int32: the
    one of the key's last interval, goroutines taken by id, then time -- Go keeps the newest
    it met in the order of its goroutine map, so its pick among stacks with equal PCs, such
    as the runtime's ``pc=0`` stack and no stack, varies), ``count`` (intervals) and
    ``delay_ns`` (their total overlap, ns), largest first (ties: the stack first met).

    Raises
    ------
    OptionError
        ``kind`` is not one of sched, syscall, net, sync.
    """
    if kind not in KINDS:
        raise OptionError(f"unknown delay profile kind {kind!r}: expected one of {', '.join(KINDS)}")
    if reference_engine():
        return _frame(*_by_key_reference(_intervals_reference(store, strings, kind), stack_pcs))
    forever = strings.index("forever") if "forever" in strings else -2
    args = (store, _STATE_CODE[KINDS[kind]], _reason_table(kind, strings), forever)
    totals = delays_compiled.stack_totals(*args) if delays_compiled.worth_compiling(store) else None
    if totals is None:
        totals = delays_fast.stack_totals(*args)
    return _frame(*_by_key(totals, stack_pcs))


def _frame(stack, count, delay) -> "pd.DataFrame":
    """The profile's rows (one per PC key, in order of first appearance), largest delay first."""
    out = pd.DataFrame({"stack": np.asarray(stack, np.int32), "count": np.asarray(count, np.int64),
                        "delay_ns": np.asarray(delay, np.int64)})
    return out.sort_values("delay_ns", ascending=False, kind="stable").reset_index(drop=True)


def _reason_table(kind: str, strings: list[str]) -> np.ndarray:
    """Per reason code (the pool's ids, and -1 for none at the end) whether it opens a ``kind`` wait."""
    if kind in ("sched", "syscall"):
        return np.ones(len(strings) + 1, bool)
    return np.array([_reason_matches(kind, s) for s in strings] + [False])


def _by_key(totals, stack_pcs):
    """Per stack totals merged by PC key: ``(stack, count, delay)`` per key in order of first
    appearance, the stack being the one of the key's last interval."""
    stack, count, total, first, last = totals
    keys: dict[tuple, int] = {}
    key = np.array([keys.setdefault(_pcs_key(stack_pcs(s)), len(keys)) for s in stack.tolist()], np.int64)
    n = len(keys)
    k_count, k_total = np.zeros(n, np.int64), np.zeros(n, np.int64)
    np.add.at(k_count, key, count)
    np.add.at(k_total, key, total)
    k_first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(k_first, key, first)
    k_stack = np.zeros(n, np.int64)
    o = np.lexsort((last, key))  # by key, then by last interval: each key's final entry has its last stack
    final = np.ones(len(o), bool)
    final[:-1] = key[o][1:] != key[o][:-1]
    k_stack[key[o][final]] = stack[o][final]
    order = np.argsort(k_first, kind="stable")
    return k_stack[order], k_count[order], k_total[order]


# ---------------------------------------------------------------------------
# reference: the transitions one at a time

def _by_key_reference(intervals, stack_pcs):
    """``(stack, count, delay)`` per PC key, in order of first appearance (the stack of the key's
    last interval)."""
    by_key: dict[tuple, list] = {}
    for delay, stack in intervals:
        entry = by_key.setdefault(_pcs_key(stack_pcs(stack)), [0, 0, 0])
        entry[0], entry[1], entry[2] = stack, entry[1] + 1, entry[2] + delay
    rows = list(by_key.values())
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _intervals_reference(store, strings: list[str], kind: str):
    """The kept intervals as ``(overlap ns, opening stack)``, by goroutine id then time: a plain
    walk over the events in time order."""
    target = _STATE_CODE[KINDS[kind]]
    columns = ("type", "resource", "time", "id", "from_state", "to_state", "reason", "stack")
    rows = zip(*(store.raw(name).tolist() for name in columns))
    end_of_trace = int(store.raw("time")[-1]) if len(store) else 0
    life: dict[int, list] = {}      # goroutine -> [registered, StartTime (None: never ran), end (None: none)]
    open_: dict[int, list] = {}     # goroutine -> [in a run of the state, opening (time, stack) or None]
    waits: dict[int, list] = {}     # goroutine -> closed intervals (t0, t1, stack), in time order
    for typ, resource, t, g, old, new, reason, stack in rows:
        if resource != 0 or typ not in _TRANSITION_TYPES:
            continue
        text = strings[reason] if reason >= 0 else ""
        lt = life.setdefault(g, [False, None, None])
        if old != new:
            if old in (_UNDETERMINED, _NOT_EXIST):
                lt[0] = True
            if new == _RUNNING and lt[1] is None:
                lt[1] = t
            if new == _NOT_EXIST or (new == _WAITING and text == "forever"):
                lt[2] = t
        state = open_.setdefault(g, [False, None])
        if new == target:
            if not state[0]:
                state[0], state[1] = True, None
            if state[1] is None and _reason_matches(kind, text):
                state[1] = (t, stack)
        else:
            if state[1] is not None:
                waits.setdefault(g, []).append((state[1][0], t, state[1][1]))
            state[0], state[1] = False, None
    kept = []
    for g in sorted(waits):
        registered, start, end = life[g]
        start = 0 if start is None else start
        end = end_of_trace if end is None else end
        for t0, t1, stack in waits[g]:
            overlap = 0 if (end < t0 or t1 < start) else min(t1, end) - max(t0, start)
            if registered and overlap > 0:
                kept.append((overlap, stack))
    return kept
