"""The v2 execution-trace event table (Go 1.22-1.27): type ids, argument counts, stack and string positions.

Source: ``src/internal/trace/tracev2/events.go`` (``specs``) and ``spec.go`` of the
Go 1.27 tree; the parsed kinds from ``src/internal/trace/event.go``
(``tracev2Type2Kind``) and the state tables from ``event.go`` and
``resources.go``.  Argument positions below count *after* the ``dt`` argument
(``args[0]`` is the first argument after the timestamp), as Go's ``baseEvent.args``.
"""

from __future__ import annotations

import numpy as np

# structural types (never inside a per-M event batch)
EV_EVENT_BATCH = 1
EV_STACKS = 2
EV_STACK = 3
EV_STRINGS = 4
EV_STRING = 5
EV_CPU_SAMPLES = 6
EV_CPU_SAMPLE = 7
EV_FREQUENCY = 8
EV_EXPERIMENTAL_BATCH = 49
EV_SYNC = 50
EV_CLOCK_SNAPSHOT = 51
EV_END_OF_GENERATION = 52

#: pseudo type ids of the parsed stream that have no wire event of their own
SYNC = 256          # Go's evSync: one per generation plus a final one
CPU_SAMPLE = EV_CPU_SAMPLE

#: the header versions Go's reader accepts for the v2 format (``version.go``)
V2_VERSIONS = (22, 23, 25, 26)
#: versions of the older v1 format (a separate parser in Go; not read here)
V1_VERSIONS = (11, 19, 21)

MAX_BATCH_SIZE = 64 << 10          # tracev2.MaxBatchSize
MAX_STRING_SIZE = 1024             # tracev2.MaxEventTrailerDataSize
MAX_FRAMES_PER_STACK = 128         # tracev2.MaxFramesPerStack

NO_ID = -1                         # NoThread, NoProc, NoGoroutine, NoTask (2^64-1 as int64)
U64_MAX = (1 << 64) - 1

# name, argument names after dt (None: not a timed event), stack-id argument positions,
# string-id argument positions (positions index the args after dt), parsed kind
_SPECS: dict[int, tuple] = {
    9: ("ProcsChange", ("procs_value", "stack"), (1,), (), "Metric"),
    10: ("ProcStart", ("p", "p_seq"), (), (), "StateTransition"),
    11: ("ProcStop", (), (), (), "StateTransition"),
    12: ("ProcSteal", ("p", "p_seq", "m"), (), (), "StateTransition"),
    13: ("ProcStatus", ("p", "pstatus"), (), (), "StateTransition"),
    14: ("GoCreate", ("new_g", "new_stack", "stack"), (2, 1), (), "StateTransition"),
    15: ("GoCreateSyscall", ("new_g",), (), (), "StateTransition"),
    16: ("GoStart", ("g", "g_seq"), (), (), "StateTransition"),
    17: ("GoDestroy", (), (), (), "StateTransition"),
    18: ("GoDestroySyscall", (), (), (), "StateTransition"),
    19: ("GoStop", ("reason_string", "stack"), (1,), (0,), "StateTransition"),
    20: ("GoBlock", ("reason_string", "stack"), (1,), (0,), "StateTransition"),
    21: ("GoUnblock", ("g", "g_seq", "stack"), (2,), (), "StateTransition"),
    22: ("GoSyscallBegin", ("p_seq", "stack"), (1,), (), "StateTransition"),
    23: ("GoSyscallEnd", (), (), (), "StateTransition"),
    24: ("GoSyscallEndBlocked", (), (), (), "StateTransition"),
    25: ("GoStatus", ("g", "m", "gstatus"), (), (), "StateTransition"),
    26: ("STWBegin", ("kind_string", "stack"), (1,), (0,), "RangeBegin"),
    27: ("STWEnd", (), (), (), "RangeEnd"),
    28: ("GCActive", ("gc_seq",), (), (), "RangeActive"),
    29: ("GCBegin", ("gc_seq", "stack"), (1,), (), "RangeBegin"),
    30: ("GCEnd", ("gc_seq",), (), (), "RangeEnd"),
    31: ("GCSweepActive", ("p",), (), (), "RangeActive"),
    32: ("GCSweepBegin", ("stack",), (0,), (), "RangeBegin"),
    33: ("GCSweepEnd", ("swept_value", "reclaimed_value"), (), (), "RangeEnd"),
    34: ("GCMarkAssistActive", ("g",), (), (), "RangeActive"),
    35: ("GCMarkAssistBegin", ("stack",), (0,), (), "RangeBegin"),
    36: ("GCMarkAssistEnd", (), (), (), "RangeEnd"),
    37: ("HeapAlloc", ("heapalloc_value",), (), (), "Metric"),
    38: ("HeapGoal", ("heapgoal_value",), (), (), "Metric"),
    39: ("GoLabel", ("label_string",), (), (0,), "Label"),
    40: ("UserTaskBegin", ("task", "parent_task", "name_string", "stack"), (3,), (2,), "TaskBegin"),
    41: ("UserTaskEnd", ("task", "stack"), (1,), (), "TaskEnd"),
    42: ("UserRegionBegin", ("task", "name_string", "stack"), (2,), (1,), "RegionBegin"),
    43: ("UserRegionEnd", ("task", "name_string", "stack"), (2,), (1,), "RegionEnd"),
    44: ("UserLog", ("task", "key_string", "value_string", "stack"), (3,), (1, 2), "Log"),
    45: ("GoSwitch", ("g", "g_seq"), (), (), "StateTransition"),
    46: ("GoSwitchDestroy", ("g", "g_seq"), (), (), "StateTransition"),
    47: ("GoCreateBlocked", ("new_g", "new_stack", "stack"), (2, 1), (), "StateTransition"),
    48: ("GoStatusStack", ("g", "m", "gstatus", "stack"), (3,), (), "StateTransition"),
    51: ("ClockSnapshot", ("mono", "sec", "nsec"), (), (), None),  # only inside a sync batch
    # the AllocFree experiment (GODEBUG=traceallocfree=1), Go 1.23+
    128: ("Span", ("id", "npages_value", "kindclass"), (), (), "Experimental"),
    129: ("SpanAlloc", ("id", "npages_value", "kindclass"), (), (), "Experimental"),
    130: ("SpanFree", ("id",), (), (), "Experimental"),
    131: ("HeapObject", ("id", "type"), (), (), "Experimental"),
    132: ("HeapObjectAlloc", ("id", "type"), (), (), "Experimental"),
    133: ("HeapObjectFree", ("id",), (), (), "Experimental"),
    134: ("GoroutineStack", ("id", "order"), (), (), "Experimental"),
    135: ("GoroutineStackAlloc", ("id", "order"), (), (), "Experimental"),
    136: ("GoroutineStackFree", ("id",), (), (), "Experimental"),
}
_UNTIMED_NAMES = {1: "EventBatch", 2: "Stacks", 3: "Stack", 4: "Strings", 5: "String", 6: "CPUSamples",
                  7: "CPUSample", 8: "Frequency", 49: "ExperimentalBatch", 50: "Sync", 52: "EndOfGeneration"}
