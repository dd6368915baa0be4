"""``read_trace`` and the ``Trace`` it returns."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import pd

from pprof_parse.errors import InputLimitError, OptionError, RuntimeFormatError, warn
from pprof_parse.read.source import inflate
from pprof_parse.runtime.inputs import MAX_TEXT_BYTES, load_source
from pprof_parse.runtime.trace.decode import decode_generation
from pprof_parse.runtime.trace.delays import delay_profile
from pprof_parse.runtime.trace.gc_cycles import gc_cycles
from pprof_parse.runtime.trace.goroutines import NEEDED_KINDS, goroutine_summary_table
from pprof_parse.runtime.trace.perfetto import write_perfetto
from pprof_parse.runtime.trace.events import event_columns, events_frame, experimental_frame
from pprof_parse.runtime.trace.order import order_events
from pprof_parse.runtime.trace.read_ahead import reading_ahead
from pprof_parse.runtime.trace import spec, views
from pprof_parse.runtime.trace.tables import StackTable, StringPool
from pprof_parse.runtime.trace.wire import read_generations, read_header

__all__ = ["Trace", "read_trace"]


def read_trace(src=None, *, on_error: str = "raise") -> "Trace":
    """Read a Go execution trace (``runtime/trace``, ``go test -trace``, ``/debug/pprof/trace``,
    or a ``trace.FlightRecorder`` snapshot) written by Go 1.22 to 1.27.

    Parameters
    ----------
    src : str, path-like, bytes or binary file object
        A path (never content), the trace's bytes, or an open file read to its end.
        A path or stream longer than 256 MiB is refused, as by every runtime reader
        (:mod:`pprof_parse.runtime.inputs`); gzip-compressed input is inflated (same bound).
    on_error : {"raise", "keep"}
        What a corrupt or truncated generation does: ``"raise"`` a
        :class:`TraceFormatError`, or ``"keep"`` the complete generations before it (then a
        final Sync) with a :class:`~pprof_parse.errors.PprofParseWarning` naming the error --
        what ``go tool trace`` shows of a trace cut short by a crash.

    Returns
    -------
    Trace
        The events in the order ``go tool trace -d=parsed`` prints them, and the tables
        derived from them; see :class:`Trace`.

    Raises
    ------
    TraceVersionError
        Not an execution trace, or a version other than go 1.22/1.23/1.25/1.26 (the v1
        format of Go 1.11-1.21 included); the message names the version.
    TraceFormatError
        Truncated or corrupt input, or events Go's parser rejects; the message gives
        the byte offset (``.offset``) and Go's reason (``src/internal/trace``).
    RuntimeFormatError
        The path cannot be read, or the input is past the size limit.
    OptionError
        ``on_error`` is neither ``"raise"`` nor ``"keep"``.
    TypeError
        ``src`` is not a path, bytes or file object.

    With the fast engine, one worker thread reads the next generation while this one is ordered
    (:mod:`~.read_ahead`); it ends before ``read_trace`` returns or raises.

    Source of the rules: Go 1.27's ``src/internal/trace`` (``reader.go``, ``generation.go``,
    ``batch.go``, ``batchcursor.go``, ``order.go``, ``event.go``).
    """
    if on_error not in ("raise", "keep"):
        raise OptionError(f"on_error must be 'raise' or 'keep', not {on_error!r}")
    data, name, _ = load_source(src)
    if data[:2] == b"\x1f\x8b":
        data = _inflate(data, name)
    version = read_header(data, name)
    pool = StringPool()
    stacks = StackTable(pool)
    gens, decoded, string_maps, stack_maps = [], [], [], []

    def generations():  # read lazily: generation k is read while k - 1 is ordered (read_ahead)
        for g in read_generations(data, version, name):
            if len(decoded) > 1:
                decoded[-2].compact()  # ordered: kept narrow while the next ones are
            gens.append(g)
            decoded.append(decode_generation(g, data, name))
            string_map, stack_map = stacks.add_generation(g)
            string_maps.append(string_map)
            stack_maps.append(stack_map)
            yield g, decoded[-1]
    if reference_engine():
        emitted = order_events(generations(), name, keep_complete=on_error == "keep")
    else:
        with reading_ahead(generations()) as items:
            emitted = order_events(items, name, keep_complete=on_error == "keep")
    if emitted.error is not None:
        del gens[emitted.generations:], decoded[emitted.generations:]
        warn(f"{name}: kept the {emitted.generations} complete generation(s) before an error: "
             f"{emitted.error.reason} (byte offset {emitted.error.offset})")
    del data  # read to the end: the events are in ``decoded`` now
    store = event_columns(decoded, emitted, string_maps, stack_maps, pool, name)
    return Trace(version, name, gens, store, pool, stacks)


def _inflate(data: bytes, name: str) -> bytes:
    try:
        return inflate(data, source=name, max_inflated_bytes=MAX_TEXT_BYTES)
    except InputLimitError:
        raise RuntimeFormatError(f"gzip input inflates past the runtime readers' limit of {MAX_TEXT_BYTES} bytes",
                                 source=name) from None


class Trace:
    """A parsed execution trace: its events and the tables derived from them.

    Attributes
    ----------
    version : int
        N of the header's ``go 1.N`` (22, 23, 25 or 26; Go 1.24 writes 23, 1.27 writes 26).
    source : str
        The path, or ``"<bytes>"``/``"<stream>"``.
    events : DataFrame
        One row per event, in the order Go's parser emits them (``go tool trace
        -d=parsed``), built on first access (about 110 bytes an event; the Trace itself keeps
        its events in narrow columns, about 35 bytes an event, from which
        :meth:`delay_profile` and the views below work without building this table). Columns:

        ``time`` (int64 ns, Go's trace clock; strictly increasing), ``kind`` (Go's
        ``EventKind``: Sync, Metric, Label, StackSample, RangeBegin/Active/End,
        TaskBegin/End, RegionBegin/End, Log, StateTransition, Experimental), ``type``
        (the wire event: GoBlock, ProcStart... and Sync, CPUSample), ``m``, ``p``, ``g``
        (the scheduling context *before* the event; -1 none), ``stack`` (the event's own
        stack, an id of :attr:`stacks`; 0 none), ``resource``/``id`` (what a state
        transition, range or label is about: goroutine, proc or none, and its id),
        ``from_state``/``to_state`` (Undetermined, NotExist, Runnable, Running, Waiting,
        Syscall, Idle), ``reason`` (GoBlock/GoStop reason), ``transition_stack`` (a
        created goroutine's start stack, or the blocking goroutine's stack), ``name``
        (metric name, range name, label, task type, region type or log category),
        ``value`` (metric value; bytes swept for a sweep RangeEnd; N for a Sync),
        ``reclaimed`` (bytes reclaimed by a sweep), ``task``/``parent`` (task ids;
        -1 is Go's NoTask), ``message`` (log message), ``gen`` (index of the generation
        in the file, -1 for the final Sync). Not applicable: -1, or NaN for the
        categorical columns.
    stacks : DataFrame
        One row per frame of each stack: ``stack`` (id, as in ``events``), ``depth``
        (0 = leaf), ``pc``, ``function``, ``file``, ``line``.
    goroutines : DataFrame
        One row per goroutine with ``go tool trace``'s goroutine analysis (time running,
        runnable, blocked by reason, in syscalls, in GC ranges); see :attr:`goroutines`.
    gc : DataFrame
        One row per GC cycle (mark phase, stop-the-world pauses, assists).
    transitions, metrics, logs, regions, tasks, ranges : DataFrame
        Views of the events (:mod:`pprof_parse.runtime.trace.views`): goroutine and P state
        transitions with how long each new state lasted, metric samples (heap
        alloc, heap goal, GOMAXPROCS), ``trace.Log`` records, user regions and tasks with
        their start, end and duration, and GC/stop-the-world ranges.
    experimental : DataFrame
        The arguments of the AllocFree experiment's events (``GODEBUG=traceallocfree=1``;
        kind ``Experimental`` in :attr:`events`), keyed by their ``events`` row; see
        :func:`~pprof_parse.runtime.trace.events.experimental_frame`.
    generations : DataFrame
        One row per generation: ``gen`` (the runtime's number), ``sync_time`` (ns),
        ``ticks_per_second``, and the clock snapshot (Go 1.25+; else NaN/NaT):
        ``snapshot_time`` (ns), ``mono_ns``, ``wall`` (UTC).
    """

    def __init__(self, version, source, gens, store, pool, stacks):
        self.version = version
        self.source = source
        self._gens = gens
        self._store = store  # the events' columns (EventStore); the tables are made from it on demand
        self._n = len(store)
        self._sync_time = store.raw("time")[store.raw("type") == 256]
        self._pool = pool
        self._stacks = stacks

    def __repr__(self) -> str:
        return (f"<Trace go 1.{self.version} {self.source}: {self._n} events, "
                f"{len(self._gens)} generations>")

    def __len__(self) -> int:
        return self._n

    @cached_property
    def events(self):
        return events_frame(self._store, self._pool)

    def events_of(self, *kinds: str):
        """The rows of :attr:`events` whose ``kind`` is one of ``kinds`` ("StateTransition",
        "Log", "RangeBegin", ...), with :attr:`events`' columns and dtypes, indexed by their
        row in :attr:`events`; made from the trace's narrow columns alone (the whole table,
        about 110 bytes an event, is not built for it)."""
        if "events" in self.__dict__:
            ev = self.events
            return ev[ev["kind"].isin(kinds)]
        types = [t for t, k in spec.KINDS.items() if k in kinds]
        return events_frame(self._store, self._pool, np.flatnonzero(np.isin(self._store.raw("type"), types)))

    @cached_property
    def stacks(self):
        rows = [(sid, depth, pc, func, file, line)
                for sid, frames in enumerate(self._stacks.stacks)
                for depth, (pc, func, file, line) in enumerate(frames)]
        arr = np.array(rows, dtype=np.uint64).reshape(-1, 6)
        names = pd.CategoricalDtype(categories=self._pool.strings)
        return pd.DataFrame({
            "stack": arr[:, 0].astype(np.int64), "depth": arr[:, 1].astype(np.int64), "pc": arr[:, 2],
            "function": pd.Categorical.from_codes(arr[:, 3].astype(np.int64), dtype=names),
            "file": pd.Categorical.from_codes(arr[:, 4].astype(np.int64), dtype=names),
            "line": arr[:, 5].astype(np.int64),
        })

    def stack(self, stack_id: int) -> list[tuple[int, str, str, int]]:
        """The frames of one stack, leaf first, as ``(pc, function, file, line)``; ``[]`` for 0.

        Raises ``KeyError`` for an id that is not in :attr:`stacks`.
        """
        if not 0 <= stack_id < len(self._stacks.stacks):
            raise KeyError(f"no stack {stack_id} in this trace")
        text = self._pool.strings
        return [(pc, text[f], text[fl], line) for pc, f, fl, line in self._stacks.stacks[stack_id]]

    @cached_property
    def generations(self):
        g = self._gens
        sync_time = self._sync_time[:len(g)]
        snap = [x.has_snapshot for x in g]
        wall = [pd.Timestamp(x.snap_sec * 10**9 + x.snap_nsec, tz="UTC") if x.has_snapshot else pd.NaT for x in g]
        return pd.DataFrame({
            "gen": np.array([x.gen for x in g], np.int64),
            "sync_time": sync_time,
            "ticks_per_second": [round(1e9 / x.ns_per_tick) for x in g],
            "snapshot_time": pd.array([x.mul(x.snap_ticks) if s else None for x, s in zip(g, snap)], dtype="Int64"),
            "mono_ns": pd.array([x.snap_mono if s else None for x, s in zip(g, snap)], dtype="UInt64"),
            "wall": pd.Series(wall, dtype="datetime64[ns, UTC]"),
        })

    def delay_profile(self, kind: str):
        """Time goroutines spent waiting, by stack: ``go tool trace -pprof=KIND``'s numbers.

        ``kind`` is ``sched`` (runnable, waiting for a P), ``syscall``, ``net`` (blocked on
        the network) or ``sync`` (channels, select, mutexes and other sync waits). Returns a
        DataFrame with one row per stack: ``stack`` (an id of :attr:`stacks`), ``count``
        (waits) and ``delay_ns`` (their total, ns), largest first -- the samples of Go's
        profile (``contentions/count``, ``delay/nanoseconds``). The rules are in
        :mod:`pprof_parse.runtime.trace.delays`.

        Raises :class:`~pprof_parse.errors.OptionError` for another ``kind``.
        """
        return delay_profile(self._store, self._pool.strings, self._stack_pcs, kind)

    def _stack_pcs(self, stack_id: int) -> list[int]:
        return [frame[0] for frame in self._stacks.stacks[stack_id]]

    @cached_property
    def metrics(self):
        return views.metrics(self.events_of("Metric"))

    @cached_property
    def logs(self):
        return views.logs(self.events_of("Log"))

    @cached_property
    def regions(self):
        return views.regions(self.events_of("RegionBegin", "RegionEnd"))

    @cached_property
    def tasks(self):
        return views.tasks(self.events_of("TaskBegin", "TaskEnd"))

    @cached_property
    def ranges(self):
        return views.ranges(self.events_of("RangeBegin", "RangeActive", "RangeEnd"))

    @cached_property
    def transitions(self):
        return views.transitions(self.events_of("StateTransition"))

    @cached_property
    def goroutines(self):
        """One row per goroutine, as ``go tool trace``'s goroutine analysis (``/goroutines``,
        ``src/internal/trace/summary.go``) computes it: id, start function (``name``),
        creation time, creator and its stack, first start, end, and the time (ns) spent
        running, runnable, blocked by reason (``block_ns_<reason>``), in syscalls (holding
        its P / blocked), and in GC ranges. Columns, dtypes and rules:
        :func:`~pprof_parse.runtime.trace.goroutines.goroutine_table`."""
        return goroutine_summary_table(self.transitions, self.events_of(*NEEDED_KINDS), self.stack)

    @cached_property
    def gc(self):
        """One row per GC cycle: the mark phase's ``start``/``end``, ``mark_ns``, the two
        stop-the-world pauses (``sweep_term_ns``, ``mark_term_ns``, ``stw_ns``) and mark
        assists (``assist_ns``, ``assists``); see
        :func:`~pprof_parse.runtime.trace.gc_cycles.gc_cycles`."""
        return gc_cycles(self)

    def to_perfetto(self, path) -> int:
        """Write the trace's timeline to ``path`` in the Trace Event Format (Perfetto's UI,
        ``chrome://tracing``; gzipped when the name ends in ``.gz``) and return the number
        of events written. The Procs track is ``go tool trace``'s own proc view; see
        :func:`~pprof_parse.runtime.trace.perfetto.write_perfetto`. Raises ``OSError``."""
        return write_perfetto(self, path)

    @cached_property
    def experimental(self):
        return experimental_frame({"type": self._store.raw("type"), "experimental": self._store.experimental})
