"""Header, batches and generations of a v2 execution trace, and the per-generation tables.

Layout (``src/internal/trace/batch.go``, ``generation.go``, ``version/version.go``): a
16-byte header ``go 1.NN trace\\0\\0\\0``, then batches. A batch is a type byte
(``EventBatch`` = 1, or ``ExperimentalBatch`` = 49 plus one experiment byte), the
uvarints gen, m, time and size, then ``size`` bytes of payload (at most 64 KiB). The
payload's first byte says what the batch holds: strings, stacks, CPU samples, the
sync batch (frequency and clock snapshot), or timed events of one thread (M).
From Go 1.26 a lone ``EndOfGeneration`` byte (52) closes each generation; before,
a generation ends where a batch of the next generation number starts.

This module splits the file into generations and builds each generation's
string, stack, PC and CPU-sample tables with plain loops (a generation holds a few
thousand of these); the event batches are left as byte ranges for :mod:`.decode`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pprof_parse.runtime.trace import spec
from pprof_parse.runtime.trace.errors import TraceFormatError, TraceVersionError

__all__ = ["Batch", "Generation", "read_header", "read_generations", "uvarint"]

HEADER_SIZE = 16


class _Short(Exception):
    """A uvarint ran past its limit (caught here and turned into a TraceFormatError)."""


def uvarint(data, pos: int, limit: int) -> tuple[int, int]:
    """The unsigned LEB128 value at ``data[pos:]`` and the position after it (Go's ``binary.Uvarint``).

    Raises ``_Short`` when the bytes end before the value does, ``OverflowError`` past 64 bits.
    """
    value = shift = 0
    for i in range(10):
        if pos >= limit:
            raise _Short
        b = data[pos]
        pos += 1
        if b < 0x80:
            if i == 9 and b > 1:
                raise OverflowError
            return value | (b << shift), pos
        value |= (b & 0x7F) << shift
        shift += 7
    raise OverflowError


def read_header(data: bytes, source: str) -> int:
    """N of the ``go 1.N trace`` header: 22, 23, 25 or 26 (the v2 format).

    Raises
    ------
    TraceVersionError
        Not a trace header (Go: "bad file format: not a Go execution trace?"), a v1
        version (11, 19, 21: Go 1.11-1.21, a format this reader does not read) or an
        unknown one; the message names the version.
    """
    head = bytes(data[:HEADER_SIZE])
    prefix, _, rest = head.partition(b" trace\x00\x00\x00")
    if not head.startswith(b"go 1.") or not rest == b"" or not prefix[5:].isdigit():
        raise TraceVersionError("bad file format: not a Go execution trace (no 'go 1.N trace' header)",
                                source=source)
    version = int(prefix[5:])
    if version in spec.V1_VERSIONS:
        raise TraceVersionError(f"trace version go 1.{version} is the pre-Go 1.22 format, which this reader does not "
                                "read (go tool trace still does)", source=source, version=version)
    if version not in spec.V2_VERSIONS:
        raise TraceVersionError(f"unknown or unsupported trace version go 1.{version} (this reader knows go 1.22 "
                                "to go 1.26, which Go 1.22-1.27 write)", source=source, version=version)
    return version


@dataclass(slots=True)
class Batch:
    """One batch: its generation, thread, base time (ticks) and payload ``data[start:end]``; ``offset``
    is the byte offset of the batch's first byte in the file."""

    gen: int
    m: int
    time: int
    start: int
    end: int
    offset: int
    exp: int = 0


@dataclass
class Generation:
    """One generation's tables and its event batches grouped by thread (first-seen order, as Go's ``batchMs``)."""

    gen: int
    min_ts: int = 0
    ns_per_tick: float = 0.0        # Go's ``frequency``: 1 / (ticks per second / 1e9)
    has_snapshot: bool = False
    snap_ticks: int = 0
    snap_mono: int = 0
    snap_sec: int = 0
    snap_nsec: int = 0
    strings: dict[int, str] = field(default_factory=dict)
    stacks: dict[int, tuple[int, ...]] = field(default_factory=dict)   # id -> pcs, leaf first
    pcs: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # pc -> (func id, file id, line); first wins
    cpu: list[tuple[int, int, int, int, int]] = field(default_factory=list)  # (ticks, m, p, g, stack)
    batches: dict[int, list[Batch]] = field(default_factory=dict)
    offset: int = 0                 # byte offset of the generation's first batch

    def mul(self, ticks: int) -> int:
        """Ticks to nanoseconds as Go's ``frequency.mul``: float64 product, truncated to int64."""
        return int(float(ticks) * self.ns_per_tick)


def _read_batch(data, pos: int, source: str) -> tuple[Batch | None, int]:
    """The batch at ``pos`` and the position after it; ``(None, pos + 1)`` for an EndOfGeneration byte."""
    n = len(data)
    typ = data[pos]
    if typ == spec.EV_END_OF_GENERATION:
        return None, pos + 1
    if typ not in (spec.EV_EVENT_BATCH, spec.EV_EXPERIMENTAL_BATCH):
        raise TraceFormatError(f"expected batch event, got event {typ}", source=source, offset=pos)
    p = pos + 1
    exp = 0
    try:
        if typ == spec.EV_EXPERIMENTAL_BATCH:
            if p >= n:
                raise _Short
            exp, p = data[p], p + 1
        gen, p = uvarint(data, p, n)
        m, p = uvarint(data, p, n)
        ts, p = uvarint(data, p, n)
        size, p = uvarint(data, p, n)
    except _Short:
        raise TraceFormatError("batch header cut short (trace likely truncated)", source=source, offset=pos) from None
    except OverflowError:
        raise TraceFormatError("batch header holds a uvarint past 64 bits", source=source, offset=pos) from None
    if size > spec.MAX_BATCH_SIZE:
        raise TraceFormatError(f"invalid batch size {size}, maximum is {spec.MAX_BATCH_SIZE}", source=source,
                               offset=pos)
    if p + size > n:
        raise TraceFormatError(f"failed to read full batch: read {n - p} but wanted {size} (trace likely truncated)",
                               source=source, offset=pos)
    m = -1 if m == spec.U64_MAX else m
    return Batch(gen, m, ts, p, p + size, pos, exp), p + size


def read_generations(data, version: int, source: str):
    """Yield the trace's generations in file order, each with its tables built (:func:`_process`).

    Raises
    ------
    TraceFormatError
        A batch that cannot be read, a generation number of 0 or out of order, an
        incomplete last generation (1.26+: no EndOfGeneration), a generation without
        a frequency (or, 1.25+, a clock snapshot), or a bad string/stack/sync batch.
    """
    pos, n = HEADER_SIZE, len(data)
    cur: Generation | None = None
    while pos < n:
        batch, pos = _read_batch(data, pos, source)
        if batch is None:  # EndOfGeneration (1.26+)
            if version < 26:
                raise TraceFormatError("expected batch event, got event 52 (EndOfGeneration before go 1.26)",
                                       source=source, offset=pos - 1)
            if cur is not None:
                yield _finish(cur, version, source)
            cur = None
            continue
        if batch.gen == 0:
            raise TraceFormatError("invalid generation number 0", source=source, offset=batch.offset)
        if cur is None:
            cur = Generation(batch.gen, offset=batch.offset)
        elif batch.gen != cur.gen:
            if version >= 26:
                raise TraceFormatError("broken trace: missing end-of-generation event, or generations are "
                                       "interleaved", source=source, offset=batch.offset)
            if batch.gen != cur.gen + 1:
                raise TraceFormatError(f"generations out of order: batch of generation {batch.gen} after "
                                       f"generation {cur.gen}", source=source, offset=batch.offset)
            yield _finish(cur, version, source)
            cur = Generation(batch.gen, offset=batch.offset)
        if cur.min_ts == 0 or batch.time < cur.min_ts:
            cur.min_ts = batch.time
        _process(cur, batch, data, version, source)
    if cur is not None:
        if version >= 26:
            raise TraceFormatError("incomplete generation found; trace likely truncated", source=source, offset=n)
        yield _finish(cur, version, source)


def _process(g: Generation, b: Batch, data, version: int, source: str) -> None:
    """File one batch of generation ``g`` by its first payload byte (Go's ``processBatch``)."""
    first = data[b.start] if b.end > b.start else -1
    if b.exp:
        return  # experimental batches (AllocFree type tables) are opaque to the parsed events
    if first == spec.EV_STRINGS:
        _add_strings(g, b, data, source)
    elif first == spec.EV_STACKS:
        _add_stacks(g, b, data, source)
    elif first == spec.EV_CPU_SAMPLES:
        _add_cpu_samples(g, b, data, source)
    elif (first == spec.EV_FREQUENCY and version < 25) or (first == spec.EV_SYNC and version >= 25):
        _set_sync(g, b, data, version, source)
    elif first == spec.EV_END_OF_GENERATION:
        raise TraceFormatError("unexpected EndOfGeneration inside a batch", source=source, offset=b.offset)
    else:
        g.batches.setdefault(b.m, []).append(b)


def _finish(g: Generation, version: int, source: str) -> Generation:
    """Check a complete generation as Go's ``readGeneration`` does: frequency, snapshot, stack strings."""
    if g.ns_per_tick == 0:
        raise TraceFormatError(f"no frequency event found in generation {g.gen}", source=source, offset=g.offset)
    if version >= 25 and not g.has_snapshot:
        raise TraceFormatError(f"no clock snapshot event found in generation {g.gen}", source=source,
                               offset=g.offset)
    for sid, pcs in g.stacks.items():
        for pc in pcs:
            func, file, _ = g.pcs[pc]
            if func and func not in g.strings:
                raise TraceFormatError(f"found invalid func string ID {func} for stack {sid}", source=source,
                                       offset=g.offset)
            if file and file not in g.strings:
                raise TraceFormatError(f"found invalid file string ID {file} for stack {sid}", source=source,
                                       offset=g.offset)
    return g


def _entry(data, b: Batch, pos: int, header: int, entry: int, what: str, source: str) -> int | None:
    """Check the entry byte at ``pos`` of a strings/stacks/CPU-samples batch (and the batch's header
    byte when ``pos`` is its start); return the position after the entry byte, or None for an empty batch."""
    if pos == b.start:
        if data[pos] != header:
            raise TraceFormatError(f"missing {what} batch header", source=source, offset=b.offset)
        pos += 1
        if pos == b.end:
            return None  # a batch with no entries
    if data[pos] != entry:
        raise TraceFormatError(f"expected {what} event {entry}, got {data[pos]}", source=source, offset=pos)
    return pos + 1


def _add_strings(g: Generation, b: Batch, data, source: str) -> None:
    pos = b.start
    while pos < b.end:
        pos = at = _entry(data, b, pos, spec.EV_STRINGS, spec.EV_STRING, "string", source)
        if pos is None:
            break
        try:
            sid, pos = uvarint(data, pos, b.end)
            size, pos = uvarint(data, pos, b.end)
        except (_Short, OverflowError):
            raise TraceFormatError("bad string entry", source=source, offset=at - 1) from None
        if size > spec.MAX_STRING_SIZE:
            raise TraceFormatError(f"invalid string size {size}, maximum is {spec.MAX_STRING_SIZE}",
                                   source=source, offset=at - 1)
        if pos + size > b.end:
            raise TraceFormatError(f"failed to read full string: read {b.end - pos} but wanted {size}",
                                   source=source, offset=at - 1)
        if sid == 0 or sid in g.strings:
            raise TraceFormatError(f"multiple strings with the same ID: id={sid}", source=source, offset=at - 1)
        g.strings[sid] = bytes(data[pos:pos + size]).decode("utf-8", "replace")
        pos += size


def _add_stacks(g: Generation, b: Batch, data, source: str) -> None:
    pos = b.start
    while pos < b.end:
        pos = _entry(data, b, pos, spec.EV_STACKS, spec.EV_STACK, "stack", source)
        if pos is None:
            break
        at = pos - 1
        try:
            sid, pos = uvarint(data, pos, b.end)
            nframes, pos = uvarint(data, pos, b.end)
            if nframes > spec.MAX_FRAMES_PER_STACK:
                raise TraceFormatError(f"invalid stack size {nframes}, maximum is {spec.MAX_FRAMES_PER_STACK}",
                                       source=source, offset=at)
            pcs = []
            for _ in range(nframes):
                pc, pos = uvarint(data, pos, b.end)
                func, pos = uvarint(data, pos, b.end)
                file, pos = uvarint(data, pos, b.end)
                line, pos = uvarint(data, pos, b.end)
                pcs.append(pc)
                if pc not in g.pcs:
                    g.pcs[pc] = (func, file, line)
        except (_Short, OverflowError):
            raise TraceFormatError("bad stack entry (cut short or a uvarint past 64 bits)", source=source,
                                   offset=at) from None
        if sid == 0 or sid in g.stacks:
            raise TraceFormatError(f"multiple stacks with the same ID: id={sid}", source=source, offset=at)
        g.stacks[sid] = tuple(pcs)


def _add_cpu_samples(g: Generation, b: Batch, data, source: str) -> None:
    pos = b.start
    while pos < b.end:
        pos = _entry(data, b, pos, spec.EV_CPU_SAMPLES, spec.EV_CPU_SAMPLE, "CPU sample", source)
        if pos is None:
            break
        at = pos - 1
        try:
            vals = []
            for _ in range(5):
                v, pos = uvarint(data, pos, b.end)
                vals.append(v)
        except (_Short, OverflowError):
            raise TraceFormatError("bad CPU sample entry", source=source, offset=at) from None
        ts, m, p, gid, stk = vals
        g.cpu.append((ts, -1 if m == spec.U64_MAX else m, -1 if p == spec.U64_MAX else p,
                      -1 if gid == 0 else gid, stk))


def _set_sync(g: Generation, b: Batch, data, version: int, source: str) -> None:
    """The frequency and (1.25+) the clock snapshot (Go's ``setSyncBatch``)."""
    pos = b.start + (1 if version >= 25 else 0)
    last = b.time
    try:
        while pos < b.end:
            at, typ = pos, data[pos]
            pos += 1
            if typ == spec.EV_FREQUENCY:
                if g.ns_per_tick:
                    raise TraceFormatError("found multiple frequency events", source=source, offset=at)
                freq, pos = uvarint(data, pos, b.end)
                if freq == 0:
                    raise TraceFormatError("frequency of 0 ticks per second", source=source, offset=at)
                g.ns_per_tick = 1.0 / (float(freq) / 1e9)
            elif typ == spec.EV_CLOCK_SNAPSHOT and version >= 25:
                if g.has_snapshot:
                    raise TraceFormatError("found multiple clock snapshot events", source=source, offset=at)
                dt, pos = uvarint(data, pos, b.end)
                g.snap_mono, pos = uvarint(data, pos, b.end)
                g.snap_sec, pos = uvarint(data, pos, b.end)
                g.snap_nsec, pos = uvarint(data, pos, b.end)
                last += dt
                g.snap_ticks, g.has_snapshot = last, True
            else:
                raise TraceFormatError(f"expected frequency or clock snapshot event, got {typ}", source=source,
                                       offset=at)
    except (_Short, OverflowError):
        raise TraceFormatError("bad sync batch entry", source=source, offset=b.offset) from None