#: Go's spec table has 137 entries (0..136); a type byte past it is "invalid event type"
N_SPECS = 137

#: type id -> name (wire names; 256 is the parsed Sync)
NAMES: dict[int, str] = {**_UNTIMED_NAMES, **{t: s[0] for t, s in _SPECS.items()}, SYNC: "Sync"}
#: type id -> the names of its arguments after dt (Go's spec names, e.g. ``npages_value``)
ARG_NAMES: dict[int, tuple[str, ...]] = {t: s[1] for t, s in _SPECS.items()}
#: type id -> number of arguments after dt, for timed events; -1 for any other byte value
N_ARGS = np.full(256, -1, dtype=np.int16)
for _t, _s in _SPECS.items():
    N_ARGS[_t] = len(_s[1])
#: type id -> stack-id argument positions (the first is the event's own stack, ``Event.Stack()``)
STACK_ARGS: dict[int, tuple[int, ...]] = {t: s[2] for t, s in _SPECS.items() if s[2]}
#: type id -> string-id argument positions
STRING_ARGS: dict[int, tuple[int, ...]] = {t: s[3] for t, s in _SPECS.items() if s[3]}
#: type id -> parsed event kind (``EventKind.String()``)
KINDS: dict[int, str] = {t: s[4] for t, s in _SPECS.items() if s[4]}
KINDS[SYNC] = "Sync"
KINDS[CPU_SAMPLE] = "StackSample"
#: the kinds, in Go's ``EventKind`` order (used as the categories of the ``kind`` column)
KIND_ORDER = ("Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd", "TaskBegin",
              "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition", "Experimental")
#: the events that end a range, and the event that begins it (``StartEv``)
START_EVENT = {23: 22, 24: 22, 27: 26, 28: 29, 30: 29, 31: 32, 33: 32, 34: 35, 36: 35, 43: 42}

# wire statuses (tracev2 GoStatus / ProcStatus) and parsed states (resources.go)
GO_RUNNABLE, GO_RUNNING, GO_SYSCALL, GO_WAITING = 1, 2, 3, 4
PROC_RUNNING, PROC_IDLE, PROC_SYSCALL, PROC_SYSCALL_ABANDONED = 1, 2, 3, 4
GO_STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall")
PROC_STATES = ("Undetermined", "NotExist", "Running", "Idle")
GS_UNDETERMINED, GS_NOT_EXIST, GS_RUNNABLE, GS_RUNNING, GS_WAITING, GS_SYSCALL = range(6)
PS_UNDETERMINED, PS_NOT_EXIST, PS_RUNNING, PS_IDLE = range(4)
#: wire goroutine status -> parsed state (``tracev2GoStatus2GoState``; 0 is GoBad -> Undetermined)
GO_STATUS_TO_STATE = (GS_UNDETERMINED, GS_RUNNABLE, GS_RUNNING, GS_SYSCALL, GS_WAITING)
#: wire proc status -> parsed state (a syscall P is Running, an abandoned one Idle)
PROC_STATUS_TO_STATE = (PS_UNDETERMINED, PS_RUNNING, PS_IDLE, PS_RUNNING, PS_IDLE)

METRIC_NAMES = {9: "/sched/gomaxprocs:threads", 37: "/memory/classes/heap/objects:bytes", 38: "/gc/heap/goal:bytes"}
RANGE_NAMES = {28: "GC concurrent mark phase", 29: "GC concurrent mark phase", 30: "GC concurrent mark phase",
               31: "GC incremental sweep", 32: "GC incremental sweep", 33: "GC incremental sweep",
               34: "GC mark assist", 35: "GC mark assist", 36: "GC mark assist"}
